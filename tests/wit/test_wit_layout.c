/* Canonical ABI layouts, core signatures and core names (the worked examples
 * of the component-model reference notes, §1.4, §1.7, §1.8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wit_test_util.h"

static gale_wit_ctx_t *g_ctx;
static gale_wit_iface_t *g_i;

static const char *SRC =
    "package t:l@0.1.0;\n"
    "interface i {\n"
    "  record r3 { a: u8, b: u32, c: u16 }\n"
    "  type ou32 = option<u32>;\n"
    "  type rus = result<u64, string>;\n"
    "  type of32 = option<f32>;\n"
    "  variant v3 { a(f32), b(u32), c(f64) }\n"
    "  type t2 = tuple<u8, u64>;\n"
    "  flags f8 { a, b, c, d, e, f, g, h }\n"
    "  flags f9 { a, b, c, d, e, f, g, h, i }\n"
    "  flags f17 { a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q }\n"
    "  type s = string;\n"
    "  type l = list<u64>;\n"
    "  type fl = list<u32, 4>;\n"
    "  type c = char;\n"
    "  type b = bool;\n"
    "  resource res { constructor(); m: func(x: u8) -> u32; st: static func() -> res; }\n"
    "  type h = borrow<res>;\n"
    "  type e = result;\n"
    "  variant vif { a(s64), b(f32), c }\n"
    "  type nested = option<option<u8>>;\n"
    "  f0: async func();\n"
    "  f1: async func(s: string) -> u32;\n"
    "  f2: async func(s: string) -> string;\n"
    "  f3: async func(x: f32) -> f32;\n"
    "  f4: async func(t: list<u64, 5>) -> string;\n"
    "  f5: async func(f: future<string>) -> future<u32>;\n"
    "  many: func(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64, i: u64, j: u64, k: u64, l: u64, m: u64, n: u64, o: u64, p: u64, q: u8) -> tuple<u8, u16>;\n"
    "  sixteen: func(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64, i: u64, j: u64, k: u64, l: u64, m: u64, n: u64, o: u64, p: u64);\n"
    "  five: async func(a: u8, b: u8, c: u8, d: u8, e: u8) -> u8;\n"
    "  four: async func(a: u8, b: u8, c: u8, d: u8);\n"
    "}\n"
    "world w { import i; export i; export run: async func() -> string; }\n";

static char *enum_src(int n)
{
    size_t cap = 64 + (size_t)n * 8;
    char *s = malloc(cap);
    size_t o = (size_t)snprintf(s, cap, "package t:e;\ninterface i {\n  enum e {");
    for (int k = 0; k < n; k++)
        o += (size_t)snprintf(s + o, cap - o, "%sc%d", k ? ", " : " ", k);
    snprintf(s + o, cap - o, " }\n}\n");
    return s;
}

static int setup(void **state)
{
    (void)state;
    gale_wit_package_t *p = wt_load(&g_ctx, SRC);
    if (!p)
        return -1;
    g_i = gale_wit_package_iface(p, "i");
    return g_i ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gale_wit_ctx_free(g_ctx);
    return 0;
}

static void check(const char *type, uint32_t size, uint32_t align, const char *flat)
{
    gale_wit_type_t *t = gale_wit_iface_type(g_i, type);
    assert_non_null(t);
    gale_wit_layout_t l;
    char buf[128];
    assert_int_equal(gale_wit_type_layout(t, &l), 0);
    if (l.size != size || l.align != align || (flat && strcmp(wt_flat(&l, buf, sizeof buf), flat) != 0)) {
        fprintf(stderr, "%s: got size %u align %u flat %s\n", type, l.size, l.align, wt_flat(&l, buf, sizeof buf));
        fail();
    }
}

static void test_layouts(void **state)
{
    (void)state;
    check("r3", 12, 4, "[i32,i32,i32]");
    check("ou32", 8, 4, "[i32,i32]");
    check("rus", 16, 8, "[i32,i64,i32]");
    check("of32", 8, 4, "[i32,f32]");
    check("v3", 16, 8, "[i32,i64]");
    check("t2", 16, 8, "[i32,i64]");
    check("f8", 1, 1, "[i32]");
    check("f9", 2, 2, "[i32]");
    check("f17", 4, 4, "[i32]");
    check("s", 8, 4, "[i32,i32]");
    check("l", 8, 4, "[i32,i32]");
    check("fl", 16, 4, "[i32,i32,i32,i32]");
    check("c", 4, 4, "[i32]");
    check("b", 1, 1, "[i32]");
    check("h", 4, 4, "[i32]");
    check("e", 1, 1, "[i32]");
    check("vif", 16, 8, "[i32,i64]");
    check("nested", 3, 1, "[i32,i32,i32]");
}

static void check_enum(int n, uint32_t size)
{
    char *src = enum_src(n);
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = wt_load(&ctx, src);
    free(src);
    assert_non_null(p);
    gale_wit_layout_t l;
    assert_int_equal(gale_wit_type_layout(gale_wit_iface_type(gale_wit_package_iface(p, "i"), "e"), &l), 0);
    assert_int_equal(l.size, size);
    assert_int_equal(l.align, size);
    assert_int_equal(l.nflat, 1);
    gale_wit_ctx_free(ctx);
}

static void test_enum_sizes(void **state)
{
    (void)state;
    check_enum(2, 1);
    check_enum(256, 1);
    check_enum(257, 2);
    check_enum(300, 2);
}

static void sig(const char *fn, gale_wit_abi_t abi, const char *want)
{
    gale_wit_func_t *f = gale_wit_iface_func(g_i, fn);
    assert_non_null(f);
    gale_wit_core_sig_t s;
    char buf[200];
    assert_int_equal(gale_wit_func_core_sig(f, abi, &s), 0);
    if (strcmp(wt_sig(&s, buf, sizeof buf), want) != 0) {
        fprintf(stderr, "%s abi %d: got %s want %s\n", fn, (int)abi, buf, want);
        fail();
    }
}

static void test_signatures_notes(void **state)
{
    (void)state;
    /* Concurrency.md examples (reference notes §1.4) */
    sig("f0", GALE_WIT_ABI_LOWER_SYNC, "() -> nil");
    sig("f0", GALE_WIT_ABI_LOWER_ASYNC, "() -> i32");
    sig("f1", GALE_WIT_ABI_LOWER_SYNC, "(i32, i32) -> i32");
    sig("f1", GALE_WIT_ABI_LOWER_ASYNC, "(i32, i32, i32) -> i32");
    sig("f2", GALE_WIT_ABI_LOWER_SYNC, "(i32, i32, i32) -> nil");
    sig("f2", GALE_WIT_ABI_LOWER_ASYNC, "(i32, i32, i32) -> i32");
    sig("f3", GALE_WIT_ABI_LOWER_SYNC, "(f32) -> f32");
    sig("f3", GALE_WIT_ABI_LOWER_ASYNC, "(f32, i32) -> i32");
    sig("f4", GALE_WIT_ABI_LOWER_SYNC, "(i64, i64, i64, i64, i64, i32) -> nil");
    sig("f4", GALE_WIT_ABI_LOWER_ASYNC, "(i32, i32) -> i32");
    sig("f5", GALE_WIT_ABI_LOWER_SYNC, "(i32) -> i32");
    sig("f5", GALE_WIT_ABI_LOWER_ASYNC, "(i32, i32) -> i32");
}

