#!/usr/bin/env bash
# Whole-process timing: `headless generate --preset mongodb --replicas 3`
# against a Go hello-world built the same way. Prints the median wall time of
# each over RUNS runs (default 200), their ratio, and the binary sizes.
# Goal: headless at most 2x hello-world.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

go build -trimpath -ldflags '-s -w' -o "$out/headless" ./cmd/headless
go build -trimpath -ldflags '-s -w' -o "$out/hello" ./bench/hello

# median_ms CMD... runs CMD $RUNS times (after 10 warm-up runs) and prints
# the median wall time in milliseconds.
median_ms() {
  for _ in $(seq 10); do "$@" >/dev/null; done
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
    echo $(( e - s ))
  done | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f\n", m / 1e6}'
}

h=$(median_ms "$out/hello")
g=$(median_ms "$out/headless" generate --preset mongodb --replicas 3)
p=$(median_ms "$out/headless" generate --preset mongodb --mode pods --replicas 1000)
size() { stat -c %s "$1" | awk '{printf "%.1f MiB", $1 / 1048576}'; }
printf 'runs per command:                      %d\n' "$RUNS"
printf 'hello-world median:                    %s ms (%s)\n' "$h" "$(size "$out/hello")"
printf 'generate --preset mongodb median:      %s ms (%s)\n' "$g" "$(size "$out/headless")"
printf 'generate --mode pods --replicas 1000:  %s ms\n' "$p"
awk -v g="$g" -v h="$h" 'BEGIN {printf "ratio generate / hello-world:          %.2fx (goal <= 2x)\n", g / h}'
