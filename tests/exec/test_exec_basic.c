/* Executor unit tests: task lifecycle, wakes, cancel, FIFO / priorities, the
 * round-fairness bound, budgets and overruns, timers, thread and interrupt
 * executors, several executors on one core. */
#include "etest.h"

/* ---- a scripted task ---------------------------------------------------- */

typedef struct script {
    int polls;
    int ready_at;          /* return READY on this poll number (1-based); 0 = never */
    int self_wakes;        /* wake self during each of the next N polls */
    int wake_rets[4];      /* results of the self-wakes of the last poll */
    bool cancel_self;      /* cancel self during the next poll */
    int order_id;
} script_t;

static int order[256];
static int norder;

static gale_exec_poll_t script_poll(gale_exec_cx_t *cx, void *ctx)
{
    script_t *s = ctx;
    s->polls++;
    if (norder < 256)
        order[norder++] = s->order_id;
    if (s->self_wakes > 0) {
        s->self_wakes--;
        s->wake_rets[0] = gale_exec_wake(cx->exec, cx->task);
        s->wake_rets[1] = gale_exec_wake(cx->exec, cx->task);
    }
    if (s->cancel_self) {
        s->cancel_self = false;
        (void)gale_exec_cancel(cx->exec, cx->task);
    }
    return (s->ready_at != 0 && s->polls >= s->ready_at) ? GALE_EXEC_READY : GALE_EXEC_PENDING;
}

static int done_calls, done_status;
static gale_exec_task_t *done_task;
static void on_done(gale_exec_t *e, gale_exec_task_t *t, int status, void *arg)
{
    (void)e;
    (void)arg;
    done_calls++;
    done_status = status;
    done_task = t;
}

static void reset_globals(void)
{
    norder = 0;
    done_calls = 0;
    done_status = 1;
    done_task = NULL;
}

static gale_exec_t ex;

static void exec_setup(void)
{
    reset_globals();
    gale_exec_config_t cfg = { .on_done = on_done };
    assert_int_equal(gale_exec_init(&ex, &cfg), GALE_OK);
}

/* ---- API errors ---------------------------------------------------------- */

static void noop_signal(gale_exec_t *e, void *arg)
{
    (void)e;
    (void)arg;
}

static void test_errors(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    gale_exec_task_t t = { 0 }, u = { 0 };
    script_t s = { 0 };
    assert_int_equal(gale_exec_task_init(NULL, script_poll, &s, 0), GALE_EINVAL);
    assert_non_null(strstr(gale_exec_last_error(), "task is NULL"));
    assert_int_equal(gale_exec_task_init(&t, NULL, &s, 0), GALE_EINVAL);
    assert_non_null(strstr(gale_exec_last_error(), "poll function is NULL"));
    assert_int_equal(gale_exec_task_init(&t, script_poll, &s, GALE_EXEC_PRIOS), GALE_EINVAL);
    assert_non_null(strstr(gale_exec_last_error(), "priority"));
    assert_int_equal(gale_exec_init(NULL, NULL), GALE_EINVAL);
    gale_exec_t bad = { 0 };
    assert_int_equal(gale_exec_task_init(&t, script_poll, &s, 1), GALE_OK);
    assert_int_equal(gale_exec_spawn(&bad, &t), GALE_EINVAL);
    assert_non_null(strstr(gale_exec_last_error(), "not initialised"));
    assert_int_equal(gale_exec_spawn(&ex, NULL), GALE_EINVAL);
    /* a wake of a never-spawned task is harmless */
    assert_int_equal(gale_exec_wake(&ex, &t), 0);
    assert_int_equal(gale_exec_spawn(&ex, &t), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &t), GALE_EBUSY);
    assert_non_null(strstr(gale_exec_last_error(), "live"));
    /* a task of another executor */
    gale_exec_t other;
    assert_int_equal(gale_exec_init(&other, NULL), GALE_OK);
    assert_int_equal(gale_exec_wake(&other, &t), GALE_EINVAL);
    assert_non_null(strstr(gale_exec_last_error(), "another executor"));
    assert_int_equal(gale_exec_cancel(&other, &t), GALE_EINVAL);
    /* no stats on a plain task */
    gale_exec_task_stats_t st;
    assert_int_equal(gale_exec_task_stats_get(&t, &st), GALE_ENOSYS);
    /* run() needs a kernel thread; an interrupt executor cannot run() */
    assert_int_equal(gale_exec_run(&ex), GALE_ECONTEXT);
    gale_exec_config_t icfg = { .signal = noop_signal };
    gale_exec_t ie;
    assert_int_equal(gale_exec_init(&ie, &icfg), GALE_OK);
    assert_int_equal(gale_exec_run(&ie), GALE_EINVAL);
    icfg.watchdog = true;
    assert_int_equal(gale_exec_init(&ie, &icfg), GALE_EINVAL);
    assert_int_equal(gale_exec_task_ext_init(NULL, script_poll, NULL, 0, 0, 0), GALE_EINVAL);
    gale_exec_task_ext_t x = { 0 };
    assert_int_equal(gale_exec_task_ext_init(&x, script_poll, NULL, 0, 0, 0x80), GALE_EINVAL);
    (void)u;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void test_ready_first_poll(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    script_t s = { .ready_at = 1 };
    gale_exec_task_t t;
    assert_int_equal(gale_exec_task_init(&t, script_poll, &s, 0), GALE_OK);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_FREE);
    assert_int_equal(gale_exec_spawn(&ex, &t), GALE_OK);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_QUEUED);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(s.polls, 1);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_DONE);
    assert_false(gale_exec_task_cancelled(&t));
    assert_int_equal(done_calls, 1);
    assert_int_equal(done_status, GALE_OK);
    assert_ptr_equal(done_task, &t);
    /* wakes of a done task are harmless and never poll it */
    assert_int_equal(gale_exec_wake(&ex, &t), 0);
    assert_int_equal(gale_exec_run_once(&ex), 0);
    assert_int_equal(s.polls, 1);
    /* respawn after DONE */
    s.ready_at = 2;
    assert_int_equal(gale_exec_spawn(&ex, &t), GALE_OK);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_DONE);
    assert_int_equal(done_calls, 2);
}

