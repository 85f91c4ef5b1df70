/* See mock_engine.h. */
#include "mock_engine.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gale_wasm_module {
    const mock_module_def_t *def;
};

struct gale_wasm_func {
    gale_wasm_functype_t type;
    uint8_t types[20];
    gale_wasm_host_fn host;
    void *env;
    const mock_sig_t *guest;
};

struct gale_wasm_memory {
    uint8_t *data;
    uint64_t size;
};

struct gale_wasm_instance {
    const mock_module_def_t *def;
    gale_wasm_func_t **imports;
    gale_wasm_func_t *exports;
    struct gale_wasm_memory mem;
    void *user;
    void *state;
    jmp_buf *jb;
    gale_wasm_trap_t *trap;
    uint64_t fuel;
};

static gale_wasm_module_t *m_load(const gale_wasm_config_t *cfg, const uint8_t *bytes, size_t len,
                                  gale_wasm_error_t *err)
{
    (void)cfg;
    if (len != sizeof(mock_module_def_t)) {
        err->code = GALE_EMALFORMED;
        snprintf(err->message, sizeof err->message, "mock: not a module definition");
        return NULL;
    }
    gale_wasm_module_t *m = calloc(1, sizeof *m);
    m->def = (const mock_module_def_t *)bytes;
    return m;
}

static void m_free(gale_wasm_module_t *m)
{
    free(m);
}

static uint32_t m_nimp(const gale_wasm_module_t *m)
{
    return m->def->n_imports;
}

static int m_imp(const gale_wasm_module_t *m, uint32_t i, gale_wasm_import_desc_t *d)
{
    const mock_sig_t *s = &m->def->imports[i];
    memset(d, 0, sizeof *d);
    d->module = s->module;
    d->name = s->name;
    d->kind = GALE_WASM_EXTERN_FUNC;
    d->functype.n_params = s->np;
    d->functype.n_results = s->nr;
    d->functype.types = s->types;
    return 0;
}

static uint32_t m_nexp(const gale_wasm_module_t *m)
{
    return m->def->n_exports + (m->def->mem_size ? 1 : 0);
}

static int m_exp(const gale_wasm_module_t *m, uint32_t i, gale_wasm_export_desc_t *d)
{
    memset(d, 0, sizeof *d);
    if (i == m->def->n_exports) {
        d->name = "memory";
        d->kind = GALE_WASM_EXTERN_MEMORY;
        return 0;
    }
    const mock_sig_t *s = &m->def->exports[i];
    d->name = s->name;
    d->kind = GALE_WASM_EXTERN_FUNC;
    d->index = i;
    d->functype.n_params = s->np;
    d->functype.n_results = s->nr;
    d->functype.types = s->types;
    return 0;
}

static gale_wasm_func_t *m_new_host(const gale_wasm_config_t *cfg, const gale_wasm_functype_t *t, gale_wasm_host_fn fn,
                                    void *env)
{
    (void)cfg;
    static gale_wasm_func_t pool[1024]; /* test double: recycled, never freed */
    static unsigned next;
    gale_wasm_func_t *f = &pool[next++ % 1024];
    memset(f, 0, sizeof *f);
    memcpy(f->types, t->types, (size_t)t->n_params + t->n_results);
    f->type.n_params = t->n_params;
    f->type.n_results = t->n_results;
    f->type.types = f->types;
    f->host = fn;
    f->env = env;
    return f;
}

static gale_wasm_instance_t *m_inst(const gale_wasm_module_t *m, const gale_wasm_extern_t *imp, uint32_t n,
                                    gale_wasm_error_t *err)
{
    if (n != m->def->n_imports) {
        err->code = GALE_ELINK;
        snprintf(err->message, sizeof err->message, "mock: import count");
        return NULL;
    }
    gale_wasm_instance_t *in = calloc(1, sizeof *in);
    in->def = m->def;
    in->imports = calloc(n + 1, sizeof *in->imports);
    for (uint32_t i = 0; i < n; i++)
        in->imports[i] = imp[i].u.func;
    in->exports = calloc(m->def->n_exports + 1, sizeof *in->exports);
    for (uint32_t i = 0; i < m->def->n_exports; i++) {
        const mock_sig_t *s = &m->def->exports[i];
        gale_wasm_func_t *f = &in->exports[i];
        memcpy(f->types, s->types, (size_t)s->np + s->nr);
        f->type.n_params = s->np;
        f->type.n_results = s->nr;
        f->type.types = f->types;
        f->guest = s;
    }
    if (m->def->mem_size) {
        in->mem.data = calloc(1, m->def->mem_size);
        in->mem.size = m->def->mem_size;
    }
    in->fuel = UINT64_MAX;
    return in;
}

static void m_inst_free(gale_wasm_instance_t *in)
{
    free(in->imports);
    free(in->exports);
    free(in->mem.data);
    free(in);
}

