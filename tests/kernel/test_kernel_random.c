/* Randomized operation sequences (many seeds, hundreds of steps each) checked
 * step by step against a simple reference model:
 *  - semaphore: count, waiter order (priority then FIFO), results of takes,
 *    timeouts, gives from ISRs that race timeouts at the same instant;
 *  - mutexes (two of them): owner, recursion count, waiter order, results
 *    (EPERM / EINVAL / EBUSY / EDEADLK / ETIMEDOUT), and every thread's effective
 *    priority under priority inheritance, including chains.
 *
 * Harness: worker threads (random priorities 0..8) wait for a command; a driver
 * thread at the lowest priority hands out one command at a time (wakeup), so the
 * system is quiescent whenever the driver runs and the model can be compared.
 * The driver also lets virtual time pass (sleep) and schedules ISR gives. */
#include <stdlib.h>

#include "ktest.h"

#define NW 5
#define NM 2
#define SEM_LIMIT 3
#define MAXQ NW

enum { OP_NONE, OP_TAKE, OP_GIVE, OP_LOCK, OP_UNLOCK };

typedef struct cmd {
    int op;
    int obj;
    gale_timeout_t timeout;
} cmd_t;

static gale_thread_t *workers[NW];
static cmd_t cmds[NW];
static int results[NW];
static bool has_result[NW];
static gale_sem_t rsem;
static gale_mutex_t rmtx[NM];
static char failure[512];
static unsigned int rng;

static unsigned int rnd(unsigned int n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) % n;
}

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond) && failure[0] == '\0')                                      \
            snprintf(failure, sizeof failure, __VA_ARGS__);                     \
    } while (0)

static void worker(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    int w = (int)(intptr_t)p1;
    for (;;) {
        gale_kernel_sleep(GALE_FOREVER);
        cmd_t c = cmds[w];
        int rc = GALE_EINVAL;
        switch (c.op) {
        case OP_TAKE: rc = gale_kernel_sem_take(&rsem, c.timeout); break;
        case OP_GIVE: rc = gale_kernel_sem_give(&rsem); break;
        case OP_LOCK: rc = gale_kernel_mutex_lock(&rmtx[c.obj], c.timeout); break;
        case OP_UNLOCK: rc = gale_kernel_mutex_unlock(&rmtx[c.obj]); break;
        default: break;
        }
        results[w] = rc;
        has_result[w] = true;
    }
}

/* ---- shared model pieces --------------------------------------------------- */

typedef struct wq_model {
    int n;
    int who[MAXQ];
} wq_model_t;

static int base_prio[NW];
static int eff_prio[NW];
static bool blocked[NW];
static uint64_t deadline[NW];    /* UINT64_MAX = forever */
static uint64_t arm_seq[NW];
static uint64_t seq_counter;
static int expect[NW];
static bool expect_set[NW];

static void wq_insert(wq_model_t *q, int w)
{
    int i = 0;
    while (i < q->n && !(eff_prio[w] < eff_prio[q->who[i]]))
        i++;
    memmove(&q->who[i + 1], &q->who[i], sizeof(int) * (size_t)(q->n - i));
    q->who[i] = w;
    q->n++;
}

static void wq_remove(wq_model_t *q, int w)
{
    for (int i = 0; i < q->n; i++) {
        if (q->who[i] == w) {
            memmove(&q->who[i], &q->who[i + 1], sizeof(int) * (size_t)(q->n - i - 1));
            q->n--;
            return;
        }
    }
}

static void wq_compare(const wq_model_t *q, const gale_wait_q_t *real, const char *what, int step)
{
    const gale_thread_t *t = real->head;
    for (int i = 0; i < q->n; i++) {
        CHECK(t == workers[q->who[i]], "step %d: %s waiter %d should be w%d, is %s", step, what, i, q->who[i],
              t ? t->name : "(end)");
        if (t == NULL)
            return;
        t = t->q_next;
    }
    CHECK(t == NULL, "step %d: %s has more waiters than the model (%d)", step, what, q->n);
}

