/* Pure parts of the component host: layouts, core signatures, handle tables,
 * core names, canonical ABI lift/lower on a byte buffer, component decoding,
 * spawn bookkeeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gale/cm.h"

#ifndef CM_DATA_DIR
#define CM_DATA_DIR "."
#endif

/* ---- helpers ---- */
static const gale_cm_type_t *rec_u8_u32_u16_m[] = {&gale_cm_t_u8, &gale_cm_t_u32, &gale_cm_t_u16};
static const gale_cm_type_t rec_u8_u32_u16 = {.kind = GALE_CM_RECORD, .n = 3, .members = rec_u8_u32_u16_m};
static const gale_cm_type_t opt_u32 = {.kind = GALE_CM_OPTION, .elem = &gale_cm_t_u32};
static const gale_cm_type_t opt_f32 = {.kind = GALE_CM_OPTION, .elem = &gale_cm_t_f32};
static const gale_cm_type_t *res_u64_str_m[] = {&gale_cm_t_u64, &gale_cm_t_string};
static const gale_cm_type_t res_u64_str = {.kind = GALE_CM_RESULT, .n = 2, .members = res_u64_str_m};
static const gale_cm_type_t *var_f32_u32_f64_m[] = {&gale_cm_t_f32, &gale_cm_t_u32, &gale_cm_t_f64};
static const gale_cm_type_t var_f32_u32_f64 = {.kind = GALE_CM_VARIANT, .n = 3, .members = var_f32_u32_f64_m};
static const gale_cm_type_t *tup_u8_u64_m[] = {&gale_cm_t_u8, &gale_cm_t_u64};
static const gale_cm_type_t tup_u8_u64 = {.kind = GALE_CM_TUPLE, .n = 2, .members = tup_u8_u64_m};
static const gale_cm_type_t flags9 = {.kind = GALE_CM_FLAGS, .n = 9};
static const gale_cm_type_t enum300 = {.kind = GALE_CM_ENUM, .n = 300};
static const gale_cm_type_t list_u8 = {.kind = GALE_CM_LIST, .elem = &gale_cm_t_u8};
static const gale_cm_type_t list_str = {.kind = GALE_CM_LIST, .elem = &gale_cm_t_string};

static void test_layouts(void **state)
{
    (void)state;
    assert_int_equal(gale_cm_type_size(&rec_u8_u32_u16), 12);
    assert_int_equal(gale_cm_type_align(&rec_u8_u32_u16), 4);
    assert_int_equal(gale_cm_type_size(&opt_u32), 8);
    assert_int_equal(gale_cm_type_align(&opt_u32), 4);
    assert_int_equal(gale_cm_type_size(&res_u64_str), 16);
    assert_int_equal(gale_cm_type_align(&res_u64_str), 8);
    assert_int_equal(gale_cm_type_size(&var_f32_u32_f64), 16);
    assert_int_equal(gale_cm_type_size(&tup_u8_u64), 16);
    assert_int_equal(gale_cm_type_size(&flags9), 2);
    assert_int_equal(gale_cm_type_size(&enum300), 2);
    assert_int_equal(gale_cm_type_size(&gale_cm_t_string), 8);

    uint8_t ft[20];
    uint32_t n = 0;
    assert_int_equal(gale_cm_flatten(&res_u64_str, ft, &n, 17), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ft[0], GALE_CM_CORE_I32);
    assert_int_equal(ft[1], GALE_CM_CORE_I64);
    assert_int_equal(ft[2], GALE_CM_CORE_I32);
    n = 0;
    gale_cm_flatten(&opt_f32, ft, &n, 17);
    assert_int_equal(n, 2);
    assert_int_equal(ft[1], GALE_CM_CORE_F32);
    n = 0;
    gale_cm_flatten(&var_f32_u32_f64, ft, &n, 17);
    assert_int_equal(n, 2);
    assert_int_equal(ft[1], GALE_CM_CORE_I64);
    /* overflow is reported */
    const gale_cm_type_t *many[17];
    for (int i = 0; i < 17; i++)
        many[i] = &gale_cm_t_u32;
    gale_cm_type_t big = {.kind = GALE_CM_TUPLE, .n = 17, .members = many};
    n = 0;
    assert_int_equal(gale_cm_flatten(&big, ft, &n, 16), GALE_EOVERFLOW);
}

