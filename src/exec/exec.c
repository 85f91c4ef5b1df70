/* gale executor: tasks, wakers, ready queue, timers, budgets.
 *
 * Concurrency design (the protocol checked in proofs/exec/wake_poll.pml):
 * - task->state is one atomic byte. Every change is a compare-and-swap loop
 *   applying one pure transition of exec_core.c (proven with Frama-C WP), so
 *   each transition is a single atomic step, whatever context runs it.
 * - The inbox is a lock-free multi-producer / single-consumer stack (Treiber
 *   push; the executor takes it whole with one atomic exchange, so there is no
 *   ABA). Only the transitions that return GALE_EXEC_ACT_ENQUEUE push, and a
 *   task is then in no queue, so a task is in the inbox or the ready queue at
 *   most once. A push onto an empty inbox signals the executor (semaphore give
 *   for a thread executor, cfg.signal for an interrupt executor).
 * - The ready queue (FIFO lists per priority + proven round counters) belongs
 *   to the executor alone: no locking at all.
 * No interrupt masking is needed anywhere on the wake path.
 */
#include "gale/exec.h"

#include <stddef.h>

/* The decision core is compiled into this unit (same text as the proof
 * input), so the transitions inline on the wake path. */
#include "exec_core.c"

#define EXEC_MAGIC 0x47457863u /* "GExc" */

#define TIMER_IDLE  0u
#define TIMER_ARMED 1u
#define TIMER_FIRED 2u

_Static_assert(GALE_EXEC_TASK_FREE == GALE_EXEC_ST_FREE && GALE_EXEC_TASK_IDLE == GALE_EXEC_ST_IDLE &&
               GALE_EXEC_TASK_QUEUED == GALE_EXEC_ST_QUEUED && GALE_EXEC_TASK_RUNNING == GALE_EXEC_ST_RUNNING &&
               GALE_EXEC_TASK_WOKEN == GALE_EXEC_ST_WOKEN && GALE_EXEC_TASK_DONE == GALE_EXEC_ST_DONE,
               "exec.h and exec_core.h task states must match one to one");

static _Atomic uint8_t next_exec_id;

#if GALE_CONFIG_DIAG
static const char *last_error = "no error";

const char *gale_exec_last_error(void) { return last_error; }

static int fail(int err, const char *why)
{
    last_error = why;
    return err;
}
#define SET_LAST_ERROR(why) (last_error = (why))
#else
/* GALE_CONFIG_DIAG=0 (gale/config.h): error codes only, the texts are dropped. */
const char *gale_exec_last_error(void) { return ""; }
#define fail(err, why) (err)
#define SET_LAST_ERROR(why) ((void)(why))
#endif

/* GALE_CONFIG_EXEC_STATS=0 (gale/config.h): no statistics are kept. */
#if GALE_CONFIG_EXEC_STATS
#define STAT(x) (x)
#else
#define STAT(x) ((void)0)
#endif

/* ------------------------------------------------------------------------- */
/* Tasks                                                                      */
/* ------------------------------------------------------------------------- */

static inline gale_exec_task_ext_t *ext_of(gale_exec_task_t *t)
{
    return (t->flags & GALE_EXEC_TASK_F_EXT) ? (gale_exec_task_ext_t *)(void *)t : NULL;
}

static int task_init(gale_exec_task_t *t, gale_exec_poll_fn poll, void *ctx, unsigned prio, uint8_t flags)
{
    if (t == NULL)
        return fail(GALE_EINVAL, "gale_exec_task_init: task is NULL");
    if (poll == NULL)
        return fail(GALE_EINVAL, "gale_exec_task_init: poll function is NULL");
    if (prio >= GALE_EXEC_PRIOS)
        return fail(GALE_EINVAL, "gale_exec_task_init: priority out of range (0 .. GALE_EXEC_PRIOS-1)");
    t->next = NULL;
    t->poll = poll;
    t->ctx = ctx;
    t->prio = (uint8_t)prio;
    t->flags = flags;
    t->exec_id = 0;
    atomic_store_explicit(&t->state, (uint8_t)GALE_EXEC_ST_FREE, memory_order_release);
    return GALE_OK;
}

