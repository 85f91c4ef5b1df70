/* gale wasm engine — instantiation, standalone objects, the public call API and
 * the engine function table. */
#include <stdio.h>

#include "wasm_internal.h"

#define DEFAULT_STACK_SLOTS 16384u
#define DEFAULT_CALL_DEPTH 1024u
#define DEFAULT_TABLE_LIMIT 10000000u

void gale_wasm_config_default(gale_wasm_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
#ifndef GALE_PROFILE_MCU
    cfg->alloc = gale_wasm_alloc_libc;
#endif
}

/* GALE_CONFIG_DIAG=0 (gale/config.h): error codes without message texts. */
#if GALE_CONFIG_DIAG
#define ERR_MSG(buf, ...) snprintf((buf), sizeof(buf), __VA_ARGS__)
#else
static inline __attribute__((format(printf, 2, 3))) void err_msg_none(char *buf, const char *fmt, ...)
{
    (void)fmt;
    buf[0] = '\0';
}
#define ERR_MSG(buf, ...) err_msg_none((buf), __VA_ARGS__)
#endif

/* String equality. Not strcmp: newlib's strcmp for ARMv7-M is 0.7 KiB of
 * word-at-a-time code, and only equality of short names is needed here. */
static bool gw_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void set_err(gale_wasm_error_t *err, int code, const char *fmt, const char *a, const char *b,
                    const char *what)
{
    if (!err)
        return;
    err->code = code;
    err->section = -1;
    err->offset = (size_t)-1;
    ERR_MSG(err->message, fmt, a ? a : "", b ? b : "", what ? what : "");
}

/* ---- standalone objects ---- */

gale_wasm_func_t *gale_wasm_func_new_host(const gale_wasm_config_t *cfg, const gale_wasm_functype_t *type,
                                          gale_wasm_host_fn fn, void *env)
{
    if (!cfg || !type || !fn)
        return NULL;
    size_t nt = (size_t)type->n_params + type->n_results;
    gale_wasm_func_t *f = (gale_wasm_func_t *)gw_alloc(&cfg->alloc, sizeof *f + nt + 1);
    if (!f)
        return NULL;
    uint8_t *ty = (uint8_t *)(f + 1);
    if (nt)
        memcpy(ty, type->types, nt);
    f->type.n_params = type->n_params;
    f->type.n_results = type->n_results;
    f->type.types = ty;
    f->is_host = 1;
    f->alloc = cfg->alloc;
    f->fn = fn;
    f->env = env;
    return f;
}

static int memory_init(gale_wasm_memory_t *m, const gale_wasm_alloc_t *al, uint32_t min, uint32_t max, uint64_t cap)
{
    memset(m, 0, sizeof *m);
    m->alloc = *al;
    m->max_pages = max == GW_NO_MAX ? GW_MAX_PAGES : max;
    m->declared_max = max;
    m->cap_bytes = cap;
    m->pages = min;
    uint64_t bytes = (uint64_t)min * GW_PAGE;
    if (cap && bytes > cap)
        bytes = cap;
    uint64_t limit = cap ? cap : ((uint64_t)1 << 30);
    if (bytes > limit || bytes > SIZE_MAX)
        return GALE_ENOMEM;
    if (bytes) {
        m->data = al->alloc ? (uint8_t *)al->alloc(al->ctx, (size_t)bytes, 16) : NULL;
        if (!m->data)
            return GALE_ENOMEM;
        memset(m->data, 0, (size_t)bytes);
    }
    m->reserved = bytes;
    m->size = bytes;
    return 0;
}

static void memory_release(gale_wasm_memory_t *m)
{
    if (m->data && m->alloc.free)
        m->alloc.free(m->alloc.ctx, m->data, (size_t)m->reserved);
    m->data = NULL;
}

gale_wasm_memory_t *gale_wasm_memory_new(const gale_wasm_config_t *cfg, uint32_t min_pages, uint32_t max_pages)
{
    if (!cfg || min_pages > GW_MAX_PAGES || (max_pages != GW_NO_MAX && max_pages < min_pages))
        return NULL;
    gale_wasm_memory_t *m = (gale_wasm_memory_t *)gw_alloc(&cfg->alloc, sizeof *m);
    if (!m)
        return NULL;
    if (memory_init(m, &cfg->alloc, min_pages, max_pages, cfg->memory_cap_bytes) != 0) {
        gw_free(&cfg->alloc, m, sizeof *m);
        return NULL;
    }
    return m;
}

