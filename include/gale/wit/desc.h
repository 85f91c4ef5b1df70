/* gale — WIT type descriptors: the runtime reader (freestanding, header-only).
 *
 * A type descriptor is a compact prefix-coded byte string describing one WIT
 * value type or function type (format: docs/wit.md, "Type descriptors"). The
 * host tools (tools/wit) write them; the component host (src/cm) and the AMP
 * layer read them on the MCU to lift, lower and marshal values.
 *
 * This header uses nothing but <stdint.h>, <stddef.h>, <stdbool.h> and
 * gale/error.h: no malloc, no other layer, bounded recursion
 * (GALE_WIT_DESC_MAX_DEPTH) and bounded stack (a few dozen bytes per level).
 * Every function validates the bytes it walks and returns GALE_EMALFORMED on
 * truncated or invalid input, so a descriptor from an untrusted source cannot
 * make the reader overrun its buffer.
 *
 * Layering: maps to layer "wit" (include/gale/wit/...). The cm and amp layers
 * may include this header only (arrows cm->wit, amp->wit for the reader).
 */
#ifndef GALE_WIT_DESC_H
#define GALE_WIT_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gale/error.h"

/* ---- tags (one byte; bit 7 = "names follow" on compound tags) ---------- */
enum gale_wit_desc_tag {
    GALE_WIT_D_BOOL = 0x01,
    GALE_WIT_D_S8 = 0x02,
    GALE_WIT_D_U8 = 0x03,
    GALE_WIT_D_S16 = 0x04,
    GALE_WIT_D_U16 = 0x05,
    GALE_WIT_D_S32 = 0x06,
    GALE_WIT_D_U32 = 0x07,
    GALE_WIT_D_S64 = 0x08,
    GALE_WIT_D_U64 = 0x09,
    GALE_WIT_D_F32 = 0x0a,
    GALE_WIT_D_F64 = 0x0b,
    GALE_WIT_D_CHAR = 0x0c,
    GALE_WIT_D_STRING = 0x0d,
    GALE_WIT_D_ERROR_CONTEXT = 0x0e,
    GALE_WIT_D_LIST = 0x10,       /* T */
    GALE_WIT_D_FIXED_LIST = 0x11, /* uleb N, T */
    GALE_WIT_D_OPTION = 0x12,     /* T */
    GALE_WIT_D_RESULT = 0x13,     /* ok-or-NONE, err-or-NONE */
    GALE_WIT_D_TUPLE = 0x14,      /* uleb n, T*n */
    GALE_WIT_D_RECORD = 0x15,     /* uleb n, ([name] T)*n */
    GALE_WIT_D_VARIANT = 0x16,    /* uleb n, ([name] T-or-NONE)*n */
    GALE_WIT_D_ENUM = 0x17,       /* uleb n, [name]*n */
    GALE_WIT_D_FLAGS = 0x18,      /* uleb n, [name]*n */
    GALE_WIT_D_OWN = 0x19,        /* uleb resource id */
    GALE_WIT_D_BORROW = 0x1a,     /* uleb resource id */
    GALE_WIT_D_FUTURE = 0x1b,     /* T-or-NONE */
    GALE_WIT_D_STREAM = 0x1c,     /* T-or-NONE */
    GALE_WIT_D_NONE = 0x1f,       /* "no type" (absent payload / result arm) */
    GALE_WIT_D_FUNC = 0x20,       /* flags byte, uleb n, ([name] T)*n, result T-or-NONE */
    GALE_WIT_D_NAMED = 0x80,      /* or-ed into RECORD/VARIANT/ENUM/FLAGS/FUNC */
};

#define GALE_WIT_D_FUNC_ASYNC 0x01u /* FUNC flags byte: `async func` */

/* Core value types (the wasm valtype bytes). */
enum gale_wit_core_type {
    GALE_WIT_CORE_I32 = 0x7f,
    GALE_WIT_CORE_I64 = 0x7e,
    GALE_WIT_CORE_F32 = 0x7d,
    GALE_WIT_CORE_F64 = 0x7c,
};

