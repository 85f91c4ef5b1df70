/* Condition variable: producer/consumer with a predicate, signal wakes the most
 * urgent waiter, broadcast wakes all and counts them, timeout re-locks the
 * mutex, no lost wake-up between unlock and wait, misuse (mutex not held,
 * held recursively, ISR), delete with waiters. */
#include "ktest.h"

static gale_condvar_t cv;
static gale_mutex_t mtx;
static int items;

static void test_misuse_without_threads(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_condvar_init(NULL), GALE_EINVAL);
    assert_int_equal(gale_kernel_condvar_init(&cv), GALE_OK);
    gale_kernel_mutex_init(&mtx);
    assert_int_equal(gale_kernel_condvar_signal(&cv), GALE_OK);        /* nobody waits: fine */
    assert_int_equal(gale_kernel_condvar_broadcast(&cv), 0);
    assert_int_equal(gale_kernel_condvar_wait(&cv, NULL, GALE_NO_WAIT), GALE_EINVAL);
    assert_int_equal(gale_kernel_condvar_delete(&cv), GALE_OK);
    assert_int_equal(gale_kernel_condvar_signal(&cv), GALE_EINVAL);
}

GALE_CONDVAR_DEFINE(static_cv);

static void misuser(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    /* not holding the mutex */
    assert_int_equal(gale_kernel_condvar_wait(&static_cv, &mtx, GALE_MSEC(1)), GALE_EPERM);
    assert_non_null(strstr(gale_kernel_diag_last(), "must hold mutex"));
    /* holding it twice: waiting would keep it locked */
    gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    assert_int_equal(gale_kernel_condvar_wait(&static_cv, &mtx, GALE_MSEC(1)), GALE_EPERM);
    gale_kernel_mutex_unlock(&mtx);
    /* no-wait: nothing to wait for, the mutex stays held */
    assert_int_equal(gale_kernel_condvar_wait(&static_cv, &mtx, GALE_NO_WAIT), GALE_EAGAIN);
    assert_ptr_equal(gale_kernel_mutex_owner_get(&mtx), gale_kernel_thread_self());
    /* timeout: returns re-locked */
    uint64_t t0 = gale_kernel_uptime_ticks();
    assert_int_equal(gale_kernel_condvar_wait(&static_cv, &mtx, GALE_TICKS(700)), GALE_ETIMEDOUT);
    uint64_t waited = gale_kernel_uptime_ticks() - t0;
    assert_true(waited >= 700 && waited < 800);   /* never early (exactly 700 in virtual time) */
    assert_ptr_equal(gale_kernel_mutex_owner_get(&mtx), gale_kernel_thread_self());
    gale_kernel_mutex_unlock(&mtx);
    gale_kernel_sleep(GALE_MSEC(2));      /* the ISR comes meanwhile */
    kt_logf("ok ");
}

static void isr_wait(void *arg)
{
    (void)arg;
    assert_int_equal(gale_kernel_condvar_wait(&static_cv, &mtx, GALE_NO_WAIT), GALE_ECONTEXT);
    assert_int_equal(gale_kernel_condvar_signal(&static_cv), GALE_OK);
    kt_logf("isr ");
}

static void test_misuse_and_timeout_in_threads(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mutex_init(&mtx);
    kt_spawn(0, "m", misuser, NULL, NULL, 5);
    gale_sim_irq_raise_at(0, 1000000, isr_wait, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "isr ok ");
}

static void consumer(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    while (items == 0)
        assert_int_equal(gale_kernel_condvar_wait(&cv, &mtx, GALE_FOREVER), GALE_OK);
    items--;
    kt_logf("%s@%llu ", (const char *)p1, kt_us());
    gale_kernel_mutex_unlock(&mtx);
}

static void producer(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    assert_int_equal(gale_kernel_condvar_delete(&cv), GALE_EBUSY);
    gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    items++;
    gale_kernel_condvar_signal(&cv);      /* the most urgent consumer */
    gale_kernel_mutex_unlock(&mtx);
    gale_kernel_sleep(GALE_MSEC(1));
    gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    items += 2;
    kt_logf("bc:%d ", gale_kernel_condvar_broadcast(&cv));
    gale_kernel_mutex_unlock(&mtx);
}

static void test_signal_then_broadcast(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_condvar_init(&cv);
    gale_kernel_mutex_init(&mtx);
    items = 0;
    kt_spawn(0, "c7", consumer, "c7", NULL, 7);
    kt_spawn(1, "c3", consumer, "c3", NULL, 3);
    kt_spawn(2, "c5", consumer, "c5", NULL, 5);
    kt_spawn(3, "p", producer, NULL, NULL, 9);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* c3 is signalled first; the broadcast wakes c5 and c7, which run in
     * priority order once the producer drops the mutex */
    assert_string_equal(kt_log, "c3@1000 bc:2 c5@2000 c7@2000 ");
    assert_int_equal(items, 0);
}

static void hi_signaller(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    /* blocked on the mutex while the waiter holds it; gets it when the
     * waiter's wait releases it and must find the waiter already queued */
    gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    items = 1;
    gale_kernel_condvar_signal(&cv);
    gale_kernel_mutex_unlock(&mtx);
    kt_logf("signalled ");
}

static void lo_waiter(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_mutex_lock(&mtx, GALE_FOREVER);
    gale_kernel_thread_start(&kt_threads[1]);           /* more urgent: blocks on the mutex */
    int rc = gale_kernel_condvar_wait(&cv, &mtx, GALE_TICKS(5000));
    kt_logf("woke:%d:%d@%llu ", rc, items, kt_us());
    gale_kernel_mutex_unlock(&mtx);
}

static void test_no_lost_wakeup_when_unlock_hands_mutex_to_signaller(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_condvar_init(&cv);
    gale_kernel_mutex_init(&mtx);
    items = 0;
    kt_spawn(0, "w", lo_waiter, NULL, NULL, 8);
    assert_int_equal(gale_kernel_thread_create(&kt_threads[1], kt_stacks[1], KT_STACK, hi_signaller, NULL, NULL,
                                               NULL, 2, GALE_THREAD_OPT_NONE, GALE_FOREVER), GALE_OK);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "signalled woke:0:1@0 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misuse_without_threads),
        cmocka_unit_test(test_misuse_and_timeout_in_threads),
        cmocka_unit_test(test_signal_then_broadcast),
        cmocka_unit_test(test_no_lost_wakeup_when_unlock_hands_mutex_to_signaller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