int gale_exec_task_init(gale_exec_task_t *task, gale_exec_poll_fn poll, void *ctx, unsigned prio)
{
    return task_init(task, poll, ctx, prio, 0);
}

int gale_exec_task_ext_init(gale_exec_task_ext_t *task, gale_exec_poll_fn poll, void *ctx,
                            unsigned prio, uint32_t budget, unsigned flags)
{
    if (task == NULL)
        return fail(GALE_EINVAL, "gale_exec_task_ext_init: task is NULL");
    if (flags & ~(unsigned)GALE_EXEC_TASK_F_FUEL)
        return fail(GALE_EINVAL, "gale_exec_task_ext_init: unknown flags (only GALE_EXEC_TASK_F_FUEL)");
    int rc = task_init(&task->task, poll, ctx, prio, (uint8_t)(GALE_EXEC_TASK_F_EXT | flags));
    if (rc != GALE_OK)
        return rc;
    task->budget = budget;
    atomic_store_explicit(&task->wakes, 0, memory_order_relaxed);
    task->polls = 0;
    task->overruns = 0;
    task->max_poll_cycles = 0;
    task->last_poll_cycles = 0;
    return GALE_OK;
}

unsigned gale_exec_task_state(const gale_exec_task_t *task)
{
    if (task == NULL)
        return GALE_EXEC_TASK_FREE;
    return atomic_load_explicit((_Atomic uint8_t *)&task->state, memory_order_acquire) & GALE_EXEC_ST_MASK;
}

bool gale_exec_task_cancelled(const gale_exec_task_t *task)
{
    return task != NULL &&
           (atomic_load_explicit((_Atomic uint8_t *)&task->state, memory_order_acquire) & GALE_EXEC_ST_CANCEL) != 0;
}

int gale_exec_task_stats_get(const gale_exec_task_t *task, gale_exec_task_stats_t *out)
{
    if (task == NULL || out == NULL)
        return fail(GALE_EINVAL, "gale_exec_task_stats_get: NULL argument");
    if (!(task->flags & GALE_EXEC_TASK_F_EXT))
        return fail(GALE_ENOSYS, "gale_exec_task_stats_get: plain task (use gale_exec_task_ext_t for stats)");
    if (!GALE_CONFIG_EXEC_STATS)
        return fail(GALE_ENOSYS, "gale_exec_task_stats_get: built with GALE_CONFIG_EXEC_STATS=0");
    const gale_exec_task_ext_t *x = (const gale_exec_task_ext_t *)(const void *)task;
    out->polls = x->polls;
    out->wakes = atomic_load_explicit((_Atomic uint32_t *)&x->wakes, memory_order_relaxed);
    out->overruns = x->overruns;
    out->max_poll_cycles = x->max_poll_cycles;
    out->last_poll_cycles = x->last_poll_cycles;
    out->budget = x->budget;
    return GALE_OK;
}

/* ------------------------------------------------------------------------- */
/* Signalling and the inbox                                                   */
/* ------------------------------------------------------------------------- */

static void exec_signal(gale_exec_t *e)
{
    if (e->cfg.signal != NULL)
        e->cfg.signal(e, e->cfg.arg);
    else
        (void)gale_kernel_sem_give(&e->sem); /* limit 1: GALE_EOVERFLOW = already signalled */
}

/* Treiber push (any context). Called only after a transition that returned
 * GALE_EXEC_ACT_ENQUEUE, so t is in no queue and nobody else writes t->next. */
static void inbox_push(gale_exec_t *e, gale_exec_task_t *t)
{
    gale_exec_task_t *old = atomic_load_explicit(&e->inbox, memory_order_relaxed);
    do {
        t->next = old;
    } while (!atomic_compare_exchange_weak_explicit(&e->inbox, &old, t, memory_order_release,
                                                    memory_order_relaxed));
    if (old == NULL)
        exec_signal(e);
}

