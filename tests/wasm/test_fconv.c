/* gale wasm engine — the 64-bit integer -> float conversions of fmath.h
 * (gw_u64_to_f32 / _f64, gw_s64_to_f32 / _f64, built from 32-bit conversions so
 * that a Cortex-M image links no libgcc soft-float add/sub) checked bit for bit
 * against the host compiler's correctly rounded casts: edge values, 2 million
 * random values of every bit length and values built around rounding ties
 * (half-way bit patterns with and without sticky bits), under several seeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fmath.h"

static int same(uint64_t x)
{
    return gw_b32(gw_u64_to_f32(x)) == gw_b32((float)x) && gw_b64(gw_u64_to_f64(x)) == gw_b64((double)x) &&
           gw_b32(gw_s64_to_f32((int64_t)x)) == gw_b32((float)(int64_t)x) &&
           gw_b64(gw_s64_to_f64((int64_t)x)) == gw_b64((double)(int64_t)x);
}

static void test_edges(void **state)
{
    (void)state;
    static const uint64_t edge[] = {0,
                                    1,
                                    (1ull << 24) + 1,
                                    (1ull << 32) - 1,
                                    1ull << 32,
                                    (1ull << 32) + 1,
                                    (1ull << 53) + 1,
                                    (1ull << 54) + 3,
                                    0x8000008000000000ull, /* f32 tie, rounds to even */
                                    0x8000008000000001ull, /* just above the tie */
                                    0x8000018000000000ull, /* tie, rounds up to even */
                                    0x0000000100000080ull,
                                    0x0000000100000180ull,
                                    0x7fffffffffffffffull,
                                    0x8000000000000000ull,
                                    0xffffff7fffffffffull,
                                    0xffffffffffffffffull,
                                    0x8000000000000400ull, /* f64 tie */
                                    0x8000000000000c00ull,
                                    0x8000000000000401ull};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        assert_true(same(edge[i]));
        assert_true(same(0u - edge[i]));
    }
}

static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_and_ties(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {88172645463325252ull, 1, 0x9e3779b97f4a7c15ull, 12345, 0xdeadbeefcafef00dull};
    unsigned bad = 0;
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        uint64_t s = seeds[k];
        for (int i = 0; i < 400000; i++) {
            uint64_t x = xs(&s) >> (xs(&s) % 64);
            if (i & 1) { /* a tie pattern below the top bit, maybe with a sticky bit */
                unsigned z = (unsigned)(xs(&s) % 44);
                x = (x | (1ull << 63)) >> (xs(&s) % 31);
                x &= ~((1ull << z) - 1u);
                if (z)
                    x |= 1ull << (z - 1);
                if (z > 1 && (xs(&s) & 1))
                    x |= 1;
            }
            if (!same(x))
                bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random_and_ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
