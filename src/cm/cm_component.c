/* Decoder for component binaries that wrap one core module (as `wasm-tools
 * component new` / `jco new` produce). It walks every section (so that index
 * spaces stay right), decodes component types into gale_cm_type_t, finds the
 * lifted exports and the functions of imported instances, and the main core
 * module (the one whose instance provides the lifted code). Nested components
 * are skipped. All storage is inside gale_cm_decoded_t. */
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "gale/cm.h"

typedef struct rd {
    const uint8_t *b;
    size_t len, pos;
    gale_cm_err_t *err;
    int section;
    int failed;
} rd_t;

static int fail(rd_t *r, const char *what)
{
    if (!r->failed)
        gale_cm_err_set(r->err, GALE_EMALFORMED, "component: section %d, offset 0x%zx: %s", r->section, r->pos, what);
    r->failed = 1;
    return GALE_EMALFORMED;
}

static uint8_t u8(rd_t *r)
{
    if (r->failed)
        return 0;
    if (r->pos >= r->len) {
        fail(r, "unexpected end");
        return 0;
    }
    return r->b[r->pos++];
}

static uint32_t u32(rd_t *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        uint8_t c = u8(r);
        if (r->failed)
            return 0;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            if (v > 0xffffffffu)
                fail(r, "LEB128 u32 too large");
            return (uint32_t)v;
        }
    }
    fail(r, "LEB128 u32 too long");
    return 0;
}

static int64_t s33(rd_t *r)
{
    int64_t v = 0;
    int shift = 0;
    uint8_t c;
    do {
        c = u8(r);
        if (r->failed)
            return 0;
        v |= (int64_t)(c & 0x7f) << shift;
        shift += 7;
    } while ((c & 0x80) && shift < 35);
    if (c & 0x80)
        fail(r, "LEB128 s33 too long");
    if (shift < 64 && (c & 0x40))
        v |= -((int64_t)1 << shift);
    return v;
}

/* A name: returns pointer and length within the input. */
static const char *name(rd_t *r, uint32_t *n)
{
    *n = u32(r);
    if (r->failed)
        return "";
    if (*n > r->len - r->pos) {
        fail(r, "name runs past the end");
        return "";
    }
    const char *p = (const char *)r->b + r->pos;
    r->pos += *n;
    return p;
}

static void copy_name(char *dst, size_t cap, const char *p, uint32_t n)
{
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(dst, p, k);
    dst[k] = 0;
}

/* importname' / exportname' */
static const char *ext_name(rd_t *r, uint32_t *n)
{
    uint8_t tag = u8(r);
    const char *p = name(r, n);
    if (tag == 0x01) {
        uint32_t vn;
        (void)name(r, &vn); /* version suffix */
    } else if (tag != 0x00) {
        fail(r, "unknown import/export name form");
    }
    return p;
}

typedef struct scope {
    struct scope *parent;
    gale_cm_dec_tent_t *t;
    uint32_t n, cap;
} scope_t;

typedef struct dec {
    rd_t r;
    gale_cm_decoded_t *out;
} dec_t;