/* ------------------------------------------------------------------------- */
/* Ready queue (executor only)                                                */
/* ------------------------------------------------------------------------- */

static void rq_append(gale_exec_t *e, gale_exec_task_t *t)
{
    unsigned p = t->prio;
    (void)gale_exec_rq_push(&e->rq, (int)p); /* cannot overflow: a task is queued at most once */
    t->next = NULL;
    if (e->tail[p] != NULL)
        e->tail[p]->next = t;
    else
        e->head[p] = t;
    e->tail[p] = t;
}

static gale_exec_task_t *rq_take(gale_exec_t *e, int p)
{
    gale_exec_task_t *t = e->head[p];
    e->head[p] = t->next;
    if (e->head[p] == NULL)
        e->tail[p] = NULL;
    t->next = NULL;
    gale_exec_rq_pop(&e->rq, p);
    return t;
}

static bool rq_empty(const gale_exec_t *e)
{
    for (int p = 0; p < GALE_EXEC_PRIOS; p++)
        if (e->rq.left[p] != 0 || e->rq.next[p] != 0)
            return false;
    return true;
}

/* Take the whole inbox (one atomic exchange), restore push order, append. */
static void drain_inbox(gale_exec_t *e)
{
    gale_exec_task_t *l = atomic_exchange_explicit(&e->inbox, NULL, memory_order_acquire);
    gale_exec_task_t *rev = NULL;
    while (l != NULL) {
        gale_exec_task_t *n = l->next;
        l->next = rev;
        rev = l;
        l = n;
    }
    while (rev != NULL) {
        gale_exec_task_t *n = rev->next;
        rq_append(e, rev);
        rev = n;
    }
}

/* ------------------------------------------------------------------------- */
/* Executor                                                                   */
/* ------------------------------------------------------------------------- */

static void ktimer_expired(gale_timer_t *kt)
{
    gale_exec_t *e = (gale_exec_t *)gale_kernel_timer_user_data_get(kt);
    if (e->cfg.signal != NULL) {
        /* interrupt executor: the earliest executor timer is due */
        e->cfg.signal(e, e->cfg.arg);
        return;
    }
    /* thread executor watchdog: the current poll is past its budget */
    gale_exec_task_t *t = e->current;
    if (t != NULL && e->cfg.on_overrun != NULL) {
        uint64_t used = gale_kernel_cycles_get() - e->current_start;
        e->cfg.on_overrun(e, t, used > UINT32_MAX ? UINT32_MAX : (uint32_t)used, e->cfg.budget_cycles,
                          e->cfg.arg);
    }
}

/* The executor's kernel timer, initialised on first use. */
static gale_timer_t *ktimer_get(gale_exec_t *e)
{
    if (e->ktimer.magic != GALE_MAGIC_TIMER) {
        (void)gale_kernel_timer_init(&e->ktimer, ktimer_expired, NULL);
        gale_kernel_timer_user_data_set(&e->ktimer, e);
    }
    return &e->ktimer;
}

int gale_exec_init(gale_exec_t *exec, const gale_exec_config_t *cfg)
{
    if (exec == NULL)
        return fail(GALE_EINVAL, "gale_exec_init: exec is NULL");
    gale_exec_config_t c = { 0 };
    if (cfg != NULL)
        c = *cfg;
    if (c.watchdog && c.signal != NULL)
        return fail(GALE_EINVAL, "gale_exec_init: the watchdog is for thread executors (cfg.signal must be NULL)");
    if (c.watchdog && !GALE_CONFIG_EXEC_WATCHDOG)
        return fail(GALE_ENOSYS, "gale_exec_init: built with GALE_CONFIG_EXEC_WATCHDOG=0 (no watchdog)");
    *exec = (gale_exec_t){ 0 };
    exec->cfg = c;
    uint8_t id;
    do {
        id = (uint8_t)(atomic_fetch_add_explicit(&next_exec_id, 1, memory_order_relaxed) + 1u);
    } while (id == 0);
    exec->id = id;
    atomic_init(&exec->inbox, NULL);
    atomic_init(&exec->stop, 0);
    gale_exec_rq_reset(&exec->rq);
    int rc = gale_kernel_sem_init(&exec->sem, 0, 1);
    if (rc != GALE_OK)
        return fail(rc, "gale_exec_init: kernel semaphore init failed");
    /* the kernel timer (watchdog, interrupt executors) is set up on first use
     * (ktimer_get): an image without either does not link kernel timers */
    exec->magic = EXEC_MAGIC;
    return GALE_OK;
}

