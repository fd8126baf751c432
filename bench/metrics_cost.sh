#!/bin/bash
# What axond's metrics server (--metrics) costs the messages it relays.
#
# Starts two nodes on loopback (alpha and beta, TLS sessions keyed from a
# fresh secret, as net_run.sh), alpha with --metrics, a net_rr server on
# beta, and times `net_rr client` on alpha (16 B round trips, ITERS of
# them, at most MAXSEC s) under three conditions, interleaved in each of
# REPEATS rounds so that a noisy moment of the machine falls on all of
# them alike:
#
#   quiet    nobody talks to the metrics port;
#   burn     nobody either, but a process spins on a CPU: the control,
#            what any busy process costs on this machine (the scrapers
#            below use a CPU too);
#   scrape   a client scrapes GET /metrics back to back, as fast as it
#            can (far beyond any Prometheus: one every 15 s is usual);
#   hostile  16 connections that send half a request and then nothing
#            (every slot of the server taken, each until its 5 s
#            deadline, then opened again), and a flood of connects that
#            are accepted and closed at once.
#
# Nothing is pinned.  Prints one line per round and condition, then one
# summary line per condition with the median over rounds and its ratio
# to quiet of the same run:
#   metrics_cost run= cond= median_us= p99_us= iters= scrapes= axond_us=
# (scrapes: the requests of the scrape condition's client, from its
# start to its end, 503s included)
# (axond_us: alpha's axond CPU time during the run, all threads), and
# what one scrape costs axond, measured alone (SCRAPES of them, 2000):
#   metrics_cost_scrape paced= http_200= axond_us_per_scrape=
#   metrics_cost_flood requests= http_200= http_503= axond_us_per_request=
#     wall_us_per_request=
#   metrics_cost_summary cond= median_us= p99_us= median_ratio= p99_ratio=
# Env: BUILD (build), AXOND ($BUILD/axond), REPEATS (5), ITERS (20000),
# MAXSEC (2), SCRAPES (2000), AXOND_LOG (a file for the axonds' warnings;
# default none).  `make bench-metrics` builds what it needs.
set -euo pipefail
BUILD=${BUILD:-build}
AXOND=${AXOND:-$BUILD/axond}
REPEATS=${REPEATS:-5}
ITERS=${ITERS:-20000}
MAXSEC=${MAXSEC:-2}
NET_RR=$BUILD/bench/net_rr
PY=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

for f in "$AXOND" "$NET_RR"; do
	if [ ! -x "$f" ]; then
		echo "metrics_cost: $f missing (run make bench-metrics)" >&2
		exit 1
	fi
done
tmp=$(mktemp -d /tmp/axon-mxbench-XXXXXX)
pids=""
load=""
cleanup() {
	local p
	for p in $load $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $load $pids; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
(umask 077 && head -c 32 /dev/urandom | base64 > "$tmp/secret")

free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_axond() {
	local name=$1 port=$2 peer=$3 pport=$4 fd line
	shift 4
	mkdir -p "$tmp/$name"
	mkfifo "$tmp/ready.$name"
	exec {fd}<>"$tmp/ready.$name"
	AXON_RUNDIR=$tmp/$name "$AXOND" --node "$name" \
		--listen "127.0.0.1:$port" --peer "$peer=127.0.0.1:$pport" \
		--secret-file "$tmp/secret" --ready-fd 3 --log-level warn \
		"$@" 3>"$tmp/ready.$name" {fd}>&- 2>>"${AXOND_LOG:-/dev/null}" &
	pids="$pids $!"
	line=""
	read -r -t 10 -u "$fd" line || true
	exec {fd}>&-
	if [ "$line" != "ready" ]; then
		echo "metrics_cost: axond $name not ready" >&2
		exit 1
	fi
}

cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}

pa=$(free_port)
pb=$(free_port)
pm=$(free_port)
start_axond alpha "$pa" beta "$pb" --metrics "$pm"
AXD_alpha=${pids##* }
start_axond beta "$pb" alpha "$pa"
AXON_RUNDIR=$tmp/beta "$NET_RR" server > "$tmp/server.out" &
pids="$pids $!"
for t in $(seq 1 100); do
	if read -r SRV_PID SRV_CHID < "$tmp/server.out" 2>/dev/null &&
		[ -n "${SRV_CHID:-}" ]; then
		break
	fi
	sleep 0.05
done
rr() {
	AXON_RUNDIR=$tmp/alpha timeout 60 "$NET_RR" client beta "$SRV_PID" \
		"$SRV_CHID" 16 "$ITERS" 16 "$MAXSEC"
}
rr > /dev/null # the session is up, everything warm

# The load of a condition, in the background; it counts its scrapes in
# $tmp/scrapes.
start_load() {
	: > "$tmp/scrapes"
	case $1 in
	quiet) ;;
	burn)
		"$PY" - "$tmp/scrapes" <<'EOF' &
import sys
open(sys.argv[1], "w").write("0\n")
while True:
    pass
EOF
		load=$!
		;;
	scrape)
		"$PY" - "$pm" "$tmp/scrapes" <<'EOF' &
import signal, socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
n = 0
def done(*_):
    open(out, "w").write("%d\n" % n)
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
while True:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    while s.recv(65536):
        pass
    s.close()
    n += 1
    if n == 1 or n % 20 == 0:
        open(out, "w").write("%d\n" % n)
