/* Statically defined threads (GALE_THREAD_DEFINE) are created by every
 * gale_kernel_init (kept in its own test program: it affects every run). */
#include "ktest.h"

static void statically_defined(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    kt_logf("static:%s@%llu ", (const char *)p1, kt_us());
}

GALE_THREAD_DEFINE(static_thread, 32768, statically_defined, "hello", NULL, NULL, 7, 2);

static void test_static_thread_is_created_by_init(void **state)
{
    (void)state;
    kt_begin(1);   /* creates static_thread, started after 2 ms */
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "static:hello@2000 ");
    assert_string_equal(gale_kernel_thread_name_get(&static_thread), "static_thread");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_thread_is_created_by_init),
        cmocka_unit_test(test_static_thread_is_created_by_init),   /* again: init recreates it */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