static int check_exec(const gale_exec_t *e, const char *what)
{
    if (e == NULL || e->magic != EXEC_MAGIC) {
        SET_LAST_ERROR(what);
        return GALE_EINVAL;
    }
    return GALE_OK;
}

int gale_exec_spawn(gale_exec_t *exec, gale_exec_task_t *task)
{
    if (check_exec(exec, "gale_exec_spawn: executor is NULL or not initialised") != GALE_OK)
        return GALE_EINVAL;
    if (task == NULL || task->poll == NULL || task->prio >= GALE_EXEC_PRIOS)
        return fail(GALE_EINVAL, "gale_exec_spawn: task is NULL or not initialised (gale_exec_task_init)");
    uint8_t old = atomic_load_explicit(&task->state, memory_order_acquire), nw;
    int act;
    /* claim the storage: FREE/DONE -> QUEUED (a concurrent spawn loses the CAS) */
    do {
        nw = gale_exec_st_spawn(old, &act);
        if (act == GALE_EXEC_ACT_BUSY)
            return fail(GALE_EBUSY, "gale_exec_spawn: the task is live (spawned and not done)");
        task->exec_id = exec->id;
    } while (!atomic_compare_exchange_weak_explicit(&task->state, &old, nw, memory_order_acq_rel,
                                                    memory_order_acquire));
    STAT(atomic_fetch_add_explicit(&exec->spawns, 1, memory_order_relaxed));
    inbox_push(exec, task);
    return GALE_OK;
}

static int state_change(gale_exec_t *e, gale_exec_task_t *t, bool cancel)
{
    uint8_t old = atomic_load_explicit(&t->state, memory_order_acquire), nw;
    int act;
    do {
        nw = cancel ? gale_exec_st_cancel(old, &act) : gale_exec_st_wake(old, &act);
        if (nw == old)
            return 0; /* coalesced: queued, woken, done or free */
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &old, nw, memory_order_acq_rel,
                                                    memory_order_acquire));
    if (act == GALE_EXEC_ACT_ENQUEUE)
        inbox_push(e, t);
    return 1;
}

int gale_exec_wake(gale_exec_t *exec, gale_exec_task_t *task)
{
    if (exec == NULL || task == NULL)
        return fail(GALE_EINVAL, "gale_exec_wake: NULL executor or task");
    if (task->exec_id != exec->id) {
        if ((atomic_load_explicit(&task->state, memory_order_acquire) & GALE_EXEC_ST_MASK) == GALE_EXEC_ST_FREE)
            return 0; /* never spawned: harmless */
        return fail(GALE_EINVAL, "gale_exec_wake: the task was spawned on another executor");
    }
#if GALE_CONFIG_EXEC_STATS
    gale_exec_task_ext_t *x = ext_of(task);
    if (x != NULL)
        atomic_fetch_add_explicit(&x->wakes, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&exec->wakes, 1, memory_order_relaxed);
#endif
    int r = state_change(exec, task, false);
    if (r > 0)
        STAT(atomic_fetch_add_explicit(&exec->effective_wakes, 1, memory_order_relaxed));
    return r;
}

int gale_exec_cancel(gale_exec_t *exec, gale_exec_task_t *task)
{
    if (exec == NULL || task == NULL)
        return fail(GALE_EINVAL, "gale_exec_cancel: NULL executor or task");
    if (task->exec_id != exec->id) {
        if ((atomic_load_explicit(&task->state, memory_order_acquire) & GALE_EXEC_ST_MASK) == GALE_EXEC_ST_FREE)
            return 0;
        return fail(GALE_EINVAL, "gale_exec_cancel: the task was spawned on another executor");
    }
    (void)state_change(exec, task, true);
    return 0;
}

