/* Executor micro-benchmarks on the posix port (deterministic mode, one core).
 *   spawn      gale_exec_spawn of a fresh task (ns per spawn)
 *   spawnrun   spawn + the first poll of a task that is READY at once
 *   wake       wake of a parked task -> its poll begins, same thread
 *              (executor thread wakes, then runs the round): the executor's own cost
 *   wakeisr    a simulated ISR wakes a task of an executor blocked in the kernel ->
 *              the poll begins (includes the semaphore give and the thread switch)
 *   pingexec   ping-pong of two tasks through a one-slot channel on one executor
 *              (ns per round trip = 2 polls)
 *   pingkern   the same ping-pong done by two kernel threads through two semaphores
 *              (ns per round trip = 2 handoffs, 2 switches)
 * Usage: bench_exec <mode> <iterations> [runs]   (prints each run and a median line)
 *        bench_exec sizes                         (sizeof on this build) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gale/exec.h"
#include "gale/kernel.h"

/* Under callgrind (run.sh: --collect-atstart=no, GALE_BENCH_CALLGRIND=1) only the
 * measured regions are counted, and the clock is not read. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define CG_TOGGLE() CALLGRIND_TOGGLE_COLLECT
#endif
#endif
#ifndef CG_TOGGLE
#define CG_TOGGLE() ((void)0)
#endif
static bool cg_mode;

static GALE_THREAD_STACK_DEFINE(stack_a, 32768);
static GALE_THREAD_STACK_DEFINE(stack_b, 32768);
static gale_thread_t ta, tb;
static long iters;
static gale_exec_t ex;
static double t_start, t_end;

static double now_ns(void)
{
    if (cg_mode)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void sim_begin(void)
{
    gale_sim_config_t c = { 1, GALE_SIM_DETERMINISTIC, 0, true };
    if (gale_sim_setup(&c) != GALE_OK || gale_kernel_init() != GALE_OK) {
        fprintf(stderr, "bench_exec: simulator setup failed\n");
        exit(1);
    }
}

static void exec_main(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    (void)gale_exec_run((gale_exec_t *)p1);
}

/* ---- spawn ---------------------------------------------------------------- */
#define SPAWN_BATCH 1024
static gale_exec_task_t spawn_tasks[SPAWN_BATCH];
static gale_exec_poll_t ready_poll(gale_exec_cx_t *cx, void *ctx)
{
    (void)cx; (void)ctx;
    return GALE_EXEC_READY;
}

static double run_spawn(bool with_poll)
{
    sim_begin();
    gale_exec_config_t cfg = { .no_timing = true };
    gale_exec_init(&ex, &cfg);
    double total = 0;
    long done = 0;
    while (done < iters) {
        long n = iters - done < SPAWN_BATCH ? iters - done : SPAWN_BATCH;
        for (long i = 0; i < n; i++)
            gale_exec_task_init(&spawn_tasks[i], ready_poll, NULL, 0);
        double t0 = now_ns();
        CG_TOGGLE();
        for (long i = 0; i < n; i++)
            gale_exec_spawn(&ex, &spawn_tasks[i]);
        if (with_poll)
            while (gale_exec_run_once(&ex) > 0) {
            }
        CG_TOGGLE();
        total += now_ns() - t0;
        if (!with_poll)
            while (gale_exec_run_once(&ex) > 0) {
            }
        (void)gale_kernel_sem_take(&ex.sem, GALE_NO_WAIT); /* drop the token the spawns gave */
        done += n;
    }
    return total / (double)iters;
}

/* ---- wake -> poll, same thread ---------------------------------------------- */
static gale_exec_task_t wtask;
static long wpolls;
static double wsum;
static double wake_t0;
static gale_exec_poll_t wake_poll(gale_exec_cx_t *cx, void *ctx)
{
    (void)cx; (void)ctx;
    if (wpolls++ > 0)
        wsum += now_ns() - wake_t0;
    return GALE_EXEC_PENDING;
}

static double run_wake(void)
{
    sim_begin();
    gale_exec_config_t cfg = { .no_timing = true };
    gale_exec_init(&ex, &cfg);
    gale_exec_task_init(&wtask, wake_poll, NULL, 0);
    wpolls = 0;
    wsum = 0;
    gale_exec_spawn(&ex, &wtask);
    gale_exec_run_once(&ex);
    CG_TOGGLE();
    for (long i = 0; i < iters; i++) {
        wake_t0 = now_ns();
        gale_exec_wake(&ex, &wtask);
        gale_exec_run_once(&ex);
    }
    CG_TOGGLE();
    return wsum / (double)iters;
}

/* ---- ISR wake -> poll on a blocked executor thread --------------------------- */
static void isr_wake(void *arg)
{
    (void)arg;
    wake_t0 = now_ns();
    gale_exec_wake(&ex, &wtask);
}
static gale_exec_poll_t isr_poll(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    if (wpolls++ > 0)
        wsum += now_ns() - wake_t0;
    if (wpolls > iters) {
        gale_exec_stop(cx->exec);
        return GALE_EXEC_READY;
    }
    gale_sim_irq_raise_at(0, gale_sim_time_ns() + 1000, isr_wake, NULL);
    return GALE_EXEC_PENDING;
}

static double run_wakeisr(void)
{
    sim_begin();
    gale_exec_config_t cfg = { .no_timing = true };
    gale_exec_init(&ex, &cfg);
    gale_exec_task_init(&wtask, isr_poll, NULL, 0);
    wpolls = 0;
    wsum = 0;
    gale_exec_spawn(&ex, &wtask);
    gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, exec_main, &ex, NULL, NULL, GALE_PRIO_PREEMPT(3),
                              GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    CG_TOGGLE();
    gale_sim_run();
    CG_TOGGLE();
    return wsum / (double)iters;
}

