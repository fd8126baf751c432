#!/bin/bash
# Axon between two nodes against raw TCP ping-pong, in the same run.
#
# Starts two nodes on loopback (alpha and beta: one AXON_RUNDIR and one
# axond each, on two free ports), a net_rr server on beta, and times
# net_rr client on alpha: MsgSend of S bytes with an S-byte reply, for
# 16 B, 1 KiB, 64 KiB and 1 MiB (plus 1 MiB with a 16 B reply), against
# ../shared/baselines/tcp_rr for the same sizes (S bytes each way, like
# net_rr). Placements: split = node alpha (client, its axond) on CPU 0,
# node beta (server, its axond) on CPU 1, tcp_rr -p split (client CPU 0,
# server CPU 1); none = nobody pinned, tcp_rr -p none. REPEATS rounds
# (default 5); each cell is the median of the per-round medians.
#
# Builds nothing but tcp_rr (`make bench-net` builds net_rr and axond).
# Env: BUILD (build), AXOND ($BUILD/axond), BASELINES (../shared/baselines),
# REPEATS (5), PLACEMENTS ("split none"), MAXSEC (0.75 s per size).
# Raw lines: $BUILD/bench/net_raw.txt; table: $BUILD/bench/net_summary.md.
set -euo pipefail
BUILD=${BUILD:-build}
AXOND=${AXOND:-$BUILD/axond}
BASELINES=${BASELINES:-../shared/baselines}
REPEATS=${REPEATS:-5}
PLACEMENTS=${PLACEMENTS:-split none}
MAXSEC=${MAXSEC:-0.75}
NET_RR=$BUILD/bench/net_rr
OUT=$BUILD/bench

for f in "$AXOND" "$NET_RR"; do
	if [ ! -x "$f" ]; then
		echo "net_run: $f missing (run make bench-net)" >&2
		exit 1
	fi
done
if [ ! -f "$BASELINES/tcp_rr.c" ]; then
	echo "net_run: baselines not found in $BASELINES (set BASELINES=DIR)" >&2
	exit 1
fi
mkdir -p "$OUT"
TCP_RR=$BASELINES/tcp_rr
if ! make -s -C "$BASELINES" tcp_rr >/dev/null 2>&1; then
	# A read-only baselines directory: build our own copy.
	TCP_RR=$OUT/tcp_rr
	cc -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -o "$TCP_RR" \
		"$BASELINES/tcp_rr.c"
fi

tmp=$(mktemp -d /tmp/axon-netbench-XXXXXX)
pids=""

# Stops what we started (TERM, then KILL after 3 s), by pid.
stop_all() {
	local p t
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $pids; do
		for t in $(seq 1 30); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	pids=""
}
cleanup() {
	stop_all
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	while :; do
		local p=$(( (RANDOM % 20000) + 30000 ))
		if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			break
		fi
	done
}

# pin CPU|-: the command prefix that puts a process on a CPU.
pin() {
	if [ "$1" = "-" ]; then
		echo env
	else
		echo "taskset -c $1"
	fi
}

# start_axond NAME PORT PEER PEERPORT CPU: waits (10 s at most) for ready.
start_axond() {
	local name=$1 port=$2 peer=$3 pport=$4 cpu=$5 fd line p
	mkdir -p "$tmp/$name"
	mkfifo "$tmp/ready.$name"
	# Read-write: opening does not block, and the read below is bounded.
	exec {fd}<>"$tmp/ready.$name"
	AXON_RUNDIR=$tmp/$name $(pin "$cpu") "$AXOND" --node "$name" \
		--listen "127.0.0.1:$port" --peer "$peer=127.0.0.1:$pport" \
		--ready-fd 3 --log-level error 3>"$tmp/ready.$name" {fd}>&- &
	p=$!
	pids="$pids $p"
	line=""
	read -r -t 10 -u "$fd" line || true
	exec {fd}>&-
	if [ "$line" != "ready" ]; then
		echo "net_run: axond $name not ready" >&2
		exit 1
	fi
}

# start_nodes CPU_ALPHA CPU_BETA: sets SRV_PID and SRV_CHID.
start_nodes() {
	local pa pb t
	pa=$(free_port)
	pb=$(free_port)
	while [ "$pb" = "$pa" ]; do pb=$(free_port); done
	rm -rf "$tmp/alpha" "$tmp/beta" "$tmp"/ready.*
	start_axond alpha "$pa" beta "$pb" "$1"
	start_axond beta "$pb" alpha "$pa" "$2"
	: > "$tmp/server.out"
	AXON_RUNDIR=$tmp/beta $(pin "$2") "$NET_RR" server > "$tmp/server.out" &
	pids="$pids $!"
	for t in $(seq 1 100); do
		if read -r SRV_PID SRV_CHID < "$tmp/server.out" 2>/dev/null &&
			[ -n "${SRV_CHID:-}" ]; then
			return 0
		fi
		sleep 0.05
	done
	echo "net_run: the server on beta did not start" >&2
	exit 1
}