static void test_park_and_coalesce(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    script_t s = { 0 };
    gale_exec_task_t t;
    assert_int_equal(gale_exec_task_init(&t, script_poll, &s, 2), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &t), GALE_OK);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_IDLE);
    /* parked: nothing to do, no poll */
    assert_int_equal(gale_exec_run_once(&ex), 0);
    assert_int_equal(s.polls, 1);
    /* three wakes: the first schedules a poll, the others coalesce */
    assert_int_equal(gale_exec_wake(&ex, &t), 1);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_QUEUED);
    assert_int_equal(gale_exec_wake(&ex, &t), 0);
    assert_int_equal(gale_exec_waker_wake((gale_exec_waker_t){ &ex, &t }), 0);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(gale_exec_run_once(&ex), 0);
    assert_int_equal(s.polls, 2);
    gale_exec_stats_t st;
    gale_exec_stats_get(&ex, &st);
    assert_int_equal(st.wakes, 3);
    assert_int_equal(st.effective_wakes, 1);
    assert_int_equal(st.polls, 2);
    assert_int_equal(st.spawns, 1);
}

static void test_wake_during_poll_repolls(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    script_t s = { .self_wakes = 1 };
    gale_exec_task_t t;
    assert_int_equal(gale_exec_task_init(&t, script_poll, &s, 0), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &t), GALE_OK);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    /* the wake while RUNNING scheduled exactly one more poll; the second coalesced */
    assert_int_equal(s.wake_rets[0], 1);
    assert_int_equal(s.wake_rets[1], 0);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_QUEUED);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_IDLE);
    assert_int_equal(gale_exec_run_once(&ex), 0);
    assert_int_equal(s.polls, 2);
}

