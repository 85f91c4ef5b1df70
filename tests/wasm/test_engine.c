/* Unit tests of the gale wasm engine: decode and validation errors, traps,
 * fuel suspend/resume, re-entrancy from a host function, arena allocation,
 * stack exhaustion and the sub-page memory cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gale/wasm.h"

static const char *g_dir;

static uint8_t *read_module(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.wasm", g_dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static gale_wasm_module_t *load(const gale_wasm_config_t *cfg, const char *name, gale_wasm_error_t *err)
{
    size_t len;
    uint8_t *bytes = read_module(name, &len);
    gale_wasm_module_t *m = gale_wasm_module_load(cfg, bytes, len, err);
    free(bytes); /* the module keeps what it needs */
    return m;
}

/* ---- host functions for basic.wat ---- */

typedef struct env {
    gale_wasm_instance_t *inst;
    gale_wasm_func_t *bump;
    int logged;
    int nested_rc;
} env_t;

static int host_callback(gale_wasm_caller_t *caller, void *envp, const gale_wasm_val_t *args,
                         gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    env_t *env = envp;
    (void)trap;
    assert_ptr_equal(caller->instance, env->inst);
    /* re-enter the calling instance, twice */
    gale_wasm_val_t a = {.i32 = args[0].i32}, r;
    env->nested_rc = gale_wasm_call(caller->instance, env->bump, &a, 1, &r, 1, NULL);
    if (env->nested_rc != 0)
        return -1;
    env->nested_rc = gale_wasm_call(caller->instance, env->bump, &a, 1, &r, 1, NULL);
    results[0].i32 = r.i32 * 10;
    return 0;
}

static int host_log(gale_wasm_caller_t *caller, void *envp, const gale_wasm_val_t *args, gale_wasm_val_t *results,
                    gale_wasm_trap_t *trap)
{
    env_t *env = envp;
    (void)caller;
    (void)results;
    env->logged++;
    if (args[0].i32 == 13) {
        snprintf(trap->message, sizeof trap->message, "unlucky number");
        return -1;
    }
    return 0;
}

typedef struct fixture {
    gale_wasm_config_t cfg;
    gale_wasm_module_t *m;
    gale_wasm_instance_t *inst;
    gale_wasm_func_t *hosts[2];
    env_t env;
} fixture_t;

static void fixture_up(fixture_t *fx, const gale_wasm_config_t *cfg)
{
    memset(fx, 0, sizeof *fx);
    fx->cfg = *cfg;
    gale_wasm_error_t err;
    fx->m = load(&fx->cfg, "basic", &err);
    if (!fx->m)
        fail_msg("load: %s", err.message);
    static const uint8_t t_cb[] = {GALE_WASM_I32, GALE_WASM_I32};
    static const uint8_t t_log[] = {GALE_WASM_I32};
    gale_wasm_functype_t ft_cb = {1, 1, t_cb}, ft_log = {1, 0, t_log};
    fx->hosts[0] = gale_wasm_func_new_host(&fx->cfg, &ft_cb, host_callback, &fx->env);
    fx->hosts[1] = gale_wasm_func_new_host(&fx->cfg, &ft_log, host_log, &fx->env);
    gale_wasm_extern_t imps[2] = {{GALE_WASM_EXTERN_FUNC, {.func = fx->hosts[0]}},
                                  {GALE_WASM_EXTERN_FUNC, {.func = fx->hosts[1]}}};
    fx->inst = gale_wasm_instantiate(fx->m, imps, 2, &err);
    if (!fx->inst)
        fail_msg("instantiate: %s", err.message);
    fx->env.inst = fx->inst;
    gale_wasm_extern_t e;
    assert_int_equal(gale_wasm_instance_export(fx->inst, "bump", &e), 0);
    fx->env.bump = e.u.func;
}

static void fixture_down(fixture_t *fx)
{
    gale_wasm_instance_free(fx->inst);
    gale_wasm_module_free(fx->m);
    for (int i = 0; i < 2; i++) {
        gale_wasm_extern_t e = {GALE_WASM_EXTERN_FUNC, {.func = fx->hosts[i]}};
        gale_wasm_extern_free(e);
    }
}

