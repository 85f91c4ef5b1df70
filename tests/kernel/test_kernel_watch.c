/* Watches (gale_kernel_watch / gale_kernel_unwatch): every object fires its
 * watchers on the changes that could let a waiting operation succeed, only
 * those, after its thread waiters were served, once (one-shot), never after
 * unwatch; bad input is refused; and the watch-then-try protocol loses no
 * wakeup when the changes come from simulated IRQs at random times (many
 * seeds), with the watch function waking a thread by a nested semaphore give
 * under the kernel lock. */
#include "ktest.h"

static int fired[4];
static void on_fire(gale_kernel_watch_t *w, void *arg)
{
    (void)w;
    fired[(intptr_t)arg]++;
}

/* fires once (and is unhooked), then nothing more until watched again */
#define EXPECT_FIRED(i, n) assert_int_equal(fired[i], (n))

static gale_kernel_watch_t w0, w1;

static void objects_body(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    memset(fired, 0, sizeof fired);
    gale_kernel_watch_init(&w0, on_fire, (void *)0);
    gale_kernel_watch_init(&w1, on_fire, (void *)1);

    /* semaphore: give fires; a give that overflows does not */
    gale_sem_t s;
    gale_kernel_sem_init(&s, 0, 1);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SEM_TAKE, &s), GALE_OK);
    assert_true(gale_kernel_watch_armed(&w0));
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SEM_TAKE, &s), GALE_EBUSY);
    assert_int_equal(gale_kernel_sem_take(&s, GALE_NO_WAIT), GALE_EAGAIN);
    EXPECT_FIRED(0, 0);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_OK);
    EXPECT_FIRED(0, 1);
    assert_false(gale_kernel_watch_armed(&w0));
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SEM_TAKE, &s), GALE_OK);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_EOVERFLOW);
    EXPECT_FIRED(0, 1);
    gale_kernel_unwatch(&w0);
    assert_false(gale_kernel_watch_armed(&w0));
    assert_int_equal(gale_kernel_sem_take(&s, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_OK);
    EXPECT_FIRED(0, 1); /* not after unwatch */
    gale_kernel_unwatch(&w0); /* twice: nothing */
    assert_int_equal(gale_kernel_sem_take(&s, GALE_NO_WAIT), GALE_OK);

    /* two watchers on one object both fire; unwatching one leaves the other */
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SEM_TAKE, &s), GALE_OK);
    assert_int_equal(gale_kernel_watch(&w1, GALE_WATCH_SEM_TAKE, &s), GALE_OK);
    gale_kernel_unwatch(&w0);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_OK);
    EXPECT_FIRED(0, 1);
    EXPECT_FIRED(1, 1);
    assert_int_equal(gale_kernel_sem_take(&s, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SEM_TAKE, &s), GALE_OK);
    assert_int_equal(gale_kernel_watch(&w1, GALE_WATCH_SEM_TAKE, &s), GALE_OK);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_OK);
    EXPECT_FIRED(0, 2);
    EXPECT_FIRED(1, 2);
    memset(fired, 0, sizeof fired);

    /* message queue: a put fires GET watchers, a get that frees a slot fires
     * PUT watchers, purge fires PUT watchers; not the other direction */
    gale_msgq_t q;
    static uint32_t qbuf[2];
    gale_kernel_msgq_init(&q, qbuf, 4, 2);
    uint32_t v = 7, out = 0;
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_MSGQ_GET, &q), GALE_OK);
    assert_int_equal(gale_kernel_watch(&w1, GALE_WATCH_MSGQ_PUT, &q), GALE_OK);
    assert_int_equal(gale_kernel_msgq_put(&q, &v, GALE_NO_WAIT), GALE_OK);
    EXPECT_FIRED(0, 1);
    EXPECT_FIRED(1, 0);
    assert_int_equal(gale_kernel_msgq_get(&q, &out, GALE_NO_WAIT), GALE_OK);
    EXPECT_FIRED(1, 1);
    assert_int_equal(gale_kernel_watch(&w1, GALE_WATCH_MSGQ_PUT, &q), GALE_OK);
    gale_kernel_msgq_purge(&q);
    EXPECT_FIRED(1, 2);
    EXPECT_FIRED(0, 1);
    memset(fired, 0, sizeof fired);

    /* stack: push fires; pop does not */
    gale_stack_t st;
    static gale_stack_data_t sbuf[2];
    gale_kernel_stack_init(&st, sbuf, 2);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_STACK_POP, &st), GALE_OK);
    assert_int_equal(gale_kernel_stack_push(&st, 1), GALE_OK);
    EXPECT_FIRED(0, 1);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_STACK_POP, &st), GALE_OK);
    gale_stack_data_t d;
    assert_int_equal(gale_kernel_stack_pop(&st, &d, GALE_NO_WAIT), GALE_OK);
    EXPECT_FIRED(0, 1);
    gale_kernel_unwatch(&w0);
    memset(fired, 0, sizeof fired);

    /* pipe: a write fires READ watchers, a read fires WRITE watchers, close both */
    gale_pipe_t p;
    static uint8_t pbuf[4];
    gale_kernel_pipe_init(&p, pbuf, 4);
    uint8_t bytes[4] = {1, 2, 3, 4};
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_PIPE_READ, &p), GALE_OK);
    assert_int_equal(gale_kernel_watch(&w1, GALE_WATCH_PIPE_WRITE, &p), GALE_OK);
    assert_int_equal(gale_kernel_pipe_write(&p, bytes, 4, GALE_NO_WAIT), 4);
    EXPECT_FIRED(0, 1);
    EXPECT_FIRED(1, 0);
    assert_int_equal(gale_kernel_pipe_read(&p, bytes, 2, GALE_NO_WAIT), 2);
    EXPECT_FIRED(1, 1);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_PIPE_READ, &p), GALE_OK);
    assert_int_equal(gale_kernel_watch(&w1, GALE_WATCH_PIPE_WRITE, &p), GALE_OK);
    gale_kernel_pipe_close(&p);
    EXPECT_FIRED(0, 2);
    EXPECT_FIRED(1, 2);
    memset(fired, 0, sizeof fired);

    /* event: post and set fire; clear does not */
    gale_event_t ev;
    gale_kernel_event_init(&ev);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_EVENT, &ev), GALE_OK);
    gale_kernel_event_clear(&ev, 1);
    EXPECT_FIRED(0, 0);
    gale_kernel_event_post(&ev, 1);
    EXPECT_FIRED(0, 1);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_EVENT, &ev), GALE_OK);
    gale_kernel_event_set(&ev, 2);
    EXPECT_FIRED(0, 2);
    memset(fired, 0, sizeof fired);

    /* slab: free fires; alloc does not */
    gale_mem_slab_t sl;
    static _Alignas(8) uint8_t slbuf[16];
    static uint32_t slidx[2];
    static uint8_t slstate[2];
    gale_kernel_mem_slab_init(&sl, slbuf, 8, 2, slidx, slstate);
    void *b = NULL;
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SLAB_ALLOC, &sl), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_alloc(&sl, &b, GALE_NO_WAIT), GALE_OK);
    EXPECT_FIRED(0, 0);
    assert_int_equal(gale_kernel_mem_slab_free(&sl, b), GALE_OK);
    EXPECT_FIRED(0, 1);
    memset(fired, 0, sizeof fired);

    /* timer: expiry fires (ISR context), stop fires */
    gale_timer_t tm;
    gale_kernel_timer_init(&tm, NULL, NULL);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_TIMER, &tm), GALE_OK);
    gale_kernel_timer_start(&tm, GALE_MSEC(1), GALE_NO_WAIT);
    gale_kernel_sleep(GALE_USEC(500));
    EXPECT_FIRED(0, 0);
    gale_kernel_sleep(GALE_MSEC(1));
    EXPECT_FIRED(0, 1);
    assert_int_equal(gale_kernel_timer_status_sync(&tm, GALE_NO_WAIT), 1);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_TIMER, &tm), GALE_OK);
    gale_kernel_timer_stop(&tm);
    EXPECT_FIRED(0, 2);

    /* bad input */
    assert_int_equal(gale_kernel_watch(NULL, GALE_WATCH_SEM_TAKE, &s), GALE_EINVAL);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SEM_TAKE, NULL), GALE_EINVAL);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_MSGQ_GET, &s), GALE_EINVAL); /* a sem is no msgq */
    assert_non_null(strstr(gale_kernel_diag_last(), "not an initialised object of watch kind"));
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_KIND_COUNT, &s), GALE_EINVAL);
    gale_kernel_watch_t nofn;
    gale_kernel_watch_init(&nofn, NULL, NULL);
    assert_int_equal(gale_kernel_watch(&nofn, GALE_WATCH_SEM_TAKE, &s), GALE_EINVAL);
    kt_logf("objects-done ");
}

