/* The wasm engine on Cortex-M (MCU profile): load + instantiate from an arena
 * over a static buffer, calls, traps, fuel suspend/resume, host re-entry,
 * float semantics with the target's FPU, a sub-page memory cap. */
#include <stdint.h>
#include <string.h>

#include "gale/arch.h"
#include "gale/wasm.h"
#include "mcu_test.h"

extern const uint8_t mcu_wasm[];
extern const size_t mcu_wasm_len;

static uint8_t arena_buf[96 * 1024] __attribute__((aligned(16)));

typedef struct env {
    gale_wasm_func_t *bump;
    int rc;
} env_t;

static int host(gale_wasm_caller_t *caller, void *envp, const gale_wasm_val_t *args, gale_wasm_val_t *results,
                gale_wasm_trap_t *trap)
{
    env_t *env = envp;
    (void)trap;
    gale_wasm_val_t a = {.i32 = args[0].i32}, r;
    env->rc = gale_wasm_call(caller->instance, env->bump, &a, 1, &r, 1, NULL);
    results[0].i32 = r.i32 * 2;
    return env->rc;
}

static gale_wasm_func_t *get(gale_wasm_instance_t *inst, const char *name)
{
    gale_wasm_extern_t e;
    MT_EQ(gale_wasm_instance_export(inst, name, &e), 0);
    return e.u.func;
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

int main(void)
{
    gale_wasm_arena_t arena;
    gale_wasm_arena_init(&arena, arena_buf, sizeof arena_buf);
    gale_wasm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = gale_wasm_arena_alloc(&arena);
    cfg.value_stack_slots = 1024;
    cfg.call_depth = 64;
    cfg.memory_cap_bytes = 4096; /* one declared page, 4 KiB accessible */

    gale_wasm_error_t err;
    gale_wasm_module_t *m = gale_wasm_module_load(&cfg, mcu_wasm, mcu_wasm_len, &err);
    MT_CHECK(m != NULL);
    if (!m) {
        gale_cm_printf("load: %s\n", err.message);
        mt_done("qemu_wasm");
    }
    static const uint8_t t_host[] = {GALE_WASM_I32, GALE_WASM_I32};
    gale_wasm_functype_t ft = {1, 1, t_host};
    env_t env = {NULL, 0};
    gale_wasm_func_t *h = gale_wasm_func_new_host(&cfg, &ft, host, &env);
    gale_wasm_extern_t imp = {GALE_WASM_EXTERN_FUNC, {.func = h}};
    gale_wasm_instance_t *inst = gale_wasm_instantiate(m, &imp, 1, &err);
    MT_CHECK(inst != NULL);
    if (!inst) {
        gale_cm_printf("instantiate: %s\n", err.message);
        mt_done("qemu_wasm");
    }
    env.bump = get(inst, "bump");
    gale_cm_printf("arena: %u bytes used (module %u, instance %u)\n", (unsigned)arena.used,
                   (unsigned)gale_wasm_module_footprint(m), (unsigned)gale_wasm_instance_footprint(inst));

    gale_wasm_val_t a[2], r[1];
    gale_wasm_trap_t trap;
    a[0].i64 = 20;
    MT_EQ(gale_wasm_call(inst, get(inst, "fac"), a, 1, r, 1, &trap), 0);
    MT_CHECK(r[0].i64 == 2432902008176640000ull);

    a[0].i64 = 0;
    a[0].i32 = 1000;
    MT_EQ(gale_wasm_call(inst, get(inst, "sum"), a, 1, r, 1, &trap), 0);
    MT_CHECK(r[0].i64 == 499500u);

    /* fuel: suspend, resume until done */
    gale_wasm_set_fuel(inst, 100);
    int rc = gale_wasm_call(inst, get(inst, "sum"), a, 1, r, 1, &trap);
    int suspensions = 0;
    while (rc == GALE_EFUEL) {
        suspensions++;
        gale_wasm_set_fuel(inst, gale_wasm_get_fuel(inst) + 100);
        rc = gale_wasm_resume(inst, r, 1, &trap);
    }
    MT_EQ(rc, 0);
    MT_CHECK(suspensions > 10);
    MT_CHECK(r[0].i64 == 499500u);
    gale_wasm_set_fuel(inst, UINT64_MAX);

    /* traps leave the instance usable */
    a[0].i64 = 0;
    a[0].i32 = 7;
    a[1].i64 = 0;
    MT_EQ(gale_wasm_call(inst, get(inst, "div"), a, 2, r, 1, &trap), GALE_ETRAP);
    MT_CHECK(strcmp(trap.message, "integer divide by zero") == 0);
    a[0].i32 = 4092;
    a[1].i32 = 0x12345678;
    MT_EQ(gale_wasm_call(inst, get(inst, "poke"), a, 2, NULL, 0, &trap), 0);
    MT_EQ(gale_wasm_call(inst, get(inst, "peek"), a, 1, r, 1, &trap), 0);
    MT_EQ(r[0].i32, 0x12345678);
    a[0].i32 = 4093; /* past the 4 KiB cap */
    MT_EQ(gale_wasm_call(inst, get(inst, "peek"), a, 1, r, 1, &trap), GALE_ETRAP);
    MT_CHECK(strcmp(trap.message, "out of bounds memory access") == 0);

    /* floats on the target FPU */
    a[0].i64 = 0;
    a[0].f32_bits = f32b(2.25f);
    MT_EQ(gale_wasm_call(inst, get(inst, "fsqrt"), a, 1, r, 1, &trap), 0);
    MT_EQ(r[0].f32_bits, f32b(1.5f));
    a[0].f64_bits = f64b(-2.5);
    MT_EQ(gale_wasm_call(inst, get(inst, "dnearest"), a, 1, r, 1, &trap), 0);
    MT_CHECK(r[0].f64_bits == f64b(-2.0));
    a[0].f64_bits = f64b(2.0); /* software sqrt on the M4F: correctly rounded */
    MT_EQ(gale_wasm_call(inst, get(inst, "dsqrt"), a, 1, r, 1, &trap), 0);
    MT_CHECK(r[0].f64_bits == 0x3ff6a09e667f3bcdull);
    a[0].f64_bits = 0x0000000000000001ull; /* smallest subnormal */
    MT_EQ(gale_wasm_call(inst, get(inst, "dsqrt"), a, 1, r, 1, &trap), 0);
    MT_CHECK(r[0].f64_bits == 0x1e60000000000000ull);
    a[0].f64_bits = f64b(-1.0);
    MT_EQ(gale_wasm_call(inst, get(inst, "dsqrt"), a, 1, r, 1, &trap), 0);
    MT_CHECK((r[0].f64_bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull);
    a[0].f64_bits = f64b(1.5);
    a[1].f64_bits = f64b(-4.0);
    MT_EQ(gale_wasm_call(inst, get(inst, "dmul"), a, 2, r, 1, &trap), 0);
    MT_CHECK(r[0].f64_bits == f64b(-6.0));

    /* the host function re-enters the instance */
    a[0].i64 = 0;
    a[0].i32 = 5;
    MT_EQ(gale_wasm_call(inst, get(inst, "outer"), a, 1, r, 1, &trap), 0);
    MT_EQ(env.rc, 0);
    MT_EQ(r[0].i32, 15); /* host: bump(5) = 5, * 2 = 10; + g (5) */

    MT_CHECK(arena.used <= sizeof arena_buf);
    mt_done("qemu_wasm");
}
