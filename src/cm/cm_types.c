/* Component-level types: layout, flattening, core signatures, equality. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gale/cm.h"

#include "cm_internal.h"

#define MAX_DEPTH 32

#define PRIM(nm, k) const gale_cm_type_t nm = {.kind = (k)}
PRIM(gale_cm_t_bool, GALE_CM_BOOL);
PRIM(gale_cm_t_s8, GALE_CM_S8);
PRIM(gale_cm_t_u8, GALE_CM_U8);
PRIM(gale_cm_t_s16, GALE_CM_S16);
PRIM(gale_cm_t_u16, GALE_CM_U16);
PRIM(gale_cm_t_s32, GALE_CM_S32);
PRIM(gale_cm_t_u32, GALE_CM_U32);
PRIM(gale_cm_t_s64, GALE_CM_S64);
PRIM(gale_cm_t_u64, GALE_CM_U64);
PRIM(gale_cm_t_f32, GALE_CM_F32);
PRIM(gale_cm_t_f64, GALE_CM_F64);
PRIM(gale_cm_t_char, GALE_CM_CHAR);
PRIM(gale_cm_t_string, GALE_CM_STRING);

#if GALE_CONFIG_DIAG
int gale_cm_err_set(gale_cm_err_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
#endif

/* String equality. Not strcmp: newlib's strcmp for ARMv7-M is 0.7 KiB of
 * word-at-a-time code, and only equality of short names is needed. */
bool cm_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void gale_cm_arena_init(gale_cm_arena_t *a, void *buf, size_t size)
{
    a->base = buf;
    a->size = size;
    a->used = 0;
}

void *gale_cm_arena_alloc(gale_cm_arena_t *a, size_t size, size_t align)
{
    if (!a || !a->base || align == 0)
        return NULL;
    size_t start = (a->used + align - 1) & ~(align - 1);
    uintptr_t addr = (uintptr_t)a->base + start;
    if (addr & (align - 1)) /* base itself misaligned */
        start += align - (addr & (align - 1));
    if (start > a->size || size > a->size - start)
        return NULL;
    a->used = start + size;
    return a->base + start;
}

const char *gale_cm_kind_name(uint8_t kind)
{
    static const char *const names[GALE_CM_KIND_MAX] = {
        [GALE_CM_BOOL] = "bool",       [GALE_CM_S8] = "s8",         [GALE_CM_U8] = "u8",
        [GALE_CM_S16] = "s16",         [GALE_CM_U16] = "u16",       [GALE_CM_S32] = "s32",
        [GALE_CM_U32] = "u32",         [GALE_CM_S64] = "s64",       [GALE_CM_U64] = "u64",
        [GALE_CM_F32] = "f32",         [GALE_CM_F64] = "f64",       [GALE_CM_CHAR] = "char",
        [GALE_CM_STRING] = "string",   [GALE_CM_LIST] = "list",     [GALE_CM_RECORD] = "record",
        [GALE_CM_TUPLE] = "tuple",     [GALE_CM_VARIANT] = "variant", [GALE_CM_ENUM] = "enum",
        [GALE_CM_OPTION] = "option",   [GALE_CM_RESULT] = "result", [GALE_CM_FLAGS] = "flags",
        [GALE_CM_OWN] = "own",         [GALE_CM_BORROW] = "borrow", [GALE_CM_STREAM] = "stream",
        [GALE_CM_FUTURE] = "future",   [GALE_CM_ERROR_CONTEXT] = "error-context",
    };
    if (kind == 0 || kind >= GALE_CM_KIND_MAX)
        return "?";
    return names[kind];
}

uint32_t gale_cm_type_ncases(const gale_cm_type_t *t)
{
    switch (t->kind) {
    case GALE_CM_VARIANT:
    case GALE_CM_ENUM: return t->n;
    case GALE_CM_OPTION:
    case GALE_CM_RESULT: return 2;
    default: return 0;
    }
}

