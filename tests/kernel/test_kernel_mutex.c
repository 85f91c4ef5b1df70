/* Mutex: recursion, owner checks with clear messages, no-wait / timeout,
 * priority inheritance (simple, chains, drop on timeout), deadlock refusal,
 * ISR refusal, release by an exiting owner, delete. */
#include "ktest.h"

static gale_mutex_t ma, mb;

static void recursive_user(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    assert_int_equal(gale_kernel_mutex_lock(&ma, GALE_FOREVER), GALE_OK);
    assert_int_equal(gale_kernel_mutex_lock(&ma, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_mutex_lock(&ma, GALE_MSEC(1)), GALE_OK);
    assert_ptr_equal(gale_kernel_mutex_owner_get(&ma), gale_kernel_thread_self());
    assert_int_equal(ma.lock_count, 3);
    assert_int_equal(gale_kernel_mutex_delete(&ma), GALE_EBUSY);
    for (int i = 0; i < 3; i++)
        assert_int_equal(gale_kernel_mutex_unlock(&ma), GALE_OK);
    assert_null(gale_kernel_mutex_owner_get(&ma));
    assert_int_equal(gale_kernel_mutex_unlock(&ma), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "is not locked"));
    kt_logf("ok ");
}

static void test_recursive_lock(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&ma);
    kt_spawn(0, "r", recursive_user, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "ok ");
}

static void holder(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    assert_int_equal(gale_kernel_mutex_lock(&ma, GALE_FOREVER), GALE_OK);
    gale_kernel_sleep(GALE_MSEC((intptr_t)p1));
    kt_logf("holder-unlock@%llu ", kt_us());
    assert_int_equal(gale_kernel_mutex_unlock(&ma), GALE_OK);
}

static void intruder(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    assert_int_equal(gale_kernel_mutex_unlock(&ma), GALE_EPERM);
    kt_logf("[%s] ", gale_kernel_diag_last());
    assert_int_equal(gale_kernel_mutex_lock(&ma, GALE_NO_WAIT), GALE_EBUSY);
    assert_int_equal(gale_kernel_mutex_lock(&ma, GALE_MSEC(2)), GALE_ETIMEDOUT);
    kt_logf("timedout@%llu ", kt_us());
    assert_int_equal(gale_kernel_mutex_lock(&ma, GALE_FOREVER), GALE_OK);
    kt_logf("got@%llu ", kt_us());
    assert_int_equal(gale_kernel_mutex_unlock(&ma), GALE_OK);
}

static void test_owner_checks_and_timeouts(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&ma);
    kt_spawn(0, "owner", holder, (void *)(intptr_t)5, NULL, 5);
    kt_spawn(1, "intruder", intruder, NULL, NULL, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    char expect[256];
    snprintf(expect, sizeof expect,
             "[mutex_unlock: thread 'intruder' does not own mutex %p (owner: 'owner')] timedout@3000 "
             "holder-unlock@5000 got@5000 ",
             (void *)&ma);
    assert_string_equal(kt_log, expect);
}

/* Classic inversion: low holds, high waits, medium would starve both. */
static void pi_low(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_mutex_lock(&ma, GALE_FOREVER);
    kt_logf("low-locked ");
    gale_sim_busy_ns(2000000);                 /* 2 ms of work inside the lock */
    kt_logf("low-prio=%d ", gale_kernel_thread_self()->prio);
    gale_kernel_mutex_unlock(&ma);
    kt_logf("low-prio-after=%d ", gale_kernel_thread_self()->prio);
}

static void pi_high(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    kt_logf("high-wants@%llu ", kt_us());
    gale_kernel_mutex_lock(&ma, GALE_FOREVER);
    kt_logf("high-got@%llu ", kt_us());
    gale_kernel_mutex_unlock(&ma);
}

static void pi_medium(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_USEC(1500));
    kt_logf("medium-runs@%llu ", kt_us());
    gale_sim_busy_ns(3000000);
    kt_logf("medium-done@%llu ", kt_us());
}

static void test_priority_inheritance_beats_inversion(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&ma);
    kt_spawn(0, "low", pi_low, NULL, NULL, 9);
    kt_spawn(1, "high", pi_high, NULL, NULL, 2);
    kt_spawn(2, "medium", pi_medium, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* With inheritance low finishes its 2 ms at t=2 ms although medium became
     * ready at 1.5 ms; high gets the lock at 2 ms; then medium, then low (back
     * at its own priority 9). */
    assert_string_equal(kt_log, "low-locked high-wants@1000 low-prio=2 high-got@2000 "
                                "medium-runs@2000 medium-done@5000 low-prio-after=9 ");
}

/* Chain: t1 (10) holds A; t2 (8) holds B, waits for A; t3 (2) waits for B with
 * a timeout. t3's urgency reaches t1 through t2, and goes away on the timeout. */
static gale_thread_t *t1p, *t2p;

static void chain_t1(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_mutex_lock(&ma, GALE_FOREVER);
    gale_kernel_sleep(GALE_MSEC(10));
    kt_logf("t1-unlock@%llu ", kt_us());
    gale_kernel_mutex_unlock(&ma);
}