/* Canonical ABI limits (component-model definitions.py). */
#define GALE_WIT_MAX_FLAT_PARAMS 16
#define GALE_WIT_MAX_FLAT_ASYNC_PARAMS 4
#define GALE_WIT_MAX_FLAT_RESULTS 1
/* Flat lists are stored up to this many entries; longer ones are only
 * counted (they are passed through memory anyway). */
#define GALE_WIT_FLAT_CAP 17
/* Nesting limit of the recursive reader: about 112 bytes of stack per level
 * on Cortex-M4 (-Os), so 16 levels stay under 2 KiB. Types nested deeper are
 * refused by the writer (host tools) and the reader alike. */
#ifndef GALE_WIT_DESC_MAX_DEPTH
#define GALE_WIT_DESC_MAX_DEPTH 16
#endif

typedef struct gale_wit_layout {
    uint32_t size;                     /* bytes in linear memory */
    uint32_t align;                    /* 1, 2, 4 or 8 */
    uint32_t nflat;                    /* true number of flat core values */
    uint8_t flat[GALE_WIT_FLAT_CAP];   /* first min(nflat, CAP) core types */
} gale_wit_layout_t;

/* Which lifting/lowering a core signature is for. */
typedef enum gale_wit_abi {
    GALE_WIT_ABI_LIFT_SYNC = 0,   /* export, sync */
    GALE_WIT_ABI_LOWER_SYNC,      /* import, sync */
    GALE_WIT_ABI_LIFT_ASYNC,      /* export, async with callback */
    GALE_WIT_ABI_LOWER_ASYNC,     /* import, async-lowered */
    GALE_WIT_ABI_TASK_RETURN,     /* the [task-return] built-in of an async export */
} gale_wit_abi_t;

typedef struct gale_wit_core_sig {
    uint8_t nparams;
    uint8_t nresults;
    uint8_t params[GALE_WIT_MAX_FLAT_PARAMS + 1];
    uint8_t results[1];
    bool params_indirect;   /* params passed as one pointer to a tuple in memory */
    bool results_indirect;  /* results via memory: retptr param (lower/async) or
                               returned pointer (sync lift) */
} gale_wit_core_sig_t;

/* ---- primitive readers ------------------------------------------------- */

/* Reads an unsigned LEB128 (at most 5 bytes, value < 2^32). */
static inline int gale_wit_desc_uleb(const uint8_t **pp, const uint8_t *end, uint32_t *out)
{
    const uint8_t *p = *pp;
    uint32_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (p >= end)
            return GALE_EMALFORMED;
        uint8_t b = *p++;
        if (shift == 28 && (b & 0x70))
            return GALE_EMALFORMED;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = v;
            return 0;
        }
    }
    return GALE_EMALFORMED;
}

/* Skips an optional name (uleb length + bytes) when `named`. Returns the
 * name through *name / *len (NULL/0 when unnamed). */
static inline int gale_wit_desc_name(const uint8_t **pp, const uint8_t *end, bool named,
                                     const char **name, uint32_t *len)
{
    *name = NULL;
    *len = 0;
    if (!named)
        return 0;
    uint32_t n;
    int rc = gale_wit_desc_uleb(pp, end, &n);
    if (rc)
        return rc;
    if ((size_t)(end - *pp) < n)
        return GALE_EMALFORMED;
    *name = (const char *)*pp;
    *len = n;
    *pp += n;
    return 0;
}

static inline uint32_t gale_wit__align_to(uint32_t x, uint32_t a)
{
    return (x + a - 1) & ~(a - 1);
}

static inline uint8_t gale_wit__join(uint8_t a, uint8_t b)
{
    if (a == b)
        return a;
    if ((a == GALE_WIT_CORE_I32 && b == GALE_WIT_CORE_F32) || (a == GALE_WIT_CORE_F32 && b == GALE_WIT_CORE_I32))
        return GALE_WIT_CORE_I32;
    return GALE_WIT_CORE_I64;
}