EOF
		load=$!
		;;
	hostile)
		"$PY" - "$pm" "$tmp/scrapes" <<'EOF' &
import socket, sys, time
port = int(sys.argv[1])
slow = []
first = True
while True:
    slow = [s for s in slow if s.fileno() >= 0]
    # Slots: half a request each, then silence (until axond closes it).
    alive = []
    for s in slow:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                s.close()
                continue
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        alive.append(s)
    slow = alive
    while len(slow) < 16:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /metr")
        slow.append(s)
    # The flood: connects beyond the slots, accepted and closed at once.
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
        except OSError:
            pass
    if first:
        open(sys.argv[2], "w").write("0\n")
        first = False
    time.sleep(0.01)
EOF
		load=$!
		;;
	esac
	# Until the load runs (a Python starts slowly on a loaded machine).
	if [ "$1" != quiet ]; then
		for t in $(seq 1 200); do
			[ -s "$tmp/scrapes" ] && break
			sleep 0.05
		done
	fi
}

stop_load() {
	if [ -n "$load" ]; then
		kill -TERM "$load" 2>/dev/null || true
		wait "$load" 2>/dev/null || true
		load=""
	fi
}

raw=$tmp/raw
: > "$raw"
for r in $(seq 1 "$REPEATS"); do
	for cond in quiet burn scrape hostile; do
		start_load "$cond"
		c0=$(cpu_ns "$AXD_alpha")
		line=$(rr)
		c1=$(cpu_ns "$AXD_alpha")
		stop_load
		sc=0
		[ "$cond" = scrape ] && sc=$(cat "$tmp/scrapes" 2>/dev/null || echo 0)
		it=$(echo "$line" | sed -n 's/.* iters=\([0-9]*\).*/\1/p')
		med=$(echo "$line" | sed -n 's/.* median_us=\([0-9.]*\).*/\1/p')
		p99=$(echo "$line" | sed -n 's/.* p99_us=\([0-9.]*\).*/\1/p')
		echo "metrics_cost run=$r cond=$cond median_us=$med p99_us=$p99 iters=${it:-0} scrapes=$sc axond_us=$(( (c1 - c0) / 1000 ))" |
			tee -a "$raw"
	done
done
awk '
	$1 == "metrics_cost" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		c = f["cond"]; n[c]++
		med[c, n[c]] = f["median_us"]; p99[c, n[c]] = f["p99_us"]
		cpu[c] += f["axond_us"]; it[c] += f["iters"]; sc[c] += f["scrapes"]
	}
	function median(a, c, k,   i, j, t, v) {
		for (i = 1; i <= k; i++) v[i] = a[c, i]
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
	}
	END {
		qm = median(med, "quiet", n["quiet"]); qp = median(p99, "quiet", n["quiet"])
		split("quiet burn scrape hostile", cs, " ")
		for (i = 1; i <= 4; i++) {
			c = cs[i]; m = median(med, c, n[c]); p = median(p99, c, n[c])
			printf "metrics_cost_summary cond=%s median_us=%.2f p99_us=%.2f median_ratio=%.3f p99_ratio=%.3f\n", c, m, p, m / qm, p / qp
		}
	}' "$raw"

# What a scrape costs axond, measured alone (no messages): axond alpha's
# CPU time over PACED scrapes 60 ms apart (all answered: 200), less its
# idle CPU over the same time (its tick), per scrape; then over SCRAPES
# requests back to back, nearly all beyond the rate limit (503), per
# request.
SCRAPES=${SCRAPES:-2000}
PACED=${PACED:-40}
scrapes() {
	"$PY" - "$pm" "$1" "$2" <<'EOF'
import socket, sys, time
port, n, gap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
codes = {}
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.close()
    code = got[9:12].decode()
    codes[code] = codes.get(code, 0) + 1
    time.sleep(gap)
print(" ".join("http_%s=%d" % kv for kv in sorted(codes.items())))
EOF
}
t0=$(date +%s%N)
c0=$(cpu_ns "$AXD_alpha")
sleep "$(awk -v n="$PACED" 'BEGIN { print n * 0.06 }')"
c1=$(cpu_ns "$AXD_alpha")
idle=$(( c1 - c0 ))
c0=$(cpu_ns "$AXD_alpha")
codes=$(scrapes "$PACED" 0.06)
c1=$(cpu_ns "$AXD_alpha")
awk -v c="$(( c1 - c0 - idle ))" -v n="$PACED" -v k="$codes" 'BEGIN {
	printf "metrics_cost_scrape paced=%d %s axond_us_per_scrape=%.1f\n", n, k, c / n / 1000 }'
c0=$(cpu_ns "$AXD_alpha")
t0=$(date +%s%N)
codes=$(scrapes "$SCRAPES" 0)
c1=$(cpu_ns "$AXD_alpha")
t1=$(date +%s%N)
awk -v c="$(( c1 - c0 ))" -v n="$SCRAPES" -v t="$(( t1 - t0 ))" -v k="$codes" 'BEGIN {
	printf "metrics_cost_flood requests=%d %s axond_us_per_request=%.1f wall_us_per_request=%.1f\n", n, k, c / n / 1000, t / n / 1000 }'
