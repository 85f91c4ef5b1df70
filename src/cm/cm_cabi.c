/* Canonical ABI lift/lower on a guest linear memory (trusted: bounds-checked
 * guest memory access). Every guest address is checked against cx->mem_size and
 * the type's alignment before any byte is read or written; a violation traps with
 * a message naming the value and the address. After every call to the guest's
 * realloc the memory view is re-read from cx (the memory may have grown). */
#include <stdio.h>
#include <string.h>

#include "gale/cm.h"

#define MAX_DEPTH 32

static int trap(gale_cm_cx_t *cx, const char *fmt_what, uint64_t ptr, uint64_t len, const char *why)
{
    return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%s%s: %s (address 0x%llx, %llu bytes, memory %llu bytes)",
                           cx->what ? cx->what : "", cx->what ? ": " : "", fmt_what, why,
                           (unsigned long long)ptr, (unsigned long long)len,
                           (unsigned long long)cx->mem_size);
}

int gale_cm_check_range(gale_cm_cx_t *cx, uint32_t ptr, uint64_t len, uint32_t align, const char *what)
{
    if (align > 1 && (ptr & (align - 1)) != 0) {
        char why[64];
        snprintf(why, sizeof why, "misaligned pointer (needs %u-byte alignment)", (unsigned)align);
        return trap(cx, what, ptr, len, why);
    }
    if (!cx->mem || (uint64_t)ptr > cx->mem_size || len > cx->mem_size - (uint64_t)ptr)
        return trap(cx, what, ptr, len, "out of bounds");
    return 0;
}

long gale_cm_utf8_invalid_at(const uint8_t *s, uint32_t len)
{
    uint32_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t n, cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return (long)i;
        }
        if (len - i <= n)
            return (long)i;
        for (uint32_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return (long)i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return (long)i;
        i += n + 1;
    }
    return -1;
}

/* ---- little-endian access (range already checked) ---- */

static uint64_t rd(const gale_cm_cx_t *cx, uint32_t ptr, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v |= (uint64_t)cx->mem[ptr + i] << (8 * i);
    return v;
}

static void wr(gale_cm_cx_t *cx, uint32_t ptr, uint64_t v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        cx->mem[ptr + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t f32_canon(uint32_t bits)
{
    if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0)
        return GALE_CM_CANONICAL_F32_NAN;
    return bits;
}

static uint64_t f64_canon(uint64_t bits)
{
    if ((bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (bits & 0x000fffffffffffffull) != 0)
        return GALE_CM_CANONICAL_F64_NAN;
    return bits;
}

static bool is_bytes(const gale_cm_type_t *elem)
{
    return elem && (elem->kind == GALE_CM_U8 || elem->kind == GALE_CM_S8);
}

static uint32_t align_up(uint32_t x, uint32_t a)
{
    return (x + a - 1) / a * a;
}

static uint32_t disc_size(uint32_t ncases)
{
    return ncases <= 256 ? 1 : ncases <= 65536 ? 2 : 4;
}

static uint32_t payload_offset(const gale_cm_type_t *t)
{
    uint32_t nc = gale_cm_type_ncases(t), a = 1;
    for (uint32_t i = 0; i < nc; i++) {
        const gale_cm_type_t *c = gale_cm_type_case(t, i);
        if (c && gale_cm_type_align(c) > a)
            a = gale_cm_type_align(c);
    }
    return align_up(disc_size(nc), a);
}

static int host_err(gale_cm_cx_t *cx, const char *msg, const gale_cm_type_t *t, const gale_cm_val_t *v)
{
    return gale_cm_err_set(cx->err, GALE_EINVAL, "%s%shost value: %s (type %s, value kind %s)",
                           cx->what ? cx->what : "", cx->what ? ": " : "", msg, gale_cm_kind_name(t->kind),
                           v ? gale_cm_kind_name(v->kind) : "none");
}

static int nomem(gale_cm_cx_t *cx)
{
    return gale_cm_err_set(cx->err, GALE_ENOMEM, "%s%slift: value arena exhausted", cx->what ? cx->what : "",
                           cx->what ? ": " : "");
}

static int check_char(gale_cm_cx_t *cx, uint32_t c)
{
    if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff))
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%schar 0x%x is not a Unicode scalar value",
                               cx->what ? cx->what : "", cx->what ? ": " : "", (unsigned)c);
    return 0;
}

static int check_disc(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t disc)
{
    uint32_t nc = gale_cm_type_ncases(t);
    if (disc >= nc)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%s%s discriminant %u out of range (%u cases)",
                               cx->what ? cx->what : "", cx->what ? ": " : "", gale_cm_kind_name(t->kind),
                               (unsigned)disc, (unsigned)nc);
    return 0;
}

/* ---- handles ---- */