static inline void gale_wit__push(gale_wit_layout_t *l, uint8_t t)
{
    if (l->nflat < GALE_WIT_FLAT_CAP)
        l->flat[l->nflat] = t;
    if (l->nflat < (1u << 30))
        l->nflat++;
}

static inline uint32_t gale_wit__disc_size(uint32_t ncases)
{
    return ncases <= 256u ? 1u : (ncases <= 65536u ? 2u : 4u);
}

/* Computes the layout of the value type at *pp and advances *pp past it.
 * `out` is filled from scratch. depth starts at 0. */
static inline int gale_wit_desc_layout_at(const uint8_t **pp, const uint8_t *end,
                                          gale_wit_layout_t *out, unsigned depth)
{
    const uint8_t *p = *pp;
    int rc;
    uint32_t n;
    out->size = 0;
    out->align = 1;
    out->nflat = 0;
    for (unsigned i = 0; i < GALE_WIT_FLAT_CAP; i++)
        out->flat[i] = 0;
    if (depth > GALE_WIT_DESC_MAX_DEPTH)
        return GALE_EMALFORMED;
    if (p >= end)
        return GALE_EMALFORMED;
    uint8_t tag = *p++;
    bool named = (tag & GALE_WIT_D_NAMED) != 0;
    uint8_t base = (uint8_t)(tag & ~GALE_WIT_D_NAMED);
    out->nflat = 0;
    if (named && base != GALE_WIT_D_RECORD && base != GALE_WIT_D_VARIANT && base != GALE_WIT_D_ENUM &&
        base != GALE_WIT_D_FLAGS)
        return GALE_EMALFORMED;
    switch (base) {
    case GALE_WIT_D_BOOL: case GALE_WIT_D_S8: case GALE_WIT_D_U8:
        out->size = out->align = 1; gale_wit__push(out, GALE_WIT_CORE_I32); break;
    case GALE_WIT_D_S16: case GALE_WIT_D_U16:
        out->size = out->align = 2; gale_wit__push(out, GALE_WIT_CORE_I32); break;
    case GALE_WIT_D_S32: case GALE_WIT_D_U32: case GALE_WIT_D_CHAR: case GALE_WIT_D_ERROR_CONTEXT:
        out->size = out->align = 4; gale_wit__push(out, GALE_WIT_CORE_I32); break;
    case GALE_WIT_D_S64: case GALE_WIT_D_U64:
        out->size = out->align = 8; gale_wit__push(out, GALE_WIT_CORE_I64); break;
    case GALE_WIT_D_F32:
        out->size = out->align = 4; gale_wit__push(out, GALE_WIT_CORE_F32); break;
    case GALE_WIT_D_F64:
        out->size = out->align = 8; gale_wit__push(out, GALE_WIT_CORE_F64); break;
    case GALE_WIT_D_STRING:
        out->size = 8; out->align = 4;
        gale_wit__push(out, GALE_WIT_CORE_I32); gale_wit__push(out, GALE_WIT_CORE_I32); break;
    case GALE_WIT_D_OWN: case GALE_WIT_D_BORROW:
        if ((rc = gale_wit_desc_uleb(&p, end, &n)))
            return rc;
        out->size = out->align = 4; gale_wit__push(out, GALE_WIT_CORE_I32); break;
    case GALE_WIT_D_FUTURE: case GALE_WIT_D_STREAM: {
        if (p < end && *p == GALE_WIT_D_NONE) {
            p++;
        } else {
            gale_wit_layout_t sub;
            if ((rc = gale_wit_desc_layout_at(&p, end, &sub, depth + 1)))
                return rc;
        }
        out->size = out->align = 4; gale_wit__push(out, GALE_WIT_CORE_I32); break;
    }
    case GALE_WIT_D_LIST: {
        gale_wit_layout_t sub;
        if ((rc = gale_wit_desc_layout_at(&p, end, &sub, depth + 1)))
            return rc;
        out->size = 8; out->align = 4;
        gale_wit__push(out, GALE_WIT_CORE_I32); gale_wit__push(out, GALE_WIT_CORE_I32); break;
    }
    case GALE_WIT_D_FIXED_LIST: {
        gale_wit_layout_t sub;
        if ((rc = gale_wit_desc_uleb(&p, end, &n)))
            return rc;
        if (n == 0)
            return GALE_EMALFORMED;
        if ((rc = gale_wit_desc_layout_at(&p, end, &sub, depth + 1)))
            return rc;
        if (n >= (1u << 28) || (uint64_t)sub.size * n >= (1u << 28))
            return GALE_EMALFORMED;
        out->size = sub.size * n; out->align = sub.align;
        if ((uint64_t)sub.nflat * n > GALE_WIT_FLAT_CAP) {
            /* passed through memory anyway: only the count matters */
            uint64_t total = (uint64_t)sub.nflat * n;
            out->nflat = total > (1u << 30) ? (1u << 30) : (uint32_t)total;
            break;
        }
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = 0; j < sub.nflat; j++)
                gale_wit__push(out, sub.flat[j]);
        break;
    }
    case GALE_WIT_D_TUPLE: case GALE_WIT_D_RECORD: {
        if ((rc = gale_wit_desc_uleb(&p, end, &n)))
            return rc;
        if (base == GALE_WIT_D_TUPLE && n == 0)
            return GALE_EMALFORMED;
        uint32_t size = 0, align = 1;
        for (uint32_t i = 0; i < n; i++) {
            const char *nm; uint32_t nl;
            gale_wit_layout_t sub;
            if ((rc = gale_wit_desc_name(&p, end, named, &nm, &nl)))
                return rc;
            if ((rc = gale_wit_desc_layout_at(&p, end, &sub, depth + 1)))
                return rc;
            size = gale_wit__align_to(size, sub.align) + sub.size;
            if (sub.align > align)
                align = sub.align;
            if (size >= (1u << 28))
                return GALE_EMALFORMED;
            if (out->nflat + sub.nflat > GALE_WIT_FLAT_CAP) {
                uint64_t total = (uint64_t)out->nflat + sub.nflat;
                out->nflat = total > (1u << 30) ? (1u << 30) : (uint32_t)total;
            } else {
                for (uint32_t j = 0; j < sub.nflat; j++)
                    gale_wit__push(out, sub.flat[j]);
            }
        }
        out->size = gale_wit__align_to(size, align); out->align = align;
        break;
    }
    case GALE_WIT_D_ENUM: case GALE_WIT_D_FLAGS: {
        if ((rc = gale_wit_desc_uleb(&p, end, &n)))
            return rc;
        if (n == 0 || (base == GALE_WIT_D_FLAGS && n > 32) || n >= (1u << 28))
            return GALE_EMALFORMED;
        for (uint32_t i = 0; named && i < n; i++) {
            const char *nm; uint32_t nl;
            if ((rc = gale_wit_desc_name(&p, end, named, &nm, &nl)))
                return rc;
        }
        if (base == GALE_WIT_D_ENUM)
            out->size = out->align = gale_wit__disc_size(n);
        else
            out->size = out->align = n <= 8 ? 1 : (n <= 16 ? 2 : 4);
        gale_wit__push(out, GALE_WIT_CORE_I32);
        break;
    }
    case GALE_WIT_D_OPTION: case GALE_WIT_D_RESULT: case GALE_WIT_D_VARIANT: {
        uint32_t ncases;
        if (base == GALE_WIT_D_OPTION) {
            ncases = 2;
        } else if (base == GALE_WIT_D_RESULT) {
            ncases = 2;
        } else {
            if ((rc = gale_wit_desc_uleb(&p, end, &ncases)))
                return rc;
            if (ncases == 0)
                return GALE_EMALFORMED;
        }
        uint32_t disc = gale_wit__disc_size(ncases);
        uint32_t max_align = disc, max_size = 0;
        gale_wit__push(out, GALE_WIT_CORE_I32);
        for (uint32_t i = 0; i < ncases; i++) {
            const char *nm; uint32_t nl;
            gale_wit_layout_t sub;
            if ((rc = gale_wit_desc_name(&p, end, named, &nm, &nl)))
                return rc;
            if (base == GALE_WIT_D_OPTION && i == 0)
                continue; /* none */
            if (p >= end)
                return GALE_EMALFORMED;
            if (*p == GALE_WIT_D_NONE) {
                if (base == GALE_WIT_D_OPTION)
                    return GALE_EMALFORMED;
                p++;
                continue;
            }
            if ((rc = gale_wit_desc_layout_at(&p, end, &sub, depth + 1)))
                return rc;
            if (sub.align > max_align)
                max_align = sub.align;
            if (sub.size > max_size)
                max_size = sub.size;
            /* join the case's flat list into slots 1.. */
            for (uint32_t j = 0; sub.nflat <= GALE_WIT_FLAT_CAP && j < sub.nflat; j++) {
                uint32_t slot = 1 + j;
                if (slot < out->nflat) {
                    if (slot < GALE_WIT_FLAT_CAP)
                        out->flat[slot] = gale_wit__join(out->flat[slot], sub.flat[j]);
                } else {
                    gale_wit__push(out, sub.flat[j]);
                }
            }
            if (sub.nflat + 1 > out->nflat)
                out->nflat = sub.nflat + 1 > (1u << 30) ? (1u << 30) : sub.nflat + 1;
        }
        uint32_t size = gale_wit__align_to(disc, max_align) + max_size;
        out->size = gale_wit__align_to(size, max_align);
        out->align = max_align;
        if (out->size >= (1u << 28))
            return GALE_EMALFORMED;
        break;
    }
    default:
        return GALE_EMALFORMED;
    }
    *pp = p;
    return 0;
}