static void test_cancel(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    script_t a = { 0 }, b = { 0 }, c = { 0 };
    gale_exec_task_t ta, tb, tc;
    assert_int_equal(gale_exec_task_init(&ta, script_poll, &a, 0), GALE_OK);
    assert_int_equal(gale_exec_task_init(&tb, script_poll, &b, 0), GALE_OK);
    assert_int_equal(gale_exec_task_init(&tc, script_poll, &c, 0), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &ta), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &tc), GALE_OK);
    assert_int_equal(gale_exec_run_once(&ex), 2);
    /* parked -> cancelled: finished at dequeue, never polled */
    assert_int_equal(gale_exec_cancel(&ex, &ta), 0);
    assert_true(gale_exec_task_cancelled(&ta));
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(a.polls, 1);
    assert_int_equal(gale_exec_task_state(&ta), GALE_EXEC_TASK_DONE);
    assert_int_equal(done_status, GALE_ECANCELED);
    /* queued -> cancelled */
    assert_int_equal(gale_exec_spawn(&ex, &tb), GALE_OK);
    assert_int_equal(gale_exec_cancel(&ex, &tb), 0);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(b.polls, 0);
    assert_int_equal(gale_exec_task_state(&tb), GALE_EXEC_TASK_DONE);
    /* cancelled during its own poll: no further poll even though woken */
    c.cancel_self = true;
    c.self_wakes = 1;
    assert_int_equal(gale_exec_wake(&ex, &tc), 1);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(c.polls, 2);
    assert_int_equal(gale_exec_task_state(&tc), GALE_EXEC_TASK_DONE);
    assert_true(gale_exec_task_cancelled(&tc));
    assert_int_equal(gale_exec_run_once(&ex), 0);
    assert_int_equal(c.polls, 2);
    /* cancel of a done task: nothing */
    assert_int_equal(gale_exec_cancel(&ex, &tc), 0);
    assert_int_equal(gale_exec_run_once(&ex), 0);
    gale_exec_stats_t st;
    gale_exec_stats_get(&ex, &st);
    assert_int_equal(st.cancelled, 3);
    assert_int_equal(done_calls, 3);
}

/* ---- order ---------------------------------------------------------------- */

static void test_fifo_and_priorities(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    enum { N = 8 };
    script_t s[N];
    gale_exec_task_t t[N];
    for (int i = 0; i < N; i++) {
        s[i] = (script_t){ .order_id = i };
        assert_int_equal(gale_exec_task_init(&t[i], script_poll, &s[i], 1), GALE_OK);
        assert_int_equal(gale_exec_spawn(&ex, &t[i]), GALE_OK);
    }
    assert_int_equal(gale_exec_run_once(&ex), N);
    for (int i = 0; i < N; i++)
        assert_int_equal(order[i], i);       /* spawn order */
    /* equal priority: wake order is poll order */
    static const int w[N] = { 5, 2, 7, 0, 3, 6, 1, 4 };
    norder = 0;
    for (int i = 0; i < N; i++)
        assert_int_equal(gale_exec_wake(&ex, &t[w[i]]), 1);
    assert_int_equal(gale_exec_run_once(&ex), N);
    for (int i = 0; i < N; i++)
        assert_int_equal(order[i], w[i]);
    /* mixed priorities in one round: most urgent first, FIFO within each */
    static const unsigned prio[N] = { 3, 0, 2, 0, 1, 3, 2, 1 };
    for (int i = 0; i < N; i++) {
        assert_int_equal(gale_exec_cancel(&ex, &t[i]), 0);
    }
    assert_int_equal(gale_exec_run_once(&ex), N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(gale_exec_task_init(&t[i], script_poll, &s[i], prio[i]), GALE_OK);
        assert_int_equal(gale_exec_spawn(&ex, &t[i]), GALE_OK);
    }
    norder = 0;
    assert_int_equal(gale_exec_run_once(&ex), N);
    static const int want[N] = { 1, 3, 4, 7, 2, 6, 0, 5 };
    for (int i = 0; i < N; i++)
        assert_int_equal(order[i], want[i]);
}

/* The round-fairness bound: every task queued at the start of a round is
 * polled once before any task is polled twice, whatever the priorities, also
 * when tasks re-ready themselves on every poll (the hogs) and others arrive
 * mid-round. */
typedef struct hog {
    int id;
    int polls;
    gale_exec_task_t *wake_other;   /* wake this (parked) task during each poll */
} hog_t;

static gale_exec_poll_t hog_poll(gale_exec_cx_t *cx, void *ctx)
{
    hog_t *h = ctx;
    h->polls++;
    if (norder < 256)
        order[norder++] = h->id;
    gale_exec_cx_yield(cx);
    if (h->wake_other != NULL)
        (void)gale_exec_wake(cx->exec, h->wake_other);
    return GALE_EXEC_PENDING;
}

