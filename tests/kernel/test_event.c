/* Event flags: any / all, clear on exit, reset before waiting, post / set /
 * clear, several waiters woken by one post in wait-queue order with clearing
 * waiters consuming bits, exact timeout, misuse, delete with waiters, ISR. */
#include "ktest.h"

static gale_event_t ev;

static void test_single_thread_semantics_and_misuse(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_event_init(NULL), GALE_EINVAL);
    assert_int_equal(gale_kernel_event_init(&ev), GALE_OK);
    uint32_t m = 123;
    assert_int_equal(gale_kernel_event_wait(&ev, 0, GALE_EVENT_WAIT_ANY, &m, GALE_NO_WAIT), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "events == 0"));
    assert_int_equal(m, 0);
    assert_int_equal(gale_kernel_event_wait(&ev, 1, 0x80, &m, GALE_NO_WAIT), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "unknown option"));
    assert_int_equal(gale_kernel_event_post(&ev, 0x5), GALE_OK);
    assert_int_equal(gale_kernel_event_wait(&ev, 0x3, GALE_EVENT_WAIT_ANY, &m, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(m, 0x1);
    assert_int_equal(gale_kernel_event_wait(&ev, 0x3, GALE_EVENT_WAIT_ALL, &m, GALE_NO_WAIT), GALE_EAGAIN);
    assert_int_equal(gale_kernel_event_wait(&ev, 0x5, GALE_EVENT_WAIT_ALL | GALE_EVENT_CLEAR, &m, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(m, 0x5);
    assert_int_equal(gale_kernel_event_get(&ev), 0);
    assert_int_equal(gale_kernel_event_set(&ev, 0xF0), GALE_OK);
    assert_int_equal(gale_kernel_event_clear(&ev, 0x30), GALE_OK);
    assert_int_equal(gale_kernel_event_get(&ev), 0xC0);
    /* reset clears the requested bits before checking */
    assert_int_equal(gale_kernel_event_wait(&ev, 0x40, GALE_EVENT_RESET, &m, GALE_NO_WAIT), GALE_EAGAIN);
    assert_int_equal(gale_kernel_event_get(&ev), 0x80);
    assert_int_equal(gale_kernel_event_wait(&ev, 0x80, 0, NULL, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_event_wait(&ev, 0x1, 0, NULL, GALE_MSEC(1)), GALE_ECONTEXT);
    assert_int_equal(gale_kernel_event_delete(&ev), GALE_OK);
    assert_int_equal(gale_kernel_event_post(&ev, 1), GALE_EINVAL);
}

GALE_EVENT_DEFINE(static_ev);

static void test_static_definition(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_event_post(&static_ev, 2), GALE_OK);
    assert_int_equal(gale_kernel_event_get(&static_ev), 2);
}

static void waiter(void *p1, void *p2, void *p3)
{
    uint32_t want = (uint32_t)(uintptr_t)p2, opt = (uint32_t)(uintptr_t)p3, m = 0;
    int rc = gale_kernel_event_wait(&ev, want, opt & ~0x100u, &m, (opt & 0x100) ? GALE_TICKS(1500) : GALE_FOREVER);
    kt_logf("%s:%d:%x@%llu ", (const char *)p1, rc, (unsigned)m, kt_us());
}

static void poster(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    assert_int_equal(gale_kernel_event_delete(&ev), GALE_EBUSY);
    gale_kernel_event_post(&ev, 0x1);      /* wakes c1 (clears bit 0): any1 must not see it */
    gale_kernel_sleep(GALE_MSEC(1));
    gale_kernel_event_post(&ev, 0x6);      /* all6 and any2 (no clear) */
    kt_logf("left:%x ", (unsigned)gale_kernel_event_get(&ev));
}

static void spawn3(int i, const char *name, uint32_t want, uint32_t opt, int prio)
{
    assert_int_equal(gale_kernel_thread_create(&kt_threads[i], kt_stacks[i], KT_STACK, waiter, (void *)name,
                                               (void *)(uintptr_t)want, (void *)(uintptr_t)opt, prio,
                                               GALE_THREAD_OPT_NONE, GALE_NO_WAIT), GALE_OK);
    gale_kernel_thread_name_set(&kt_threads[i], name);
}

static void test_one_post_wakes_in_queue_order_with_clearing(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_event_init(&ev);
    spawn3(0, "c1", 0x1, GALE_EVENT_CLEAR, 3);
    spawn3(1, "any1", 0x1, GALE_EVENT_WAIT_ANY, 4);
    spawn3(2, "all6", 0x6, GALE_EVENT_WAIT_ALL, 5);
    spawn3(3, "any2", 0x2, GALE_EVENT_WAIT_ANY, 6);
    kt_spawn(4, "p", poster, NULL, NULL, 9);
    assert_int_equal(gale_sim_run(), GALE_EDEADLK);   /* any1 never gets bit 0 */
    assert_string_equal(kt_log, "c1:0:1@1000 all6:0:6@2000 any2:0:2@2000 left:6 ");
}

static void test_wait_times_out_at_exact_tick(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_event_init(&ev);
    spawn3(0, "t", 0x8, 0x100 /* test flag: 1500-tick timeout */, 4);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "t:-4:0@1500 ");
}

static void isr_post(void *arg)
{
    (void)arg;
    assert_int_equal(gale_kernel_event_wait(&ev, 1, 0, NULL, GALE_FOREVER), GALE_ECONTEXT);
    assert_int_equal(gale_kernel_event_post(&ev, 0x8), GALE_OK);
}

static void test_post_from_isr_wakes_thread(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_event_init(&ev);
    spawn3(0, "w", 0x8, GALE_EVENT_CLEAR, 4);
    gale_sim_irq_raise_at(0, 700000, isr_post, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "w:0:8@700 ");
    assert_int_equal(gale_kernel_event_get(&ev), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_thread_semantics_and_misuse),
        cmocka_unit_test(test_static_definition),
        cmocka_unit_test(test_one_post_wakes_in_queue_order_with_clearing),
        cmocka_unit_test(test_wait_times_out_at_exact_tick),
        cmocka_unit_test(test_post_from_isr_wakes_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
