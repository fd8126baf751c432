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
# Sessions: MODES (default "tls insecure"): TLS 1.3 keyed from a cluster
# secret (the default of axond), and --insecure (plain TCP), so the cost
# of encryption is stated against both raw TCP and the plain session.
#
# Also the naive relay (../shared/baselines/relay_rr: client, two blocking
# relays and server over a Unix socket, TCP and a Unix socket) for the
# same sizes and its CPU per round trip, and each axond's CPU time per
# 16 B round trip (all its threads, from /proc/PID/task/*/schedstat).
#
# Builds nothing but tcp_rr and relay_rr (`make bench-net` builds net_rr
# and axond).
# Env: BUILD (build), AXOND ($BUILD/axond), BASELINES (../shared/baselines),
# REPEATS (5), PLACEMENTS ("split none"), MODES ("tls insecure"),
# SIZES ("16 1024 65536 1048576": the S-byte round trips; the 1 MiB / 16 B
# row is run whatever SIZES says), MAXSEC (0.75 s per size).
# Raw lines: $BUILD/bench/net_raw.txt; table: $BUILD/bench/net_summary.md.
set -euo pipefail
BUILD=${BUILD:-build}
AXOND=${AXOND:-$BUILD/axond}
BASELINES=${BASELINES:-../shared/baselines}
REPEATS=${REPEATS:-5}
PLACEMENTS=${PLACEMENTS:-split none}
MODES=${MODES:-tls insecure}
MAXSEC=${MAXSEC:-0.75}
SIZES=${SIZES:-16 1024 65536 1048576}
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
RELAY_RR=$BASELINES/relay_rr
if ! make -s -C "$BASELINES" tcp_rr relay_rr >/dev/null 2>&1; then
	# A read-only baselines directory: build our own copies.
	TCP_RR=$OUT/tcp_rr
	RELAY_RR=$OUT/relay_rr
	for b in tcp_rr relay_rr; do
		cc -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -o "$OUT/$b" \
			"$BASELINES/$b.c"
	done
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
(umask 077 && head -c 32 /dev/urandom | base64 > "$tmp/secret")

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

# start_axond NAME PORT PEER PEERPORT CPU MODE: waits (10 s at most) for
# ready.
start_axond() {
	local name=$1 port=$2 peer=$3 pport=$4 cpu=$5 mode=$6 fd line p sec
	mkdir -p "$tmp/$name"
	mkfifo "$tmp/ready.$name"
	# Read-write: opening does not block, and the read below is bounded.
	exec {fd}<>"$tmp/ready.$name"
	sec="--secret-file $tmp/secret"
	[ "$mode" = insecure ] && sec="--insecure"
	AXON_RUNDIR=$tmp/$name $(pin "$cpu") "$AXOND" --node "$name" \
		--listen "127.0.0.1:$port" --peer "$peer=127.0.0.1:$pport" \
		$sec --ready-fd 3 --log-level error 3>"$tmp/ready.$name" {fd}>&- &
	p=$!
	pids="$pids $p"
	eval "AXD_$name=$p"
	line=""
	read -r -t 10 -u "$fd" line || true
	exec {fd}>&-
	if [ "$line" != "ready" ]; then
		echo "net_run: axond $name not ready" >&2
		exit 1
	fi
}

