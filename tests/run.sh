#!/bin/sh
# Runs every test program given; exits non-zero if any failed.
# Each program runs each of its tests in a forked child with a timeout.
failed=""
for t in "$@"; do
	name=$(basename "$t")
	echo "=== $name"
	if ! "$t"; then
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all test programs passed"