static void test_round_fairness(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    enum { N = 6, ROUNDS = 40 };
    static const unsigned prio[N] = { 0, 3, 1, 0, 2, 3 };
    hog_t h[N];
    gale_exec_task_t t[N];
    script_t late = { .order_id = 100 };
    gale_exec_task_t tl;
    exec_setup();
    assert_int_equal(gale_exec_task_init(&tl, script_poll, &late, 0), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &tl), GALE_OK);
    assert_int_equal(gale_exec_run_once(&ex), 1);     /* late parks */
    for (int i = 0; i < N; i++) {
        h[i] = (hog_t){ .id = i, .wake_other = (i == 1) ? &tl : NULL };
        assert_int_equal(gale_exec_task_init(&t[i], hog_poll, &h[i], prio[i]), GALE_OK);
        assert_int_equal(gale_exec_spawn(&ex, &t[i]), GALE_OK);
    }
    for (int r = 0; r < ROUNDS; r++) {
        norder = 0;
        int n = gale_exec_run_once(&ex);
        /* round r polls the N hogs (+ 'late' from round 1 on, woken in round r-1 by hog 1) */
        assert_int_equal(n, N + (r > 0 ? 1 : 0));
        int seen[N + 1] = { 0 };
        int last_prio = -1;
        for (int k = 0; k < norder; k++) {
            int id = order[k];
            int idx = id == 100 ? N : id;
            seen[idx]++;
            int p = id == 100 ? 0 : (int)prio[id];
            assert_true(p >= last_prio);            /* most urgent first within the round */
            last_prio = p;
        }
        for (int i = 0; i < N; i++)
            assert_int_equal(seen[i], 1);           /* each once, none twice */
        assert_int_equal(seen[N], r > 0 ? 1 : 0);   /* the mid-round arrival waits for the next round */
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(h[i].polls, ROUNDS);
    /* the same bound from the poll sequence alone: between two polls of a hog,
     * every other hog is polled exactly once */
    norder = 0;
    for (int r = 0; r < 10; r++)
        (void)gale_exec_run_once(&ex);
    for (int a = 0; a < norder; a++) {
        if (order[a] == 100)
            continue;
        int b = a + 1;
        while (b < norder && order[b] != order[a])
            b++;
        if (b == norder)
            continue;
        int cnt[N] = { 0 };
        for (int k = a + 1; k < b; k++)
            if (order[k] != 100)
                cnt[order[k]]++;
        for (int i = 0; i < N; i++)
            if (i != order[a])
                assert_int_equal(cnt[i], 1);
    }
    gale_exec_stats_t st;
    gale_exec_stats_get(&ex, &st);
    assert_int_equal(st.rounds, 1 + ROUNDS + 10);
}

/* ---- budgets ---------------------------------------------------------------- */

static int overruns;
static uint32_t overrun_used, overrun_budget;
static bool overrun_in_isr;
static int watchdog_hits;
static void on_overrun(gale_exec_t *e, gale_exec_task_t *t, uint32_t used, uint32_t budget, void *arg)
{
    (void)e;
    (void)t;
    (void)arg;
    if (gale_kernel_isr_active()) {
        watchdog_hits++;
        overrun_in_isr = true;
        return;
    }
    overruns++;
    overrun_used = used;
    overrun_budget = budget;
}

typedef struct fuel_task {
    uint32_t got_budget;
    uint32_t use;
    bool exhausted;
} fuel_task_t;

static gale_exec_poll_t fuel_poll(gale_exec_cx_t *cx, void *ctx)
{
    fuel_task_t *f = ctx;
    f->got_budget = gale_exec_cx_budget(cx);
    gale_exec_cx_report(cx, f->use, f->exhausted);
    return GALE_EXEC_PENDING;
}

static void test_fuel_budget(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    overruns = 0;
    gale_exec_config_t cfg = { .budget_fuel = 5000, .budget_cycles = 1, .on_overrun = on_overrun };
    assert_int_equal(gale_exec_init(&ex, &cfg), GALE_OK);
    fuel_task_t f = { .use = 1200 };
    gale_exec_task_ext_t t;
    assert_int_equal(gale_exec_task_ext_init(&t, fuel_poll, &f, 0, 0, GALE_EXEC_TASK_F_FUEL), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &t.task), GALE_OK);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(f.got_budget, 5000);          /* the executor default fuel */
    assert_int_equal(overruns, 0);                 /* fuel tasks are judged by fuel, not time */
    f.use = 5000;                                  /* ran out of fuel */
    assert_int_equal(gale_exec_wake(&ex, &t.task), 1);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(overruns, 1);
    assert_int_equal(overrun_used, 5000);
    assert_int_equal(overrun_budget, 5000);
    t.budget = 100;                                /* per-task budget overrides */
    f.use = 10;
    f.exhausted = true;                            /* engine says: trapped on fuel */
    assert_int_equal(gale_exec_wake(&ex, &t.task), 1);
    assert_int_equal(gale_exec_run_once(&ex), 1);
    assert_int_equal(f.got_budget, 100);
    assert_int_equal(overruns, 2);
    gale_exec_task_stats_t st;
    assert_int_equal(gale_exec_task_stats_get(&t.task, &st), GALE_OK);
    assert_int_equal(st.polls, 3);
    assert_int_equal(st.wakes, 2);
    assert_int_equal(st.overruns, 2);
}