static int table_init(gale_wasm_table_t *t, const gale_wasm_alloc_t *al, uint8_t elem, uint32_t min, uint32_t max,
                      uint32_t cap)
{
    memset(t, 0, sizeof *t);
    t->alloc = *al;
    t->elem = elem;
    t->declared_max = max;
    uint32_t limit = cap ? cap : DEFAULT_TABLE_LIMIT;
    t->max = max == GW_NO_MAX ? limit : (max < limit ? max : limit);
    if (min > t->max)
        return GALE_ENOMEM;
    if (min) {
        t->elems = (gale_wasm_ref_t *)gw_alloc(al, (size_t)min * sizeof(gale_wasm_ref_t));
        if (!t->elems)
            return GALE_ENOMEM;
    }
    t->size = t->cap = min;
    return 0;
}

gale_wasm_table_t *gale_wasm_table_new(const gale_wasm_config_t *cfg, gale_wasm_valtype_t elem, uint32_t min,
                                       uint32_t max)
{
    if (!cfg || (elem != GALE_WASM_FUNCREF && elem != GALE_WASM_EXTERNREF) || (max != GW_NO_MAX && max < min))
        return NULL;
    gale_wasm_table_t *t = (gale_wasm_table_t *)gw_alloc(&cfg->alloc, sizeof *t);
    if (!t)
        return NULL;
    if (table_init(t, &cfg->alloc, (uint8_t)elem, min, max, cfg->table_cap) != 0) {
        gw_free(&cfg->alloc, t, sizeof *t);
        return NULL;
    }
    return t;
}

gale_wasm_global_t *gale_wasm_global_new(const gale_wasm_config_t *cfg, gale_wasm_valtype_t type, bool mutable_,
                                         gale_wasm_val_t init)
{
    if (!cfg)
        return NULL;
    gale_wasm_global_t *g = (gale_wasm_global_t *)gw_alloc(&cfg->alloc, sizeof *g);
    if (!g)
        return NULL;
    g->val = init;
    g->type = (uint8_t)type;
    g->mut = mutable_;
    g->alloc = cfg->alloc;
    return g;
}

void gale_wasm_extern_free(gale_wasm_extern_t ext)
{
    switch (ext.kind) {
    case GALE_WASM_EXTERN_FUNC:
        if (ext.u.func && ext.u.func->is_host)
            gw_free(&ext.u.func->alloc, ext.u.func,
                    sizeof *ext.u.func + ext.u.func->type.n_params + ext.u.func->type.n_results + 1);
        break;
    case GALE_WASM_EXTERN_TABLE:
        if (ext.u.table) {
            gale_wasm_alloc_t al = ext.u.table->alloc;
            gw_free(&al, ext.u.table->elems, (size_t)ext.u.table->cap * sizeof(gale_wasm_ref_t));
            gw_free(&al, ext.u.table, sizeof *ext.u.table);
        }
        break;
    case GALE_WASM_EXTERN_MEMORY:
        if (ext.u.memory) {
            gale_wasm_alloc_t al = ext.u.memory->alloc;
            memory_release(ext.u.memory);
            gw_free(&al, ext.u.memory, sizeof *ext.u.memory);
        }
        break;
    case GALE_WASM_EXTERN_GLOBAL:
        if (ext.u.global) {
            gale_wasm_alloc_t al = ext.u.global->alloc;
            gw_free(&al, ext.u.global, sizeof *ext.u.global);
        }
        break;
    }
}

/* ---- instantiation ---- */

static const char *kind_name(int k)
{
    static const char *const n[] = {"function", "table", "memory", "global"};
    return (k >= 0 && k < 4) ? n[k] : "extern";
}

static gale_wasm_val_t eval_const(gale_wasm_instance_t *inst, const gw_constexpr_t *ce)
{
    gale_wasm_val_t v;
    v.i64 = 0;
    switch (ce->kind) {
    case GW_CE_CONST:
        v = ce->val;
        break;
    case GW_CE_GLOBAL:
        v = inst->globals[ce->index]->val;
        break;
    case GW_CE_REFFUNC:
        v.ref = inst->funcs[ce->index];
        break;
    default:
        break;
    }
    return v;
}

static int limits_match(uint64_t amin, uint64_t amax /* UINT64_MAX none */, uint32_t imin, uint32_t imax)
{
    if (amin < imin)
        return 0;
    if (imax != GW_NO_MAX && (amax == UINT64_MAX || amax > imax))
        return 0;
    return 1;
}

