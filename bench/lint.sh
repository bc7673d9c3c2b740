#!/usr/bin/env bash
# Whole-process timing of `headless lint` over synthetic corpora of 11,000 and
# 110,000 objects (bench/corpus). Prints, over RUNS runs (default 5) each, the
# median wall time, the median CPU time (user + system: the work done, which
# other load on the machine does not inflate) and the peak resident memory,
# and the 110k/11k ratios.
# Goals: 110,000 objects in under 3 s and 300 MiB; 10x the objects at most 11x
# the time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -trimpath -ldflags '-s -w' -o "$work/headless" ./cmd/headless
for n in 11000 110000; do go run ./bench/gencorpus -objects "$n" "$work/c$n"; done

# measure DIR prints "median_wall_seconds median_cpu_seconds peak_kib" over
# $RUNS runs.
measure() {
  : >"$work/runs"
  for _ in $(seq "$RUNS"); do
    # Exit status 1 is expected: the corpora contain mistakes on purpose.
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$work/headless" lint "$1" >/dev/null 2>&1 || true
    tail -n 1 "$work/time" >>"$work/runs"
  done
  median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
  printf '%s %s %s\n' "$(awk '{print $1}' "$work/runs" | median)" \
    "$(awk '{printf "%.2f\n", $2 + $3}' "$work/runs" | median)" \
    "$(awk '{print $4}' "$work/runs" | sort -n | tail -n 1)"
}

read -r t11 c11 m11 < <(measure "$work/c11000")
read -r t110 c110 m110 < <(measure "$work/c110000")
printf 'runs per corpus:        %d on %d CPUs (load average %s)\n' "$RUNS" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
printf '11,000 objects:         %s s median, %s s CPU, %d MiB peak\n' "$t11" "$c11" $((m11 / 1024))
printf '110,000 objects:        %s s median, %s s CPU, %d MiB peak (goal < 3 s, < 300 MiB)\n' "$t110" "$c110" $((m110 / 1024))
awk -v a="$t110" -v b="$t11" -v c="$c110" -v d="$c11" 'BEGIN {printf "110k / 11k ratio:       %.1fx wall, %.1fx CPU (goal <= 11x)\n", a / b, c / d}'
