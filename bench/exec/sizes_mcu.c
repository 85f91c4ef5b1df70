/* Compiled (not linked) for the Cortex-M7 by bench/exec/run.sh: each array's
 * size, read back with arm-none-eabi-nm -S, is the sizeof on that target. */
#include "gale/exec.h"
#include "gale/kernel.h"

char size_exec_task[sizeof(gale_exec_task_t)];
char size_exec_task_ext[sizeof(gale_exec_task_ext_t)];
char size_exec[sizeof(gale_exec_t)];
char size_exec_timer[sizeof(gale_exec_timer_t)];
char size_thread[sizeof(gale_thread_t)];
char size_stack_min[GALE_ARCH_STACK_MIN];
_Static_assert(sizeof(gale_exec_task_t) <= 16, "per-task header must be at most 16 bytes on the MCU");