#define IALLOC(ptr, n)                                                                                                 \
    do {                                                                                                               \
        size_t sz_ = (size_t)(n) * sizeof(*(ptr)) + 8;                                                                 \
        (ptr) = gw_alloc(al, sz_);                                                                                     \
        if (!(ptr))                                                                                                    \
            goto nomem;                                                                                                \
        inst->footprint += sz_;                                                                                        \
    } while (0)


gale_wasm_instance_t *gale_wasm_instantiate(const gale_wasm_module_t *m, const gale_wasm_extern_t *imports,
                                            uint32_t n_imports, gale_wasm_error_t *err)
{
    gale_wasm_error_t dummy;
    if (!err)
        err = &dummy;
    memset(err, 0, sizeof *err);
    err->section = -1;
    err->offset = (size_t)-1;
    if (!m || (n_imports && !imports)) {
        set_err(err, GALE_EINVAL, "invalid argument%s%s%s", NULL, NULL, NULL);
        return NULL;
    }
    if (n_imports != m->n_imports) {
        ERR_MSG(err->message, "unknown import: %u imports given, module needs %u",
                 (unsigned)n_imports, (unsigned)m->n_imports);
        err->code = GALE_ELINK;
        return NULL;
    }
    /* type-check imports */
    for (uint32_t i = 0; i < m->n_imports; i++) {
        const gw_import_t *im = &m->imports[i];
        const gale_wasm_extern_t *ex = &imports[i];
        int ok = 1;
        if ((int)ex->kind != im->kind || !ex->u.func) {
            ok = ex->u.func != NULL;
            if (!ok) {
                set_err(err, GALE_ELINK, "unknown import \"%s\" \"%s\"%s", im->module, im->name, NULL);
                return NULL;
            }
            ok = 0;
        } else {
            switch (im->kind) {
            case GALE_WASM_EXTERN_FUNC:
                ok = gw_types_equal(&ex->u.func->type, &m->types[m->func_types[im->index]]);
                break;
            case GALE_WASM_EXTERN_TABLE: {
                const gw_tabletype_t *tt = &m->tables[im->index];
                const gale_wasm_table_t *t = ex->u.table;
                uint64_t amax = t->declared_max == GW_NO_MAX ? UINT64_MAX : t->declared_max;
                ok = t->elem == tt->elem && limits_match(t->size, amax, tt->lim.min, tt->lim.max);
                break;
            }
            case GALE_WASM_EXTERN_MEMORY: {
                const gale_wasm_memory_t *mm = ex->u.memory;
                uint64_t amax = mm->declared_max == GW_NO_MAX ? UINT64_MAX : mm->declared_max;
                ok = limits_match(mm->pages, amax, m->mem.min, m->mem.max);
                break;
            }
            default: {
                const gale_wasm_global_t *g = ex->u.global;
                const gw_globaltype_t *gt = &m->globals[im->index];
                ok = g->type == gt->type && (g->mut != 0) == (gt->mut != 0);
                break;
            }
            }
        }
        if (!ok) {
            set_err(err, GALE_ELINK, "incompatible import type for \"%s\" \"%s\" (%s expected)", im->module,
                    im->name, kind_name(im->kind));
            return NULL;
        }
    }

    const gale_wasm_alloc_t *al = &m->cfg.alloc;
    gale_wasm_instance_t *inst = (gale_wasm_instance_t *)gw_alloc(al, sizeof *inst);
    if (!inst) {
        set_err(err, GALE_ENOMEM, "out of memory%s%s%s", NULL, NULL, NULL);
        return NULL;
    }
    inst->mod = m;
    inst->alloc = *al;
    inst->fuel = UINT64_MAX;
    inst->footprint = sizeof *inst;
    uint32_t n_def = m->n_funcs - m->n_func_imports;
    IALLOC(inst->funcs, m->n_funcs);
    IALLOC(inst->own_funcs, n_def);
    IALLOC(inst->tables, m->n_tables);
    IALLOC(inst->own_tables, m->n_tables - m->n_table_imports);
    IALLOC(inst->globals, m->n_globals);
    IALLOC(inst->own_globals, m->n_globals - m->n_global_imports);
    IALLOC(inst->elem_len, m->n_elems);
    IALLOC(inst->elem_refs, m->n_elems);
    IALLOC(inst->data_dropped, m->n_datas);
    {
        uint32_t slots = m->cfg.value_stack_slots ? m->cfg.value_stack_slots : DEFAULT_STACK_SLOTS;
        uint32_t depth = m->cfg.call_depth ? m->cfg.call_depth : DEFAULT_CALL_DEPTH;
        IALLOC(inst->stack, slots);
        IALLOC(inst->frames, depth);
        inst->stack_end = inst->stack + slots;
        inst->top = inst->stack;
        inst->max_frames = depth;
    }
    /* imports */
    for (uint32_t i = 0; i < m->n_imports; i++) {
        const gw_import_t *im = &m->imports[i];
        switch (im->kind) {
        case GALE_WASM_EXTERN_FUNC: inst->funcs[im->index] = imports[i].u.func; break;
        case GALE_WASM_EXTERN_TABLE: inst->tables[im->index] = imports[i].u.table; break;
        case GALE_WASM_EXTERN_MEMORY: inst->mem = imports[i].u.memory; break;
        default: inst->globals[im->index] = imports[i].u.global; break;
        }
    }
    /* own functions */
    for (uint32_t i = 0; i < n_def; i++) {
        gale_wasm_func_t *f = &inst->own_funcs[i];
        uint32_t idx = m->n_func_imports + i;
        f->type = m->types[m->func_types[idx]];
        f->inst = inst;
        f->code = &m->codes[i];
        f->index = idx;
        inst->funcs[idx] = f;
    }
    /* tables */
    for (uint32_t i = m->n_table_imports; i < m->n_tables; i++) {
        gale_wasm_table_t *t = &inst->own_tables[i - m->n_table_imports];
        if (table_init(t, al, m->tables[i].elem, m->tables[i].lim.min, m->tables[i].lim.max, m->cfg.table_cap) != 0)
            goto nomem;
        inst->tables[i] = t;
    }
    /* memory */
    if (m->n_mems && !inst->mem) {
        if (memory_init(&inst->own_mem, al, m->mem.min, m->mem.max, m->cfg.memory_cap_bytes) != 0)
            goto nomem;
        inst->mem = &inst->own_mem;
        inst->footprint += (size_t)inst->own_mem.reserved;
    }
    /* globals */
    for (uint32_t i = m->n_global_imports; i < m->n_globals; i++) {
        gale_wasm_global_t *g = &inst->own_globals[i - m->n_global_imports];
        g->type = m->globals[i].type;
        g->mut = m->globals[i].mut;
        g->val = eval_const(inst, &m->global_inits[i]);
        inst->globals[i] = g;
    }
    /* element segments: evaluate items */
    for (uint32_t i = 0; i < m->n_elems; i++) {
        const gw_elem_t *e = &m->elems[i];
        IALLOC(inst->elem_refs[i], e->n_items);
        for (uint32_t k = 0; k < e->n_items; k++)
            inst->elem_refs[i][k] = eval_const(inst, &e->items[k]).ref;
        inst->elem_len[i] = e->mode == GW_SEG_DECLARATIVE ? 0 : e->n_items;
    }
    /* active element segments, in order; then data segments */
    for (uint32_t i = 0; i < m->n_elems; i++) {
        const gw_elem_t *e = &m->elems[i];
        if (e->mode != GW_SEG_ACTIVE)
            continue;
        uint64_t off = eval_const(inst, &e->offset).i32;
        gale_wasm_table_t *t = inst->tables[e->table];
        if (off + e->n_items > t->size) {
            err->code = GALE_ETRAP;
            snprintf(err->message, sizeof err->message,
                     "out of bounds table access: element segment %u at %llu + %u exceeds table size %u",
                     (unsigned)i, (unsigned long long)off, (unsigned)e->n_items, (unsigned)t->size);
            goto fail;
        }
        if (e->n_items)
            memcpy(t->elems + off, inst->elem_refs[i], (size_t)e->n_items * sizeof(gale_wasm_ref_t));
        inst->elem_len[i] = 0;
    }
    for (uint32_t i = 0; i < m->n_datas; i++) {
        const gw_data_t *d = &m->datas[i];
        if (d->mode != GW_SEG_ACTIVE)
            continue;
        uint64_t off = eval_const(inst, &d->offset).i32;
        if (off + d->len > inst->mem->size) {
            err->code = GALE_ETRAP;
            snprintf(err->message, sizeof err->message,
                     "out of bounds memory access: data segment %u at %llu + %u exceeds memory size %llu",
                     (unsigned)i, (unsigned long long)off, (unsigned)d->len,
                     (unsigned long long)inst->mem->size);
            goto fail;
        }
        if (d->len)
            memcpy(inst->mem->data + off, d->bytes, d->len);
        inst->data_dropped[i] = 1;
    }
    if (m->start >= 0) {
        gale_wasm_trap_t trap;
        memset(&trap, 0, sizeof trap);
        int rc = gw_invoke(inst, inst->funcs[m->start], NULL, 0, NULL, 0, &trap);
        if (rc != 0) {
            err->code = GALE_ETRAP;
            ERR_MSG(err->message, "%s (start function %u)", trap.message,
                     (unsigned)m->start);
            goto fail;
        }
    }
    return inst;

nomem:
    err->code = GALE_ENOMEM;
    ERR_MSG(err->message, "out of memory while instantiating");
    gw_instance_release(inst);
    return NULL;
fail:
    /* A trap during segment initialisation or the start function may already
     * have put this instance's functions into imported tables (2.0 semantics
     * keep those writes): the instance stays alive until the module is freed. */
    {
        gale_wasm_module_t *mm = (gale_wasm_module_t *)m;
        inst->next_zombie = mm->zombies;
        mm->zombies = inst;
    }
    return NULL;
}

