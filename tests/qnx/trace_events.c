/*
 * trace_events: a program instrumented the way QNX programs are, with
 * TraceEvent() and the trace_log*() helpers: it asks for every class in
 * fast mode, as a program that runs its own capture would, then inserts
 * string, simple and combine user events around a small computation,
 * and checks each call's result.  Whether the events are recorded
 * depends on `axon trace` (or tracelogger) running; the calls succeed
 * either way, which is what this prints, with the errors QNX documents
 * for bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/neutrino.h>
#include <sys/trace.h>

#define EV_START   10
#define EV_STEP    11
#define EV_RESULTS 12
#define EV_DONE    13

static const char *
err_name(int err)
{
	switch (err) {
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case ENOTSUP:
		return "ENOTSUP";
	default:
		return strerror(err);
	}
}

int
main(void)
{
	unsigned results[4];
	int rc;

	printf("SETALLCLASSESFAST: %d\n",
	    TraceEvent(_NTO_TRACE_SETALLCLASSESFAST));
	printf("ADDALLCLASSES: %d\n", TraceEvent(_NTO_TRACE_ADDALLCLASSES));
	printf("ADDCLASS user: %d\n",
	    TraceEvent(_NTO_TRACE_ADDCLASS, _NTO_TRACE_USER));
	printf("SETRINGMODE: %d\n", TraceEvent(_NTO_TRACE_SETRINGMODE));
	rc = TraceEvent(_NTO_TRACE_START);
	printf("START: %d %s\n", rc, rc == -1 ? err_name(errno) : "");

	printf("string event: %d\n", TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT,
	    EV_START, "computation starts"));
	for (unsigned i = 0; i < 4; i++) {
		results[i] = (i + 1) * (i + 1);
		if (TraceEvent(_NTO_TRACE_INSERTSUSEREVENT, EV_STEP, (int) i,
			(int) results[i]) != 0) {
			printf("simple event %u failed: %s\n", i,
			    err_name(errno));
		}
	}
	printf("simple events: done\n");
	printf("combine event: %d\n", TraceEvent(_NTO_TRACE_INSERTCUSEREVENT,
	    EV_RESULTS, results, 4u));
	printf("trace_logi: %d\n", trace_logi(EV_STEP, 4, 25));
	printf("trace_logb: %d\n", trace_logb(EV_RESULTS, results,
	    sizeof(results)));
	printf("trace_logf: %d\n", trace_logf(EV_DONE, "sum of squares %u",
	    results[0] + results[1] + results[2] + results[3]));
	printf("trace_nlogf: %d\n", trace_nlogf(EV_DONE, 8, "%s",
	    "a long line cut at 8 bytes"));
	printf("class event: %d\n", TraceEvent(_NTO_TRACE_INSERTSCLASSEVENT,
	    _NTO_TRACE_COMM, 1, 2, 3));

	rc = TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, _NTO_TRACE_USERLAST + 1,
	    "out of range");
	printf("code past USERLAST: %d %s\n", rc, err_name(errno));
	rc = trace_logf(-1, "negative");
	printf("negative code: %d %s\n", rc, err_name(errno));
	rc = TraceEvent(_NTO_TRACE_INSERTUSRSTREVENT, EV_DONE,
	    (const char *) NULL);
	printf("NULL string: %d %s\n", rc, err_name(errno));
	rc = TraceEvent(-1);
	printf("unknown command: %d %s\n", rc, err_name(errno));
	rc = TraceEvent(_NTO_TRACE_STOP);
	printf("STOP: %d %s\n", rc, err_name(errno));
	printf("FLUSHBUFFER: %d\n", TraceEvent(_NTO_TRACE_FLUSHBUFFER));
	return 0;
}