static void test_each_object_fires_on_the_right_changes(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "objs", objects_body, NULL, NULL, GALE_PRIO_PREEMPT(5));
    gale_sim_run();
    assert_non_null(strstr(kt_log, "objects-done"));
}

/* Thread waiters are served first: a give that hands the unit to a blocked
 * thread (or a put that hands the message to a blocked reader) leaves the
 * object as it was, and the watcher is not fired. */
static gale_sem_t hs;
static gale_msgq_t hq;
static uint32_t hqbuf[2];

static void blocked_taker(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    assert_int_equal(gale_kernel_sem_take(&hs, GALE_FOREVER), GALE_OK);
    uint32_t v;
    assert_int_equal(gale_kernel_msgq_get(&hq, &v, GALE_FOREVER), GALE_OK);
    kt_logf("taker-got-%u ", (unsigned)v);
}

static void handoff_giver(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    memset(fired, 0, sizeof fired);
    gale_kernel_watch_init(&w0, on_fire, (void *)0);
    gale_kernel_watch_init(&w1, on_fire, (void *)1);
    assert_int_equal(gale_kernel_watch(&w0, GALE_WATCH_SEM_TAKE, &hs), GALE_OK);
    assert_int_equal(gale_kernel_watch(&w1, GALE_WATCH_MSGQ_GET, &hq), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(1)); /* the taker blocks on the sem */
    assert_int_equal(gale_kernel_sem_give(&hs), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(1)); /* ... then on the msgq */
    uint32_t v = 42;
    assert_int_equal(gale_kernel_msgq_put(&hq, &v, GALE_NO_WAIT), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(1));
    EXPECT_FIRED(0, 0);
    EXPECT_FIRED(1, 0);
    assert_true(gale_kernel_watch_armed(&w0));
    /* nobody blocked now: the next give counts and fires */
    assert_int_equal(gale_kernel_sem_give(&hs), GALE_OK);
    EXPECT_FIRED(0, 1);
    gale_kernel_unwatch(&w1);
    kt_logf("giver-done ");
}

