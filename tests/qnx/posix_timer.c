/*
 * posix_timer: a control loop's heartbeat with the POSIX timer calls, as
 * QNX programs write it.  timer_create() with a SIGEV_PULSE event on the
 * loop's own channel, a 20 ms period armed with timer_settime(), each
 * tick taken with MsgReceive alongside the messages a client would send;
 * a one-shot watchdog at an absolute CLOCK_REALTIME date, disarmed and
 * re-armed; timer_gettime() and timer_delete().
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/neutrino.h>
#include <sys/siginfo.h>
#include <time.h>
#include <unistd.h>

#define HEARTBEAT_CODE (_PULSE_CODE_MINAVAIL + 0)
#define WATCHDOG_CODE  (_PULSE_CODE_MINAVAIL + 1)

typedef union {
	struct _pulse pulse;
	char msg[64];
} message_t;

int
main(void)
{
	struct sigevent event;
	struct itimerspec itime;
	struct timespec now;
	timer_t heartbeat;
	timer_t watchdog;
	message_t msg;
	rcvid_t rcvid;
	int chid;
	int coid;
	int ticks = 0;

	chid = ChannelCreate(0);
	coid = ConnectAttach(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (chid == -1 || coid == -1) {
		perror("channel");
		return EXIT_FAILURE;
	}

	SIGEV_PULSE_INIT(&event, coid, getprio(0), HEARTBEAT_CODE, 0);
	if (timer_create(CLOCK_MONOTONIC, &event, &heartbeat) == -1) {
		perror("timer_create");
		return EXIT_FAILURE;
	}
	itime.it_value.tv_sec = 0;
	itime.it_value.tv_nsec = 20000000;
	itime.it_interval.tv_sec = 0;
	itime.it_interval.tv_nsec = 20000000;
	timer_settime(heartbeat, 0, &itime, NULL);

	SIGEV_PULSE_INT_INIT(&event, coid, getprio(0), WATCHDOG_CODE, 1234);
	if (timer_create(CLOCK_REALTIME, &event, &watchdog) == -1) {
		perror("timer_create");
		return EXIT_FAILURE;
	}
	/* Armed far off, then brought in: 150 ms from now, by the date. */
	itime.it_value.tv_sec = 3600;
	itime.it_value.tv_nsec = 0;
	itime.it_interval.tv_sec = 0;
	itime.it_interval.tv_nsec = 0;
	timer_settime(watchdog, 0, &itime, NULL);
	timer_gettime(watchdog, &itime);
	printf("watchdog: %s an hour away\n",
	    itime.it_value.tv_sec >= 3590 ? "about" : "not");
	clock_gettime(CLOCK_REALTIME, &now);
	itime.it_value.tv_sec = now.tv_sec;
	itime.it_value.tv_nsec = now.tv_nsec + 150000000;
	if (itime.it_value.tv_nsec >= 1000000000) {
		itime.it_value.tv_sec++;
		itime.it_value.tv_nsec -= 1000000000;
	}
	timer_settime(watchdog, TIMER_ABSTIME, &itime, NULL);

	for (;;) {
		rcvid = MsgReceive(chid, &msg, sizeof(msg), NULL);
		if (rcvid == -1) {
			perror("MsgReceive");
			return EXIT_FAILURE;
		}
		if (rcvid != 0) {
			MsgError(rcvid, ENOSYS);
			continue;
		}
		if (msg.pulse.code == HEARTBEAT_CODE) {
			ticks++;
		} else if (msg.pulse.code == WATCHDOG_CODE) {
			printf("watchdog fired, value %d, after %s5 ticks\n",
			    msg.pulse.value.sival_int,
			    ticks >= 5 ? "at least " : "fewer than ");
			break;
		}
	}
	timer_gettime(heartbeat, &itime);
	printf("heartbeat period %ld ms\n", itime.it_interval.tv_nsec / 1000000);
	timer_delete(heartbeat);
	timer_delete(watchdog);
	/* Deleted: pulses already queued stay queued (as on QNX); take
	 * them, then no new one may come in five periods.  Polls: the next
	 * plain MsgReceive would wait for ever. */
	do {
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL,
		    NULL, NULL);
	} while (MsgReceive(chid, &msg, sizeof(msg), NULL) == 0);
	usleep(100000);
	ticks = 0;
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, NULL, NULL);
	while (MsgReceive(chid, &msg, sizeof(msg), NULL) == 0) {
		TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL,
		    NULL, NULL);
		ticks++;
	}
	printf("after timer_delete: %s\n",
	    ticks == 0 ? "quiet" : "still ticking");
	return EXIT_SUCCESS;
}
