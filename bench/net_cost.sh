#!/bin/bash
# What axond costs per forwarded message: CPU time and system calls, for
# one client and for many at once.
#
# Starts two nodes on loopback (alpha and beta, as net_run.sh), a net_rr
# server on beta with as many receiving threads as the most clients, and
# for each CONC in CONCS runs `net_rr mclient` on alpha: CONC clients,
# each with a connection of its own, ITERS round trips of 16 B each, all
# at once.  Each CONC runs twice: once plain, for the rate (round trips
# per second, all clients together) and each axond's CPU time per round
# trip (all its threads, /proc/PID/task/*/schedstat); once under
# `strace -c -f` on both axonds, for their system calls per round trip
# (a round trip is one message each way through each axond: request and
# reply).  Nothing is pinned.
#
# Also, unless PERF=none, the same counts from `perf stat -e
# raw_syscalls:sys_enter` on each axond during the plain run itself (a
# tracepoint count: the run is not slowed, so timing-dependent behaviour
# -- adaptive polling, the spin for a quick reply, batching -- is what it
# would be; strace slows every call and changes those).
#
# The baseline, in the same run, unless TCP=none: CONC raw TCP
# ping-pongs at once (`tcp_rr -p none -s 16 -t 1`, CONC processes each
# with its own connection, as many as the clients), their round trips
# per second added up (each one's 1 / mean).  They start within a few
# milliseconds of each other and each runs a second, so the sum is a
# little more than their true aggregate (a copy running while others
# have not started yet goes faster): the ratio errs against Axon.
#
# Env: BUILD (build), AXOND ($BUILD/axond), MODE (tls: a cluster secret;
# or insecure), CONCS ("1 64"), ITERS (per client: 4000 / CONC, at least
# 200), STRACE (strace; none: no strace count), PERF (perf; none: no
# perf count), BASELINES (../shared/baselines), TCP (tcp_rr's path;
# none: no baseline).  Prints one line per CONC:
#   net_cost mode= conc= msgs= msgs_per_s= client_axond_us_per_rt=
#     server_axond_us_per_rt= client_axond_syscalls_per_rt=
#     server_axond_syscalls_per_rt= client_axond_perf_syscalls_per_rt=
#     server_axond_perf_syscalls_per_rt= sum_rate= tcp_rt_per_s=
#     ratio_to_tcp=
# msgs_per_s is all the round trips over the time until the last client
# finished; sum_rate adds up each client's own rate (its round trips
# over its own time), measured as the baseline is, and ratio_to_tcp is
# sum_rate / tcp_rt_per_s (0 without the baseline).
set -euo pipefail
BUILD=${BUILD:-build}
AXOND=${AXOND:-$BUILD/axond}
MODE=${MODE:-tls}
CONCS=${CONCS:-1 64}
STRACE=${STRACE:-strace}
PERF=${PERF:-perf}
command -v "$PERF" > /dev/null 2>&1 || PERF=none
NET_RR=$BUILD/bench/net_rr
BASELINES=${BASELINES:-../shared/baselines}
if [ -z "${TCP:-}" ]; then
	TCP=none
	if [ -f "$BASELINES/tcp_rr.c" ] &&
		make -s -C "$BASELINES" tcp_rr > /dev/null 2>&1; then
		TCP=$BASELINES/tcp_rr
	else
		echo "net_cost: no tcp_rr in $BASELINES: no baseline" >&2
	fi
fi

tmp=$(mktemp -d /tmp/axon-netcost-XXXXXX)
pids=""
cleanup() {
	local p
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
(umask 077 && head -c 32 /dev/urandom | base64 > "$tmp/secret")

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_axond() {
	local name=$1 port=$2 peer=$3 pport=$4 fd line sec
	mkdir -p "$tmp/$name"
	mkfifo "$tmp/ready.$name"
	exec {fd}<>"$tmp/ready.$name"
	sec="--secret-file $tmp/secret"
	[ "$MODE" = insecure ] && sec="--insecure"
	AXON_RUNDIR=$tmp/$name "$AXOND" --node "$name" \
		--listen "127.0.0.1:$port" --peer "$peer=127.0.0.1:$pport" \
		$sec --ready-fd 3 --log-level error 3>"$tmp/ready.$name" {fd}>&- &
	pids="$pids $!"
	eval "AXD_$name=$!"
	line=""
	read -r -t 10 -u "$fd" line || true
	exec {fd}>&-
	if [ "$line" != "ready" ]; then
		echo "net_cost: axond $name not ready" >&2
		exit 1
	fi
}

cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# The count of a perf stat -x, output (0 if none).
pcount() {
	awk -F, '$3 ~ /sys_enter/ { print ($1 ~ /^[0-9]+$/ ? $1 : 0); f = 1 }
		END { if (!f) print 0 }' "$1" 2>/dev/null || echo 0
}

# The "total" calls of an strace -c summary.
calls() {
	awk '$NF == "total" { print $4; exit }' "$1"
}

maxc=1
for c in $CONCS; do [ "$c" -gt "$maxc" ] && maxc=$c; done
pa=$(free_port)
pb=$(free_port)
start_axond alpha "$pa" beta "$pb"
start_axond beta "$pb" alpha "$pa"
AXON_RUNDIR=$tmp/beta "$NET_RR" server 0 "$maxc" > "$tmp/server.out" &
pids="$pids $!"
for t in $(seq 1 100); do
	if read -r SRV_PID SRV_CHID 2>/dev/null < "$tmp/server.out" &&
		[ -n "${SRV_CHID:-}" ]; then
		break
	fi
	sleep 0.05
done
mc() {
	AXON_RUNDIR=$tmp/alpha timeout 120 "$NET_RR" mclient beta "$SRV_PID" \
		"$SRV_CHID" "$1" "$2"
}
mc 1 100 > /dev/null # the session is up, everything warm

# N raw TCP ping-pongs of 16 B at once: their round trips per second,
# added up.
tcp_many() {
	local k tp=""
	for k in $(seq 1 "$1"); do
		timeout 60 "$TCP" -p none -s 16 -t 1 -n 100 > "$tmp/tcp.$k" 2>&1 &
		tp="$tp $!"
	done
	for k in $tp; do
		wait "$k" 2>/dev/null || true
	done
	cat "$tmp"/tcp.* | awk '/^bench=tcp/ {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^mean_us=/) { split($i, a, "="); if (a[2] > 0) s += 1e6 / a[2]; n++ }
	} END { printf "%.0f\n", n == '"$1"' ? s : 0 }'
	rm -f "$tmp"/tcp.*
}