const gale_cm_type_t *gale_cm_type_case(const gale_cm_type_t *t, uint32_t i)
{
    switch (t->kind) {
    case GALE_CM_VARIANT: return (t->members && i < t->n) ? t->members[i] : NULL;
    case GALE_CM_OPTION: return i == 1 ? t->elem : NULL;
    case GALE_CM_RESULT: return (t->members && i < 2) ? t->members[i] : NULL;
    default: return NULL;
    }
}

static uint32_t disc_size(uint32_t ncases)
{
    if (ncases <= 256)
        return 1;
    if (ncases <= 65536)
        return 2;
    return 4;
}

static uint32_t align_to(uint32_t x, uint32_t a)
{
    return (x + a - 1) / a * a;
}

/* Size and alignment in one pass (O(nodes)); returns false for malformed
 * types (depth > MAX_DEPTH, bad kind, empty aggregates, too large). */
static bool sa_d(const gale_cm_type_t *t, int depth, uint32_t *size, uint32_t *align)
{
    if (!t || depth > MAX_DEPTH)
        return false;
    switch (t->kind) {
    case GALE_CM_BOOL:
    case GALE_CM_S8:
    case GALE_CM_U8: *size = *align = 1; return true;
    case GALE_CM_S16:
    case GALE_CM_U16: *size = *align = 2; return true;
    case GALE_CM_S32:
    case GALE_CM_U32:
    case GALE_CM_F32:
    case GALE_CM_CHAR:
    case GALE_CM_OWN:
    case GALE_CM_BORROW:
    case GALE_CM_STREAM:
    case GALE_CM_FUTURE:
    case GALE_CM_ERROR_CONTEXT: *size = *align = 4; return true;
    case GALE_CM_S64:
    case GALE_CM_U64:
    case GALE_CM_F64: *size = *align = 8; return true;
    case GALE_CM_STRING: *size = 8, *align = 4; return true;
    case GALE_CM_LIST: {
        if (!t->n) {
            *size = 8, *align = 4;
            return true;
        }
        uint32_t es, ea;
        if (!sa_d(t->elem, depth + 1, &es, &ea) || (uint64_t)es * t->n > GALE_CM_MAX_LENGTH)
            return false;
        *size = es * t->n, *align = ea;
        return true;
    }
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE: {
        uint32_t s = 0, a = 1;
        if (t->n == 0 || !t->members)
            return false;
        for (uint32_t i = 0; i < t->n; i++) {
            uint32_t fs, fa;
            if (!sa_d(t->members[i], depth + 1, &fs, &fa))
                return false;
            s = align_to(s, fa) + fs;
            if (s > GALE_CM_MAX_LENGTH)
                return false;
            if (fa > a)
                a = fa;
        }
        *size = align_to(s, a), *align = a;
        return true;
    }
    case GALE_CM_VARIANT:
    case GALE_CM_ENUM:
    case GALE_CM_OPTION:
    case GALE_CM_RESULT: {
        uint32_t nc = gale_cm_type_ncases(t);
        if (nc == 0)
            return false;
        uint32_t ds = disc_size(nc), maxca = 1, maxcs = 0;
        for (uint32_t i = 0; i < nc; i++) {
            const gale_cm_type_t *c = gale_cm_type_case(t, i);
            if (!c)
                continue;
            uint32_t cs, ca;
            if (!sa_d(c, depth + 1, &cs, &ca))
                return false;
            if (ca > maxca)
                maxca = ca;
            if (cs > maxcs)
                maxcs = cs;
        }
        uint32_t a = ds > maxca ? ds : maxca;
        *size = align_to(align_to(ds, maxca) + maxcs, a), *align = a;
        return true;
    }
    case GALE_CM_FLAGS:
        if (t->n == 0 || t->n > 32)
            return false;
        *size = *align = t->n <= 8 ? 1 : t->n <= 16 ? 2 : 4;
        return true;
    default: return false;
    }
}

uint32_t gale_cm_type_size(const gale_cm_type_t *t)
{
    uint32_t s, a;
    return sa_d(t, 0, &s, &a) ? s : 0;
}

uint32_t gale_cm_type_align(const gale_cm_type_t *t)
{
    uint32_t s, a;
    return sa_d(t, 0, &s, &a) ? a : 0;
}

