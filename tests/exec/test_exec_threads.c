/* Executor wake path under real OS threads (pthreads), no simulator: the
 * executor runs as a custom-signalled executor (cfg.signal) on one pthread,
 * NW pthreads wake its tasks as fast as they can. Built twice: in host-debug
 * (ASan + UBSan, a CTest) and with ThreadSanitizer by tsan.sh (CTest
 * exec_tsan), which checks the lock-free protocol for data races.
 *
 * Invariant per task after the wakers stop and the executor drained:
 * polls == 1 + (wakes that returned 1), and the last poll saw the final
 * generation (no wake lost, none doubled). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "etest.h"

enum { NT = 6, NW = 4 };

typedef struct ttask {
    gale_exec_task_t t;
    _Atomic uint32_t gen;
    _Atomic uint32_t scheduled;
    uint32_t polls, seen;
    uint64_t rng;
} ttask_t;

static gale_exec_t tx;
static ttask_t tt[NT];
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int signalled;
static _Atomic int stop_exec;
static _Atomic uint64_t signals;
static int wakes_each;

static void tsignal(gale_exec_t *e, void *arg)
{
    (void)e;
    (void)arg;
    atomic_fetch_add_explicit(&signals, 1, memory_order_relaxed);
    pthread_mutex_lock(&mtx);
    signalled = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&mtx);
}

static gale_exec_poll_t tpoll(gale_exec_cx_t *cx, void *ctx)
{
    ttask_t *s = ctx;
    s->seen = atomic_load(&s->gen);
    s->polls++;
    uint64_t r = et_rand(&s->rng);
    for (volatile unsigned i = 0; i < (unsigned)(r % 200); i++) {
    }
    if ((r >> 40) % 8 == 0 && gale_exec_wake(cx->exec, cx->task) == 1)
        atomic_fetch_add(&s->scheduled, 1);
    return GALE_EXEC_PENDING;
}

static void *exec_thread(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mtx);
        while (!signalled && !atomic_load(&stop_exec))
            pthread_cond_wait(&cond, &mtx);
        signalled = 0;
        pthread_mutex_unlock(&mtx);
        if (atomic_load(&stop_exec))
            break;
        if (gale_exec_run_once(&tx) < 0)
            abort();
    }
    /* drain what is left (the wakers are done) */
    while (gale_exec_run_once(&tx) > 0) {
    }
    return NULL;
}

static void *waker_thread(void *arg)
{
    uint64_t rng = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
    for (int i = 0; i < wakes_each; i++) {
        ttask_t *s = &tt[et_below(&rng, NT)];
        atomic_fetch_add(&s->gen, 1);
        int r = gale_exec_wake(&tx, &s->t);
        if (r == 1)
            atomic_fetch_add(&s->scheduled, 1);
        else if (r != 0)
            abort();
        if (et_below(&rng, 16) == 0)
            sched_yield();
    }
    return NULL;
}

static void one_run(uint64_t seed)
{
    gale_exec_config_t cfg = { .signal = tsignal, .no_timing = true };
    assert_int_equal(gale_exec_init(&tx, &cfg), GALE_OK);
    atomic_store(&stop_exec, 0);
    signalled = 0;
    for (int i = 0; i < NT; i++) {
        memset(&tt[i], 0, sizeof tt[i]);
        tt[i].rng = seed * 977u + (uint64_t)i + 1u;
        assert_int_equal(gale_exec_task_init(&tt[i].t, tpoll, &tt[i], (unsigned)i % GALE_EXEC_PRIOS), GALE_OK);
        assert_int_equal(gale_exec_spawn(&tx, &tt[i].t), GALE_OK);
    }
    pthread_t ex, w[NW];
    assert_int_equal(pthread_create(&ex, NULL, exec_thread, NULL), 0);
    for (int i = 0; i < NW; i++)
        assert_int_equal(pthread_create(&w[i], NULL, waker_thread, (void *)(uintptr_t)(seed * NW + (uint64_t)i)), 0);
    for (int i = 0; i < NW; i++)
        pthread_join(w[i], NULL);
    atomic_store(&stop_exec, 1);
    tsignal(&tx, NULL);
    pthread_join(ex, NULL);
    for (int i = 0; i < NT; i++) {
        ttask_t *s = &tt[i];
        uint32_t sched = atomic_load(&s->scheduled), gen = atomic_load(&s->gen);
        if (s->polls != 1 + sched || s->seen != gen || gale_exec_task_state(&s->t) != GALE_EXEC_TASK_IDLE)
            fail_msg("seed %llu task %d: polls %u, 1 + scheduled %u, saw gen %u of %u, state %u",
                     (unsigned long long)seed, i, s->polls, 1 + sched, s->seen, gen, gale_exec_task_state(&s->t));
    }
}

static void test_pthreads(void **state)
{
    (void)state;
    gale_sim_config_t c = { 1, GALE_SIM_DETERMINISTIC, 0, true };
    assert_int_equal(gale_sim_setup(&c), GALE_OK);
    assert_int_equal(gale_kernel_init(), GALE_OK);
    int runs = getenv("GALE_STRESS_RUNS") ? atoi(getenv("GALE_STRESS_RUNS")) : 20;
    wakes_each = getenv("GALE_STRESS_WAKES") ? atoi(getenv("GALE_STRESS_WAKES")) : 20000;
    uint64_t polls = 0, wakes = 0, eff = 0;
    for (int r = 1; r <= runs; r++) {
        one_run((uint64_t)r);
        gale_exec_stats_t st;
        gale_exec_stats_get(&tx, &st);
        polls += st.polls;
        wakes += st.wakes;
        eff += st.effective_wakes;
    }
    printf("pthreads: %d runs x %d wakers x %d wakes: %llu wakes (%llu effective), %llu polls, %llu signals\n",
           runs, NW, wakes_each, (unsigned long long)wakes, (unsigned long long)eff, (unsigned long long)polls,
           (unsigned long long)atomic_load(&signals));
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_pthreads) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
