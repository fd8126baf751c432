/* SPDX-License-Identifier: MIT */
/* axond: logging (to stderr, the journal's) and the loop's clock. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "axond.h"

uint64_t
axd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

void
axd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	char buf[512];
	va_list ap;

	if (level > g.cfg.log_level) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "axond[%s]: %s: %s\n", g.cfg.node, names[level], buf);
}
