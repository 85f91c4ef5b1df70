/* Kernel timers: one-shot and periodic expiry at exact virtual times, callbacks
 * in ISR context, stop callback, status get / sync, remaining ticks, errors. */
#include "ktest.h"

static gale_timer_t tm;
static int expiries, stops;

static void on_expiry(gale_timer_t *t)
{
    assert_true(gale_kernel_isr_active());
    expiries++;
    kt_logf("exp%d@%llu ", expiries, kt_us());
    if (gale_kernel_timer_user_data_get(t) != NULL && expiries == 3)
        gale_kernel_timer_stop(t);
}

static void on_stop(gale_timer_t *t)
{
    (void)t;
    stops++;
    kt_logf("stop@%llu ", kt_us());
}

static void one_shot_user(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    assert_int_equal(gale_kernel_timer_start(&tm, GALE_MSEC(5), GALE_NO_WAIT), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(2));
    assert_int_equal(gale_kernel_timer_remaining_ticks(&tm), gale_kernel_ms_to_ticks_ceil(3));
    int n = gale_kernel_timer_status_sync(&tm, GALE_FOREVER);
    kt_logf("sync=%d@%llu ", n, kt_us());
    assert_int_equal(gale_kernel_timer_remaining_ticks(&tm), 0);
    assert_int_equal(gale_kernel_timer_status_sync(&tm, GALE_MSEC(1)), GALE_EAGAIN);   /* not running */
    assert_int_equal(gale_kernel_timer_stop(&tm), GALE_OK);                             /* not running: no stop_fn */
}

static void test_one_shot(void **state)
{
    (void)state;
    kt_begin(1);
    expiries = stops = 0;
    gale_kernel_timer_init(&tm, on_expiry, on_stop);
    kt_spawn(0, "u", one_shot_user, NULL, NULL, 3);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "exp1@5000 sync=1@5000 ");
    assert_int_equal(stops, 0);
}

static void periodic_user(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    assert_int_equal(gale_kernel_timer_start(&tm, GALE_MSEC(2), GALE_MSEC(3)), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(9));                      /* expiries at 2, 5, 8 */
    assert_int_equal(gale_kernel_timer_status_get(&tm), 3);
    assert_int_equal(gale_kernel_timer_status_get(&tm), 0);
    assert_int_equal(gale_kernel_timer_status_sync(&tm, GALE_FOREVER), 1);   /* at 11 */
    kt_logf("synced@%llu ", kt_us());
    gale_kernel_sleep(GALE_MSEC(5));                      /* 14 expires; now 16 */
    assert_int_equal(gale_kernel_timer_stop(&tm), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(10));                     /* nothing more */
}

static void test_periodic_and_stop(void **state)
{
    (void)state;
    kt_begin(1);
    expiries = stops = 0;
    gale_kernel_timer_init(&tm, on_expiry, on_stop);
    kt_spawn(0, "u", periodic_user, NULL, NULL, 3);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "exp1@2000 exp2@5000 exp3@8000 exp4@11000 synced@11000 exp5@14000 stop@16000 ");
    assert_int_equal(gale_sim_time_ns(), 26000000u);
}

static void stopped_waiter(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_timer_user_data_set(&tm, &tm);   /* expiry stops it at the 3rd */
    assert_int_equal(gale_kernel_timer_start(&tm, GALE_MSEC(1), GALE_MSEC(1)), GALE_OK);
    int rc;
    while ((rc = gale_kernel_timer_status_sync(&tm, GALE_FOREVER)) > 0)
        ;
    kt_logf("rc=%d@%llu ", rc, kt_us());
}

static void test_stop_from_expiry_cancels_sync(void **state)
{
    (void)state;
    kt_begin(1);
    expiries = stops = 0;
    gale_kernel_timer_init(&tm, on_expiry, on_stop);
    kt_spawn(0, "w", stopped_waiter, NULL, NULL, 3);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* the 3rd expiry stops the (periodic, so still running) timer from its own
     * callback: stop_fn runs and the waiting sync is cancelled */
    assert_string_equal(kt_log, "exp1@1000 exp2@2000 exp3@3000 stop@3000 rc=-11@3000 ");
}

static GALE_TIMER_DEFINE(static_timer, on_expiry, NULL);

static void nap(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(2));
}

static void test_errors_and_static_definition(void **state)
{
    (void)state;
    kt_begin(1);
    expiries = 0;
    assert_int_equal(gale_kernel_timer_start(&static_timer, GALE_FOREVER, GALE_NO_WAIT), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "never expires"));
    assert_int_equal(gale_kernel_timer_start(&static_timer, GALE_MSEC(1), GALE_FOREVER), GALE_EINVAL);
    gale_timer_t raw;
    memset(&raw, 0, sizeof raw);
    assert_int_equal(gale_kernel_timer_start(&raw, GALE_MSEC(1), GALE_NO_WAIT), GALE_EINVAL);
    assert_int_equal(gale_kernel_timer_start(&static_timer, GALE_MSEC(1), GALE_NO_WAIT), GALE_OK);
    kt_spawn(0, "s", nap, NULL, NULL, 3);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "exp1@1000 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_shot),
        cmocka_unit_test(test_periodic_and_stop),
        cmocka_unit_test(test_stop_from_expiry_cancels_sync),
        cmocka_unit_test(test_errors_and_static_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
