/*
 * dead_mutex: a guardian of a mutex in shared memory, as QNX's
 * documentation describes it: it registers a pulse for the mutex's
 * death (SyncMutexEvent), a worker process dies holding it while a
 * second one waits for it, and the guardian revives the mutex
 * (SyncMutexRevive), repairs what it guards and unlocks it for the
 * waiter.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/neutrino.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEATH_CODE (_PULSE_CODE_MINAVAIL + 3)

struct area {
	pthread_mutex_t lock;
	int value;
};

int
main(void)
{
	struct area *a;
	pthread_mutexattr_t attr;
	struct sigevent ev;
	struct _pulse pulse;
	int chid, coid, status;
	pid_t worker, waiter;

	setvbuf(stdout, NULL, _IOLBF, 0); /* children inherit no output */
	a = mmap(0, sizeof(*a), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	if (a == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&a->lock, &attr);

	chid = ChannelCreate(_NTO_CHF_PRIVATE);
	coid = ConnectAttach(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	SIGEV_PULSE_PTR_INIT(&ev, coid, 10, DEATH_CODE, &a->lock);
	if (SyncMutexEvent(&a->lock, &ev) == -1) {
		perror("SyncMutexEvent");
		return 1;
	}
	printf("revive before death: %s\n",
	    SyncMutexRevive(&a->lock) == -1 && errno == EINVAL ? "EINVAL"
							       : "?");

	worker = fork();
	if (worker == 0) {
		pthread_mutex_lock(&a->lock);
		a->value = -1; /* half done, then gone */
		_exit(0);
	}
	waitpid(worker, &status, 0);
	waiter = fork();
	if (waiter == 0) {
		pthread_mutex_lock(&a->lock);
		printf("waiter got the lock, value %d\n", a->value);
		fflush(stdout);
		pthread_mutex_unlock(&a->lock);
		_exit(0);
	}

	if (MsgReceivePulse(chid, &pulse, sizeof(pulse), NULL) == -1) {
		perror("MsgReceivePulse");
		return 1;
	}
	printf("pulse code %d for our mutex: %s\n",
	    pulse.code - _PULSE_CODE_MINAVAIL,
	    pulse.value.sival_ptr == &a->lock ? "yes" : "no");
	if (SyncMutexRevive(pulse.value.sival_ptr) == -1) {
		perror("SyncMutexRevive");
		return 1;
	}
	printf("revived, value was %d\n", a->value);
	a->value = 42;
	pthread_mutex_unlock(&a->lock);
	waitpid(waiter, &status, 0);
	printf("waiter done\n");
	return 0;
}