static void test_coresig(void **state)
{
    (void)state;
    gale_cm_coresig_t s;
    /* async func(s: string) -> u32: sync (i32 i32)->i32, async (i32 i32 i32)->i32 */
    const gale_cm_type_t *p_str[] = {&gale_cm_t_string};
    gale_cm_functype_t f1 = {.n_params = 1, .params = p_str, .result = &gale_cm_t_u32, .is_async = true};
    assert_int_equal(gale_cm_coresig(&f1, GALE_CM_ABI_SYNC_LOWER, &s), 0);
    assert_int_equal(s.n_params, 2);
    assert_int_equal(s.n_results, 1);
    assert_int_equal(gale_cm_coresig(&f1, GALE_CM_ABI_ASYNC_LOWER, &s), 0);
    assert_int_equal(s.n_params, 3);
    assert_int_equal(s.n_results, 1);
    assert_true(s.results_in_memory);
    /* func(s: string) -> string: sync lower (i32 i32 i32) no result */
    gale_cm_functype_t f2 = {.n_params = 1, .params = p_str, .result = &gale_cm_t_string};
    gale_cm_coresig(&f2, GALE_CM_ABI_SYNC_LOWER, &s);
    assert_int_equal(s.n_params, 3);
    assert_int_equal(s.n_results, 0);
    /* sync lift returns a pointer */
    gale_cm_coresig(&f2, GALE_CM_ABI_SYNC_LIFT, &s);
    assert_int_equal(s.n_params, 2);
    assert_int_equal(s.n_results, 1);
    assert_true(s.results_in_memory);
    /* async func(x: f32) -> f32: sync (f32)->f32, async (f32 i32)->i32 */
    const gale_cm_type_t *p_f32[] = {&gale_cm_t_f32};
    gale_cm_functype_t f3 = {.n_params = 1, .params = p_f32, .result = &gale_cm_t_f32, .is_async = true};
    gale_cm_coresig(&f3, GALE_CM_ABI_SYNC_LOWER, &s);
    assert_int_equal(s.types[0], GALE_CM_CORE_F32);
    assert_int_equal(s.types[1], GALE_CM_CORE_F32);
    gale_cm_coresig(&f3, GALE_CM_ABI_ASYNC_LOWER, &s);
    assert_int_equal(s.n_params, 2);
    assert_int_equal(s.types[0], GALE_CM_CORE_F32);
    assert_int_equal(s.types[1], GALE_CM_CORE_I32);
    assert_int_equal(s.types[2], GALE_CM_CORE_I32);
    /* 5 u32 params: async lower spills to one pointer, sync does not */
    const gale_cm_type_t *p5[] = {&gale_cm_t_u32, &gale_cm_t_u32, &gale_cm_t_u32, &gale_cm_t_u32, &gale_cm_t_u32};
    gale_cm_functype_t f5 = {.n_params = 5, .params = p5, .result = NULL, .is_async = true};
    gale_cm_coresig(&f5, GALE_CM_ABI_ASYNC_LOWER, &s);
    assert_true(s.params_in_memory);
    assert_int_equal(s.n_params, 1);
    gale_cm_coresig(&f5, GALE_CM_ABI_SYNC_LOWER, &s);
    assert_false(s.params_in_memory);
    assert_int_equal(s.n_params, 5);
    /* async func() : () -> i32 async lower, entry () -> i32 */
    gale_cm_functype_t f0 = {.is_async = true};
    gale_cm_coresig(&f0, GALE_CM_ABI_ASYNC_LOWER, &s);
    assert_int_equal(s.n_params, 0);
    assert_int_equal(s.n_results, 1);
    gale_cm_coresig(&f0, GALE_CM_ABI_ASYNC_LIFT, &s);
    assert_int_equal(s.n_results, 1);
}

static void test_handles(void **state)
{
    (void)state;
    gale_cm_handle_t slots[4];
    gale_cm_table_t t;
    gale_cm_table_init(&t, slots, 4);
    gale_cm_handle_t h = {.tag = GALE_CM_H_OWN, .type = 1, .rep = 42};
    uint32_t a = gale_cm_table_add(&t, &h), b = gale_cm_table_add(&t, &h), c = gale_cm_table_add(&t, &h);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(c, 3);
    assert_int_equal(gale_cm_table_add(&t, &h), 0); /* full */
    assert_null(gale_cm_table_get(&t, 0));           /* index 0 never live */
    assert_int_equal(gale_cm_table_remove(&t, 2), 0);
    assert_int_equal(gale_cm_table_remove(&t, 2), GALE_EINVAL); /* double drop */
    assert_null(gale_cm_table_get(&t, 2));
    gale_cm_handle_t ws = {.tag = GALE_CM_H_WAITABLE_SET};
    assert_int_equal(gale_cm_table_add(&t, &ws), 2); /* reused */
    gale_cm_err_t err = {0};
    assert_null(gale_cm_table_get_tag(&t, 2, GALE_CM_H_OWN, "resource.drop", &err));
    assert_non_null(strstr(err.message, "is a waitable set, expected a own resource handle"));
    assert_null(gale_cm_table_get_tag(&t, 9, GALE_CM_H_OWN, "resource.drop", &err));
    assert_non_null(strstr(err.message, "handle 9 is not live"));
    assert_int_equal(gale_cm_table_get_tag(&t, 1, GALE_CM_H_OWN, "x", &err)->rep, 42);
    gale_cm_handle_t fr = {.tag = GALE_CM_H_FREE};
    assert_int_equal(gale_cm_table_add(&t, &fr), 0);
    assert_int_equal(t.count, 3);
}

