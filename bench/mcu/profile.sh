#!/usr/bin/env bash
# Instruction profile of the Cortex-M kernel benchmark: runs gale_kbench_profile
# (100 rounds of each benchmark) under QEMU with one instruction per translation
# block and the exec trace on, then counts executed instructions per function.
#   profile.sh [cortex-m7|cortex-m4f]   (after a build of that preset)
set -euo pipefail
p=${1:-cortex-m7}
root=$(cd "$(dirname "$0")/../.." && pwd)
machine=mps2-an500; [ "$p" = cortex-m4f ] && machine=mps2-an386
elf=$root/build/$p/bench/mcu/gale_kbench_profile.elf
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout 600 qemu-system-arm -M $machine -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native -icount shift=0,sleep=off -singlestep \
  -d exec,nochain -D "$log" -kernel "$elf" >/dev/null
total=$(grep -c '^Trace' "$log")
echo "instructions executed: $total (all benchmarks, 100 rounds each, incl. boot)"
awk '/^Trace/ {print $NF}' "$log" | sort | uniq -c | sort -rn | head -${TOP:-25}