static gale_cm_type_t *new_type(dec_t *d, uint8_t kind)
{
    if (d->out->n_types_used >= GALE_CM_DEC_MAX_TYPES) {
        fail(&d->r, "too many types (GALE_CM_DEC_MAX_TYPES)");
        return NULL;
    }
    gale_cm_type_t *t = &d->out->type_pool[d->out->n_types_used++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    return t;
}

static const gale_cm_type_t **new_members(dec_t *d, uint32_t n)
{
    if (n > GALE_CM_DEC_MAX_MEMBERS - d->out->n_members_used) {
        fail(&d->r, "too many type members (GALE_CM_DEC_MAX_MEMBERS)");
        return NULL;
    }
    const gale_cm_type_t **m = &d->out->member_pool[d->out->n_members_used];
    d->out->n_members_used += n;
    for (uint32_t i = 0; i < n; i++)
        m[i] = NULL;
    return m;
}

static gale_cm_dec_tent_t *push_ent(dec_t *d, scope_t *s)
{
    if (s->n >= s->cap) {
        fail(&d->r, "too many type definitions in one scope");
        return NULL;
    }
    gale_cm_dec_tent_t *e = &s->t[s->n++];
    memset(e, 0, sizeof *e);
    return e;
}

static const gale_cm_type_t *prim(uint8_t code)
{
    switch (code) {
    case 0x7f: return &gale_cm_t_bool;
    case 0x7e: return &gale_cm_t_s8;
    case 0x7d: return &gale_cm_t_u8;
    case 0x7c: return &gale_cm_t_s16;
    case 0x7b: return &gale_cm_t_u16;
    case 0x7a: return &gale_cm_t_s32;
    case 0x79: return &gale_cm_t_u32;
    case 0x78: return &gale_cm_t_s64;
    case 0x77: return &gale_cm_t_u64;
    case 0x76: return &gale_cm_t_f32;
    case 0x75: return &gale_cm_t_f64;
    case 0x74: return &gale_cm_t_char;
    case 0x73: return &gale_cm_t_string;
    default: return NULL;
    }
}

static const gale_cm_type_t err_ctx_type = {.kind = GALE_CM_ERROR_CONTEXT};

static const gale_cm_type_t *valtype(dec_t *d, scope_t *s)
{
    int64_t v = s33(&d->r);
    if (d->r.failed)
        return NULL;
    if (v < 0) {
        uint8_t code = (uint8_t)(v & 0x7f);
        if (code == 0x64)
            return &err_ctx_type;
        const gale_cm_type_t *p = prim(code);
        if (!p)
            fail(&d->r, "unknown primitive value type");
        return p;
    }
    if ((uint64_t)v >= s->n || s->t[v].kind != 1) {
        fail(&d->r, "value type index does not name a value type");
        return NULL;
    }
    return s->t[v].val;
}

static const gale_cm_type_t *opt_valtype(dec_t *d, scope_t *s)
{
    uint8_t f = u8(&d->r);
    if (f == 0x00)
        return NULL;
    if (f != 0x01) {
        fail(&d->r, "bad option<valtype> flag");
        return NULL;
    }
    return valtype(d, s);
}

static uint32_t resource_of(dec_t *d, scope_t *s, uint32_t idx)
{
    if (idx >= s->n || s->t[idx].kind != 3) {
        fail(&d->r, "own/borrow of a type index that is not a resource");
        return 0;
    }
    return s->t[idx].res;
}

static uint32_t new_resource(dec_t *d, const char *nm, uint32_t nl)
{
    gale_cm_decoded_t *o = d->out;
    uint32_t id = o->n_resources++;
    if (id < GALE_CM_DEC_MAX_RESOURCES) {
        o->resources[id].iface[0] = 0;
        copy_name(o->resources[id].name, sizeof o->resources[id].name, nm, nl);
    }
    return id;
}

/* defvaltype whose opcode byte `op` has been read */
static int defvaltype(dec_t *d, scope_t *s, uint8_t op, gale_cm_dec_tent_t *e)
{
    rd_t *r = &d->r;
    gale_cm_type_t *t = NULL;
    uint32_t n, nl;
    e->kind = 1;
    const gale_cm_type_t *p = prim(op);
    if (p) {
        e->val = p;
        return 0;
    }
    switch (op) {
    case 0x64: e->val = &err_ctx_type; return 0;
    case 0x72: /* record */
    case 0x6f: /* tuple */
        n = u32(r);
        if (!(t = new_type(d, op == 0x72 ? GALE_CM_RECORD : GALE_CM_TUPLE)))
            return GALE_EMALFORMED;
        t->n = n;
        {
            const gale_cm_type_t **m = new_members(d, n);
            if (!m)
                return GALE_EMALFORMED;
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                if (op == 0x72)
                    (void)name(r, &nl);
                m[i] = valtype(d, s);
            }
            t->members = m;
        }
        break;
    case 0x71: /* variant */
        n = u32(r);
        if (!(t = new_type(d, GALE_CM_VARIANT)))
            return GALE_EMALFORMED;
        t->n = n;
        {
            const gale_cm_type_t **m = new_members(d, n);
            if (!m)
                return GALE_EMALFORMED;
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                (void)name(r, &nl);
                m[i] = opt_valtype(d, s);
                if (u8(r) != 0x00)
                    fail(r, "variant case refinement is not supported");
            }
            t->members = m;
        }
        break;
    case 0x70: /* list */
        if (!(t = new_type(d, GALE_CM_LIST)))
            return GALE_EMALFORMED;
        t->elem = valtype(d, s);
        break;
    case 0x67: /* fixed-length list */
        if (!(t = new_type(d, GALE_CM_LIST)))
            return GALE_EMALFORMED;
        t->elem = valtype(d, s);
        t->n = u32(r);
        if (t->n == 0)
            fail(r, "fixed-length list of length 0");
        break;
    case 0x6e: /* flags */
    case 0x6d: /* enum */
        n = u32(r);
        if (!(t = new_type(d, op == 0x6e ? GALE_CM_FLAGS : GALE_CM_ENUM)))
            return GALE_EMALFORMED;
        t->n = n;
        for (uint32_t i = 0; i < n && !r->failed; i++)
            (void)name(r, &nl);
        if (op == 0x6e && (n == 0 || n > 32))
            fail(r, "flags must have 1..32 labels");
        break;
    case 0x6b: /* option */
        if (!(t = new_type(d, GALE_CM_OPTION)))
            return GALE_EMALFORMED;
        t->elem = valtype(d, s);
        break;
    case 0x6a: /* result */
        if (!(t = new_type(d, GALE_CM_RESULT)))
            return GALE_EMALFORMED;
        t->n = 2;
        {
            const gale_cm_type_t **m = new_members(d, 2);
            if (!m)
                return GALE_EMALFORMED;
            m[0] = opt_valtype(d, s);
            m[1] = opt_valtype(d, s);
            t->members = m;
        }
        break;
    case 0x69: /* own */
    case 0x68: /* borrow */
        if (!(t = new_type(d, op == 0x69 ? GALE_CM_OWN : GALE_CM_BORROW)))
            return GALE_EMALFORMED;
        t->resource = resource_of(d, s, u32(r));
        break;
    case 0x66: /* stream */
    case 0x65: /* future */
        if (!(t = new_type(d, op == 0x66 ? GALE_CM_STREAM : GALE_CM_FUTURE)))
            return GALE_EMALFORMED;
        t->elem = opt_valtype(d, s);
        break;
    default: return fail(r, "unknown value type constructor");
    }
    e->val = t;
    return r->failed ? GALE_EMALFORMED : 0;
}