static int lift_handle(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t h, gale_cm_val_t *out)
{
    out->kind = t->kind;
    if (t->kind == GALE_CM_OWN || t->kind == GALE_CM_BORROW) {
        if (!cx->hops)
            return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%s%s handle %u: no handle table in this context",
                                   cx->what ? cx->what : "", cx->what ? ": " : "", gale_cm_kind_name(t->kind),
                                   (unsigned)h);
        int r = t->kind == GALE_CM_OWN ? cx->hops->lift_own(cx, t->resource, h, &out->u.handle)
                                       : cx->hops->lift_borrow(cx, t->resource, h, &out->u.handle);
        return r;
    }
    if ((t->kind == GALE_CM_STREAM || t->kind == GALE_CM_FUTURE) && cx->hops && cx->hops->lift_end)
        return cx->hops->lift_end(cx, t, h, &out->u.handle); /* moves the readable end out */
    out->u.handle = h; /* error-context (or no handle table): the caller resolves it */
    return 0;
}

static int lower_handle(gale_cm_cx_t *cx, const gale_cm_type_t *t, const gale_cm_val_t *v, uint32_t *h)
{
    if (t->kind == GALE_CM_OWN || t->kind == GALE_CM_BORROW) {
        if (!cx->hops)
            return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%s%s: no handle table in this context",
                                   cx->what ? cx->what : "", cx->what ? ": " : "", gale_cm_kind_name(t->kind));
        return t->kind == GALE_CM_OWN ? cx->hops->lower_own(cx, t->resource, v->u.handle, h)
                                      : cx->hops->lower_borrow(cx, t->resource, v->u.handle, h);
    }
    if ((t->kind == GALE_CM_STREAM || t->kind == GALE_CM_FUTURE) && cx->hops && cx->hops->lower_end)
        return cx->hops->lower_end(cx, t, v->u.handle, h); /* moves a host-held end in */
    *h = v->u.handle;
    return 0;
}

/* ---- load ---- */

static int load_d(gale_cm_cx_t *cx, uint32_t ptr, const gale_cm_type_t *t, gale_cm_val_t *out, int depth);

static int lift_string_or_bytes(gale_cm_cx_t *cx, uint32_t ptr, uint32_t len, bool utf8, gale_cm_val_t *out)
{
    if (len > GALE_CM_MAX_LENGTH)
        return trap(cx, utf8 ? "string" : "list", ptr, len, "length exceeds 2^28-1");
    int r = gale_cm_check_range(cx, ptr, len, 1, utf8 ? "string" : "list");
    if (r)
        return r;
    if (utf8) {
        long bad = gale_cm_utf8_invalid_at(cx->mem + ptr, len);
        if (bad >= 0)
            return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%sstring at 0x%x (%u bytes): invalid UTF-8 at byte %ld",
                                   cx->what ? cx->what : "", cx->what ? ": " : "", (unsigned)ptr, (unsigned)len, bad);
    }
    char *buf = gale_cm_arena_alloc(cx->arena, len + 1u, 1);
    if (!buf)
        return nomem(cx);
    memcpy(buf, cx->mem + ptr, len);
    buf[len] = 0;
    out->u.str.ptr = buf;
    out->u.str.len = len;
    return 0;
}

static int load_list(gale_cm_cx_t *cx, uint32_t ptr, uint32_t len, const gale_cm_type_t *elem, gale_cm_val_t *out,
                     int depth)
{
    if (is_bytes(elem))
        return lift_string_or_bytes(cx, ptr, len, false, out);
    uint32_t es = gale_cm_type_size(elem), ea = gale_cm_type_align(elem);
    if (es == 0)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: malformed list element type");
    if (len > GALE_CM_MAX_LENGTH || (uint64_t)len * es > GALE_CM_MAX_LENGTH)
        return trap(cx, "list", ptr, (uint64_t)len * es, "byte length exceeds 2^28-1");
    int r = gale_cm_check_range(cx, ptr, (uint64_t)len * es, ea, "list");
    if (r)
        return r;
    gale_cm_val_t *items = NULL;
    if (len) {
        items = gale_cm_arena_alloc(cx->arena, sizeof(gale_cm_val_t) * len, _Alignof(gale_cm_val_t));
        if (!items)
            return nomem(cx);
    }
    for (uint32_t i = 0; i < len; i++) {
        r = load_d(cx, ptr + i * es, elem, &items[i], depth + 1);
        if (r)
            return r;
    }
    out->u.list.items = items;
    out->u.list.len = len;
    return 0;
}

static int load_fields(gale_cm_cx_t *cx, uint32_t ptr, const gale_cm_type_t *t, gale_cm_val_t *out, int depth)
{
    gale_cm_val_t *items = NULL;
    if (t->n) {
        items = gale_cm_arena_alloc(cx->arena, sizeof(gale_cm_val_t) * t->n, _Alignof(gale_cm_val_t));
        if (!items)
            return nomem(cx);
    }
    uint32_t off = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        const gale_cm_type_t *f = t->members[i];
        off = align_up(off, gale_cm_type_align(f));
        int r = load_d(cx, ptr + off, f, &items[i], depth + 1);
        if (r)
            return r;
        off += gale_cm_type_size(f);
    }
    out->u.list.items = items;
    out->u.list.len = t->n;
    return 0;
}

