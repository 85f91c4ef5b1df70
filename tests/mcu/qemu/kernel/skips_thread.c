/* Tests of tests/kernel/test_kernel_thread.c that the Cortex-M image does not
 * run, with the reason (printed as SKIPPED). Multi-core and real-time-mode
 * tests skip themselves through the simulator shim. */
#include <stddef.h>
const char *const mcm_skips[] = {
    "test_sleep_wakes_in_deadline_order_at_exact_virtual_time",
    "its wake order and timestamps match (within 15 us) but it asserts the exact virtual end time (10 ms)",
    "test_create_rejects_bad_arguments",
    "posix-specific: expects a 1 KiB stack to be too small (posix minimum 16 KiB; Cortex-M minimum 512 B)",
    "test_time_slicing_rotates_equal_priorities",
    "asserts the exact virtual end time (gale_sim_time_ns() == 8 ms); a real core ends a few us later",
    "test_time_limit_is_reported",
    "asserts the exact virtual time at the limit; the MCU shim's limit timer is not cycle-exact",
    "test_isr_may_not_block_and_its_give_wakes_a_thread",
    "QEMU -icount sleep=off delivers the CMSDK timer IRQ late while the CPU sleeps (2x); every ISR-rule assertion passes, the wake timestamp does not",
    "test_busy_thread_is_preempted_by_timeout",
    "a timeout begun part-way through a tick counts from the next tick boundary (it never ends early), so on a real core this periodic wake lands one tick after the simulator's exact instant; posix runs it",
    NULL, NULL,
};
