/* gale — footprint image (a): the minimal kernel application, the counterpart
 * of Zephyr's minimal "threads" sample: startup + vector table, two threads, a
 * semaphore and a sleep (the workload in fp_workload.h). The image checks that
 * it did its job (every give was taken, the sleeps took at least FP_ROUNDS ms
 * of uptime) and exits through semihosting with status 0 (or 1..3 naming the
 * failed check): `qemu_fp_kernel_threads` runs it, bench/mcu/run-bench.sh
 * measures it. */
#include "fp_workload.h"

int main(void)
{
    gale_kernel_init();
    fp_threads_start();
    if (gale_cm_run() != 0)
        return 1;
    return fp_threads_check();
}
