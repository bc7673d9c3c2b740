#!/usr/bin/env bash
# Whole-process timing of `headless lint` over synthetic corpora of 11,000 and
# 110,000 objects (bench/corpus). Prints the median wall time and the peak
# resident memory of RUNS runs (default 5) each, and the 110k/11k time ratio.
# Goals: 110,000 objects in under 5 s and 1 GiB; 10x the objects at most 11x
# the time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -trimpath -ldflags '-s -w' -o "$work/headless" ./cmd/headless
for n in 11000 110000; do go run ./bench/gencorpus -objects "$n" "$work/c$n"; done

# measure DIR prints "median_seconds peak_kib" over $RUNS runs.
measure() {
  for _ in $(seq "$RUNS"); do
    # Exit status 1 is expected: the corpora contain mistakes on purpose.
    /usr/bin/time -f '%e %M' -o "$work/time" "$work/headless" lint "$1" >/dev/null 2>&1 || true
    tail -n 1 "$work/time"
  done | sort -n | awk '{t[NR]=$1; if ($2 > m) m = $2} END {printf "%s %d\n", t[int((NR+1)/2)], m}'
}

read -r t11 m11 < <(measure "$work/c11000")
read -r t110 m110 < <(measure "$work/c110000")
printf 'runs per corpus:        %d\n' "$RUNS"
printf '11,000 objects:         %s s median, %d MiB peak\n' "$t11" $((m11 / 1024))
printf '110,000 objects:        %s s median, %d MiB peak\n' "$t110" $((m110 / 1024))
awk -v a="$t110" -v b="$t11" 'BEGIN {printf "110k / 11k time ratio:  %.1fx (goal <= 11x)\n", a / b}'
