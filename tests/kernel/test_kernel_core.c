/* The trusted piece of the ready-queue choice: gale_core_ctz32 (the compiler's
 * count-trailing-zeros builtin) must meet the contract the WP proof of
 * gale_core_rq_first assumes: for x != 0, bit ctz(x) is set and every lower bit is
 * clear. Checked for every single-bit and two-bit word and for 2^20 pseudo-random
 * words, against a plain bit loop; and rq_first's empty-bitmap answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core_sched.h"

static unsigned int ref_ctz(uint32_t x)
{
    unsigned int i = 0;
    while (!(x & (1u << i)))
        i++;
    return i;
}

static void check(uint32_t x)
{
    unsigned int n = gale_core_ctz32(x);
    assert_true(n < 32u);
    assert_int_equal(n, ref_ctz(x));
    assert_true((x >> n) & 1u);
    assert_int_equal(gale_core_rq_first(x), n);
}

static void test_single_and_double_bits(void **state)
{
    (void)state;
    for (unsigned int i = 0; i < 32; i++) {
        check(1u << i);
        for (unsigned int j = i; j < 32; j++)
            check((1u << i) | (1u << j));
    }
    check(0xFFFFFFFFu);
    check(0x80000000u);
}

static void test_random_words(void **state)
{
    (void)state;
    uint32_t s = 0x9E3779B9u;
    for (unsigned int k = 0; k < (1u << 20); k++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;   /* xorshift32 */
        uint32_t x = s >> (k % 32);                  /* vary the lowest set bit */
        if (x != 0)
            check(x);
    }
}

static void test_empty_bitmap(void **state)
{
    (void)state;
    assert_int_equal(gale_core_rq_first(0), GALE_CORE_NPRIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_and_double_bits),
        cmocka_unit_test(test_random_words),
        cmocka_unit_test(test_empty_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