/* ---- ping-pong: two tasks through one-slot channels ------------------------- */
typedef struct chan {
    int full;
    uint32_t val;
    gale_exec_task_t *rx;     /* receiver to wake */
} chan_t;

static void chan_send(gale_exec_t *e, chan_t *c, uint32_t v)
{
    c->val = v;
    c->full = 1;
    gale_exec_wake(e, c->rx);
}

static bool chan_recv(chan_t *c, uint32_t *v)
{
    if (!c->full)
        return false;
    c->full = 0;
    *v = c->val;
    return true;
}

static chan_t ch_ab, ch_ba;
static gale_exec_task_t task_a, task_b;
static long trips;
static bool served;

static gale_exec_poll_t ping_poll(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    uint32_t v;
    if (!served) {                        /* first poll: serve */
        served = true;
        t_start = now_ns();
        chan_send(cx->exec, &ch_ab, 0);
        return GALE_EXEC_PENDING;
    }
    if (chan_recv(&ch_ba, &v)) {
        if (++trips == iters) {
            t_end = now_ns();
            gale_exec_stop(cx->exec);
            return GALE_EXEC_READY;
        }
        chan_send(cx->exec, &ch_ab, v + 1);
    }
    return GALE_EXEC_PENDING;
}

static gale_exec_poll_t pong_poll(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    uint32_t v;
    if (chan_recv(&ch_ab, &v))
        chan_send(cx->exec, &ch_ba, v + 1);
    return GALE_EXEC_PENDING;
}

static double run_pingexec(void)
{
    sim_begin();
    gale_exec_config_t cfg = { 0 };               /* timing on: the default build */
    gale_exec_init(&ex, &cfg);
    gale_exec_task_init(&task_a, ping_poll, NULL, 0);
    gale_exec_task_init(&task_b, pong_poll, NULL, 0);
    ch_ab = (chan_t){ 0, 0, &task_b };
    ch_ba = (chan_t){ 0, 0, &task_a };
    trips = 0;
    served = false;
    t_start = t_end = 0;
    gale_exec_spawn(&ex, &task_a);
    gale_exec_spawn(&ex, &task_b);
    gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, exec_main, &ex, NULL, NULL, GALE_PRIO_PREEMPT(3),
                              GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    CG_TOGGLE();
    gale_sim_run();
    CG_TOGGLE();
    return (t_end - t_start) / (double)iters;
}

/* ---- ping-pong: two kernel threads through two semaphores ------------------- */
static gale_sem_t s_ab, s_ba;
static void kping(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    t_start = now_ns();
    for (long i = 0; i < iters; i++) {
        gale_kernel_sem_give(&s_ab);
        gale_kernel_sem_take(&s_ba, GALE_FOREVER);
    }
    t_end = now_ns();
}
static void kpong(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (long i = 0; i < iters; i++) {
        gale_kernel_sem_take(&s_ab, GALE_FOREVER);
        gale_kernel_sem_give(&s_ba);
    }
}

static double run_pingkern(void)
{
    sim_begin();
    gale_kernel_sem_init(&s_ab, 0, 1);
    gale_kernel_sem_init(&s_ba, 0, 1);
    gale_kernel_thread_create(&tb, stack_b, sizeof stack_b, kpong, NULL, NULL, NULL, GALE_PRIO_PREEMPT(3),
                              GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, kping, NULL, NULL, NULL, GALE_PRIO_PREEMPT(3),
                              GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    CG_TOGGLE();
    gale_sim_run();
    CG_TOGGLE();
    return (t_end - t_start) / (double)iters;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sizes") == 0) {
        printf("sizeof(gale_exec_task_t) %zu\nsizeof(gale_exec_task_ext_t) %zu\nsizeof(gale_exec_t) %zu\n"
               "sizeof(gale_exec_timer_t) %zu\nsizeof(gale_thread_t) %zu\n",
               sizeof(gale_exec_task_t), sizeof(gale_exec_task_ext_t), sizeof(gale_exec_t),
               sizeof(gale_exec_timer_t), sizeof(gale_thread_t));
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: bench_exec <spawn|spawnrun|wake|wakeisr|pingexec|pingkern> <iterations> [runs] | sizes\n");
        return 2;
    }
    cg_mode = getenv("GALE_BENCH_CALLGRIND") != NULL;
    const char *mode = argv[1];
    iters = atol(argv[2]);
    int runs = argc > 3 ? atoi(argv[3]) : 1;
    if (iters <= 0 || runs <= 0 || runs > 1000) {
        fprintf(stderr, "bench_exec: iterations and runs must be positive (runs <= 1000)\n");
        return 2;
    }
    double r[1000];
    for (int i = 0; i < runs; i++) {
        if (strcmp(mode, "spawn") == 0) r[i] = run_spawn(false);
        else if (strcmp(mode, "spawnrun") == 0) r[i] = run_spawn(true);
        else if (strcmp(mode, "wake") == 0) r[i] = run_wake();
        else if (strcmp(mode, "wakeisr") == 0) r[i] = run_wakeisr();
        else if (strcmp(mode, "pingexec") == 0) r[i] = run_pingexec();
        else if (strcmp(mode, "pingkern") == 0) r[i] = run_pingkern();
        else {
            fprintf(stderr, "bench_exec: unknown mode '%s'\n", mode);
            return 2;
        }
    }
    qsort(r, (size_t)runs, sizeof r[0], cmp);
    printf("%s: median %.1f ns/op (min %.1f, max %.1f; %d runs x %ld)\n", mode, r[runs / 2], r[0], r[runs - 1],
           runs, iters);
    return 0;
}