static unsigned long stat_prio_set;
static unsigned long stat_steps, stat_timeouts, stat_ok_after_block, stat_eperm, stat_edeadlk, stat_boosted,
    stat_chain, stat_race, stat_overflow;

static void expect_result(int w, int rc)
{
    if (rc == GALE_ETIMEDOUT) stat_timeouts++;
    if (rc == GALE_EPERM) stat_eperm++;
    if (rc == GALE_EDEADLK) stat_edeadlk++;
    if (rc == GALE_EOVERFLOW) stat_overflow++;
    if (rc == GALE_OK && blocked[w] == false && deadline[w] != 0) stat_ok_after_block++;
    expect[w] = rc;
    expect_set[w] = true;
}

static void check_results(int step)
{
    for (int w = 0; w < NW; w++) {
        if (has_result[w]) {
            CHECK(expect_set[w], "step %d: w%d returned %d but the model expected it still blocked", step, w,
                  results[w]);
            CHECK(!expect_set[w] || results[w] == expect[w], "step %d: w%d returned %d, model says %d", step, w,
                  results[w], expect[w]);
            has_result[w] = false;
            expect_set[w] = false;
        } else {
            CHECK(!expect_set[w], "step %d: w%d should have returned %d", step, w, expect[w]);
        }
    }
}

static gale_timeout_t random_timeout(int *kind)
{
    switch (rnd(4)) {
    case 0: *kind = 0; return GALE_NO_WAIT;
    case 1: *kind = 1; return GALE_FOREVER;
    default: *kind = 2; return GALE_TICKS(1 + rnd(40));
    }
}

static int pick_free_worker(void)
{
    int start = (int)rnd(NW);
    for (int i = 0; i < NW; i++) {
        int w = (start + i) % NW;
        if (!blocked[w])
            return w;
    }
    return -1;
}

/* The earliest model deadline among blocked workers (or UINT64_MAX). */
static int earliest_timeout(uint64_t upto)
{
    int best = -1;
    for (int w = 0; w < NW; w++) {
        if (!blocked[w] || deadline[w] == UINT64_MAX || deadline[w] > upto)
            continue;
        if (best < 0 || deadline[w] < deadline[best] ||
            (deadline[w] == deadline[best] && arm_seq[w] < arm_seq[best]))
            best = w;
    }
    return best;
}

/* ---- semaphore model ------------------------------------------------------- */

static uint32_t m_count;
static wq_model_t m_semq;
static int isr_gives_pending;

static void sem_model_give(void)
{
    if (m_semq.n > 0) {
        int w = m_semq.who[0];
        wq_remove(&m_semq, w);
        blocked[w] = false;
        expect_result(w, GALE_OK);
    } else if (m_count < SEM_LIMIT) {
        m_count++;
    }
}

static void sem_isr(void *arg)
{
    (void)arg;
    gale_kernel_sem_give(&rsem);
}

