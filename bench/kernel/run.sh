#!/usr/bin/env bash
# Kernel benchmarks: host ns (median of many runs) and instructions per op from
# callgrind (difference of two runs with N and 2N iterations, so setup cancels).
# Usage: run.sh <bench_kernel binary> <output.md>
set -euo pipefail
bin=${1:?bench_kernel binary}; out=${2:?output file}
benches="switch sem"
if "$bin" msgq 1 1 >/dev/null 2>&1; then benches="$benches msgq"; fi
ns_lines=""; ir_lines=""
for b in $benches; do
  line=$("$bin" "$b" 20000 31)
  echo "$line"
  ns=$(echo "$line" | sed -n 's/.* median \([0-9.]*\) ns\/op.*/\1/p')
  ns_lines+="| $b | $ns | $(echo "$line" | sed -n 's/.*(min \(.*\))/min \1/p') |"$'\n'
  if command -v valgrind >/dev/null; then
    ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$b" "$1" 1 2>&1 >/dev/null |
           sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
    i1=$(ir 1000); i2=$(ir 2000)
    case $b in
      switch) per=$(( (i2 - i1) / 2000 )); unit="one switch (yield to the other thread)";;
      sem)    per=$(( (i2 - i1) / 2000 )); unit="one give->take handoff (incl. its switch)";;
      msgq)   per=$(( (i2 - i1) / 1000 )); unit="one put->get->put->get round trip (2 switches)";;
    esac
    ir_lines+="| $b | $per | $unit |"$'\n'
    echo "$b: $per instructions per op (callgrind)"
  fi
done
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
{
  echo "# Kernel benchmarks (posix port, host-release -O2)"
  echo
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores visible, $(uname -sr); shared with other jobs,"
  echo "so the ns figures are indicative. Command: \`make bench\` (runs \`bench/kernel/run.sh\`)."
  echo
  echo "The posix port switches fibers with swapcontext, which makes a sigprocmask system"
  echo "call per switch: the host ns are dominated by that, not by the kernel's bookkeeping."
  echo
  echo "## Host time (median of 31 runs x 20000 iterations)"
  echo
  echo "| benchmark | ns per op | spread |"
  echo "|---|---|---|"
  echo -n "$ns_lines"
  echo
  echo "ops: switch = one yield-to-other-thread switch; sem = one give->take handoff"
  echo "(waiter more urgent, so every give switches); msgq = put->get->put->get round trip."
  echo
  echo "## Instructions (valgrind --tool=callgrind, repeatable)"
  echo
  echo "User-space instructions of a 2000-iteration run minus a 1000-iteration run, divided by"
  echo "the number of ops in the difference (setup cancels). The port's swapcontext is included"
  echo "(glibc, ~100 instructions per switch); the sigprocmask system call inside it is not."
  echo
  echo "| benchmark | instructions | op |"
  echo "|---|---|---|"
  echo -n "$ir_lines"
} > "$out"
echo "wrote $out"
