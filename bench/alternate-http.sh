#!/usr/bin/env bash
# Two habilis binaries measured in turn over HTTP, so that the machine's slow and fast
# phases fall on both alike: one line per run with the do-nothing endpoint's, the single
# evaluation's and the batches' throughput and p99, and the evaluation's ratio to the
# do-nothing endpoint.
#
#   bench/alternate-http.sh ROUNDS BINARY_A BINARY_B [habilis bench options...]
#   bench/alternate-http.sh 3 /tmp/habilis-before ./target/release/habilis
#
# Options after the binaries go to `habilis bench` (default: --preset tiny --http
# --seconds 2).
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 ROUNDS BINARY_A BINARY_B [habilis bench options...]" >&2
  exit 2
fi
rounds=$1
first=$2
second=$3
shift 3
options=("$@")
if [ ${#options[@]} -eq 0 ]; then
  options=(--preset tiny --http --seconds 2)
fi
printf '%-20s %22s %22s %8s %26s\n' binary "do-nothing /s, p99 µs" "evaluation /s, p99 µs" "ratio" "batches decisions/s, p99 µs"
for _ in $(seq 1 "$rounds"); do
  for binary in "$first" "$second"; do
    report=$("$binary" bench "${options[@]}")
    do_nothing=$(awk '$1 == "do_nothing" { print $6 ", " $4; exit }' <<<"$report")
    evaluation=$(awk '$1 == "evaluation" { print $6 ", " $4; exit }' <<<"$report")
    batches=$(awk '$1 == "evaluations_100" { print $7 ", " $4; exit }' <<<"$report")
    ratio=$(grep -oE 'evaluation ÷ do-nothing [0-9.]+×' <<<"$report" | grep -oE '[0-9.]+×' || true)
    printf '%-20s %22s %22s %8s %26s\n' "$(basename "$binary")" "$do_nothing" "$evaluation" "$ratio" "$batches"
  done
done