static void chain_t2(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_mutex_lock(&mb, GALE_FOREVER);
    gale_kernel_sleep(GALE_MSEC(1));
    gale_kernel_mutex_lock(&ma, GALE_FOREVER);
    kt_logf("t2-got-a@%llu prio=%d ", kt_us(), gale_kernel_thread_self()->prio);
    gale_kernel_mutex_unlock(&ma);
    gale_kernel_mutex_unlock(&mb);
}

static void chain_t3(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(2));
    int rc = gale_kernel_mutex_lock(&mb, GALE_MSEC(3));
    kt_logf("t3:%d@%llu ", rc, kt_us());
}

static void chain_observer(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_USEC(1500));
    kt_logf("obs1 t1=%d t2=%d ", t1p->prio, t2p->prio);
    gale_kernel_sleep(GALE_MSEC(1));   /* 2.5 ms: t3 waits for B */
    kt_logf("obs2 t1=%d t2=%d ", t1p->prio, t2p->prio);
    gale_kernel_sleep(GALE_MSEC(3));   /* 5.5 ms: t3 timed out at 5 ms */
    kt_logf("obs3 t1=%d t2=%d ", t1p->prio, t2p->prio);
}

static void test_priority_inheritance_chain_and_drop_on_timeout(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&ma);
    gale_kernel_mutex_init(&mb);
    t1p = kt_spawn(0, "t1", chain_t1, NULL, NULL, 10);
    t2p = kt_spawn(1, "t2", chain_t2, NULL, NULL, 8);
    kt_spawn(2, "t3", chain_t3, NULL, NULL, 2);
    kt_spawn(3, "obs", chain_observer, NULL, NULL, 1);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "obs1 t1=8 t2=8 obs2 t1=2 t2=2 t3:-4@5000 obs3 t1=8 t2=8 "
                                "t1-unlock@10000 t2-got-a@10000 prio=8 ");
}

static void dl_a(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_mutex_lock(&ma, GALE_FOREVER);
    gale_kernel_sleep(GALE_MSEC(1));
    int rc = gale_kernel_mutex_lock(&mb, GALE_MSEC(5));
    kt_logf("a-lock-b:%d@%llu ", rc, kt_us());
    gale_kernel_mutex_unlock(&ma);
}

static void dl_b(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_mutex_lock(&mb, GALE_FOREVER);
    gale_kernel_sleep(GALE_MSEC(2));
    int rc = gale_kernel_mutex_lock(&ma, GALE_FOREVER);   /* a waits for b: cycle */
    kt_logf("b-lock-a:%d ", rc);
    assert_non_null(strstr(gale_kernel_diag_last(), "would deadlock"));
    gale_kernel_mutex_unlock(&mb);
}

static void test_lock_that_closes_a_cycle_is_refused(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&ma);
    gale_kernel_mutex_init(&mb);
    kt_spawn(0, "a", dl_a, NULL, NULL, 5);
    kt_spawn(1, "b", dl_b, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "b-lock-a:-10 a-lock-b:0@2000 ");
}

static int isr_lock_rc, isr_unlock_rc;

static void mutex_isr(void *arg)
{
    (void)arg;
    isr_lock_rc = gale_kernel_mutex_lock(&ma, GALE_NO_WAIT);
    isr_unlock_rc = gale_kernel_mutex_unlock(&ma);
}

static void quitter(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_mutex_lock(&ma, GALE_FOREVER);
    gale_kernel_mutex_lock(&mb, GALE_FOREVER);
    gale_kernel_sleep(GALE_MSEC(1));
    /* exits holding both */
}

static void successor(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_USEC(500));
    assert_int_equal(gale_kernel_thread_abort(p1), GALE_EBUSY);   /* holds mutexes */
    int rc = gale_kernel_mutex_lock(&mb, GALE_FOREVER);
    kt_logf("successor:%d@%llu owner=%s ", rc, kt_us(), gale_kernel_mutex_owner_get(&mb) == gale_kernel_thread_self()
                                                            ? "me" : "other");
    assert_null(gale_kernel_mutex_owner_get(&ma));
    gale_kernel_mutex_unlock(&mb);
    assert_int_equal(gale_kernel_mutex_delete(&mb), GALE_OK);
    assert_int_equal(gale_kernel_mutex_lock(&mb, GALE_NO_WAIT), GALE_EINVAL);
}

static void test_isr_refused_and_exiting_owner_releases(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&ma);
    gale_kernel_mutex_init(&mb);
    gale_thread_t *q = kt_spawn(0, "quitter", quitter, NULL, NULL, 5);
    kt_spawn(1, "successor", successor, q, NULL, 6);
    gale_sim_irq_raise_at(0, 200000, mutex_isr, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_int_equal(isr_lock_rc, GALE_ECONTEXT);
    assert_int_equal(isr_unlock_rc, GALE_ECONTEXT);
    assert_string_equal(kt_log, "successor:0@1000 owner=me ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recursive_lock),
        cmocka_unit_test(test_owner_checks_and_timeouts),
        cmocka_unit_test(test_priority_inheritance_beats_inversion),
        cmocka_unit_test(test_priority_inheritance_chain_and_drop_on_timeout),
        cmocka_unit_test(test_lock_that_closes_a_cycle_is_refused),
        cmocka_unit_test(test_isr_refused_and_exiting_owner_releases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
