/* Type descriptors (gale/wit/desc.h): encoding from resolved WIT, layouts
 * and core signatures computed from the bytes alone, child iteration with
 * names, rejection of malformed/truncated/too-deep input; and structural
 * interface equality (the contract check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wit_test_util.h"

static const char *SRC =
    "package t:d@0.1.0;\n"
    "interface i {\n"
    "  record r3 { a: u8, b: u32, c: u16 }\n"
    "  variant v { none, some(r3), many(list<string>) }\n"
    "  flags f { x, y }\n"
    "  enum e { p, q, r }\n"
    "  resource res { m: async func(x: option<f64>) -> result<u64, string>; }\n"
    "  type all = tuple<r3, v, f, e, own<res>, borrow<res>, future<u8>, stream, list<u32, 3>, char, s64>;\n"
    "  go: async func(a: r3, b: string) -> result<u64, string>;\n"
    "}\n";

static uint32_t rid_fn(void *user, const gale_wit_type_t *r)
{
    (void)user;
    return strcmp(r->name, "res") == 0 ? 7 : 99;
}

static void test_encode_type(void **state)
{
    (void)state;
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = wt_load(&ctx, SRC);
    assert_non_null(p);
    gale_wit_iface_t *i = gale_wit_package_iface(p, "i");
    gale_wit_bytes_t b = {0};
    /* record{u8,u32,u16} without names: 15 03 03 07 05 */
    assert_int_equal(gale_wit_desc_encode_type(gale_wit_iface_type(i, "r3"), 0, NULL, NULL, &b), 0);
    static const uint8_t r3[] = {0x15, 0x03, 0x03, 0x07, 0x05};
    assert_int_equal(b.len, sizeof r3);
    assert_memory_equal(b.data, r3, sizeof r3);
    gale_wit_bytes_free(&b);
    /* with names: 95 03 01 'a' 03 01 'b' 07 01 'c' 05 */
    assert_int_equal(gale_wit_desc_encode_type(gale_wit_iface_type(i, "r3"), GALE_WIT_DESC_NAMES, NULL, NULL, &b), 0);
    static const uint8_t r3n[] = {0x95, 0x03, 0x01, 'a', 0x03, 0x01, 'b', 0x07, 0x01, 'c', 0x05};
    assert_int_equal(b.len, sizeof r3n);
    assert_memory_equal(b.data, r3n, sizeof r3n);
    gale_wit_layout_t l;
    assert_int_equal(gale_wit_desc_layout(b.data, b.len, &l), 0);
    assert_int_equal(l.size, 12);
    assert_int_equal(l.align, 4);
    /* iteration yields the names and the field types */
    gale_wit_desc_iter_t it;
    assert_int_equal(gale_wit_desc_open(b.data, b.data + b.len, &it, NULL), 0);
    assert_int_equal(it.tag, GALE_WIT_D_RECORD);
    assert_int_equal(it.count, 3);
    const char *nm; uint32_t nl; const uint8_t *ty;
    static const char names[] = "abc";
    static const uint8_t tags[] = {GALE_WIT_D_U8, GALE_WIT_D_U32, GALE_WIT_D_U16};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(gale_wit_desc_next(&it, &nm, &nl, &ty), 1);
        assert_int_equal(nl, 1);
        assert_int_equal(nm[0], names[k]);
        assert_int_equal(*ty, tags[k]);
    }
    assert_int_equal(gale_wit_desc_next(&it, &nm, &nl, &ty), 0);
    gale_wit_bytes_free(&b);

    /* the big tuple: layout from descriptor equals layout from the tree, and
     * handle resource ids come from the callback */
    gale_wit_type_t *all = gale_wit_iface_type(i, "all");
    assert_int_equal(gale_wit_desc_encode_type(all, GALE_WIT_DESC_NAMES, rid_fn, NULL, &b), 0);
    gale_wit_layout_t l1, l2;
    assert_int_equal(gale_wit_desc_layout(b.data, b.len, &l1), 0);
    assert_int_equal(gale_wit_type_layout(all, &l2), 0);
    assert_int_equal(l1.size, l2.size);
    assert_int_equal(l1.nflat, l2.nflat);
    assert_memory_equal(l1.flat, l2.flat, l1.nflat < GALE_WIT_FLAT_CAP ? l1.nflat : GALE_WIT_FLAT_CAP);
    /* walk to the own<res> element and read its id */
    assert_int_equal(gale_wit_desc_open(b.data, b.data + b.len, &it, NULL), 0);
    assert_int_equal(it.count, 11);
    for (int k = 0; k < 5; k++)
        assert_int_equal(gale_wit_desc_next(&it, &nm, &nl, &ty), 1);
    gale_wit_desc_iter_t sub;
    uint32_t aux = 0;
    assert_int_equal(gale_wit_desc_open(ty, b.data + b.len, &sub, &aux), 0);
    assert_int_equal(sub.tag, GALE_WIT_D_OWN);
    assert_int_equal(aux, 7);
    /* stream without payload: its child is NONE */
    for (int k = 0; k < 3; k++)
        assert_int_equal(gale_wit_desc_next(&it, &nm, &nl, &ty), 1);
    assert_int_equal(gale_wit_desc_open(ty, b.data + b.len, &sub, NULL), 0);
    assert_int_equal(sub.tag, GALE_WIT_D_STREAM);
    assert_int_equal(gale_wit_desc_next(&sub, &nm, &nl, &ty), 1);
    assert_null(ty);
    gale_wit_bytes_free(&b);
    gale_wit_ctx_free(ctx);
}