# start_nodes CPU_ALPHA CPU_BETA MODE: sets SRV_PID and SRV_CHID.
start_nodes() {
	local pa pb t
	pa=$(free_port)
	pb=$(free_port)
	while [ "$pb" = "$pa" ]; do pb=$(free_port); done
	rm -rf "$tmp/alpha" "$tmp/beta" "$tmp"/ready.*
	start_axond alpha "$pa" beta "$pb" "$1" "$3"
	start_axond beta "$pb" alpha "$pa" "$2" "$3"
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

# cpu_ns PID: CPU time (ns) of every live thread of PID.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
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
	# Modes interleaved within each round, so that a noisy moment of
	# the machine falls on all of them alike.
	for r in $(seq 1 "$REPEATS"); do
		for mode in $MODES; do
			start_nodes "$ca" "$cb" "$mode"
			for s in $SIZES; do
				case $s in
				16|1024) n=20000 ;;
				65536) n=5000 ;;
				*) n=1000 ;;
				esac
				ta=$(cpu_ns "$AXD_alpha")
				tb=$(cpu_ns "$AXD_beta")
				line=$(axon_rr "$ca" "$s" "$n")
				ta=$(( $(cpu_ns "$AXD_alpha") - ta ))
				tb=$(( $(cpu_ns "$AXD_beta") - tb ))
				echo "run=$r place=$place mode=$mode $line" >> "$raw"
				it=$(echo "$line" | sed -n 's/.* iters=\([0-9]*\).*/\1/p')
				if [ "$s" = 16 ] && [ -n "$it" ] && [ "$it" -gt 0 ]; then
					echo "run=$r place=$place mode=$mode axond_cpu size=16 iters=$it client_node_us=$(awk -v t="$ta" -v n="$it" 'BEGIN { printf "%.2f", t / n / 1000 }') server_node_us=$(awk -v t="$tb" -v n="$it" 'BEGIN { printf "%.2f", t / n / 1000 }')" >> "$raw"
				fi
			done
			axon_rr "$ca" 1048576 1000 16 |
				sed "s/^/run=$r place=$place mode=$mode /" >> "$raw"
			stop_all
		done
		timeout 120 "$TCP_RR" -p "$place" -t "$MAXSEC" |
			sed "s/^/run=$r place=$place /" >> "$raw"
		timeout 120 "$RELAY_RR" -p "$place" -t "$MAXSEC" |
			sed "s/^/run=$r place=$place /" >> "$raw"
		echo "net_run: $place round $r of $REPEATS done" >&2
	done
done

