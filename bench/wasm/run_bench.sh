#!/usr/bin/env bash
# run_bench.sh <wasm_bench> <guest folder> <out.md>
#
# `make bench` step for the wasm engine: measures the Cortex-M7 -Os size of the
# engine (build/cortex-m7/src/wasm/libgale_wasm.a, built here if missing or
# stale), then runs wasm_bench, which times every program natively and in the
# interpreter and writes <out.md> (bench/results/wasm.md).
set -euo pipefail
bench=$1 dir=$2 out=$3
root=$(pwd)
size_md=$(mktemp)
trap 'rm -f "$size_md"' EXIT
lib=build/cortex-m7/src/wasm/libgale_wasm.a
if command -v arm-none-eabi-size >/dev/null; then
  if cmake --preset cortex-m7 >/dev/null && cmake --build --preset cortex-m7 -j2 --target gale_wasm >/dev/null \
     && [ -f "$lib" ]; then
    text=$(arm-none-eabi-size -t "$lib" | awk '/\(TOTALS\)/ {print $1}')
    data=$(arm-none-eabi-size -t "$lib" | awk '/\(TOTALS\)/ {print $2}')
    bss=$(arm-none-eabi-size -t "$lib" | awk '/\(TOTALS\)/ {print $3}')
    {
      echo "\`arm-none-eabi-size -t $lib\` (cortex-m7 preset: -mcpu=cortex-m7 -mfpu=fpv5-d16"
      echo "-mfloat-abi=hard, MinSizeRel = -Os): **.text $text bytes ($(( (text + 1023) / 1024 )) KiB)**, .data $data, .bss $bss."
      echo "Target: under 48 KiB of .text (wasm3's core is about 63 KiB there)."
      echo
      echo '```'
      arm-none-eabi-size -t "$lib"
      echo '```'
    } > "$size_md"
  else
    echo "The cortex-m7 build of src/wasm failed or produced no $lib; size not measured." > "$size_md"
  fi
else
  echo "arm-none-eabi-size not installed; size not measured." > "$size_md"
fi
"$bench" --dir "$dir" --runs "${GALE_BENCH_RUNS:-11}" --out "$out" --size-report "$size_md" \
  --command "make bench (bench/wasm/run_bench.sh, runs=${GALE_BENCH_RUNS:-11})"
echo "wasm bench: results in $out"