static int functype(dec_t *d, scope_t *s, uint8_t op, gale_cm_functype_t *fn)
{
    rd_t *r = &d->r;
    uint32_t nl;
    fn->is_async = op == 0x43;
    uint32_t n = u32(r);
    const gale_cm_type_t **m = new_members(d, n);
    if (!m)
        return GALE_EMALFORMED;
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        (void)name(r, &nl);
        m[i] = valtype(d, s);
    }
    fn->n_params = n;
    fn->params = m;
    uint8_t rk = u8(r);
    if (rk == 0x00) {
        fn->result = valtype(d, s);
    } else if (rk == 0x01) {
        uint32_t nr = u32(r);
        if (nr != 0)
            return fail(r, "named/multiple results are not supported");
        fn->result = NULL;
    } else {
        return fail(r, "bad result list");
    }
    return r->failed ? GALE_EMALFORMED : 0;
}

static int skip_core_type(dec_t *d);
static int deftype(dec_t *d, scope_t *s, gale_cm_dec_tent_t *e);

static int skip_core_valtypes(rd_t *r)
{
    uint32_t n = u32(r);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint8_t v = u8(r);
        if (v == 0x63 || v == 0x64) /* (ref null? ht) */
            (void)s33(r);
    }
    return r->failed ? GALE_EMALFORMED : 0;
}

static int skip_core_importdesc(rd_t *r)
{
    uint8_t k = u8(r);
    switch (k) {
    case 0x00: (void)u32(r); break;               /* func typeidx */
    case 0x01: (void)u8(r); /* fallthrough */      /* table: reftype + limits */
    case 0x02: {                                  /* memory limits */
        uint8_t f = u8(r);
        (void)u32(r);
        if (f & 1)
            (void)u32(r);
        break;
    }
    case 0x03: (void)u8(r); (void)u8(r); break; /* global */
    default: return fail(r, "unknown core import kind in module type");
    }
    return r->failed ? GALE_EMALFORMED : 0;
}

static int skip_core_type(dec_t *d)
{
    rd_t *r = &d->r;
    uint8_t op = u8(r);
    uint32_t nl;
    if (op == 0x60) {
        skip_core_valtypes(r);
        return skip_core_valtypes(r);
    }
    if (op == 0x50) {
        uint32_t n = u32(r);
        for (uint32_t i = 0; i < n && !r->failed; i++) {
            uint8_t k = u8(r);
            switch (k) {
            case 0x00:
                (void)name(r, &nl);
                (void)name(r, &nl);
                skip_core_importdesc(r);
                break;
            case 0x01: skip_core_type(d); break;
            case 0x02:
                (void)u8(r);
                if (u8(r) != 0x01)
                    return fail(r, "bad core alias in module type");
                (void)u32(r);
                (void)u32(r);
                break;
            case 0x03:
                (void)name(r, &nl);
                skip_core_importdesc(r);
                break;
            default: return fail(r, "unknown module type declaration");
            }
        }
        return r->failed ? GALE_EMALFORMED : 0;
    }
    return fail(r, "unsupported core type");
}

static scope_t *outer(scope_t *s, uint32_t ct)
{
    while (s && ct--)
        s = s->parent;
    return s;
}

/* externdesc: fills e for type-sort entries and func types. Returns sort. */
static int externdesc(dec_t *d, scope_t *s, gale_cm_dec_tent_t *e, const char *nm, uint32_t nl)
{
    rd_t *r = &d->r;
    uint8_t k = u8(r);
    memset(e, 0, sizeof *e);
    switch (k) {
    case 0x00:
        if (u8(r) != 0x11)
            return fail(r, "bad core module extern");
        (void)u32(r);
        return 0x10;
    case 0x01: { /* func */
        uint32_t ti = u32(r);
        if (ti >= s->n || s->t[ti].kind != 2)
            return fail(r, "func extern does not name a function type");
        *e = s->t[ti];
        return 1;
    }
    case 0x02:
        if (u8(r) == 0x00)
            (void)u32(r);
        else
            (void)valtype(d, s);
        return 2;
    case 0x03: { /* type bound */
        uint8_t b = u8(r);
        if (b == 0x00) {
            uint32_t ti = u32(r);
            if (ti >= s->n)
                return fail(r, "type bound index out of range");
            *e = s->t[ti];
        } else if (b == 0x01) {
            e->kind = 3;
            e->res = new_resource(d, nm, nl);
        } else {
            return fail(r, "bad type bound");
        }
        return 3;
    }
    case 0x04: /* component */
        (void)u32(r);
        return 4;
    case 0x05: { /* instance */
        uint32_t ti = u32(r);
        if (ti >= s->n || s->t[ti].kind != 4)
            return fail(r, "instance extern does not name an instance type");
        *e = s->t[ti];
        return 5;
    }
    default: return fail(r, "unknown extern kind");
    }
}