static bool seq(gale_cm_str_t s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

static void test_import_names(void **state)
{
    (void)state;
    gale_cm_import_name_t n;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_parse_import("pulseengine:gale/sem@0.1.0", "[method]sem.take", &n, &err), 0);
    assert_int_equal(n.kind, GALE_CM_IMPORT_FUNC);
    assert_int_equal(n.form, GALE_CM_FORM_METHOD);
    assert_true(seq(n.resource, "sem"));
    assert_true(seq(n.func, "sem.take"));
    assert_true(seq(n.version, "@0.1.0"));
    assert_false(n.async_lower);

    assert_int_equal(gale_cm_parse_import("a:b/c", "[async-lower][method]sem.take", &n, &err), 0);
    assert_true(n.async_lower);
    assert_int_equal(n.form, GALE_CM_FORM_METHOD);

    assert_int_equal(gale_cm_parse_import("a:b/c", "[constructor]msgq", &n, &err), 0);
    assert_int_equal(n.form, GALE_CM_FORM_CONSTRUCTOR);
    assert_true(seq(n.resource, "msgq"));

    assert_int_equal(gale_cm_parse_import("a:b/c", "[resource-drop]msgq", &n, &err), 0);
    assert_int_equal(n.kind, GALE_CM_IMPORT_BUILTIN);
    assert_int_equal(n.builtin, GALE_CM_BI_RESOURCE_DROP);
    assert_true(seq(n.iface, "a:b/c"));

    assert_int_equal(gale_cm_parse_import("$root", "[waitable-set-wait]", &n, &err), 0);
    assert_int_equal(n.builtin, GALE_CM_BI_WAITABLE_SET_WAIT);
    assert_false(n.cancellable);
    assert_int_equal(gale_cm_parse_import("$root", "[cancellable][waitable-set-poll]", &n, &err), 0);
    assert_int_equal(n.builtin, GALE_CM_BI_WAITABLE_SET_POLL);
    assert_true(n.cancellable);

    assert_int_equal(gale_cm_parse_import("$root", "[context-get-1]", &n, &err), 0);
    assert_int_equal(n.builtin, GALE_CM_BI_CONTEXT_GET);
    assert_int_equal(n.n, 1);
    /* meld: duplicate suffix */
    assert_int_equal(gale_cm_parse_import("$root", "[context-set-0]$2", &n, &err), 0);
    assert_int_equal(n.builtin, GALE_CM_BI_CONTEXT_SET);
    assert_int_equal(n.dup_suffix, 2);
    assert_int_equal(n.n, 0);

    assert_int_equal(gale_cm_parse_import("[export]$root", "[task-return]run", &n, &err), 0);
    assert_int_equal(n.builtin, GALE_CM_BI_TASK_RETURN);
    assert_true(n.exported_iface);
    assert_true(seq(n.func, "run"));
    assert_false(n.numeric_task_return);
    /* meld: numeric task-return */
    assert_int_equal(gale_cm_parse_import("$root", "[task-return]17", &n, &err), 0);
    assert_true(n.numeric_task_return);
    assert_int_equal(n.task_return_index, 17);

    assert_int_equal(gale_cm_parse_import("[export]a:b/c", "[stream-read-1]f", &n, &err), 0);
    assert_int_equal(n.builtin, GALE_CM_BI_STREAM_READ);
    assert_int_equal(n.n, 1);
    assert_true(seq(n.func, "f"));
    assert_int_equal(gale_cm_parse_import("$root", "[async-lower][future-read-unit]g", &n, &err), 0);
    assert_int_equal(n.builtin, GALE_CM_BI_FUTURE_READ);
    assert_int_equal(n.n, UINT32_MAX);

    assert_int_equal(gale_cm_parse_import("pulseengine:async", "stream_read", &n, &err), 0);
    assert_int_equal(n.kind, GALE_CM_IMPORT_MELD_ASYNC);
    assert_int_equal(n.builtin, GALE_CM_BI_STREAM_READ);
    assert_int_equal(gale_cm_parse_import("pulseengine:async", "thread_new", &n, &err), 0);
    assert_int_equal(n.kind, GALE_CM_IMPORT_MELD_ASYNC);
    assert_int_equal(n.builtin, GALE_CM_BI_NONE); /* recognised, refused at load */
    assert_int_equal(gale_cm_parse_import("pulseengine:async", "stream_frob", &n, &err), GALE_EINVALID);

    /* meld world-level function: field "" */
    assert_int_equal(gale_cm_parse_import("log", "", &n, &err), 0);
    assert_int_equal(n.kind, GALE_CM_IMPORT_FUNC);
    assert_true(seq(n.func, "log"));

    assert_int_equal(gale_cm_parse_import("$root", "[frobnicate]", &n, &err), GALE_EINVALID);
    assert_non_null(strstr(err.message, "unknown marker [frobnicate]"));
    assert_int_equal(gale_cm_parse_import("$root", "[context-get-x]", &n, &err), GALE_EINVALID);
    assert_int_equal(gale_cm_parse_import("$root", "[waitable-set-new]junk", &n, &err), GALE_EINVALID);
}

