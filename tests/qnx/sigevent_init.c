/*
 * sigevent_init: a program that includes only <signal.h> and <time.h>
 * for its sigevents, as QNX's headers allow: a timer that signals with
 * a value (SIGEV_SIGNAL_VALUE_INIT), and pulse events filled with
 * SIGEV_PULSE_INIT and SIGEV_PULSE_PTR_INIT, read back field by field.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t got;
static volatile int value;

static void
handler(int sig, siginfo_t *info, void *ctx)
{
	(void) ctx;
	got = sig;
	value = info->si_value.sival_int;
}

int
main(void)
{
	static char cookie[] = "cookie";
	struct sigevent ev;
	struct sigaction sa;
	struct itimerspec its;
	struct timespec ten_ms = {0, 10000000};
	timer_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	SIGEV_SIGNAL_VALUE_INIT(&ev, SIGUSR1, 0);
	ev.sigev_value.sival_int = 42;
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0) {
		perror("timer_create");
		return 1;
	}
	memset(&its, 0, sizeof(its));
	its.it_value = ten_ms;
	timer_settime(t, 0, &its, NULL);
	for (int i = 0; i < 500 && !got; i++) {
		nanosleep(&ten_ms, NULL);
	}
	printf("timer signal %s, value %d\n",
	    got == SIGUSR1 ? "SIGUSR1" : "none", value);
	timer_delete(t);

	SIGEV_PULSE_INIT(&ev, 5, 10, 3, 0);
	printf("pulse event: type ok %d, coid %d, priority %d, code %d\n",
	    SIGEV_GET_TYPE(&ev) == SIGEV_PULSE, ev.sigev_coid,
	    ev.sigev_priority, ev.sigev_code);
	SIGEV_PULSE_PTR_INIT(&ev, 6, SIGEV_PULSE_PRIO_INHERIT, 4, cookie);
	printf("pulse pointer event: coid %d, priority %d, code %d, %s\n",
	    ev.sigev_coid, ev.sigev_priority, ev.sigev_code,
	    (char *) ev.sigev_value.sival_ptr);
	SIGEV_UNBLOCK_INIT(&ev);
	printf("unblock event: type ok %d\n",
	    SIGEV_GET_TYPE(&ev) == SIGEV_UNBLOCK);
	return 0;
}