static int load_d(gale_cm_cx_t *cx, uint32_t ptr, const gale_cm_type_t *t, gale_cm_val_t *out, int depth)
{
    if (depth > MAX_DEPTH)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: type nesting too deep");
    uint32_t sz = gale_cm_type_size(t), al = gale_cm_type_align(t);
    if (sz == 0)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: malformed type (kind %u)", t ? t->kind : 0);
    int r = gale_cm_check_range(cx, ptr, sz, al, gale_cm_kind_name(t->kind));
    if (r)
        return r;
    memset(out, 0, sizeof *out);
    out->kind = t->kind;
    switch (t->kind) {
    case GALE_CM_BOOL: out->u.b = cx->mem[ptr] != 0; return 0;
    case GALE_CM_S8: out->u.s = (int8_t)rd(cx, ptr, 1); return 0;
    case GALE_CM_U8: out->u.u = rd(cx, ptr, 1); return 0;
    case GALE_CM_S16: out->u.s = (int16_t)rd(cx, ptr, 2); return 0;
    case GALE_CM_U16: out->u.u = rd(cx, ptr, 2); return 0;
    case GALE_CM_S32: out->u.s = (int32_t)rd(cx, ptr, 4); return 0;
    case GALE_CM_U32: out->u.u = rd(cx, ptr, 4); return 0;
    case GALE_CM_S64: out->u.s = (int64_t)rd(cx, ptr, 8); return 0;
    case GALE_CM_U64: out->u.u = rd(cx, ptr, 8); return 0;
    case GALE_CM_F32: {
        uint32_t b = f32_canon((uint32_t)rd(cx, ptr, 4));
        memcpy(&out->u.f32, &b, 4);
        return 0;
    }
    case GALE_CM_F64: {
        uint64_t b = f64_canon(rd(cx, ptr, 8));
        memcpy(&out->u.f64, &b, 8);
        return 0;
    }
    case GALE_CM_CHAR: {
        uint32_t c = (uint32_t)rd(cx, ptr, 4);
        r = check_char(cx, c);
        out->u.ch = c;
        return r;
    }
    case GALE_CM_STRING:
        return lift_string_or_bytes(cx, (uint32_t)rd(cx, ptr, 4), (uint32_t)rd(cx, ptr + 4, 4), true, out);
    case GALE_CM_LIST:
        if (t->n) { /* fixed-length list: inline elements */
            uint32_t es = gale_cm_type_size(t->elem);
            gale_cm_val_t *items = gale_cm_arena_alloc(cx->arena, sizeof(gale_cm_val_t) * t->n, _Alignof(gale_cm_val_t));
            if (!items)
                return nomem(cx);
            for (uint32_t i = 0; i < t->n; i++)
                if ((r = load_d(cx, ptr + i * es, t->elem, &items[i], depth + 1)))
                    return r;
            out->u.list.items = items;
            out->u.list.len = t->n;
            return 0;
        }
        return load_list(cx, (uint32_t)rd(cx, ptr, 4), (uint32_t)rd(cx, ptr + 4, 4), t->elem, out, depth);
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE: return load_fields(cx, ptr, t, out, depth);
    case GALE_CM_VARIANT:
    case GALE_CM_ENUM:
    case GALE_CM_OPTION:
    case GALE_CM_RESULT: {
        uint32_t disc = (uint32_t)rd(cx, ptr, disc_size(gale_cm_type_ncases(t)));
        if ((r = check_disc(cx, t, disc)))
            return r;
        out->u.var.disc = disc;
        const gale_cm_type_t *c = gale_cm_type_case(t, disc);
        if (c) {
            gale_cm_val_t *p = gale_cm_arena_alloc(cx->arena, sizeof *p, _Alignof(gale_cm_val_t));
            if (!p)
                return nomem(cx);
            if ((r = load_d(cx, ptr + payload_offset(t), c, p, depth + 1)))
                return r;
            out->u.var.payload = p;
        }
        return 0;
    }
    case GALE_CM_FLAGS: {
        uint64_t bits = rd(cx, ptr, sz);
        out->u.flags = (uint32_t)(t->n >= 32 ? bits : (bits & ((1ull << t->n) - 1)));
        return 0;
    }
    case GALE_CM_OWN:
    case GALE_CM_BORROW:
    case GALE_CM_STREAM:
    case GALE_CM_FUTURE:
    case GALE_CM_ERROR_CONTEXT: return lift_handle(cx, t, (uint32_t)rd(cx, ptr, 4), out);
    default: return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: unknown type kind %u", t->kind);
    }
}

int gale_cm_load(gale_cm_cx_t *cx, uint32_t ptr, const gale_cm_type_t *t, gale_cm_val_t *out)
{
    return load_d(cx, ptr, t, out, 0);
}

/* ---- store ---- */

