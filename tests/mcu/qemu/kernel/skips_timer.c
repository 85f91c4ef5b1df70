/* Tests of tests/kernel/test_kernel_timer.c that the Cortex-M image does not
 * run, with the reason (printed as SKIPPED). */
#include <stddef.h>
const char *const mcm_skips[] = {
    "test_one_shot",
    "asserts remaining_ticks == 3000 exactly right after a 2 ms sleep (virtual time frozen while a thread runs); a real core has moved on (2999)",
    "test_periodic_and_stop",
    "asserts the exact virtual end time (gale_sim_time_ns() == 26 ms)",
    NULL, NULL,
};