void gw_instance_release(gale_wasm_instance_t *inst)
{
    const gale_wasm_module_t *m = inst->mod;
    const gale_wasm_alloc_t *al = &inst->alloc;
    if (inst->own_tables)
        for (uint32_t i = 0; i < m->n_tables - m->n_table_imports; i++)
            gw_free(al, inst->own_tables[i].elems, (size_t)inst->own_tables[i].cap * sizeof(gale_wasm_ref_t));
    memory_release(&inst->own_mem);
    if (inst->elem_refs)
        for (uint32_t i = 0; i < m->n_elems; i++)
            gw_free(al, inst->elem_refs[i], (size_t)m->elems[i].n_items * sizeof(gale_wasm_ref_t) + 8);
    gw_free(al, inst->frames, 0);
    gw_free(al, inst->stack, 0);
    gw_free(al, inst->data_dropped, 0);
    gw_free(al, inst->elem_refs, 0);
    gw_free(al, inst->elem_len, 0);
    gw_free(al, inst->own_globals, 0);
    gw_free(al, inst->globals, 0);
    gw_free(al, inst->own_tables, 0);
    gw_free(al, inst->tables, 0);
    gw_free(al, inst->own_funcs, 0);
    gw_free(al, inst->funcs, 0);
    gw_free(al, inst, sizeof *inst);
}

