/* Tests of tests/kernel/test_event.c that the Cortex-M image does not run,
 * with the reason (printed as SKIPPED). */
#include <stddef.h>
const char *const mcm_skips[] = {
    "test_one_post_wakes_in_queue_order_with_clearing",
    "ends with a waiter left blocked forever and expects the simulator's deadlock report (GALE_EDEADLK); a real core has no such report",
    "test_post_from_isr_wakes_thread",
    "asserts the exact virtual time of a simulated IRQ (700 us); IRQ timing on the QEMU image differs",
    NULL, NULL,
};
