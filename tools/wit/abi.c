/* Canonical ABI on resolved WIT types: descriptor encoding, layouts and core
 * signatures (computed by the runtime reader in gale/wit/desc.h, so host tools
 * and the MCU agree by construction), and the core import/export names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit_internal.h"

void wit_bytes_put(gale_wit_bytes_t *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *nd = realloc(b->data, cap);
        if (!nd) {
            fprintf(stderr, "gale wit: out of memory\n");
            abort();
        }
        b->data = nd;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void wit_bytes_byte(gale_wit_bytes_t *b, uint8_t v)
{
    wit_bytes_put(b, &v, 1);
}

void wit_bytes_uleb(gale_wit_bytes_t *b, uint32_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        if (v)
            c |= 0x80;
        wit_bytes_byte(b, c);
    } while (v);
}

void gale_wit_bytes_free(gale_wit_bytes_t *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

typedef struct enc {
    unsigned flags;
    gale_wit_rid_fn rid;
    void *user;
    gale_wit_bytes_t *out;
} enc_t;

static void put_name(enc_t *e, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    wit_bytes_uleb(e->out, (uint32_t)n);
    wit_bytes_put(e->out, s, n);
}

static int enc_type(enc_t *e, const gale_wit_type_t *t, int depth)
{
    bool names = (e->flags & GALE_WIT_DESC_NAMES) != 0;
    int rc;
    if (depth > GALE_WIT_DESC_MAX_DEPTH)
        return GALE_ERANGE;
    t = gale_wit_type_deref(t);
    if (!t) {
        wit_bytes_byte(e->out, GALE_WIT_D_NONE);
        return 0;
    }
    switch (t->kind) {
    case GALE_WIT_BOOL: case GALE_WIT_S8: case GALE_WIT_U8: case GALE_WIT_S16: case GALE_WIT_U16:
    case GALE_WIT_S32: case GALE_WIT_U32: case GALE_WIT_S64: case GALE_WIT_U64: case GALE_WIT_F32:
    case GALE_WIT_F64: case GALE_WIT_CHAR: case GALE_WIT_STRING: case GALE_WIT_ERROR_CONTEXT:
        wit_bytes_byte(e->out, (uint8_t)t->kind);
        return 0;
    case GALE_WIT_LIST: case GALE_WIT_OPTION:
        wit_bytes_byte(e->out, (uint8_t)t->kind);
        return enc_type(e, t->elem, depth + 1);
    case GALE_WIT_FUTURE: case GALE_WIT_STREAM:
        wit_bytes_byte(e->out, (uint8_t)t->kind);
        return enc_type(e, t->elem, depth + 1); /* NULL -> NONE */
    case GALE_WIT_FIXED_LIST:
        wit_bytes_byte(e->out, GALE_WIT_D_FIXED_LIST);
        wit_bytes_uleb(e->out, t->len);
        return enc_type(e, t->elem, depth + 1);
    case GALE_WIT_RESULT:
        wit_bytes_byte(e->out, GALE_WIT_D_RESULT);
        if ((rc = enc_type(e, t->ok, depth + 1)))
            return rc;
        return enc_type(e, t->err, depth + 1);
    case GALE_WIT_TUPLE:
        wit_bytes_byte(e->out, GALE_WIT_D_TUPLE);
        wit_bytes_uleb(e->out, (uint32_t)t->ncases);
        for (size_t i = 0; i < t->ncases; i++)
            if ((rc = enc_type(e, t->cases[i].type, depth + 1)))
                return rc;
        return 0;
    case GALE_WIT_RECORD: case GALE_WIT_VARIANT:
        wit_bytes_byte(e->out, (uint8_t)(t->kind | (names ? GALE_WIT_D_NAMED : 0)));
        wit_bytes_uleb(e->out, (uint32_t)t->ncases);
        for (size_t i = 0; i < t->ncases; i++) {
            if (names)
                put_name(e, t->cases[i].name);
            if ((rc = enc_type(e, t->cases[i].type, depth + 1)))
                return rc;
        }
        return 0;
    case GALE_WIT_ENUM: case GALE_WIT_FLAGS:
        wit_bytes_byte(e->out, (uint8_t)(t->kind | (names ? GALE_WIT_D_NAMED : 0)));
        wit_bytes_uleb(e->out, (uint32_t)t->ncases);
        if (names)
            for (size_t i = 0; i < t->ncases; i++)
                put_name(e, t->cases[i].name);
        return 0;
    case GALE_WIT_OWN: case GALE_WIT_BORROW:
        wit_bytes_byte(e->out, (uint8_t)t->kind);
        wit_bytes_uleb(e->out, e->rid ? e->rid(e->user, gale_wit_type_deref(t->elem)) : 0);
        return 0;
    case GALE_WIT_RESOURCE:
        /* a bare resource in value position is own<R> (resolver wraps it; be safe) */
        wit_bytes_byte(e->out, GALE_WIT_D_OWN);
        wit_bytes_uleb(e->out, e->rid ? e->rid(e->user, t) : 0);
        return 0;
    default:
        return GALE_EINVAL;
    }
}

