/*
 * heartbeat: a timer-driven QNX server and a client that subscribes to
 * its beat, in the manner of the Getting Started chapter on clocks,
 * timers and pulses.
 *
 * The server attaches a global name, ticks with a periodic kernel timer
 * (TimerCreate/TimerSettime pulsing its own channel) and, on each tick,
 * delivers the event each subscriber gave it (MsgVerifyEvent when the
 * request comes, MsgDeliverEvent later, with the tick number as the
 * value of an updateable event).  A pulse tells it to quit: it then
 * detaches its name and exits, and its client hears of it from the
 * kernel (_PULSE_CODE_COIDDEATH on a channel made with
 * _NTO_CHF_COID_DISCONNECT).
 *
 *   heartbeat          both: spawns "heartbeat server" (spawnl P_NOWAIT),
 *                      runs the client, and reaps the server
 *   heartbeat server   the server alone (exits 0 when told to quit)
 *   heartbeat client   the client alone (waits up to 10 s for the name)
 */
/* axon-compat: two-nodes */
#include <errno.h>
#include <process.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/dispatch.h>
#include <sys/iomsg.h>
#include <sys/neutrino.h>
#include <sys/siginfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ATTACH_POINT "axon-compat/heartbeat"

#define MSG_SUBSCRIBE (_IO_MAX + 1)

#define CODE_TICK (_PULSE_CODE_MINAVAIL + 1) /* the server's timer */
#define CODE_QUIT (_PULSE_CODE_MINAVAIL + 2) /* from a client */
#define CODE_BEAT (_PULSE_CODE_MINAVAIL + 3) /* to a client */

#define PERIOD_NS   (10 * 1000 * 1000)
#define BEATS       5
#define SUBSCRIBERS 4

typedef struct {
	uint16_t type;
	uint16_t subtype;
	struct sigevent event;
	int32_t beats;
} subscribe_msg_t;

typedef union {
	struct _pulse pulse;
	uint16_t type;
	struct _io_connect connect;
	subscribe_msg_t subscribe;
} msg_t;

struct subscriber {
	rcvid_t rcvid;
	struct sigevent event;
	int left;
};

static int
server(void)
{
	struct subscriber subs[SUBSCRIBERS];
	name_attach_t *attach;
	struct sigevent ev;
	struct _itimer it;
	struct _msg_info info;
	msg_t msg;
	int coid, timer_id;
	int tick = 0;

	memset(subs, 0, sizeof(subs));
	attach = name_attach(NULL, ATTACH_POINT, NAME_FLAG_ATTACH_GLOBAL);
	if (attach == NULL) {
		perror("server: name_attach");
		return EXIT_FAILURE;
	}
	coid = ConnectAttach(0, 0, attach->chid, _NTO_SIDE_CHANNEL, 0);
	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, CODE_TICK, 0);
	timer_id = TimerCreate(CLOCK_MONOTONIC, &ev);
	it.nsec = PERIOD_NS;
	it.interval_nsec = PERIOD_NS;
	if (coid == -1 || timer_id == -1 ||
	    TimerSettime(timer_id, 0, &it, NULL) == -1) {
		perror("server: timer");
		return EXIT_FAILURE;
	}
	for (;;) {
		rcvid_t rcvid = MsgReceive(attach->chid, &msg, sizeof(msg),
		    &info);

		if (rcvid == -1) {
			perror("server: MsgReceive");
			return EXIT_FAILURE;
		}
		if (rcvid == 0) {
			if (msg.pulse.code == CODE_QUIT) {
				break;
			}
			if (msg.pulse.code == _PULSE_CODE_DISCONNECT) {
				ConnectDetach(msg.pulse.scoid);
			}
			if (msg.pulse.code != CODE_TICK) {
				continue;
			}
			tick++;
			for (int i = 0; i < SUBSCRIBERS; i++) {
				if (subs[i].left == 0) {
					continue;
				}
				subs[i].event.sigev_value.sival_int = tick;
				if (MsgDeliverEvent(subs[i].rcvid,
				    &subs[i].event) == -1) {
					subs[i].left = 0; /* gone */
				} else {
					subs[i].left--;
				}
			}
			continue;
		}
		if (msg.type == _IO_CONNECT) {
			MsgReply(rcvid, EOK, NULL, 0);
			continue;
		}
		if (msg.type != MSG_SUBSCRIBE ||
		    info.msglen < (int) sizeof(msg.subscribe)) {
			MsgError(rcvid, ENOSYS);
			continue;
		}
		if (MsgVerifyEvent(rcvid, &msg.subscribe.event) == -1) {
			MsgError(rcvid, errno);
			continue;
		}
		int i = 0;

		while (i < SUBSCRIBERS && subs[i].left > 0) {
			i++;
		}
		if (i == SUBSCRIBERS) {
			MsgError(rcvid, EBUSY);
			continue;
		}
		subs[i].rcvid = rcvid;
		subs[i].event = msg.subscribe.event;
		subs[i].left = msg.subscribe.beats;
		MsgReply(rcvid, EOK, NULL, 0);
	}
	TimerDestroy(timer_id);
	name_detach(attach, 0);
	return EXIT_SUCCESS;
}