/* instance type (0x42) or component type (0x41) body */
static int decl_body(dec_t *d, scope_t *parent, bool is_instance, gale_cm_dec_tent_t *e, int depth)
{
    rd_t *r = &d->r;
    if (depth >= 3)
        return fail(r, "component/instance types nested too deeply");
    scope_t s = {parent, d->out->scope_types[depth], 0, GALE_CM_DEC_MAX_SCOPE_TYPES};
    uint32_t first = d->out->n_iexports;
    uint32_t n = u32(r), nl;
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint8_t k = u8(r);
        switch (k) {
        case 0x00: skip_core_type(d); break;
        case 0x01: {
            gale_cm_dec_tent_t *te = push_ent(d, &s);
            if (!te)
                return GALE_EMALFORMED;
            uint8_t op = u8(r);
            if (op == 0x41 || op == 0x42) {
                /* nested types use the next scope level */
                gale_cm_dec_tent_t tmp;
                if (decl_body(d, &s, op == 0x42, &tmp, depth + 1))
                    return GALE_EMALFORMED;
                *te = tmp;
            } else {
                r->pos--;
                if (deftype(d, &s, te))
                    return GALE_EMALFORMED;
            }
            break;
        }
        case 0x02: { /* alias */
            uint8_t sort = u8(r);
            if (sort == 0x00)
                (void)u8(r);
            uint8_t tgt = u8(r);
            if (tgt == 0x02) {
                uint32_t ct = u32(r), idx = u32(r);
                scope_t *o = outer(&s, ct);
                if (sort == 0x03) {
                    gale_cm_dec_tent_t *te = push_ent(d, &s);
                    if (!te)
                        return GALE_EMALFORMED;
                    if (!o || idx >= o->n)
                        return fail(r, "outer alias out of range");
                    *te = o->t[idx];
                }
            } else if (tgt == 0x00 || tgt == 0x01) {
                (void)u32(r);
                (void)name(r, &nl);
                if (sort == 0x03) {
                    gale_cm_dec_tent_t *te = push_ent(d, &s);
                    if (!te)
                        return GALE_EMALFORMED;
                }
            } else {
                return fail(r, "bad alias target in type declaration");
            }
            break;
        }
        case 0x03: /* import (component types) */
        case 0x04: { /* export */
            const char *nm = ext_name(r, &nl);
            gale_cm_dec_tent_t ent;
            int sort = externdesc(d, &s, &ent, nm, nl);
            if (sort < 0)
                return sort;
            if (sort == 3) {
                gale_cm_dec_tent_t *te = push_ent(d, &s);
                if (!te)
                    return GALE_EMALFORMED;
                *te = ent;
            }
            if (is_instance && k == 0x04 && (sort == 1 || sort == 3)) {
                if (d->out->n_iexports >= sizeof d->out->iexports / sizeof d->out->iexports[0])
                    return fail(r, "too many instance type exports");
                gale_cm_dec_iexport_t *x = &d->out->iexports[d->out->n_iexports++];
                copy_name(x->name, sizeof x->name, nm, nl);
                x->sort = (uint8_t)sort;
                x->ent = ent;
            }
            break;
        }
        default: return fail(r, "unknown type declaration");
        }
    }
    memset(e, 0, sizeof *e);
    if (is_instance) {
        if (d->out->n_inst_types >= sizeof d->out->inst_types / sizeof d->out->inst_types[0])
            return fail(r, "too many instance types");
        e->kind = 4;
        e->inst = (uint16_t)d->out->n_inst_types;
        d->out->inst_types[d->out->n_inst_types].first = (uint16_t)first;
        d->out->inst_types[d->out->n_inst_types].count = (uint16_t)(d->out->n_iexports - first);
        d->out->n_inst_types++;
    } else {
        d->out->n_iexports = first; /* component types: nothing to keep */
    }
    return r->failed ? GALE_EMALFORMED : 0;
}

static int deftype(dec_t *d, scope_t *s, gale_cm_dec_tent_t *e)
{
    rd_t *r = &d->r;
    uint8_t op = u8(r);
    if (op == 0x40 || op == 0x43) {
        e->kind = 2;
        return functype(d, s, op, &e->fn);
    }
    if (op == 0x41 || op == 0x42) {
        /* at component level, use scope level 1 for the body */
        return decl_body(d, s, op == 0x42, e, s->parent ? 2 : 1);
    }
    if (op == 0x3f || op == 0x3e) { /* resource */
        if (u8(r) != 0x7f)
            return fail(r, "resource representation must be i32");
        if (u8(r) == 0x01)
            (void)u32(r); /* dtor */
        if (op == 0x3e && u8(r) == 0x01)
            (void)u32(r); /* callback */
        e->kind = 3;
        e->res = new_resource(d, "", 0);
        return r->failed ? GALE_EMALFORMED : 0;
    }
    return defvaltype(d, s, op, e);
}

