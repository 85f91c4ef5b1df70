/* gale — fuzz target for the wasm engine (libFuzzer entry point).
 *
 * One input is one module binary. The target decodes + validates it; if it
 * loads, it instantiates it with stub imports (host functions that return zeros,
 * small memories, tables and globals of the imported types) and calls every
 * exported function with zero arguments under a small fuel budget. Anything
 * the sanitizers catch (out-of-bounds read or write, use after free, leak,
 * undefined behaviour) or an inconsistent answer from the engine is a crash.
 *
 * The start section is removed before loading: it would run during
 * instantiation, before fuel can be set, and an endless start function would
 * hang the fuzzer. (The start function still runs when it is also exported.)
 *
 * Built twice: with clang -fsanitize=fuzzer (tests/fuzz/CMakeLists.txt) and,
 * with fuzz_main.c as a driver, by the normal host build to replay the seed
 * corpus and the regression inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gale/wasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FUEL 20000u
#define FUZZ_MAX_STUB_PAGES 4u
#define FUZZ_MAX_STUB_TABLE 4096u
#define FUZZ_MAX_EXPORT_CALLS 64u

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_wasm: engine contract violated: %s\n", what);
    abort();
}

/* Reads an unsigned LEB128 of at most 5 bytes (lenient on the unused bits: if
 * the engine accepts a module, this must find the same section boundaries). */