void gale_wasm_instance_free(gale_wasm_instance_t *inst)
{
    if (inst)
        gw_instance_release(inst);
}

int gale_wasm_instance_export(gale_wasm_instance_t *inst, const char *name, gale_wasm_extern_t *out)
{
    if (!name)
        return GALE_EINVAL;
    int rc = gale_wasm_instance_export_n(inst, name, strlen(name), out);
    if (rc != GALE_ENOENT)
        return rc;
    /* a name with an embedded U+0000 is listed (module_export) as its C-string
     * prefix: find it by that too */
    const gale_wasm_module_t *m = inst->mod;
    for (uint32_t i = 0; i < m->n_exports; i++)
        if (gw_streq(m->exports[i].name, name))
            return gale_wasm_instance_export_n(inst, m->exports[i].name, m->exports[i].name_len, out);
    return GALE_ENOENT;
}

int gale_wasm_instance_export_n(gale_wasm_instance_t *inst, const char *name, size_t len, gale_wasm_extern_t *out)
{
    if (!inst || !name || !out)
        return GALE_EINVAL;
    const gale_wasm_module_t *m = inst->mod;
    for (uint32_t i = 0; i < m->n_exports; i++) {
        const gw_export_t *e = &m->exports[i];
        if (e->name_len != len || memcmp(e->name, name, len) != 0)
            continue;
        out->kind = (gale_wasm_extern_kind_t)e->kind;
        switch (e->kind) {
        case GALE_WASM_EXTERN_FUNC: out->u.func = inst->funcs[e->index]; break;
        case GALE_WASM_EXTERN_TABLE: out->u.table = inst->tables[e->index]; break;
        case GALE_WASM_EXTERN_MEMORY: out->u.memory = inst->mem; break;
        default: out->u.global = inst->globals[e->index]; break;
        }
        return 0;
    }
    return GALE_ENOENT;
}

