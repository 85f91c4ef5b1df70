/* gale — footprint image (a): the minimal kernel application, the counterpart
 * of Zephyr's minimal "threads" sample: startup + vector table, two threads, a
 * semaphore and a sleep. A producer sleeps 1 ms and gives the semaphore,
 * ROUNDS times; a consumer takes it. The image checks that it did its job
 * (every give was taken, the sleeps took at least ROUNDS ms of uptime) and
 * exits through semihosting with status 0 (or 1..3 naming the failed check):
 * `qemu_fp_kernel_threads` runs it, bench/mcu/run-bench.sh measures it. */
#include <stdint.h>

#include "gale/kernel.h"

#define ROUNDS 5u

static GALE_THREAD_STACK_DEFINE(stack_prod, 512);
static GALE_THREAD_STACK_DEFINE(stack_cons, 512);
static gale_thread_t th_prod, th_cons;
static gale_sem_t sem;
static volatile uint32_t taken;

static void producer(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint32_t i = 0; i < ROUNDS; i++) {
        gale_kernel_sleep(GALE_MSEC(1));
        gale_kernel_sem_give(&sem);
    }
}

static void consumer(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint32_t i = 0; i < ROUNDS; i++) {
        if (gale_kernel_sem_take(&sem, GALE_FOREVER) == 0)
            taken++;
    }
}

int main(void)
{
    gale_kernel_init();
    gale_kernel_sem_init(&sem, 0, ROUNDS);
    gale_kernel_thread_create(&th_cons, stack_cons, sizeof stack_cons, consumer, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(3), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    gale_kernel_thread_create(&th_prod, stack_prod, sizeof stack_prod, producer, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(5), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    if (gale_cm_run() != 0)
        return 1;
    if (taken != ROUNDS)
        return 2;
    if (gale_kernel_uptime_ticks() < gale_kernel_ms_to_ticks_ceil(ROUNDS))
        return 3;
    return 0;
}