/* ---- component level ---- */

#define MAXIDX 256
typedef struct comp {
    /* core func space */
    uint32_t n_cfunc;
    struct {
        int32_t inst; /* core instance index of an alias, or -1 */
        uint16_t name_off, name_len;
    } cfunc[MAXIDX];
    /* core instance space */
    uint32_t n_cinst;
    int32_t cinst_module[MAXIDX]; /* module index, or -1 for inline */
    /* func space */
    uint32_t n_func;
    int32_t func_lift[MAXIDX]; /* index into out->funcs of a lift, or -1 */
    /* instance space: inline instances record a range of (name, func) */
    uint32_t n_inst;
    struct {
        int32_t first, count; /* in inl[]; -1 for imported */
        int32_t inst_type;
    } inst[MAXIDX];
    uint32_t n_inl;
    struct {
        uint16_t name_off, name_len;
        uint8_t sort;
        uint32_t idx;
    } inl[MAXIDX];
    uint32_t n_modules;
    size_t mod_off[32], mod_len[32];
} comp_t;

static bool core_export_name(dec_t *d, comp_t *c, uint32_t cf, int32_t *module, const char **nm, uint32_t *nl)
{
    if (cf >= c->n_cfunc || c->cfunc[cf].inst < 0)
        return false;
    int32_t ci = c->cfunc[cf].inst;
    if ((uint32_t)ci >= c->n_cinst)
        return false;
    *module = c->cinst_module[ci];
    *nm = (const char *)d->r.b + c->cfunc[cf].name_off;
    *nl = c->cfunc[cf].name_len;
    return true;
}

static int canon_opts(dec_t *d, comp_t *c, gale_cm_dec_func_t *f)
{
    rd_t *r = &d->r;
    uint32_t n = u32(r);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint8_t o = u8(r);
        switch (o) {
        case 0x00:
        case 0x01:
        case 0x02:
            if (f)
                f->string_encoding = o;
            break;
        case 0x03:
            (void)u32(r);
            if (f)
                f->has_memory = true;
            break;
        case 0x04:
            (void)u32(r);
            if (f)
                f->has_realloc = true;
            break;
        case 0x05:
        case 0x07: {
            uint32_t cf = u32(r);
            if (f) {
                int32_t m;
                const char *nm;
                uint32_t nl;
                char *dst = o == 0x05 ? f->post_return_name : f->callback_name;
                if (core_export_name(d, c, cf, &m, &nm, &nl))
                    copy_name(dst, 128, nm, nl);
            }
            break;
        }
        case 0x06:
            if (f)
                f->lift_async = true;
            break;
        case 0x08: (void)u32(r); break; /* core type (gc) */
        case 0x09: break;               /* gc */
        default: return fail(r, "unknown canonical option");
        }
    }
    return r->failed ? GALE_EMALFORMED : 0;
}

static int canon_section(dec_t *d, comp_t *c, scope_t *s)
{
    rd_t *r = &d->r;
    uint32_t n = u32(r);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint8_t op = u8(r);
        d->out->n_canon++;
        if (op == 0x00) { /* lift */
            if (u8(r) != 0x00)
                return fail(r, "canon lift: expected func sort");
            uint32_t cf = u32(r);
            if (d->out->n_funcs >= GALE_CM_DEC_MAX_FUNCS)
                return fail(r, "too many functions (GALE_CM_DEC_MAX_FUNCS)");
            gale_cm_dec_func_t *f = &d->out->funcs[d->out->n_funcs];
            memset(f, 0, sizeof *f);
            f->is_export = true;
            int32_t m = -1;
            const char *nm;
            uint32_t nl;
            if (core_export_name(d, c, cf, &m, &nm, &nl)) {
                copy_name(f->core_name, sizeof f->core_name, nm, nl);
                if (m >= 0)
                    d->out->main_module = (uint32_t)m;
            }
            if (canon_opts(d, c, f))
                return GALE_EMALFORMED;
            uint32_t ti = u32(r);
            if (ti >= s->n || s->t[ti].kind != 2)
                return fail(r, "canon lift: type index is not a function type");
            f->type = s->t[ti].fn;
            if (c->n_func >= MAXIDX)
                return fail(r, "too many functions");
            c->func_lift[c->n_func++] = (int32_t)d->out->n_funcs;
            d->out->n_funcs++;
            continue;
        }
        /* Everything else defines one core function. */
        switch (op) {
        case 0x01:
            if (u8(r) != 0x00)
                return fail(r, "canon lower: expected func sort");
            (void)u32(r);
            canon_opts(d, c, NULL);
            break;
        case 0x02: case 0x03: case 0x04: case 0x07: (void)u32(r); break; /* resource.* rt */
        case 0x08: case 0x24: case 0x25: case 0x05: case 0x0d: case 0x1e: case 0x1f: case 0x22: case 0x23:
        case 0x26:
            break;
        case 0x09: { /* task.return resultlist opts */
            uint8_t rk = u8(r);
            if (rk == 0x00)
                (void)valtype(d, s);
            else if (rk == 0x01)
                (void)u32(r);
            else
                return fail(r, "task.return: bad result list");
            canon_opts(d, c, NULL);
            break;
        }
        case 0x0a: case 0x0b: /* context.get/set i32 n */
            (void)u8(r);
            (void)u32(r);
            break;
        case 0x0c: case 0x06: (void)u8(r); break; /* cancellable / async flag */
        case 0x0e: case 0x13: case 0x14: case 0x15: case 0x1a: case 0x1b: (void)u32(r); break;
        case 0x0f: case 0x10: case 0x16: case 0x17:
            (void)u32(r);
            canon_opts(d, c, NULL);
            break;
        case 0x11: case 0x12: case 0x18: case 0x19:
            (void)u32(r);
            (void)u8(r);
            break;
        case 0x1c: case 0x1d: canon_opts(d, c, NULL); break;
        case 0x20: case 0x21: /* waitable-set.wait/poll cancellable? mem */
            (void)u8(r);
            (void)u32(r);
            break;
        default: {
            char msg[64];
            snprintf(msg, sizeof msg, "unsupported canonical built-in 0x%02x", op);
            return fail(r, msg);
        }
        }
        if (c->n_cfunc >= MAXIDX)
            return fail(r, "too many core functions");
        c->cfunc[c->n_cfunc].inst = -1;
        c->n_cfunc++;
    }
    return r->failed ? GALE_EMALFORMED : 0;
}

