#!/bin/sh
# The classic resource managers of the QNX documentation (tests/resmgr/),
# each built with nothing but `pkg-config axon`, run on a real node and
# used by Linux tools (cat, echo >, dd, ls, stat, Python's open()) and by
# a QNX client (open/read/write/lseek/fstat/devctl/close, name_open and
# MsgSend), first on the managers' own node through its file system,
# then from another node through /net/NODE (issue 9, item 6).  Then the
# managers are killed and their paths must vanish on both nodes.
#
# Usage: tests/resmgr_classic.sh PREFIX BINDIR
#   PREFIX  an installed Axon (its sbin/axond, sbin/axon-fs and lib/)
#   BINDIR  where tests/resmgr/*.c were built, one program each
#
# Two nodes, alpha and beta (an AXON_RUNDIR and an axond each, random
# loopback ports, a shared secret, --fs yes so that each mounts its
# namespace at RUNDIR/fs and its net directory at RUNDIR/net); the
# managers run on beta.  Needs root and /dev/fuse (says "skipped"
# otherwise).  Every wait is bounded; whatever it started is stopped
# and the temporary directory removed on every exit path.  Env:
# CLASSIC_TIMES=1 prints each check's time on standard error.
set -eu
PREFIX=$1
BINDIR=$2
AXOND=$PREFIX/sbin/axond
if [ "$(id -u)" -ne 0 ] || [ ! -w /dev/fuse ]; then
	echo "resmgr classic: skipped: needs root and /dev/fuse"
	exit 0
fi
dir=$(mktemp -d /tmp/axon-classic-XXXXXX)
pids=""
export LD_LIBRARY_PATH="$PREFIX/lib"

STOP_TENTHS=50 # axon-fs unmounts on the way out
. "$(dirname "$0")/nodes.sh"

