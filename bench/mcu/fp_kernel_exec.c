/* gale — footprint image (b): kernel + executor. Image (a) (two threads, a
 * semaphore, a sleep) plus an executor hosted by a third thread, running two
 * tasks: a "ticker" that sleeps on an executor timer TICKS times (1 ms each)
 * and wakes a "waiter" each time; the waiter counts its wakes. When both are
 * done the executor is stopped. Exit status 0 when everything happened
 * (1..6 name the failed check): `qemu_fp_kernel_exec` runs it,
 * bench/mcu/run-bench.sh measures it. */
#include <stdint.h>

#include "gale/exec.h"
#include "gale/kernel.h"

#define ROUNDS 5u
#define TICKS 3u

static GALE_THREAD_STACK_DEFINE(stack_prod, 512);
static GALE_THREAD_STACK_DEFINE(stack_cons, 512);
static GALE_THREAD_STACK_DEFINE(stack_exec, 768);
static gale_thread_t th_prod, th_cons, th_exec;
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

/* ---- the executor and its two tasks ---- */
static gale_exec_t ex;
static gale_exec_task_t t_ticker, t_waiter;
static gale_exec_timer_t tm = GALE_EXEC_TIMER_INITIALIZER;
static uint32_t ticks, wakes_seen, waiter_polls;
static uint64_t next_deadline;

static gale_exec_poll_t ticker(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    if (next_deadline == 0)
        next_deadline = gale_kernel_uptime_ticks() + gale_kernel_ms_to_ticks_ceil(1);
    while (gale_exec_sleep_until(cx, &tm, next_deadline)) {
        ticks++;
        gale_exec_wake(cx->exec, &t_waiter);
        if (ticks == TICKS)
            return GALE_EXEC_READY;
        next_deadline += gale_kernel_ms_to_ticks_ceil(1);
    }
    return GALE_EXEC_PENDING;
}

static gale_exec_poll_t waiter(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    if (waiter_polls++ > 0)
        wakes_seen++;
    if (wakes_seen == TICKS) {
        gale_exec_stop(cx->exec);
        return GALE_EXEC_READY;
    }
    return GALE_EXEC_PENDING;
}

static volatile int exec_rc = 1;

static void exec_thread(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    exec_rc = gale_exec_run(&ex);
}

int main(void)
{
    gale_kernel_init();
    gale_kernel_sem_init(&sem, 0, ROUNDS);
    if (gale_exec_init(&ex, NULL) != 0 || gale_exec_task_init(&t_ticker, ticker, NULL, 1) != 0 ||
        gale_exec_task_init(&t_waiter, waiter, NULL, 0) != 0 || gale_exec_spawn(&ex, &t_waiter) != 0 ||
        gale_exec_spawn(&ex, &t_ticker) != 0)
        return 4;
    gale_kernel_thread_create(&th_cons, stack_cons, sizeof stack_cons, consumer, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(3), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    gale_kernel_thread_create(&th_prod, stack_prod, sizeof stack_prod, producer, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(5), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    gale_kernel_thread_create(&th_exec, stack_exec, sizeof stack_exec, exec_thread, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(4), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    if (gale_cm_run() != 0)
        return 1;
    if (taken != ROUNDS)
        return 2;
    if (gale_kernel_uptime_ticks() < gale_kernel_ms_to_ticks_ceil(ROUNDS))
        return 3;
    if (exec_rc != 0)
        return 5;
    if (ticks != TICKS || wakes_seen != TICKS || gale_exec_task_state(&t_ticker) != GALE_EXEC_TASK_DONE ||
        gale_exec_task_state(&t_waiter) != GALE_EXEC_TASK_DONE)
        return 6;
    return 0;
}
