/* Stack: LIFO order, full / empty, hand-off to a waiting popper by priority,
 * exact timeout, delete with waiters, ISR rules, static definition. */
#include "ktest.h"

static gale_stack_t s;
static gale_stack_data_t sbuf[3];

static void test_lifo_bounds_and_errors(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_stack_init(NULL, sbuf, 3), GALE_EINVAL);
    assert_int_equal(gale_kernel_stack_init(&s, sbuf, 0), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "capacity 0"));
    assert_int_equal(gale_kernel_stack_init(&s, sbuf, 3), GALE_OK);
    gale_stack_data_t v = 0;
    assert_int_equal(gale_kernel_stack_pop(&s, &v, GALE_NO_WAIT), GALE_EAGAIN);
    assert_int_equal(gale_kernel_stack_pop(&s, NULL, GALE_NO_WAIT), GALE_EINVAL);
    for (gale_stack_data_t i = 1; i <= 3; i++)
        assert_int_equal(gale_kernel_stack_push(&s, i * 10u), GALE_OK);
    assert_int_equal(gale_kernel_stack_push(&s, 99), GALE_ENOMEM);
    for (gale_stack_data_t i = 3; i >= 1; i--) {
        assert_int_equal(gale_kernel_stack_pop(&s, &v, GALE_NO_WAIT), GALE_OK);
        assert_int_equal(v, i * 10u);
    }
    assert_int_equal(gale_kernel_stack_pop(&s, &v, GALE_MSEC(1)), GALE_ECONTEXT); /* no thread yet */
    assert_int_equal(gale_kernel_stack_delete(&s), GALE_OK);
    assert_int_equal(gale_kernel_stack_push(&s, 1), GALE_EINVAL);
}

GALE_STACK_DEFINE(static_stack, 2);

static void test_static_definition(void **state)
{
    (void)state;
    kt_begin(1);
    gale_stack_data_t v = 0;
    assert_int_equal(gale_kernel_stack_push(&static_stack, (gale_stack_data_t)&v), GALE_OK);
    assert_int_equal(gale_kernel_stack_pop(&static_stack, &v, GALE_NO_WAIT), GALE_OK);
    assert_true(v == (gale_stack_data_t)&v);
}

static void popper(void *p1, void *p2, void *p3)
{
    (void)p3;
    gale_stack_data_t v = 0;
    int64_t t = (int64_t)(intptr_t)p2;
    int rc = gale_kernel_stack_pop(&s, &v, t < 0 ? GALE_FOREVER : GALE_TICKS(t));
    kt_logf("%s:%d:%lu@%llu ", (const char *)p1, rc, (unsigned long)v, kt_us());
}

static void pusher(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (gale_stack_data_t i = 1; i <= 2; i++) {
        gale_kernel_sleep(GALE_MSEC(1));
        /* deleting with a waiter is refused, nothing changes */
        assert_int_equal(gale_kernel_stack_delete(&s), GALE_EBUSY);
        assert_non_null(strstr(gale_kernel_diag_last(), "still has waiters"));
        assert_int_equal(gale_kernel_stack_push(&s, 7 * i), GALE_OK);
    }
    assert_int_equal(gale_kernel_stack_delete(&s), GALE_OK);
}

static void test_waiting_poppers_get_words_by_priority(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_stack_init(&s, sbuf, 3);
    kt_spawn(0, "a", popper, "a", (void *)(intptr_t)-1, 6);
    kt_spawn(1, "b", popper, "b", (void *)(intptr_t)-1, 4);
    kt_spawn(2, "p", pusher, NULL, NULL, 8);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "b:0:7@1000 a:0:14@2000 ");
}

static void test_pop_times_out_at_exact_tick(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_stack_init(&s, sbuf, 3);
    kt_spawn(0, "t", popper, "t", (void *)(intptr_t)1500, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "t:-4:0@1500 ");
    assert_int_equal(gale_kernel_stack_push(&s, 1), GALE_OK);   /* no stale waiter took it */
    assert_int_equal(s.count, 1);
}

static void isr_pop(void *arg)
{
    (void)arg;
    gale_stack_data_t v = 0;
    assert_int_equal(gale_kernel_stack_pop(&s, &v, GALE_FOREVER), GALE_ECONTEXT);
    assert_int_equal(gale_kernel_stack_push(&s, 5), GALE_OK);
    assert_int_equal(gale_kernel_stack_pop(&s, &v, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(v, 5);
    kt_logf("isr ");
}

static void sleeper(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
}

static void test_isr_rules(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_stack_init(&s, sbuf, 3);
    kt_spawn(0, "z", sleeper, NULL, NULL, 5);
    gale_sim_irq_raise_at(0, 1000, isr_pop, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "isr ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifo_bounds_and_errors),
        cmocka_unit_test(test_static_definition),
        cmocka_unit_test(test_waiting_poppers_get_words_by_priority),
        cmocka_unit_test(test_pop_times_out_at_exact_tick),
        cmocka_unit_test(test_isr_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