static gale_wasm_func_t *fn(fixture_t *fx, const char *name)
{
    gale_wasm_extern_t e;
    assert_int_equal(gale_wasm_instance_export(fx->inst, name, &e), 0);
    assert_int_equal(e.kind, GALE_WASM_EXTERN_FUNC);
    return e.u.func;
}

static int call1(fixture_t *fx, const char *name, gale_wasm_val_t *args, uint32_t na, gale_wasm_val_t *res,
                 uint32_t nr, gale_wasm_trap_t *trap)
{
    return gale_wasm_call(fx->inst, fn(fx, name), args, na, res, nr, trap);
}

/* ---- tests ---- */

static void test_malformed(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    gale_wasm_error_t err;
    static const struct {
        const char *bytes;
        size_t len;
        int code;
        const char *phrase;
    } cases[] = {
        {"", 0, GALE_EMALFORMED, "unexpected end"},
        {"\0asn\1\0\0\0", 8, GALE_EMALFORMED, "magic header not detected"},
        {"\0asm\2\0\0\0", 8, GALE_EMALFORMED, "unknown binary version"},
        {"\0asm\1\0\0\0\x0d\0", 10, GALE_EMALFORMED, "malformed section id"},
        {"\0asm\1\0\0\0\x01\x05\x01\x60\0\0", 14, GALE_EMALFORMED, "length out of bounds"},
        {"\0asm\1\0\0\0\x01\x04\x01\x60\0\0\0", 15, GALE_EMALFORMED, "unexpected end"},
        {"\0asm\1\0\0\0\x01\x05\x01\x60\0\0\0", 15, GALE_EMALFORMED, "section size mismatch"},
        {"\0asm\1\0\0\0\x05\x07\x01\x00\x82\x80\x80\x80\x10", 17, GALE_EMALFORMED, "integer too large"},
        {"\0asm\1\0\0\0\x05\x08\x01\x00\x82\x80\x80\x80\x80\x00", 18, GALE_EMALFORMED,
         "integer representation too long"},
        {"\0asm\1\0\0\0\x03\x02\x01\x00", 12, GALE_EINVALID, "unknown type"},
        {"\0asm\1\0\0\0\x05\x03\x01\x00\x01\x05\x03\x01\x00\x01", 18, GALE_EMALFORMED,
         "unexpected content after last section"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gale_wasm_module_t *m = gale_wasm_module_load(&cfg, (const uint8_t *)cases[i].bytes, cases[i].len, &err);
        if (m)
            fail_msg("case %zu loaded", i);
        if (err.code != cases[i].code || !strstr(err.message, cases[i].phrase))
            fail_msg("case %zu: code %d message \"%s\", expected \"%s\"", i, err.code, err.message,
                     cases[i].phrase);
        /* every error names where it happened */
        assert_true(err.offset <= cases[i].len || err.offset == (size_t)-1);
    }
}

static void test_invalid(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    gale_wasm_error_t err;
    static const struct {
        const char *name, *phrase;
    } cases[] = {
        {"invalid_type", "type mismatch"},
        {"invalid_local", "unknown local"},
        {"invalid_align", "alignment must not be larger than natural"},
        {"invalid_reffunc", "undeclared function reference"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gale_wasm_module_t *m = load(&cfg, cases[i].name, &err);
        assert_null(m);
        assert_int_equal(err.code, GALE_EINVALID);
        if (!strstr(err.message, cases[i].phrase))
            fail_msg("%s: \"%s\"", cases[i].name, err.message);
        assert_int_equal(err.section, 10);
        assert_true(strstr(err.message, "code section, function") != NULL);
    }
}

static void test_calls_and_traps(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    fixture_t fx;
    fixture_up(&fx, &cfg);
    gale_wasm_val_t a[3], r[2];
    gale_wasm_trap_t trap;

    a[0].i32 = 40;
    a[1].i32 = 2;
    assert_int_equal(call1(&fx, "add", a, 2, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 42);

    a[1].i32 = 0;
    assert_int_equal(call1(&fx, "div", a, 2, r, 1, &trap), GALE_ETRAP);
    assert_int_equal(trap.code, GALE_TRAP_DIV_ZERO);
    assert_string_equal(trap.message, "integer divide by zero");
    assert_true(trap.code_offset > 0);
    a[0].i32 = 0x80000000u;
    a[1].i32 = UINT32_MAX;
    assert_int_equal(call1(&fx, "div", a, 2, r, 1, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "integer overflow");

    assert_int_equal(call1(&fx, "trap", NULL, 0, NULL, 0, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, gale_wasm_trap_reason(GALE_TRAP_UNREACHABLE));

    a[0].i32 = 65533;
    assert_int_equal(call1(&fx, "load", a, 1, r, 1, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "out of bounds memory access");
    a[0].i32 = 65532;
    a[1].i32 = 0xdeadbeef;
    assert_int_equal(call1(&fx, "store", a, 2, NULL, 0, &trap), 0);
    a[0].i32 = 65532;
    assert_int_equal(call1(&fx, "load", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 0xdeadbeef);
    uint64_t size;
    uint8_t *mem = gale_wasm_memory_data(gale_wasm_instance_memory(fx.inst, 0), &size);
    assert_int_equal(size, 65536);
    assert_int_equal(mem[65532], 0xef);

    /* fused address arithmetic wraps like i32.add: 0xfffffff8 + 8 = 0, + offset 4 */
    a[0].i32 = 4;
    a[1].i32 = 0x01020304;
    assert_int_equal(call1(&fx, "store", a, 2, NULL, 0, &trap), 0);
    a[0].i32 = 0xfffffff8u;
    assert_int_equal(call1(&fx, "load_wrap", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 0x01020304);
    a[0].i32 = 0xfffffff0u; /* wraps to 0xfffffff8 + 4: out of bounds */
    assert_int_equal(call1(&fx, "load_wrap", a, 1, r, 1, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "out of bounds memory access");
    {
        double x = 1.5, y = -2.0, z = 0.25;
        memcpy(mem + 1000 + 8, &x, 8);
        memcpy(mem + 2000, &y, 8);
        memcpy(mem + 2008, &z, 8);
        a[0].i32 = 1000;
        a[1].i32 = 2000;
        assert_int_equal(call1(&fx, "dot2", a, 2, r, 1, &trap), 0);
        double got;
        memcpy(&got, &r[0].f64_bits, 8);
        assert_true(got == 1.5 * -2.0 + 1000.0 * 0.25);
        a[1].i32 = 65536 - 8; /* the second load of the fused product is past the end */
        assert_int_equal(call1(&fx, "dot2", a, 2, r, 1, &trap), GALE_ETRAP);
        assert_string_equal(trap.message, "out of bounds memory access");
    }

    /* call_indirect: 0 add, 1 sub, 2 null, 9 out of range */
    a[1].i32 = 7;
    a[2].i32 = 5;
    a[0].i32 = 1;
    assert_int_equal(call1(&fx, "indirect", a, 3, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 2);
    a[0].i32 = 2;
    assert_int_equal(call1(&fx, "indirect", a, 3, r, 1, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "uninitialized element");
    a[0].i32 = 9;
    assert_int_equal(call1(&fx, "indirect", a, 3, r, 1, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "undefined element");

    a[0].i64 = 20;
    assert_int_equal(call1(&fx, "fac", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i64, 2432902008176640000ull);

    /* stack exhaustion traps and the instance stays usable */
    a[0].i32 = 0;
    assert_int_equal(call1(&fx, "infinite", a, 1, r, 1, &trap), GALE_ETRAP);
    assert_int_equal(trap.code, GALE_TRAP_STACK_EXHAUSTED);
    assert_string_equal(trap.message, "call stack exhausted");
    a[0].i32 = 1;
    a[1].i32 = 2;
    assert_int_equal(call1(&fx, "add", a, 2, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 3);

    /* multi-value results, wrong arity */
    a[0].i32 = 21;
    assert_int_equal(call1(&fx, "multi", a, 1, r, 2, &trap), 0);
    assert_int_equal(r[0].i32, 21);
    assert_int_equal(r[1].i32, 42);
    assert_int_equal(call1(&fx, "multi", a, 1, r, 1, &trap), GALE_EINVAL);

    /* host trap carries the host's message */
    a[0].i32 = 13;
    assert_int_equal(call1(&fx, "say", a, 1, NULL, 0, &trap), GALE_ETRAP);
    assert_int_equal(trap.code, GALE_TRAP_HOST);
    assert_string_equal(trap.message, "unlucky number");
    a[0].i32 = 1;
    assert_int_equal(call1(&fx, "say", a, 1, NULL, 0, &trap), 0);
    assert_int_equal(fx.env.logged, 2);

    /* memory.grow */
    a[0].i32 = 1;
    assert_int_equal(call1(&fx, "grow", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 1);
    mem = gale_wasm_memory_data(gale_wasm_instance_memory(fx.inst, 0), &size);
    assert_int_equal(size, 131072);
    assert_int_equal(mem[65532], 0xef);
    fixture_down(&fx);
}

static uint32_t f32b(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}
static uint64_t f64b(double f)
{
    uint64_t b;
    memcpy(&b, &f, 8);
    return b;
}

static void test_float(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    fixture_t fx;
    fixture_up(&fx, &cfg);
    gale_wasm_val_t a[2], r[1];
    gale_wasm_trap_t trap;
    a[0].i64 = 0;
    a[1].i64 = 0;
    a[0].f32_bits = f32b(0.0f);
    a[1].f32_bits = f32b(-0.0f);
    assert_int_equal(call1(&fx, "fmin", a, 2, r, 1, &trap), 0);
    assert_int_equal(r[0].f32_bits, 0x80000000u);
    a[0].f32_bits = 0x7fa00000u; /* signalling NaN in, quiet NaN out */
    assert_int_equal(call1(&fx, "fmin", a, 2, r, 1, &trap), 0);
    assert_int_equal(r[0].f32_bits & 0x7fc00000u, 0x7fc00000u);
    double cases[][2] = {{2.5, 2.0}, {3.5, 4.0}, {-2.5, -2.0}, {-0.4, -0.0}, {4503599627370497.0, 4503599627370497.0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a[0].f64_bits = f64b(cases[i][0]);
        assert_int_equal(call1(&fx, "nearest", a, 1, r, 1, &trap), 0);
        assert_int_equal(r[0].f64_bits, f64b(cases[i][1]));
    }
    a[0].f64_bits = f64b(2147483647.9);
    assert_int_equal(call1(&fx, "trunc", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 2147483647);
    a[0].f64_bits = f64b(2147483648.0);
    assert_int_equal(call1(&fx, "trunc", a, 1, r, 1, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "integer overflow");
    a[0].f64_bits = 0x7ff8000000000000ull;
    assert_int_equal(call1(&fx, "trunc", a, 1, r, 1, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "invalid conversion to integer");
    fixture_down(&fx);
}

static void test_fuel(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    fixture_t fx;
    fixture_up(&fx, &cfg);
    gale_wasm_val_t a[1], r[1];
    gale_wasm_trap_t trap;
    const uint32_t n = 10000;
    a[0].i32 = n;
    assert_int_equal(gale_wasm_get_fuel(fx.inst), UINT64_MAX);
    assert_int_equal(call1(&fx, "sum", a, 1, r, 1, &trap), 0);
    const uint64_t want = (uint64_t)n * (n - 1) / 2;
    assert_int_equal(r[0].i64, want);

    /* a small budget: the call suspends, resumes until done, same result */
    for (uint64_t budget = 7; budget <= 5000; budget = budget * 3 + 1) {
        gale_wasm_set_fuel(fx.inst, budget);
        int rc = call1(&fx, "sum", a, 1, r, 1, &trap);
        int suspensions = 0;
        while (rc == GALE_EFUEL) {
            suspensions++;
            assert_true(gale_wasm_get_fuel(fx.inst) < budget + 64); /* less than one block left */
            /* no new call while one is suspended */
            assert_int_equal(call1(&fx, "add", a, 0, NULL, 0, &trap), GALE_EINVAL);
            gale_wasm_set_fuel(fx.inst, gale_wasm_get_fuel(fx.inst) + budget);
            rc = gale_wasm_resume(fx.inst, r, 1, &trap);
        }
        assert_int_equal(rc, 0);
        assert_int_equal(r[0].i64, want);
        assert_true(suspensions > 0);
        /* roughly one unit per loop iteration's ops: at least n units were spent */
        assert_true((uint64_t)(suspensions + 1) * budget >= n);
    }

    /* abort discards a suspended call; the instance works afterwards */
    gale_wasm_set_fuel(fx.inst, 50);
    assert_int_equal(call1(&fx, "sum", a, 1, r, 1, &trap), GALE_EFUEL);
    gale_wasm_abort(fx.inst);
    assert_int_equal(gale_wasm_resume(fx.inst, r, 1, &trap), GALE_EINVAL);
    gale_wasm_set_fuel(fx.inst, UINT64_MAX);
    a[0].i32 = 100;
    assert_int_equal(call1(&fx, "sum", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i64, 4950);

    /* nested calls never suspend: out of fuel inside a host re-entry traps */
    int nested_traps = 0, completed = 0;
    for (uint64_t f = 0; f < 64; f++) {
        gale_wasm_set_fuel(fx.inst, f);
        fx.env.nested_rc = 0;
        a[0].i32 = 5;
        int rc = call1(&fx, "outer", a, 1, r, 1, &trap);
        if (rc == GALE_EFUEL) { /* suspended before reaching the host */
            assert_int_equal(fx.env.nested_rc, 0);
            gale_wasm_abort(fx.inst);
        } else if (rc == GALE_ETRAP) {
            assert_int_equal(fx.env.nested_rc, GALE_ETRAP);
            nested_traps++;
        } else {
            assert_int_equal(rc, 0);
            completed++;
        }
    }
    assert_true(nested_traps > 0);
    assert_true(completed > 0);
    gale_wasm_set_fuel(fx.inst, UINT64_MAX);
    fixture_down(&fx);
}

static void test_reentry(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    fixture_t fx;
    fixture_up(&fx, &cfg);
    gale_wasm_val_t a[1], r[1];
    gale_wasm_trap_t trap;
    a[0].i32 = 5;
    /* outer: cb(5) bumps g twice (g = 10) and returns 100; outer adds g: 110 */
    assert_int_equal(call1(&fx, "outer", a, 1, r, 1, &trap), 0);
    assert_int_equal(fx.env.nested_rc, 0);
    assert_int_equal(r[0].i32, 110);
    assert_int_equal(call1(&fx, "outer", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 200 + 20);
    fixture_down(&fx);
}

static void test_arena(void **state)
{
    (void)state;
    static uint8_t buffer[1u << 20] __attribute__((aligned(16)));
    gale_wasm_arena_t arena;
    gale_wasm_arena_init(&arena, buffer, sizeof buffer);
    gale_wasm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = gale_wasm_arena_alloc(&arena);
    cfg.value_stack_slots = 4096;
    cfg.call_depth = 128;
    fixture_t fx;
    fixture_up(&fx, &cfg);
    assert_true(arena.used > 65536);
    assert_true(arena.used <= sizeof buffer);
    assert_true(gale_wasm_module_footprint(fx.m) > 0);
    assert_true(gale_wasm_instance_footprint(fx.inst) > 65536);
    gale_wasm_val_t a[2], r[1];
    gale_wasm_trap_t trap;
    a[0].i32 = 2;
    a[1].i32 = 3;
    assert_int_equal(call1(&fx, "add", a, 2, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, 5);
    /* the configured call depth bounds recursion */
    assert_int_equal(call1(&fx, "infinite", a, 1, r, 1, &trap), GALE_ETRAP);
    assert_int_equal(trap.code, GALE_TRAP_STACK_EXHAUSTED);
    fixture_down(&fx);

    /* a too-small arena fails cleanly with ENOMEM */
    gale_wasm_arena_init(&arena, buffer, 512);
    cfg.alloc = gale_wasm_arena_alloc(&arena);
    gale_wasm_error_t err;
    size_t len;
    uint8_t *bytes = read_module("basic", &len);
    gale_wasm_module_t *m = gale_wasm_module_load(&cfg, bytes, len, &err);
    free(bytes);
    assert_null(m);
    assert_int_equal(err.code, GALE_ENOMEM);
}

static void test_memory_cap(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    cfg.memory_cap_bytes = 4096;
    fixture_t fx;
    fixture_up(&fx, &cfg);
    gale_wasm_val_t a[2], r[1];
    gale_wasm_trap_t trap;
    a[0].i32 = 4092;
    a[1].i32 = 7;
    assert_int_equal(call1(&fx, "store", a, 2, NULL, 0, &trap), 0);
    a[0].i32 = 4093;
    assert_int_equal(call1(&fx, "store", a, 2, NULL, 0, &trap), GALE_ETRAP);
    assert_string_equal(trap.message, "out of bounds memory access");
    a[0].i32 = 1;
    assert_int_equal(call1(&fx, "grow", a, 1, r, 1, &trap), 0);
    assert_int_equal(r[0].i32, UINT32_MAX);
    uint64_t size;
    gale_wasm_memory_data(gale_wasm_instance_memory(fx.inst, 0), &size);
    assert_int_equal(size, 4096);
    fixture_down(&fx);

    /* a data segment past the end of memory: instantiation traps */
    gale_wasm_config_default(&cfg);
    gale_wasm_error_t err;
    gale_wasm_module_t *m = load(&cfg, "uninst_data", &err);
    assert_non_null(m);
    assert_null(gale_wasm_instantiate(m, NULL, 0, &err));
    assert_int_equal(err.code, GALE_ETRAP);
    assert_non_null(strstr(err.message, "out of bounds memory access"));
    gale_wasm_module_free(m);
}

static void test_link_errors(void **state)
{
    (void)state;
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    gale_wasm_error_t err;
    gale_wasm_module_t *m = load(&cfg, "basic", &err);
    assert_non_null(m);
    assert_int_equal(gale_wasm_module_import_count(m), 2);
    gale_wasm_import_desc_t d;
    assert_int_equal(gale_wasm_module_import(m, 0, &d), 0);
    assert_string_equal(d.module, "env");
    assert_string_equal(d.name, "callback");
    assert_int_equal(d.functype.n_params, 1);
    /* wrong type */
    static const uint8_t t_bad[] = {GALE_WASM_I64};
    gale_wasm_functype_t ft = {1, 0, t_bad};
    env_t env;
    memset(&env, 0, sizeof env);
    gale_wasm_func_t *h = gale_wasm_func_new_host(&cfg, &ft, host_log, &env);
    gale_wasm_extern_t imps[2] = {{GALE_WASM_EXTERN_FUNC, {.func = h}}, {GALE_WASM_EXTERN_FUNC, {.func = h}}};
    assert_null(gale_wasm_instantiate(m, imps, 2, &err));
    assert_int_equal(err.code, GALE_ELINK);
    assert_non_null(strstr(err.message, "incompatible import type"));
    assert_non_null(strstr(err.message, "callback"));
    assert_null(gale_wasm_instantiate(m, imps, 1, &err));
    assert_int_equal(err.code, GALE_ELINK);
    gale_wasm_extern_t e = {GALE_WASM_EXTERN_FUNC, {.func = h}};
    gale_wasm_extern_free(e);
    /* the engine table is the same implementation */
    assert_string_equal(gale_wasm_interp.name, "interp");
    assert_int_equal(gale_wasm_interp.module_export_count(m), gale_wasm_module_export_count(m));
    gale_wasm_module_free(m);
}

int main(int argc, char **argv)
{
    g_dir = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed),     cmocka_unit_test(test_invalid),   cmocka_unit_test(test_calls_and_traps),
        cmocka_unit_test(test_float),         cmocka_unit_test(test_fuel),      cmocka_unit_test(test_reentry),
        cmocka_unit_test(test_arena),         cmocka_unit_test(test_memory_cap), cmocka_unit_test(test_link_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
