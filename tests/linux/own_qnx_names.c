/* SPDX-License-Identifier: MIT */
/*
 * A Linux program with functions of its own (not static) named like
 * QNX's C library extras that libaxon exports under QNX's names
 * (qnx-libc(3), "Symbols"), of other types: libaxon's are weak, so
 * linked with libaxon.a (whose qnxlibc.o this program's pthread_create()
 * pulls in under Axon's headers, with its sopen) or libaxon.so, the
 * program's own are the ones it calls.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

double sopen(double x);
const char *atomic_add(int n);
int delay(const char *s);

double
sopen(double x)
{
	return x * 3;
}

const char *
atomic_add(int n)
{
	return n > 0 ? "positive" : "not positive";
}

int
delay(const char *s)
{
	return (int) strlen(s) + 100;
}

static void *
work(void *arg)
{
	return arg;
}

int
main(void)
{
	pthread_t t;
	void *r = NULL;
	int v = 5;

	if (pthread_create(&t, NULL, work, &v) != 0 ||
	    pthread_join(t, &r) != 0) {
		return 1;
	}
	printf("%d %.1f %s %d\n", *(int *) r, sopen(1.5), atomic_add(2),
	    delay("abc"));
	return 0;
}
