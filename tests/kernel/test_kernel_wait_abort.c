/* gale_kernel_thread_wait_abort: a pended wait ends early with GALE_ECANCELED
 * (the component host's subtask.cancel of a blocked host call relies on it). */
#include "ktest.h"

static gale_sem_t sem;
static gale_mutex_t mtx;

static void taker(void *p1, void *p2, void *p3)
{
    (void)p3;
    const char *name = p1;
    int64_t timeout_ms = (int64_t)(intptr_t)p2;
    int rc = gale_kernel_sem_take(&sem, timeout_ms < 0 ? GALE_FOREVER : GALE_MSEC(timeout_ms));
    kt_logf("%s:%d@%llu ", name, rc, kt_us());
    /* an aborted wait leaves no timeout behind: this sleep is not cut short */
    gale_kernel_sleep(GALE_MSEC(10));
    kt_logf("%s-slept@%llu ", name, kt_us());
}

static void aborter(void *p1, void *p2, void *p3)
{
    (void)p3;
    gale_thread_t *a = p1, *b = p2;
    gale_kernel_sleep(GALE_MSEC(1));
    assert_int_equal(gale_kernel_thread_wait_abort(a), GALE_OK);
    assert_int_equal(gale_kernel_thread_wait_abort(a), GALE_EINVAL); /* no longer pending */
    assert_int_equal(gale_kernel_thread_wait_abort(b), GALE_OK);   /* a wait with a 5 ms timeout */
    assert_int_equal(gale_kernel_thread_wait_abort(gale_kernel_thread_self()), GALE_EINVAL);
    assert_int_equal(gale_kernel_thread_wait_abort(NULL), GALE_EINVAL);
    assert_int_equal(gale_kernel_sem_count_get(&sem), 0);
}

static void test_wait_abort_sem(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&sem, 0, 1);
    gale_thread_t *a = kt_spawn(0, "a", taker, "a", (void *)(intptr_t)-1, 3);
    gale_thread_t *b = kt_spawn(1, "b", taker, "b", (void *)(intptr_t)5, 4);
    /* the aborter is less urgent: both takers pend first */
    gale_thread_t *m = &kt_threads[2];
    assert_int_equal(gale_kernel_thread_create(m, kt_stacks[2], KT_STACK, aborter, a, b, NULL, 6,
                                               GALE_THREAD_OPT_NONE, GALE_NO_WAIT), GALE_OK);
    (void)m;
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "a:-11@1000 b:-11@1000 a-slept@11000 b-slept@11000 ");
}

static gale_thread_t *g_low;
static void low_owner(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    assert_int_equal(gale_kernel_mutex_lock(&mtx, GALE_FOREVER), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(5));
    kt_logf("low-prio-before-unlock:%d ", (int)g_low->prio);
    assert_int_equal(gale_kernel_mutex_unlock(&mtx), GALE_OK);
}

static void high_waiter(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_kernel_sleep(GALE_MSEC(1)); /* the low thread owns the mutex by now */
    int rc = gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    kt_logf("high:%d@%llu ", rc, kt_us());
}

static void pi_aborter(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    gale_thread_t *high = p1;
    gale_kernel_sleep(GALE_MSEC(2));
    kt_logf("low-prio-inherited:%d ", (int)g_low->prio);
    assert_int_equal(gale_kernel_thread_wait_abort(high), GALE_OK);
    kt_logf("low-prio-after-abort:%d ", (int)g_low->prio); /* before high runs: the manager is more urgent */
}

static void test_wait_abort_mutex_undoes_inheritance(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&mtx);
    g_low = kt_spawn(0, "low", low_owner, NULL, NULL, 10);
    gale_thread_t *h = kt_spawn(1, "high", high_waiter, NULL, NULL, 2);
    kt_spawn(2, "mgr", pi_aborter, h, NULL, 1);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "low-prio-inherited:2 low-prio-after-abort:10 high:-11@2000 low-prio-before-unlock:10 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_abort_sem),
        cmocka_unit_test(test_wait_abort_mutex_undoes_inheritance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