static int m_export(gale_wasm_instance_t *in, const char *name, gale_wasm_extern_t *out)
{
    if (in->def->mem_size && strcmp(name, "memory") == 0) {
        out->kind = GALE_WASM_EXTERN_MEMORY;
        out->u.memory = &in->mem;
        return 0;
    }
    for (uint32_t i = 0; i < in->def->n_exports; i++)
        if (strcmp(in->def->exports[i].name, name) == 0) {
            out->kind = GALE_WASM_EXTERN_FUNC;
            out->u.func = &in->exports[i];
            return 0;
        }
    return GALE_ENOENT;
}

static gale_wasm_memory_t *m_mem(gale_wasm_instance_t *in, uint32_t i)
{
    return (i == 0 && in->def->mem_size) ? &in->mem : NULL;
}

static uint8_t *m_mem_data(gale_wasm_memory_t *m, uint64_t *sz)
{
    *sz = m->size;
    return m->data;
}

static int m_call(gale_wasm_instance_t *in, gale_wasm_func_t *f, const gale_wasm_val_t *args, uint32_t n,
                  gale_wasm_val_t *res, uint32_t nr, gale_wasm_trap_t *trap)
{
    if (n != f->type.n_params || nr != f->type.n_results)
        return GALE_EINVAL;
    if (f->host) {
        gale_wasm_caller_t c = {.instance = NULL};
        return f->host(&c, f->env, args, res, trap);
    }
    jmp_buf jb, *prev = in->jb;
    gale_wasm_trap_t *prevt = in->trap;
    in->jb = &jb;
    in->trap = trap;
    if (setjmp(jb)) {
        in->jb = prev;
        in->trap = prevt;
        return GALE_ETRAP;
    }
    int r = f->guest->fn(in, args, res);
    in->jb = prev;
    in->trap = prevt;
    if (r) {
        trap->code = GALE_TRAP_UNREACHABLE;
        trap->func_index = (uint32_t)(f->guest - in->def->exports);
        trap->code_offset = 0x100 + (uint32_t)r;
        snprintf(trap->message, sizeof trap->message, "unreachable");
        return GALE_ETRAP;
    }
    return 0;
}

static int m_resume(gale_wasm_instance_t *in, gale_wasm_val_t *r, uint32_t n, gale_wasm_trap_t *t)
{
    (void)in, (void)r, (void)n, (void)t;
    return GALE_EINVAL;
}

static void m_abort(gale_wasm_instance_t *in)
{
    (void)in;
}

static void m_set_fuel(gale_wasm_instance_t *in, uint64_t f)
{
    in->fuel = f;
}

static uint64_t m_get_fuel(const gale_wasm_instance_t *in)
{
    return in->fuel;
}

static void m_set_user(gale_wasm_instance_t *in, void *u)
{
    in->user = u;
}

static void *m_get_user(const gale_wasm_instance_t *in)
{
    return in->user;
}

const gale_wasm_engine_t mock_engine = {
    "mock",   m_load,   m_free,   m_nimp,   m_imp,     m_nexp,  m_exp,      m_new_host, m_inst,     m_inst_free,
    m_export, m_mem,    m_mem_data, m_call, m_resume, m_abort, m_set_fuel, m_get_fuel, m_set_user, m_get_user,
};

uint8_t *mock_mem(mock_inst_t *mi)
{
    return mi->mem.data;
}

void mock_trap(mock_inst_t *mi, const char *msg)
{
    snprintf(mi->trap->message, sizeof mi->trap->message, "%s", msg);
    mi->trap->code = GALE_TRAP_UNREACHABLE;
    longjmp(*mi->jb, 1);
}

int mock_call_import(mock_inst_t *mi, uint32_t idx, const gale_wasm_val_t *args, gale_wasm_val_t *results)
{
    gale_wasm_func_t *f = mi->imports[idx];
    gale_wasm_caller_t c = {.instance = mi};
    gale_wasm_trap_t t;
    memset(&t, 0, sizeof t);
    int r = f->host(&c, f->env, args, results, &t);
    if (r < 0) {
        snprintf(mi->trap->message, sizeof mi->trap->message, "%s", t.message);
        mi->trap->code = GALE_TRAP_HOST;
        mi->trap->code_offset = 0x200 + idx;
        longjmp(*mi->jb, 1);
    }
    return 0;
}

uint32_t mock_call_import_i32(mock_inst_t *mi, uint32_t idx, int n, ...)
{
    gale_wasm_val_t a[16], r[1];
    memset(a, 0, sizeof a);
    memset(r, 0, sizeof r);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        a[i].i32 = va_arg(ap, uint32_t);
    va_end(ap);
    mock_call_import(mi, idx, a, r);
    return r[0].i32;
}

void *mock_state(mock_inst_t *mi)
{
    return mi->state;
}

void mock_set_state(mock_inst_t *mi, void *s)
{
    mi->state = s;
}