static int read_u32(const uint8_t *p, size_t len, size_t *pos, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (*pos >= len)
            return -1;
        uint8_t b = p[(*pos)++];
        v |= (uint32_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Copies the module without its start section(s) into `out` (same size or
 * smaller). Returns the new length; on a framing error the bytes are copied
 * unchanged (the engine must then reject the module anyway). */
static size_t strip_start(const uint8_t *in, size_t len, uint8_t *out)
{
    memcpy(out, in, len);
    if (len < 8)
        return len;
    size_t pos = 8, o = 8;
    while (pos < len) {
        size_t sec = pos;
        uint8_t id = in[pos++];
        uint32_t sz;
        if (read_u32(in, len, &pos, &sz) != 0 || sz > len - pos) {
            memcpy(out, in, len);
            return len;
        }
        pos += sz;
        if (id == 8)
            continue;
        memcpy(out + o, in + sec, pos - sec);
        o += pos - sec;
    }
    return o;
}

static int stub_host(gale_wasm_caller_t *caller, void *env, const gale_wasm_val_t *args, gale_wasm_val_t *results,
                     gale_wasm_trap_t *trap)
{
    (void)caller;
    (void)args;
    (void)trap;
    const gale_wasm_import_desc_t *d = env;
    for (unsigned i = 0; i < d->functype.n_results; i++)
        memset(&results[i], 0, sizeof results[i]);
    return 0;
}

static void check_error(const gale_wasm_error_t *err, const char *stage)
{
    if (err->code >= 0)
        fuzz_fail(stage);
    if (memchr(err->message, '\0', sizeof err->message) == NULL)
        fuzz_fail("error message not NUL-terminated");
}

static void check_trap(const gale_wasm_trap_t *t)
{
    if (t->code == GALE_TRAP_NONE)
        fuzz_fail("trap without a code");
    if (memchr(t->message, '\0', sizeof t->message) == NULL)
        fuzz_fail("trap message not NUL-terminated");
    const char *r = gale_wasm_trap_reason(t->code);
    if (!r || !r[0])
        fuzz_fail("no reason text for a trap code");
}

static void touch_memory(gale_wasm_memory_t *mem)
{
    if (!mem)
        return;
    uint64_t sz = 0;
    uint8_t *p = gale_wasm_memory_data(mem, &sz);
    if (sz && !p)
        fuzz_fail("memory with a size but no data");
    if (sz) {
        volatile uint8_t x = p[0];
        x = p[sz - 1]; /* ASan checks the whole reported size is addressable */
        (void)x;
    }
}

static void run_exports(const gale_wasm_module_t *m, gale_wasm_instance_t *inst)
{
    uint32_t n = gale_wasm_module_export_count(m), calls = 0;
    for (uint32_t i = 0; i < n && calls < FUZZ_MAX_EXPORT_CALLS; i++) {
        gale_wasm_export_desc_t d;
        if (gale_wasm_module_export(m, i, &d) != 0)
            fuzz_fail("gale_wasm_module_export failed for an index below the count");
        /* Names may contain U+0000; the C string then names another export
         * or none, so a failed or different lookup is not an engine error. */
        gale_wasm_extern_t ext;
        if (gale_wasm_instance_export(inst, d.name, &ext) != 0 || ext.kind != d.kind)
            continue;
        if (ext.kind == GALE_WASM_EXTERN_MEMORY) {
            touch_memory(ext.u.memory);
            continue;
        }
        if (ext.kind == GALE_WASM_EXTERN_TABLE) {
            uint32_t ts = gale_wasm_table_size(ext.u.table);
            gale_wasm_ref_t ref;
            if (ts && gale_wasm_table_get(ext.u.table, ts - 1, &ref) != 0)
                fuzz_fail("table_get below the size failed");
            if (gale_wasm_table_get(ext.u.table, ts, &ref) == 0)
                fuzz_fail("table_get at the size succeeded");
            continue;
        }
        if (ext.kind == GALE_WASM_EXTERN_GLOBAL) {
            (void)gale_wasm_global_get(ext.u.global);
            continue;
        }
        const gale_wasm_functype_t *ft = gale_wasm_func_type(ext.u.func);
        if (!ft)
            fuzz_fail("exported function without a type");
        gale_wasm_val_t args[32], results[32];
        if (ft->n_params > 32 || ft->n_results > 32)
            continue;
        memset(args, 0, sizeof args);
        gale_wasm_trap_t trap;
        memset(&trap, 0, sizeof trap);
        gale_wasm_set_fuel(inst, FUZZ_FUEL);
        calls++;
        int rc = gale_wasm_call(inst, ext.u.func, args, ft->n_params, results, ft->n_results, &trap);
        if (rc == GALE_EFUEL) {
            /* Suspended: resume once with a little more fuel, then give up. */
            gale_wasm_set_fuel(inst, FUZZ_FUEL / 4);
            memset(&trap, 0, sizeof trap);
            rc = gale_wasm_resume(inst, results, ft->n_results, &trap);
            if (rc == GALE_EFUEL)
                gale_wasm_abort(inst);
        }
        if (rc == GALE_ETRAP)
            check_trap(&trap);
        else if (rc != 0 && rc != GALE_EFUEL)
            fuzz_fail("gale_wasm_call returned an unexpected code");
    }
    touch_memory(gale_wasm_instance_memory(inst, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes)
        return 0;
    size_t len = strip_start(data, size, bytes);

    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    cfg.memory_cap_bytes = 4u << 20;
    cfg.table_cap = 100000;
    cfg.value_stack_slots = 4096;
    cfg.call_depth = 200;

    gale_wasm_error_t err;
    memset(&err, 0, sizeof err);
    gale_wasm_module_t *m = gale_wasm_module_load(&cfg, bytes, len, &err);
    memset(bytes, 0xA5, len); /* the module must not keep pointers into the input */
    free(bytes);
    if (!m) {
        check_error(&err, "module_load returned NULL without a negative error code");
        return 0;
    }
    (void)gale_wasm_module_footprint(m);

    uint32_t n_imp = gale_wasm_module_import_count(m);
    gale_wasm_import_desc_t *desc = calloc(n_imp ? n_imp : 1, sizeof *desc);
    gale_wasm_extern_t *ext = calloc(n_imp ? n_imp : 1, sizeof *ext);
    uint32_t made = 0;
    int linkable = desc && ext;
    for (uint32_t i = 0; linkable && i < n_imp; i++) {
        if (gale_wasm_module_import(m, i, &desc[i]) != 0)
            fuzz_fail("gale_wasm_module_import failed for an index below the count");
        const gale_wasm_import_desc_t *d = &desc[i];
        if (!d->module || !d->name)
            fuzz_fail("import without module/name strings");
        ext[i].kind = d->kind;
        switch (d->kind) {
        case GALE_WASM_EXTERN_FUNC:
            ext[i].u.func = gale_wasm_func_new_host(&cfg, &d->functype, stub_host, (void *)d);
            break;
        case GALE_WASM_EXTERN_MEMORY: {
            if (d->limits_min > FUZZ_MAX_STUB_PAGES) {
                linkable = 0;
                break;
            }
            uint32_t max = d->limits_max > 65536 ? UINT32_MAX : (uint32_t)d->limits_max;
            ext[i].u.memory = gale_wasm_memory_new(&cfg, (uint32_t)d->limits_min, max);
            break;
        }
        case GALE_WASM_EXTERN_TABLE: {
            if (d->limits_min > FUZZ_MAX_STUB_TABLE) {
                linkable = 0;
                break;
            }
            uint32_t max = d->limits_max >= UINT32_MAX ? UINT32_MAX : (uint32_t)d->limits_max;
            ext[i].u.table =
                gale_wasm_table_new(&cfg, (gale_wasm_valtype_t)d->table_elem, (uint32_t)d->limits_min, max);
            break;
        }
        case GALE_WASM_EXTERN_GLOBAL: {
            gale_wasm_val_t zero;
            memset(&zero, 0, sizeof zero);
            ext[i].u.global =
                gale_wasm_global_new(&cfg, (gale_wasm_valtype_t)d->global_type, d->global_mutable, zero);
            break;
        }
        default:
            fuzz_fail("import of an unknown kind");
        }
        if (!linkable)
            break;
        if (!ext[i].u.func) { /* any member: they share storage */
            linkable = 0;
            break;
        }
        made = i + 1;
    }

    if (linkable) {
        memset(&err, 0, sizeof err);
        gale_wasm_instance_t *inst = gale_wasm_instantiate(m, ext, n_imp, &err);
        if (inst) {
            (void)gale_wasm_instance_footprint(inst);
            run_exports(m, inst);
            gale_wasm_instance_free(inst);
        } else {
            check_error(&err, "instantiate returned NULL without a negative error code");
        }
    }
    for (uint32_t i = 0; i < made; i++)
        gale_wasm_extern_free(ext[i]);
    free(ext);
    free(desc);
    gale_wasm_module_free(m);
    return 0;
}