static void test_thread_waiters_first(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&hs, 0, 5);
    gale_kernel_msgq_init(&hq, hqbuf, 4, 2);
    kt_spawn(0, "taker", blocked_taker, NULL, NULL, GALE_PRIO_PREEMPT(3));
    kt_spawn(1, "giver", handoff_giver, NULL, NULL, GALE_PRIO_PREEMPT(5));
    gale_sim_run();
    assert_non_null(strstr(kt_log, "taker-got-42"));
    assert_non_null(strstr(kt_log, "giver-done"));
}

/* No lost wakeup: IRQs at random times give a semaphore and put numbered
 * messages; a thread consumes them only through watch-then-try (watch, try
 * with GALE_NO_WAIT, and when that fails sleep on a private semaphore that the
 * watch function gives, nested, under the kernel lock), with busy time between
 * the watch and the try so that IRQs land in every window. Each wait for the
 * private semaphore is bounded: a lost wakeup shows as a timeout while the
 * object holds something. Many seeds. */
#define N_EV 30 /* 2 IRQs each: within GALE_SIM_MAX_PENDING_IRQS */
static gale_sem_t rs;
static gale_msgq_t rq;
static uint32_t rqbuf[N_EV];
static uint64_t rng;
static uint32_t next_msg, irq_gives;
static uint32_t got_units, got_msgs, lost;
static char why[128];

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void isr_give(void *arg)
{
    (void)arg;
    if (gale_kernel_sem_give(&rs) == GALE_OK)
        irq_gives++;
}

static void isr_put(void *arg)
{
    (void)arg;
    uint32_t m = next_msg++;
    if (gale_kernel_msgq_put(&rq, &m, GALE_NO_WAIT) != GALE_OK)
        snprintf(why, sizeof why, "put %u failed", (unsigned)m);
}