int gale_wit_desc_encode_type(const gale_wit_type_t *t, unsigned flags, gale_wit_rid_fn rid, void *user,
                              gale_wit_bytes_t *out)
{
    enc_t e = {flags, rid, user, out};
    if (!t)
        return GALE_EINVAL;
    return enc_type(&e, t, 0);
}

int gale_wit_desc_encode_func(const gale_wit_func_t *f, unsigned flags, gale_wit_rid_fn rid, void *user,
                              gale_wit_bytes_t *out)
{
    enc_t e = {flags, rid, user, out};
    bool names = (flags & GALE_WIT_DESC_NAMES) != 0;
    int rc;
    wit_bytes_byte(out, (uint8_t)(GALE_WIT_D_FUNC | (names ? GALE_WIT_D_NAMED : 0)));
    wit_bytes_byte(out, f->is_async ? GALE_WIT_D_FUNC_ASYNC : 0);
    wit_bytes_uleb(out, (uint32_t)f->nparams);
    for (size_t i = 0; i < f->nparams; i++) {
        if (names)
            put_name(&e, f->params[i].name);
        if ((rc = enc_type(&e, f->params[i].type, 0)))
            return rc;
    }
    return enc_type(&e, f->result, 0);
}

int gale_wit_type_layout(const gale_wit_type_t *t, gale_wit_layout_t *out)
{
    gale_wit_bytes_t b = {0};
    int rc = gale_wit_desc_encode_type(t, 0, NULL, NULL, &b);
    if (rc == 0)
        rc = gale_wit_desc_layout(b.data, b.len, out);
    gale_wit_bytes_free(&b);
    return rc;
}

int gale_wit_func_core_sig(const gale_wit_func_t *f, gale_wit_abi_t abi, gale_wit_core_sig_t *out)
{
    gale_wit_bytes_t b = {0};
    int rc = gale_wit_desc_encode_func(f, 0, NULL, NULL, &b);
    if (rc == 0)
        rc = gale_wit_desc_core_sig(b.data, b.len, abi, out);
    gale_wit_bytes_free(&b);
    return rc;
}

int gale_wit_func_mangled(const gale_wit_func_t *f, char *buf, size_t n)
{
    const char *r = f->resource ? f->resource->name : "";
    switch (f->kind) {
    case GALE_WIT_FUNC_METHOD: return snprintf(buf, n, "[method]%s.%s", r, f->name);
    case GALE_WIT_FUNC_STATIC: return snprintf(buf, n, "[static]%s.%s", r, f->name);
    case GALE_WIT_FUNC_CONSTRUCTOR: return snprintf(buf, n, "[constructor]%s", r);
    default: return snprintf(buf, n, "%s", f->name);
    }
}

int gale_wit_core_name(const gale_wit_iface_t *iface, const gale_wit_func_t *f, gale_wit_name_kind_t kind,
                       char *module, size_t modn, char *field, size_t fieldn)
{
    char m[512];
    const char *q = iface && !iface->is_world_scope ? gale_wit_iface_qualname(iface) : NULL;
    gale_wit_func_mangled(f, m, sizeof m);
    int rc = 0;
    if (modn)
        module[0] = 0;
    switch (kind) {
    case GALE_WIT_NAME_IMPORT:
    case GALE_WIT_NAME_IMPORT_ASYNC:
        snprintf(module, modn, "%s", q ? q : "$root");
        rc = snprintf(field, fieldn, "%s%s", kind == GALE_WIT_NAME_IMPORT_ASYNC ? "[async-lower]" : "", m);
        break;
    case GALE_WIT_NAME_EXPORT:
    case GALE_WIT_NAME_EXPORT_ASYNC:
    case GALE_WIT_NAME_CALLBACK:
    case GALE_WIT_NAME_POST_RETURN: {
        const char *pre = kind == GALE_WIT_NAME_EXPORT_ASYNC ? "[async-lift]"
                          : kind == GALE_WIT_NAME_CALLBACK  ? "[callback][async-lift]"
                          : kind == GALE_WIT_NAME_POST_RETURN ? "cabi_post_" : "";
        if (q)
            rc = snprintf(field, fieldn, "%s%s#%s", pre, q, m);
        else
            rc = snprintf(field, fieldn, "%s%s", pre, m);
        break;
    }
    case GALE_WIT_NAME_TASK_RETURN:
        snprintf(module, modn, "[export]%s", q ? q : "$root");
        rc = snprintf(field, fieldn, "[task-return]%s", m);
        break;
    default:
        return GALE_EINVAL;
    }
    return rc;
}