/* join of two flat types (definitions.py join) */
static uint8_t join(uint8_t a, uint8_t b)
{
    if (a == b)
        return a;
    if ((a == GALE_CM_CORE_I32 && b == GALE_CM_CORE_F32) || (a == GALE_CM_CORE_F32 && b == GALE_CM_CORE_I32))
        return GALE_CM_CORE_I32;
    return GALE_CM_CORE_I64;
}

static int push(uint8_t *out, uint32_t *n, uint32_t cap, uint8_t ct)
{
    if (*n >= cap) {
        *n = cap + 1;
        return GALE_EOVERFLOW;
    }
    out[(*n)++] = ct;
    return 0;
}

static int flatten_d(const gale_cm_type_t *t, uint8_t *out, uint32_t *n, uint32_t cap, int depth)
{
    if (!t || depth > MAX_DEPTH)
        return GALE_EINVAL;
    switch (t->kind) {
    case GALE_CM_BOOL: case GALE_CM_S8: case GALE_CM_U8: case GALE_CM_S16: case GALE_CM_U16:
    case GALE_CM_S32: case GALE_CM_U32: case GALE_CM_CHAR: case GALE_CM_OWN: case GALE_CM_BORROW:
    case GALE_CM_STREAM: case GALE_CM_FUTURE: case GALE_CM_ERROR_CONTEXT: case GALE_CM_ENUM:
    case GALE_CM_FLAGS:
        return push(out, n, cap, GALE_CM_CORE_I32);
    case GALE_CM_S64:
    case GALE_CM_U64: return push(out, n, cap, GALE_CM_CORE_I64);
    case GALE_CM_F32: return push(out, n, cap, GALE_CM_CORE_F32);
    case GALE_CM_F64: return push(out, n, cap, GALE_CM_CORE_F64);
    case GALE_CM_STRING: {
        int r = push(out, n, cap, GALE_CM_CORE_I32);
        return r ? r : push(out, n, cap, GALE_CM_CORE_I32);
    }
    case GALE_CM_LIST:
        if (t->n) {
            for (uint32_t i = 0; i < t->n; i++) {
                int r = flatten_d(t->elem, out, n, cap, depth + 1);
                if (r)
                    return r;
            }
            return 0;
        } else {
            int r = push(out, n, cap, GALE_CM_CORE_I32);
            return r ? r : push(out, n, cap, GALE_CM_CORE_I32);
        }
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE:
        for (uint32_t i = 0; i < t->n; i++) {
            int r = flatten_d(t->members[i], out, n, cap, depth + 1);
            if (r)
                return r;
        }
        return 0;
    case GALE_CM_VARIANT:
    case GALE_CM_OPTION:
    case GALE_CM_RESULT: {
        int r = push(out, n, cap, GALE_CM_CORE_I32);
        if (r)
            return r;
        uint32_t base = *n, nc = gale_cm_type_ncases(t), used = 0;
        for (uint32_t i = 0; i < nc; i++) {
            const gale_cm_type_t *c = gale_cm_type_case(t, i);
            if (!c)
                continue;
            uint8_t tmp[GALE_CM_MAX_FLAT_PARAMS + 2];
            uint32_t k = 0;
            r = flatten_d(c, tmp, &k, GALE_CM_MAX_FLAT_PARAMS + 1, depth + 1);
            if (r) { /* more than we can ever represent: report overflow */
                *n = cap + 1;
                return GALE_EOVERFLOW;
            }
            for (uint32_t j = 0; j < k; j++) {
                if (j < used) {
                    out[base + j] = join(out[base + j], tmp[j]);
                } else {
                    r = push(out, n, cap, tmp[j]);
                    if (r)
                        return r;
                    used++;
                }
            }
        }
        return 0;
    }
    default: return GALE_EINVAL;
    }
}

int gale_cm_flatten(const gale_cm_type_t *t, uint8_t *out, uint32_t *n, uint32_t cap)
{
    return flatten_d(t, out, n, cap, 0);
}

