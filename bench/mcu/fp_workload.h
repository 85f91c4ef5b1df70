/* gale — the workloads the footprint images build on, one image on the next:
 *   (a) two threads, a semaphore and a sleep: a producer sleeps 1 ms and gives
 *       the semaphore FP_ROUNDS times, a consumer takes it;
 *   (b) = (a) + an executor hosted by a third thread running two tasks: a
 *       "ticker" sleeping on an executor timer FP_TICKS times (1 ms each) and
 *       waking a "waiter" each time; the waiter counts its wakes, then stops
 *       the executor (define FP_WITH_EXEC before including this header).
 * Included by exactly one image source each (bench/mcu/fp_*.c), so the code is
 * counted as that image's app code, as it was when each image spelled it out.
 * Check codes: 2 (not every give taken), 3 (sleeps too short), 4 (executor
 * set-up), 5 (executor run failed), 6 (ticks / wakes / task states). */
#ifndef GALE_BENCH_FP_WORKLOAD_H
#define GALE_BENCH_FP_WORKLOAD_H

#include <stdint.h>

#include "gale/kernel.h"
#ifdef FP_WITH_EXEC
#include "gale/exec.h"
#endif

#define FP_ROUNDS 5u
#define FP_TICKS 3u

static GALE_THREAD_STACK_DEFINE(fp_stack_prod, 512);
static GALE_THREAD_STACK_DEFINE(fp_stack_cons, 512);
static gale_thread_t fp_th_prod, fp_th_cons;
static gale_sem_t fp_sem;
static volatile uint32_t fp_taken;

static void fp_producer(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint32_t i = 0; i < FP_ROUNDS; i++) {
        gale_kernel_sleep(GALE_MSEC(1));
        gale_kernel_sem_give(&fp_sem);
    }
}

static void fp_consumer(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint32_t i = 0; i < FP_ROUNDS; i++) {
        if (gale_kernel_sem_take(&fp_sem, GALE_FOREVER) == 0)
            fp_taken++;
    }
}

/* After gale_kernel_init(): the semaphore and the two threads. */
static void fp_threads_start(void)
{
    gale_kernel_sem_init(&fp_sem, 0, FP_ROUNDS);
    gale_kernel_thread_create(&fp_th_cons, fp_stack_cons, sizeof fp_stack_cons, fp_consumer, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(3), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    gale_kernel_thread_create(&fp_th_prod, fp_stack_prod, sizeof fp_stack_prod, fp_producer, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(5), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
}

/* After the kernel ran: 0, or the failed check's code. */
static int fp_threads_check(void)
{
    if (fp_taken != FP_ROUNDS)
        return 2;
    if (gale_kernel_uptime_ticks() < gale_kernel_ms_to_ticks_ceil(FP_ROUNDS))
        return 3;
    return 0;
}

#ifdef FP_WITH_EXEC
static GALE_THREAD_STACK_DEFINE(fp_stack_exec, 768);
static gale_thread_t fp_th_exec;
static gale_exec_t fp_ex;
static gale_exec_task_t fp_t_ticker, fp_t_waiter;
static gale_exec_timer_t fp_tm = GALE_EXEC_TIMER_INITIALIZER;
static uint32_t fp_ticks, fp_wakes_seen, fp_waiter_polls;
static uint64_t fp_next_deadline;
static volatile int fp_exec_rc = 1;

static gale_exec_poll_t fp_ticker(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    if (fp_next_deadline == 0)
        fp_next_deadline = gale_kernel_uptime_ticks() + gale_kernel_ms_to_ticks_ceil(1);
    while (gale_exec_sleep_until(cx, &fp_tm, fp_next_deadline)) {
        fp_ticks++;
        gale_exec_wake(cx->exec, &fp_t_waiter);
        if (fp_ticks == FP_TICKS)
            return GALE_EXEC_READY;
        fp_next_deadline += gale_kernel_ms_to_ticks_ceil(1);
    }
    return GALE_EXEC_PENDING;
}

static gale_exec_poll_t fp_waiter(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    if (fp_waiter_polls++ > 0)
        fp_wakes_seen++;
    if (fp_wakes_seen == FP_TICKS) {
        gale_exec_stop(cx->exec);
        return GALE_EXEC_READY;
    }
    return GALE_EXEC_PENDING;
}

static void fp_exec_thread(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    fp_exec_rc = gale_exec_run(&fp_ex);
}

/* After gale_kernel_init(): the executor and its tasks (0, or 4). */
static int fp_exec_setup(void)
{
    if (gale_exec_init(&fp_ex, NULL) != 0 || gale_exec_task_init(&fp_t_ticker, fp_ticker, NULL, 1) != 0 ||
        gale_exec_task_init(&fp_t_waiter, fp_waiter, NULL, 0) != 0 || gale_exec_spawn(&fp_ex, &fp_t_waiter) != 0 ||
        gale_exec_spawn(&fp_ex, &fp_t_ticker) != 0)
        return 4;
    return 0;
}

/* The thread that hosts the executor. */
static void fp_exec_start(void)
{
    gale_kernel_thread_create(&fp_th_exec, fp_stack_exec, sizeof fp_stack_exec, fp_exec_thread, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(4), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
}

/* After the kernel ran: 0, or the failed check's code. */
static int fp_exec_check(void)
{
    if (fp_exec_rc != 0)
        return 5;
    if (fp_ticks != FP_TICKS || fp_wakes_seen != FP_TICKS ||
        gale_exec_task_state(&fp_t_ticker) != GALE_EXEC_TASK_DONE ||
        gale_exec_task_state(&fp_t_waiter) != GALE_EXEC_TASK_DONE)
        return 6;
    return 0;
}
#endif /* FP_WITH_EXEC */

#endif