/* C task: measured time (virtual ns on the simulator) + watchdog. */
typedef struct busy { uint64_t ns[4]; int polls; } busy_t;

static gale_exec_poll_t busy_poll(gale_exec_cx_t *cx, void *ctx)
{
    busy_t *b = ctx;
    assert_int_equal(gale_sim_busy_ns(b->ns[b->polls]), GALE_OK);
    b->polls++;
    if (b->polls == 3) {
        gale_exec_stop(cx->exec);
        return GALE_EXEC_READY;
    }
    gale_exec_cx_yield(cx);
    return GALE_EXEC_PENDING;
}

static void test_time_budget_watchdog(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    overruns = watchdog_hits = 0;
    overrun_in_isr = false;
    gale_exec_config_t cfg = { .budget_cycles = 1000000 /* 1 ms */, .watchdog = true, .on_overrun = on_overrun };
    assert_int_equal(gale_exec_init(&ex, &cfg), GALE_OK);
    busy_t b = { .ns = { 200000, 3000000, 999000 } };
    gale_exec_task_ext_t t;
    assert_int_equal(gale_exec_task_ext_init(&t, busy_poll, &b, 0, 0, 0), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &t.task), GALE_OK);
    et_start(et_thread(0, et_exec_main, &ex, NULL, GALE_PRIO_PREEMPT(5)));
    assert_int_equal(gale_sim_run(), 0);
    assert_int_equal(b.polls, 3);
    assert_int_equal(overruns, 1);                  /* only the 3 ms poll */
    assert_int_equal(overrun_used, 3000000);
    assert_int_equal(overrun_budget, 1000000);
    assert_int_equal(watchdog_hits, 1);             /* fired while that poll still ran */
    gale_exec_task_stats_t st;
    assert_int_equal(gale_exec_task_stats_get(&t.task, &st), GALE_OK);
    assert_int_equal(st.max_poll_cycles, 3000000);
    assert_int_equal(st.last_poll_cycles, 999000);
    assert_int_equal(st.overruns, 1);
    gale_exec_stats_t es;
    gale_exec_stats_get(&ex, &es);
    assert_int_equal(es.max_poll_cycles, 3000000);
    assert_int_equal(es.overruns, 1);
}

/* ---- timers and blocking ------------------------------------------------------ */

typedef struct sleeper {
    gale_exec_timer_t tm;
    uint64_t period, next;
    int polls, fires;
    uint64_t at[8];
} sleeper_t;

static gale_exec_poll_t sleeper_poll(gale_exec_cx_t *cx, void *ctx)
{
    sleeper_t *s = ctx;
    s->at[s->polls < 8 ? s->polls : 7] = gale_kernel_uptime_ticks();
    s->polls++;
    while (gale_exec_sleep_until(cx, &s->tm, s->next)) {
        s->fires++;
        if (s->fires == 4) {
            gale_exec_stop(cx->exec);
            return GALE_EXEC_READY;
        }
        s->next += s->period;
    }
    return GALE_EXEC_PENDING;
}

