/* SPDX-License-Identifier: MIT */
/* What every benchmark program needs: a monotonic clock in nanoseconds
 * and the comparison to sort latencies with. */
#ifndef AXON_BENCH_H
#define AXON_BENCH_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* For qsort() of uint64_t. */
static inline int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a;
	uint64_t y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

#endif
