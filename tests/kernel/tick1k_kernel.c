/* (Not named test_*.c: the QEMU harness builds every test_*.c with the default
 * configuration.) The tick rate is a build-time setting: this program is built with
 * GALE_CONFIG_TICK_HZ=1000 (its own copy of the kernel and the posix port, see
 * CMakeLists.txt). Durations round up to whole ticks; the port's clock stays in
 * ns, so deadlines land on tick boundaries. */
#include "ktest.h"

#if GALE_CONFIG_TICK_HZ != 1000
#error "built for a 1 kHz tick"
#endif

static void sleeper_1k(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_USEC(1500));             /* 1.5 ms -> 2 ticks */
    kt_logf("a@%llu/%llu ", (unsigned long long)gale_kernel_uptime_ticks(), (unsigned long long)gale_sim_time_ns());
    gale_kernel_sleep(GALE_NSEC(1));                /* 1 ns -> 1 tick */
    kt_logf("b@%llu ", (unsigned long long)gale_kernel_uptime_ticks());
    gale_kernel_sleep(GALE_SECONDS(2));
    kt_logf("c@%llu ms ", (unsigned long long)gale_kernel_uptime_ms());
}

static void test_durations_round_up_to_1khz_ticks(void **state)
{
    (void)state;
    assert_int_equal(GALE_MSEC(3).ticks, 3);
    assert_int_equal(GALE_USEC(1).ticks, 1);
    assert_int_equal(GALE_USEC(1000).ticks, 1);
    assert_int_equal(GALE_USEC(1001).ticks, 2);
    assert_int_equal(gale_kernel_ticks_to_us(7), 7000);
    kt_begin(1);
    kt_spawn(0, "s", sleeper_1k, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "a@2/2000000 b@3 c@2003 ms ");
}

static gale_timer_t t1k;
static void count_expiry(gale_timer_t *t) { (void)t; kt_logf("%llu ", (unsigned long long)gale_kernel_uptime_ticks()); }

static void timer_user(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_timer_start(&t1k, GALE_USEC(2500), GALE_MSEC(4));   /* 3, 7, 11 */
    gale_kernel_sleep(GALE_MSEC(12));
    gale_kernel_timer_stop(&t1k);
}

static void test_periodic_timer_at_1khz(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_timer_init(&t1k, count_expiry, NULL);
    kt_spawn(0, "u", timer_user, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "3 7 11 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations_round_up_to_1khz_ticks),
        cmocka_unit_test(test_periodic_timer_at_1khz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
