/* A relative timeout never ends early, even when it is taken part-way through a
 * tick (the cycle clock of a real port is finer than the tick; on the simulator
 * gale_sim_busy_ns() moves time into a tick). For every offset into the tick and
 * several durations: a sleep, a sem take timeout and a timer each last at least
 * the requested time, and at most one tick more. */
#include "ktest.h"

static gale_sem_t never;
static uint64_t offset_ns, dur_us;
static uint64_t slept_ns, took_ns;
static int take_rc;

static void sleeper(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_sim_busy_ns(offset_ns);             /* now part-way through a tick */
    uint64_t t0 = gale_sim_time_ns();
    gale_kernel_sleep(GALE_USEC(dur_us));
    slept_ns = gale_sim_time_ns() - t0;

    gale_sim_busy_ns(offset_ns);
    t0 = gale_sim_time_ns();
    take_rc = gale_kernel_sem_take(&never, GALE_USEC(dur_us));
    took_ns = gale_sim_time_ns() - t0;
}

static void test_relative_timeouts_never_end_early(void **state)
{
    (void)state;
    const uint64_t tick_ns = 1000000000ull / GALE_CONFIG_TICK_HZ;
    const uint64_t offsets[] = {0, 1, tick_ns / 2, tick_ns - 1, tick_ns + 1, 3 * tick_ns + tick_ns / 3};
    const uint64_t durs[] = {1, 2, 10, 1000, 10000};
    unsigned int cases = 0;
    for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
        for (size_t d = 0; d < sizeof durs / sizeof durs[0]; d++) {
            offset_ns = offsets[o];
            dur_us = durs[d];
            kt_begin(1);
            assert_int_equal(gale_kernel_sem_init(&never, 0, 1), GALE_OK);
            kt_spawn(0, "sleeper", sleeper, NULL, NULL, 3);
            assert_int_equal(gale_sim_run(), GALE_OK);
            uint64_t want = dur_us * 1000ull;
            assert_int_equal(take_rc, GALE_ETIMEDOUT);
            if (slept_ns < want || took_ns < want)
                fail_msg("offset %llu ns, %llu us: slept %llu ns, sem take timed out after %llu ns (< %llu)",
                         (unsigned long long)offset_ns, (unsigned long long)dur_us,
                         (unsigned long long)slept_ns, (unsigned long long)took_ns, (unsigned long long)want);
            assert_true(slept_ns <= want + tick_ns);
            assert_true(took_ns <= want + tick_ns);
            cases++;
        }
    }
    assert_int_equal(cases, 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relative_timeouts_never_end_early),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
