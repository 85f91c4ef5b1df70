/* gale — a subset of the WebAssembly spec tests on the Cortex-M port: the
 * commands of selected .wast files (converted by wast2json on the host, then to
 * a C table by gen_spec.py, so no file system or JSON parser is needed on the
 * target) run against the engine with a bump arena over a static buffer. A
 * module that does not fit (or imports spectest) skips the commands that use
 * it; every skip is counted and printed per file. */
#include <stdint.h>
#include <string.h>

#include "gale/arch.h"
#include "gale/wasm.h"
#include "spec_mcu.h"

#ifndef SPEC_ARENA_SIZE
#define SPEC_ARENA_SIZE (3u * 1024u * 1024u)
#endif
static _Alignas(16) uint8_t arena_buf[SPEC_ARENA_SIZE];

static gale_wasm_arena_t arena;
static gale_wasm_config_t cfg;
static gale_wasm_module_t *cur_mod;
static gale_wasm_instance_t *cur_inst;
static int cur_ok;

typedef struct { unsigned pass, fail, skip; } counts_t;

/* Commands that behave differently on the MCU profile, with the reason. Such a
 * command is reported as KNOWN instead of failing the run; if it passes, that
 * is reported too (then remove it from this list). */
static const struct { const char *file; unsigned line; const char *why; } known[] = {
    { "call.wast", 359, "memory.grow of a memory allocated from the bump arena fails (-1) unless it is the arena's last block" },
    { "call_indirect.wast", 603, "memory.grow of a memory allocated from the bump arena fails (-1) unless it is the arena's last block" },
};

static const char *known_reason(const spec_cmd_t *c)
{
    for (unsigned i = 0; i < sizeof known / sizeof known[0]; i++)
        if (c->line == known[i].line && strcmp(spec_files[c->file], known[i].file) == 0)
            return known[i].why;
    return NULL;
}

static unsigned known_seen;

static void drop_current(void)
{
    if (cur_inst)
        gale_wasm_instance_free(cur_inst);
    if (cur_mod)
        gale_wasm_module_free(cur_mod);
    cur_inst = NULL;
    cur_mod = NULL;
    cur_ok = 0;
    gale_wasm_arena_init(&arena, arena_buf, sizeof arena_buf);
    gale_wasm_config_default(&cfg);
    cfg.alloc = gale_wasm_arena_alloc(&arena);
}

