/* Semaphore: counting, limit, no-wait, timeouts at exact virtual times, waiter
 * order (priority, then FIFO), reset, delete with waiters, misuse. */
#include "ktest.h"

static gale_sem_t sem;

static void test_init_and_counting_without_threads(void **state)
{
    (void)state;
    kt_begin(1);
    gale_sem_t s;
    assert_int_equal(gale_kernel_sem_init(NULL, 0, 1), GALE_EINVAL);
    assert_int_equal(gale_kernel_sem_init(&s, 0, 0), GALE_EINVAL);
    assert_int_equal(gale_kernel_sem_init(&s, 3, 2), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "initial count 3 and limit 2"));
    assert_int_equal(gale_kernel_sem_init(&s, 1, 2), GALE_OK);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_OK);
    assert_int_equal(gale_kernel_sem_count_get(&s), 2);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_EOVERFLOW);
    assert_int_equal(gale_kernel_sem_count_get(&s), 2);
    assert_int_equal(gale_kernel_sem_take(&s, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_sem_take(&s, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_sem_take(&s, GALE_NO_WAIT), GALE_EAGAIN);
    /* blocking before the kernel runs has nobody to block */
    assert_int_equal(gale_kernel_sem_take(&s, GALE_MSEC(1)), GALE_ECONTEXT);
    assert_non_null(strstr(gale_kernel_diag_last(), "before the kernel started"));
    assert_int_equal(gale_kernel_sem_delete(&s), GALE_OK);
    assert_int_equal(gale_kernel_sem_give(&s), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "not initialised (or was deleted)"));
    gale_sem_t raw;
    memset(&raw, 0, sizeof raw);
    assert_int_equal(gale_kernel_sem_take(&raw, GALE_NO_WAIT), GALE_EINVAL);
    assert_int_equal(gale_kernel_sem_give(NULL), GALE_EINVAL);
}

static GALE_SEM_DEFINE(static_sem, 2, 5);

static void test_static_definition(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_sem_count_get(&static_sem), 2);
    assert_int_equal(gale_kernel_sem_take(&static_sem, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_sem_give(&static_sem), GALE_OK);
}

static void taker(void *p1, void *p2, void *p3)
{
    (void)p3;
    int64_t ticks = (int64_t)(intptr_t)p2;
    int rc = gale_kernel_sem_take(&sem, ticks < 0 ? GALE_FOREVER : GALE_TICKS(ticks));
    kt_logf("%s:%d@%llu ", (const char *)p1, rc, kt_us());
}

static void giver(void *p1, void *p2, void *p3)
{
    (void)p3;
    int n = (int)(intptr_t)p2;
    for (int i = 0; i < n; i++) {
        gale_kernel_sleep(GALE_MSEC((intptr_t)p1));
        assert_int_equal(gale_kernel_sem_give(&sem), GALE_OK);
    }
}

static void test_waiters_served_by_priority_then_fifo(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&sem, 0, 10);
    kt_spawn(0, "lo1", taker, "lo1", (void *)(intptr_t)-1, 7);
    kt_spawn(1, "hi", taker, "hi", (void *)(intptr_t)-1, 2);
    kt_spawn(2, "lo2", taker, "lo2", (void *)(intptr_t)-1, 7);
    kt_spawn(3, "mid", taker, "mid", (void *)(intptr_t)-1, 4);
    kt_spawn(4, "g", giver, (void *)(intptr_t)1, (void *)(intptr_t)4, 9);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "hi:0@1000 mid:0@2000 lo1:0@3000 lo2:0@4000 ");
}

static void test_timeout_expires_at_exact_time_and_gives_count_later(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&sem, 0, 10);
    kt_spawn(0, "t", taker, "t", (void *)(intptr_t)gale_kernel_ms_to_ticks_ceil(2), 3);
    kt_spawn(1, "g", giver, (void *)(intptr_t)5, (void *)(intptr_t)1, 4);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "t:-4@2000 ");
    assert_int_equal(gale_kernel_sem_count_get(&sem), 1);
}

static void resetter(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    assert_int_equal(gale_kernel_sem_delete(&sem), GALE_EBUSY);
    assert_non_null(strstr(gale_kernel_diag_last(), "still has waiters (first: 'a')"));
    gale_kernel_sem_reset(&sem);
    assert_int_equal(gale_kernel_sem_delete(&sem), GALE_OK);
}

static void test_reset_wakes_waiters_with_eagain_and_delete_refuses_waiters(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&sem, 0, 1);
    kt_spawn(0, "a", taker, "a", (void *)(intptr_t)-1, 3);
    kt_spawn(1, "b", taker, "b", (void *)(intptr_t)-1, 3);
    kt_spawn(2, "r", resetter, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "a:-3@1000 b:-3@1000 ");
}

static void absolute_taker(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    int rc = gale_kernel_sem_take(&sem, GALE_TIMEOUT_ABS_TICKS(gale_kernel_ms_to_ticks_ceil(4)));
    kt_logf("abs:%d@%llu ", rc, kt_us());
    rc = gale_kernel_sem_take(&sem, GALE_TIMEOUT_ABS_TICKS(0));   /* in the past: expires now */
    kt_logf("past:%d@%llu ", rc, kt_us());
}

static void test_absolute_timeouts(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&sem, 0, 1);
    kt_spawn(0, "a", absolute_taker, NULL, NULL, 3);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "abs:-4@4000 past:-4@4000 ");
}

static void isr_give(void *arg)
{
    (void)arg;
    assert_int_equal(gale_kernel_sem_give(&sem), GALE_OK);
}

static void test_give_from_isr_races_timeout_at_same_tick(void **state)
{
    (void)state;
    /* A timeout and an IRQ due at the same instant: the timer is taken first, so
     * the waiter times out and the give is counted. */
    kt_begin(1);
    gale_kernel_sem_init(&sem, 0, 1);
    kt_spawn(0, "t", taker, "t", (void *)(intptr_t)gale_kernel_ms_to_ticks_ceil(3), 3);
    gale_sim_irq_raise_at(0, 3000000, isr_give, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "t:-4@3000 ");
    assert_int_equal(gale_kernel_sem_count_get(&sem), 1);
    /* One tick earlier, the give wins. */
    kt_begin(1);
    gale_kernel_sem_init(&sem, 0, 1);
    kt_spawn(0, "t", taker, "t", (void *)(intptr_t)gale_kernel_ms_to_ticks_ceil(3), 3);
    gale_sim_irq_raise_at(0, 2999000, isr_give, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "t:0@2999 ");
    assert_int_equal(gale_kernel_sem_count_get(&sem), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_counting_without_threads),
        cmocka_unit_test(test_static_definition),
        cmocka_unit_test(test_waiters_served_by_priority_then_fifo),
        cmocka_unit_test(test_timeout_expires_at_exact_time_and_gives_count_later),
        cmocka_unit_test(test_reset_wakes_waiters_with_eagain_and_delete_refuses_waiters),
        cmocka_unit_test(test_absolute_timeouts),
        cmocka_unit_test(test_give_from_isr_races_timeout_at_same_tick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