static int add_import_funcs(dec_t *d, const char *iface, uint32_t il, const gale_cm_dec_tent_t *it)
{
    gale_cm_decoded_t *o = d->out;
    uint32_t first = o->inst_types[it->inst].first, count = o->inst_types[it->inst].count;
    for (uint32_t k = 0; k < count; k++) {
        gale_cm_dec_iexport_t *x = &o->iexports[first + k];
        if (x->sort == 3 && x->ent.kind == 3 && x->ent.res < GALE_CM_DEC_MAX_RESOURCES &&
            o->resources[x->ent.res].iface[0] == 0)
            copy_name(o->resources[x->ent.res].iface, sizeof o->resources[x->ent.res].iface, iface, il);
        if (x->sort != 1)
            continue;
        if (o->n_funcs >= GALE_CM_DEC_MAX_FUNCS)
            return fail(&d->r, "too many functions (GALE_CM_DEC_MAX_FUNCS)");
        gale_cm_dec_func_t *f = &o->funcs[o->n_funcs++];
        memset(f, 0, sizeof *f);
        copy_name(f->iface, sizeof f->iface, iface, il);
        snprintf(f->name, sizeof f->name, "%s", x->name);
        f->type = x->ent.fn;
    }
    return 0;
}

bool gale_cm_is_component(const uint8_t *b, size_t len)
{
    return len >= 8 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm' && b[6] == 0x01 && b[7] == 0x00;
}

static comp_t g_comp_scratch; /* decoder scratch (not reentrant; load-time only) */