static void test_func_descriptor(void **state)
{
    (void)state;
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = wt_load(&ctx, SRC);
    assert_non_null(p);
    gale_wit_iface_t *i = gale_wit_package_iface(p, "i");
    gale_wit_func_t *go = gale_wit_iface_func(i, "go");
    for (unsigned flags = 0; flags <= GALE_WIT_DESC_NAMES; flags++) {
        gale_wit_bytes_t b = {0};
        assert_int_equal(gale_wit_desc_encode_func(go, flags, NULL, NULL, &b), 0);
        gale_wit_desc_func_t f;
        assert_int_equal(gale_wit_desc_func(b.data, b.len, &f), 0);
        assert_true(f.is_async);
        assert_int_equal(f.nparams, 2);
        assert_non_null(f.result);
        gale_wit_core_sig_t s1, s2;
        char a[128], c[128];
        for (int abi = 0; abi <= GALE_WIT_ABI_TASK_RETURN; abi++) {
            assert_int_equal(gale_wit_desc_core_sig(b.data, b.len, (gale_wit_abi_t)abi, &s1), 0);
            assert_int_equal(gale_wit_func_core_sig(go, (gale_wit_abi_t)abi, &s2), 0);
            assert_string_equal(wt_sig(&s1, a, sizeof a), wt_sig(&s2, c, sizeof c));
        }
        /* r3 (3 flat) + string (2) = 5 > 4: async lower passes a pointer */
        assert_int_equal(gale_wit_desc_core_sig(b.data, b.len, GALE_WIT_ABI_LOWER_ASYNC, &s1), 0);
        assert_string_equal(wt_sig(&s1, a, sizeof a), "(i32, i32) -> i32");
        assert_true(s1.params_indirect);
        assert_true(s1.results_indirect);
        assert_int_equal(gale_wit_desc_core_sig(b.data, b.len, GALE_WIT_ABI_TASK_RETURN, &s1), 0);
        assert_string_equal(wt_sig(&s1, a, sizeof a), "(i32, i64, i32) -> nil");
        /* every truncation is rejected (ASan: no read past the end) */
        for (size_t cut = 0; cut < b.len; cut++) {
            uint8_t *t = malloc(cut ? cut : 1);
            memcpy(t, b.data, cut);
            assert_int_equal(gale_wit_desc_func(t, cut, &f), GALE_EMALFORMED);
            free(t);
        }
        gale_wit_bytes_free(&b);
    }
    gale_wit_ctx_free(ctx);
}