void gale_exec_stop(gale_exec_t *exec)
{
    if (check_exec(exec, "gale_exec_stop: executor is NULL or not initialised") != GALE_OK)
        return;
    atomic_store_explicit(&exec->stop, 1, memory_order_release);
    exec_signal(exec);
}

void gale_exec_cx_report(gale_exec_cx_t *cx, uint32_t used, bool exhausted)
{
    if (cx == NULL)
        return;
    cx->used = used;
    if (exhausted || (cx->budget != 0 && used >= cx->budget))
        cx->overrun = true;
}

/* ------------------------------------------------------------------------- */
/* Timers (executor only)                                                     */
/* ------------------------------------------------------------------------- */

static void timer_unlink(gale_exec_t *e, gale_exec_timer_t *tm)
{
    for (gale_exec_timer_t **pp = &e->timers; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == tm) {
            *pp = tm->next;
            break;
        }
    }
    tm->next = NULL;
}

static void timer_insert(gale_exec_t *e, gale_exec_timer_t *tm)
{
    gale_exec_timer_t **pp = &e->timers;
    while (*pp != NULL && (*pp)->deadline <= tm->deadline) /* FIFO on equal deadlines */
        pp = &(*pp)->next;
    tm->next = *pp;
    *pp = tm;
}

bool gale_exec_sleep_until(gale_exec_cx_t *cx, gale_exec_timer_t *tm, uint64_t deadline)
{
    if (cx == NULL || tm == NULL)
        return true;
    gale_exec_t *e = cx->exec;
    if (tm->state == TIMER_FIRED && tm->deadline == deadline) {
        tm->state = TIMER_IDLE;
        return true;
    }
    if (gale_exec_timer_wait(gale_kernel_uptime_ticks(), deadline) == 0) {
        if (tm->state == TIMER_ARMED)
            timer_unlink(e, tm);
        tm->state = TIMER_IDLE;
        return true;
    }
    if (tm->state == TIMER_ARMED) {
        if (tm->deadline == deadline && tm->task == cx->task)
            return false;
        timer_unlink(e, tm);
    }
    tm->deadline = deadline;
    tm->task = cx->task;
    tm->state = TIMER_ARMED;
    timer_insert(e, tm);
    return false;
}

void gale_exec_timer_cancel(gale_exec_t *exec, gale_exec_timer_t *tm)
{
    if (exec == NULL || tm == NULL)
        return;
    if (tm->state == TIMER_ARMED)
        timer_unlink(exec, tm);
    tm->state = TIMER_IDLE;
}

/* Fire every due timer: wake its task. Returns the earliest remaining
 * deadline, or UINT64_MAX. */
static uint64_t timers_expire(gale_exec_t *e)
{
    if (e->timers == NULL)
        return UINT64_MAX;
    uint64_t now = gale_kernel_uptime_ticks();
    while (e->timers != NULL && gale_exec_timer_wait(now, e->timers->deadline) == 0) {
        gale_exec_timer_t *tm = e->timers;
        e->timers = tm->next;
        tm->next = NULL;
        tm->state = TIMER_FIRED;
        STAT(e->st.timer_fires++);
        (void)gale_exec_wake(e, tm->task);
    }
    return e->timers != NULL ? e->timers->deadline : UINT64_MAX;
}

/* ------------------------------------------------------------------------- */
/* Polling                                                                    */
/* ------------------------------------------------------------------------- */

static void finish(gale_exec_t *e, gale_exec_task_t *t, int status)
{
#if GALE_CONFIG_EXEC_STATS
    if (status == GALE_OK)
        e->st.completed++;
    else
        e->st.cancelled++;
#endif
    if (e->cfg.on_done != NULL)
        e->cfg.on_done(e, t, status, e->cfg.arg);
}