int gale_cm_coresig(const gale_cm_functype_t *ft, gale_cm_abi_t abi, gale_cm_coresig_t *out)
{
    memset(out, 0, sizeof *out);
    uint8_t tmp[GALE_CM_MAX_FLAT_PARAMS + 2];
    uint32_t n = 0;
    int r = 0;
    for (uint32_t i = 0; i < ft->n_params && r == 0; i++)
        r = gale_cm_flatten(ft->params[i], tmp, &n, GALE_CM_MAX_FLAT_PARAMS + 1);
    if (r && r != GALE_EOVERFLOW)
        return r;
    uint32_t max_params = abi == GALE_CM_ABI_ASYNC_LOWER ? GALE_CM_MAX_FLAT_ASYNC_PARAMS : GALE_CM_MAX_FLAT_PARAMS;
    out->n_flat_params = (uint8_t)n;
    if (n > max_params) {
        out->params_in_memory = true;
        out->types[0] = GALE_CM_CORE_I32;
        out->n_params = 1;
    } else {
        memcpy(out->types, tmp, n);
        out->n_params = (uint8_t)n;
    }
    uint32_t nr = 0;
    uint8_t rt[GALE_CM_MAX_FLAT_PARAMS + 2];
    if (ft->result) {
        r = gale_cm_flatten(ft->result, rt, &nr, GALE_CM_MAX_FLAT_PARAMS + 1);
        if (r && r != GALE_EOVERFLOW)
            return r;
    }
    switch (abi) {
    case GALE_CM_ABI_SYNC_LOWER:
        if (nr > GALE_CM_MAX_FLAT_RESULTS) {
            out->results_in_memory = true;
            out->types[out->n_params++] = GALE_CM_CORE_I32;
        } else if (nr == 1) {
            out->types[out->n_params] = rt[0];
            out->n_results = 1;
        }
        break;
    case GALE_CM_ABI_ASYNC_LOWER:
        if (ft->result) {
            out->results_in_memory = true;
            out->types[out->n_params++] = GALE_CM_CORE_I32;
        }
        out->types[out->n_params] = GALE_CM_CORE_I32;
        out->n_results = 1;
        break;
    case GALE_CM_ABI_SYNC_LIFT:
        if (nr > GALE_CM_MAX_FLAT_RESULTS) {
            out->results_in_memory = true;
            out->types[out->n_params] = GALE_CM_CORE_I32;
            out->n_results = 1;
        } else if (nr == 1) {
            out->types[out->n_params] = rt[0];
            out->n_results = 1;
        }
        break;
    case GALE_CM_ABI_ASYNC_LIFT:
        out->types[out->n_params] = GALE_CM_CORE_I32;
        out->n_results = 1;
        break;
    }
    return 0;
}

static bool eq_d(const gale_cm_type_t *a, const gale_cm_type_t *b, int depth)
{
    if (a == b)
        return true;
    if (!a || !b || depth > MAX_DEPTH || a->kind != b->kind)
        return false;
    switch (a->kind) {
    case GALE_CM_LIST:
    case GALE_CM_OPTION:
    case GALE_CM_STREAM:
    case GALE_CM_FUTURE: return a->n == b->n && eq_d(a->elem, b->elem, depth + 1);
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE:
    case GALE_CM_VARIANT:
    case GALE_CM_RESULT: {
        uint32_t n = a->kind == GALE_CM_RESULT ? 2 : a->n;
        if (a->kind != GALE_CM_RESULT && a->n != b->n)
            return false;
        for (uint32_t i = 0; i < n; i++) {
            const gale_cm_type_t *x = a->members ? a->members[i] : NULL;
            const gale_cm_type_t *y = b->members ? b->members[i] : NULL;
            if (!eq_d(x, y, depth + 1))
                return false;
        }
        return true;
    }
    case GALE_CM_ENUM:
    case GALE_CM_FLAGS: return a->n == b->n;
    case GALE_CM_OWN:
    case GALE_CM_BORROW: return a->resource == b->resource;
    default: return true;
    }
}

bool gale_cm_type_equal(const gale_cm_type_t *a, const gale_cm_type_t *b)
{
    return eq_d(a, b, 0);
}
