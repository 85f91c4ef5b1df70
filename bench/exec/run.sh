#!/usr/bin/env bash
# Executor benchmarks: host ns (median of runs), callgrind instructions per op
# (difference of a 2N and an N run, so setup cancels) and per-task RAM from
# sizeof on the host and on the Cortex-M7 (arm-none-eabi-gcc + nm).
# Usage: run.sh <bench_exec binary> <output.md> <gale root>
set -euo pipefail
bin=${1:?bench_exec}; out=${2:?output}; root=${3:?root}
N=20000; RUNS=21
declare -A ns ir mn
for b in spawn spawnrun wake wakeisr pingexec pingkern; do
  line=$("$bin" "$b" $N $RUNS); echo "$line"
  ns[$b]=$(echo "$line" | sed -n 's/.* median \([0-9.]*\) ns\/op.*/\1/p')
  mn[$b]=$(echo "$line" | sed -n 's/.*(min \([0-9.]*\),.*/\1/p')
  if command -v valgrind >/dev/null; then
    c() { GALE_BENCH_CALLGRIND=1 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=/dev/null \
            "$bin" "$b" "$1" 1 2>&1 >/dev/null |
          sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
    i1=$(c 2000); i2=$(c 4000)
    ir[$b]=$(( (i2 - i1) / 2000 ))
    echo "$b: ${ir[$b]} instructions per op (callgrind)"
  else
    ir[$b]="n/a"
  fi
done
host_sizes=$("$bin" sizes)
hs() { echo "$host_sizes" | sed -n "s/^sizeof($1) //p"; }
mcu="n/a"
declare -A ms
if command -v arm-none-eabi-gcc >/dev/null; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  arm-none-eabi-gcc -std=c11 -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard -Os -fno-common \
      -DGALE_PLATFORM_CORTEX_M=1 -DGALE_PROFILE_MCU=1 -I"$root/include" \
      -c "$root/bench/exec/sizes_mcu.c" -o "$tmp/sizes.o"
  while read -r _ size _ name; do ms[$name]=$((16#$size)); done < <(arm-none-eabi-nm -S "$tmp/sizes.o" | grep ' size_')
  mcu=ok
  # code size of the executor on the M7 (-Os)
  arm-none-eabi-gcc -std=c11 -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard -Os -ffunction-sections \
      -DGALE_PLATFORM_CORTEX_M=1 -DGALE_PROFILE_MCU=1 -I"$root/include" -I"$root/src/exec" \
      -c "$root/src/exec/exec.c" -o "$tmp/exec.o"
  text=$(arm-none-eabi-size "$tmp/exec.o" | awk 'NR==2 {print $1}')
fi
echo "cortex-m7: task ${ms[size_exec_task]:-?} B, ext ${ms[size_exec_task_ext]:-?} B, executor ${ms[size_exec]:-?} B"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
ratio=$(awk -v a="${ns[pingkern]}" -v b="${ns[pingexec]}" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')
{
  echo "# Executor benchmarks (posix port, host-release -O2)"
  echo
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores visible, $(uname -sr); shared with other"
  echo "jobs, so the ns figures are indicative; the instruction counts are repeatable."
  echo "Command: \`make bench\` (runs \`bench/exec/run.sh\`; binary \`bench/exec/bench_exec.c\`)."
  echo
  echo "## Time and instructions per operation"
  echo
  echo "Host ns: median of $RUNS runs x $N operations. Instructions: callgrind, user space,"
  echo "measured region only, (run with 4000 ops - run with 2000 ops) / 2000; the clock is"
  echo "not read under callgrind."
  echo
  echo "| operation | host ns: median (min) | instructions | what is measured |"
  echo "|---|---|---|---|"
  echo "| spawn | ${ns[spawn]} (${mn[spawn]}) | ${ir[spawn]} | \`gale_exec_spawn\` of a fresh task (CAS + inbox push) |"
  echo "| spawn + first poll | ${ns[spawnrun]} (${mn[spawnrun]}) | ${ir[spawnrun]} | spawn, then the round that polls it to READY |"
  echo "| wake -> poll (same thread) | ${ns[wake]} (${mn[wake]}) | ${ir[wake]} | \`gale_exec_wake\` of a parked task until its poll begins (executor overhead only) |"
  echo "| wake from ISR -> poll | ${ns[wakeisr]} (${mn[wakeisr]}) | ${ir[wakeisr]} | simulated ISR wakes a task of an executor blocked in the kernel; includes the semaphore give and the fiber switch (posix swapcontext) |"
  echo "| ping-pong, 2 tasks, 1 executor | ${ns[pingexec]} (${mn[pingexec]}) | ${ir[pingexec]} | one round trip through two one-slot channels = 2 wakes + 2 polls (poll timing on) |"
  echo "| ping-pong, 2 kernel threads | ${ns[pingkern]} (${mn[pingkern]}) | ${ir[pingkern]} | the same round trip through two semaphores = 2 handoffs + 2 switches |"
  echo
  awk -v e="${ns[pingexec]}" -v k="${ns[pingkern]}" 'BEGIN { if (e > 0) printf "Polls per second (ping-pong, 2 polls per round trip): executor %.2f M/s, kernel threads %.2f M handoffs/s; the executor round trip is %.1fx cheaper in host time.\n", 2e3 / e, 2e3 / k, k / e }'
  echo
  echo "The kernel-thread figure is dominated by the posix port's swapcontext (a sigprocmask"
  echo "system call per switch); on an MCU a switch is a PendSV of a few dozen cycles, so the"
  echo "instruction counts are the fairer comparison (they exclude the system call)."
  echo
  echo "## Per-task RAM (bytes, from sizeof)"
  echo
  echo "| object | Cortex-M7 | host (x86-64) |"
  echo "|---|---|---|"
  echo "| task header \`gale_exec_task_t\` (the executor's per-task state) | ${ms[size_exec_task]:-?} | $(hs gale_exec_task_t) |"
  echo "| task with stats and budget \`gale_exec_task_ext_t\` | ${ms[size_exec_task_ext]:-?} | $(hs gale_exec_task_ext_t) |"
  echo "| executor \`gale_exec_t\` (once per hosting thread) | ${ms[size_exec]:-?} | $(hs gale_exec_t) |"
  echo "| executor timer \`gale_exec_timer_t\` (per armed sleep, in the task's context) | ${ms[size_exec_timer]:-?} | $(hs gale_exec_timer_t) |"
  echo "| kernel thread \`gale_thread_t\` (without its stack) | ${ms[size_thread]:-?} | $(hs gale_thread_t) |"
  echo "| minimum thread stack \`GALE_ARCH_STACK_MIN\` | ${ms[size_stack_min]:-?} | 16384 |"
  echo
  echo "A task costs its 16-byte header plus its own context (the future's state); a kernel"
  echo "thread costs its control block plus a whole stack. The Cortex-M7 figures come from"
  echo "\`arm-none-eabi-gcc -mcpu=cortex-m7\` on bench/exec/sizes_mcu.c (which also"
  echo "static-asserts the 16-byte bound), read back with \`arm-none-eabi-nm -S\`."
  [ -n "${text:-}" ] && echo "Executor code size on the Cortex-M7 (-Os, src/exec/exec.c incl. the decision core): $text bytes of text."
} > "$out"
echo "wrote $out"