static void test_export_names(void **state)
{
    (void)state;
    gale_cm_export_name_t e;
    gale_cm_parse_export("[async-lift]a:b/c#run", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_ASYNC_LIFT);
    assert_true(seq(e.iface, "a:b/c"));
    assert_true(seq(e.func, "run"));
    gale_cm_parse_export("[callback][async-lift]run", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_CALLBACK);
    assert_int_equal(e.iface.len, 0);
    assert_true(seq(e.func, "run"));
    gale_cm_parse_export("cabi_post_a:b/c#get", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_POST_RETURN);
    gale_cm_parse_export("a:b/c#[dtor]thing", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_DTOR);
    assert_true(seq(e.func, "thing"));
    gale_cm_parse_export("cabi_realloc$1", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_REALLOC);
    assert_int_equal(e.dup_suffix, 1);
    gale_cm_parse_export("memory", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_MEMORY);
    gale_cm_parse_export("_initialize", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_INITIALIZE);
    gale_cm_parse_export("0", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_OTHER);
    gale_cm_parse_export("greet", &e);
    assert_int_equal(e.kind, GALE_CM_EXPORT_FUNC);
    gale_cm_parse_export("a:b/c#[method]r.m", &e);
    assert_int_equal(e.form, GALE_CM_FORM_METHOD);
    assert_true(seq(e.func, "r.m"));
    char buf[64];
    assert_int_equal(gale_cm_export_core_name(buf, sizeof buf, "a:b/c", "f", GALE_CM_EXPORT_CALLBACK), 29);
    assert_string_equal(buf, "[callback][async-lift]a:b/c#f");
    assert_int_equal(gale_cm_export_core_name(buf, 4, "a:b/c", "f", GALE_CM_EXPORT_FUNC), GALE_EOVERFLOW);
}

/* ---- canonical ABI on a plain buffer ---- */
static uint8_t mem[4096];
static uint32_t bump;
static int reallocs;

static int fake_realloc(gale_cm_cx_t *cx, uint32_t op, uint32_t os, uint32_t al, uint32_t ns, uint32_t *out)
{
    (void)cx, (void)op, (void)os;
    reallocs++;
    bump = (bump + al - 1) & ~(al - 1);
    *out = bump;
    bump += ns;
    return 0;
}

static uint8_t arena_buf[8192];
static gale_cm_arena_t arena;
static gale_cm_err_t cerr;

static gale_cm_cx_t mkcx(void)
{
    memset(mem, 0, sizeof mem);
    bump = 1024;
    reallocs = 0;
    gale_cm_arena_init(&arena, arena_buf, sizeof arena_buf);
    memset(&cerr, 0, sizeof cerr);
    gale_cm_cx_t cx = {.mem = mem, .mem_size = sizeof mem, .realloc = fake_realloc, .arena = &arena, .err = &cerr};
    return cx;
}

