#!/bin/sh
# The cost of `axon trace`'s event sites on a local 16 B round trip
# (bench/axon_rr), same run: the library before tracing existed (BASE,
# default: the merge base with main), this library with tracing off, and
# with it on (`axon trace` recording the run).  ROUNDS (default 5) rounds
# of each, interleaved; client and server pinned split (CPUs 0 and 1) and
# same (both CPU 0).  Prints the raw lines to $BUILD/bench/trace_raw.txt
# and a table of medians of the per-round medians, with ratios to BASE.
set -eu
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-5}
BASE=${BASE:-$(git merge-base HEAD main)}
OUT="$BUILD/bench"
mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/axon-trace-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# The library as it was at BASE, built from its own tree.
git archive "$BASE" | tar -x -C "$tmp"
make -s -C "$tmp" -j2 build/libaxon.a >/dev/null
cc -std=gnu17 -O2 -Iinclude/axon -o "$tmp/axon_rr_base" bench/axon_rr.c \
	"$tmp/build/libaxon.a" -lpthread
make -s "$BUILD/bench/axon_rr" "$BUILD/axon" >/dev/null
export AXON_RUNDIR="$tmp/node"
mkdir -p "$AXON_RUNDIR"
raw="$OUT/trace_raw.txt"
: > "$raw"
for r in $(seq 1 "$ROUNDS"); do
	for p in split same; do
		"$tmp/axon_rr_base" -p $p -s 16 -t 1 |
			sed "s/^/run=$r lib=before /" >> "$raw"
		"$BUILD/bench/axon_rr" -p $p -s 16 -t 1 |
			sed "s/^/run=$r lib=off /" >> "$raw"
		"$BUILD/axon" trace -s 30 -o "$tmp/t.json" &
		tp=$!
		# (on once the switch says so)
		while ! od -An -tu4 -j8 -N4 "$AXON_RUNDIR/trace/ctl" \
		    2>/dev/null | grep -q 1; do
			sleep 0.01
		done
		"$BUILD/bench/axon_rr" -p $p -s 16 -t 1 |
			sed "s/^/run=$r lib=on /" >> "$raw"
		kill -TERM $tp
		wait $tp
	done
	echo "trace bench: round $r of $ROUNDS done" >&2
done
awk '
function median(s,   a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	k = v["pin"] " " v["lib"]
	med[k] = med[k] " " v["median_us"]
}
END {
	printf "| pin | before (us) | off (us) | on (us) | off/before | on/before |\n"
	printf "|---|---|---|---|---|---|\n"
	split("split same", pins, " ")
	for (p = 1; p <= 2; p++) {
		b = median(med[pins[p] " before"])
		o = median(med[pins[p] " off"])
		n = median(med[pins[p] " on"])
		printf "| %s | %.3f | %.3f | %.3f | %.3f | %.3f |\n", pins[p], b, o, n, o / b, n / b
	}
}' "$raw"
