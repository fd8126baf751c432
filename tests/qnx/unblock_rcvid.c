/*
 * unblock_rcvid: a server on a channel with _NTO_CHF_UNBLOCK learns that
 * its client gave up waiting from the UNBLOCK pulse, whose value carries
 * the client's rcvid (read as sival_long, as QNX 7.1 code does), and
 * answers it with MsgError().  The client runs in a thread started with a
 * NULL thread id.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/neutrino.h>
#include <time.h>

static int chid;
static volatile int client_err;

static void *
client(void *arg)
{
	int coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	uint64_t timeout = 100000000; /* 100 ms */
	char reply;

	(void) arg;
	TimerTimeout(CLOCK_MONOTONIC, _NTO_TIMEOUT_REPLY, NULL, &timeout,
	    NULL);
	if (MsgSend(coid, "?", 1, &reply, 1) == -1) {
		client_err = errno;
	}
	ConnectDetach(coid);
	return NULL;
}

int
main(void)
{
	struct _pulse pulse;
	rcvid_t rcvid;
	char msg;

	chid = ChannelCreate(_NTO_CHF_UNBLOCK);
	if (chid == -1 || pthread_create(NULL, NULL, client, NULL) != 0) {
		perror("setup");
		return EXIT_FAILURE;
	}
	rcvid = MsgReceive(chid, &msg, sizeof(msg), NULL);
	if (rcvid <= 0) {
		perror("MsgReceive");
		return EXIT_FAILURE;
	}
	/* Do not reply: the client's timeout turns into an UNBLOCK pulse. */
	if (MsgReceive(chid, &pulse, sizeof(pulse), NULL) != 0 ||
	    pulse.code != _PULSE_CODE_UNBLOCK ||
	    pulse.value.sival_long != (long) rcvid) {
		fprintf(stderr, "expected the UNBLOCK pulse for %ld\n",
		    (long) rcvid);
		return EXIT_FAILURE;
	}
	printf("UNBLOCK pulse names the waiting client\n");
	MsgError(rcvid, ETIMEDOUT);
	for (int i = 0; i < 500 && client_err == 0; i++) {
		struct timespec ts = {0, 10000000};

		nanosleep(&ts, NULL);
	}
	if (client_err != ETIMEDOUT) {
		fprintf(stderr, "client: %d\n", client_err);
		return EXIT_FAILURE;
	}
	printf("client: timed out, released by MsgError\n");
	return EXIT_SUCCESS;
}