/* Layout of the value type descriptor desc[0..len). The whole buffer must be
 * exactly one type. */
static inline int gale_wit_desc_layout(const uint8_t *desc, size_t len, gale_wit_layout_t *out)
{
    const uint8_t *p = desc, *end = desc + len;
    int rc = gale_wit_desc_layout_at(&p, end, out, 0);
    if (rc)
        return rc;
    return p == end ? 0 : GALE_EMALFORMED;
}

/* Skips one value type (or NONE when allow_none) at *pp. */
static inline int gale_wit_desc_skip(const uint8_t **pp, const uint8_t *end, bool allow_none)
{
    if (allow_none && *pp < end && **pp == GALE_WIT_D_NONE) {
        (*pp)++;
        return 0;
    }
    gale_wit_layout_t l;
    return gale_wit_desc_layout_at(pp, end, &l, 0);
}

/* ---- function descriptors ---------------------------------------------- */

typedef struct gale_wit_desc_func {
    bool is_async;
    bool named;
    uint32_t nparams;
    const uint8_t *params;  /* first param ([name] T), inside the descriptor */
    const uint8_t *result;  /* result T, or NULL when the function has none */
    const uint8_t *end;     /* one past the descriptor */
} gale_wit_desc_func_t;

/* Parses the header of a function descriptor and validates all of it. */
static inline int gale_wit_desc_func(const uint8_t *desc, size_t len, gale_wit_desc_func_t *f)
{
    const uint8_t *p = desc, *end = desc + len;
    int rc;
    f->is_async = false;
    f->named = false;
    f->nparams = 0;
    f->params = NULL;
    f->result = NULL;
    f->end = NULL;
    if (len < 3 || (desc[0] & ~GALE_WIT_D_NAMED) != GALE_WIT_D_FUNC)
        return GALE_EMALFORMED;
    f->named = (desc[0] & GALE_WIT_D_NAMED) != 0;
    p++;
    uint8_t flags = *p++;
    if (flags & ~GALE_WIT_D_FUNC_ASYNC)
        return GALE_EMALFORMED;
    f->is_async = (flags & GALE_WIT_D_FUNC_ASYNC) != 0;
    if ((rc = gale_wit_desc_uleb(&p, end, &f->nparams)))
        return rc;
    f->params = p;
    for (uint32_t i = 0; i < f->nparams; i++) {
        const char *nm; uint32_t nl;
        if ((rc = gale_wit_desc_name(&p, end, f->named, &nm, &nl)))
            return rc;
        if ((rc = gale_wit_desc_skip(&p, end, false)))
            return rc;
    }
    if (p >= end)
        return GALE_EMALFORMED;
    if (*p == GALE_WIT_D_NONE) {
        f->result = NULL;
        p++;
    } else {
        f->result = p;
        if ((rc = gale_wit_desc_skip(&p, end, false)))
            return rc;
    }
    if (p != end)
        return GALE_EMALFORMED;
    f->end = end;
    return 0;
}

