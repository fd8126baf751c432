/*
 * timer_pulse: the heartbeat of a QNX control loop.  A periodic timer
 * pulses the loop's own channel through a side-channel connection
 * (SIGEV_PULSE_INIT + TimerCreate + TimerSettime), MsgReceive takes each
 * tick with its code and value, and ClockCycles() over cycles_per_sec
 * times the run.  Then a one-shot timer at an absolute time of day, a
 * worker thread named with ThreadCtl and joined with ThreadJoin, and
 * TimerInfo on the spent timer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/neutrino.h>
#include <sys/siginfo.h>
#include <sys/syspage.h>
#include <time.h>

#define TICK_CODE  (_PULSE_CODE_MINAVAIL + 1)
#define ALARM_CODE (_PULSE_CODE_MINAVAIL + 2)

static void *
worker(void *arg)
{
	char buf[sizeof(struct _thread_name) + 32];
	struct _thread_name *tn = (struct _thread_name *) buf;

	tn->name_buf_len = 32;
	tn->new_name_len = (int) strlen("ticker");
	memcpy(tn->name_buf, "ticker", strlen("ticker"));
	if (ThreadCtl(_NTO_TCTL_NAME, tn) == -1) {
		return NULL;
	}
	return arg;
}

int
main(void)
{
	struct sigevent ev;
	struct _itimer it;
	struct _timer_info info;
	struct _pulse pulse;
	uint64_t t0;
	uint64_t now;
	void *status;
	int chid;
	int coid;
	int id;
	int tid;

	chid = ChannelCreate(0);
	coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (chid == -1 || coid == -1) {
		perror("channel");
		return EXIT_FAILURE;
	}
	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, TICK_CODE,
	    (void *) 0x5eed);
	id = TimerCreate(CLOCK_MONOTONIC, &ev);
	if (id == -1) {
		perror("TimerCreate");
		return EXIT_FAILURE;
	}
	it.nsec = 20000000;          /* first tick in 20 ms, */
	it.interval_nsec = 20000000; /* then every 20 ms */
	t0 = ClockCycles();
	if (TimerSettime(id, 0, &it, NULL) == -1) {
		perror("TimerSettime");
		return EXIT_FAILURE;
	}
	for (int n = 1; n <= 5; n++) {
		if (MsgReceive(chid, &pulse, sizeof(pulse), NULL) != 0) {
			perror("MsgReceive");
			return EXIT_FAILURE;
		}
		printf("tick %d: code %d value %p\n", n, pulse.code,
		    pulse.value.sival_ptr);
	}
	now = ClockCycles();
	/* Five ticks of 20 ms take at least 100 ms. */
	printf("5 ticks in %s 100 ms\n",
	    (now - t0) * 1000 / SYSPAGE_ENTRY(qtime)->cycles_per_sec >= 100
		? "at least"
		: "LESS THAN");
	TimerDestroy(id);

	/* A one-shot at an absolute time of day, 30 ms from now. */
	SIGEV_PULSE_INT_INIT(&ev, coid, 10, ALARM_CODE, 99);
	id = TimerCreate(CLOCK_REALTIME, &ev);
	ClockTime(CLOCK_REALTIME, NULL, &now);
	it.nsec = now + 30000000;
	it.interval_nsec = 0;
	TimerSettime(id, TIMER_ABSTIME, &it, NULL);
	if (MsgReceive(chid, &pulse, sizeof(pulse), NULL) != 0) {
		perror("MsgReceive");
		return EXIT_FAILURE;
	}
	printf("alarm: code %d value %d\n", pulse.code, pulse.value.sival_int);
	if (TimerInfo(0, id, 0, &info) != id) {
		perror("TimerInfo");
		return EXIT_FAILURE;
	}
	printf("spent: %s, %s\n",
	    info.flags & _NTO_TI_ACTIVE ? "active" : "inactive",
	    info.flags & _NTO_TI_EXPIRED ? "expired" : "not expired");
	TimerDestroy(id);

	tid = ThreadCreate(0, worker, (void *) 0x77, NULL);
	if (tid == -1 || ThreadJoin(tid, &status) == -1) {
		perror("thread");
		return EXIT_FAILURE;
	}
	printf("worker returned %p\n", status);
	return EXIT_SUCCESS;
}