static int store_d(gale_cm_cx_t *cx, const gale_cm_val_t *v, uint32_t ptr, const gale_cm_type_t *t, int depth);

static int alloc_guest(gale_cm_cx_t *cx, uint32_t align, uint32_t size, const char *what, uint32_t *out)
{
    if (!cx->realloc)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%slower %s: the component exports no cabi_realloc",
                               cx->what ? cx->what : "", cx->what ? ": " : "", what);
    uint32_t p = 0;
    int r = cx->realloc(cx, 0, 0, align, size, &p);
    if (r)
        return r;
    r = gale_cm_check_range(cx, p, size, align, "cabi_realloc result");
    if (r)
        return r;
    *out = p;
    return 0;
}

static int store_bytes(gale_cm_cx_t *cx, const char *src, uint32_t len, uint32_t *out_ptr, const char *what)
{
    if (len > GALE_CM_MAX_LENGTH)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lower %s: %u bytes exceed 2^28-1", what, (unsigned)len);
    uint32_t p = 0;
    if (len) {
        int r = alloc_guest(cx, 1, len, what, &p);
        if (r)
            return r;
        memcpy(cx->mem + p, src, len);
    }
    *out_ptr = p;
    return 0;
}

static int store_list_elems(gale_cm_cx_t *cx, const gale_cm_val_t *v, const gale_cm_type_t *elem, uint32_t *out_ptr,
                            int depth)
{
    uint32_t len = v->u.list.len, es = gale_cm_type_size(elem), ea = gale_cm_type_align(elem);
    if (es == 0)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lower: malformed list element type");
    if ((uint64_t)len * es > GALE_CM_MAX_LENGTH)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lower list: %u elements too large", (unsigned)len);
    uint32_t p = 0;
    if (len) {
        int r = alloc_guest(cx, ea, len * es, "list", &p);
        if (r)
            return r;
        for (uint32_t i = 0; i < len; i++)
            if ((r = store_d(cx, &v->u.list.items[i], p + i * es, elem, depth + 1)))
                return r;
    }
    *out_ptr = p;
    return 0;
}

static int store_d(gale_cm_cx_t *cx, const gale_cm_val_t *v, uint32_t ptr, const gale_cm_type_t *t, int depth)
{
    if (depth > MAX_DEPTH)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lower: type nesting too deep");
    uint32_t sz = gale_cm_type_size(t), al = gale_cm_type_align(t);
    if (sz == 0)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lower: malformed type");
    if (!v || v->kind != t->kind)
        return host_err(cx, "kind mismatch", t, v);
    int r;
    switch (t->kind) {
    case GALE_CM_STRING:
    case GALE_CM_LIST: {
        /* Allocate (may grow memory) before checking/writing the destination. */
        uint32_t p = 0, len;
        if (t->kind == GALE_CM_LIST && t->n) {
            if (v->u.list.len != t->n)
                return host_err(cx, "fixed-length list has the wrong length", t, v);
            uint32_t es = gale_cm_type_size(t->elem);
            for (uint32_t i = 0; i < t->n; i++)
                if ((r = store_d(cx, &v->u.list.items[i], ptr + i * es, t->elem, depth + 1)))
                    return r;
            return 0;
        }
        if (t->kind == GALE_CM_STRING || is_bytes(t->elem)) {
            len = v->u.str.len;
            if (t->kind == GALE_CM_STRING && gale_cm_utf8_invalid_at((const uint8_t *)v->u.str.ptr, len) >= 0)
                return host_err(cx, "string is not valid UTF-8", t, v);
            r = store_bytes(cx, v->u.str.ptr, len, &p, gale_cm_kind_name(t->kind));
        } else {
            len = v->u.list.len;
            r = store_list_elems(cx, v, t->elem, &p, depth);
        }
        if (r)
            return r;
        if ((r = gale_cm_check_range(cx, ptr, 8, 4, gale_cm_kind_name(t->kind))))
            return r;
        wr(cx, ptr, p, 4);
        wr(cx, ptr + 4, len, 4);
        return 0;
    }
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE: {
        if (v->u.list.len != t->n)
            return host_err(cx, "wrong number of fields", t, v);
        uint32_t off = 0;
        for (uint32_t i = 0; i < t->n; i++) {
            const gale_cm_type_t *f = t->members[i];
            off = align_up(off, gale_cm_type_align(f));
            if ((r = store_d(cx, &v->u.list.items[i], ptr + off, f, depth + 1)))
                return r;
            off += gale_cm_type_size(f);
        }
        return 0;
    }
    case GALE_CM_VARIANT:
    case GALE_CM_ENUM:
    case GALE_CM_OPTION:
    case GALE_CM_RESULT: {
        uint32_t nc = gale_cm_type_ncases(t), disc = v->u.var.disc;
        if (disc >= nc)
            return host_err(cx, "discriminant out of range", t, v);
        const gale_cm_type_t *c = gale_cm_type_case(t, disc);
        if (c) {
            if (!v->u.var.payload)
                return host_err(cx, "missing case payload", t, v);
            if ((r = store_d(cx, v->u.var.payload, ptr + payload_offset(t), c, depth + 1)))
                return r;
        }
        if ((r = gale_cm_check_range(cx, ptr, sz, al, gale_cm_kind_name(t->kind))))
            return r;
        wr(cx, ptr, disc, disc_size(nc));
        return 0;
    }
    default: break;
    }
    /* Scalars and handles: the destination is checked first. */
    uint32_t h = 0;
    if (t->kind >= GALE_CM_OWN && t->kind <= GALE_CM_ERROR_CONTEXT) {
        if ((r = lower_handle(cx, t, v, &h)))
            return r;
    }
    if ((r = gale_cm_check_range(cx, ptr, sz, al, gale_cm_kind_name(t->kind))))
        return r;
    switch (t->kind) {
    case GALE_CM_BOOL: wr(cx, ptr, v->u.b ? 1 : 0, 1); return 0;
    case GALE_CM_S8:
    case GALE_CM_S16:
    case GALE_CM_S32:
    case GALE_CM_S64: wr(cx, ptr, (uint64_t)v->u.s, sz); return 0;
    case GALE_CM_U8:
    case GALE_CM_U16:
    case GALE_CM_U32:
    case GALE_CM_U64: wr(cx, ptr, v->u.u, sz); return 0;
    case GALE_CM_F32: {
        uint32_t b;
        memcpy(&b, &v->u.f32, 4);
        wr(cx, ptr, f32_canon(b), 4);
        return 0;
    }
    case GALE_CM_F64: {
        uint64_t b;
        memcpy(&b, &v->u.f64, 8);
        wr(cx, ptr, f64_canon(b), 8);
        return 0;
    }
    case GALE_CM_CHAR:
        if (v->u.ch >= 0x110000 || (v->u.ch >= 0xd800 && v->u.ch <= 0xdfff))
            return host_err(cx, "char is not a Unicode scalar value", t, v);
        wr(cx, ptr, v->u.ch, 4);
        return 0;
    case GALE_CM_FLAGS: wr(cx, ptr, v->u.flags, sz); return 0;
    default: wr(cx, ptr, h, 4); return 0;
    }
}

