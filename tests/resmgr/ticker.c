/*
 * ticker: a resource manager that is more than a file, in the manner of
 * the QNX documentation's: on one dispatch handle it
 *   - attaches PATH (resmgr_attach): a read gives
 *     "ticks T messages M sum S\n";
 *   - counts the pulses of a periodic timer (timer_create with a
 *     SIGEV_PULSE event whose code pulse_attach allocated, sent through
 *     message_connect's side-channel connection);
 *   - takes private messages (message_attach, types 0x5000..0x50ff):
 *     TICKER_ADD adds its value to the sum and answers the sum,
 *     TICKER_TICKS answers the ticks so far;
 *   - and is found by name (name_attach, NAME), so that a QNX client
 *     can MsgSend() to it, on this node or through /net.
 *
 * Usage: ticker [PATH [NAME]]
 *   (default /dev/classic/ticker, classic/ticker)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iofunc.h>
#include <sys/neutrino.h>
#include <time.h>
#include <unistd.h>

#define TICKER_ADD   0x5001
#define TICKER_TICKS 0x5002

struct ticker_msg {
	uint16_t type;
	uint16_t zero;
	int32_t value;
};

static resmgr_connect_funcs_t connect_funcs;
static resmgr_io_funcs_t io_funcs;
static iofunc_attr_t attr;
static int tick_code;
static int32_t ticks;
static int32_t messages;
static int32_t sum;

static int
on_tick(message_context_t *ctp, int code, unsigned flags, void *handle)
{
	if (code == tick_code) {
		ticks++;
	}
	return 0;
}

static int
on_message(message_context_t *ctp, int type, unsigned flags, void *handle)
{
	struct ticker_msg *m = (struct ticker_msg *) ctp->msg;
	int32_t answer;

	if (ctp->size < sizeof(*m)) {
		return MsgError(ctp->rcvid, EBADMSG);
	}
	switch (type) {
	case TICKER_ADD:
		messages++;
		sum += m->value;
		answer = sum;
		break;
	case TICKER_TICKS:
		messages++;
		answer = ticks;
		break;
	default:
		return MsgError(ctp->rcvid, ENOSYS);
	}
	MsgReply(ctp->rcvid, EOK, &answer, sizeof(answer));
	return 0;
}

static int
io_read(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb)
{
	char buf[96];
	size_t len;
	size_t nbytes = 0;
	int status;

	if ((status = iofunc_read_verify(ctp, msg, ocb, NULL)) != EOK) {
		return status;
	}
	len = (size_t) snprintf(buf, sizeof(buf), "ticks %d messages %d "
	    "sum %d\n", (int) ticks, (int) messages, (int) sum);
	if (ocb->offset < (off_t) len) {
		nbytes = len - (size_t) ocb->offset;
	}
	if (nbytes > msg->i.nbytes) {
		nbytes = msg->i.nbytes;
	}
	MsgReply(ctp->rcvid, nbytes, buf + ocb->offset, nbytes);
	ocb->offset += nbytes;
	return _RESMGR_NOREPLY;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/classic/ticker";
	const char *name = argc > 2 ? argv[2] : "classic/ticker";
	struct itimerspec period;
	struct sigevent event;
	dispatch_context_t *ctp;
	name_attach_t *att;
	dispatch_t *dpp;
	timer_t timer;
	int coid;

	if ((dpp = dispatch_create()) == NULL) {
		perror("dispatch_create");
		return EXIT_FAILURE;
	}
	iofunc_func_init(_RESMGR_CONNECT_NFUNCS, &connect_funcs,
	    _RESMGR_IO_NFUNCS, &io_funcs);
	io_funcs.read = io_read;
	iofunc_attr_init(&attr, S_IFNAM | 0444, 0, 0);
	if (resmgr_attach(dpp, NULL, path, _FTYPE_ANY, 0, &connect_funcs,
	    &io_funcs, &attr) == -1) {
		perror("resmgr_attach");
		return EXIT_FAILURE;
	}
	if (message_attach(dpp, NULL, 0x5000, 0x50ff, on_message, NULL) ==
	    -1) {
		perror("message_attach");
		return EXIT_FAILURE;
	}
	tick_code = pulse_attach(dpp, MSG_FLAG_ALLOC_PULSE, 0, on_tick, NULL);
	if (tick_code == -1) {
		perror("pulse_attach");
		return EXIT_FAILURE;
	}
	if ((att = name_attach(dpp, name, 0)) == NULL) {
		perror("name_attach");
		return EXIT_FAILURE;
	}
	ctp = dispatch_context_alloc(dpp);
	coid = message_connect(dpp, MSG_FLAG_SIDE_CHANNEL);
	if (ctp == NULL || coid == -1) {
		perror("message_connect");
		return EXIT_FAILURE;
	}
	SIGEV_PULSE_INIT(&event, coid, SIGEV_PULSE_PRIO_INHERIT, tick_code, 0);
	if (timer_create(CLOCK_MONOTONIC, &event, &timer) == -1) {
		perror("timer_create");
		return EXIT_FAILURE;
	}
	period.it_value.tv_sec = 0;
	period.it_value.tv_nsec = 20 * 1000 * 1000;
	period.it_interval = period.it_value;
	timer_settime(timer, 0, &period, NULL);
	while (1) {
		if ((ctp = dispatch_block(ctp)) == NULL) {
			perror("dispatch_block");
			return EXIT_FAILURE;
		}
		dispatch_handler(ctp);
	}
}
