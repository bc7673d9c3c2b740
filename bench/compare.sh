#!/usr/bin/env bash
# Whole-process start-up of `headless generate --preset mongodb --replicas 3`
# built from git revision REV (default: HEAD) against the work tree, runs
# interleaved (A, B, A, B, …) so that a machine's changing load weighs on both
# alike. Prints each median over RUNS runs (default 300) and the change.
# Used to keep a new command (doctor) from slowing generate's start-up by more
# than 10 %.
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-HEAD}
RUNS=${RUNS:-300}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

mkdir "$out/src" && git archive "$REV" | tar -x -C "$out/src"
(cd "$out/src" && go build -trimpath -ldflags '-s -w' -o "$out/a" ./cmd/headless)
go build -trimpath -ldflags '-s -w' -o "$out/b" ./cmd/headless

args=(generate --preset mongodb --replicas 3)
for _ in $(seq 10); do "$out/a" "${args[@]}" >/dev/null; "$out/b" "${args[@]}" >/dev/null; done
for _ in $(seq "$RUNS"); do
  for bin in a b; do
    s=$(date +%s%N); "$out/$bin" "${args[@]}" >/dev/null; e=$(date +%s%N)
    echo "$bin $(( e - s ))"
  done
done > "$out/times"
median() { awk -v b="$1" '$1 == b {print $2}' "$out/times" | sort -n |
  awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1e6}'; }
a=$(median a); b=$(median b)
size() { stat -c %s "$1" | awk '{printf "%.1f MiB", $1 / 1048576}'; }
printf 'runs per binary (interleaved):  %d\n' "$RUNS"
printf 'generate median at %s:  %s ms (%s)\n' "$(git rev-parse --short "$REV")" "$a" "$(size "$out/a")"
printf 'generate median, work tree:     %s ms (%s)\n' "$b" "$(size "$out/b")"
awk -v a="$a" -v b="$b" 'BEGIN {printf "change:                         %+.1f %% (budget +10 %%)\n", (b - a) / a * 100}'
