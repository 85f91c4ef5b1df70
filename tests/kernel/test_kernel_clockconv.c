/* The division-free time conversions (footprint work, include/gale/config.h):
 * - cycles -> ticks for a clock that is a whole multiple of the tick rate
 *   (src/kernel/timeout.c: three 32-bit divides instead of libgcc's 64-bit
 *   division): gale_kernel_cycles_to_ticks(x) must equal x / cycles-per-tick
 *   for edge values and 2^20 pseudo-random 64-bit values (the posix port's
 *   clock is 1 GHz, the default tick 1 MHz: 1000 cycles per tick);
 * - ms/us -> ticks (gale/kernel.h) by multiplication when the unit divides the
 *   tick rate: equal to the general round-up formula wherever that one does not
 *   saturate, and INT64_MAX where the product would not fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gale/kernel.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_cycles_to_ticks_matches_division(void **state)
{
    (void)state;
    uint64_t cps = gale_kernel_cycles_per_sec();
    assert_true(cps % GALE_CONFIG_TICK_HZ == 0u);
    uint64_t cpt = cps / GALE_CONFIG_TICK_HZ;
    assert_true(cpt > 0u && cpt < 65536u);   /* the division-free path is the one tested */
    static const uint64_t edges[] = { 0, 1, 999, 1000, 1001, 65535, 65536, 0xFFFFFFFFull, 0x100000000ull,
                                      0x100000001ull, 0xFFFFFFFFFFFFull, 0x1000000000000ull, UINT64_MAX / 2u,
                                      UINT64_MAX - 1u, UINT64_MAX };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        for (int64_t d = -2; d <= 2; d++) {
            uint64_t x = edges[i] + (uint64_t)d;
            assert_true(gale_kernel_cycles_to_ticks(x) == x / cpt);
        }
    }
    for (unsigned i = 0; i < (1u << 20); i++) {
        uint64_t x = next() >> (i % 64u);
        assert_true(gale_kernel_cycles_to_ticks(x) == x / cpt);
    }
}

/* The general formula of gale_kernel_unit_to_ticks_ceil (kept for units that
 * do not divide the tick rate), returning 0 where it saturates. */
static uint64_t ref_to_ticks(uint64_t v, uint64_t unit_hz, int *saturated)
{
    uint64_t whole = v / unit_hz, rest = v % unit_hz;
    *saturated = whole > UINT64_MAX / GALE_CONFIG_TICK_HZ / 2u;
    return whole * GALE_CONFIG_TICK_HZ + (rest * GALE_CONFIG_TICK_HZ + unit_hz - 1u) / unit_hz;
}

static void check_unit(uint64_t v, uint64_t unit_hz)
{
    uint64_t got = gale_kernel_unit_to_ticks_ceil(v, unit_hz);
    uint64_t m = GALE_CONFIG_TICK_HZ / unit_hz;
    if (v > (uint64_t)INT64_MAX / m) {
        assert_true(got == (uint64_t)INT64_MAX);
        return;
    }
    int sat;
    uint64_t want = ref_to_ticks(v, unit_hz, &sat);
    assert_false(sat);
    assert_true(got == want);
    assert_true(got <= (uint64_t)INT64_MAX);
}

static void test_ms_us_to_ticks_by_multiplication(void **state)
{
    (void)state;
    static const uint64_t units[] = { 1000u, 1000000u };
    for (size_t u = 0; u < 2; u++) {
        if (GALE_CONFIG_TICK_HZ % units[u] != 0u)
            continue;
        static const uint64_t edges[] = { 0, 1, 2, 999, 1000, 0xFFFFFFFFull, UINT64_MAX / 2000000u,
                                          (uint64_t)INT64_MAX / 1000u, (uint64_t)INT64_MAX, UINT64_MAX };
        for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
            for (int64_t d = -1; d <= 1; d++)
                check_unit(edges[i] + (uint64_t)d, units[u]);
        for (unsigned i = 0; i < (1u << 18); i++)
            check_unit(next() >> (i % 64u), units[u]);
    }
    assert_true(gale_kernel_ms_to_ticks_ceil(3) == 3u * (GALE_CONFIG_TICK_HZ / 1000u));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycles_to_ticks_matches_division),
        cmocka_unit_test(test_ms_us_to_ticks_by_multiplication),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