static void test_cabi_roundtrip(void **state)
{
    (void)state;
    gale_cm_cx_t cx = mkcx();
    /* record { name: string, tags: list<string>, v: variant{f32,u32,f64}, r: result<u64,string>, b: list<u8> } */
    const gale_cm_type_t *fm[] = {&gale_cm_t_string, &list_str, &var_f32_u32_f64, &res_u64_str, &list_u8};
    gale_cm_type_t rec = {.kind = GALE_CM_RECORD, .n = 5, .members = fm};
    gale_cm_val_t tags[2] = {{.kind = GALE_CM_STRING, .u.str = {"a", 1}}, {.kind = GALE_CM_STRING, .u.str = {"héllo", 6}}};
    gale_cm_val_t f64v = {.kind = GALE_CM_F64, .u.f64 = 2.5};
    gale_cm_val_t errs = {.kind = GALE_CM_STRING, .u.str = {"bad", 3}};
    gale_cm_val_t fields[5] = {
        {.kind = GALE_CM_STRING, .u.str = {"gale", 4}},
        {.kind = GALE_CM_LIST, .u.list = {tags, 2}},
        {.kind = GALE_CM_VARIANT, .u.var = {2, &f64v}},
        {.kind = GALE_CM_RESULT, .u.var = {1, &errs}},
        {.kind = GALE_CM_LIST, .u.str = {"\x01\x02\x03", 3}},
    };
    gale_cm_val_t v = {.kind = GALE_CM_RECORD, .u.list = {fields, 5}};
    uint32_t at = 64;
    assert_int_equal(gale_cm_store(&cx, &v, at, &rec), 0);
    assert_true(reallocs >= 5);
    gale_cm_val_t back;
    assert_int_equal(gale_cm_load(&cx, at, &rec, &back), 0);
    assert_int_equal(back.u.list.len, 5);
    assert_string_equal(back.u.list.items[0].u.str.ptr, "gale");
    assert_int_equal(back.u.list.items[1].u.list.len, 2);
    assert_string_equal(back.u.list.items[1].u.list.items[1].u.str.ptr, "héllo");
    assert_int_equal(back.u.list.items[2].u.var.disc, 2);
    assert_true(back.u.list.items[2].u.var.payload->u.f64 == 2.5);
    assert_int_equal(back.u.list.items[3].u.var.disc, 1);
    assert_string_equal(back.u.list.items[3].u.var.payload->u.str.ptr, "bad");
    assert_int_equal(back.u.list.items[4].u.str.len, 3);
    assert_int_equal((uint8_t)back.u.list.items[4].u.str.ptr[2], 3);

    /* flat round trip of the same value (2+2+2+3+2 = 11 flat values) */
    uint64_t flat[16];
    uint32_t n = 0;
    assert_int_equal(gale_cm_lower_flat(&cx, &v, &rec, flat, NULL, &n, 16), 0);
    assert_int_equal(n, 11);
    gale_cm_flat_iter_t it = {.vals = flat, .n = n};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &rec, &back), 0);
    assert_int_equal(it.i, 11);
    assert_true(back.u.list.items[2].u.var.payload->u.f64 == 2.5);
    assert_string_equal(back.u.list.items[3].u.var.payload->u.str.ptr, "bad");
}