static void test_timers_block_in_kernel(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    sleeper_t a = { .period = gale_kernel_ms_to_ticks_ceil(10), .tm = GALE_EXEC_TIMER_INITIALIZER };
    sleeper_t b = { .period = gale_kernel_ms_to_ticks_ceil(25), .tm = GALE_EXEC_TIMER_INITIALIZER };
    a.next = a.period;
    b.next = b.period;
    gale_exec_task_t ta, tb;
    assert_int_equal(gale_exec_task_init(&ta, sleeper_poll, &a, 1), GALE_OK);
    assert_int_equal(gale_exec_task_init(&tb, sleeper_poll, &b, 1), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &ta), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &tb), GALE_OK);
    et_start(et_thread(0, et_exec_main, &ex, NULL, GALE_PRIO_PREEMPT(3)));
    assert_int_equal(gale_sim_run(), 0);
    /* a fires at 10, 20, 30, 40 ms: one poll per expiry, at the expiry */
    assert_int_equal(a.fires, 4);
    assert_int_equal(a.polls, 5);                 /* spawn + one per expiry */
    for (int i = 1; i <= 4; i++)
        assert_int_equal(a.at[i], (uint64_t)i * a.period);
    /* b was still sleeping (25, 50 ms): polled at spawn and at 25 ms only */
    assert_int_equal(b.polls, 2);
    assert_int_equal(b.at[1], b.period);
    assert_int_equal(gale_exec_task_state(&tb), GALE_EXEC_TASK_IDLE);
    gale_exec_stats_t st;
    gale_exec_stats_get(&ex, &st);
    assert_int_equal(st.polls, 7);                /* no periodic polling */
    assert_true(st.sleeps >= 5);                  /* it blocked in the kernel between expiries */
    assert_int_equal(st.timer_fires, 5);
    assert_true(gale_sim_time_ns() >= 40000000ull && gale_sim_time_ns() < 41000000ull);
}

/* An ISR wakes a parked task; the executor thread was blocked in the kernel. */
static gale_exec_task_t isr_task;
static int isr_polls;
static uint64_t isr_poll_at;
static gale_exec_poll_t isr_task_poll(gale_exec_cx_t *cx, void *ctx)
{
    (void)ctx;
    isr_polls++;
    isr_poll_at = gale_sim_time_ns();
    if (isr_polls == 2) {
        gale_exec_stop(cx->exec);
        return GALE_EXEC_READY;
    }
    return GALE_EXEC_PENDING;
}
static int isr_wake_ret;
static void isr_handler(void *arg)
{
    (void)arg;
    isr_wake_ret = gale_exec_wake(&ex, &isr_task);
}

static void test_isr_wake(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    exec_setup();
    isr_polls = 0;
    assert_int_equal(gale_exec_task_init(&isr_task, isr_task_poll, NULL, 0), GALE_OK);
    assert_int_equal(gale_exec_spawn(&ex, &isr_task), GALE_OK);
    assert_int_equal(gale_sim_irq_raise_at(0, 7000000, isr_handler, NULL), GALE_OK);
    et_start(et_thread(0, et_exec_main, &ex, NULL, GALE_PRIO_PREEMPT(3)));
    assert_int_equal(gale_sim_run(), 0);
    assert_int_equal(isr_wake_ret, 1);
    assert_int_equal(isr_polls, 2);
    assert_int_equal(isr_poll_at, 7000000);       /* polled at the IRQ's instant: time jumped there */
    gale_exec_stats_t st;
    gale_exec_stats_get(&ex, &st);
    assert_true(st.sleeps >= 1 && st.sleeps <= 2);   /* + one spurious return for the spawn's token */
}

/* ---- interrupt executor ---------------------------------------------------------- */

static gale_exec_t iex;
static int isr_runs, polls_in_isr;
static void iex_isr(void *arg)
{
    (void)arg;
    isr_runs++;
    (void)gale_exec_run_once(&iex);
}
static void iex_signal(gale_exec_t *e, void *arg)
{
    (void)e;
    (void)arg;
    (void)gale_sim_irq_raise_at(gale_kernel_cpu_id(), gale_sim_time_ns(), iex_isr, NULL);
}
static gale_exec_poll_t iex_poll(gale_exec_cx_t *cx, void *ctx)
{
    sleeper_t *s = ctx;
    if (gale_kernel_isr_active())
        polls_in_isr++;
    s->at[s->polls < 8 ? s->polls : 7] = gale_kernel_uptime_ticks();
    s->polls++;
    while (gale_exec_sleep_until(cx, &s->tm, s->next)) {
        if (++s->fires == 3)
            return GALE_EXEC_READY;
        s->next += s->period;
    }
    return GALE_EXEC_PENDING;
}
static void idle_main(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(100));
}