static void sem_driver(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    int steps = (int)(intptr_t)p1;
    for (int step = 0; step < steps && failure[0] == '\0'; step++) {
        unsigned int r = rnd(10);
        int w = pick_free_worker();
        if (r < 4 && w >= 0) {
            int kind;
            cmds[w] = (cmd_t){ OP_TAKE, 0, random_timeout(&kind) };
            if (m_count > 0) {
                m_count--;
                expect_result(w, GALE_OK);
            } else if (kind == 0) {
                expect_result(w, GALE_EAGAIN);
            } else {
                blocked[w] = true;
                deadline[w] = kind == 1 ? UINT64_MAX : gale_kernel_uptime_ticks() + (uint64_t)cmds[w].timeout.ticks;
                arm_seq[w] = seq_counter++;
                wq_insert(&m_semq, w);
            }
            gale_kernel_thread_wakeup(workers[w]);
        } else if (r < 6 && w >= 0) {
            cmds[w] = (cmd_t){ OP_GIVE, 0, GALE_NO_WAIT };
            expect_result(w, (m_semq.n == 0 && m_count >= SEM_LIMIT) ? GALE_EOVERFLOW : GALE_OK);
            sem_model_give();
            gale_kernel_thread_wakeup(workers[w]);
        } else {
            /* let time pass; maybe an ISR gives at a chosen instant, often exactly
             * on a waiter's deadline (timeouts are taken first at equal times) */
            uint64_t now = gale_kernel_uptime_ticks();
            uint64_t dt = 1 + rnd(30);
            int64_t irq_at = -1;
            if (rnd(2) == 0) {
                int v = earliest_timeout(UINT64_MAX);
                bool race = v >= 0 && rnd(2) == 0;
                uint64_t at = race ? deadline[v] : now + rnd((unsigned int)dt + 1);
                if (race && at <= now + dt)
                    stat_race++;
                if (at >= now && at <= now + dt) {
                    irq_at = (int64_t)at;
                    gale_sim_irq_raise_at(0, gale_kernel_ticks_to_us(at) * 1000u, sem_isr, NULL);
                }
            }
            /* model: events in time order; at equal time timeouts, then the IRQ */
            for (;;) {
                int v = earliest_timeout(now + dt);
                uint64_t tv = v >= 0 ? deadline[v] : UINT64_MAX;
                if (irq_at >= 0 && (uint64_t)irq_at < tv) {
                    sem_model_give();
                    irq_at = -1;
                    continue;
                }
                if (v < 0)
                    break;
                wq_remove(&m_semq, v);
                blocked[v] = false;
                expect_result(v, GALE_ETIMEDOUT);
            }
            if (irq_at >= 0)
                sem_model_give();
            gale_kernel_sleep(GALE_TICKS(dt));
        }
        check_results(step);
        CHECK(gale_kernel_sem_count_get(&rsem) == m_count, "step %d: count %u, model %u", step,
              (unsigned int)gale_kernel_sem_count_get(&rsem), (unsigned int)m_count);
        wq_compare(&m_semq, &rsem.wq, "sem", step);
        stat_steps++;
    }
    (void)isr_gives_pending;
    gale_sim_stop();
}

static void setup_workers(unsigned int seed)
{
    rng = seed * 2654435761u + 1u;
    failure[0] = '\0';
    seq_counter = 0;
    for (int w = 0; w < NW; w++) {
        static char names[NW][8];
        snprintf(names[w], sizeof names[w], "w%d", w);
        base_prio[w] = eff_prio[w] = (int)rnd(9);
        blocked[w] = false;
        deadline[w] = UINT64_MAX;
        has_result[w] = false;
        expect_set[w] = false;
        workers[w] = kt_spawn(w, names[w], worker, (void *)(intptr_t)w, NULL, base_prio[w]);
    }
}

static void test_sem_random_against_model(void **state)
{
    (void)state;
    for (unsigned int seed = 1; seed <= 150; seed++) {
        kt_begin(1);
        gale_kernel_sem_init(&rsem, 0, SEM_LIMIT);
        m_count = 0;
        m_semq.n = 0;
        setup_workers(seed);
        kt_spawn(NW, "driver", sem_driver, (void *)(intptr_t)400, NULL, GALE_PRIO_LOWEST);
        int rc = gale_sim_run();
        if (failure[0] != '\0')
            fail_msg("sem seed %u: %s", seed, failure);
        assert_int_equal(rc, GALE_OK);
    }
    printf("sem model: %lu steps, %lu timeouts, %lu ISR gives on a deadline, %lu overflows\n", stat_steps,
           stat_timeouts, stat_race, stat_overflow);
    /* the sequences must exercise the interesting cases */
    assert_true(stat_steps == 150u * 400u);
    assert_true(stat_timeouts > 1000 && stat_race > 300 && stat_overflow > 100);
}

/* ---- mutex model ----------------------------------------------------------- */

static int m_owner[NM];
static uint32_t m_cnt[NM];
static wq_model_t m_mq[NM];
static int m_blocked_on[NW];