static void test_cabi_traps(void **state)
{
    (void)state;
    gale_cm_cx_t cx = mkcx();
    gale_cm_val_t out;
    cx.what = "param 0 of t#f";
    /* string out of bounds */
    uint64_t fl[2] = {4000, 200};
    gale_cm_flat_iter_t it = {.vals = fl, .n = 2};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_string, &out), GALE_ETRAP);
    assert_non_null(strstr(cerr.message, "out of bounds"));
    assert_non_null(strstr(cerr.message, "param 0 of t#f"));
    /* pointer + length wrapping around 2^32 */
    uint64_t fw[2] = {0xfffffff0u, 0x20};
    it = (gale_cm_flat_iter_t){.vals = fw, .n = 2};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_string, &out), GALE_ETRAP);
    /* invalid UTF-8 (overlong, surrogate, truncated) */
    const char *bad[] = {"\xc0\xaf", "\xed\xa0\x80", "ab\xe2\x82", "\xf4\x90\x80\x80"};
    for (int i = 0; i < 4; i++) {
        memcpy(mem + 100, bad[i], strlen(bad[i]));
        uint64_t f2[2] = {100, strlen(bad[i])};
        it = (gale_cm_flat_iter_t){.vals = f2, .n = 2};
        assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_string, &out), GALE_ETRAP);
        assert_non_null(strstr(cerr.message, "invalid UTF-8"));
    }
    /* misaligned list<u32> */
    const gale_cm_type_t lu32 = {.kind = GALE_CM_LIST, .elem = &gale_cm_t_u32};
    uint64_t f3[2] = {101, 2};
    it = (gale_cm_flat_iter_t){.vals = f3, .n = 2};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &lu32, &out), GALE_ETRAP);
    assert_non_null(strstr(cerr.message, "misaligned"));
    /* misaligned record load */
    assert_int_equal(gale_cm_load(&cx, 2, &rec_u8_u32_u16, &out), GALE_ETRAP);
    /* bad discriminant in memory and flat */
    mem[200] = 2;
    assert_int_equal(gale_cm_load(&cx, 200, &opt_u32, &out), GALE_ETRAP);
    assert_non_null(strstr(cerr.message, "discriminant 2 out of range"));
    uint64_t f4[2] = {7, 0};
    it = (gale_cm_flat_iter_t){.vals = f4, .n = 2};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &var_f32_u32_f64, &out), GALE_ETRAP);
    uint64_t f5[1] = {300};
    it = (gale_cm_flat_iter_t){.vals = f5, .n = 1};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &enum300, &out), GALE_ETRAP);
    /* char checks */
    uint64_t f6[1] = {0xd800};
    it = (gale_cm_flat_iter_t){.vals = f6, .n = 1};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_char, &out), GALE_ETRAP);
    f6[0] = 0x110000;
    it = (gale_cm_flat_iter_t){.vals = f6, .n = 1};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_char, &out), GALE_ETRAP);
    f6[0] = 0x1f600;
    it = (gale_cm_flat_iter_t){.vals = f6, .n = 1};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_char, &out), 0);
    /* own without a handle table traps */
    const gale_cm_type_t own = {.kind = GALE_CM_OWN, .resource = 1};
    it = (gale_cm_flat_iter_t){.vals = f5, .n = 1};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &own, &out), GALE_ETRAP);
    /* store out of bounds never writes */
    uint8_t before[16];
    memcpy(before, mem + sizeof mem - 16, 16);
    gale_cm_val_t u = {.kind = GALE_CM_U64, .u.u = ~0ull};
    assert_int_equal(gale_cm_store(&cx, &u, sizeof mem - 4, &gale_cm_t_u64), GALE_ETRAP);
    assert_memory_equal(before, mem + sizeof mem - 16, 16);
    /* lowering a string without realloc */
    cx.realloc = NULL;
    gale_cm_val_t s = {.kind = GALE_CM_STRING, .u.str = {"x", 1}};
    uint64_t o[2];
    uint32_t n = 0;
    assert_int_equal(gale_cm_lower_flat(&cx, &s, &gale_cm_t_string, o, NULL, &n, 2), GALE_ETRAP);
    assert_non_null(strstr(cerr.message, "cabi_realloc"));
    /* arena exhaustion is a clean error */
    cx = mkcx();
    gale_cm_arena_init(&arena, arena_buf, 8);
    memcpy(mem + 100, "0123456789abcdef", 16);
    uint64_t f7[2] = {100, 16};
    it = (gale_cm_flat_iter_t){.vals = f7, .n = 2};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_string, &out), GALE_ENOMEM);
}

static void test_cabi_nan_and_ints(void **state)
{
    (void)state;
    gale_cm_cx_t cx = mkcx();
    gale_cm_val_t out;
    uint64_t f[1] = {0x7fa00001u}; /* signalling NaN with payload */
    gale_cm_flat_iter_t it = {.vals = f, .n = 1};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &gale_cm_t_f32, &out), 0);
    uint32_t bits;
    memcpy(&bits, &out.u.f32, 4);
    assert_int_equal(bits, GALE_CM_CANONICAL_F32_NAN);
    uint64_t d[1] = {0xfff0000000000123ull};
    it = (gale_cm_flat_iter_t){.vals = d, .n = 1};
    gale_cm_lift_flat(&cx, &it, &gale_cm_t_f64, &out);
    uint64_t b64;
    memcpy(&b64, &out.u.f64, 8);
    assert_true(b64 == GALE_CM_CANONICAL_F64_NAN);
    /* integers modulo their width: s8 from 0x1ff = -1; u16 from 0x12345 = 0x2345 */
    uint64_t i1[1] = {0x1ff};
    it = (gale_cm_flat_iter_t){.vals = i1, .n = 1};
    gale_cm_lift_flat(&cx, &it, &gale_cm_t_s8, &out);
    assert_int_equal(out.u.s, -1);
    uint64_t i2[1] = {0x12345};
    it = (gale_cm_flat_iter_t){.vals = i2, .n = 1};
    gale_cm_lift_flat(&cx, &it, &gale_cm_t_u16, &out);
    assert_int_equal(out.u.u, 0x2345);
    /* bool: any non-zero */
    uint64_t i3[1] = {0x100};
    it = (gale_cm_flat_iter_t){.vals = i3, .n = 1};
    gale_cm_lift_flat(&cx, &it, &gale_cm_t_bool, &out);
    assert_true(out.u.b);
    /* variant flat: f32 case travels in an i64 slot, coerced back */
    float x = 1.5f;
    uint32_t xb;
    memcpy(&xb, &x, 4);
    uint64_t v[2] = {0, xb};
    it = (gale_cm_flat_iter_t){.vals = v, .n = 2};
    assert_int_equal(gale_cm_lift_flat(&cx, &it, &var_f32_u32_f64, &out), 0);
    assert_true(out.u.var.payload->u.f32 == 1.5f);
    /* lowering pads unused variant slots with 0 */
    gale_cm_val_t none = {.kind = GALE_CM_OPTION, .u.var = {0, NULL}};
    uint64_t o[4] = {9, 9, 9, 9};
    uint8_t ty[4];
    uint32_t n = 0;
    assert_int_equal(gale_cm_lower_flat(&cx, &none, &opt_f32, o, ty, &n, 4), 0);
    assert_int_equal(n, 2);
    assert_int_equal(o[1], 0);
    assert_int_equal(ty[1], GALE_CM_CORE_F32);
}