static void poll_task(gale_exec_t *e, gale_exec_task_t *t)
{
    uint8_t old = atomic_load_explicit(&t->state, memory_order_acquire), nw;
    int act;
    do {
        nw = gale_exec_st_begin(old, &act);
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &old, nw, memory_order_acq_rel,
                                                    memory_order_acquire));
    if (act == GALE_EXEC_ACT_CANCELED) {
        finish(e, t, GALE_ECANCELED);
        return;
    }

    gale_exec_task_ext_t *x = ext_of(t);
    bool fuel = (t->flags & GALE_EXEC_TASK_F_FUEL) != 0;
    uint32_t budget = (x != NULL && x->budget != 0) ? x->budget : (fuel ? e->cfg.budget_fuel : e->cfg.budget_cycles);
    gale_exec_cx_t cx = { e, t, budget, 0, false };

    e->current = t;
    uint64_t t0 = 0;
    if (!e->cfg.no_timing) {
        t0 = gale_kernel_cycles_get();
        e->current_start = t0;
#if GALE_CONFIG_EXEC_WATCHDOG
        if (e->cfg.watchdog && budget != 0 && !fuel) {
            uint64_t ticks = gale_kernel_cycles_to_ticks(budget) + 1u;
            (void)gale_kernel_timer_start(ktimer_get(e), GALE_TICKS(ticks), GALE_NO_WAIT);
        }
#endif
    }
    gale_exec_poll_t r = t->poll(&cx, t->ctx);
    uint32_t dt = 0;
    if (!e->cfg.no_timing) {
#if GALE_CONFIG_EXEC_WATCHDOG
        if (e->cfg.watchdog && budget != 0 && !fuel)
            (void)gale_kernel_timer_stop(&e->ktimer);
#endif
        uint64_t d = gale_kernel_cycles_get() - t0;
        dt = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    e->current = NULL;

#if GALE_CONFIG_EXEC_STATS
    e->st.polls++;
    if (dt > e->st.max_poll_cycles)
        e->st.max_poll_cycles = dt;
#endif
    bool overrun = fuel ? cx.overrun : (gale_exec_budget_overrun(dt, budget) != 0 || cx.overrun);
    if (GALE_CONFIG_EXEC_STATS && x != NULL) {
        x->polls++;
        x->last_poll_cycles = dt;
        if (dt > x->max_poll_cycles)
            x->max_poll_cycles = dt;
        if (overrun)
            x->overruns++;
    }
    if (overrun) {
        STAT(e->st.overruns++);
        if (e->cfg.on_overrun != NULL)
            e->cfg.on_overrun(e, t, fuel ? cx.used : dt, budget, e->cfg.arg);
    }

    old = atomic_load_explicit(&t->state, memory_order_acquire);
    do {
        nw = gale_exec_st_end(old, r == GALE_EXEC_READY, &act);
    } while (!atomic_compare_exchange_weak_explicit(&t->state, &old, nw, memory_order_acq_rel,
                                                    memory_order_acquire));
    switch (act) {
    case GALE_EXEC_ACT_ENQUEUE: /* woken during the poll: poll again next round */
        rq_append(e, t);
        break;
    case GALE_EXEC_ACT_COMPLETE:
        finish(e, t, GALE_OK);
        break;
    case GALE_EXEC_ACT_CANCELED:
        finish(e, t, GALE_ECANCELED);
        break;
    default: /* parked */
        break;
    }
}

/* Interrupt executors: keep the kernel timer armed for the earliest deadline. */
static void arm_for(gale_exec_t *e, uint64_t deadline)
{
    if (e->cfg.signal == NULL || deadline == e->timer_armed_for)
        return;
    e->timer_armed_for = deadline;
    gale_timer_t *kt = ktimer_get(e);
    if (deadline == UINT64_MAX) {
        (void)gale_kernel_timer_stop(kt);
        return;
    }
    uint64_t wait = gale_exec_timer_wait(gale_kernel_uptime_ticks(), deadline);
    (void)gale_kernel_timer_start(kt, GALE_TICKS(wait), GALE_NO_WAIT);
}

