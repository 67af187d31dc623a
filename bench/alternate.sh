#!/usr/bin/env bash
# Two habilis binaries measured in turn on the same in-process benchmark, so that the
# machine's slow and fast phases fall on both alike: one line per run with the check's
# throughput on one thread, its ratio to the string chain, the numeric chain's figure and
# the process's resident memory after loading.
#
#   bench/alternate.sh ROUNDS BINARY_A BINARY_B [habilis bench options...]
#   bench/alternate.sh 4 /tmp/habilis-before ./target/release/habilis --timed-queries 2000
#
# Options after the binaries go to `habilis bench` (default: --preset full --no-store
# --seconds 1).
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
  options=(--preset full --no-store --seconds 1)
fi
printf '%-24s %14s %16s %16s %14s\n' binary "checks/s" "÷ string chain" "numeric chain/s" "resident MiB"
for _ in $(seq 1 "$rounds"); do
  for binary in "$first" "$second"; do
    report=$("$binary" bench "${options[@]}")
    checks=$(awk '$1 == "habilis" && NF == 6 { print $5; exit }' <<<"$report")
    ratio=$(grep -oE 'habilis ÷ string chain [0-9.]+×' <<<"$report" | grep -oE '[0-9.]+×' || true)
    numeric=$(awk '$1 == "bare_chain_numeric_ids" { print $5; exit }' <<<"$report")
    resident=$(grep -oE 'resident [0-9.]+ MiB' <<<"$report" | head -1 | grep -oE '[0-9.]+' || true)
    printf '%-24s %14s %16s %16s %14s\n' "$(basename "$binary")" "$checks" "$ratio" "$numeric" "$resident"
  done
done