static void test_interrupt_executor(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    isr_runs = polls_in_isr = 0;
    gale_exec_config_t cfg = { .signal = iex_signal };
    assert_int_equal(gale_exec_init(&iex, &cfg), GALE_OK);
    sleeper_t s = { .period = gale_kernel_ms_to_ticks_ceil(5), .tm = GALE_EXEC_TIMER_INITIALIZER };
    s.next = s.period;
    gale_exec_task_t t;
    assert_int_equal(gale_exec_task_init(&t, iex_poll, &s, 0), GALE_OK);
    assert_int_equal(gale_exec_spawn(&iex, &t), GALE_OK);     /* signals: raises the IRQ */
    et_start(et_thread(0, idle_main, NULL, NULL, GALE_PRIO_PREEMPT(3)));
    assert_int_equal(gale_sim_run(), 0);
    assert_int_equal(gale_exec_task_state(&t), GALE_EXEC_TASK_DONE);
    assert_int_equal(s.polls, 4);
    assert_int_equal(polls_in_isr, 4);            /* every poll ran in the ISR */
    for (int i = 1; i < 4; i++)
        assert_int_equal(s.at[i], (uint64_t)i * s.period);
    assert_true(isr_runs >= 4 && isr_runs <= 8);
}

/* ---- two executors on one core, waking each other --------------------------------- */

static gale_exec_t exa, exb;
static gale_exec_task_t pa, pb;
static int ball_a, ball_b, hits_a, hits_b;
enum { PINGS = 200 };
static gale_exec_poll_t ping_a(gale_exec_cx_t *cx, void *ctx)
{
    (void)cx; (void)ctx;
    if (ball_a) {
        ball_a = 0;
        hits_a++;
        if (hits_a == PINGS) {
            gale_exec_stop(&exa);
            gale_exec_stop(&exb);
            return GALE_EXEC_READY;
        }
        ball_b = 1;
        assert_int_equal(gale_exec_wake(&exb, &pb), 1);
    }
    return GALE_EXEC_PENDING;
}
static gale_exec_poll_t ping_b(gale_exec_cx_t *cx, void *ctx)
{
    (void)cx; (void)ctx;
    if (ball_b) {
        ball_b = 0;
        hits_b++;
        ball_a = 1;
        assert_int_equal(gale_exec_wake(&exa, &pa), 1);
    }
    return GALE_EXEC_PENDING;
}

static void test_two_executors_one_core(void **state)
{
    (void)state;
    et_begin(1, GALE_SIM_DETERMINISTIC);
    ball_a = 1; ball_b = 0; hits_a = hits_b = 0;
    assert_int_equal(gale_exec_init(&exa, NULL), GALE_OK);
    assert_int_equal(gale_exec_init(&exb, NULL), GALE_OK);
    assert_int_equal(gale_exec_task_init(&pa, ping_a, NULL, 0), GALE_OK);
    assert_int_equal(gale_exec_task_init(&pb, ping_b, NULL, 0), GALE_OK);
    assert_int_equal(gale_exec_spawn(&exa, &pa), GALE_OK);
    assert_int_equal(gale_exec_spawn(&exb, &pb), GALE_OK);
    et_start(et_thread(0, et_exec_main, &exa, NULL, GALE_PRIO_PREEMPT(4)));
    et_start(et_thread(1, et_exec_main, &exb, NULL, GALE_PRIO_PREEMPT(2)));
    assert_int_equal(gale_sim_run(), 0);
    assert_int_equal(hits_a, PINGS);
    assert_int_equal(hits_b, PINGS - 1);
    gale_exec_stats_t sa, sb;
    gale_exec_stats_get(&exa, &sa);
    gale_exec_stats_get(&exb, &sb);
    assert_int_equal(sa.polls, PINGS + 0);        /* spawn poll + PINGS-1 wakes */
    assert_int_equal(sb.polls, PINGS);            /* spawn poll + PINGS-1 wakes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_ready_first_poll),
        cmocka_unit_test(test_park_and_coalesce),
        cmocka_unit_test(test_wake_during_poll_repolls),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_fifo_and_priorities),
        cmocka_unit_test(test_round_fairness),
        cmocka_unit_test(test_fuel_budget),
        cmocka_unit_test(test_time_budget_watchdog),
        cmocka_unit_test(test_timers_block_in_kernel),
        cmocka_unit_test(test_isr_wake),
        cmocka_unit_test(test_interrupt_executor),
        cmocka_unit_test(test_two_executors_one_core),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
