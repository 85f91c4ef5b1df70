#!/usr/bin/env bash
# Builds test_exec_threads with ThreadSanitizer (gcc -fsanitize=thread) from the
# project sources (the executor, the kernel and the posix port it links, none of
# whose fiber code runs in this test) and runs it; any TSan report fails.
# Usage: tsan.sh <gale root> <work dir>
set -euo pipefail
root=${1:?gale root}; work=${2:?work dir}
mkdir -p "$work"
# shellcheck disable=SC2046
gcc -std=c11 -g -O1 -fsanitize=thread -fno-omit-frame-pointer -D_DEFAULT_SOURCE -D_GNU_SOURCE \
    -DGALE_PLATFORM_POSIX=1 -Wall -Wextra -Werror \
    -I"$root/include" -I"$root/src/kernel" -I"$root/src/exec" \
    "$root/tests/exec/test_exec_threads.c" "$root/src/exec/exec.c" \
    $(ls "$root"/src/kernel/*.c "$root"/src/arch/posix/*.c) \
    -lcmocka -lpthread -o "$work/test_exec_threads_tsan"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" GALE_STRESS_RUNS=${GALE_STRESS_RUNS:-10} \
    "$work/test_exec_threads_tsan"
