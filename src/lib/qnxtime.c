/* SPDX-License-Identifier: MIT */
/*
 * QNX's time extras that <sys/neutrino.h> names (qnx-libc(3)): delay(),
 * nsec2timespec(), timespec2nsec() and the nanospin family, busy waits
 * for the short delays of device code, on CLOCK_MONOTONIC.
 *
 * nanospin_count() spins a loop of its own a given number of times;
 * nanospin_calibrate() times that loop, keeping the fastest of several
 * runs so that a run the scheduler interrupted does not make every later
 * count too small, and nanospin_ns_to_count() converts with it
 * (calibrating first if nobody did).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "internal.h"

#define NANOSPIN_MAX 500000000ul /* QNX's limit: E2BIG above 500 ms */

unsigned int
axon_delay(unsigned int msec)
{
	struct timespec req = {
		.tv_sec = (time_t) (msec / 1000u),
		.tv_nsec = (long) (msec % 1000u) * 1000000l,
	};
	struct timespec rem;

	if (nanosleep(&req, &rem) == 0) {
		return 0;
	}
	/* A signal's handler ran: the milliseconds not slept, rounded up. */
	return (unsigned int) rem.tv_sec * 1000u +
	    (unsigned int) ((rem.tv_nsec + 999999l) / 1000000l);
}

void
axon_nsec2timespec(struct timespec *ts, uint64_t nsec)
{
	ts->tv_sec = (time_t) (nsec / 1000000000u);
	ts->tv_nsec = (long) (nsec % 1000000000u);
}

uint64_t
axon_timespec2nsec(const struct timespec *ts)
{
	uint64_t s = (uint64_t) ts->tv_sec, ns = (uint64_t) ts->tv_nsec;

	if (s > (UINT64_MAX - ns) / 1000000000u) {
		return UINT64_MAX;
	}
	return s * 1000000000u + ns;
}

static uint64_t
mono_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
}

int
axon_nanospin_ns(unsigned long nsec)
{
	uint64_t end;

	if (nsec > NANOSPIN_MAX) {
		return E2BIG;
	}
	end = mono_ns() + nsec;
	while (mono_ns() < end) {
	}
	return 0;
}

int
axon_nanospin(const struct timespec *when)
{
	uint64_t ns = axon_timespec2nsec(when);

	if (when->tv_sec < 0 || when->tv_nsec < 0 ||
	    when->tv_nsec >= 1000000000l) {
		return EINVAL;
	}
	return ns > NANOSPIN_MAX ? E2BIG : axon_nanospin_ns((unsigned long) ns);
}

void
axon_nanospin_count(unsigned long count)
{
	for (volatile unsigned long i = 0; i < count; i++) {
	}
}

/* Loops of nanospin_count() per microsecond, times 1024; 0 until
 * calibrated. */
static _Atomic uint64_t spin_rate;

int
axon_nanospin_calibrate(int disable)
{
	const unsigned long n = 100000;
	uint64_t best = UINT64_MAX;

	(void) disable; /* interrupts cannot be disabled here */
	for (int run = 0; run < 5; run++) {
		uint64_t t0 = mono_ns(), t;

		axon_nanospin_count(n);
		t = mono_ns() - t0;
		if (t > 0 && t < best) {
			best = t;
		}
	}
	if (best == UINT64_MAX) {
		return EINTR; /* the clock did not move: QNX's "try again" */
	}
	atomic_store(&spin_rate, (uint64_t) n * 1024u * 1000u / best);
	return 0;
}

unsigned long
axon_nanospin_ns_to_count(unsigned long nsec)
{
	uint64_t rate = atomic_load(&spin_rate);

	if (rate == 0) {
		(void) axon_nanospin_calibrate(0);
		rate = atomic_load(&spin_rate);
	}
	return (unsigned long) ((uint64_t) nsec * rate / 1024u / 1000u);
}

/* ---- <stdlib.h>'s itoa() and kin (sys/neutrino.h) ---- */

/* v's digits in radix, after a '-' if neg, into buf; NULL and EINVAL
 * for a radix not from 2 to 36, as QNX's. */
static char *
to_text(unsigned long long v, bool neg, char *buf, int radix)
{
	char tmp[sizeof(v) * 8 + 1];
	size_t n = 0, i = 0;

	if (radix < 2 || radix > 36) {
		errno = EINVAL;
		return NULL;
	}
	do {
		tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % (unsigned) radix];
		v /= (unsigned) radix;
	} while (v != 0);
	if (neg) {
		buf[i++] = '-';
	}
	while (n > 0) {
		buf[i++] = tmp[--n];
	}
	buf[i] = '\0';
	return buf;
}

/* Negative values carry a sign in radix 10 only, as QNX's (and
 * Watcom's) do; in another radix the value's bits are written as
 * unsigned. */
static char *
signed_text(long long v, unsigned long long as_unsigned, char *buf,
    int radix)
{
	if (v < 0 && radix == 10) {
		return to_text(0ull - (unsigned long long) v, true, buf, radix);
	}
	return to_text(as_unsigned, false, buf, radix);
}

char *
axon_itoa(int value, char *buf, int radix)
{
	return signed_text(value, (unsigned) value, buf, radix);
}

char *
axon_ltoa(long value, char *buf, int radix)
{
	return signed_text(value, (unsigned long) value, buf, radix);
}

char *
axon_lltoa(long long value, char *buf, int radix)
{
	return signed_text(value, (unsigned long long) value, buf, radix);
}

char *
axon_utoa(unsigned value, char *buf, int radix)
{
	return to_text(value, false, buf, radix);
}

char *
axon_ultoa(unsigned long value, char *buf, int radix)
{
	return to_text(value, false, buf, radix);
}

char *
axon_ulltoa(unsigned long long value, char *buf, int radix)
{
	return to_text(value, false, buf, radix);
}

/* QNX's names (AXON_QNX_NAME, internal.h). */
#undef delay
#undef nsec2timespec
#undef timespec2nsec
#undef nanospin_ns
#undef nanospin
#undef nanospin_count
#undef nanospin_calibrate
#undef nanospin_ns_to_count
#undef itoa
#undef ltoa
#undef lltoa
#undef utoa
#undef ultoa
#undef ulltoa
AXON_QNX_NAME(delay, axon_delay);
AXON_QNX_NAME(nsec2timespec, axon_nsec2timespec);
AXON_QNX_NAME(timespec2nsec, axon_timespec2nsec);
AXON_QNX_NAME(nanospin_ns, axon_nanospin_ns);
AXON_QNX_NAME(nanospin, axon_nanospin);
AXON_QNX_NAME(nanospin_count, axon_nanospin_count);
AXON_QNX_NAME(nanospin_calibrate, axon_nanospin_calibrate);
AXON_QNX_NAME(nanospin_ns_to_count, axon_nanospin_ns_to_count);
AXON_QNX_NAME(itoa, axon_itoa);
AXON_QNX_NAME(ltoa, axon_ltoa);
AXON_QNX_NAME(lltoa, axon_lltoa);
AXON_QNX_NAME(utoa, axon_utoa);
AXON_QNX_NAME(ultoa, axon_ultoa);
AXON_QNX_NAME(ulltoa, axon_ulltoa);