int gale_cm_store(gale_cm_cx_t *cx, const gale_cm_val_t *v, uint32_t ptr, const gale_cm_type_t *t)
{
    return store_d(cx, v, ptr, t, 0);
}

/* ---- flat ---- */

static int flat_next(gale_cm_cx_t *cx, gale_cm_flat_iter_t *it, uint8_t want, uint64_t *out)
{
    if (it->i >= it->n)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: not enough flat values (%u)", (unsigned)it->n);
    uint64_t v = it->vals[it->i++];
    /* Values travel as bit patterns: a 32-bit want takes the low half (i64->i32
     * wrap, i32<->f32 reinterpret, i64->f32 wrap+reinterpret). */
    if (want == GALE_CM_CORE_I32 || want == GALE_CM_CORE_F32)
        v &= 0xffffffffu;
    *out = v;
    return 0;
}

static uint32_t flat_count(const gale_cm_type_t *t)
{
    uint8_t tmp[GALE_CM_MAX_FLAT_PARAMS + 2];
    uint32_t n = 0;
    (void)gale_cm_flatten(t, tmp, &n, GALE_CM_MAX_FLAT_PARAMS + 1);
    return n;
}

static int lift_flat_d(gale_cm_cx_t *cx, gale_cm_flat_iter_t *it, const gale_cm_type_t *t, gale_cm_val_t *out,
                       int depth)
{
    if (depth > MAX_DEPTH)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: type nesting too deep");
    uint64_t x = 0, y = 0;
    int r;
    memset(out, 0, sizeof *out);
    out->kind = t->kind;
    switch (t->kind) {
    case GALE_CM_BOOL: r = flat_next(cx, it, GALE_CM_CORE_I32, &x); out->u.b = x != 0; return r;
    case GALE_CM_S8: r = flat_next(cx, it, GALE_CM_CORE_I32, &x); out->u.s = (int8_t)x; return r;
    case GALE_CM_U8: r = flat_next(cx, it, GALE_CM_CORE_I32, &x); out->u.u = (uint8_t)x; return r;
    case GALE_CM_S16: r = flat_next(cx, it, GALE_CM_CORE_I32, &x); out->u.s = (int16_t)x; return r;
    case GALE_CM_U16: r = flat_next(cx, it, GALE_CM_CORE_I32, &x); out->u.u = (uint16_t)x; return r;
    case GALE_CM_S32: r = flat_next(cx, it, GALE_CM_CORE_I32, &x); out->u.s = (int32_t)x; return r;
    case GALE_CM_U32: r = flat_next(cx, it, GALE_CM_CORE_I32, &x); out->u.u = (uint32_t)x; return r;
    case GALE_CM_S64: r = flat_next(cx, it, GALE_CM_CORE_I64, &x); out->u.s = (int64_t)x; return r;
    case GALE_CM_U64: r = flat_next(cx, it, GALE_CM_CORE_I64, &x); out->u.u = x; return r;
    case GALE_CM_F32: {
        r = flat_next(cx, it, GALE_CM_CORE_F32, &x);
        uint32_t b = f32_canon((uint32_t)x);
        memcpy(&out->u.f32, &b, 4);
        return r;
    }
    case GALE_CM_F64: {
        r = flat_next(cx, it, GALE_CM_CORE_F64, &x);
        uint64_t b = f64_canon(x);
        memcpy(&out->u.f64, &b, 8);
        return r;
    }
    case GALE_CM_CHAR:
        if ((r = flat_next(cx, it, GALE_CM_CORE_I32, &x)))
            return r;
        out->u.ch = (uint32_t)x;
        return check_char(cx, (uint32_t)x);
    case GALE_CM_STRING:
    case GALE_CM_LIST:
        if (t->kind == GALE_CM_LIST && t->n) {
            gale_cm_val_t *items = gale_cm_arena_alloc(cx->arena, sizeof(gale_cm_val_t) * t->n, _Alignof(gale_cm_val_t));
            if (!items)
                return nomem(cx);
            for (uint32_t i = 0; i < t->n; i++)
                if ((r = lift_flat_d(cx, it, t->elem, &items[i], depth + 1)))
                    return r;
            out->u.list.items = items;
            out->u.list.len = t->n;
            return 0;
        }
        if ((r = flat_next(cx, it, GALE_CM_CORE_I32, &x)) || (r = flat_next(cx, it, GALE_CM_CORE_I32, &y)))
            return r;
        if (t->kind == GALE_CM_STRING)
            return lift_string_or_bytes(cx, (uint32_t)x, (uint32_t)y, true, out);
        return load_list(cx, (uint32_t)x, (uint32_t)y, t->elem, out, depth);
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE: {
        gale_cm_val_t *items = NULL;
        if (t->n && !(items = gale_cm_arena_alloc(cx->arena, sizeof(gale_cm_val_t) * t->n, _Alignof(gale_cm_val_t))))
            return nomem(cx);
        for (uint32_t i = 0; i < t->n; i++)
            if ((r = lift_flat_d(cx, it, t->members[i], &items[i], depth + 1)))
                return r;
        out->u.list.items = items;
        out->u.list.len = t->n;
        return 0;
    }
    case GALE_CM_ENUM:
        if ((r = flat_next(cx, it, GALE_CM_CORE_I32, &x)))
            return r;
        out->u.var.disc = (uint32_t)x;
        return check_disc(cx, t, (uint32_t)x);
    case GALE_CM_VARIANT:
    case GALE_CM_OPTION:
    case GALE_CM_RESULT: {
        uint32_t slots = flat_count(t) - 1;
        if ((r = flat_next(cx, it, GALE_CM_CORE_I32, &x)))
            return r;
        if ((r = check_disc(cx, t, (uint32_t)x)))
            return r;
        out->u.var.disc = (uint32_t)x;
        uint32_t start = it->i;
        const gale_cm_type_t *c = gale_cm_type_case(t, (uint32_t)x);
        if (c) {
            gale_cm_val_t *p = gale_cm_arena_alloc(cx->arena, sizeof *p, _Alignof(gale_cm_val_t));
            if (!p)
                return nomem(cx);
            if ((r = lift_flat_d(cx, it, c, p, depth + 1)))
                return r;
            out->u.var.payload = p;
        }
        if (it->i - start > slots || start + slots > it->n)
            return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: variant flat slots inconsistent");
        it->i = start + slots;
        return 0;
    }
    case GALE_CM_FLAGS:
        r = flat_next(cx, it, GALE_CM_CORE_I32, &x);
        out->u.flags = (uint32_t)(t->n >= 32 ? x : (x & ((1ull << t->n) - 1)));
        return r;
    case GALE_CM_OWN:
    case GALE_CM_BORROW:
    case GALE_CM_STREAM:
    case GALE_CM_FUTURE:
    case GALE_CM_ERROR_CONTEXT:
        if ((r = flat_next(cx, it, GALE_CM_CORE_I32, &x)))
            return r;
        return lift_handle(cx, t, (uint32_t)x, out);
    default: return gale_cm_err_set(cx->err, GALE_EINVAL, "lift: unknown type kind %u", t->kind);
    }
}

