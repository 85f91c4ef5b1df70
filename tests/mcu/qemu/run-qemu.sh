#!/usr/bin/env bash
# Run one gale test image under QEMU with semihosting and check the result.
#   run-qemu.sh <machine> <elf> <expected exit status> [<regex that must appear>...]
# Instruction counting (-icount shift=0: 1 instruction = 1 ns of virtual time,
# sleep=off: idle time jumps to the next timer deadline) makes runs repeatable.
set -uo pipefail
machine=$1 elf=$2 want=$3
shift 3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 120 qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native -icount shift=0,sleep=off \
  -kernel "$elf" >"$out" 2>&1
rc=$?
cat "$out"
if [ "$rc" -eq 124 ]; then echo "run-qemu: TIMEOUT (120 s) running $elf on $machine"; exit 1; fi
if [ "$rc" -ne "$want" ]; then echo "run-qemu: exit status $rc, expected $want ($elf on $machine)"; exit 1; fi
for re in "$@"; do
  if ! grep -Eq -- "$re" "$out"; then echo "run-qemu: output lacks /$re/"; exit 1; fi
done
echo "run-qemu: ok ($machine, exit $rc)"