static void test_signatures_limits(void **state)
{
    (void)state;
    /* 17 flat params: one pointer; 2 flat results: lift returns a pointer,
     * lower takes a retptr */
    sig("many", GALE_WIT_ABI_LIFT_SYNC, "(i32) -> i32");
    sig("many", GALE_WIT_ABI_LOWER_SYNC, "(i32, i32) -> nil");
    sig("sixteen", GALE_WIT_ABI_LOWER_SYNC,
        "(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> nil");
    /* async lower: at most 4 flat params */
    sig("four", GALE_WIT_ABI_LOWER_ASYNC, "(i32, i32, i32, i32) -> i32");
    sig("five", GALE_WIT_ABI_LOWER_ASYNC, "(i32, i32) -> i32");
    /* async lift: params like sync lift (16), result always i32 */
    sig("five", GALE_WIT_ABI_LIFT_ASYNC, "(i32, i32, i32, i32, i32) -> i32");
    sig("f2", GALE_WIT_ABI_LIFT_ASYNC, "(i32, i32) -> i32");
    /* task.return: flat results as params (<= 16), no result */
    sig("f2", GALE_WIT_ABI_TASK_RETURN, "(i32, i32) -> nil");
    sig("f1", GALE_WIT_ABI_TASK_RETURN, "(i32) -> nil");
    sig("f0", GALE_WIT_ABI_TASK_RETURN, "() -> nil");
    sig("f4", GALE_WIT_ABI_LIFT_SYNC, "(i64, i64, i64, i64, i64) -> i32");
    /* async ABIs are refused for non-async functions */
    gale_wit_core_sig_t s;
    assert_int_equal(gale_wit_func_core_sig(gale_wit_iface_func(g_i, "many"), GALE_WIT_ABI_LOWER_ASYNC, &s), GALE_EINVAL);
}