int gale_cm_lift_flat(gale_cm_cx_t *cx, gale_cm_flat_iter_t *it, const gale_cm_type_t *t, gale_cm_val_t *out)
{
    return lift_flat_d(cx, it, t, out, 0);
}

static int flat_push(gale_cm_cx_t *cx, uint64_t *out, uint8_t *types, uint32_t *n, uint32_t cap, uint64_t v, uint8_t ct)
{
    if (*n >= cap)
        return gale_cm_err_set(cx->err, GALE_EOVERFLOW, "lower: more than %u flat values", (unsigned)cap);
    out[*n] = v;
    if (types)
        types[*n] = ct;
    (*n)++;
    return 0;
}

static int lower_flat_d(gale_cm_cx_t *cx, const gale_cm_val_t *v, const gale_cm_type_t *t, uint64_t *out, uint8_t *types,
                        uint32_t *n, uint32_t cap, int depth)
{
    if (depth > MAX_DEPTH)
        return gale_cm_err_set(cx->err, GALE_EINVAL, "lower: type nesting too deep");
    if (!v || v->kind != t->kind)
        return host_err(cx, "kind mismatch", t, v);
    int r;
    switch (t->kind) {
    case GALE_CM_BOOL: return flat_push(cx, out, types, n, cap, v->u.b ? 1 : 0, GALE_CM_CORE_I32);
    case GALE_CM_S8:
    case GALE_CM_S16:
    case GALE_CM_S32: return flat_push(cx, out, types, n, cap, (uint32_t)(int32_t)v->u.s, GALE_CM_CORE_I32);
    case GALE_CM_U8: return flat_push(cx, out, types, n, cap, (uint8_t)v->u.u, GALE_CM_CORE_I32);
    case GALE_CM_U16: return flat_push(cx, out, types, n, cap, (uint16_t)v->u.u, GALE_CM_CORE_I32);
    case GALE_CM_U32: return flat_push(cx, out, types, n, cap, (uint32_t)v->u.u, GALE_CM_CORE_I32);
    case GALE_CM_S64: return flat_push(cx, out, types, n, cap, (uint64_t)v->u.s, GALE_CM_CORE_I64);
    case GALE_CM_U64: return flat_push(cx, out, types, n, cap, v->u.u, GALE_CM_CORE_I64);
    case GALE_CM_F32: {
        uint32_t b;
        memcpy(&b, &v->u.f32, 4);
        return flat_push(cx, out, types, n, cap, f32_canon(b), GALE_CM_CORE_F32);
    }
    case GALE_CM_F64: {
        uint64_t b;
        memcpy(&b, &v->u.f64, 8);
        return flat_push(cx, out, types, n, cap, f64_canon(b), GALE_CM_CORE_F64);
    }
    case GALE_CM_CHAR:
        if (v->u.ch >= 0x110000 || (v->u.ch >= 0xd800 && v->u.ch <= 0xdfff))
            return host_err(cx, "char is not a Unicode scalar value", t, v);
        return flat_push(cx, out, types, n, cap, v->u.ch, GALE_CM_CORE_I32);
    case GALE_CM_STRING:
    case GALE_CM_LIST: {
        if (t->kind == GALE_CM_LIST && t->n) {
            if (v->u.list.len != t->n)
                return host_err(cx, "fixed-length list has the wrong length", t, v);
            for (uint32_t i = 0; i < t->n; i++)
                if ((r = lower_flat_d(cx, &v->u.list.items[i], t->elem, out, types, n, cap, depth + 1)))
                    return r;
            return 0;
        }
        uint32_t p = 0, len;
        if (t->kind == GALE_CM_STRING || is_bytes(t->elem)) {
            len = v->u.str.len;
            if (t->kind == GALE_CM_STRING && gale_cm_utf8_invalid_at((const uint8_t *)v->u.str.ptr, len) >= 0)
                return host_err(cx, "string is not valid UTF-8", t, v);
            r = store_bytes(cx, v->u.str.ptr, len, &p, gale_cm_kind_name(t->kind));
        } else {
            len = v->u.list.len;
            r = store_list_elems(cx, v, t->elem, &p, depth);
        }
        if (r)
            return r;
        if ((r = flat_push(cx, out, types, n, cap, p, GALE_CM_CORE_I32)))
            return r;
        return flat_push(cx, out, types, n, cap, len, GALE_CM_CORE_I32);
    }
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE:
        if (v->u.list.len != t->n)
            return host_err(cx, "wrong number of fields", t, v);
        for (uint32_t i = 0; i < t->n; i++)
            if ((r = lower_flat_d(cx, &v->u.list.items[i], t->members[i], out, types, n, cap, depth + 1)))
                return r;
        return 0;
    case GALE_CM_ENUM:
        if (v->u.var.disc >= t->n)
            return host_err(cx, "discriminant out of range", t, v);
        return flat_push(cx, out, types, n, cap, v->u.var.disc, GALE_CM_CORE_I32);
    case GALE_CM_VARIANT:
    case GALE_CM_OPTION:
    case GALE_CM_RESULT: {
        uint8_t ft[GALE_CM_MAX_FLAT_PARAMS + 2];
        uint32_t nf = 0;
        if (gale_cm_flatten(t, ft, &nf, GALE_CM_MAX_FLAT_PARAMS + 1))
            return gale_cm_err_set(cx->err, GALE_EOVERFLOW, "lower: variant too wide to flatten");
        uint32_t disc = v->u.var.disc;
        if (disc >= gale_cm_type_ncases(t))
            return host_err(cx, "discriminant out of range", t, v);
        if ((r = flat_push(cx, out, types, n, cap, disc, GALE_CM_CORE_I32)))
            return r;
        uint32_t start = *n;
        const gale_cm_type_t *c = gale_cm_type_case(t, disc);
        if (c) {
            if (!v->u.var.payload)
                return host_err(cx, "missing case payload", t, v);
            if ((r = lower_flat_d(cx, v->u.var.payload, c, out, types, n, cap, depth + 1)))
                return r;
        }
        /* Payload values keep their bit patterns (zero-extended); the slots take
         * the joined types; unused slots are zero. */
        for (uint32_t i = start; i < *n; i++)
            if (types)
                types[i] = ft[1 + (i - start)];
        while (*n - start < nf - 1)
            if ((r = flat_push(cx, out, types, n, cap, 0, ft[1 + (*n - start)])))
                return r;
        return 0;
    }
    case GALE_CM_FLAGS: return flat_push(cx, out, types, n, cap, v->u.flags, GALE_CM_CORE_I32);
    case GALE_CM_OWN:
    case GALE_CM_BORROW:
    case GALE_CM_STREAM:
    case GALE_CM_FUTURE:
    case GALE_CM_ERROR_CONTEXT: {
        uint32_t h = 0;
        if ((r = lower_handle(cx, t, v, &h)))
            return r;
        return flat_push(cx, out, types, n, cap, h, GALE_CM_CORE_I32);
    }
    default: return gale_cm_err_set(cx->err, GALE_EINVAL, "lower: unknown type kind %u", t->kind);
    }
}