/* Flat core types of all params together (as one tuple), and of the result. */
static inline int gale_wit_desc_func_flat(const gale_wit_desc_func_t *f, gale_wit_layout_t *params,
                                          gale_wit_layout_t *results)
{
    const uint8_t *p = f->params;
    int rc;
    params->nflat = 0;
    params->size = 0;
    params->align = 1;
    for (uint32_t i = 0; i < f->nparams; i++) {
        const char *nm; uint32_t nl;
        gale_wit_layout_t sub;
        if ((rc = gale_wit_desc_name(&p, f->end, f->named, &nm, &nl)))
            return rc;
        if ((rc = gale_wit_desc_layout_at(&p, f->end, &sub, 0)))
            return rc;
        params->size = gale_wit__align_to(params->size, sub.align) + sub.size;
        if (sub.align > params->align)
            params->align = sub.align;
        if (params->nflat + sub.nflat > GALE_WIT_FLAT_CAP) {
            uint64_t total = (uint64_t)params->nflat + sub.nflat;
            params->nflat = total > (1u << 30) ? (1u << 30) : (uint32_t)total;
        } else {
            for (uint32_t j = 0; j < sub.nflat; j++)
                gale_wit__push(params, sub.flat[j]);
        }
    }
    params->size = gale_wit__align_to(params->size, params->align);
    if (f->result) {
        p = f->result;
        if ((rc = gale_wit_desc_layout_at(&p, f->end, results, 0)))
            return rc;
    } else {
        results->nflat = 0;
        results->size = 0;
        results->align = 1;
    }
    return 0;
}

