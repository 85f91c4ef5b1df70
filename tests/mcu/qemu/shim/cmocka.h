/* gale — a minimal cmocka-compatible layer for running the portable unit tests
 * (tests/kernel, tests/exec, ...) on the Cortex-M port under QEMU; cmocka itself
 * is not available for arm-none-eabi. Implements the subset those tests use.
 * A failed assertion in the boot context (main, between runs) fails the current
 * test and goes on with the next; in a thread or ISR it prints and ends the
 * whole image with status 1 (no way back to the runner from there). */
#ifndef GALE_MCU_CMOCKA_H
#define GALE_MCU_CMOCKA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup_teardown(f, s, t) { #f, f, s, t, NULL }
#define cmocka_run_group_tests(group, setup, teardown) \
    mcm_run_group(#group, group, sizeof(group) / sizeof((group)[0]), setup, teardown)

int mcm_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
                  CMFixtureFunction setup, CMFixtureFunction teardown);
_Noreturn void mcm_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void mcm_skip(const char *file, int line, const char *why);
void mcm_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define mcm_check(cond, ...) \
    do { if (!(cond)) mcm_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)

#define assert_true(c)  mcm_check((c), "%s is false", #c)
#define assert_false(c) mcm_check(!(c), "%s is true", #c)
#define assert_int_equal(a, b) do { unsigned long long mcm_a = (unsigned long long)(a), mcm_b = (unsigned long long)(b); \
    mcm_check(mcm_a == mcm_b, "%s == %s: %lld != %lld", #a, #b, (long long)mcm_a, (long long)mcm_b); } while (0)
#define assert_int_not_equal(a, b) do { unsigned long long mcm_a = (unsigned long long)(a), mcm_b = (unsigned long long)(b); \
    mcm_check(mcm_a != mcm_b, "%s != %s: both %lld", #a, #b, (long long)mcm_a); } while (0)
#define assert_uint_equal(a, b) assert_int_equal(a, b)
#define assert_in_range(v, lo, hi) do { long long mcm_v = (long long)(v); \
    mcm_check(mcm_v >= (long long)(lo) && mcm_v <= (long long)(hi), "%s = %lld not in [%lld, %lld]", #v, mcm_v, (long long)(lo), (long long)(hi)); } while (0)
#define assert_null(p)     mcm_check((p) == NULL, "%s is not NULL", #p)
#define assert_non_null(p) mcm_check((p) != NULL, "%s is NULL", #p)
#define assert_ptr_equal(a, b)     mcm_check((const void *)(a) == (const void *)(b), "%s != %s", #a, #b)
#define assert_ptr_not_equal(a, b) mcm_check((const void *)(a) != (const void *)(b), "%s == %s", #a, #b)
/* String compares tolerate timestamps: the portable tests log "name@<us>" with
 * the simulator's exact virtual time; on a real core each wake-up comes a few
 * microseconds late. Strings equal except for numbers after '@' or '=' that
 * differ by at most MCM_TIME_TOLERANCE pass, with a NOTE line in the output. */
#define MCM_TIME_TOLERANCE 20
int mcm_str_equal(const char *got, const char *want, const char *file, int line);
#define assert_string_equal(a, b) do { const char *mcm_sa = (a), *mcm_sb = (b); \
    mcm_check(mcm_str_equal(mcm_sa, mcm_sb, __FILE__, __LINE__), "\"%s\" != \"%s\"", mcm_sa, mcm_sb); } while (0)
#define assert_string_not_equal(a, b) mcm_check(strcmp((a), (b)) != 0, "%s == %s", #a, #b)
#define assert_memory_equal(a, b, n) mcm_check(memcmp((a), (b), (n)) == 0, "memory %s != %s", #a, #b)
#define assert_memory_not_equal(a, b, n) mcm_check(memcmp((a), (b), (n)) != 0, "memory %s == %s", #a, #b)
#define assert_return_code(rc, err) do { long long mcm_rc = (long long)(rc); (void)(err); \
    mcm_check(mcm_rc >= 0, "%s = %lld", #rc, mcm_rc); } while (0)
#define fail() mcm_fail(__FILE__, __LINE__, "fail()")
#define fail_msg(...) mcm_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() mcm_skip(__FILE__, __LINE__, "skip()")
#define print_message(...) mcm_print(__VA_ARGS__)
#define print_error(...) mcm_print(__VA_ARGS__)

#endif
