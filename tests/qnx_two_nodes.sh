#!/bin/sh
# The QNX programs of tests/qnx/ across two nodes (called by
# tests/install_check.sh, after they ran on one node).
#
# Usage: tests/qnx_two_nodes.sh PREFIX BINDIR
#   PREFIX  an installed Axon (its sbin/axond and lib/ are used)
#   BINDIR  where the programs were built, one per tests/qnx/NAME.c
#
# Starts two nodes on this machine, alpha and beta (an AXON_RUNDIR and an
# axond each, on random loopback ports, sharing a secret), and for every
# program whose source says `axon-compat: two-nodes`, runs `NAME server`
# on beta and `NAME client` on alpha: the client's output must be
# tests/qnx/NAME.expected, the same as on one node except for the lines
# that begin with "local: " (what holds on one node only, see
# docs/compat.md), and both must exit 0.
# Every wait is bounded; whatever it started is stopped and the temporary
# directory removed on every exit path.  Env: QNX2_TIMEOUT, the bound on
# each client in seconds (60).
set -eu
PREFIX=$1
BINDIR=$2
AXOND=$PREFIX/sbin/axond
dir=$(mktemp -d /tmp/axon-qnx2-XXXXXX)
pids="" # what is still running, stopped by cleanup
export LD_LIBRARY_PATH="$PREFIX/lib"

. "$(dirname "$0")/nodes.sh"

cleanup() {
	# shellcheck disable=SC2086 # a list of pids
	stop $pids
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

logs() {
	for f in "$dir"/*.log; do
		[ -s "$f" ] || continue
		echo "--- $(basename "$f")" >&2
		tail -n 20 "$f" >&2
	done
}

make_secret
# --maproot none: the two nodes trust each other's root, so that the
# programs behave the same whether this runs as root or not (by default a
# remote root is nobody, whose pulses a root server refuses).
if ! start_two_nodes --maproot none; then
	echo "qnx two nodes: axond did not start" >&2
	logs
	exit 1
fi

status=0
for src in tests/qnx/*.c; do
	grep -q 'axon-compat: two-nodes' "$src" || continue
	name=$(basename "$src" .c)
	AXON_RUNDIR="$dir/beta" timeout 60 "$BINDIR/$name" server \
		> "$dir/$name.server.out" 2> "$dir/$name.server.log" &
	srv=$!
	pids="$pids $srv"
	# The client waits for the server's global name itself (bounded).
	if ! AXON_RUNDIR="$dir/alpha" timeout "${QNX2_TIMEOUT:-60}" "$BINDIR/$name" client \
	    > "$dir/$name.out" 2> "$dir/$name.client.log"; then
		echo "qnx two nodes: $name client failed" >&2
		status=1
		stop "$srv"
	elif ! wait "$srv"; then
		echo "qnx two nodes: $name server failed" >&2
		status=1
	fi
	# Lines "local: ..." hold on one node only (docs/compat.md says why).
	grep -v '^local: ' "tests/qnx/$name.expected" > "$dir/$name.expected"
	if ! diff -u "$dir/$name.expected" "$dir/$name.out" >&2; then
		echo "qnx two nodes: $name: output differs" >&2
		status=1
	fi
	pids="$ax_alpha $ax_beta"
	if [ "$status" -ne 0 ]; then
		logs
		exit 1
	fi
	echo "install check: $name across two nodes ok"
done
stop "$ax_alpha" "$ax_beta"
pids=""
