#!/bin/sh
# The QNX-style programs of tests/qnx/ that say `axon-compat: pps`
# (publishers and subscribers of PPS objects), run against an installed
# axon-pps(8) and axon-fs(8) on a node of their own: the program opens
# $PPS_DIR/... ($AXON_RUNDIR/fs/pps) as QNX programs open /pps/...
#
# Usage: tests/qnx_pps.sh PREFIX BINDIR
#   PREFIX  an installed Axon (its sbin/axon-pps, sbin/axon-fs and lib/)
#   BINDIR  where the programs were built (BINDIR/NAME for tests/qnx/NAME.c)
# Needs root and /dev/fuse (says "skipped" otherwise).  Every wait is
# bounded; everything started is stopped on exit.
set -eu
PREFIX=$1
BINDIR=$2
if [ "$(id -u)" -ne 0 ] || [ ! -w /dev/fuse ]; then
	echo "qnx pps: skipped: needs root and /dev/fuse"
	exit 0
fi
dir=$(mktemp -d /tmp/axon-qnxpps-XXXXXX)
pids=""
export LD_LIBRARY_PATH="$PREFIX/lib"
export AXON_RUNDIR="$dir/run"
mkdir "$AXON_RUNDIR"

# shellcheck disable=SC2034 # read by nodes.sh's stop
STOP_TENTHS=50 # axon-fs unmounts on the way out
. "$(dirname "$0")/nodes.sh"

cleanup() {
	# shellcheck disable=SC2086 # a list of pids
	stop $pids
	if grep -q " $AXON_RUNDIR/fs " /proc/self/mountinfo 2>/dev/null; then
		echo "qnx pps: $AXON_RUNDIR/fs still mounted" >&2
		umount -l "$AXON_RUNDIR/fs" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "qnx pps: $*" >&2
	for f in "$dir"/*.log; do
		[ -s "$f" ] || continue
		echo "--- $(basename "$f")" >&2
		tail -n 20 "$f" >&2
	done
	exit 1
}

# wait_for TEST...: until `test TEST` holds (10 s at most).
wait_for() {
	n=0
	until test "$@"; do
		[ "$n" -lt 100 ] || return 1
		sleep 0.1
		n=$((n + 1))
	done
}

"$PREFIX/sbin/axon-pps" -r "$dir/pps.ready" 2>"$dir/pps.log" &
pids="$pids $!"
wait_for -e "$dir/pps.ready" || fail "axon-pps did not start"
"$PREFIX/sbin/axon-fs" --net-dir none 2>"$dir/fs.log" &
pids="$pids $!"
wait_for -d "$AXON_RUNDIR/fs/pps" || fail "axon-fs did not mount /pps"
for src in tests/qnx/*.c; do
	grep -q 'axon-compat: pps' "$src" || continue
	name=$(basename "$src" .c)
	PPS_DIR="$AXON_RUNDIR/fs/pps" timeout 60 "$BINDIR/$name" \
		> "$dir/$name.out" 2>"$dir/$name.log" || fail "$name failed"
	diff -u "tests/qnx/$name.expected" "$dir/$name.out" ||
		fail "$name: not the expected output"
done
echo "qnx pps: ok"
