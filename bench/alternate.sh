#!/usr/bin/env bash
# Two habilis binaries measured in turn, so that the machine's slow and fast phases fall on
# both alike: one line per run.
#
# In process (the default): the check's throughput on one thread, its ratio to the string
# chain, the numeric chain's figure and the process's resident memory after loading.
# With --http: the do-nothing endpoint's, the single evaluation's and the batches'
# throughput and p99, and the evaluation's ratio to the do-nothing endpoint.
#
#   bench/alternate.sh [--http] ROUNDS BINARY_A BINARY_B [habilis bench options...]
#   bench/alternate.sh 4 /tmp/habilis-before ./target/release/habilis --timed-queries 2000
#   bench/alternate.sh --http 3 /tmp/habilis-before ./target/release/habilis
#
# Options after the binaries go to `habilis bench` (default: --preset full --no-store
# --seconds 1; with --http: --preset tiny --http --seconds 2).
set -euo pipefail
http=false
if [ "${1:-}" = "--http" ]; then
  http=true
  shift
fi
if [ $# -lt 3 ]; then
  echo "usage: $0 [--http] ROUNDS BINARY_A BINARY_B [habilis bench options...]" >&2
  exit 2
fi
rounds=$1
first=$2
second=$3
shift 3
options=("$@")
if [ ${#options[@]} -eq 0 ]; then
  if $http; then
    options=(--preset tiny --http --seconds 2)
  else
    options=(--preset full --no-store --seconds 1)
  fi
fi

# One run's line, read from its report.
in_process() {
  local report=$1 checks ratio numeric resident
  checks=$(awk '$1 == "habilis" && NF == 6 { print $5; exit }' <<<"$report")
  ratio=$(grep -oE 'habilis ÷ string chain [0-9.]+×' <<<"$report" | grep -oE '[0-9.]+×' || true)
  numeric=$(awk '$1 == "bare_chain_numeric_ids" { print $5; exit }' <<<"$report")
  resident=$(grep -oE 'resident [0-9.]+ MiB' <<<"$report" | head -1 | grep -oE '[0-9.]+' || true)
  printf '%14s %16s %16s %14s\n' "$checks" "$ratio" "$numeric" "$resident"
}
over_http() {
  local report=$1 do_nothing evaluation batches ratio
  do_nothing=$(awk '$1 == "do_nothing" { print $6 ", " $4; exit }' <<<"$report")
  evaluation=$(awk '$1 == "evaluation" { print $6 ", " $4; exit }' <<<"$report")
  batches=$(awk '$1 == "evaluations_100" { print $7 ", " $4; exit }' <<<"$report")
  ratio=$(grep -oE 'evaluation ÷ do-nothing [0-9.]+×' <<<"$report" | grep -oE '[0-9.]+×' || true)
  printf '%22s %22s %8s %26s\n' "$do_nothing" "$evaluation" "$ratio" "$batches"
}

if $http; then
  printf '%-24s %22s %22s %8s %26s\n' binary "do-nothing /s, p99 µs" "evaluation /s, p99 µs" "ratio" "batches decisions/s, p99 µs"
else
  printf '%-24s %14s %16s %16s %14s\n' binary "checks/s" "÷ string chain" "numeric chain/s" "resident MiB"
fi
for _ in $(seq 1 "$rounds"); do
  for binary in "$first" "$second"; do
    report=$("$binary" bench "${options[@]}")
    printf '%-24s ' "$(basename "$binary")"
    if $http; then over_http "$report"; else in_process "$report"; fi
  done
done
