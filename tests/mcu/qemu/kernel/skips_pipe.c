/* Tests of tests/kernel/test_pipe.c that the Cortex-M image does not run,
 * with the reason (printed as SKIPPED). */
#include <stddef.h>
const char *const mcm_skips[] = {
    "test_isr_write_feeds_waiting_reader",
    "asserts the exact virtual time of a simulated IRQ (3 ms); IRQ timing on the QEMU image differs",
    NULL, NULL,
};