int gale_cm_component_decode(const uint8_t *bytes, size_t len, gale_cm_decoded_t *out, gale_cm_err_t *err)
{
    memset(out, 0, offsetof(gale_cm_decoded_t, type_pool));
    out->n_types_used = out->n_members_used = 0;
    out->n_iexports = out->n_inst_types = 0;
    if (!gale_cm_is_component(bytes, len))
        return gale_cm_err_set(err, GALE_EMALFORMED, "component: bad preamble (not a component binary, layer != 1)");
    comp_t *c = &g_comp_scratch;
    memset(c, 0, sizeof *c);
    dec_t d = {.r = {.b = bytes, .len = len, .pos = 8, .err = err, .section = -1}, .out = out};
    rd_t *r = &d.r;
    scope_t top = {NULL, out->scope_types[0], 0, GALE_CM_DEC_MAX_SCOPE_TYPES};
    uint32_t nl;
    while (r->pos < len && !r->failed) {
        uint8_t id = u8(r);
        r->section = id;
        uint32_t size = u32(r);
        if (r->failed)
            break;
        if (size > len - r->pos)
            return fail(r, "section runs past the end");
        size_t end = r->pos + size;
        switch (id) {
        case 0: break; /* custom */
        case 1:
            if (c->n_modules < 32) {
                c->mod_off[c->n_modules] = r->pos;
                c->mod_len[c->n_modules] = size;
            }
            c->n_modules++;
            break;
        case 2: { /* core instances */
            uint32_t n = u32(r);
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                uint8_t k = u8(r);
                int32_t m = -1;
                if (k == 0x00) {
                    m = (int32_t)u32(r);
                    uint32_t na = u32(r);
                    for (uint32_t a = 0; a < na && !r->failed; a++) {
                        (void)name(r, &nl);
                        if (u8(r) != 0x12)
                            fail(r, "core instantiate argument must be an instance");
                        (void)u32(r);
                    }
                } else if (k == 0x01) {
                    uint32_t ne = u32(r);
                    for (uint32_t a = 0; a < ne && !r->failed; a++) {
                        (void)name(r, &nl);
                        (void)u8(r);
                        (void)u32(r);
                    }
                } else {
                    fail(r, "unknown core instance form");
                }
                if (c->n_cinst >= MAXIDX)
                    return fail(r, "too many core instances");
                c->cinst_module[c->n_cinst++] = m;
            }
            break;
        }
        case 3: { /* core types */
            uint32_t n = u32(r);
            for (uint32_t i = 0; i < n && !r->failed; i++)
                skip_core_type(&d);
            break;
        }
        case 4: break; /* nested component: skipped (its indices are its own) */
        case 5: { /* instances */
            uint32_t n = u32(r);
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                uint8_t k = u8(r);
                if (c->n_inst >= MAXIDX)
                    return fail(r, "too many instances");
                c->inst[c->n_inst].first = -1;
                c->inst[c->n_inst].count = 0;
                c->inst[c->n_inst].inst_type = -1;
                if (k == 0x00) {
                    (void)u32(r);
                    uint32_t na = u32(r);
                    for (uint32_t a = 0; a < na && !r->failed; a++) {
                        (void)name(r, &nl);
                        if (u8(r) == 0x00)
                            (void)u8(r);
                        (void)u32(r);
                    }
                } else if (k == 0x01) {
                    uint32_t ne = u32(r);
                    c->inst[c->n_inst].first = (int32_t)c->n_inl;
                    for (uint32_t a = 0; a < ne && !r->failed; a++) {
                        const char *nm = ext_name(r, &nl);
                        uint8_t sort = u8(r);
                        if (sort == 0x00)
                            (void)u8(r);
                        uint32_t idx = u32(r);
                        if (c->n_inl < MAXIDX) {
                            c->inl[c->n_inl].name_off = (uint16_t)((const uint8_t *)nm - bytes);
                            c->inl[c->n_inl].name_len = (uint16_t)nl;
                            c->inl[c->n_inl].sort = sort;
                            c->inl[c->n_inl].idx = idx;
                            c->n_inl++;
                            c->inst[c->n_inst].count++;
                        }
                    }
                } else {
                    fail(r, "unknown instance form");
                }
                c->n_inst++;
            }
            break;
        }
        case 6: { /* aliases */
            uint32_t n = u32(r);
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                uint8_t sort = u8(r), csort = 0;
                if (sort == 0x00)
                    csort = u8(r);
                uint8_t tgt = u8(r);
                if (tgt == 0x00 || tgt == 0x01) {
                    uint32_t inst = u32(r);
                    const char *nm = name(r, &nl);
                    if (sort == 0x00 && csort == 0x00 && tgt == 0x01) {
                        if (c->n_cfunc >= MAXIDX)
                            return fail(r, "too many core functions");
                        c->cfunc[c->n_cfunc].inst = (int32_t)inst;
                        c->cfunc[c->n_cfunc].name_off = (uint16_t)((const uint8_t *)nm - bytes);
                        c->cfunc[c->n_cfunc].name_len = (uint16_t)nl;
                        c->n_cfunc++;
                    } else if (sort == 0x01) {
                        if (c->n_func < MAXIDX)
                            c->func_lift[c->n_func++] = -1;
                    } else if (sort == 0x03) {
                        /* type exported by an imported instance */
                        gale_cm_dec_tent_t *te = push_ent(&d, &top);
                        if (!te)
                            return GALE_EMALFORMED;
                        if (tgt == 0x00 && inst < c->n_inst && c->inst[inst].inst_type >= 0) {
                            int32_t itx = c->inst[inst].inst_type;
                            uint32_t first = out->inst_types[itx].first, count = out->inst_types[itx].count;
                            for (uint32_t k = 0; k < count; k++) {
                                gale_cm_dec_iexport_t *x = &out->iexports[first + k];
                                if (x->sort == 3 && strlen(x->name) == nl && memcmp(x->name, nm, nl) == 0)
                                    *te = x->ent;
                            }
                        }
                    } else if (sort == 0x05) {
                        if (c->n_inst < MAXIDX) {
                            c->inst[c->n_inst].first = -1;
                            c->inst[c->n_inst].inst_type = -1;
                            c->n_inst++;
                        }
                    } else if (sort == 0x00 && csort == 0x12) {
                        if (c->n_cinst < MAXIDX)
                            c->cinst_module[c->n_cinst++] = -1;
                    }
                } else if (tgt == 0x02) {
                    (void)u32(r);
                    (void)u32(r);
                    if (sort == 0x03) {
                        gale_cm_dec_tent_t *te = push_ent(&d, &top);
                        if (!te)
                            return GALE_EMALFORMED;
                    }
                } else {
                    fail(r, "unknown alias target");
                }
            }
            break;
        }
        case 7: { /* types */
            uint32_t n = u32(r);
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                gale_cm_dec_tent_t *te = push_ent(&d, &top);
                if (!te)
                    return GALE_EMALFORMED;
                gale_cm_dec_tent_t tmp;
                memset(&tmp, 0, sizeof tmp);
                if (deftype(&d, &top, &tmp))
                    return GALE_EMALFORMED;
                *te = tmp;
            }
            break;
        }
        case 8:
            if (canon_section(&d, c, &top))
                return GALE_EMALFORMED;
            break;
        case 9: break; /* start */
        case 10: {     /* imports */
            uint32_t n = u32(r);
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                const char *nm = ext_name(r, &nl);
                gale_cm_dec_tent_t ent;
                int sort = externdesc(&d, &top, &ent, nm, nl);
                if (sort < 0)
                    return sort;
                if (sort == 5) {
                    if (c->n_inst >= MAXIDX)
                        return fail(r, "too many instances");
                    c->inst[c->n_inst].first = -1;
                    c->inst[c->n_inst].inst_type = ent.inst;
                    c->n_inst++;
                    if (add_import_funcs(&d, nm, nl, &ent))
                        return GALE_EMALFORMED;
                } else if (sort == 1) {
                    if (out->n_funcs >= GALE_CM_DEC_MAX_FUNCS)
                        return fail(r, "too many functions");
                    gale_cm_dec_func_t *f = &out->funcs[out->n_funcs++];
                    memset(f, 0, sizeof *f);
                    copy_name(f->name, sizeof f->name, nm, nl);
                    f->type = ent.fn;
                    if (c->n_func < MAXIDX)
                        c->func_lift[c->n_func++] = -1;
                } else if (sort == 3) {
                    gale_cm_dec_tent_t *te = push_ent(&d, &top);
                    if (!te)
                        return GALE_EMALFORMED;
                    *te = ent;
                }
            }
            break;
        }
        case 11: { /* exports */
            uint32_t n = u32(r);
            for (uint32_t i = 0; i < n && !r->failed; i++) {
                const char *nm = ext_name(r, &nl);
                uint8_t sort = u8(r);
                if (sort == 0x00)
                    (void)u8(r);
                uint32_t idx = u32(r);
                gale_cm_dec_tent_t ent;
                memset(&ent, 0, sizeof ent);
                if (u8(r) == 0x01) {
                    int s2 = externdesc(&d, &top, &ent, nm, nl);
                    if (s2 < 0)
                        return s2;
                }
                if (sort == 0x01 && idx < c->n_func) {
                    int32_t fl = c->func_lift[idx];
                    if (fl >= 0)
                        copy_name(out->funcs[fl].name, sizeof out->funcs[fl].name, nm, nl);
                    if (c->n_func < MAXIDX)
                        c->func_lift[c->n_func++] = fl;
                } else if (sort == 0x05 && idx < c->n_inst) {
                    if (c->inst[idx].first >= 0) {
                        for (int32_t k = 0; k < c->inst[idx].count; k++) {
                            uint32_t ii = (uint32_t)(c->inst[idx].first + k);
                            if (c->inl[ii].sort != 0x01 || c->inl[ii].idx >= c->n_func)
                                continue;
                            int32_t fl = c->func_lift[c->inl[ii].idx];
                            if (fl < 0)
                                continue;
                            copy_name(out->funcs[fl].iface, sizeof out->funcs[fl].iface, nm, nl);
                            copy_name(out->funcs[fl].name, sizeof out->funcs[fl].name,
                                      (const char *)bytes + c->inl[ii].name_off, c->inl[ii].name_len);
                        }
                    }
                    if (c->n_inst < MAXIDX)
                        c->inst[c->n_inst++] = c->inst[idx];
                } else if (sort == 0x03) {
                    gale_cm_dec_tent_t *te = push_ent(&d, &top);
                    if (!te)
                        return GALE_EMALFORMED;
                    *te = ent.kind ? ent : (idx < top.n - 1 ? top.t[idx] : ent);
                }
            }
            break;
        }
        default: return fail(r, "unknown component section id");
        }
        if (r->failed)
            return GALE_EMALFORMED;
        if (id != 1 && id != 4 && id != 0 && id != 9 && r->pos != end)
            return fail(r, "section size does not match its contents");
        r->pos = end;
    }
    if (r->failed)
        return GALE_EMALFORMED;
    out->n_core_modules = c->n_modules;
    if (c->n_modules == 0)
        return gale_cm_err_set(err, GALE_EINVALID, "component: no core module inside");
    if (out->main_module >= c->n_modules || out->main_module >= 32)
        return gale_cm_err_set(err, GALE_EINVALID, "component: lifted code is not from an embedded core module");
    out->core = bytes + c->mod_off[out->main_module];
    out->core_len = c->mod_len[out->main_module];
    /* Lifts that are never exported keep an empty name: drop the is_export flag. */
    for (uint32_t i = 0; i < out->n_funcs; i++)
        if (out->funcs[i].is_export && out->funcs[i].name[0] == 0)
            out->funcs[i].is_export = false;
    return 0;
}