static int is_nan_ok(const spec_val_t *e, uint64_t bits)
{
    if (e->type == GALE_WASM_F32) {
        uint32_t b = (uint32_t)bits;
        if (e->nan == 1)
            return (b & 0x7fffffffu) == 0x7fc00000u;
        return (b & 0x7fc00000u) == 0x7fc00000u;
    }
    if (e->nan == 1)
        return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

static int val_eq(const spec_val_t *e, gale_wasm_val_t v)
{
    switch (e->type) {
    case GALE_WASM_I32:
        return v.i32 == (uint32_t)e->bits;
    case GALE_WASM_F32:
        return e->nan ? is_nan_ok(e, v.f32_bits) : v.f32_bits == (uint32_t)e->bits;
    case GALE_WASM_F64:
        return e->nan ? is_nan_ok(e, v.f64_bits) : v.f64_bits == e->bits;
    default:
        return v.i64 == e->bits;
    }
}

static void fail(const spec_cmd_t *c, const char *what, counts_t *k)
{
    const char *why = known_reason(c);
    if (why != NULL) {
        gale_cm_printf("spec %s:%u: KNOWN (%s): %s\n", spec_files[c->file], (unsigned)c->line, what, why);
        known_seen++;
        k->skip++;
        return;
    }
    gale_cm_printf("spec %s:%u: %s\n", spec_files[c->file], (unsigned)c->line, what);
    k->fail++;
}

static void run_invoke(const spec_cmd_t *c, counts_t *k)
{
    gale_wasm_extern_t ex;
    if (gale_wasm_instance_export(cur_inst, c->field, &ex) != 0 || ex.kind != GALE_WASM_EXTERN_FUNC) {
        fail(c, "export not found", k);
        return;
    }
    gale_wasm_val_t args[8], res[4];
    memset(res, 0, sizeof res);
    for (unsigned i = 0; i < c->n_args; i++) {
        args[i].i64 = 0;
        if (c->args[i].type == GALE_WASM_I32 || c->args[i].type == GALE_WASM_F32)
            args[i].i32 = (uint32_t)c->args[i].bits;
        else
            args[i].i64 = c->args[i].bits;
    }
    gale_wasm_trap_t trap;
    memset(&trap, 0, sizeof trap);
    int rc = gale_wasm_call(cur_inst, ex.u.func, args, c->n_args, res, c->n_exp, &trap);
    if (c->kind == SPEC_TRAP) {
        if (rc == 0)
            fail(c, "expected a trap, the call returned", k);
        else if (c->text[0] && strstr(trap.message, c->text) == NULL && strstr(c->text, trap.message) == NULL)
            fail(c, "trapped with another reason", k);
        else
            k->pass++;
        return;
    }
    if (rc != 0) {
        gale_cm_printf("spec %s:%u: %s: trap '%s' (rc %d)\n", spec_files[c->file], (unsigned)c->line,
                       c->field, trap.message, rc);
        k->fail++;
        return;
    }
    for (unsigned i = 0; i < c->n_exp; i++)
        if (!val_eq(&c->exp[i], res[i])) {
            fail(c, "wrong result", k);
            return;
        }
    if (known_reason(c) != NULL)
        gale_cm_printf("spec %s:%u: listed as KNOWN but passes now\n", spec_files[c->file], (unsigned)c->line);
    k->pass++;
}

int main(void)
{
    counts_t total = { 0, 0, 0 }, k = { 0, 0, 0 };
    unsigned file = 0;
    drop_current();
    for (unsigned i = 0; i <= spec_n_cmds; i++) {
        if (i == spec_n_cmds || spec_cmds[i].file != file) {
            gale_cm_printf("spec %s: %u passed, %u failed, %u skipped\n", spec_files[file], k.pass, k.fail, k.skip);
            total.pass += k.pass;
            total.fail += k.fail;
            total.skip += k.skip;
            k = (counts_t){ 0, 0, 0 };
            if (i == spec_n_cmds)
                break;
            file = spec_cmds[i].file;
            drop_current();
        }
        const spec_cmd_t *c = &spec_cmds[i];
        gale_wasm_error_t err;
        switch (c->kind) {
        case SPEC_MODULE:
            drop_current();
            if (c->module < 0) {
                k.skip++;
                break;
            }
            cur_mod = gale_wasm_module_load(&cfg, spec_modules[c->module].bytes, spec_modules[c->module].len, &err);
            if (cur_mod == NULL) {
                if (err.code == GALE_ENOMEM) { k.skip++; break; }
                fail(c, "module did not load", &k);
                break;
            }
            if (gale_wasm_module_import_count(cur_mod) != 0) {
                k.skip++;   /* spectest imports: not provided here */
                break;
            }
            cur_inst = gale_wasm_instantiate(cur_mod, NULL, 0, &err);
            if (cur_inst == NULL) {
                if (err.code == GALE_ENOMEM) { k.skip++; break; }
                fail(c, "module did not instantiate", &k);
                break;
            }
            cur_ok = 1;
            k.pass++;
            break;
        case SPEC_RETURN:
        case SPEC_TRAP:
            if (!cur_ok) {
                k.skip++;
                break;
            }
            run_invoke(c, &k);
            break;
        case SPEC_INVALID: {
            /* a fresh arena of its own, then back to the current module's */
            gale_wasm_module_t *m = gale_wasm_module_load(&cfg, spec_modules[c->module].bytes,
                                                          spec_modules[c->module].len, &err);
            if (m != NULL) {
                gale_wasm_module_free(m);
                fail(c, "invalid/malformed module was accepted", &k);
            } else {
                k.pass++;
            }
            break;
        }
        default:
            k.skip++;
            break;
        }
    }
    gale_cm_printf("spec subset: %u passed, %u failed, %u skipped (%u known MCU-profile differences) (%u files)\n",
                   total.pass, total.fail, total.skip, known_seen, spec_n_files);
    return total.fail != 0 || total.pass == 0 ? 1 : 0;
}