static void name(const gale_wit_iface_t *iface, const gale_wit_func_t *f, gale_wit_name_kind_t k, const char *mod,
                 const char *field)
{
    char m[256], fl[256];
    gale_wit_core_name(iface, f, k, m, sizeof m, fl, sizeof fl);
    if (strcmp(m, mod) != 0 || strcmp(fl, field) != 0) {
        fprintf(stderr, "got module `%s` field `%s`, want `%s` `%s`\n", m, fl, mod, field);
        fail();
    }
}

static void test_names(void **state)
{
    (void)state;
    const char *q = "t:l/i@0.1.0";
    assert_string_equal(gale_wit_iface_qualname(g_i), q);
    gale_wit_type_t *res = gale_wit_iface_type(g_i, "res");
    assert_non_null(res);
    assert_int_equal(res->nfuncs, 3);
    gale_wit_func_t *ctor = res->funcs[0], *m = res->funcs[1], *st = res->funcs[2];
    name(g_i, ctor, GALE_WIT_NAME_IMPORT, q, "[constructor]res");
    name(g_i, m, GALE_WIT_NAME_IMPORT, q, "[method]res.m");
    name(g_i, st, GALE_WIT_NAME_IMPORT, q, "[static]res.st");
    name(g_i, m, GALE_WIT_NAME_EXPORT, "", "t:l/i@0.1.0#[method]res.m");
    gale_wit_func_t *f1 = gale_wit_iface_func(g_i, "f1");
    name(g_i, f1, GALE_WIT_NAME_IMPORT_ASYNC, q, "[async-lower]f1");
    name(g_i, f1, GALE_WIT_NAME_EXPORT_ASYNC, "", "[async-lift]t:l/i@0.1.0#f1");
    name(g_i, f1, GALE_WIT_NAME_CALLBACK, "", "[callback][async-lift]t:l/i@0.1.0#f1");
    name(g_i, f1, GALE_WIT_NAME_TASK_RETURN, "[export]t:l/i@0.1.0", "[task-return]f1");
    name(g_i, gale_wit_iface_func(g_i, "many"), GALE_WIT_NAME_POST_RETURN, "", "cabi_post_t:l/i@0.1.0#many");
    name(NULL, f1, GALE_WIT_NAME_IMPORT, "$root", "f1");
    name(NULL, f1, GALE_WIT_NAME_EXPORT_ASYNC, "", "[async-lift]f1");
    name(NULL, f1, GALE_WIT_NAME_TASK_RETURN, "[export]$root", "[task-return]f1");
    /* method self param is a borrow; the implicit constructor result an own */
    assert_int_equal(m->nparams, 2);
    assert_string_equal(m->params[0].name, "self");
    assert_int_equal(m->params[0].type->kind, GALE_WIT_BORROW);
    assert_int_equal(ctor->result->kind, GALE_WIT_OWN);
    assert_ptr_equal(gale_wit_type_deref(ctor->result->elem), res);

    char mod[256], fl[256];
    gale_wit_resource_core_name(g_i, res, GALE_WIT_RNAME_DROP, mod, sizeof mod, fl, sizeof fl);
    assert_string_equal(mod, q);
    assert_string_equal(fl, "[resource-drop]res");
    gale_wit_resource_core_name(g_i, res, GALE_WIT_RNAME_EXPORT_NEW, mod, sizeof mod, fl, sizeof fl);
    assert_string_equal(mod, "[export]t:l/i@0.1.0");
    assert_string_equal(fl, "[resource-new]res");
    gale_wit_resource_core_name(g_i, res, GALE_WIT_RNAME_EXPORT_REP, mod, sizeof mod, fl, sizeof fl);
    assert_string_equal(fl, "[resource-rep]res");
    gale_wit_resource_core_name(g_i, res, GALE_WIT_RNAME_DTOR, mod, sizeof mod, fl, sizeof fl);
    assert_string_equal(fl, "t:l/i@0.1.0#[dtor]res");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_enum_sizes),
        cmocka_unit_test(test_signatures_notes),
        cmocka_unit_test(test_signatures_limits),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
