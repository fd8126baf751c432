#!/bin/sh
# Runs the Axon demo (`make demo`; CI runs it as a test).
#
# Part 1: one server, three clients, on a private node (its own
# AXON_RUNDIR).  No daemon is needed for local messaging.
# Part 2: two nodes on this machine, alpha and beta: an AXON_RUNDIR and
# an axond each, on loopback ports, sharing a secret.  A client on alpha
# calls a server on beta, which prints who called it and from which node.
#
# Every wait is bounded; whatever it started is stopped and the temporary
# directory removed on exit.  Exits non-zero if anything did not work.
# Env: BUILD (build), AXOND ($BUILD/axond).
set -eu
BUILD=${BUILD:-build}
AXOND=${AXOND:-$BUILD/axond}
dir=$(mktemp -d /tmp/axon-demo-XXXXXX)
pids="" # what is still running, stopped by cleanup

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	read -r _ _ st _ < "/proc/$1/stat" 2>/dev/null || return 1
	[ "$st" != Z ]
}

# stop PID...: SIGTERM, then SIGKILL after 3 s.
stop() {
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "$@"; do
		n=0
		while alive "$p" && [ "$n" -lt 30 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

cleanup() {
	# shellcheck disable=SC2086 # a list of pids
	stop $pids
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- Part 1: one node -----------------------------------------------------
echo "demo: part 1: a server and three clients on one node"
export AXON_RUNDIR="$dir/node"
mkfifo "$dir/out"
timeout 30 "$BUILD/examples/demo_server" > "$dir/out" &
srv_pid=$!
pids="$srv_pid"
# Wait for the server's "ready" line instead of sleeping (bounded: the
# server is stopped after 30 s, which ends the read).
exec 3< "$dir/out"
while IFS= read -r line <&3; do
	echo "$line"
	[ "$line" = "server: ready" ] && break
done
cat <&3 &
cat_pid=$!
pids="$srv_pid $cat_pid"

clients=""
for who in alice bob carol; do
	timeout 30 "$BUILD/examples/demo_client" "$who" &
	clients="$clients $!"
	pids="$pids $!"
done
status=0
for p in $clients; do
	wait "$p" || status=1
done
timeout 10 "$BUILD/examples/demo_client" quit || status=1
wait "$srv_pid" || status=1
pids=""
wait "$cat_pid" 2>/dev/null || true
exec 3<&-
unset AXON_RUNDIR
if [ "$status" -ne 0 ]; then
	echo "demo: part 1 failed" >&2
	exit 1
fi

# ---- Part 2: two nodes ----------------------------------------------------
echo "demo: part 2: two nodes on this machine, alpha and beta"
if [ ! -x "$AXOND" ]; then
	echo "demo: building $AXOND"
	make --no-print-directory "$AXOND"
fi

# The cluster secret: the same file for both nodes, mode 0600.
(umask 077 && head -c 32 /dev/urandom | base64 > "$dir/secret")

rand_port() {
	echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

# start_axond NAME PORT PEER PEER_PORT: starts axond for node NAME, with
# AXON_RUNDIR $dir/NAME; sets ax_pid to its pid.
start_axond() {
	rm -rf "${dir:?}/$1" "$dir/$1.ready"
	mkdir "$dir/$1"
	AXON_RUNDIR="$dir/$1" "$AXOND" --node "$1" \
		--listen "127.0.0.1:$2" --peer "$3=127.0.0.1:$4" \
		--secret-file "$dir/secret" --ready-file "$dir/$1.ready" \
		--log-level warn 2> "$dir/$1.log" &
	ax_pid=$!
	pids="$pids $ax_pid"
}

# wait_ready NAME PID: until axond creates its ready file (10 s at most);
# fails at once if it exits (a port already in use, say).
wait_ready() {
	n=0
	while [ ! -e "$dir/$1.ready" ]; do
		if ! alive "$2" || [ "$n" -ge 100 ]; then
			return 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
}

# Two random ports; if an axond cannot start (a port is taken), try again.
try=1
while :; do
	pa=$(rand_port)
	pb=$(rand_port)
	[ "$pa" != "$pb" ] || continue
	start_axond alpha "$pa" beta "$pb"
	ax_alpha=$ax_pid
	start_axond beta "$pb" alpha "$pa"
	ax_beta=$ax_pid
	if wait_ready alpha "$ax_alpha" && wait_ready beta "$ax_beta"; then
		break
	fi
	stop "$ax_alpha" "$ax_beta"
	pids=""
	if [ "$try" -ge 5 ]; then
		echo "demo: axond did not start; its messages:" >&2
		cat "$dir/alpha.log" "$dir/beta.log" >&2
		exit 1
	fi
	echo "demo: axond did not start on ports $pa and $pb; new ports"
	try=$((try + 1))
done
echo "demo: axond for alpha on 127.0.0.1:$pa, for beta on 127.0.0.1:$pb"

# The server on beta writes its pid and chid to a file; the client on
# alpha needs them for ConnectAttach().
AXON_RUNDIR="$dir/beta" timeout 30 "$BUILD/examples/demo_server" \
	--net "$dir/server.addr" &
srv_pid=$!
pids="$pids $srv_pid"
n=0
while [ ! -e "$dir/server.addr" ]; do
	if ! alive "$srv_pid" || [ "$n" -ge 100 ]; then
		echo "demo: the server on beta did not start" >&2
		exit 1
	fi
	sleep 0.1
	n=$((n + 1))
done
read -r spid schid < "$dir/server.addr"

status=0
AXON_RUNDIR="$dir/alpha" timeout 30 "$BUILD/examples/demo_client" \
	--node beta "$spid" "$schid" dave || status=1
wait "$srv_pid" || status=1
pids="$ax_alpha $ax_beta"
if [ "$status" -ne 0 ]; then
	echo "demo: part 2 failed; axond's messages:" >&2
	cat "$dir/alpha.log" "$dir/beta.log" >&2
	exit 1
fi
echo "demo: stopping both axonds"
stop "$ax_alpha" "$ax_beta"
pids=""
echo "demo: finished"