/* The core function type of a WIT function for one ABI
 * (definitions.py flatten_functype; async = callback form). */
static inline int gale_wit_desc_core_sig(const uint8_t *desc, size_t len, gale_wit_abi_t abi,
                                         gale_wit_core_sig_t *sig)
{
    gale_wit_desc_func_t f;
    gale_wit_layout_t pl, rl;
    sig->nparams = sig->nresults = 0;
    sig->params_indirect = sig->results_indirect = false;
    for (unsigned i = 0; i < sizeof sig->params; i++)
        sig->params[i] = 0;
    sig->results[0] = 0;
    int rc = gale_wit_desc_func(desc, len, &f);
    if (rc)
        return rc;
    if ((rc = gale_wit_desc_func_flat(&f, &pl, &rl)))
        return rc;
    sig->nparams = sig->nresults = 0;
    sig->params_indirect = sig->results_indirect = false;
    if ((abi == GALE_WIT_ABI_LIFT_ASYNC || abi == GALE_WIT_ABI_LOWER_ASYNC) && !f.is_async)
        return GALE_EINVAL;
    if (abi == GALE_WIT_ABI_TASK_RETURN) {
        if (!f.is_async)
            return GALE_EINVAL;
        if (rl.nflat > GALE_WIT_MAX_FLAT_PARAMS) {
            sig->params[sig->nparams++] = GALE_WIT_CORE_I32;
            sig->params_indirect = true;
        } else {
            for (uint32_t i = 0; i < rl.nflat; i++)
                sig->params[sig->nparams++] = rl.flat[i];
        }
        return 0;
    }
    uint32_t max_params = abi == GALE_WIT_ABI_LOWER_ASYNC ? GALE_WIT_MAX_FLAT_ASYNC_PARAMS : GALE_WIT_MAX_FLAT_PARAMS;
    if (pl.nflat > max_params) {
        sig->params[sig->nparams++] = GALE_WIT_CORE_I32;
        sig->params_indirect = true;
    } else {
        for (uint32_t i = 0; i < pl.nflat; i++)
            sig->params[sig->nparams++] = pl.flat[i];
    }
    switch (abi) {
    case GALE_WIT_ABI_LIFT_ASYNC:
        sig->results[sig->nresults++] = GALE_WIT_CORE_I32; /* packed callback code */
        sig->results_indirect = rl.nflat > 0;             /* via task.return */
        break;
    case GALE_WIT_ABI_LOWER_ASYNC:
        if (rl.nflat > 0) {
            sig->params[sig->nparams++] = GALE_WIT_CORE_I32;
            sig->results_indirect = true;
        }
        sig->results[sig->nresults++] = GALE_WIT_CORE_I32; /* packed status */
        break;
    case GALE_WIT_ABI_LIFT_SYNC:
        if (rl.nflat > GALE_WIT_MAX_FLAT_RESULTS) {
            sig->results[sig->nresults++] = GALE_WIT_CORE_I32;
            sig->results_indirect = true;
        } else if (rl.nflat == 1) {
            sig->results[sig->nresults++] = rl.flat[0];
        }
        break;
    case GALE_WIT_ABI_LOWER_SYNC:
    default:
        if (rl.nflat > GALE_WIT_MAX_FLAT_RESULTS) {
            sig->params[sig->nparams++] = GALE_WIT_CORE_I32;
            sig->results_indirect = true;
        } else if (rl.nflat == 1) {
            sig->results[sig->nresults++] = rl.flat[0];
        }
        break;
    }
    return 0;
}