static void test_cabi_values_spill(void **state)
{
    (void)state;
    gale_cm_cx_t cx = mkcx();
    /* 5 u32 params over the async limit 4: lower into a realloc'd tuple, lift back */
    const gale_cm_type_t *ts[5] = {&gale_cm_t_u32, &gale_cm_t_u32, &gale_cm_t_u32, &gale_cm_t_u32, &gale_cm_t_u32};
    gale_cm_val_t vs[5];
    for (int i = 0; i < 5; i++)
        vs[i] = (gale_cm_val_t){.kind = GALE_CM_U32, .u.u = (uint64_t)(10 + i)};
    uint64_t flat[16];
    uint32_t n = 0, spill = 0;
    assert_int_equal(gale_cm_lower_values(&cx, 4, vs, ts, 5, flat, &n, 16, &spill), 0);
    assert_int_equal(n, 1);
    assert_int_equal(flat[0], spill);
    assert_int_equal(mem[spill + 16], 14);
    gale_cm_val_t back[5];
    assert_int_equal(gale_cm_lift_values(&cx, 4, flat, n, ts, 5, back), 0);
    assert_int_equal(back[4].u.u, 14);
    /* within the limit: flat */
    assert_int_equal(gale_cm_lower_values(&cx, 16, vs, ts, 5, flat, &n, 16, NULL), 0);
    assert_int_equal(n, 5);
    /* out-pointer given: stored there, no flat values */
    uint32_t outp = 512;
    assert_int_equal(gale_cm_lower_values(&cx, 1, vs, ts, 2, flat, &n, 16, &outp), 0);
    assert_int_equal(n, 0);
    assert_int_equal(mem[516], 11);
    /* misaligned out-pointer traps */
    outp = 513;
    assert_int_equal(gale_cm_lower_values(&cx, 1, vs, ts, 2, flat, &n, 16, &outp), GALE_ETRAP);
    /* spilled pointer out of bounds */
    uint64_t badp[1] = {sizeof mem - 8};
    assert_int_equal(gale_cm_lift_values(&cx, 4, badp, 1, ts, 5, back), GALE_ETRAP);
}

static void test_component_decode(void **state)
{
    (void)state;
    FILE *f = fopen(CM_DATA_DIR "/jco_sample.component.wasm", "rb");
    assert_non_null(f);
    static uint8_t buf[65536];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    static gale_cm_decoded_t d;
    gale_cm_err_t err = {0};
    assert_true(gale_cm_is_component(buf, len));
    int r = gale_cm_component_decode(buf, len, &d, &err);
    if (r)
        fail_msg("%s", err.message);
    assert_int_equal(d.n_core_modules, 3); /* main + wit-component shim + fixup */
    assert_int_equal(d.main_module, 0);
    assert_true(d.core_len > 8 && d.core[0] == 0 && d.core[4] == 1); /* a core module */
    int seen = 0;
    for (uint32_t i = 0; i < d.n_funcs; i++) {
        gale_cm_dec_func_t *fn = &d.funcs[i];
        if (!fn->is_export && strcmp(fn->name, "add") == 0) {
            assert_string_equal(fn->iface, "test:x/api");
            assert_int_equal(fn->type.n_params, 2);
            assert_int_equal(fn->type.params[0]->kind, GALE_CM_S32);
            assert_int_equal(fn->type.result->kind, GALE_CM_S32);
            assert_false(fn->type.is_async);
            seen |= 1;
        } else if (!fn->is_export && strcmp(fn->name, "wait") == 0) {
            assert_true(fn->type.is_async);
            assert_int_equal(fn->type.result->kind, GALE_CM_U32);
            seen |= 2;
        } else if (fn->is_export && strcmp(fn->name, "greet") == 0) {
            assert_string_equal(fn->core_name, "greet");
            assert_int_equal(fn->type.params[0]->kind, GALE_CM_STRING);
            assert_true(fn->has_realloc);
            assert_false(fn->lift_async);
            seen |= 4;
        } else if (fn->is_export && strcmp(fn->name, "run") == 0) {
            assert_string_equal(fn->core_name, "[async-lift]run");
            assert_string_equal(fn->callback_name, "[callback][async-lift]run");
            assert_true(fn->lift_async);
            assert_true(fn->type.is_async);
            seen |= 8;
        }
    }
    assert_int_equal(seen, 15);
    /* truncated input and garbage are clean errors naming the offset */
    for (size_t cut = 9; cut < len; cut += 97) {
        r = gale_cm_component_decode(buf, cut, &d, &err);
        assert_true(r == GALE_EMALFORMED || r == GALE_EINVALID);
        assert_non_null(strstr(err.message, "component"));
    }
    buf[9] ^= 0x55;
    r = gale_cm_component_decode(buf, len, &d, &err);
    assert_true(r < 0);
    assert_false(gale_cm_is_component((const uint8_t *)"\0asm\1\0\0\0", 8));
}