static void recompute_eff(void)
{
    /* Fixpoint of eff(w) = min(base(w), eff of first waiter of each mutex w owns);
     * a waiter whose eff changes is re-sorted (behind equals), as the kernel does. */
    bool changed = true;
    while (changed) {
        changed = false;
        for (int w = 0; w < NW; w++) {
            int e = base_prio[w];
            for (int m = 0; m < NM; m++)
                if (m_owner[m] == w && m_mq[m].n > 0 && eff_prio[m_mq[m].who[0]] < e)
                    e = eff_prio[m_mq[m].who[0]];
            if (e != eff_prio[w]) {
                eff_prio[w] = e;
                changed = true;
                if (m_blocked_on[w] >= 0) {
                    wq_remove(&m_mq[m_blocked_on[w]], w);
                    wq_insert(&m_mq[m_blocked_on[w]], w);
                }
            }
        }
    }
}

static void mutex_model_release(int m)
{
    if (m_mq[m].n > 0) {
        int v = m_mq[m].who[0];
        wq_remove(&m_mq[m], v);
        blocked[v] = false;
        m_blocked_on[v] = -1;
        m_owner[m] = v;
        m_cnt[m] = 1;
        expect_result(v, GALE_OK);
    } else {
        m_owner[m] = -1;
        m_cnt[m] = 0;
    }
}

static void mutex_driver(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    int steps = (int)(intptr_t)p1;
    for (int step = 0; step < steps && failure[0] == '\0'; step++) {
        unsigned int r = rnd(10);
        int w = pick_free_worker();
        int m = (int)rnd(NM);
        if (r < 5 && w >= 0) {
            int kind;
            cmds[w] = (cmd_t){ OP_LOCK, m, random_timeout(&kind) };
            if (kind == 1 && rnd(3) != 0) {   /* fewer forever-waits: owners stuck forever end the variety */
                kind = 2;
                cmds[w].timeout = GALE_TICKS(1 + rnd(60));
            }
            if (m_owner[m] < 0) {
                m_owner[m] = w;
                m_cnt[m] = 1;
                expect_result(w, GALE_OK);
            } else if (m_owner[m] == w) {
                m_cnt[m]++;
                expect_result(w, GALE_OK);
            } else if (kind == 0) {
                expect_result(w, GALE_EBUSY);
            } else {
                bool cycle = false;
                for (int o = m_owner[m]; o >= 0; o = m_blocked_on[o] >= 0 ? m_owner[m_blocked_on[o]] : -1)
                    if (o == w) {
                        cycle = true;
                        break;
                    }
                if (cycle) {
                    expect_result(w, GALE_EDEADLK);
                } else {
                    blocked[w] = true;
                    m_blocked_on[w] = m;
                    deadline[w] = kind == 1 ? UINT64_MAX
                                            : gale_kernel_uptime_ticks() + (uint64_t)cmds[w].timeout.ticks;
                    arm_seq[w] = seq_counter++;
                    wq_insert(&m_mq[m], w);
                    recompute_eff();
                }
            }
            gale_kernel_thread_wakeup(workers[w]);
        } else if (r == 8 && rnd(2) == 0) {
            /* change a base priority (often of a waiter or an owner): the kernel
             * re-sorts the wait queue and re-computes inheritance up the chain */
            int v = (int)rnd(NW);
            int p = (int)rnd(9);
            base_prio[v] = p;
            recompute_eff();
            stat_prio_set++;
            CHECK(gale_kernel_thread_priority_set(workers[v], p) == GALE_OK, "step %d: priority_set failed", step);
        } else if (r < 8 && w >= 0) {
            /* unlock: mostly by the owner, sometimes by someone else */
            if (m_owner[m] >= 0 && !blocked[m_owner[m]] && rnd(4) != 0)
                w = m_owner[m];
            cmds[w] = (cmd_t){ OP_UNLOCK, m, GALE_NO_WAIT };
            if (m_owner[m] < 0) {
                expect_result(w, GALE_EINVAL);
            } else if (m_owner[m] != w) {
                expect_result(w, GALE_EPERM);
            } else if (m_cnt[m] > 1) {
                m_cnt[m]--;
                expect_result(w, GALE_OK);
            } else {
                expect_result(w, GALE_OK);
                mutex_model_release(m);
                recompute_eff();
            }
            gale_kernel_thread_wakeup(workers[w]);
        } else {
            uint64_t now = gale_kernel_uptime_ticks();
            uint64_t dt = 1 + rnd(30);
            for (;;) {
                int v = earliest_timeout(now + dt);
                if (v < 0)
                    break;
                wq_remove(&m_mq[m_blocked_on[v]], v);
                m_blocked_on[v] = -1;
                blocked[v] = false;
                expect_result(v, GALE_ETIMEDOUT);
                recompute_eff();
            }
            gale_kernel_sleep(GALE_TICKS(dt));
        }
        check_results(step);
        for (int i = 0; i < NM; i++) {
            gale_thread_t *own = gale_kernel_mutex_owner_get(&rmtx[i]);
            CHECK(own == (m_owner[i] < 0 ? NULL : workers[m_owner[i]]), "step %d: mutex %d owner %s, model w%d",
                  step, i, own ? own->name : "none", m_owner[i]);
            CHECK(rmtx[i].lock_count == m_cnt[i], "step %d: mutex %d count %u, model %u", step, i,
                  (unsigned int)rmtx[i].lock_count, (unsigned int)m_cnt[i]);
            wq_compare(&m_mq[i], &rmtx[i].wq, i == 0 ? "mutex0" : "mutex1", step);
        }
        stat_steps++;
        for (int v = 0; v < NW; v++) {
            if (eff_prio[v] != base_prio[v])
                stat_boosted++;
            if (m_blocked_on[v] >= 0 && m_owner[m_blocked_on[v]] >= 0 && m_blocked_on[m_owner[m_blocked_on[v]]] >= 0)
                stat_chain++;
        }
        for (int v = 0; v < NW; v++)
            CHECK(workers[v]->prio == eff_prio[v], "step %d: w%d effective priority %d, model %d (base %d)", step,
                  v, workers[v]->prio, eff_prio[v], base_prio[v]);
    }
    gale_sim_stop();
}