/* the example of docs/wit.md: method sem.take of pulseengine:gale */
static void test_doc_example(void **state)
{
    (void)state;
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = wt_load(&ctx,
        "package t:k;\ninterface types {\n  enum kernel-error { invalid-argument, busy, again, no-memory, permission-denied, broken-pipe, overflow, no-message }\n"
        "  variant timeout { no-wait, forever, millis(u32) }\n}\n"
        "interface semaphore {\n  use types.{kernel-error, timeout};\n"
        "  resource sem { take: async func(timeout: timeout) -> result<_, kernel-error>; }\n}\n");
    assert_non_null(p);
    gale_wit_type_t *sem = gale_wit_iface_type(gale_wit_package_iface(p, "semaphore"), "sem");
    gale_wit_bytes_t b = {0};
    assert_int_equal(gale_wit_desc_encode_func(sem->funcs[0], 0, NULL, NULL, &b), 0);
    static const uint8_t want[] = {0x20, 0x01, 0x02, 0x1a, 0x00, 0x16, 0x03, 0x1f, 0x1f, 0x07, 0x13, 0x1f, 0x17, 0x08};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    gale_wit_bytes_free(&b);
    gale_wit_ctx_free(ctx);
}

static void test_malformed(void **state)
{
    (void)state;
    gale_wit_layout_t l;
    static const uint8_t bad_tag[] = {0x33};
    static const uint8_t named_list[] = {0x90, 0x03};
    static const uint8_t trailing[] = {0x03, 0x03};
    static const uint8_t empty_variant[] = {0x16, 0x00};
    static const uint8_t empty_enum[] = {0x17, 0x00};
    static const uint8_t flags33[] = {0x18, 33};
    static const uint8_t none_in_option[] = {0x12, 0x1f};
    static const uint8_t long_uleb[] = {0x17, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    static const uint8_t name_past_end[] = {0x97, 0x01, 0x05, 'a'};
    static const uint8_t huge_fixed[] = {0x11, 0x80, 0x80, 0x80, 0x80, 0x01, 0x09};
    const struct { const uint8_t *p; size_t n; } cases[] = {
        {bad_tag, 1}, {named_list, 2}, {trailing, 2}, {empty_variant, 2}, {empty_enum, 2}, {flags33, 2},
        {none_in_option, 2}, {long_uleb, sizeof long_uleb}, {name_past_end, sizeof name_past_end},
        {huge_fixed, sizeof huge_fixed}, {bad_tag, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        assert_int_equal(gale_wit_desc_layout(cases[k].p, cases[k].n, &l), GALE_EMALFORMED);
    /* nesting deeper than GALE_WIT_DESC_MAX_DEPTH is refused, not recursed */
    uint8_t deep[100];
    memset(deep, GALE_WIT_D_LIST, sizeof deep);
    deep[99] = GALE_WIT_D_U8;
    assert_int_equal(gale_wit_desc_layout(deep, sizeof deep, &l), GALE_EMALFORMED);
    assert_int_equal(gale_wit_desc_layout(deep + 100 - (GALE_WIT_DESC_MAX_DEPTH + 1), GALE_WIT_DESC_MAX_DEPTH + 1, &l), 0);
    assert_int_equal(gale_wit_desc_layout(deep + 100 - (GALE_WIT_DESC_MAX_DEPTH + 2), GALE_WIT_DESC_MAX_DEPTH + 2, &l),
                     GALE_EMALFORMED);
}

/* Random bytes: every answer is 0 or GALE_EMALFORMED, never a crash. */
static void test_random(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    int ok = 0;
    for (int round = 0; round < 200000; round++) {
        uint8_t buf[24];
        size_t n = 1 + (seed % 23);
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            uint8_t v = (uint8_t)(seed >> 16);
            buf[k] = (v & 1) ? (uint8_t)((v >> 1) % 0x21) : v; /* bias towards valid tags */
        }
        uint8_t *h = malloc(n);
        memcpy(h, buf, n);
        gale_wit_layout_t l;
        int rc = gale_wit_desc_layout(h, n, &l);
        assert_true(rc == 0 || rc == GALE_EMALFORMED);
        if (rc == 0) {
            ok++;
            assert_true(l.align == 1 || l.align == 2 || l.align == 4 || l.align == 8);
            assert_int_equal(l.size % l.align, 0);
        }
        gale_wit_core_sig_t s;
        rc = gale_wit_desc_core_sig(h, n, GALE_WIT_ABI_LOWER_ASYNC, &s);
        assert_true(rc == 0 || rc == GALE_EMALFORMED || rc == GALE_EINVAL);
        free(h);
    }
    assert_true(ok > 100);
}

static const char *EQ_A =
    "package a:x@1.0.0;\n"
    "interface api {\n"
    "  record sample { t: u64, v: list<f32> }\n"
    "  resource dev { constructor(n: u32); read: async func() -> result<sample, string>; }\n"
    "  get: func(d: borrow<dev>) -> option<sample>;\n"
    "}\n";

static void eq_case(const char *src_b, bool equal, const char *why_contains)
{
    gale_wit_ctx_t *ca, *cb;
    gale_wit_package_t *pa = wt_load(&ca, EQ_A), *pb = wt_load(&cb, src_b);
    assert_non_null(pa);
    assert_non_null(pb);
    char why[256] = "";
    int rc = gale_wit_iface_equal(gale_wit_package_iface(pa, "api"), gale_wit_package_iface(pb, "api"), why, sizeof why);
    if ((rc == 0) != equal || (why_contains && !strstr(why, why_contains))) {
        fprintf(stderr, "rc %d why `%s` (want %s, `%s`)\n", rc, why, equal ? "equal" : "different",
                why_contains ? why_contains : "");
        fail();
    }
    gale_wit_ctx_free(ca);
    gale_wit_ctx_free(cb);
}

static void test_equality(void **state)
{
    (void)state;
    /* same structure in another package with a differently named alias */
    eq_case("package b:y@2.0.0;\ninterface api {\n"
            "  type floats = list<f32>;\n"
            "  record sample { t: u64, v: floats }\n"
            "  resource dev { constructor(n: u32); read: async func() -> result<sample, string>; }\n"
            "  get: func(d: borrow<dev>) -> option<sample>;\n}\n",
            false, "define different numbers of types");
    eq_case("package b:y@2.0.0;\ninterface api {\n"
            "  record sample { t: u64, v: list<f32> }\n"
            "  resource dev { constructor(n: u32); read: async func() -> result<sample, string>; }\n"
            "  get: func(d: borrow<dev>) -> option<sample>;\n}\n",
            true, NULL);
    eq_case("package b:y;\ninterface api {\n"
            "  record sample { t: u64, v: list<f64> }\n"
            "  resource dev { constructor(n: u32); read: async func() -> result<sample, string>; }\n"
            "  get: func(d: borrow<dev>) -> option<sample>;\n}\n",
            false, "f32 vs f64");
    eq_case("package b:y;\ninterface api {\n"
            "  record sample { t: u64, v: list<f32> }\n"
            "  resource dev { constructor(n: u32); read: func() -> result<sample, string>; }\n"
            "  get: func(d: borrow<dev>) -> option<sample>;\n}\n",
            false, "async");
    eq_case("package b:y;\ninterface api {\n"
            "  record sample { t: u64, w: list<f32> }\n"
            "  resource dev { constructor(n: u32); read: async func() -> result<sample, string>; }\n"
            "  get: func(d: borrow<dev>) -> option<sample>;\n}\n",
            false, "`v` vs `w`");
    eq_case("package b:y;\ninterface api {\n"
            "  record sample { t: u64, v: list<f32> }\n"
            "  resource dev { constructor(n: u32); read: async func() -> result<sample, string>; }\n"
            "  get: func(d: own<dev>) -> option<sample>;\n}\n",
            false, "borrow vs own");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_type),
        cmocka_unit_test(test_func_descriptor),
        cmocka_unit_test(test_doc_example),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_equality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
