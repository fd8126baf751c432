#!/bin/sh
# A recorded fuzzing campaign: each decoder's fuzzer for FUZZ_RUNS
# executions (default 10^8), NICE'd, from its kept corpus in tests/fuzz/;
# new inputs that add coverage are merged back into the kept corpus
# (minimised), and one line per fuzzer goes to $BUILD/fuzz/campaign.txt:
#   fuzz=NAME runs=N seconds=S exec_per_s=R crashes=0|1 corpus=FILES cov=C
# Usage: scripts/fuzz-campaign.sh [NAME...]   (default: every fuzzer)
# Env: BUILD (build), FUZZ_RUNS (100000000), FUZZ_JOBS (1), NICE (10),
# FUZZ_MAX_SECONDS (unset: no bound) stops each fuzzer after that many
# seconds even if it has not made FUZZ_RUNS executions (the line then
# says how many it made).
set -eu
BUILD=${BUILD:-build}
RUNS=${FUZZ_RUNS:-100000000}
JOBS=${FUZZ_JOBS:-1}
NICE=${NICE:-10}
MAXT=${FUZZ_MAX_SECONDS:-}
names=${*:-ctl wire ps names config iomsg page disc dirents fsproto ppsline}
out=$BUILD/fuzz/campaign.txt
status=0
for n in $names; do
	bin=$BUILD/fuzz/fuzz_$n
	case $n in
	ctl) kept=tests/fuzz/corpus ;;
	*) kept=tests/fuzz/corpus-$n ;;
	esac
	case $n in
	names) opts="-max_len=1024" ;;
	*) opts="" ;;
	esac
	if [ -n "$MAXT" ]; then
		opts="$opts -max_total_time=$MAXT"
	fi
	if [ ! -x "$bin" ]; then
		echo "fuzz-campaign: $bin missing (make fuzz builds it)" >&2
		exit 1
	fi
	work=$BUILD/fuzz/campaign-$n
	rm -rf "$work" "$work.log"
	mkdir -p "$work" "$kept"
	t0=$(date +%s)
	crash=0
	# -runs counts executions in each job; split them among the jobs.
	per=$((RUNS / JOBS))
	if [ "$JOBS" -gt 1 ]; then
		nice -n "$NICE" "$bin" $opts -runs="$per" -jobs="$JOBS" \
			-workers="$JOBS" -artifact_prefix="$work/" \
			"$work" "$kept" > "$work.log" 2>&1 || crash=1
		cat fuzz-*.log >> "$work.log" 2>/dev/null || true
		rm -f fuzz-*.log
	else
		nice -n "$NICE" "$bin" $opts -runs="$per" \
			-artifact_prefix="$work/" "$work" "$kept" \
			> "$work.log" 2>&1 || crash=1
	fi
	t1=$(date +%s)
	execs=$(grep -h 'DONE' "$work.log" | sed 's/^#\([0-9]*\).*/\1/' |
		awk '{ s += $1 } END { print s + 0 }')
	cov=$(grep -h 'DONE' "$work.log" | sed 's/.*cov: \([0-9]*\).*/\1/' |
		sort -n | tail -1)
	# Keep what adds coverage, minimised.
	"$bin" $opts -merge=1 "$kept" "$work" > /dev/null 2>&1 || true
	files=$(ls "$kept" | wc -l)
	secs=$((t1 - t0))
	[ "$secs" -gt 0 ] || secs=1
	line="fuzz=$n runs=$execs seconds=$secs exec_per_s=$((execs / secs)) crashes=$crash corpus=$files cov=${cov:-0}"
	echo "$line" | tee -a "$out"
	if [ "$crash" -ne 0 ]; then
		echo "fuzz-campaign: $n found a crash; see $work.log and $work/" >&2
		status=1
	fi
done
exit $status