/* ---- walking compound types -------------------------------------------- */

/* A cursor over the children of a compound descriptor node. */
typedef struct gale_wit_desc_iter {
    const uint8_t *p;     /* next child */
    const uint8_t *end;
    uint8_t tag;          /* tag of the parent (without NAMED) */
    bool named;
    uint32_t count;       /* number of children (cases, fields, labels, elements) */
    uint32_t index;       /* index of the next child */
} gale_wit_desc_iter_t;

/* Opens the node at desc (value type) for iteration. For LIST/OPTION/FUTURE/
 * STREAM count = 1 (the element type; FUTURE/STREAM may yield NONE), for
 * FIXED_LIST count = 1 and `*fixed_len` (if non-NULL) receives N, RESULT has 2
 * children (ok, err: NONE when absent), OWN/BORROW and primitives have 0
 * children and *rid receives the resource id for handles. */
static inline int gale_wit_desc_open(const uint8_t *desc, const uint8_t *end, gale_wit_desc_iter_t *it,
                                     uint32_t *aux)
{
    const uint8_t *p = desc;
    int rc;
    it->p = desc;
    it->end = end;
    it->tag = 0;
    it->named = false;
    it->count = 0;
    it->index = 0;
    if (aux)
        *aux = 0;
    if (p >= end)
        return GALE_EMALFORMED;
    it->tag = (uint8_t)(*p & ~GALE_WIT_D_NAMED);
    it->named = (*p & GALE_WIT_D_NAMED) != 0;
    p++;
    it->index = 0;
    it->end = end;
    if (aux)
        *aux = 0;
    switch (it->tag) {
    case GALE_WIT_D_LIST: case GALE_WIT_D_OPTION: case GALE_WIT_D_FUTURE: case GALE_WIT_D_STREAM:
        it->count = 1; break;
    case GALE_WIT_D_FIXED_LIST: {
        uint32_t n;
        if ((rc = gale_wit_desc_uleb(&p, end, &n)))
            return rc;
        if (aux)
            *aux = n;
        it->count = 1;
        break;
    }
    case GALE_WIT_D_RESULT: it->count = 2; break;
    case GALE_WIT_D_TUPLE: case GALE_WIT_D_RECORD: case GALE_WIT_D_VARIANT:
    case GALE_WIT_D_ENUM: case GALE_WIT_D_FLAGS:
        if ((rc = gale_wit_desc_uleb(&p, end, &it->count)))
            return rc;
        break;
    case GALE_WIT_D_OWN: case GALE_WIT_D_BORROW: {
        uint32_t n;
        if ((rc = gale_wit_desc_uleb(&p, end, &n)))
            return rc;
        if (aux)
            *aux = n;
        it->count = 0;
        break;
    }
    default:
        if (it->tag < GALE_WIT_D_BOOL || it->tag > GALE_WIT_D_ERROR_CONTEXT)
            return GALE_EMALFORMED;
        it->count = 0;
        break;
    }
    it->p = p;
    return 0;
}