for c in $CONCS; do
	it=${ITERS:-$(( 4000 / c ))}
	[ "$it" -lt 200 ] && it=200
	n=$(( c * it ))
	pa=""
	pb=""
	if [ "$PERF" != none ]; then
		"$PERF" stat -e raw_syscalls:sys_enter -x, -o "$tmp/ps.alpha" \
			-p "$AXD_alpha" 2>/dev/null &
		pa=$!
		"$PERF" stat -e raw_syscalls:sys_enter -x, -o "$tmp/ps.beta" \
			-p "$AXD_beta" 2>/dev/null &
		pb=$!
		sleep 0.5 # attached
	fi
	ta=$(cpu_ns "$AXD_alpha")
	tb=$(cpu_ns "$AXD_beta")
	line=$(mc "$c" "$it")
	ta=$(( $(cpu_ns "$AXD_alpha") - ta ))
	tb=$(( $(cpu_ns "$AXD_beta") - tb ))
	pca=0
	pcb=0
	if [ -n "$pa" ]; then
		kill -INT "$pa" "$pb" 2>/dev/null || true
		wait "$pa" "$pb" 2>/dev/null || true
		pca=$(pcount "$tmp/ps.alpha")
		pcb=$(pcount "$tmp/ps.beta")
	fi
	rate=$(echo "$line" | sed -n 's/.*msgs_per_s=\([0-9.]*\).*/\1/p')
	srate=$(echo "$line" | sed -n 's/.*sum_rate=\([0-9.]*\).*/\1/p')
	ca=0
	cb=0
	if [ "$STRACE" != none ]; then
		"$STRACE" -c -f -q -o "$tmp/st.alpha" -p "$AXD_alpha" 2>/dev/null &
		sa=$!
		"$STRACE" -c -f -q -o "$tmp/st.beta" -p "$AXD_beta" 2>/dev/null &
		sb=$!
		sleep 1 # attached to every thread
		mc "$c" "$it" > /dev/null
		kill -INT "$sa" "$sb" 2>/dev/null || true
		wait "$sa" "$sb" 2>/dev/null || true
		ca=$(calls "$tmp/st.alpha")
		cb=$(calls "$tmp/st.beta")
	fi
	tr=0
	if [ "$TCP" != none ]; then
		tr=$(tcp_many "$c")
	fi
	awk -v m="$MODE" -v c="$c" -v n="$n" -v r="$rate" -v ta="$ta" \
		-v tb="$tb" -v ca="$ca" -v cb="$cb" -v pca="$pca" \
		-v pcb="$pcb" -v tr="$tr" -v sr="${srate:-0}" 'BEGIN {
		printf "net_cost mode=%s conc=%d msgs=%d msgs_per_s=%s client_axond_us_per_rt=%.2f server_axond_us_per_rt=%.2f client_axond_syscalls_per_rt=%.2f server_axond_syscalls_per_rt=%.2f client_axond_perf_syscalls_per_rt=%.2f server_axond_perf_syscalls_per_rt=%.2f sum_rate=%s tcp_rt_per_s=%.0f ratio_to_tcp=%.3f\n", m, c, n, r, ta / n / 1000, tb / n / 1000, ca / n, cb / n, pca / n, pcb / n, sr, tr, (tr > 0 ? sr / tr : 0)
	}'
	if [ -n "${KEEP_STRACE:-}" ] && [ "$STRACE" != none ]; then
		cp "$tmp/st.alpha" "$KEEP_STRACE.$MODE.$c.alpha"
		cp "$tmp/st.beta" "$KEEP_STRACE.$MODE.$c.beta"
	fi
done
