#!/bin/sh
# Runs every test program given; exits non-zero if any failed.
# Each program runs each of its tests in a forked child with a timeout.
# The lines a failed program printed about its failures are repeated at
# the end, so that the tail of a long log (all CI keeps) says what failed.
failed=""
log=$(mktemp "${TMPDIR:-/tmp}/axon-run.XXXXXX")
summary=$(mktemp "${TMPDIR:-/tmp}/axon-run.XXXXXX")
trap 'rm -f "$log" "$summary"' EXIT
for t in "$@"; do
	name=$(basename "$t")
	echo "=== $name"
	# To a file, not through a pipe: a child a test leaves behind
	# must not hold the runner up.
	rc=0
	"$t" >"$log" 2>&1 || rc=$?
	cat "$log"
	if [ "$rc" != 0 ]; then
		failed="$failed $name"
		{
			echo "--- $name"
			# Check's failure lines (file:line:F/E:case:...), the
			# summary line, and whatever the test said last.
			grep -E ':[0-9]+:[EF]:|Checks: |Timeout|Assertion|^stuck: ' "$log" |
				head -n 80
			tail -n 5 "$log"
		} >>"$summary"
	fi
done
if [ -n "$failed" ]; then
	echo "=== what failed"
	cat "$summary"
	echo "FAILED:$failed"
	exit 1
fi
echo "all test programs passed"