int gale_cm_lower_flat(gale_cm_cx_t *cx, const gale_cm_val_t *v, const gale_cm_type_t *t, uint64_t *out, uint8_t *types,
                       uint32_t *n, uint32_t cap)
{
    return lower_flat_d(cx, v, t, out, types, n, cap, 0);
}

static uint32_t flat_count_list(const gale_cm_type_t *const *ts, uint32_t n)
{
    uint8_t tmp[GALE_CM_MAX_FLAT_PARAMS + 2];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (gale_cm_flatten(ts[i], tmp, &k, GALE_CM_MAX_FLAT_PARAMS + 1))
            return GALE_CM_MAX_FLAT_PARAMS + 1;
    return k;
}

int gale_cm_lift_values(gale_cm_cx_t *cx, uint32_t max_flat, const uint64_t *flat, uint32_t n_flat,
                        const gale_cm_type_t *const *ts, uint32_t n, gale_cm_val_t *out)
{
    gale_cm_flat_iter_t it = {.vals = flat, .types = NULL, .n = n_flat, .i = 0};
    if (flat_count_list(ts, n) > max_flat) {
        gale_cm_type_t tup = {.kind = GALE_CM_TUPLE, .n = n, .members = ts};
        uint64_t p = 0;
        int r = flat_next(cx, &it, GALE_CM_CORE_I32, &p);
        if (r)
            return r;
        gale_cm_val_t tv;
        if ((r = gale_cm_load(cx, (uint32_t)p, &tup, &tv)))
            return r;
        for (uint32_t i = 0; i < n; i++)
            out[i] = tv.u.list.items[i];
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        int r = gale_cm_lift_flat(cx, &it, ts[i], &out[i]);
        if (r)
            return r;
    }
    return 0;
}

