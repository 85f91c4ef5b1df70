/* A stand-in for the engine used only by the spec_runner self-test: every
 * module is rejected as malformed, so the runner's bookkeeping (counts,
 * expected failures, unexpected passes) can be tested without src/wasm. */
#include <stdlib.h>
#include <string.h>

#include "gale/wasm.h"

struct gale_wasm_func {
    gale_wasm_functype_t type;
};
struct gale_wasm_table {
    int unused;
};
struct gale_wasm_memory {
    int unused;
};
struct gale_wasm_global {
    gale_wasm_val_t v;
};

void gale_wasm_config_default(gale_wasm_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

gale_wasm_module_t *gale_wasm_module_load(const gale_wasm_config_t *cfg, const uint8_t *bytes, size_t len,
                                          gale_wasm_error_t *err)
{
    (void)cfg;
    (void)bytes;
    err->code = GALE_EMALFORMED;
    err->section = -1;
    err->offset = len;
    strcpy(err->message, "stub engine: rejects every module");
    return NULL;
}

void gale_wasm_module_free(gale_wasm_module_t *module)
{
    (void)module;
}
uint32_t gale_wasm_module_import_count(const gale_wasm_module_t *m)
{
    (void)m;
    return 0;
}
int gale_wasm_module_import(const gale_wasm_module_t *m, uint32_t i, gale_wasm_import_desc_t *out)
{
    (void)m;
    (void)i;
    (void)out;
    return GALE_EINVAL;
}
gale_wasm_func_t *gale_wasm_func_new_host(const gale_wasm_config_t *cfg, const gale_wasm_functype_t *type,
                                          gale_wasm_host_fn fn, void *env)
{
    (void)cfg;
    (void)fn;
    (void)env;
    gale_wasm_func_t *f = malloc(sizeof *f);
    if (f)
        f->type = *type;
    return f;
}
gale_wasm_memory_t *gale_wasm_memory_new(const gale_wasm_config_t *cfg, uint32_t min_pages, uint32_t max_pages)
{
    (void)cfg;
    (void)min_pages;
    (void)max_pages;
    return malloc(sizeof(gale_wasm_memory_t));
}
gale_wasm_table_t *gale_wasm_table_new(const gale_wasm_config_t *cfg, gale_wasm_valtype_t elem, uint32_t min,
                                       uint32_t max)
{
    (void)cfg;
    (void)elem;
    (void)min;
    (void)max;
    return malloc(sizeof(gale_wasm_table_t));
}
gale_wasm_global_t *gale_wasm_global_new(const gale_wasm_config_t *cfg, gale_wasm_valtype_t type, bool mutable_,
                                         gale_wasm_val_t init)
{
    (void)cfg;
    (void)type;
    (void)mutable_;
    gale_wasm_global_t *g = malloc(sizeof *g);
    if (g)
        g->v = init;
    return g;
}
void gale_wasm_extern_free(gale_wasm_extern_t ext)
{
    switch (ext.kind) {
    case GALE_WASM_EXTERN_FUNC: free(ext.u.func); break;
    case GALE_WASM_EXTERN_TABLE: free(ext.u.table); break;
    case GALE_WASM_EXTERN_MEMORY: free(ext.u.memory); break;
    default: free(ext.u.global); break;
    }
}
gale_wasm_instance_t *gale_wasm_instantiate(const gale_wasm_module_t *module, const gale_wasm_extern_t *imports,
                                            uint32_t n_imports, gale_wasm_error_t *err)
{
    (void)module;
    (void)imports;
    (void)n_imports;
    err->code = GALE_ELINK;
    return NULL;
}
void gale_wasm_instance_free(gale_wasm_instance_t *inst)
{
    (void)inst;
}
int gale_wasm_instance_export(gale_wasm_instance_t *inst, const char *name, gale_wasm_extern_t *out)
{
    (void)inst;
    (void)name;
    (void)out;
    return GALE_ENOENT;
}
const gale_wasm_functype_t *gale_wasm_func_type(const gale_wasm_func_t *f)
{
    return &f->type;
}
gale_wasm_val_t gale_wasm_global_get(const gale_wasm_global_t *g)
{
    return g->v;
}
int gale_wasm_call(gale_wasm_instance_t *inst, gale_wasm_func_t *f, const gale_wasm_val_t *args, uint32_t n_args,
                   gale_wasm_val_t *results, uint32_t n_results, gale_wasm_trap_t *trap)
{
    (void)inst;
    (void)f;
    (void)args;
    (void)n_args;
    (void)results;
    (void)n_results;
    (void)trap;
    return GALE_EINVAL;
}
void gale_wasm_abort(gale_wasm_instance_t *inst)
{
    (void)inst;
}
const char *gale_wasm_trap_reason(gale_wasm_trap_code_t code)
{
    (void)code;
    return "stub";
}
int gale_wasm_instance_export_n(gale_wasm_instance_t *inst, const char *name, size_t len, gale_wasm_extern_t *out)
{
    (void)inst;
    (void)name;
    (void)len;
    (void)out;
    return GALE_ENOENT;
}