/* Receives a pulse, waiting at most 10 s. */
static int
receive_pulse(int chid, struct _pulse *pulse)
{
	uint64_t timeout = 10ull * 1000 * 1000 * 1000;

	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &timeout,
	    NULL);
	return MsgReceive(chid, pulse, sizeof(*pulse), NULL);
}

static int
client(void)
{
	subscribe_msg_t msg;
	struct _pulse pulse;
	uint64_t t0, t1;
	int chid, self, coid = -1;
	int last = 0;
	int rising = 1;

	/* Our channel takes the beats and hears of the server's death. */
	chid = ChannelCreate(_NTO_CHF_COID_DISCONNECT);
	self = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (chid == -1 || self == -1) {
		perror("client: channel");
		return EXIT_FAILURE;
	}
	for (int i = 0; i < 200 && coid == -1; i++) {
		coid = name_open(ATTACH_POINT, NAME_FLAG_ATTACH_GLOBAL);
		if (coid == -1 && errno == ENOENT) {
			usleep(50 * 1000); /* not there yet */
		} else if (coid == -1) {
			break;
		}
	}
	if (coid == -1) {
		perror("client: name_open " ATTACH_POINT);
		return EXIT_FAILURE;
	}
	printf("name_open: connected to %s\n", ATTACH_POINT);

	memset(&msg, 0, sizeof(msg));
	msg.type = MSG_SUBSCRIBE;
	msg.beats = BEATS;
	SIGEV_PULSE_INIT(&msg.event, self, 15, CODE_BEAT, 0);
	SIGEV_MAKE_UPDATEABLE(&msg.event);
	if (MsgRegisterEvent(&msg.event, coid) == -1) {
		perror("client: MsgRegisterEvent");
		return EXIT_FAILURE;
	}
	ClockTime(CLOCK_MONOTONIC, NULL, &t0);
	if (MsgSend(coid, &msg, sizeof(msg), NULL, 0) == -1) {
		perror("client: subscribe");
		return EXIT_FAILURE;
	}
	for (int n = 0; n < BEATS; n++) {
		if (receive_pulse(chid, &pulse) == -1 ||
		    pulse.code != CODE_BEAT) {
			printf("FAILED: beat %d: %s\n", n + 1,
			    strerror(errno));
			return EXIT_FAILURE;
		}
		rising &= pulse.value.sival_int > last;
		last = pulse.value.sival_int;
	}
	ClockTime(CLOCK_MONOTONIC, NULL, &t1);
	printf("heartbeat: %d beats, tick numbers %s\n", BEATS,
	    rising ? "rising" : "NOT RISING");
	/* The first may come at once; the others a period apart at least. */
	printf("heartbeat: %s %d ms for %d beats of %d ms\n",
	    t1 - t0 >= (uint64_t) (BEATS - 1) * PERIOD_NS ? "at least" :
	    "LESS THAN", (BEATS - 1) * PERIOD_NS / 1000000, BEATS,
	    PERIOD_NS / 1000000);
	MsgUnregisterEvent(&msg.event);

	/* Tell the server to quit, and wait for the kernel to say it has. */
	if (MsgSendPulse(coid, -1, CODE_QUIT, 0) == -1) {
		perror("client: MsgSendPulse");
		return EXIT_FAILURE;
	}
	for (;;) {
		if (receive_pulse(chid, &pulse) == -1) {
			printf("FAILED: no _PULSE_CODE_COIDDEATH: %s\n",
			    strerror(errno));
			return EXIT_FAILURE;
		}
		if (pulse.code == _PULSE_CODE_COIDDEATH) {
			break;
		}
	}
	printf("server gone: _PULSE_CODE_COIDDEATH, coid %s\n",
	    pulse.value.sival_int == coid ? "ours" : "ANOTHER");
	if (MsgSend(coid, &msg, sizeof(msg), NULL, 0) == -1) {
		printf("the dead coid: %s until detached\n", strerror(errno));
	}
	ConnectDetach(coid);
	ConnectDetach(self);
	ChannelDestroy(chid);
	return rising && pulse.value.sival_int == coid &&
	    t1 - t0 >= (uint64_t) (BEATS - 1) * PERIOD_NS ?
	    EXIT_SUCCESS : EXIT_FAILURE;
}

int
main(int argc, char *argv[])
{
	int status;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "server") == 0) {
		return server();
	}
	if (argc > 1 && strcmp(argv[1], "client") == 0) {
		return client();
	}
	if (argc > 1) {
		fprintf(stderr, "usage: %s [server | client]\n", argv[0]);
		return EXIT_FAILURE;
	}
	pid = spawnl(P_NOWAIT, argv[0], argv[0], "server", NULL);
	if (pid == -1) {
		perror("spawnl");
		return EXIT_FAILURE;
	}
	if (client() != EXIT_SUCCESS) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return EXIT_FAILURE;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "heartbeat: the server failed\n");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
