/* Tests of tests/kernel/test_kernel_sem.c that the Cortex-M image does not run,
 * with the reason (printed as SKIPPED). */
#include <stddef.h>
const char *const mcm_skips[] = {
    "test_give_from_isr_races_timeout_at_same_tick",
    "a timeout begun part-way through a tick counts from the next tick boundary (it never ends early), so on a real core this race's timeout falls one tick after the simulator's exact instant; posix runs it",
    NULL, NULL,
};