static void test_book(void **state)
{
    (void)state;
    uint32_t d = 0;
    assert_int_equal(gale_cm_restart_decide(GALE_CM_RESTART_NONE, 0, 5, 10, 1000, &d), GALE_CM_DECIDE_STOP);
    assert_int_equal(gale_cm_restart_decide(GALE_CM_RESTART_ESCALATE, 0, 5, 10, 1000, &d), GALE_CM_DECIDE_ESCALATE);
    assert_int_equal(gale_cm_restart_decide(GALE_CM_RESTART_BACKOFF, 0, 5, 10, 1000, &d), GALE_CM_DECIDE_RESTART);
    assert_int_equal(d, 10);
    gale_cm_restart_decide(GALE_CM_RESTART_BACKOFF, 3, 5, 10, 1000, &d);
    assert_int_equal(d, 80);
    gale_cm_restart_decide(GALE_CM_RESTART_BACKOFF, 4, 100, 10, 100, &d);
    assert_int_equal(d, 100);
    gale_cm_restart_decide(GALE_CM_RESTART_BACKOFF, 40, 100, 0x80000000u, 0xffffffffu, &d);
    assert_int_equal(d, 0xffffffffu); /* no overflow */
    assert_int_equal(gale_cm_restart_decide(GALE_CM_RESTART_BACKOFF, 5, 5, 10, 1000, &d), GALE_CM_DECIDE_STOP);
    assert_int_equal(gale_cm_sys_next(GALE_CM_SYS_FREE, GALE_CM_EV_SPAWN, 0), GALE_CM_SYS_STARTING);
    assert_int_equal(gale_cm_sys_next(GALE_CM_SYS_RUNNING, GALE_CM_EV_SPAWN, 0), -1);
    assert_int_equal(gale_cm_sys_next(GALE_CM_SYS_RUNNING, GALE_CM_EV_TRAP, GALE_CM_DECIDE_RESTART), GALE_CM_SYS_BACKOFF);
    assert_int_equal(gale_cm_sys_next(GALE_CM_SYS_BACKOFF, GALE_CM_EV_BACKOFF_DONE, 0), GALE_CM_SYS_STARTING);
    assert_int_equal(gale_cm_sys_next(GALE_CM_SYS_RUNNING, GALE_CM_EV_RELEASE, 0), -1);
    assert_int_equal(gale_cm_sys_next(GALE_CM_SYS_STOPPED, GALE_CM_EV_RELEASE, 0), GALE_CM_SYS_FREE);
    uint8_t st[3] = {GALE_CM_SYS_RUNNING, GALE_CM_SYS_FREE, GALE_CM_SYS_FREE};
    assert_int_equal(gale_cm_sys_slot_find(st, 3), 1);
    st[1] = GALE_CM_SYS_STOPPED;
    st[2] = GALE_CM_SYS_EXITED;
    assert_int_equal(gale_cm_sys_slot_find(st, 3), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts),          cmocka_unit_test(test_coresig),
        cmocka_unit_test(test_handles),          cmocka_unit_test(test_import_names),
        cmocka_unit_test(test_export_names),     cmocka_unit_test(test_cabi_roundtrip),
        cmocka_unit_test(test_cabi_traps),       cmocka_unit_test(test_cabi_nan_and_ints),
        cmocka_unit_test(test_cabi_values_spill), cmocka_unit_test(test_component_decode),
        cmocka_unit_test(test_book),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