# axon_rr CPU SIZE ITERS [RSIZE]: one client run (60 s at most).
axon_rr() {
	AXON_RUNDIR=$tmp/alpha timeout 60 $(pin "$1") "$NET_RR" client beta \
		"$SRV_PID" "$SRV_CHID" "$2" "$3" "${4:-$2}" "$MAXSEC"
}

raw=$OUT/net_raw.txt
: > "$raw"
for place in $PLACEMENTS; do
	case $place in
	split) ca=0; cb=1 ;;
	none) ca=-; cb=- ;;
	*) echo "net_run: unknown placement $place" >&2; exit 1 ;;
	esac
	start_nodes "$ca" "$cb"
	for r in $(seq 1 "$REPEATS"); do
		for s in 16 1024 65536 1048576; do
			case $s in
			16|1024) n=20000 ;;
			65536) n=5000 ;;
			*) n=1000 ;;
			esac
			axon_rr "$ca" "$s" "$n" | sed "s/^/run=$r place=$place /" >> "$raw"
		done
		axon_rr "$ca" 1048576 1000 16 | sed "s/^/run=$r place=$place /" >> "$raw"
		timeout 120 "$TCP_RR" -p "$place" -t "$MAXSEC" |
			sed "s/^/run=$r place=$place /" >> "$raw"
		echo "net_run: $place round $r of $REPEATS done" >&2
	done
	stop_all
done

{
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), $(date -u +%Y-%m-%d)"
echo "Rounds: $REPEATS; each cell is the median of the per-round values."
echo
awk '
{
	delete f
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	if ($3 == "axon_remote") b = "axon"; else b = f["bench"]
	if (b == "") next
	rs = ("rsize" in f) ? f["rsize"] : f["size"]
	k = b "/" f["place"] "/" f["size"] "/" rs
	n[k]++
	lat[k, n[k]] = f["median_us"] + 0
	p99[k, n[k]] = f["p99_us"] + 0
	mb[k, n[k]] = f["mbps"] + 0
	mbr[k, n[k]] = (("mbps_req" in f) ? f["mbps_req"] : f["mbps"] / 2) + 0
	if (!(f["place"] in seen)) { seen[f["place"]] = 1; places[++np] = f["place"] }
}
function med(arr, k,   m, i, j, t, a) {
	m = n[k]; if (m == 0) return -1
	for (i = 1; i <= m; i++) a[i] = arr[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
function sz(s) { return s >= 1048576 ? s / 1048576 " MiB" : s >= 1024 ? s / 1024 " KiB" : s " B" }
END {
	split("16 1024 65536 1048576", sizes, " ")
	print "| size (request/reply) | placement | axon median us | axon p99 us | tcp median us | tcp p99 us | axon/tcp latency | axon MB/s | tcp MB/s | axon/tcp throughput |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	for (pi = 1; pi <= np; pi++) {
		p = places[pi]
		for (si = 1; si <= 4; si++) {
			s = sizes[si]
			ka = "axon/" p "/" s "/" s; kt = "tcp/" p "/" s "/" s
			a = med(lat, ka); t = med(lat, kt)
			am = med(mb, ka); tm = med(mb, kt)
			if (a < 0 || t < 0) continue
			printf "| %s / %s | %s | %.1f | %.1f | %.1f | %.1f | %.2fx | %.1f | %.1f | %.0f %% |\n", sz(s), sz(s), p, a, med(p99, ka), t, med(p99, kt), a / t, am, tm, 100 * am / tm
			L[p, s] = a / t; T[p, s] = am / tm
			out = out sprintf("net_summary place=%s size=%d rsize=%d axon_median_us=%.3f tcp_median_us=%.3f latency_ratio=%.3f axon_mbps=%.1f tcp_mbps=%.1f throughput_pct=%.1f\n", p, s, s, a, t, a / t, am, tm, 100 * am / tm)
		}
		ka = "axon/" p "/1048576/16"; kt = "tcp/" p "/1048576/1048576"
		if (n[ka] > 0 && n[kt] > 0) {
			a = med(lat, ka); am = med(mbr, ka); tm = med(mbr, kt)
			printf "| 1 MiB / 16 B | %s | %.1f | %.1f | - | - | - | %.0f | %.0f | %.0f %% |\n", p, a, med(p99, ka), am, tm, 100 * am / tm
			out = out sprintf("net_summary place=%s size=1048576 rsize=16 axon_median_us=%.3f axon_mbps_req=%.1f tcp_mbps_one_way=%.1f throughput_pct=%.1f\n", p, a, am, tm, 100 * am / tm)
		}
	}
	print ""
	print "(1 MiB / 16 B: MB/s of the request direction; for tcp, half of its 1 MiB / 1 MiB figure.)"
	print ""
	print "Targets (issue 3), placement split:"
	if (("split", 16) in L) {
		printf "- 16 B remote round trip <= 1.5x raw TCP: %.2fx %s\n", L["split", 16], (L["split", 16] <= 1.5 ? "PASS" : "FAIL")
		printf "- 1 MiB throughput >= 70 %% of raw TCP: %.0f %% %s\n", 100 * T["split", 1048576], (T["split", 1048576] >= 0.7 ? "PASS" : "FAIL")
	}
	print ""
	printf "%s", out
}' "$raw"
} | tee "$OUT/net_summary.md"
