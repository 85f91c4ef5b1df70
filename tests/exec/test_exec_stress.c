/* Executor stress: wakes from many threads and simulated ISRs at random
 * instants, also in the middle of polls, over many seeds.
 *
 * Invariant checked for every task at the end of every run (all wakers done,
 * executor idle):
 *   (1) polls == 1 + scheduled, where `scheduled` counts the wake calls that
 *       returned 1 — each wake that came after the task's last poll began
 *       leads to exactly one further poll (none lost, none doubled);
 *   (2) the last poll began after the last wake: it saw the final generation
 *       (each waker bumps the task's generation before it calls wake);
 *   (3) the task is parked (IDLE), nothing is left queued.
 *
 * Deterministic mode: 1 core, NW waker threads at priorities above and below
 * the executor, a chain of ISRs at random virtual instants, polls that burn
 * random virtual time (so ISRs and preemptions land inside polls), random
 * self-wakes. Real-time mode: 3 cores (one OS thread each), the executor on
 * core 0, wakers on cores 1 and 2, ISRs raised on core 0: true concurrency. */
#include <stdatomic.h>
#include <stdlib.h>

#include "etest.h"

enum { NT = 8, NW = 4 };

typedef struct stask {
    gale_exec_task_t t;
    _Atomic uint32_t gen;        /* bumped before every external wake */
    _Atomic uint32_t scheduled;  /* wakes that returned 1 */
    uint32_t polls;              /* executor thread only */
    uint32_t seen;               /* gen at the start of the last poll */
    uint32_t self_wake_ppm;
    uint64_t rng;
    uint32_t max_busy_ns;
} stask_t;

static gale_exec_t sx;
static stask_t tasks[NT];
static uint64_t seed_g;
static int wakes_per_waker;
static int isr_chain_left;
static _Atomic int isr_chain_done;
static _Atomic int wakers_done;
static bool realtime_mode;

static void do_wake(stask_t *s)
{
    atomic_fetch_add(&s->gen, 1);
    int r = gale_exec_wake(&sx, &s->t);
    if (r == 1)
        atomic_fetch_add(&s->scheduled, 1);
    else if (r != 0)
        fail_msg("wake returned %d", r);
}

static gale_exec_poll_t stress_poll(gale_exec_cx_t *cx, void *ctx)
{
    stask_t *s = ctx;
    (void)cx;
    s->seen = atomic_load(&s->gen);
    s->polls++;
    uint64_t r = et_rand(&s->rng);
    if (s->max_busy_ns != 0 && (r & 3) == 0) {
        if (realtime_mode) {
            for (volatile int i = 0; i < (int)(r % 2000); i++) {
            }
        } else {
            (void)gale_sim_busy_ns((r >> 8) % s->max_busy_ns);  /* ISRs / preemption land here */
        }
    }
    if ((uint32_t)((r >> 32) % 1000000u) < s->self_wake_ppm) {
        int w = gale_exec_wake(cx->exec, cx->task);          /* during its own poll */
        if (w == 1)
            atomic_fetch_add(&s->scheduled, 1);
    }
    return GALE_EXEC_PENDING;
}

static void waker_main(void *p1, void *p2, void *p3)
{
    (void)p3;
    uint64_t rng = seed_g * 7919u + (uintptr_t)p1 * 104729u + 1u;
    int mode = (int)(uintptr_t)p2;
    for (int i = 0; i < wakes_per_waker; i++) {
        stask_t *s = &tasks[et_below(&rng, NT)];
        do_wake(s);
        if (et_below(&rng, 3) == 0)
            do_wake(s);                                      /* back-to-back: coalesces */
        uint32_t d = et_below(&rng, 4);
        if (realtime_mode) {
            if (d == 0)
                gale_kernel_yield();
            else
                for (volatile uint32_t k = 0; k < et_below(&rng, 3000); k++) {
                }
        } else if (mode == 0 && d == 0) {
            gale_kernel_yield();
        } else if (d == 1) {
            (void)gale_sim_busy_ns(et_below(&rng, 20000));
        } else {
            gale_kernel_sleep(GALE_USEC(et_below(&rng, 50)));
        }
    }
    atomic_fetch_add(&wakers_done, 1);
}

