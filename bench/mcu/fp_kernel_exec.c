/* gale — footprint image (b): kernel + executor. Image (a) (two threads, a
 * semaphore, a sleep) plus an executor hosted by a third thread, running two
 * tasks: a "ticker" that sleeps on an executor timer FP_TICKS times (1 ms each)
 * and wakes a "waiter" each time; the waiter counts its wakes. When both are
 * done the executor is stopped (the workloads are in fp_workload.h). Exit
 * status 0 when everything happened (1..6 name the failed check):
 * `qemu_fp_kernel_exec` runs it, bench/mcu/run-bench.sh measures it. */
#define FP_WITH_EXEC
#include "fp_workload.h"

int main(void)
{
    gale_kernel_init();
    int rc = fp_exec_setup();
    if (rc != 0)
        return rc;
    fp_threads_start();
    fp_exec_start();
    if (gale_cm_run() != 0)
        return 1;
    rc = fp_threads_check();
    return rc != 0 ? rc : fp_exec_check();
}