int gale_wit_resource_core_name(const gale_wit_iface_t *iface, const gale_wit_type_t *res, gale_wit_rname_kind_t kind,
                                char *module, size_t modn, char *field, size_t fieldn)
{
    const char *q = iface && !iface->is_world_scope ? gale_wit_iface_qualname(iface) : NULL;
    if (!res || res->kind != GALE_WIT_RESOURCE)
        return GALE_EINVAL;
    if (modn)
        module[0] = 0;
    switch (kind) {
    case GALE_WIT_RNAME_DROP:
        snprintf(module, modn, "%s", q ? q : "$root");
        return snprintf(field, fieldn, "[resource-drop]%s", res->name);
    case GALE_WIT_RNAME_EXPORT_NEW:
    case GALE_WIT_RNAME_EXPORT_REP:
    case GALE_WIT_RNAME_EXPORT_DROP:
        snprintf(module, modn, "[export]%s", q ? q : "$root");
        return snprintf(field, fieldn, "[resource-%s]%s",
                        kind == GALE_WIT_RNAME_EXPORT_NEW ? "new" : kind == GALE_WIT_RNAME_EXPORT_REP ? "rep" : "drop",
                        res->name);
    case GALE_WIT_RNAME_DTOR:
        if (q)
            return snprintf(field, fieldn, "%s#[dtor]%s", q, res->name);
        return snprintf(field, fieldn, "[dtor]%s", res->name);
    default:
        return GALE_EINVAL;
    }
}

static void find_streams(const gale_wit_type_t *t, const gale_wit_type_t **out, size_t max, size_t *n, int depth)
{
    t = gale_wit_type_deref(t);
    if (!t || depth > 64)
        return;
    switch (t->kind) {
    case GALE_WIT_FUTURE: case GALE_WIT_STREAM: {
        find_streams(t->elem, out, max, n, depth + 1);
        for (size_t i = 0; i < *n && i < max; i++)
            if (out[i] == t)
                return;
        if (*n < max)
            out[*n] = t;
        (*n)++;
        return;
    }
    case GALE_WIT_LIST: case GALE_WIT_FIXED_LIST: case GALE_WIT_OPTION:
        find_streams(t->elem, out, max, n, depth + 1);
        return;
    case GALE_WIT_RESULT:
        find_streams(t->ok, out, max, n, depth + 1);
        find_streams(t->err, out, max, n, depth + 1);
        return;
    case GALE_WIT_TUPLE: case GALE_WIT_RECORD: case GALE_WIT_VARIANT:
        for (size_t i = 0; i < t->ncases; i++)
            find_streams(t->cases[i].type, out, max, n, depth + 1);
        return;
    default:
        return;
    }
}

size_t gale_wit_func_streams(const gale_wit_func_t *f, const gale_wit_type_t **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nparams; i++)
        find_streams(f->params[i].type, out, max, &n, 0);
    find_streams(f->result, out, max, &n, 0);
    return n;
}

int gale_wit_endpoint_core_name(const gale_wit_iface_t *iface, const gale_wit_func_t *f, const gale_wit_type_t *t,
                                gale_wit_endpoint_op_t op, bool exported, char *module, size_t modn, char *field,
                                size_t fieldn, gale_wit_core_sig_t *sig)
{
    static const char *const ops[GALE_WIT_EP_COUNT] = {"new", "read", "write", "cancel-read", "cancel-write",
                                                       "drop-readable", "drop-writable"};
    t = gale_wit_type_deref(t);
    if (!t || (t->kind != GALE_WIT_FUTURE && t->kind != GALE_WIT_STREAM) || op >= GALE_WIT_EP_COUNT)
        return GALE_EINVAL;
    bool stream = t->kind == GALE_WIT_STREAM;
    char idx[16] = "unit";
    if (t->elem) {
        const gale_wit_type_t *list[64];
        size_t n = gale_wit_func_streams(f, list, 64), k;
        for (k = 0; k < n && k < 64; k++)
            if (list[k] == t)
                break;
        if (k >= n || k >= 64)
            return GALE_EINVAL;
        snprintf(idx, sizeof idx, "%zu", k);
    }
    const char *q = iface && !iface->is_world_scope ? gale_wit_iface_qualname(iface) : "$root";
    char m[512];
    gale_wit_func_mangled(f, m, sizeof m);
    snprintf(module, modn, "%s%s", exported ? "[export]" : "", q);
    bool async = op == GALE_WIT_EP_READ || op == GALE_WIT_EP_WRITE;
    int rc = snprintf(field, fieldn, "[%s%s-%s-%s]%s", async ? "async-lower][" : "", stream ? "stream" : "future", ops[op],
                      idx, m);
    if (sig) {
        memset(sig, 0, sizeof *sig);
        switch (op) {
        case GALE_WIT_EP_NEW:
            sig->nresults = 1;
            sig->results[0] = GALE_WIT_CORE_I64;
            break;
        case GALE_WIT_EP_READ: case GALE_WIT_EP_WRITE:
            sig->nparams = stream ? 3 : 2;
            for (int i = 0; i < sig->nparams; i++)
                sig->params[i] = GALE_WIT_CORE_I32;
            sig->nresults = 1;
            sig->results[0] = GALE_WIT_CORE_I32;
            break;
        case GALE_WIT_EP_CANCEL_READ: case GALE_WIT_EP_CANCEL_WRITE:
            sig->nparams = 1;
            sig->params[0] = GALE_WIT_CORE_I32;
            sig->nresults = 1;
            sig->results[0] = GALE_WIT_CORE_I32;
            break;
        default:
            sig->nparams = 1;
            sig->params[0] = GALE_WIT_CORE_I32;
            break;
        }
    }
    return rc;
}