cleanup() {
	# shellcheck disable=SC2086 # a list of pids
	stop $pids
	for m in "$dir"/*/fs "$dir"/*/net; do
		if grep -q " $m " /proc/self/mountinfo 2>/dev/null; then
			echo "resmgr classic: $m still mounted" >&2
			umount -l "$m" 2>/dev/null || true
		fi
	done
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

fail() {
	echo "resmgr classic: $*" >&2
	logs
	exit 1
}

make_secret

# wait_for TEST...: until `test TEST` holds (10 s at most).
wait_for() {
	n=0
	until test "$@"; do
		[ "$n" -lt 100 ] || return 1
		sleep 0.1
		n=$((n + 1))
	done
}

start_two_nodes --maproot none --fs yes \
	--fs-program "$PREFIX/sbin/axon-fs" ||
	fail "axond did not start"

# The managers, on beta.
B=$dir/beta
start_mgr() {
	AXON_RUNDIR="$B" "$BINDIR/$1" "/dev/classic/$1" \
		> "$dir/$1.out" 2> "$dir/$1.log" &
	pids="$pids $!"
	eval "pid_$1=$!"
}
for m in hello store dcmd dir pool ticker; do
	start_mgr "$m"
done
for m in hello store dcmd dir pool ticker; do
	wait_for -e "$B/fs/dev/classic/$m" || fail "$m did not appear on beta"
done

# check WHAT EXPECTED COMMAND...: runs the command (20 s at most) and
# compares its output.
check() {
	what=$1
	want=$2
	shift 2
	t0=$(date +%s.%N)
	if ! got=$(timeout 20 "$@" 2>&1); then
		fail "$where: $what: failed: $got"
	fi
	[ -z "${CLASSIC_TIMES:-}" ] || echo "$what $(awk "BEGIN { print $(date +%s.%N) - $t0 }")" >&2
	[ "$got" = "$want" ] || fail "$where: $what: got '$got', want '$want'"
}

# check_fails WHAT COMMAND...: the command must fail (in 20 s).
check_fails() {
	what=$1
	shift
	if timeout 20 "$@" > /dev/null 2>&1; then
		fail "$where: $what: did not fail"
	fi
}

# all ROOT RUNDIR NAME SUM: every manager, seen at ROOT/dev/classic from
# a node whose run directory is RUNDIR; the ticker's name is NAME and its
# sum after the client's two messages SUM.
all() {
	R=$1/dev/classic
	C=$BINDIR/client
	export AXON_RUNDIR="$2" # the client's node (the tools' do not care)
	# hello: a string.
	check "cat hello" "Hello, world" cat "$R/hello"
	check "dd hello" "Hello, world" dd if="$R/hello" bs=5 status=none
	check "stat hello" "13" stat -c %s "$R/hello"
	check "python hello" "Hello, world" \
		python3 -c "print(open('$R/hello').read(), end='')"
	check "client cat hello" "size 13
Hello, world" "$C" cat "$R/hello"
	check "client seek hello" "at 7
rest world
end 13" "$C" seek "$R/hello" 7
	# store: keeps what is written.
	check "echo > store" "" sh -c "echo one two > $R/store"
	check "echo >> store" "" sh -c "echo three >> $R/store"
	check "cat store" "one two
three" cat "$R/store"
	check "client write store" "wrote 18" "$C" write "$R/store" \
		"from a QNX client
"
	check "client cat store" "size 18
from a QNX client" "$C" cat "$R/store"
	check "client seek store" "at 5
rest a QNX client
end 18" "$C" seek "$R/store" 5
	check "stat store" "18" stat -c %s "$R/store"
	check "dd store" "" sh -c "printf 'by dd' | dd of=$R/store status=none"
	check "python store" "by dd and Python" python3 -c "
f = open('$R/store', 'a'); f.write(' and Python'); f.close()
print(open('$R/store').read())"
	# dcmd: devctl with the DCMD macros, and text for the tools.
	check "echo > dcmd" "" sh -c "echo 0 > $R/dcmd"
	check "client devctl" "set 7: Success, was 0
get: Success, 7
swap 9: Success, got 7, was 7
range: Success, -1000..1000
reset: Success
after reset 0
unknown: Function not implemented" "$C" devctl "$R/dcmd"
	check "cat dcmd" "value 3" cat "$R/dcmd"
	check "echo 42 > dcmd" "value 42" sh -c "echo 42 > $R/dcmd && cat $R/dcmd"
	check_fails "echo 5000 > dcmd" sh -c "echo 5000 > $R/dcmd"
	# dir: a directory of three files.
	check "ls dir" "one
three
two" ls "$R/dir"
	check "stat dir" "directory 555" stat -c '%F %a' "$R/dir"
	check "cat dir/two" "the second file, a little longer" cat "$R/dir/two"
	check "python dir" "['one', 'three', 'two'] the first file" python3 -c "
import os
print(sorted(os.listdir('$R/dir')), open('$R/dir/one').read(), end='')"
	check "client cat dir/three" "size 10
the third" "$C" cat "$R/dir/three"
	check "client missing" "open: No such file or directory" \
		"$C" missing "$R/dir/four"
	check_fails "ls dir/four" ls "$R/dir/four"
	# pool: three readers at once (cat, Python, the QNX client), served
	# together by the pool's threads.
	timeout 20 cat "$R/pool" > "$dir/pool.1" 2>&1 &
	p1=$!
	timeout 20 python3 -c "print(open('$R/pool').read(), end='')" \
		> "$dir/pool.2" 2>&1 &
	p2=$!
	timeout 20 "$C" cat "$R/pool" > "$dir/pool.3" 2>&1 &
	p3=$!
	for p in "$p1" "$p2" "$p3"; do
		wait "$p" || fail "$where: a pool reader failed"
	done
	check "pool cat" "together 3" cat "$dir/pool.1"
	check "pool python" "together 3" cat "$dir/pool.2"
	check "pool client" "size 0
together 3" cat "$dir/pool.3"
	# ticker: private messages, timer pulses, and its file.
	check "client msg" "sum $4
ticks counted
other type: Function not implemented" "$C" msg "$3"
	check "cat ticker" "sum $4" sh -c "sed 's/.* sum/sum/' $R/ticker"
}

where="beta (local)"
all "$B/fs" "$B" classic/ticker 11
echo "resmgr classic: on the managers' node ok"
where="alpha (/net/beta)"
wait_for -e "$dir/alpha/net/beta/dev/classic/ticker" ||
	fail "alpha does not see beta's managers"
all "$dir/alpha/net/beta" "$dir/alpha" \
	/net/beta/dev/name/local/classic/ticker 22
echo "resmgr classic: from another node through /net ok"

# The managers go: their paths vanish on both nodes.
# shellcheck disable=SC2154 # set by start_mgr's eval
stop "$pid_hello" "$pid_store" "$pid_dcmd" "$pid_dir" "$pid_pool" \
	"$pid_ticker"
for m in hello store dcmd dir pool ticker; do
	wait_for ! -e "$B/fs/dev/classic/$m" || fail "$m stays on beta"
	wait_for ! -e "$dir/alpha/net/beta/dev/classic/$m" ||
		fail "$m stays in alpha's /net/beta"
done
echo "resmgr classic: paths gone with their managers ok"
stop "$ax_alpha" "$ax_beta"
pids=""
for m in "$dir"/*/fs "$dir"/*/net; do
	! grep -q " $m " /proc/self/mountinfo || fail "$m left mounted"
done
echo "resmgr classic: ok"
