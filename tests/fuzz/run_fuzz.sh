#!/usr/bin/env bash
# run_fuzz.sh <fuzzer> <spec json dir> <work dir> <seconds> [<runs> [fresh]]
#
# Runs the libFuzzer target fuzz_wasm over a corpus seeded with the spec tests'
# .wasm files (copied once into <work dir>/seeds) and the regression inputs.
# New interesting inputs go to <work dir>/corpus; crash inputs to <work dir>/.
# Stops after <seconds> or <runs> executions, whichever comes first; any crash,
# leak, timeout or sanitizer report makes the script fail. "fresh" empties the
# corpus first (the smoke test: the same amount of work on every run).
set -euo pipefail
fuzzer=$1 json=$2 work=$3 secs=$4 runs=${5:--1} fresh=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
if [ "$fresh" = fresh ]; then
  rm -rf "$work/corpus"
fi
mkdir -p "$work/corpus" "$work/seeds"
if [ -z "$(ls -A "$work/seeds")" ]; then
  cp "$json"/*.wasm "$work/seeds/"
fi
cp "$here"/regressions/*.wasm "$work/seeds/" 2>/dev/null || true
exec "$fuzzer" -max_total_time="$secs" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -dict="$here/wasm.dict" -print_final_stats=1 -artifact_prefix="$work/" \
  "$work/corpus" "$work/seeds"