int gale_wasm_link_by_name(const gale_wasm_module_t *m, gale_wasm_resolve_fn resolve, void *ctx,
                           gale_wasm_extern_t *imports, gale_wasm_error_t *err)
{
    if (!m || !resolve || (m->n_imports && !imports))
        return GALE_EINVAL;
    for (uint32_t i = 0; i < m->n_imports; i++) {
        const gw_import_t *im = &m->imports[i];
        memset(&imports[i], 0, sizeof imports[i]);
        if (resolve(ctx, im->module, im->name, &imports[i]) != 0 || !imports[i].u.func) {
            set_err(err, GALE_ELINK, "unknown import \"%s\" \"%s\"%s", im->module, im->name, NULL);
            return GALE_ELINK;
        }
    }
    return 0;
}

const gale_wasm_functype_t *gale_wasm_func_type(const gale_wasm_func_t *f) { return f ? &f->type : NULL; }

uint8_t *gale_wasm_memory_data(gale_wasm_memory_t *mem, uint64_t *size_bytes)
{
    if (!mem) {
        if (size_bytes)
            *size_bytes = 0;
        return NULL;
    }
    if (size_bytes)
        *size_bytes = mem->size;
    return mem->data;
}

gale_wasm_memory_t *gale_wasm_instance_memory(gale_wasm_instance_t *inst, uint32_t index)
{
    return (inst && index == 0) ? inst->mem : NULL;
}

int gale_wasm_memory_grow(gale_wasm_memory_t *mem, uint32_t delta_pages, uint32_t *old_pages)
{
    if (!mem)
        return GALE_EINVAL;
    return gw_memory_grow(mem, delta_pages, old_pages);
}

gale_wasm_val_t gale_wasm_global_get(const gale_wasm_global_t *g)
{
    gale_wasm_val_t v;
    v.i64 = 0;
    return g ? g->val : v;
}

int gale_wasm_global_set(gale_wasm_global_t *g, gale_wasm_val_t v)
{
    if (!g)
        return GALE_EINVAL;
    if (!g->mut)
        return GALE_EPERM;
    g->val = v;
    return 0;
}

uint32_t gale_wasm_table_size(const gale_wasm_table_t *t) { return t ? t->size : 0; }

int gale_wasm_table_get(const gale_wasm_table_t *t, uint32_t i, gale_wasm_ref_t *out)
{
    if (!t || !out)
        return GALE_EINVAL;
    if (i >= t->size)
        return GALE_ERANGE;
    *out = t->elems[i];
    return 0;
}

int gale_wasm_call(gale_wasm_instance_t *inst, gale_wasm_func_t *f, const gale_wasm_val_t *args, uint32_t n_args,
                   gale_wasm_val_t *results, uint32_t n_results, gale_wasm_trap_t *trap)
{
    gale_wasm_trap_t local;
    if (!trap)
        trap = &local;
    memset(trap, 0, sizeof *trap);
    if (!inst || !f)
        return GALE_EINVAL;
    return gw_invoke(inst, f, args, n_args, results, n_results, trap);
}

void gale_wasm_set_fuel(gale_wasm_instance_t *inst, uint64_t fuel)
{
    if (inst)
        inst->fuel = fuel;
}

uint64_t gale_wasm_get_fuel(const gale_wasm_instance_t *inst) { return inst ? inst->fuel : 0; }

void gale_wasm_instance_set_user(gale_wasm_instance_t *inst, void *user)
{
    if (inst)
        inst->user = user;
}

void *gale_wasm_instance_get_user(const gale_wasm_instance_t *inst) { return inst ? inst->user : NULL; }

size_t gale_wasm_instance_footprint(const gale_wasm_instance_t *inst) { return inst ? inst->footprint : 0; }

const gale_wasm_engine_t gale_wasm_interp = {
    "interp",
    gale_wasm_module_load,
    gale_wasm_module_free,
    gale_wasm_module_import_count,
    gale_wasm_module_import,
    gale_wasm_module_export_count,
    gale_wasm_module_export,
    gale_wasm_func_new_host,
    gale_wasm_instantiate,
    gale_wasm_instance_free,
    gale_wasm_instance_export,
    gale_wasm_instance_memory,
    gale_wasm_memory_data,
    gale_wasm_call,
    gale_wasm_resume,
    gale_wasm_abort,
    gale_wasm_set_fuel,
    gale_wasm_get_fuel,
    gale_wasm_instance_set_user,
    gale_wasm_instance_get_user,
};
