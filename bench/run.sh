#!/bin/sh
# Axon against the IPC baselines, in the same run.
#
# Builds ../shared/baselines (or $BASELINES), then runs REPEATS rounds
# (default 3) of: axon_rr, futex_rr (sleeping, and spinning up to 50 us)
# and uds_rr SOCK_SEQPACKET, each with the client and server on different
# CPUs (split) and on one CPU (same), for 16 B, 1 KiB, 64 KiB and 1 MiB.
# Prints a table of medians of the per-run medians, the ratios, and the
# issue's targets; raw lines go to $BUILD/bench/raw.txt, the table to
# $BUILD/bench/summary.md.
set -eu
BUILD=${BUILD:-build}
REPEATS=${REPEATS:-3}
BASELINES=${BASELINES:-../shared/baselines}
OUT="$BUILD/bench"
if [ ! -f "$BASELINES/futex_rr.c" ]; then
	echo "bench: baselines not found in $BASELINES (set BASELINES=DIR)" >&2
	exit 1
fi
make -s -C "$BASELINES" futex_rr uds_rr >/dev/null
mkdir -p "$OUT"
run=$(mktemp -d /tmp/axon-bench-XXXXXX)
trap 'rm -rf "$run"' EXIT
export AXON_RUNDIR="$run/node"
raw="$OUT/raw.txt"
: > "$raw"
for r in $(seq 1 "$REPEATS"); do
	for p in split same; do
		"$BUILD/bench/axon_rr" -p $p | sed "s/^/run=$r /" >> "$raw"
		"$BASELINES/futex_rr" -p $p | sed "s/^/run=$r /" >> "$raw"
		"$BASELINES/uds_rr" -p $p -T seqpacket | sed "s/^/run=$r /" >> "$raw"
	done
	"$BASELINES/futex_rr" -p split -S 50000 | sed "s/^/run=$r /" >> "$raw"
	echo "bench: round $r of $REPEATS done" >&2
done

{
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), $(date -u +%Y-%m-%d)"
echo "Rounds: $REPEATS; each cell is the median of the per-round medians (us)."
echo
awk '
function key(b, v, p, s) { return b "/" v "/" p "/" s }
{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	k = key(f["bench"], f["variant"], f["pin"], f["size"])
	n[k]++; val[k, n[k]] = f["median_us"] + 0
}
function med(k,   m, i, j, t, a) {
	m = n[k]; if (m == 0) return -1
	for (i = 1; i <= m; i++) a[i] = val[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
function sz(s) { return s >= 1048576 ? s / 1048576 " MiB" : s >= 1024 ? s / 1024 " KiB" : s " B" }
END {
	split("16 1024 65536 1048576", sizes, " ")
	print "| size | placement | axon | futex sleep | futex spin | uds seqpacket | uds/axon | axon/futex sleep | axon/futex spin |"
	print "|---|---|---|---|---|---|---|---|---|"
	for (pi = 1; pi <= 2; pi++) {
		p = pi == 1 ? "split" : "same"
		for (si = 1; si <= 4; si++) {
			s = sizes[si]
			a = med(key("axon", "msgsend", p, s))
			fn = med(key("futex", "nospin", p, s))
			fs = (p == "split") ? med(key("futex", "spin50us", p, s)) : -1
			u = med(key("uds", "seqpacket", p, s))
			printf "| %s | %s | %.3f | %.3f | %s | %.3f | %.1fx | %.2f | %s |\n", sz(s), p, a, fn, (fs < 0 ? "-" : sprintf("%.3f", fs)), u, u / a, a / fn, (fs < 0 ? "-" : sprintf("%.2f", a / fs))
			AX[p, s] = a; FNS[p, s] = fn; SPN[p, s] = fs; UD[p, s] = u
		}
	}
	print ""
	print "Targets (issue 2):"
	t1 = UD["split", 16] / AX["split", 16]
	printf "- 16 B across CPUs >= 20x faster than UDS seqpacket: %.1fx %s\n", t1, (t1 >= 20 ? "PASS" : "FAIL")
	t2 = AX["same", 16] / FNS["same", 16]
	printf "- 16 B on one CPU within 1.5x of the sleeping futex: %.2fx %s\n", t2, (t2 <= 1.5 ? "PASS" : "FAIL")
	best = FNS["split", 1048576]; if (SPN["split", 1048576] > 0 && SPN["split", 1048576] < best) best = SPN["split", 1048576]
	t3 = AX["split", 1048576] / best
	printf "- 1 MiB across CPUs within 1.5x of the futex shared-memory baseline (best of sleep/spin): %.2fx %s\n", t3, (t3 <= 1.5 ? "PASS" : "FAIL")
	t4 = AX["same", 1048576] / FNS["same", 1048576]
	printf "- 1 MiB on one CPU within 1.5x of the futex shared-memory baseline: %.2fx %s\n", t4, (t4 <= 1.5 ? "PASS" : "FAIL")
}' "$raw"
} | tee "$OUT/summary.md"
