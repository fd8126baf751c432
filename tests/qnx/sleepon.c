/*
 * sleepon: a producer and a consumer handing over items through a
 * one-slot buffer guarded by QNX's sleepon lock, each waiting on the
 * address of the flag the other changes; the producer names its thread
 * (declared by QNX's <pthread.h> without _GNU_SOURCE).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ITEMS 1000

static volatile int full;
static volatile int item;
static long sum;

static void *
consumer(void *arg)
{
	(void) arg;
	for (int i = 0; i < ITEMS; i++) {
		pthread_sleepon_lock();
		while (!full) {
			pthread_sleepon_wait(&full);
		}
		sum += item;
		full = 0;
		pthread_sleepon_signal(&full);
		pthread_sleepon_unlock();
	}
	return NULL;
}

int
main(void)
{
	pthread_t t;
	char name[16];
	int rc;

	pthread_setname_np(pthread_self(), "producer");
	pthread_getname_np(pthread_self(), name, sizeof(name));
	printf("thread name: %s\n", name);
	pthread_create(&t, NULL, consumer, NULL);
	for (int i = 1; i <= ITEMS; i++) {
		pthread_sleepon_lock();
		while (full) {
			pthread_sleepon_wait(&full);
		}
		item = i;
		full = 1;
		pthread_sleepon_signal(&full);
		pthread_sleepon_unlock();
	}
	pthread_join(t, NULL);
	printf("consumed %d items, sum %ld\n", ITEMS, sum);
	pthread_sleepon_lock();
	rc = pthread_sleepon_timedwait(&item, 1000000);
	pthread_sleepon_unlock();
	printf("timed wait: %s\n", rc == ETIMEDOUT ? "ETIMEDOUT" : "?");
	return 0;
}