static uint64_t isr_rng;
static void isr_wake(void *arg)
{
    (void)arg;
    stask_t *s = &tasks[et_below(&isr_rng, NT)];
    do_wake(s);
    if (--isr_chain_left > 0) {
        uint64_t at = gale_sim_time_ns() + et_below(&isr_rng, realtime_mode ? 20000 : 40000);
        if (gale_sim_irq_raise_at(0, at, isr_wake, NULL) != GALE_OK)
            fail_msg("irq raise failed");
    } else {
        atomic_store(&isr_chain_done, 1);
    }
}

static void controller_main(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    while (atomic_load(&wakers_done) < NW || !atomic_load(&isr_chain_done))
        gale_kernel_sleep(GALE_USEC(200));
    /* let the executor drain what the last wakes queued */
    for (int i = 0; i < 50; i++) {
        gale_kernel_sleep(GALE_USEC(200));
        gale_exec_stats_t st;
        gale_exec_stats_get(&sx, &st);
        bool busy = st.queued != 0;
        for (int k = 0; k < NT; k++)
            if (gale_exec_task_state(&tasks[k].t) != GALE_EXEC_TASK_IDLE)
                busy = true;
        if (!busy)
            break;
    }
    gale_exec_stop(&sx);
}

static void setup_run(uint64_t seed, bool rt)
{
    seed_g = seed;
    realtime_mode = rt;
    uint64_t r = seed * 0x9E3779B97F4A7C15ull + 3;
    wakes_per_waker = rt ? 3000 : 60 + (int)et_below(&r, 60);
    isr_chain_left = rt ? 2000 : 40 + (int)et_below(&r, 60);
    isr_rng = seed ^ 0xABCDEFull;
    atomic_store(&isr_chain_done, 0);
    atomic_store(&wakers_done, 0);
    gale_exec_config_t cfg = { .name = "stress" };
    assert_int_equal(gale_exec_init(&sx, &cfg), GALE_OK);
    for (int i = 0; i < NT; i++) {
        stask_t *s = &tasks[i];
        memset(s, 0, sizeof *s);
        s->rng = seed * 31u + (uint64_t)i + 1u;
        s->self_wake_ppm = et_below(&r, 4) == 0 ? 0 : et_below(&r, 300000);
        s->max_busy_ns = rt ? 1 : 1 + et_below(&r, 30000);
        assert_int_equal(gale_exec_task_init(&s->t, stress_poll, s, et_below(&r, GALE_EXEC_PRIOS)), GALE_OK);
        assert_int_equal(gale_exec_spawn(&sx, &s->t), GALE_OK);
    }
}

static void check_run(uint64_t seed)
{
    uint64_t total_polls = 0;
    for (int i = 0; i < NT; i++) {
        stask_t *s = &tasks[i];
        uint32_t sched = atomic_load(&s->scheduled), gen = atomic_load(&s->gen);
        if (s->polls != 1 + sched || s->seen != gen || gale_exec_task_state(&s->t) != GALE_EXEC_TASK_IDLE)
            fail_msg("seed %llu task %d: polls %u, 1 + scheduled %u, last poll saw gen %u of %u, state %u",
                     (unsigned long long)seed, i, s->polls, 1 + sched, s->seen, gen,
                     gale_exec_task_state(&s->t));
        total_polls += s->polls;
    }
    gale_exec_stats_t st;
    gale_exec_stats_get(&sx, &st);
    assert_int_equal(st.polls, total_polls);
    assert_int_equal(st.queued, 0);
    assert_true(st.effective_wakes <= st.wakes);
}