static int run_round(gale_exec_t *e)
{
    (void)timers_expire(e);
    drain_inbox(e);
    if (gale_exec_rq_pick(&e->rq) < 0) {
        if (gale_exec_rq_round_start(&e->rq) == 0)
            return 0;
        STAT(e->st.rounds++);
    }
    int polls = 0;
    int p;
    while ((p = gale_exec_rq_pick(&e->rq)) >= 0) {
        poll_task(e, rq_take(e, p));
        polls++;
        if (atomic_load_explicit(&e->stop, memory_order_acquire))
            break; /* the rest of the round runs at the next call */
    }
    return polls;
}

int gale_exec_run_once(gale_exec_t *exec)
{
    if (check_exec(exec, "gale_exec_run_once: executor is NULL or not initialised") != GALE_OK)
        return GALE_EINVAL;
    if (exec->in_run)
        return fail(GALE_EINVAL, "gale_exec_run_once: re-entered (called from inside a poll?)");
    exec->in_run = 1;
    int n = run_round(exec);
    if (exec->cfg.signal != NULL) {
        uint64_t next = exec->timers != NULL ? exec->timers->deadline : UINT64_MAX;
        arm_for(exec, next);
        /* work left (a next round, or arrivals): ask to be run again */
        if (!rq_empty(exec) || atomic_load_explicit(&exec->inbox, memory_order_acquire) != NULL)
            exec->cfg.signal(exec, exec->cfg.arg);
    }
    exec->in_run = 0;
    return n;
}

int gale_exec_run(gale_exec_t *exec)
{
    if (check_exec(exec, "gale_exec_run: executor is NULL or not initialised") != GALE_OK)
        return GALE_EINVAL;
    if (exec->cfg.signal != NULL)
        return fail(GALE_EINVAL, "gale_exec_run: an interrupt executor (cfg.signal) is driven by gale_exec_run_once");
    if (gale_kernel_isr_active() || gale_kernel_thread_self() == NULL)
        return fail(GALE_ECONTEXT, "gale_exec_run: must run on a kernel thread (not in an ISR, not before boot)");
    if (exec->in_run)
        return fail(GALE_EINVAL, "gale_exec_run: already running");
    exec->in_run = 1;
    exec->thread = gale_kernel_thread_self();
    while (!atomic_load_explicit(&exec->stop, memory_order_acquire)) {
        (void)run_round(exec);
        if (atomic_load_explicit(&exec->stop, memory_order_acquire))
            break;
        if (!rq_empty(exec) || atomic_load_explicit(&exec->inbox, memory_order_acquire) != NULL)
            continue;
        uint64_t next = timers_expire(exec);
        if (!rq_empty(exec) || atomic_load_explicit(&exec->inbox, memory_order_acquire) != NULL)
            continue;
        /* Nothing ready: block. A wake after the inbox check above finds the
         * inbox empty and gives the semaphore, so this take returns at once. */
        STAT(exec->st.sleeps++);
        (void)gale_kernel_sem_take(&exec->sem, next == UINT64_MAX ? GALE_FOREVER : GALE_TIMEOUT_ABS_TICKS(next));
    }
    atomic_store_explicit(&exec->stop, 0, memory_order_relaxed);
    exec->thread = NULL;
    exec->in_run = 0;
    return GALE_OK;
}

void gale_exec_stats_get(const gale_exec_t *exec, gale_exec_stats_t *out)
{
    if (exec == NULL || out == NULL)
        return;
    *out = exec->st;
    out->wakes = atomic_load_explicit((_Atomic uint32_t *)&exec->wakes, memory_order_relaxed);
    out->effective_wakes = atomic_load_explicit((_Atomic uint32_t *)&exec->effective_wakes, memory_order_relaxed);
    out->spawns = atomic_load_explicit((_Atomic uint32_t *)&exec->spawns, memory_order_relaxed);
    uint32_t q = 0;
    for (int p = 0; p < GALE_EXEC_PRIOS; p++)
        q += (uint32_t)exec->rq.left[p] + exec->rq.next[p];
    out->queued = q;
}

gale_exec_task_t *gale_exec_current(const gale_exec_t *exec)
{
    return exec != NULL ? exec->current : NULL;
}