static gale_sem_t wake2[2];
static void wake_fn(gale_kernel_watch_t *w, void *arg)
{
    (void)w;
    (void)gale_kernel_sem_give(&wake2[(intptr_t)arg]); /* nested under the kernel lock */
}

/* p1 = 0: consumes the semaphore's units; 1: the queue's messages. Each has
 * its own watch and its own wake semaphore: nothing else wakes it. */
static void consumer(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    intptr_t k = (intptr_t)p1;
    static gale_kernel_watch_t ws[2];
    gale_kernel_watch_t *w = &ws[k];
    gale_kernel_watch_init(w, wake_fn, (void *)k);
    uint32_t *got = k ? &got_msgs : &got_units;
    while (*got < N_EV) {
        /* watch first (if not still hooked), then try */
        if (!gale_kernel_watch_armed(w))
            assert_int_equal(gale_kernel_watch(w, k ? GALE_WATCH_MSGQ_GET : GALE_WATCH_SEM_TAKE,
                                               k ? (void *)&rq : (void *)&rs),
                             GALE_OK);
        gale_sim_busy_ns(1000ull * rnd(40)); /* IRQs may land between watch and try */
        bool progress = false;
        uint32_t m;
        while (*got < N_EV && (k ? gale_kernel_msgq_get(&rq, &m, GALE_NO_WAIT) : gale_kernel_sem_take(&rs, GALE_NO_WAIT)) == GALE_OK) {
            if (k && m != got_msgs && !why[0])
                snprintf(why, sizeof why, "message %u arrived as number %u", (unsigned)m, (unsigned)got_msgs);
            (*got)++;
            progress = true;
        }
        if (progress)
            continue;
        if (gale_kernel_sem_take(&wake2[k], GALE_MSEC(50)) != GALE_OK) {
            /* nothing woke us: was something there? */
            if (k ? gale_kernel_msgq_num_used_get(&rq) > 0 : gale_kernel_sem_count_get(&rs) > 0) {
                lost++;
                break;
            }
            if (k ? next_msg >= N_EV : irq_gives >= N_EV)
                break;
        }
    }
    gale_kernel_unwatch(w);
}

static void run_seed(unsigned seed)
{
    kt_begin(1);
    rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0x2545F4914F6CDD1Dull);
    gale_kernel_sem_init(&rs, 0, N_EV);
    gale_kernel_sem_init(&wake2[0], 0, 1);
    gale_kernel_sem_init(&wake2[1], 0, 1);
    gale_kernel_msgq_init(&rq, rqbuf, 4, N_EV);
    next_msg = irq_gives = got_units = got_msgs = lost = 0;
    why[0] = 0;
    uint64_t at = 100000;
    for (int i = 0; i < N_EV; i++) {
        at += 1000ull * rnd(60);
        assert_int_equal(gale_sim_irq_raise_at(0, at, (i & 1) ? isr_put : isr_give, NULL), GALE_OK);
        assert_int_equal(gale_sim_irq_raise_at(0, at + 1000ull * rnd(5), (i & 1) ? isr_give : isr_put, NULL),
                         GALE_OK);
    }
    kt_spawn(0, "units", consumer, (void *)0, NULL, GALE_PRIO_PREEMPT(4 + (int)(seed % 3)));
    kt_spawn(1, "msgs", consumer, (void *)1, NULL, GALE_PRIO_PREEMPT(4 + (int)((seed / 3) % 3)));
    gale_sim_run();
    if (lost || why[0] || got_units != N_EV || got_msgs != N_EV)
        fail_msg("seed %u: lost %u, units %u/%u, messages %u/%u %s", seed, (unsigned)lost, (unsigned)got_units,
                 N_EV, (unsigned)got_msgs, N_EV, why);
}

static void test_no_lost_wakeup_under_irqs(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 60; seed++)
        run_seed(seed);
}

/* test_kernel_watch [test-name-pattern]: run only the matching tests */
int main(int argc, char **argv)
{
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_object_fires_on_the_right_changes),
        cmocka_unit_test(test_thread_waiters_first),
        cmocka_unit_test(test_no_lost_wakeup_under_irqs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