/* Next child: its name (when the descriptor carries names) and its type
 * (NULL for enum/flags labels and for absent payloads). Returns 1 while a
 * child was produced, 0 at the end, <0 on malformed input. */
static inline int gale_wit_desc_next(gale_wit_desc_iter_t *it, const char **name, uint32_t *name_len,
                                     const uint8_t **type)
{
    int rc;
    *name = NULL;
    *name_len = 0;
    *type = NULL;
    if (it->index >= it->count)
        return 0;
    if ((rc = gale_wit_desc_name(&it->p, it->end, it->named, name, name_len)))
        return rc;
    *type = NULL;
    it->index++;
    if (it->tag == GALE_WIT_D_ENUM || it->tag == GALE_WIT_D_FLAGS)
        return 1;
    if (it->p >= it->end)
        return GALE_EMALFORMED;
    if (*it->p == GALE_WIT_D_NONE) {
        if (it->tag != GALE_WIT_D_VARIANT && it->tag != GALE_WIT_D_RESULT && it->tag != GALE_WIT_D_FUTURE &&
            it->tag != GALE_WIT_D_STREAM)
            return GALE_EMALFORMED;
        it->p++;
        return 1;
    }
    *type = it->p;
    if ((rc = gale_wit_desc_skip(&it->p, it->end, false)))
        return rc;
    return 1;
}

/* ---- host dispatch tables (written by `gale bindgen --host`) ----------- */

typedef enum gale_wit_host_kind {
    GALE_WIT_HOST_FUNC = 0,          /* a WIT function (freestanding, method, static, constructor) */
    GALE_WIT_HOST_RESOURCE_DROP = 1, /* the [resource-drop]R built-in of an imported resource */
} gale_wit_host_kind_t;

/* One import of a world that the host implements. */
typedef struct gale_wit_host_import {
    uint8_t kind;                /* gale_wit_host_kind_t */
    uint8_t is_async;            /* `async func`: may also be imported async-lowered */
    uint16_t desc_len;
    const char *interface;       /* "ns:pkg/iface@v", or "$root" */
    const char *function;        /* WIT (mangled) name: "give", "[method]sem.take", "[resource-drop]sem" */
    const char *module;          /* core import module */
    const char *field;           /* core import field, sync-lowered */
    const char *field_async;     /* core import field, async-lowered ("[async-lower]..."), or NULL */
    const uint8_t *desc;         /* function type descriptor (own/borrow ids index the world's resources) */
    uint32_t resource;           /* resource id (RESOURCE_DROP; methods/ctors/statics: their resource) or UINT32_MAX */
    gale_wit_core_sig_t sig;       /* sync-lowered core signature */
    gale_wit_core_sig_t sig_async; /* async-lowered core signature (valid when is_async) */
} gale_wit_host_import_t;

typedef struct gale_wit_host_world {
    const char *package;          /* "ns:pkg@v" */
    const char *world;
    const gale_wit_host_import_t *imports;
    uint32_t nimports;
    const char *const *resources; /* "iface#R" for each resource id */
    uint32_t nresources;
} gale_wit_host_world_t;

#endif /* GALE_WIT_DESC_H */