int gale_cm_lower_values(gale_cm_cx_t *cx, uint32_t max_flat, const gale_cm_val_t *vs, const gale_cm_type_t *const *ts,
                         uint32_t n, uint64_t *out, uint32_t *n_out, uint32_t cap, uint32_t *spill_ptr)
{
    *n_out = 0;
    if (flat_count_list(ts, n) > max_flat) {
        gale_cm_type_t tup = {.kind = GALE_CM_TUPLE, .n = n, .members = ts};
        uint32_t sz = gale_cm_type_size(&tup), al = gale_cm_type_align(&tup);
        uint32_t p = spill_ptr ? *spill_ptr : 0;
        int r;
        bool allocated = false;
        if (!p) {
            if ((r = alloc_guest(cx, al, sz, "parameter tuple", &p)))
                return r;
            allocated = true;
        } else if ((r = gale_cm_check_range(cx, p, sz, al, "result out-pointer"))) {
            return r;
        }
        gale_cm_val_t tv = {.kind = GALE_CM_TUPLE};
        tv.u.list.items = (gale_cm_val_t *)vs;
        tv.u.list.len = n;
        if ((r = gale_cm_store(cx, &tv, p, &tup)))
            return r;
        if (spill_ptr)
            *spill_ptr = p;
        if (allocated) {
            if (cap < 1)
                return gale_cm_err_set(cx->err, GALE_EOVERFLOW, "lower: no room for the pointer");
            out[0] = p;
            *n_out = 1;
        }
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        int r = gale_cm_lower_flat(cx, &vs[i], ts[i], out, NULL, n_out, cap);
        if (r)
            return r;
    }
    return 0;
}