static void run_deterministic(uint64_t seed)
{
    et_begin(1, GALE_SIM_DETERMINISTIC);
    setup_run(seed, false);
    static const int wprio[NW] = { GALE_PRIO_PREEMPT(2), GALE_PRIO_PREEMPT(4), GALE_PRIO_PREEMPT(7),
                                   GALE_PRIO_COOP(3) };
    et_start(et_thread(0, et_exec_main, &sx, NULL, GALE_PRIO_PREEMPT(5)));
    for (int w = 0; w < NW; w++)
        et_start(et_thread(1 + w, waker_main, (void *)(uintptr_t)w, (void *)(uintptr_t)(w & 1), wprio[w]));
    et_start(et_thread(1 + NW, controller_main, NULL, NULL, GALE_PRIO_PREEMPT(12)));
    assert_int_equal(gale_sim_irq_raise_at(0, 1000, isr_wake, NULL), GALE_OK);
    int rc = gale_sim_run();
    if (rc != 0)
        fail_msg("seed %llu: sim run returned %d", (unsigned long long)seed, rc);
    check_run(seed);
}

static void test_deterministic_many_seeds(void **state)
{
    (void)state;
    int seeds = getenv("GALE_STRESS_SEEDS") ? atoi(getenv("GALE_STRESS_SEEDS")) : 300;
    uint64_t total = 0;
    for (int s = 1; s <= seeds; s++) {
        run_deterministic((uint64_t)s);
        gale_exec_stats_t st;
        gale_exec_stats_get(&sx, &st);
        total += st.polls;
    }
    printf("deterministic: %d seeds, %llu polls checked\n", seeds, (unsigned long long)total);
}

/* The same seed gives the same run (bit-identical trace: here, the counts). */
static void test_deterministic_repeatable(void **state)
{
    (void)state;
    uint32_t polls1[NT], polls2[NT];
    run_deterministic(4242);
    for (int i = 0; i < NT; i++)
        polls1[i] = tasks[i].polls;
    run_deterministic(4242);
    for (int i = 0; i < NT; i++)
        polls2[i] = tasks[i].polls;
    assert_memory_equal(polls1, polls2, sizeof polls1);
}

static void test_realtime_cores(void **state)
{
    (void)state;
    int runs = getenv("GALE_STRESS_RT_RUNS") ? atoi(getenv("GALE_STRESS_RT_RUNS")) : 4;
    for (int run = 1; run <= runs; run++) {
        gale_sim_config_t c = { 3, GALE_SIM_REALTIME, 60ull * 1000000000ull, true };
        assert_int_equal(gale_sim_setup(&c), GALE_OK);
        assert_int_equal(gale_kernel_init(), GALE_OK);
        gale_kernel_diag_quiet(true);
        setup_run((uint64_t)run * 1000u, true);
        gale_thread_t *t;
        t = et_thread(0, et_exec_main, &sx, NULL, GALE_PRIO_PREEMPT(5));
        assert_int_equal(gale_kernel_thread_cpu_pin(t, 0), GALE_OK);
        et_start(t);
        for (int w = 0; w < NW; w++) {
            t = et_thread(1 + w, waker_main, (void *)(uintptr_t)w, (void *)(uintptr_t)0, GALE_PRIO_PREEMPT(5));
            assert_int_equal(gale_kernel_thread_cpu_pin(t, 1 + (unsigned)(w & 1)), GALE_OK);
            et_start(t);
        }
        t = et_thread(1 + NW, controller_main, NULL, NULL, GALE_PRIO_PREEMPT(12));
        assert_int_equal(gale_kernel_thread_cpu_pin(t, 1), GALE_OK);
        et_start(t);
        assert_int_equal(gale_sim_irq_raise_at(0, 1000, isr_wake, NULL), GALE_OK);
        int rc = gale_sim_run();
        if (rc != 0)
            fail_msg("real-time run %d: sim run returned %d", run, rc);
        check_run((uint64_t)run);
        gale_exec_stats_t st;
        gale_exec_stats_get(&sx, &st);
        printf("real-time run %d: %llu wakes (%llu effective), %llu polls, %llu rounds, %llu sleeps\n", run,
               (unsigned long long)st.wakes, (unsigned long long)st.effective_wakes,
               (unsigned long long)st.polls, (unsigned long long)st.rounds, (unsigned long long)st.sleeps);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic_many_seeds),
        cmocka_unit_test(test_deterministic_repeatable),
        cmocka_unit_test(test_realtime_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