static void test_mutex_random_against_model(void **state)
{
    (void)state;
    stat_steps = stat_timeouts = stat_eperm = stat_edeadlk = stat_boosted = stat_chain = 0;
    for (unsigned int seed = 1; seed <= 150; seed++) {
        kt_begin(1);
        for (int i = 0; i < NM; i++) {
            gale_kernel_mutex_init(&rmtx[i]);
            m_owner[i] = -1;
            m_cnt[i] = 0;
            m_mq[i].n = 0;
        }
        for (int w = 0; w < NW; w++)
            m_blocked_on[w] = -1;
        setup_workers(seed);
        kt_spawn(NW, "driver", mutex_driver, (void *)(intptr_t)400, NULL, GALE_PRIO_LOWEST);
        int rc = gale_sim_run();
        if (failure[0] != '\0')
            fail_msg("mutex seed %u: %s", seed, failure);
        assert_int_equal(rc, GALE_OK);
    }
    printf("mutex model: %lu steps, %lu timeouts, %lu EPERM, %lu EDEADLK, %lu thread-steps boosted, "
           "%lu in a chain, %lu priority changes\n", stat_steps, stat_timeouts, stat_eperm, stat_edeadlk,
           stat_boosted, stat_chain, stat_prio_set);
    assert_true(stat_prio_set > 1000);
    assert_true(stat_steps == 150u * 400u);
    assert_true(stat_timeouts > 1000 && stat_eperm > 100 && stat_edeadlk > 10 && stat_boosted > 1000 &&
                stat_chain > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sem_random_against_model),
        cmocka_unit_test(test_mutex_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