{
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), $(date -u +%Y-%m-%d)"
echo "Rounds: $REPEATS; each cell is the median of the per-round values."
echo
awk -v modes="$MODES" '
{
	delete f
	b = ""
	for (i = 1; i <= NF; i++) {
		if ($i == "axon_remote") b = "axon"
		if ($i == "axond_cpu") b = "cpu"
		split($i, kv, "="); f[kv[1]] = kv[2]
	}
	if (b == "cpu") {
		k = f["mode"] "/" f["place"]
		nc[k]++
		ccpu[k, nc[k]] = f["client_node_us"] + 0
		scpu[k, nc[k]] = f["server_node_us"] + 0
		next
	}
	if ("cpu_us_per_rtt_relay" in f) {
		k = "relay/" f["place"]
		nc[k]++
		rcpu[k, nc[k]] = f["cpu_us_per_rtt_relay"] + 0
		next
	}
	if (b == "axon") b = "axon_" f["mode"]; else b = f["bench"]
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
function medc(arr, k,   m, i, j, t, a) {
	m = nc[k]; if (m == 0) return -1
	for (i = 1; i <= m; i++) a[i] = arr[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
function sz(s) { return s >= 1048576 ? s / 1048576 " MiB" : s >= 1024 ? s / 1024 " KiB" : s " B" }
END {
	split("16 1024 65536 1048576", sizes, " ")
	nm = split(modes, mode, " ")
	print "| size (request/reply) | placement | session | axon median us | axon p99 us | tcp median us | axon/tcp latency | relay median us | axon/relay latency | vs insecure | axon MB/s | tcp MB/s | axon/tcp throughput | relay/tcp throughput |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (pi = 1; pi <= np; pi++) {
		p = places[pi]
		for (si = 1; si <= 4; si++) {
			s = sizes[si]
			kt = "tcp/" p "/" s "/" s
			t = med(lat, kt); tm = med(mb, kt)
			ki = "axon_insecure/" p "/" s "/" s
			ai = med(lat, ki)
			kr = "relay/" p "/" s "/" s
			rl = med(lat, kr); rm = med(mb, kr)
			for (mi = 1; mi <= nm; mi++) {
				m = mode[mi]
				ka = "axon_" m "/" p "/" s "/" s
				a = med(lat, ka); am = med(mb, ka)
				if (a < 0 || t < 0) continue
				vs = (ai > 0) ? sprintf("%.2fx", a / ai) : "-"
				printf "| %s / %s | %s | %s | %.1f | %.1f | %.1f | %.2fx | %.1f | %s | %s | %.1f | %.1f | %.0f %% | %s |\n", sz(s), sz(s), p, m, a, med(p99, ka), t, a / t, rl, (rl > 0 ? sprintf("%.2fx", a / rl) : "-"), vs, am, tm, 100 * am / tm, (rm > 0 ? sprintf("%.0f %%", 100 * rm / tm) : "-")
				L[m, p, s] = a / t; T[m, p, s] = am / tm
				out = out sprintf("net_summary place=%s mode=%s size=%d rsize=%d axon_median_us=%.3f tcp_median_us=%.3f latency_ratio=%.3f relay_median_us=%.3f relay_ratio=%.3f vs_insecure=%.3f axon_mbps=%.1f tcp_mbps=%.1f throughput_pct=%.1f relay_throughput_pct=%.1f\n", p, m, s, s, a, t, a / t, rl, (rl > 0 ? a / rl : 0), (ai > 0 ? a / ai : 0), am, tm, 100 * am / tm, (rm > 0 ? 100 * rm / tm : 0))
			}
		}
		kt = "tcp/" p "/1048576/1048576"
		for (mi = 1; mi <= nm; mi++) {
			m = mode[mi]
			ka = "axon_" m "/" p "/1048576/16"
			if (n[ka] > 0 && n[kt] > 0) {
				a = med(lat, ka); am = med(mbr, ka); tm = med(mbr, kt)
				printf "| 1 MiB / 16 B | %s | %s | %.1f | %.1f | - | - | - | %.0f | %.0f | %.0f %% |\n", p, m, a, med(p99, ka), am, tm, 100 * am / tm
				out = out sprintf("net_summary place=%s mode=%s size=1048576 rsize=16 axon_median_us=%.3f axon_mbps_req=%.1f tcp_mbps_one_way=%.1f throughput_pct=%.1f\n", p, m, a, am, tm, 100 * am / tm)
			}
		}
	}
	print ""
	print "CPU time per 16 B round trip (us; axond: all its threads; relay: one relay, from relay_rr):"
	print ""
	print "| placement | session | client node axond | server node axond | one relay | server axond / relay |"
	print "|---|---|---|---|---|---|"
	for (pi = 1; pi <= np; pi++) {
		p = places[pi]
		rc = medc(rcpu, "relay/" p)
		for (mi = 1; mi <= nm; mi++) {
			m = mode[mi]
			k = m "/" p
			if (nc[k] == 0) continue
			a = medc(ccpu, k); b2 = medc(scpu, k)
			printf "| %s | %s | %.1f | %.1f | %.1f | %s |\n", p, m, a, b2, rc, (rc > 0 ? sprintf("%.2fx", b2 / rc) : "-")
			out = out sprintf("net_cpu place=%s mode=%s client_axond_us=%.2f server_axond_us=%.2f relay_us=%.2f\n", p, m, a, b2, rc)
		}
	}
	print ""
	print "(1 MiB / 16 B: MB/s of the request direction; for tcp, half of its 1 MiB / 1 MiB figure. vs insecure: latency against the --insecure session of the same size and placement.)"
	print ""
	print "Targets (issue 3), placement split:"
	for (mi = 1; mi <= nm; mi++) {
		m = mode[mi]
		if ((m, "split", 16) in L) {
			printf "- %s: 16 B remote round trip <= 1.5x raw TCP: %.2fx %s\n", m, L[m, "split", 16], (L[m, "split", 16] <= 1.5 ? "PASS" : "FAIL")
			printf "- %s: 1 MiB throughput >= 70 %% of raw TCP: %.0f %% %s\n", m, 100 * T[m, "split", 1048576], (T[m, "split", 1048576] >= 0.7 ? "PASS" : "FAIL")
		}
	}
	print ""
	printf "%s", out
}' "$raw"
} | tee "$OUT/net_summary.md"
