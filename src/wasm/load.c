/* gale wasm engine — binary decoder, validator and translator.
 *
 * One pass over the module: sections are decoded and validated in order; each
 * function body is validated and, in the same walk, translated into the
 * interpreter's slot-addressed internal code (see docs/wasm.md). Every read is
 * bounds-checked against the input; any error longjmps back to the entry with a
 * message naming the section, the offset and what was expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include "wasm_internal.h"

#define T_UNKNOWN 0
#define NONE32 UINT32_MAX

typedef struct ctl {
    uint8_t kind; /* 0 block, 1 loop, 2 if, 3 else, 4 function */
    uint8_t unreachable; /* validation: stack is polymorphic */
    uint8_t dead_entry;  /* emission: the block started in dead code */
    uint32_t height;
    uint32_t np, nr;
    const uint8_t *pt, *rt;
    uint32_t target;   /* loop: code index of the loop head */
    uint32_t fix;      /* chain of forward branch words to patch at end */
    uint32_t else_fix; /* if: the BR_IFNOT target word */
} ctl_t;

typedef struct ld {
    gale_wasm_module_t *m;
    const gale_wasm_alloc_t *al;
    const uint8_t *base, *p, *end;
    gale_wasm_error_t *err;
    int section;
    jmp_buf jb;
    /* function translation state */
    uint32_t func; /* module function index being translated */
    const uint8_t *op_start;
    uint8_t *ltypes;
    uint32_t nl, ltypes_cap;
    uint8_t *vt;
    uint32_t *vloc;
    uint32_t h, vcap, maxh;
    ctl_t *cs;
    uint32_t nc, ccap;
    uint32_t *code;
    uint32_t nco, cocap;
    gw_trapmap_t *tm;
    uint32_t ntm, tmcap;
    uint32_t last_op; /* start of the last emitted op, NONE32 after a label */
    uint32_t prev_op; /* start of the op before it (same rule) */
    uint32_t fuel_at, fuel_count;
    int has_datacount;
    uint32_t datacount;
} ld_t;

static const char *section_name(int id)
{
    static const char *const names[] = {"custom", "type", "import", "function", "table", "memory", "global",
                                        "export", "start", "element", "code", "data", "data count"};
    return (id >= 0 && id <= 12) ? names[id] : "module";
}

#if GALE_CONFIG_DIAG
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void fail_at(ld_t *L, int code, const uint8_t *at, const char *fmt, ...)
{
    gale_wasm_error_t *e = L->err;
    e->code = code;
    e->section = L->section;
    e->offset = at ? (size_t)(at - L->base) : (size_t)-1;
    int n;
    if (L->section == 10 && L->func != NONE32)
        n = snprintf(e->message, sizeof e->message, "code section, function %u, offset 0x%zx: ", (unsigned)L->func,
                     e->offset);
    else
        n = snprintf(e->message, sizeof e->message, "%s section, offset 0x%zx: ", section_name(L->section),
                     e->offset);
    if (n < 0 || (size_t)n >= sizeof e->message)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message + n, sizeof e->message - (size_t)n, fmt, ap);
    va_end(ap);
    longjmp(L->jb, 1);
}
#else
/* GALE_CONFIG_DIAG=0 (gale/config.h): code, section and offset only, an empty
 * message; the format strings are compiled out. */
static _Noreturn void fail_code(ld_t *L, int code, const uint8_t *at)
{
    gale_wasm_error_t *e = L->err;
    e->code = code;
    e->section = L->section;
    e->offset = at ? (size_t)(at - L->base) : (size_t)-1;
    e->message[0] = '\0';
    longjmp(L->jb, 1);
}
static inline __attribute__((format(printf, 4, 5))) void fail_at(ld_t *L, int code, const uint8_t *at,
                                                                 const char *fmt, ...)
{
    (void)fmt;
    fail_code(L, code, at);
}
#endif

#define MALFORMED(...) fail_at(L, GALE_EMALFORMED, L->p, __VA_ARGS__)
#define INVALID(...) fail_at(L, GALE_EINVALID, L->op_start ? L->op_start : L->p, __VA_ARGS__)

/* Module-owned blocks are chained so that module_free can give them back. */
typedef struct gw_blk {
    struct gw_blk *next;
    size_t size;
} gw_blk_t;

static void *ld_alloc(ld_t *L, size_t size)
{
    if (size > SIZE_MAX / 2)
        fail_at(L, GALE_ENOMEM, L->p, "out of memory");
    size_t hdr = (sizeof(gw_blk_t) + 7u) & ~(size_t)7u;
    gw_blk_t *b = (gw_blk_t *)gw_alloc(L->al, hdr + size);
    if (!b)
        fail_at(L, GALE_ENOMEM, L->p, "out of memory (%zu bytes)", size);
    b->size = hdr + size;
    b->next = (gw_blk_t *)L->m->blocks;
    L->m->blocks = b;
    L->m->footprint += hdr + size;
    return (uint8_t *)b + hdr;
}

static void *ld_grow(ld_t *L, void *p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    uint32_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > UINT32_MAX / 2)
            fail_at(L, GALE_ENOMEM, L->p, "out of memory");
        nc *= 2;
    }
    void *n = gw_realloc(L->al, p, (size_t)*cap * elem, (size_t)nc * elem);
    if (!n)
        fail_at(L, GALE_ENOMEM, L->p, "out of memory (%zu bytes)", (size_t)nc * elem);
    *cap = nc;
    return n;
}

/* ---- primitive readers ---- */

static void eof(ld_t *L)
{
    if (L->section < 0)
        MALFORMED("unexpected end");
    if (L->section == 10 && L->func != NONE32)
        MALFORMED("END opcode expected: unexpected end of section or function");
    MALFORMED("unexpected end of section or function");
}

static uint8_t rd_u8(ld_t *L)
{
    if (L->p >= L->end)
        eof(L);
    return *L->p++;
}

static uint64_t rd_leb(ld_t *L, unsigned bits, int is_signed)
{
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned maxbytes = (bits + 6) / 7;
    for (unsigned i = 0;; i++) {
        uint8_t b = rd_u8(L);
        if (i == maxbytes - 1) {
            if (b & 0x80) {
                L->p--;
                MALFORMED("integer representation too long");
            }
            unsigned used = bits - shift; /* bits of the value in this byte */
            uint8_t rest = (uint8_t)(b & 0x7f) >> used;
            if (is_signed) {
                uint8_t sign = (b >> (used - 1)) & 1;
                uint8_t want = sign ? (uint8_t)(0x7f >> used) : 0;
                if (rest != want) {
                    L->p--;
                    MALFORMED("integer too large");
                }
            } else if (rest != 0) {
                L->p--;
                MALFORMED("integer too large");
            }
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (is_signed && shift < 64 && (b & 0x40))
                result |= ~(uint64_t)0 << shift;
            break;
        }
    }
    if (bits < 64) {
        uint64_t mask = ((uint64_t)1 << bits) - 1;
        result &= mask;
    }
    return result;
}

static uint32_t rd_u32(ld_t *L) { return (uint32_t)rd_leb(L, 32, 0); }
static int32_t rd_s32(ld_t *L) { return (int32_t)(uint32_t)rd_leb(L, 32, 1); }
static int64_t rd_s64(ld_t *L) { return (int64_t)rd_leb(L, 64, 1); }

static uint32_t rd_fixed32(ld_t *L)
{
    if (L->end - L->p < 4) {
        L->p = L->end;
        eof(L);
    }
    uint32_t v = (uint32_t)L->p[0] | (uint32_t)L->p[1] << 8 | (uint32_t)L->p[2] << 16 | (uint32_t)L->p[3] << 24;
    L->p += 4;
    return v;
}

static uint64_t rd_fixed64(ld_t *L)
{
    uint64_t lo = rd_fixed32(L);
    uint64_t hi = rd_fixed32(L);
    return lo | hi << 32;
}

static int utf8_ok(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t len, cp;
        if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else
            return 0;
        if (n - i < len)
            return 0;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* A name: reads it, checks UTF-8, returns a NUL-terminated copy (or NULL if !keep). */
static char *rd_name(ld_t *L, int keep, uint32_t *len_out)
{
    const uint8_t *at = L->p;
    uint32_t n = rd_u32(L);
    if (n > (size_t)(L->end - L->p)) {
        L->p = at;
        MALFORMED("length out of bounds");
    }
    if (!utf8_ok(L->p, n))
        MALFORMED("malformed UTF-8 encoding");
    char *s = NULL;
    if (keep) {
        s = (char *)ld_alloc(L, (size_t)n + 1);
        memcpy(s, L->p, n);
        s[n] = 0;
    }
    L->p += n;
    if (len_out)
        *len_out = n;
    return s;
}

static int is_numtype(uint8_t t) { return t == GALE_WASM_I32 || t == GALE_WASM_I64 || t == GALE_WASM_F32 || t == GALE_WASM_F64; }
static int is_reftype(uint8_t t) { return t == GALE_WASM_FUNCREF || t == GALE_WASM_EXTERNREF; }

static uint8_t rd_valtype(ld_t *L)
{
    uint8_t t = rd_u8(L);
    if (!is_numtype(t) && !is_reftype(t)) {
        L->p--;
        MALFORMED("malformed value type 0x%02x", t);
    }
    return t;
}

static uint8_t rd_reftype(ld_t *L)
{
    uint8_t t = rd_u8(L);
    if (!is_reftype(t)) {
        L->p--;
        MALFORMED("malformed reference type 0x%02x", t);
    }
    return t;
}

static const char *tname(uint8_t t)
{
    switch (t) {
    case GALE_WASM_I32: return "i32";
    case GALE_WASM_I64: return "i64";
    case GALE_WASM_F32: return "f32";
    case GALE_WASM_F64: return "f64";
    case GALE_WASM_FUNCREF: return "funcref";
    case GALE_WASM_EXTERNREF: return "externref";
    default: return "unknown";
    }
}

static void rd_limits(ld_t *L, gw_limits_t *lim, uint32_t maxv, const char *what)
{
    const uint8_t *at = L->p;
    uint8_t flags = rd_u8(L);
    if (flags > 1) {
        L->p = at;
        MALFORMED("integer too large (limits flags 0x%02x)", flags);
    }
    lim->min = rd_u32(L);
    lim->max = GW_NO_MAX;
    if (flags & 1)
        lim->max = rd_u32(L);
    if (maxv != NONE32) {
        if (lim->min > maxv || ((flags & 1) && lim->max > maxv))
            fail_at(L, GALE_EINVALID, at, "%s size must be at most 65536 pages (4GiB)", what);
    }
    if ((flags & 1) && lim->max < lim->min)
        fail_at(L, GALE_EINVALID, at, "size minimum must not be greater than maximum");
}

/* ---- constant expressions ---- */

static void rd_constexpr(ld_t *L, gw_constexpr_t *ce, uint8_t want, uint32_t n_globals_visible)
{
    gale_wasm_module_t *m = L->m;
    uint8_t types[2];
    uint32_t n = 0;
    memset(ce, 0, sizeof *ce);
    for (;;) {
        const uint8_t *at = L->p;
        uint8_t op = rd_u8(L);
        uint8_t t;
        switch (op) {
        case 0x0b:
            if (n != 1 || (types[0] != want))
                fail_at(L, GALE_EINVALID, at, "type mismatch: constant expression must produce one %s", tname(want));
            return;
        case 0x41:
            ce->kind = GW_CE_CONST;
            ce->val.i64 = 0;
            ce->val.i32 = (uint32_t)rd_s32(L);
            t = GALE_WASM_I32;
            break;
        case 0x42:
            ce->kind = GW_CE_CONST;
            ce->val.i64 = (uint64_t)rd_s64(L);
            t = GALE_WASM_I64;
            break;
        case 0x43:
            ce->kind = GW_CE_CONST;
            ce->val.i64 = 0;
            ce->val.f32_bits = rd_fixed32(L);
            t = GALE_WASM_F32;
            break;
        case 0x44:
            ce->kind = GW_CE_CONST;
            ce->val.f64_bits = rd_fixed64(L);
            t = GALE_WASM_F64;
            break;
        case 0xd0:
            ce->kind = GW_CE_REFNULL;
            ce->val.i64 = 0;
            t = rd_reftype(L);
            break;
        case 0xd2: {
            uint32_t f = rd_u32(L);
            if (f >= m->n_funcs)
                fail_at(L, GALE_EINVALID, at, "unknown function %u", (unsigned)f);
            ce->kind = GW_CE_REFFUNC;
            ce->index = f;
            m->func_declared[f >> 3] |= (uint8_t)(1u << (f & 7));
            t = GALE_WASM_FUNCREF;
            break;
        }
        case 0x23: {
            uint32_t g = rd_u32(L);
            if (g >= n_globals_visible)
                fail_at(L, GALE_EINVALID, at, "unknown global %u", (unsigned)g);
            if (m->globals[g].mut)
                fail_at(L, GALE_EINVALID, at, "constant expression required (global.get of a mutable global)");
            ce->kind = GW_CE_GLOBAL;
            ce->index = g;
            t = m->globals[g].type;
            break;
        }
        default:
            /* an opcode that decodes but is not constant vs. an unknown one */
            if (op <= 0xc4 || op == 0xd1 || op == 0xfc)
                fail_at(L, GALE_EINVALID, at, "constant expression required (opcode 0x%02x)", op);
            L->p = at;
            MALFORMED("illegal opcode 0x%02x", op);
        }
        if (n >= 2)
            fail_at(L, GALE_EINVALID, at, "type mismatch: constant expression has more than one value");
        types[n++] = t;
    }
}

/* ---- code emission ---- */

static void emit_w(ld_t *L, uint32_t w)
{
    L->code = (uint32_t *)ld_grow(L, L->code, &L->cocap, L->nco + 1, sizeof(uint32_t));
    L->code[L->nco++] = w;
}

static int dead(const ld_t *L) { return L->cs[L->nc - 1].unreachable || L->cs[L->nc - 1].dead_entry; }

/* Starts an op; returns its code index. */
static uint32_t emit_op(ld_t *L, uint32_t op)
{
    uint32_t at = L->nco;
    emit_w(L, op);
    L->prev_op = (L->last_op != NONE32 && L->last_op < at) ? L->last_op : NONE32;
    L->last_op = at;
    L->fuel_count++;
    return at;
}

static void add_trap(ld_t *L, uint32_t at)
{
    L->tm = (gw_trapmap_t *)ld_grow(L, L->tm, &L->tmcap, L->ntm + 1, sizeof(gw_trapmap_t));
    L->tm[L->ntm].ip = at;
    L->tm[L->ntm].offset = (uint32_t)(L->op_start - L->base);
    L->ntm++;
}

static void emit2(ld_t *L, uint32_t op, uint32_t a)
{
    if (dead(L))
        return;
    emit_op(L, op);
    emit_w(L, a);
}
static void emit3(ld_t *L, uint32_t op, uint32_t a, uint32_t b)
{
    if (dead(L))
        return;
    emit_op(L, op);
    emit_w(L, a);
    emit_w(L, b);
}
static void emit4(ld_t *L, uint32_t op, uint32_t a, uint32_t b, uint32_t c)
{
    if (dead(L))
        return;
    emit_op(L, op);
    emit_w(L, a);
    emit_w(L, b);
    emit_w(L, c);
}
static void emit5(ld_t *L, uint32_t op, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    if (dead(L))
        return;
    emit_op(L, op);
    emit_w(L, a);
    emit_w(L, b);
    emit_w(L, c);
    emit_w(L, d);
}
static void emit6(ld_t *L, uint32_t op, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
    if (dead(L))
        return;
    emit_op(L, op);
    emit_w(L, a);
    emit_w(L, b);
    emit_w(L, c);
    emit_w(L, d);
    emit_w(L, e);
}

/* A move; merged with a directly preceding move into one MOV2 op. */
static void emit_mov(ld_t *L, uint32_t d, uint32_t a)
{
    if (dead(L))
        return;
    uint32_t lo = L->last_op;
    if (lo != NONE32 && L->code[lo] == GW_OP_MOV && lo + 3 == L->nco) {
        L->code[lo] = GW_OP_MOV2;
        emit_w(L, d);
        emit_w(L, a);
        return;
    }
    emit3(L, GW_OP_MOV, d, a);
}

/* Marks the current position as a jump target (no peephole across it). */
static void label_here(ld_t *L) { L->last_op = L->prev_op = NONE32; }

static void patch_chain(ld_t *L, uint32_t head, uint32_t target)
{
    while (head != NONE32) {
        uint32_t next = L->code[head];
        L->code[head] = target;
        head = next;
    }
}

/* ---- operand stack ---- */

static uint32_t slot_of(const ld_t *L, uint32_t pos) { return L->nl + pos; }

static void push(ld_t *L, uint8_t t)
{
    if (L->h + 1 > L->vcap) {
        uint32_t cap = L->vcap, cap2 = L->vcap;
        L->vt = (uint8_t *)ld_grow(L, L->vt, &cap, L->h + 1, 1);
        L->vloc = (uint32_t *)ld_grow(L, L->vloc, &cap2, L->h + 1, sizeof(uint32_t));
        L->vcap = cap;
    }
    L->vt[L->h] = t;
    L->vloc[L->h] = slot_of(L, L->h);
    L->h++;
    if (L->h > L->maxh)
        L->maxh = L->h;
}

/* pops one value of type `want` (T_UNKNOWN: any); returns its location. */
static uint32_t pop_loc(ld_t *L, uint8_t want, uint8_t *got)
{
    ctl_t *c = &L->cs[L->nc - 1];
    if (L->h == c->height) {
        if (c->unreachable) {
            if (got)
                *got = T_UNKNOWN;
            return slot_of(L, L->h);
        }
        INVALID("type mismatch: expected %s but the stack is empty", want ? tname(want) : "a value");
    }
    L->h--;
    uint8_t t = L->vt[L->h];
    if (want != T_UNKNOWN && t != T_UNKNOWN && t != want)
        INVALID("type mismatch: expected %s, got %s", tname(want), tname(t));
    if (got)
        *got = t;
    return L->vloc[L->h];
}

static uint32_t pop(ld_t *L, uint8_t want) { return pop_loc(L, want, NULL); }

static void materialize(ld_t *L, uint32_t pos)
{
    uint32_t s = slot_of(L, pos);
    if (L->vloc[pos] != s) {
        emit_mov(L, s, L->vloc[pos]);
        L->vloc[pos] = s;
    }
}

static void materialize_all(ld_t *L)
{
    for (uint32_t i = 0; i < L->h; i++)
        materialize(L, i);
}

static void materialize_range(ld_t *L, uint32_t from)
{
    for (uint32_t i = from; i < L->h; i++)
        materialize(L, i);
}

/* ---- block types and labels ---- */

static const uint8_t k_valtypes[] = {GALE_WASM_I32, GALE_WASM_I64, GALE_WASM_F32, GALE_WASM_F64,
                                     GALE_WASM_FUNCREF, GALE_WASM_EXTERNREF};

static void rd_blocktype(ld_t *L, uint32_t *np, const uint8_t **pt, uint32_t *nr, const uint8_t **rt)
{
    const uint8_t *at = L->p;
    uint8_t b = rd_u8(L);
    if (b == 0x40) {
        *np = *nr = 0;
        *pt = *rt = NULL;
        return;
    }
    for (unsigned i = 0; i < sizeof k_valtypes; i++)
        if (b == k_valtypes[i]) {
            *np = 0;
            *pt = NULL;
            *nr = 1;
            *rt = &k_valtypes[i];
            return;
        }
    L->p = at;
    int64_t idx = (int64_t)rd_leb(L, 33, 1);
    if (idx < 0) {
        L->p = at;
        MALFORMED("malformed block type");
    }
    if ((uint64_t)idx >= L->m->n_types)
        fail_at(L, GALE_EINVALID, at, "unknown type %lld", (long long)idx);
    const gale_wasm_functype_t *ft = &L->m->types[idx];
    *np = ft->n_params;
    *pt = ft->types;
    *nr = ft->n_results;
    *rt = ft->types + ft->n_params;
}

static void label_types(const ctl_t *c, uint32_t *n, const uint8_t **t)
{
    if (c->kind == 1) {
        *n = c->np;
        *t = c->pt;
    } else {
        *n = c->nr;
        *t = c->rt;
    }
}

static ctl_t *label_at(ld_t *L, uint32_t depth)
{
    if (depth >= L->nc)
        INVALID("unknown label %u", (unsigned)depth);
    return &L->cs[L->nc - 1 - depth];
}

/* Checks that the top of the stack has the label's types (without popping). */
static void check_top(ld_t *L, uint32_t n, const uint8_t *t)
{
    ctl_t *c = &L->cs[L->nc - 1];
    for (uint32_t i = 0; i < n; i++) {
        uint8_t want = t[n - 1 - i];
        if (L->h < c->height + i + 1) {
            if (c->unreachable)
                continue;
            INVALID("type mismatch: expected %s but the stack is empty", tname(want));
        }
        uint8_t got = L->vt[L->h - 1 - i];
        if (got != T_UNKNOWN && got != want)
            INVALID("type mismatch: expected %s, got %s", tname(want), tname(got));
    }
}

static int is_unreachable_top(ld_t *L, uint32_t n)
{
    ctl_t *c = &L->cs[L->nc - 1];
    return c->unreachable && L->h < c->height + n;
}

/* Emits the copies of the top n values to the label's slots. Returns 1 if any
 * copy is needed. With emit == 0 only tells. */
static int branch_copies(ld_t *L, const ctl_t *target, uint32_t n, int do_emit)
{
    if (n == 0 || dead(L))
        return 0;
    uint32_t dst = (target->kind == 4) ? 0 : slot_of(L, target->height);
    uint32_t src_pos = L->h - n;
    int need = 0;
    for (uint32_t i = 0; i < n; i++)
        if (L->vloc[src_pos + i] != dst + i)
            need = 1;
    if (!need || !do_emit)
        return need;
    if (n > 1)
        materialize_range(L, src_pos);
    for (uint32_t i = 0; i < n; i++)
        if (L->vloc[src_pos + i] != dst + i)
            emit_mov(L, dst + i, L->vloc[src_pos + i]);
    return 1;
}

/* Emits an unconditional jump to the label (copies done by caller). */
static void emit_jump(ld_t *L, ctl_t *target)
{
    if (dead(L))
        return;
    if (target->kind == 4) {
        emit_op(L, GW_OP_RET);
        return;
    }
    emit_op(L, GW_OP_BR);
    if (target->kind == 1) {
        emit_w(L, target->target);
    } else {
        emit_w(L, target->fix);
        target->fix = L->nco - 1;
    }
}

/* Adds a reference to the label in the word just emitted at index `w`. */
static void ref_label(ld_t *L, ctl_t *target, uint32_t w)
{
    if (target->kind == 1)
        L->code[w] = target->target;
    else {
        L->code[w] = target->fix;
        target->fix = w;
    }
}

static void set_unreachable(ld_t *L)
{
    ctl_t *c = &L->cs[L->nc - 1];
    L->h = c->height;
    c->unreachable = 1;
}

static void push_ctl(ld_t *L, uint8_t kind, uint32_t np, const uint8_t *pt, uint32_t nr, const uint8_t *rt)
{
    int was_dead = L->nc ? dead(L) : 0;
    L->cs = (ctl_t *)ld_grow(L, L->cs, &L->ccap, L->nc + 1, sizeof(ctl_t));
    ctl_t *c = &L->cs[L->nc++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->np = np;
    c->pt = pt;
    c->nr = nr;
    c->rt = rt;
    c->height = L->h - np;
    c->fix = NONE32;
    c->else_fix = NONE32;
    c->dead_entry = (uint8_t)was_dead;
}

/* ---- fuel points ---- */

static void fuel_point(ld_t *L)
{
    if (dead(L))
        return;
    if (L->fuel_at != NONE32)
        L->code[L->fuel_at] = L->fuel_count ? L->fuel_count : 1;
    emit_op(L, GW_OP_FUEL);
    emit_w(L, 1);
    L->fuel_at = L->nco - 1;
    L->fuel_count = 1;
}

/* ---- numeric op table: wasm opcode 0x45..0xc4 ---- */

#define I_ GALE_WASM_I32
#define L_ GALE_WASM_I64
#define F_ GALE_WASM_F32
#define D_ GALE_WASM_F64
typedef struct numop {
    uint8_t in1, in2, out; /* in2 == 0: unary */
    uint8_t op;            /* internal op, 0xff: no-op (value unchanged) */
} numop_t;
#define N1(a, r, o) {a, 0, r, GW_OP_##o}
#define N2(a, b, r, o) {a, b, r, GW_OP_##o}
#define NOPC(a, r) {a, 0, r, 0xff}
static const numop_t k_numops[] = {
    /* 0x45 */ N1(I_, I_, I32_EQZ), N2(I_, I_, I_, I32_EQ), N2(I_, I_, I_, I32_NE), N2(I_, I_, I_, I32_LT_S),
    N2(I_, I_, I_, I32_LT_U), N2(I_, I_, I_, I32_GT_S), N2(I_, I_, I_, I32_GT_U), N2(I_, I_, I_, I32_LE_S),
    N2(I_, I_, I_, I32_LE_U), N2(I_, I_, I_, I32_GE_S), N2(I_, I_, I_, I32_GE_U),
    /* 0x50 */ N1(L_, I_, I64_EQZ), N2(L_, L_, I_, I64_EQ), N2(L_, L_, I_, I64_NE), N2(L_, L_, I_, I64_LT_S),
    N2(L_, L_, I_, I64_LT_U), N2(L_, L_, I_, I64_GT_S), N2(L_, L_, I_, I64_GT_U), N2(L_, L_, I_, I64_LE_S),
    N2(L_, L_, I_, I64_LE_U), N2(L_, L_, I_, I64_GE_S), N2(L_, L_, I_, I64_GE_U),
    /* 0x5b */ N2(F_, F_, I_, F32_EQ), N2(F_, F_, I_, F32_NE), N2(F_, F_, I_, F32_LT), N2(F_, F_, I_, F32_GT),
    N2(F_, F_, I_, F32_LE), N2(F_, F_, I_, F32_GE),
    /* 0x61 */ N2(D_, D_, I_, F64_EQ), N2(D_, D_, I_, F64_NE), N2(D_, D_, I_, F64_LT), N2(D_, D_, I_, F64_GT),
    N2(D_, D_, I_, F64_LE), N2(D_, D_, I_, F64_GE),
    /* 0x67 */ N1(I_, I_, I32_CLZ), N1(I_, I_, I32_CTZ), N1(I_, I_, I32_POPCNT), N2(I_, I_, I_, I32_ADD),
    N2(I_, I_, I_, I32_SUB), N2(I_, I_, I_, I32_MUL), N2(I_, I_, I_, I32_DIV_S), N2(I_, I_, I_, I32_DIV_U),
    N2(I_, I_, I_, I32_REM_S), N2(I_, I_, I_, I32_REM_U), N2(I_, I_, I_, I32_AND), N2(I_, I_, I_, I32_OR),
    N2(I_, I_, I_, I32_XOR), N2(I_, I_, I_, I32_SHL), N2(I_, I_, I_, I32_SHR_S), N2(I_, I_, I_, I32_SHR_U),
    N2(I_, I_, I_, I32_ROTL), N2(I_, I_, I_, I32_ROTR),
    /* 0x79 */ N1(L_, L_, I64_CLZ), N1(L_, L_, I64_CTZ), N1(L_, L_, I64_POPCNT), N2(L_, L_, L_, I64_ADD),
    N2(L_, L_, L_, I64_SUB), N2(L_, L_, L_, I64_MUL), N2(L_, L_, L_, I64_DIV_S), N2(L_, L_, L_, I64_DIV_U),
    N2(L_, L_, L_, I64_REM_S), N2(L_, L_, L_, I64_REM_U), N2(L_, L_, L_, I64_AND), N2(L_, L_, L_, I64_OR),
    N2(L_, L_, L_, I64_XOR), N2(L_, L_, L_, I64_SHL), N2(L_, L_, L_, I64_SHR_S), N2(L_, L_, L_, I64_SHR_U),
    N2(L_, L_, L_, I64_ROTL), N2(L_, L_, L_, I64_ROTR),
    /* 0x8b */ N1(F_, F_, F32_ABS), N1(F_, F_, F32_NEG), N1(F_, F_, F32_CEIL), N1(F_, F_, F32_FLOOR),
    N1(F_, F_, F32_TRUNC), N1(F_, F_, F32_NEAREST), N1(F_, F_, F32_SQRT), N2(F_, F_, F_, F32_ADD),
    N2(F_, F_, F_, F32_SUB), N2(F_, F_, F_, F32_MUL), N2(F_, F_, F_, F32_DIV), N2(F_, F_, F_, F32_MIN),
    N2(F_, F_, F_, F32_MAX), N2(F_, F_, F_, F32_COPYSIGN),
    /* 0x99 */ N1(D_, D_, F64_ABS), N1(D_, D_, F64_NEG), N1(D_, D_, F64_CEIL), N1(D_, D_, F64_FLOOR),
    N1(D_, D_, F64_TRUNC), N1(D_, D_, F64_NEAREST), N1(D_, D_, F64_SQRT), N2(D_, D_, D_, F64_ADD),
    N2(D_, D_, D_, F64_SUB), N2(D_, D_, D_, F64_MUL), N2(D_, D_, D_, F64_DIV), N2(D_, D_, D_, F64_MIN),
    N2(D_, D_, D_, F64_MAX), N2(D_, D_, D_, F64_COPYSIGN),
    /* 0xa7 */ NOPC(L_, I_), N1(F_, I_, I32_TRUNC_F32_S), N1(F_, I_, I32_TRUNC_F32_U), N1(D_, I_, I32_TRUNC_F64_S),
    N1(D_, I_, I32_TRUNC_F64_U), N1(I_, L_, I64_EXTEND_I32_S), N1(I_, L_, I64_EXTEND_I32_U),
    N1(F_, L_, I64_TRUNC_F32_S), N1(F_, L_, I64_TRUNC_F32_U), N1(D_, L_, I64_TRUNC_F64_S),
    N1(D_, L_, I64_TRUNC_F64_U),
    /* 0xb2 */ N1(I_, F_, F32_CONVERT_I32_S), N1(I_, F_, F32_CONVERT_I32_U), N1(L_, F_, F32_CONVERT_I64_S),
    N1(L_, F_, F32_CONVERT_I64_U), N1(D_, F_, F32_DEMOTE_F64), N1(I_, D_, F64_CONVERT_I32_S),
    N1(I_, D_, F64_CONVERT_I32_U), N1(L_, D_, F64_CONVERT_I64_S), N1(L_, D_, F64_CONVERT_I64_U),
    N1(F_, D_, F64_PROMOTE_F32),
    /* 0xbc */ NOPC(F_, I_), NOPC(D_, L_), NOPC(I_, F_), NOPC(L_, D_),
    /* 0xc0 */ N1(I_, I_, I32_EXTEND8_S), N1(I_, I_, I32_EXTEND16_S), N1(L_, L_, I64_EXTEND8_S),
    N1(L_, L_, I64_EXTEND16_S), N1(L_, L_, I64_EXTEND32_S),
};

_Static_assert(sizeof(k_numops) / sizeof(k_numops[0]) == 0xc4 - 0x45 + 1, "numeric op table");

static const numop_t k_satops[] = {
    N1(F_, I_, I32_TRUNC_SAT_F32_S), N1(F_, I_, I32_TRUNC_SAT_F32_U), N1(D_, I_, I32_TRUNC_SAT_F64_S),
    N1(D_, I_, I32_TRUNC_SAT_F64_U), N1(F_, L_, I64_TRUNC_SAT_F32_S), N1(F_, L_, I64_TRUNC_SAT_F32_U),
    N1(D_, L_, I64_TRUNC_SAT_F64_S), N1(D_, L_, I64_TRUNC_SAT_F64_U),
};

static int op_traps(uint32_t op)
{
    switch (op) {
    case GW_OP_I32_DIV_S: case GW_OP_I32_DIV_U: case GW_OP_I32_REM_S: case GW_OP_I32_REM_U:
    case GW_OP_I64_DIV_S: case GW_OP_I64_DIV_U: case GW_OP_I64_REM_S: case GW_OP_I64_REM_U:
    case GW_OP_I32_TRUNC_F32_S: case GW_OP_I32_TRUNC_F32_U: case GW_OP_I32_TRUNC_F64_S:
    case GW_OP_I32_TRUNC_F64_U: case GW_OP_I64_TRUNC_F32_S: case GW_OP_I64_TRUNC_F32_U:
    case GW_OP_I64_TRUNC_F64_S: case GW_OP_I64_TRUNC_F64_U:
        return 1;
    default:
        return 0;
    }
}

/* Ops whose word 1 is a destination slot that a following local.set may retarget. */
static int op_has_dst(uint32_t op)
{
    if ((op >= GW_OP_LD32 && op <= GW_OP_LD32U64) || op == GW_OP_LD32_A || op == GW_OP_LD64_A)
        return 1;
    if (op >= GW_OP_I32_EQZ)
        return 1;
    switch (op) {
    case GW_OP_SELECT: case GW_OP_MOV: case GW_OP_CONST32: case GW_OP_CONST64: case GW_OP_GLOBAL_GET:
    case GW_OP_MEMORY_SIZE: case GW_OP_MEMORY_GROW: case GW_OP_TABLE_GET: case GW_OP_TABLE_SIZE:
    case GW_OP_TABLE_GROW: case GW_OP_REF_FUNC: case GW_OP_REF_IS_NULL:
        return 1;
    default:
        return 0;
    }
}

/* i32 binary ops that have an immediate form. */
static uint32_t imm_form(uint32_t op)
{
    switch (op) {
    case GW_OP_I32_EQ: return GW_OP_I32_EQ_I;
    case GW_OP_I32_NE: return GW_OP_I32_NE_I;
    case GW_OP_I32_LT_S: return GW_OP_I32_LT_S_I;
    case GW_OP_I32_LT_U: return GW_OP_I32_LT_U_I;
    case GW_OP_I32_GT_S: return GW_OP_I32_GT_S_I;
    case GW_OP_I32_GT_U: return GW_OP_I32_GT_U_I;
    case GW_OP_I32_LE_S: return GW_OP_I32_LE_S_I;
    case GW_OP_I32_LE_U: return GW_OP_I32_LE_U_I;
    case GW_OP_I32_GE_S: return GW_OP_I32_GE_S_I;
    case GW_OP_I32_GE_U: return GW_OP_I32_GE_U_I;
    case GW_OP_I32_ADD: return GW_OP_I32_ADD_I;
    case GW_OP_I32_SUB: return GW_OP_I32_SUB_I;
    case GW_OP_I32_MUL: return GW_OP_I32_MUL_I;
    case GW_OP_I32_AND: return GW_OP_I32_AND_I;
    case GW_OP_I32_OR: return GW_OP_I32_OR_I;
    case GW_OP_I32_XOR: return GW_OP_I32_XOR_I;
    case GW_OP_I32_SHL: return GW_OP_I32_SHL_I;
    case GW_OP_I32_SHR_S: return GW_OP_I32_SHR_S_I;
    case GW_OP_I32_SHR_U: return GW_OP_I32_SHR_U_I;
    case GW_OP_I32_ROTL: return GW_OP_I32_ROTL_I;
    case GW_OP_I32_ROTR: return GW_OP_I32_ROTR_I;
    case GW_OP_F32_ADD: return GW_OP_F32_ADD_I;
    case GW_OP_F32_SUB: return GW_OP_F32_SUB_I;
    case GW_OP_F32_MUL: return GW_OP_F32_MUL_I;
    case GW_OP_F32_DIV: return GW_OP_F32_DIV_I;
    default: return 0;
    }
}

/* The fused compare+branch op for a compare op (reg or imm form); inverted if `neg`. */
static uint32_t brc_form(uint32_t op, int neg)
{
    static const uint8_t inv[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3}; /* eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u */
    uint32_t k;
    if (op >= GW_OP_I32_EQ && op <= GW_OP_I32_GE_U) {
        k = op - GW_OP_I32_EQ;
        return GW_OP_BRC_I32_EQ + (neg ? inv[k] : k);
    }
    if (op >= GW_OP_I32_EQ_I && op <= GW_OP_I32_GE_U_I) {
        k = op - GW_OP_I32_EQ_I;
        return GW_OP_BRCI_I32_EQ + (neg ? inv[k] : k);
    }
    return 0;
}

/* Emits a conditional branch on slot `c` (if `when_true`, branch when c != 0),
 * fusing a preceding compare that produced c. Returns the index of the target word. */
static uint32_t emit_cond_branch(ld_t *L, uint32_t c, int when_true)
{
    uint32_t lo = L->last_op;
    if (lo != NONE32 && L->code[lo + 1] == c && c >= L->nl) {
        uint32_t op = L->code[lo];
        uint32_t f = brc_form(op, !when_true);
        if (f) {
            uint32_t a = L->code[lo + 2], b = L->code[lo + 3];
            L->nco = lo;
                L->last_op = L->prev_op; /* the op before the dropped one */
            L->fuel_count--;
            emit_op(L, f);
            emit_w(L, a);
            emit_w(L, b);
            emit_w(L, NONE32);
            return L->nco - 1;
        }
        if (op == GW_OP_I32_EQZ) {
            uint32_t a = L->code[lo + 2];
            L->nco = lo;
                L->last_op = L->prev_op; /* the op before the dropped one */
            L->fuel_count--;
            emit_op(L, when_true ? GW_OP_BR_IFNOT : GW_OP_BR_IF);
            emit_w(L, a);
            emit_w(L, NONE32);
            return L->nco - 1;
        }
    }
    emit_op(L, when_true ? GW_OP_BR_IF : GW_OP_BR_IFNOT);
    emit_w(L, c);
    emit_w(L, NONE32);
    return L->nco - 1;
}

static uint32_t require_mem(ld_t *L)
{
    if (L->m->n_mems == 0)
        INVALID("unknown memory 0");
    return 0;
}

static void rd_memarg(ld_t *L, uint32_t natural_log2, uint32_t *offset)
{
    uint32_t align = rd_u32(L);
    *offset = rd_u32(L);
    require_mem(L);
    if (align > natural_log2)
        INVALID("alignment must not be larger than natural");
}

static void zero_byte(ld_t *L)
{
    if (rd_u8(L) != 0) {
        L->p--;
        MALFORMED("zero byte expected");
    }
}

static uint32_t check_table(ld_t *L, uint32_t t)
{
    if (t >= L->m->n_tables)
        INVALID("unknown table %u", (unsigned)t);
    return t;
}

/* Emits the function return sequence: results to slots 0..nr-1, RET. */
static void emit_return(ld_t *L, ctl_t *fnctl)
{
    check_top(L, fnctl->nr, fnctl->rt);
    if (fnctl->nr == 1 && !dead(L) && L->h >= 1 && L->vloc[L->h - 1] == slot_of(L, L->h - 1)) {
        /* the op that produced the result writes it to slot 0 directly */
        uint32_t lo = L->last_op;
        if (lo != NONE32 && op_has_dst(L->code[lo]) && L->code[lo + 1] == slot_of(L, L->h - 1)) {
            L->code[lo + 1] = 0;
            L->vloc[L->h - 1] = 0;
        }
    }
    if (!dead(L) && !is_unreachable_top(L, fnctl->nr)) {
        branch_copies(L, fnctl, fnctl->nr, 1);
    }
    emit_jump(L, fnctl);
}

/* f32/f64.mul whose operands were just loaded (two loads, nothing between,
 * both results in their stack slots): one op. */
static int try_mul_ll(ld_t *L, uint32_t mulop, uint32_t d, uint32_t a, uint32_t b)
{
    uint32_t l2 = L->last_op, l1 = L->prev_op;
    if (l1 == NONE32 || l2 == NONE32 || a != d || b != d + 1)
        return 0;
    uint32_t plain = mulop == GW_OP_F32_MUL ? GW_OP_LD32 : GW_OP_LD64;
    uint32_t fused = mulop == GW_OP_F32_MUL ? GW_OP_LD32_A : GW_OP_LD64_A;
    uint32_t o1 = L->code[l1], o2 = L->code[l2];
    if ((o1 != plain && o1 != fused) || (o2 != plain && o2 != fused))
        return 0;
    if (L->code[l1 + 1] != a || L->code[l2 + 1] != b || L->code[l2 + 2] == a)
        return 0;
    uint32_t a1 = L->code[l1 + 2], off1 = L->code[l1 + 3], k1 = o1 == fused ? L->code[l1 + 4] : 0;
    uint32_t a2 = L->code[l2 + 2], off2 = L->code[l2 + 3], k2 = o2 == fused ? L->code[l2 + 4] : 0;
    /* drop the two loads (and their trap-map entries) */
    L->nco = l1;
    L->fuel_count -= 2;
    while (L->ntm && L->tm[L->ntm - 1].ip >= l1)
        L->ntm--;
    L->last_op = L->prev_op = NONE32;
    add_trap(L, L->nco);
    uint32_t at = emit_op(L, mulop == GW_OP_F32_MUL ? GW_OP_F32_MUL_LL : GW_OP_F64_MUL_LL);
    (void)at;
    emit_w(L, d);
    emit_w(L, a1);
    emit_w(L, off1);
    emit_w(L, k1);
    emit_w(L, a2);
    emit_w(L, off2);
    emit_w(L, k2);
    return 1;
}

/* f32/f64 mul/add whose second operand was just loaded: one op. */
static int try_op_rl(ld_t *L, uint32_t op, uint32_t d, uint32_t a, uint32_t b)
{
    uint32_t lo = L->last_op;
    if (lo == NONE32 || b != d + 1 || a == b)
        return 0;
    int is32 = op == GW_OP_F32_MUL || op == GW_OP_F32_ADD;
    uint32_t plain = is32 ? GW_OP_LD32 : GW_OP_LD64;
    uint32_t fused = is32 ? GW_OP_LD32_A : GW_OP_LD64_A;
    uint32_t o = L->code[lo];
    if ((o != plain && o != fused) || L->code[lo + 1] != b)
        return 0;
    uint32_t base = L->code[lo + 2], off = L->code[lo + 3], k = o == fused ? L->code[lo + 4] : 0;
    L->nco = lo;
    L->fuel_count--;
    while (L->ntm && L->tm[L->ntm - 1].ip >= lo)
        L->ntm--;
    L->last_op = L->prev_op;
    uint32_t nop;
    switch (op) {
    case GW_OP_F32_MUL: nop = GW_OP_F32_MUL_RL; break;
    case GW_OP_F64_MUL: nop = GW_OP_F64_MUL_RL; break;
    case GW_OP_F32_ADD: nop = GW_OP_F32_ADD_RL; break;
    default: nop = GW_OP_F64_ADD_RL; break;
    }
    add_trap(L, L->nco);
    emit_op(L, nop);
    emit_w(L, d);
    emit_w(L, a);
    emit_w(L, base);
    emit_w(L, off);
    emit_w(L, k);
    return 1;
}

static void translate_body(ld_t *L, uint32_t fidx, const uint8_t *body_end)
{
    gale_wasm_module_t *m = L->m;
    const gale_wasm_functype_t *ft = &m->types[m->func_types[fidx]];
    L->func = fidx;
    L->h = L->maxh = 0;
    L->nc = 0;
    L->nco = 0;
    L->ntm = 0;
    L->last_op = NONE32;
    L->fuel_at = NONE32;
    L->fuel_count = 0;
    L->op_start = NULL;

    /* locals */
    uint32_t nl = ft->n_params;
    L->ltypes = (uint8_t *)ld_grow(L, L->ltypes, &L->ltypes_cap, nl + 1, 1);
    memcpy(L->ltypes, ft->types, nl);
    uint32_t ngroups = rd_u32(L);
    for (uint32_t g = 0; g < ngroups; g++) {
        const uint8_t *at = L->p;
        uint32_t cnt = rd_u32(L);
        if ((uint64_t)nl + cnt > 50000) {
            L->p = at;
            MALFORMED("too many locals");
        }
        uint8_t t = rd_valtype(L);
        L->ltypes = (uint8_t *)ld_grow(L, L->ltypes, &L->ltypes_cap, nl + cnt + 1, 1);
        memset(L->ltypes + nl, t, cnt);
        nl += cnt;
    }
    L->nl = nl;

    push_ctl(L, 4, 0, NULL, ft->n_results, ft->types + ft->n_params);
    fuel_point(L);

    while (L->nc > 0) {
        L->op_start = L->p;
        if (L->p >= body_end)
            eof(L);
        uint8_t op = rd_u8(L);
        ctl_t *c = &L->cs[L->nc - 1];
        switch (op) {
        case 0x00: /* unreachable */
            if (!dead(L))
                add_trap(L, emit_op(L, GW_OP_UNREACHABLE));
            set_unreachable(L);
            break;
        case 0x01:
            break;
        case 0x02: /* block */
        case 0x03: /* loop */
        case 0x04: { /* if */
            uint32_t np, nr;
            const uint8_t *pt, *rt;
            rd_blocktype(L, &np, &pt, &nr, &rt);
            uint32_t cond = 0;
            if (op == 0x04)
                cond = pop(L, GALE_WASM_I32);
            check_top(L, np, pt);
            if (L->h < c->height + np) {
                /* polymorphic stack in unreachable code: make the params explicit */
                uint32_t have = L->h - c->height;
                uint32_t missing = np - have;
                L->h = c->height;
                for (uint32_t i = 0; i < missing + have; i++)
                    push(L, pt[i]);
            }
            uint32_t brw = NONE32;
            if (op == 0x04) {
                /* materialize first only if needed (keeps compare fusion) */
                int need = 0;
                for (uint32_t i = 0; i < L->h; i++)
                    if (L->vloc[i] != slot_of(L, i))
                        need = 1;
                if (need) {
                    /* cond was already popped: its slot is above everything */
                    materialize_all(L);
                }
                if (!dead(L))
                    brw = emit_cond_branch(L, cond, 0);
            } else {
                materialize_all(L);
            }
            push_ctl(L, (uint8_t)(op - 0x02), np, pt, nr, rt);
            c = &L->cs[L->nc - 1];
            if (op == 0x03) {
                label_here(L);
                c->target = L->nco;
                fuel_point(L);
            }
            c->else_fix = brw;
            break;
        }
        case 0x05: { /* else */
            if (c->kind != 2)
                MALFORMED("else without if");
            check_top(L, c->nr, c->rt);
            if (L->h != c->height + c->nr && !(c->unreachable && L->h < c->height + c->nr))
                INVALID("type mismatch: block has %u extra value(s) at else", (unsigned)(L->h - c->height - c->nr));
            if (!dead(L)) {
                materialize_range(L, c->height);
                emit_op(L, GW_OP_BR);
                emit_w(L, c->fix);
                c->fix = L->nco - 1;
            }
            if (c->else_fix != NONE32)
                L->code[c->else_fix] = L->nco;
            c->else_fix = NONE32;
            label_here(L);
            c->kind = 3;
            L->h = c->height;
            c->unreachable = 0;
            for (uint32_t i = 0; i < c->np; i++)
                push(L, c->pt[i]);
            break;
        }
        case 0x0b: { /* end */
            check_top(L, c->nr, c->rt);
            if (L->h != c->height + c->nr && !(c->unreachable && L->h < c->height + c->nr))
                INVALID("type mismatch: block has %u extra value(s) at end", (unsigned)(L->h - c->height - c->nr));
            if (c->kind == 2) {
                /* if without else: the implicit else passes params through */
                if (c->np != c->nr || (c->np && memcmp(c->pt, c->rt, c->np) != 0))
                    INVALID("type mismatch: if without else must have matching params and results");
            }
            if (c->kind == 4) {
                if (!c->unreachable || L->h >= c->height + c->nr)
                    emit_return(L, c);
                if (L->fuel_at != NONE32)
                    L->code[L->fuel_at] = L->fuel_count ? L->fuel_count : 1;
                L->nc--;
                break;
            }
            if (!dead(L))
                materialize_range(L, c->height);
            if (c->else_fix != NONE32)
                L->code[c->else_fix] = L->nco;
            patch_chain(L, c->fix, L->nco);
            label_here(L);
            uint32_t height = c->height, nr = c->nr;
            const uint8_t *rt = c->rt;
            L->nc--;
            L->h = height;
            for (uint32_t i = 0; i < nr; i++)
                push(L, rt[i]);
            break;
        }
        case 0x0c: { /* br */
            ctl_t *t = label_at(L, rd_u32(L));
            uint32_t n;
            const uint8_t *ty;
            label_types(t, &n, &ty);
            check_top(L, n, ty);
            if (!dead(L) && !is_unreachable_top(L, n)) {
                branch_copies(L, t, n, 1);
                emit_jump(L, t);
            }
            set_unreachable(L);
            break;
        }
        case 0x0d: { /* br_if */
            ctl_t *t = label_at(L, rd_u32(L));
            uint32_t n;
            const uint8_t *ty;
            label_types(t, &n, &ty);
            uint32_t cond = pop(L, GALE_WASM_I32);
            check_top(L, n, ty);
            if (L->h < c->height + n) { /* unreachable polymorphic: materialize types */
                L->h = c->height;
                for (uint32_t i = 0; i < n; i++)
                    push(L, ty[i]);
            }
            if (!dead(L)) {
                /* materialize before branching: the state must hold on both paths */
                if (n > 1 && branch_copies(L, t, n, 0))
                    materialize_range(L, L->h - n);
                if (t->kind == 4) {
                    uint32_t skip = emit_cond_branch(L, cond, 0);
                    branch_copies(L, t, n, 1);
                    emit_op(L, GW_OP_RET);
                    L->code[skip] = L->nco;
                    label_here(L);
                } else if (!branch_copies(L, t, n, 0)) {
                    uint32_t w = emit_cond_branch(L, cond, 1);
                    ref_label(L, t, w);
                } else {
                    uint32_t skip = emit_cond_branch(L, cond, 0);
                    branch_copies(L, t, n, 1);
                    emit_jump(L, t);
                    L->code[skip] = L->nco;
                    label_here(L);
                }
            }
            /* the values stay, typed as the label's types */
            for (uint32_t i = 0; i < n; i++)
                L->vt[L->h - n + i] = ty[i];
            break;
        }
        case 0x0e: { /* br_table */
            uint32_t cnt = rd_u32(L);
            if (cnt > (uint32_t)(body_end - L->p))
                MALFORMED("unexpected end: br_table has more targets than bytes");
            uint32_t cond = pop(L, GALE_WASM_I32);
            /* first pass: read and validate labels; remember depths in the code buffer tail */
            uint32_t arity = NONE32;
            int emitting = !dead(L);
            uint32_t tbl = 0;
            if (emitting) {
                materialize_all(L);
                emit_op(L, GW_OP_BR_TABLE);
                emit_w(L, cond);
                emit_w(L, cnt);
                tbl = L->nco;
                for (uint32_t i = 0; i <= cnt; i++)
                    emit_w(L, NONE32);
                L->last_op = NONE32;
            }
            for (uint32_t i = 0; i <= cnt; i++) {
                uint32_t d = rd_u32(L);
                ctl_t *t = label_at(L, d);
                uint32_t n;
                const uint8_t *ty;
                label_types(t, &n, &ty);
                if (arity == NONE32)
                    arity = n;
                else if (arity != n)
                    INVALID("type mismatch: br_table targets have different arities");
                check_top(L, n, ty);
                if (emitting)
                    L->code[tbl + i] = d; /* resolved below */
            }
            if (emitting) {
                /* resolve: direct target when no copies are needed, else a stub */
                for (uint32_t i = 0; i <= cnt; i++) {
                    ctl_t *t = &L->cs[L->nc - 1 - L->code[tbl + i]];
                    if (t->kind != 4 && !branch_copies(L, t, arity, 0)) {
                        ref_label(L, t, tbl + i);
                    } else {
                        L->code[tbl + i] = L->nco;
                        branch_copies(L, t, arity, 1);
                        emit_jump(L, t);
                    }
                }
            }
            set_unreachable(L);
            break;
        }
        case 0x0f: { /* return */
            emit_return(L, &L->cs[0]);
            set_unreachable(L);
            break;
        }
        case 0x10: { /* call */
            uint32_t f = rd_u32(L);
            if (f >= m->n_funcs)
                INVALID("unknown function %u", (unsigned)f);
            const gale_wasm_functype_t *cft = &m->types[m->func_types[f]];
            for (uint32_t i = 0; i < cft->n_params; i++)
                pop(L, cft->types[cft->n_params - 1 - i]);
            uint32_t base = L->h;
            if (!dead(L)) {
                L->h += cft->n_params;
                materialize_range(L, base);
                L->h = base;
                add_trap(L, emit_op(L, GW_OP_CALL));
                emit_w(L, f);
                emit_w(L, slot_of(L, base));
            }
            for (uint32_t i = 0; i < cft->n_results; i++)
                push(L, cft->types[cft->n_params + i]);
            /* the callee frame starts at base: reserve room for results */
            break;
        }
        case 0x11: { /* call_indirect */
            uint32_t ti = rd_u32(L);
            uint32_t tab = rd_u32(L);
            if (ti >= m->n_types)
                INVALID("unknown type %u", (unsigned)ti);
            check_table(L, tab);
            if (m->tables[tab].elem != GALE_WASM_FUNCREF)
                INVALID("type mismatch: call_indirect on a table of %s", tname(m->tables[tab].elem));
            uint32_t idx = pop(L, GALE_WASM_I32);
            const gale_wasm_functype_t *cft = &m->types[ti];
            for (uint32_t i = 0; i < cft->n_params; i++)
                pop(L, cft->types[cft->n_params - 1 - i]);
            uint32_t base = L->h;
            if (!dead(L)) {
                L->h += cft->n_params;
                materialize_range(L, base);
                L->h = base;
                uint32_t at = emit_op(L, GW_OP_CALL_INDIRECT);
                add_trap(L, at);
                emit_w(L, ti);
                emit_w(L, tab);
                emit_w(L, slot_of(L, base));
                emit_w(L, idx);
            }
            for (uint32_t i = 0; i < cft->n_results; i++)
                push(L, cft->types[cft->n_params + i]);
            break;
        }
        case 0x1a: /* drop */
            pop(L, T_UNKNOWN);
            break;
        case 0x1b: /* select */
        case 0x1c: { /* select t */
            uint8_t want = T_UNKNOWN;
            if (op == 0x1c) {
                uint32_t n = rd_u32(L);
                if (n != 1)
                    INVALID("invalid result arity %u for select", (unsigned)n);
                want = rd_valtype(L);
            }
            uint32_t cs_ = pop(L, GALE_WASM_I32);
            uint8_t t2, t1;
            uint32_t b = pop_loc(L, want, &t2);
            uint32_t a = pop_loc(L, want, &t1);
            if (op == 0x1b) {
                if ((t1 != T_UNKNOWN && !is_numtype(t1)) || (t2 != T_UNKNOWN && !is_numtype(t2)))
                    INVALID("type mismatch: select without type needs numeric operands");
                if (t1 != T_UNKNOWN && t2 != T_UNKNOWN && t1 != t2)
                    INVALID("type mismatch: select operands %s and %s", tname(t1), tname(t2));
                want = t1 != T_UNKNOWN ? t1 : t2;
            }
            uint32_t d = slot_of(L, L->h);
            emit5(L, GW_OP_SELECT, d, a, b, cs_);
            push(L, want);
            break;
        }
        case 0x20: { /* local.get */
            uint32_t x = rd_u32(L);
            if (x >= L->nl)
                INVALID("unknown local %u", (unsigned)x);
            push(L, L->ltypes[x]);
            L->vloc[L->h - 1] = x;
            break;
        }
        case 0x21:   /* local.set */
        case 0x22: { /* local.tee */
            uint32_t x = rd_u32(L);
            if (x >= L->nl)
                INVALID("unknown local %u", (unsigned)x);
            uint32_t src = pop(L, L->ltypes[x]);
            uint32_t top = L->h; /* position of the popped value */
            if (dead(L)) {
                if (op == 0x22)
                    push(L, L->ltypes[x]);
                break;
            }
            int refs = 0;
            for (uint32_t i = 0; i < L->h; i++)
                if (L->vloc[i] == x)
                    refs = 1;
            if (refs)
                for (uint32_t i = 0; i < L->h; i++)
                    if (L->vloc[i] == x)
                        materialize(L, i);
            uint32_t lo = L->last_op;
            if (src == x) {
                /* local.set x (local.get x): nothing to do */
            } else if (!refs && src == slot_of(L, top) && lo != NONE32 && op_has_dst(L->code[lo]) &&
                       L->code[lo + 1] == src) {
                L->code[lo + 1] = x; /* retarget the producer */
                src = x;
            } else {
                emit_mov(L, x, src);
            }
            if (op == 0x22) {
                push(L, L->ltypes[x]);
                L->vloc[L->h - 1] = src;
            }
            break;
        }
        case 0x23: { /* global.get */
            uint32_t g = rd_u32(L);
            if (g >= m->n_globals)
                INVALID("unknown global %u", (unsigned)g);
            emit3(L, GW_OP_GLOBAL_GET, slot_of(L, L->h), g);
            push(L, m->globals[g].type);
            break;
        }
        case 0x24: { /* global.set */
            uint32_t g = rd_u32(L);
            if (g >= m->n_globals)
                INVALID("unknown global %u", (unsigned)g);
            if (!m->globals[g].mut)
                INVALID("global is immutable: global %u", (unsigned)g);
            uint32_t a = pop(L, m->globals[g].type);
            emit3(L, GW_OP_GLOBAL_SET, g, a);
            break;
        }
        case 0x25: { /* table.get */
            uint32_t t = check_table(L, rd_u32(L));
            uint32_t i = pop(L, GALE_WASM_I32);
            uint32_t d = slot_of(L, L->h);
            if (!dead(L)) {
                add_trap(L, L->nco);
                emit4(L, GW_OP_TABLE_GET, d, i, t);
            }
            push(L, m->tables[t].elem);
            break;
        }
        case 0x26: { /* table.set */
            uint32_t t = check_table(L, rd_u32(L));
            uint32_t v = pop(L, m->tables[t].elem);
            uint32_t i = pop(L, GALE_WASM_I32);
            if (!dead(L)) {
                add_trap(L, L->nco);
                emit4(L, GW_OP_TABLE_SET, t, i, v);
            }
            break;
        }
        case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: case 0x2f:
        case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: { /* loads */
            static const uint8_t nat[] = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2};
            static const uint8_t rty[] = {I_, L_, F_, D_, I_, I_, I_, I_, L_, L_, L_, L_, L_, L_};
            static const uint8_t iop[] = {GW_OP_LD32, GW_OP_LD64, GW_OP_LD32, GW_OP_LD64, GW_OP_LD8S32,
                                          GW_OP_LD8U32, GW_OP_LD16S32, GW_OP_LD16U32, GW_OP_LD8S64, GW_OP_LD8U64,
                                          GW_OP_LD16S64, GW_OP_LD16U64, GW_OP_LD32S64, GW_OP_LD32U64};
            uint32_t k = op - 0x28, off;
            rd_memarg(L, nat[k], &off);
            uint32_t a = pop(L, GALE_WASM_I32);
            if (!dead(L)) {
                uint32_t lo = L->last_op;
                if ((iop[k] == GW_OP_LD32 || iop[k] == GW_OP_LD64) && lo != NONE32 &&
                    L->code[lo] == GW_OP_I32_ADD_I && L->code[lo + 1] == a && a == slot_of(L, L->h)) {
                    /* fold the address computation into the load */
                    uint32_t base = L->code[lo + 2], imm = L->code[lo + 3];
                    L->nco = lo;
                L->last_op = L->prev_op; /* the op before the dropped one */
                    L->fuel_count--;
                    add_trap(L, L->nco);
                    emit5(L, iop[k] == GW_OP_LD32 ? GW_OP_LD32_A : GW_OP_LD64_A, slot_of(L, L->h), base, off, imm);
                } else {
                    add_trap(L, L->nco);
                    emit4(L, iop[k], slot_of(L, L->h), a, off);
                }
            }
            push(L, rty[k]);
            break;
        }
        case 0x36: case 0x37: case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d:
        case 0x3e: { /* stores */
            static const uint8_t nat[] = {2, 3, 2, 3, 0, 1, 0, 1, 2};
            static const uint8_t vty[] = {I_, L_, F_, D_, I_, I_, L_, L_, L_};
            static const uint8_t iop[] = {GW_OP_ST32, GW_OP_ST64, GW_OP_ST32, GW_OP_ST64, GW_OP_ST8,
                                          GW_OP_ST16, GW_OP_ST8, GW_OP_ST16, GW_OP_ST32};
            uint32_t k = op - 0x36, off;
            rd_memarg(L, nat[k], &off);
            uint32_t v = pop(L, vty[k]);
            uint32_t a = pop(L, GALE_WASM_I32);
            if (!dead(L)) {
                add_trap(L, L->nco);
                emit4(L, iop[k], a, v, off);
            }
            break;
        }
        case 0x3f: /* memory.size */
            zero_byte(L);
            require_mem(L);
            emit2(L, GW_OP_MEMORY_SIZE, slot_of(L, L->h));
            push(L, GALE_WASM_I32);
            break;
        case 0x40: { /* memory.grow */
            zero_byte(L);
            require_mem(L);
            uint32_t a = pop(L, GALE_WASM_I32);
            emit3(L, GW_OP_MEMORY_GROW, slot_of(L, L->h), a);
            push(L, GALE_WASM_I32);
            break;
        }
        case 0x41: {
            int32_t v = rd_s32(L);
            emit3(L, GW_OP_CONST32, slot_of(L, L->h), (uint32_t)v);
            push(L, GALE_WASM_I32);
            break;
        }
        case 0x42: {
            uint64_t v = (uint64_t)rd_s64(L);
            emit4(L, GW_OP_CONST64, slot_of(L, L->h), (uint32_t)v, (uint32_t)(v >> 32));
            push(L, GALE_WASM_I64);
            break;
        }
        case 0x43: {
            uint32_t v = rd_fixed32(L);
            emit3(L, GW_OP_CONST32, slot_of(L, L->h), v);
            push(L, GALE_WASM_F32);
            break;
        }
        case 0x44: {
            uint64_t v = rd_fixed64(L);
            emit4(L, GW_OP_CONST64, slot_of(L, L->h), (uint32_t)v, (uint32_t)(v >> 32));
            push(L, GALE_WASM_F64);
            break;
        }
        case 0xd0: { /* ref.null */
            uint8_t t = rd_reftype(L);
            emit4(L, GW_OP_CONST64, slot_of(L, L->h), 0, 0);
            push(L, t);
            break;
        }
        case 0xd1: { /* ref.is_null */
            uint8_t t;
            uint32_t a = pop_loc(L, T_UNKNOWN, &t);
            if (t != T_UNKNOWN && !is_reftype(t))
                INVALID("type mismatch: ref.is_null on %s", tname(t));
            emit3(L, GW_OP_REF_IS_NULL, slot_of(L, L->h), a);
            push(L, GALE_WASM_I32);
            break;
        }
        case 0xd2: { /* ref.func */
            uint32_t f = rd_u32(L);
            if (f >= m->n_funcs)
                INVALID("unknown function %u", (unsigned)f);
            if (!(m->func_declared[f >> 3] & (1u << (f & 7))))
                INVALID("undeclared function reference %u", (unsigned)f);
            emit3(L, GW_OP_REF_FUNC, slot_of(L, L->h), f);
            push(L, GALE_WASM_FUNCREF);
            break;
        }
        case 0xfc: {
            uint32_t sub = rd_u32(L);
            if (sub <= 7) {
                const numop_t *no = &k_satops[sub];
                uint32_t a = pop(L, no->in1);
                emit3(L, no->op, slot_of(L, L->h), a);
                push(L, no->out);
                break;
            }
            switch (sub) {
            case 8: { /* memory.init */
                uint32_t seg = rd_u32(L);
                zero_byte(L);
                require_mem(L);
                if (!L->has_datacount)
                    MALFORMED("data count section required");
                if (seg >= L->datacount)
                    INVALID("unknown data segment %u", (unsigned)seg);
                uint32_t n = pop(L, I_), s = pop(L, I_), d = pop(L, I_);
                if (!dead(L)) {
                    add_trap(L, L->nco);
                    emit5(L, GW_OP_MEMORY_INIT, seg, d, s, n);
                }
                break;
            }
            case 9: { /* data.drop */
                uint32_t seg = rd_u32(L);
                if (!L->has_datacount)
                    MALFORMED("data count section required");
                if (seg >= L->datacount)
                    INVALID("unknown data segment %u", (unsigned)seg);
                emit2(L, GW_OP_DATA_DROP, seg);
                break;
            }
            case 10: { /* memory.copy */
                zero_byte(L);
                zero_byte(L);
                require_mem(L);
                uint32_t n = pop(L, I_), s = pop(L, I_), d = pop(L, I_);
                if (!dead(L)) {
                    add_trap(L, L->nco);
                    emit4(L, GW_OP_MEMORY_COPY, d, s, n);
                }
                break;
            }
            case 11: { /* memory.fill */
                zero_byte(L);
                require_mem(L);
                uint32_t n = pop(L, I_), v = pop(L, I_), d = pop(L, I_);
                if (!dead(L)) {
                    add_trap(L, L->nco);
                    emit4(L, GW_OP_MEMORY_FILL, d, v, n);
                }
                break;
            }
            case 12: { /* table.init */
                uint32_t seg = rd_u32(L);
                uint32_t t = rd_u32(L);
                check_table(L, t);
                if (seg >= m->n_elems)
                    INVALID("unknown elem segment %u", (unsigned)seg);
                if (m->elems[seg].type != m->tables[t].elem)
                    INVALID("type mismatch: table.init of %s segment into %s table", tname(m->elems[seg].type),
                            tname(m->tables[t].elem));
                uint32_t n = pop(L, I_), s = pop(L, I_), d = pop(L, I_);
                if (!dead(L)) {
                    add_trap(L, L->nco);
                    emit6(L, GW_OP_TABLE_INIT, t, seg, d, s, n);
                }
                break;
            }
            case 13: { /* elem.drop */
                uint32_t seg = rd_u32(L);
                if (seg >= m->n_elems)
                    INVALID("unknown elem segment %u", (unsigned)seg);
                emit2(L, GW_OP_ELEM_DROP, seg);
                break;
            }
            case 14: { /* table.copy */
                uint32_t td = rd_u32(L), ts = rd_u32(L);
                check_table(L, td);
                check_table(L, ts);
                if (m->tables[td].elem != m->tables[ts].elem)
                    INVALID("type mismatch: table.copy between %s and %s tables", tname(m->tables[ts].elem),
                            tname(m->tables[td].elem));
                uint32_t n = pop(L, I_), s = pop(L, I_), d = pop(L, I_);
                if (!dead(L)) {
                    add_trap(L, L->nco);
                    emit6(L, GW_OP_TABLE_COPY, td, ts, d, s, n);
                }
                break;
            }
            case 15: { /* table.grow */
                uint32_t t = check_table(L, rd_u32(L));
                uint32_t n = pop(L, I_);
                uint32_t v = pop(L, m->tables[t].elem);
                emit5(L, GW_OP_TABLE_GROW, slot_of(L, L->h), v, n, t);
                push(L, I_);
                break;
            }
            case 16: { /* table.size */
                uint32_t t = check_table(L, rd_u32(L));
                emit3(L, GW_OP_TABLE_SIZE, slot_of(L, L->h), t);
                push(L, I_);
                break;
            }
            case 17: { /* table.fill */
                uint32_t t = check_table(L, rd_u32(L));
                uint32_t n = pop(L, I_);
                uint32_t v = pop(L, m->tables[t].elem);
                uint32_t i = pop(L, I_);
                if (!dead(L)) {
                    add_trap(L, L->nco);
                    emit5(L, GW_OP_TABLE_FILL, t, i, v, n);
                }
                break;
            }
            default:
                L->p = L->op_start;
                MALFORMED("illegal opcode 0xfc %u", (unsigned)sub);
            }
            break;
        }
        default: {
            if (op < 0x45 || op > 0xc4) {
                L->p = L->op_start;
                MALFORMED("illegal opcode 0x%02x", op);
            }
            const numop_t *no = &k_numops[op - 0x45];
            if (no->in2) {
                uint32_t b = pop(L, no->in2);
                uint32_t a = pop(L, no->in1);
                uint32_t d = slot_of(L, L->h);
                if (!dead(L)) {
                    uint32_t lo = L->last_op, imm = imm_form(no->op);
                    if (imm && lo != NONE32 && L->code[lo] == GW_OP_CONST32 && L->code[lo + 1] == b &&
                        b == slot_of(L, L->h + 1)) {
                        uint32_t k = L->code[lo + 2];
                        L->nco = lo;
                L->last_op = L->prev_op; /* the op before the dropped one */
                        L->fuel_count--;
                        if (imm == GW_OP_I32_SUB_I) {
                            imm = GW_OP_I32_ADD_I;
                            k = 0u - k;
                        }
                        emit4(L, imm, d, a, k);
                    } else if (no->op == GW_OP_I64_ADD && lo != NONE32 && L->code[lo] == GW_OP_CONST64 &&
                               L->code[lo + 1] == b && b == slot_of(L, L->h + 1) &&
                               (uint32_t)((int32_t)L->code[lo + 2] >> 31) == L->code[lo + 3]) {
                        uint32_t k = L->code[lo + 2];
                        L->nco = lo;
                L->last_op = L->prev_op; /* the op before the dropped one */
                        L->fuel_count--;
                        emit4(L, GW_OP_I64_ADD_I, d, a, k);
                    } else if ((no->op == GW_OP_F32_MUL || no->op == GW_OP_F64_MUL) && try_mul_ll(L, no->op, d, a, b)) {
                        /* fused with the two loads that produced its operands */
                    } else if ((no->op == GW_OP_F32_MUL || no->op == GW_OP_F64_MUL || no->op == GW_OP_F32_ADD ||
                                no->op == GW_OP_F64_ADD) &&
                               try_op_rl(L, no->op, d, a, b)) {
                        /* fused with the load that produced its second operand */
                    } else {
                        if (op_traps(no->op))
                            add_trap(L, L->nco);
                        emit4(L, no->op, d, a, b);
                    }
                }
                push(L, no->out);
            } else {
                uint32_t a = pop(L, no->in1);
                if (no->op == 0xff) { /* reinterpret / wrap: same bits */
                    push(L, no->out);
                    L->vloc[L->h - 1] = a;
                    break;
                }
                if (!dead(L)) {
                    if (op_traps(no->op))
                        add_trap(L, L->nco);
                    emit3(L, no->op, slot_of(L, L->h), a);
                }
                push(L, no->out);
            }
            break;
        }
        }
    }
    if (L->p != body_end)
        MALFORMED("section size mismatch: function body has bytes after its end");

    /* copy the translated code out */
    gw_code_t *code = &m->codes[fidx - m->n_func_imports];
    code->n_ops = L->nco;
    code->ops = (uint32_t *)ld_alloc(L, (size_t)L->nco * sizeof(uint32_t));
    memcpy(code->ops, L->code, (size_t)L->nco * sizeof(uint32_t));
    gw_code_finalize(code->ops, code->n_ops);
    code->n_traps = L->ntm;
    if (L->ntm) {
        code->traps = (gw_trapmap_t *)ld_alloc(L, (size_t)L->ntm * sizeof(gw_trapmap_t));
        memcpy(code->traps, L->tm, (size_t)L->ntm * sizeof(gw_trapmap_t));
    }
    code->n_params = ft->n_params;
    code->n_locals = L->nl;
    code->n_slots = L->nl + L->maxh + 1;
    if (code->n_slots < ft->n_results)
        code->n_slots = ft->n_results;
    L->func = NONE32;
    L->op_start = NULL;
}

/* ---- sections ---- */

typedef struct imp_desc {
    uint32_t type;
    gw_tabletype_t table;
    gw_limits_t mem;
    gw_globaltype_t global;
} imp_desc_t;

static void ensure_funcs(ld_t *L, const imp_desc_t *idesc, uint32_t ndef)
{
    gale_wasm_module_t *m = L->m;
    if (m->func_types)
        return;
    m->n_funcs = m->n_func_imports + ndef;
    m->func_types = (uint32_t *)ld_alloc(L, (size_t)m->n_funcs * sizeof(uint32_t) + 4);
    m->func_declared = (uint8_t *)ld_alloc(L, (size_t)m->n_funcs / 8 + 1);
    m->codes = (gw_code_t *)ld_alloc(L, (size_t)ndef * sizeof(gw_code_t) + 1);
    for (uint32_t i = 0; i < m->n_imports; i++)
        if (m->imports[i].kind == GALE_WASM_EXTERN_FUNC)
            m->func_types[m->imports[i].index] = idesc[i].type;
}

static void ensure_tables(ld_t *L, const imp_desc_t *idesc, uint32_t ndef)
{
    gale_wasm_module_t *m = L->m;
    if (m->tables)
        return;
    m->n_tables = m->n_table_imports + ndef;
    m->tables = (gw_tabletype_t *)ld_alloc(L, (size_t)m->n_tables * sizeof(gw_tabletype_t) + 1);
    for (uint32_t i = 0; i < m->n_imports; i++)
        if (m->imports[i].kind == GALE_WASM_EXTERN_TABLE)
            m->tables[m->imports[i].index] = idesc[i].table;
}

static void ensure_globals(ld_t *L, const imp_desc_t *idesc, uint32_t ndef)
{
    gale_wasm_module_t *m = L->m;
    if (m->globals)
        return;
    m->n_globals = m->n_global_imports + ndef;
    m->globals = (gw_globaltype_t *)ld_alloc(L, (size_t)m->n_globals * sizeof(gw_globaltype_t) + 1);
    m->global_inits = (gw_constexpr_t *)ld_alloc(L, (size_t)m->n_globals * sizeof(gw_constexpr_t) + 1);
    for (uint32_t i = 0; i < m->n_imports; i++)
        if (m->imports[i].kind == GALE_WASM_EXTERN_GLOBAL)
            m->globals[m->imports[i].index] = idesc[i].global;
}

static void parse_module(ld_t *L)
{
    gale_wasm_module_t *m = L->m;
    L->section = -1;
    if (L->end - L->p < 4) {
        L->p = L->end;
        MALFORMED("unexpected end");
    }
    if (memcmp(L->p, "\0asm", 4) != 0)
        MALFORMED("magic header not detected");
    L->p += 4;
    if (L->end - L->p < 4) {
        L->p = L->end;
        MALFORMED("unexpected end");
    }
    if (memcmp(L->p, "\1\0\0\0", 4) != 0)
        MALFORMED("unknown binary version");
    L->p += 4;

    static const uint8_t rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    int last_rank = 0;
    uint32_t n_func_decl = 0;
    int have_func_section = 0, have_code = 0;
    imp_desc_t *idesc = NULL;

    while (L->p < L->end) {
        L->section = -1;
        const uint8_t *sec_at = L->p;
        uint8_t id = rd_u8(L);
        if (id > 12) {
            L->p = sec_at;
            MALFORMED("malformed section id %u", id);
        }
        uint32_t size = rd_u32(L);
        if (size > (size_t)(L->end - L->p))
            MALFORMED("length out of bounds: section size %u exceeds the input", (unsigned)size);
        const uint8_t *sec_end = L->p + size;
        L->section = id;
        if (id != 0) {
            if (rank[id] <= last_rank) {
                L->p = sec_at;
                MALFORMED("unexpected content after last section (section %u out of order or repeated)", id);
            }
            last_rank = rank[id];
        }
        if (id != 0) {
            if (rank[id] > 3)
                ensure_funcs(L, idesc, 0);
            if (rank[id] > 4)
                ensure_tables(L, idesc, 0);
            if (rank[id] > 6)
                ensure_globals(L, idesc, 0);
        }
        switch (id) {
        case 0: {
            const uint8_t *save_end = L->end;
            L->end = sec_end;
            rd_name(L, 0, NULL);
            L->end = save_end;
            L->p = sec_end;
            break;
        }
        case 1: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u types", (unsigned)n);
            m->types = (gale_wasm_functype_t *)ld_alloc(L, (size_t)n * sizeof(gale_wasm_functype_t));
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t *at = L->p;
                if (rd_u8(L) != 0x60) {
                    L->p = at;
                    MALFORMED("integer representation too long: malformed function type (0x60 expected)");
                }
                uint32_t np = rd_u32(L);
                if (np > (size_t)(L->end - L->p))
                    MALFORMED("length out of bounds: %u params", (unsigned)np);
                const uint8_t *pp = L->p;
                for (uint32_t k = 0; k < np; k++)
                    rd_valtype(L);
                uint32_t nr = rd_u32(L);
                if (nr > (size_t)(L->end - L->p))
                    MALFORMED("length out of bounds: %u results", (unsigned)nr);
                const uint8_t *rp = L->p;
                for (uint32_t k = 0; k < nr; k++)
                    rd_valtype(L);
                if (np > 0xffff || nr > 0xffff)
                    MALFORMED("too many params or results");
                uint8_t *ty = (uint8_t *)ld_alloc(L, (size_t)np + nr + 1);
                memcpy(ty, pp, np);
                memcpy(ty + np, rp, nr);
                m->types[i].n_params = (uint16_t)np;
                m->types[i].n_results = (uint16_t)nr;
                m->types[i].types = ty;
                m->n_types = i + 1;
            }
            break;
        }
        case 2: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u imports", (unsigned)n);
            m->imports = (gw_import_t *)ld_alloc(L, (size_t)n * sizeof(gw_import_t) + 1);
            idesc = (imp_desc_t *)ld_alloc(L, (size_t)n * sizeof(imp_desc_t) + 1);
            for (uint32_t i = 0; i < n; i++) {
                gw_import_t *im = &m->imports[i];
                im->module = rd_name(L, 1, NULL);
                im->name = rd_name(L, 1, NULL);
                const uint8_t *at = L->p;
                uint8_t kind = rd_u8(L);
                im->kind = kind;
                switch (kind) {
                case 0: {
                    uint32_t t = rd_u32(L);
                    if (t >= m->n_types)
                        fail_at(L, GALE_EINVALID, at, "unknown type %u", (unsigned)t);
                    idesc[i].type = t;
                    im->index = m->n_func_imports++;
                    break;
                }
                case 1:
                    idesc[i].table.elem = rd_reftype(L);
                    rd_limits(L, &idesc[i].table.lim, NONE32, "table");
                    im->index = m->n_table_imports++;
                    break;
                case 2:
                    rd_limits(L, &idesc[i].mem, GW_MAX_PAGES, "memory");
                    im->index = m->n_mem_imports++;
                    m->mem = idesc[i].mem;
                    m->n_mems = m->n_mem_imports;
                    break;
                case 3: {
                    idesc[i].global.type = rd_valtype(L);
                    const uint8_t *mat = L->p;
                    uint8_t mu = rd_u8(L);
                    if (mu > 1) {
                        L->p = mat;
                        MALFORMED("malformed mutability");
                    }
                    idesc[i].global.mut = mu;
                    im->index = m->n_global_imports++;
                    break;
                }
                default:
                    L->p = at;
                    MALFORMED("malformed import kind %u", kind);
                }
                m->n_imports = i + 1;
            }
            if (m->n_mem_imports > 1)
                fail_at(L, GALE_EINVALID, sec_at, "multiple memories");
            break;
        }
        case 3: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u functions", (unsigned)n);
            have_func_section = 1;
            n_func_decl = n;
            ensure_funcs(L, idesc, n);
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t *at = L->p;
                uint32_t t = rd_u32(L);
                if (t >= m->n_types)
                    fail_at(L, GALE_EINVALID, at, "unknown type %u", (unsigned)t);
                m->func_types[m->n_func_imports + i] = t;
            }
            break;
        }
        case 4: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u tables", (unsigned)n);
            ensure_tables(L, idesc, n);
            for (uint32_t i = 0; i < n; i++) {
                gw_tabletype_t *t = &m->tables[m->n_table_imports + i];
                t->elem = rd_reftype(L);
                rd_limits(L, &t->lim, NONE32, "table");
            }
            break;
        }
        case 5: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u memories", (unsigned)n);
            if (m->n_mem_imports + n > 1)
                fail_at(L, GALE_EINVALID, sec_at, "multiple memories");
            for (uint32_t i = 0; i < n; i++)
                rd_limits(L, &m->mem, GW_MAX_PAGES, "memory");
            m->n_mems = m->n_mem_imports + n;
            break;
        }
        case 6: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u globals", (unsigned)n);
            ensure_globals(L, idesc, n);
            for (uint32_t i = 0; i < n; i++) {
                gw_globaltype_t *g = &m->globals[m->n_global_imports + i];
                g->type = rd_valtype(L);
                const uint8_t *mat = L->p;
                uint8_t mu = rd_u8(L);
                if (mu > 1) {
                    L->p = mat;
                    MALFORMED("malformed mutability");
                }
                g->mut = mu;
                rd_constexpr(L, &m->global_inits[m->n_global_imports + i], g->type, m->n_global_imports);
            }
            break;
        }
        case 7: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u exports", (unsigned)n);
            m->exports = (gw_export_t *)ld_alloc(L, (size_t)n * sizeof(gw_export_t) + 1);
            for (uint32_t i = 0; i < n; i++) {
                gw_export_t *e = &m->exports[i];
                const uint8_t *at = L->p;
                e->name = rd_name(L, 1, &e->name_len);
                const uint8_t *kat = L->p;
                e->kind = rd_u8(L);
                e->index = rd_u32(L);
                uint32_t limit = 0;
                const char *what = "";
                switch (e->kind) {
                case 0: limit = m->n_funcs; what = "function"; break;
                case 1: limit = m->n_tables; what = "table"; break;
                case 2: limit = m->n_mems; what = "memory"; break;
                case 3: limit = m->n_globals; what = "global"; break;
                default:
                    L->p = kat;
                    MALFORMED("malformed export kind %u", e->kind);
                }
                if (e->index >= limit)
                    fail_at(L, GALE_EINVALID, kat, "unknown %s %u", what, (unsigned)e->index);
                if (e->kind == 0)
                    m->func_declared[e->index >> 3] |= (uint8_t)(1u << (e->index & 7));
                for (uint32_t k = 0; k < i; k++)
                    if (m->exports[k].name_len == e->name_len && memcmp(m->exports[k].name, e->name, e->name_len) == 0)
                        fail_at(L, GALE_EINVALID, at, "duplicate export name \"%.40s\"", e->name);
                m->n_exports = i + 1;
            }
            break;
        }
        case 8: {
            const uint8_t *at = L->p;
            uint32_t f = rd_u32(L);
            if (f >= m->n_funcs)
                fail_at(L, GALE_EINVALID, at, "unknown function %u", (unsigned)f);
            const gale_wasm_functype_t *ft = &m->types[m->func_types[f]];
            if (ft->n_params || ft->n_results)
                fail_at(L, GALE_EINVALID, at, "start function must have type [] -> []");
            m->start = f;
            break;
        }
        case 9: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u element segments", (unsigned)n);
            m->elems = (gw_elem_t *)ld_alloc(L, (size_t)n * sizeof(gw_elem_t) + 1);
            for (uint32_t i = 0; i < n; i++) {
                gw_elem_t *e = &m->elems[i];
                const uint8_t *at = L->p;
                uint32_t flags = rd_u32(L);
                if (flags > 7) {
                    L->p = at;
                    MALFORMED("malformed elements segment kind %u", (unsigned)flags);
                }
                e->type = GALE_WASM_FUNCREF;
                e->mode = (flags & 1) ? ((flags & 2) ? GW_SEG_DECLARATIVE : GW_SEG_PASSIVE) : GW_SEG_ACTIVE;
                if (e->mode == GW_SEG_ACTIVE) {
                    e->table = (flags & 2) ? rd_u32(L) : 0;
                    if (e->table >= m->n_tables)
                        fail_at(L, GALE_EINVALID, at, "unknown table %u", (unsigned)e->table);
                    rd_constexpr(L, &e->offset, GALE_WASM_I32, m->n_global_imports);
                }
                if (flags & 4) {
                    if (flags & 3)
                        e->type = rd_reftype(L);
                } else if (flags & 3) {
                    const uint8_t *kat = L->p;
                    if (rd_u8(L) != 0) {
                        L->p = kat;
                        MALFORMED("malformed element kind");
                    }
                }
                uint32_t cnt = rd_u32(L);
                if (cnt > (size_t)(L->end - L->p))
                    MALFORMED("length out of bounds: %u elements", (unsigned)cnt);
                e->items = (gw_constexpr_t *)ld_alloc(L, (size_t)cnt * sizeof(gw_constexpr_t) + 1);
                for (uint32_t k = 0; k < cnt; k++) {
                    if (flags & 4) {
                        rd_constexpr(L, &e->items[k], e->type, m->n_global_imports);
                    } else {
                        const uint8_t *fat = L->p;
                        uint32_t f = rd_u32(L);
                        if (f >= m->n_funcs)
                            fail_at(L, GALE_EINVALID, fat, "unknown function %u", (unsigned)f);
                        e->items[k].kind = GW_CE_REFFUNC;
                        e->items[k].index = f;
                        m->func_declared[f >> 3] |= (uint8_t)(1u << (f & 7));
                    }
                    e->n_items = k + 1;
                }
                if (e->mode == GW_SEG_ACTIVE && m->tables[e->table].elem != e->type)
                    fail_at(L, GALE_EINVALID, at, "type mismatch: %s segment for a %s table", tname(e->type),
                            tname(m->tables[e->table].elem));
                m->n_elems = i + 1;
            }
            break;
        }
        case 12:
            L->has_datacount = 1;
            L->datacount = rd_u32(L);
            break;
        case 10: {
            uint32_t n = rd_u32(L);
            have_code = 1;
            if (n != n_func_decl)
                MALFORMED("function and code section have inconsistent lengths (%u functions, %u bodies)",
                          (unsigned)n_func_decl, (unsigned)n);
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t *at = L->p;
                uint32_t bsize = rd_u32(L);
                if (bsize > (size_t)(L->end - L->p)) {
                    L->p = at;
                    MALFORMED("length out of bounds: function body size %u", (unsigned)bsize);
                }
                const uint8_t *bend = L->p + bsize;
                const uint8_t *save_end = L->end;
                L->end = bend;
                m->codes[i].body_offset = (uint32_t)(L->p - L->base);
                translate_body(L, m->n_func_imports + i, bend);
                L->end = save_end;
            }
            break;
        }
        case 11: {
            uint32_t n = rd_u32(L);
            if (n > size)
                MALFORMED("length out of bounds: %u data segments", (unsigned)n);
            if (L->has_datacount && n != L->datacount)
                MALFORMED("data count and data section have inconsistent lengths");
            m->datas = (gw_data_t *)ld_alloc(L, (size_t)n * sizeof(gw_data_t) + 1);
            for (uint32_t i = 0; i < n; i++) {
                gw_data_t *d = &m->datas[i];
                const uint8_t *at = L->p;
                uint32_t flags = rd_u32(L);
                if (flags > 2) {
                    L->p = at;
                    MALFORMED("malformed data segment kind %u", (unsigned)flags);
                }
                d->mode = flags == 1 ? GW_SEG_PASSIVE : GW_SEG_ACTIVE;
                if (d->mode == GW_SEG_ACTIVE) {
                    d->mem = flags == 2 ? rd_u32(L) : 0;
                    if (d->mem >= m->n_mems)
                        fail_at(L, GALE_EINVALID, at, "unknown memory %u", (unsigned)d->mem);
                    rd_constexpr(L, &d->offset, GALE_WASM_I32, m->n_global_imports);
                }
                uint32_t len = rd_u32(L);
                if (len > (size_t)(L->end - L->p)) {
                    L->p = L->end;
                    MALFORMED("unexpected end of section or function: data segment of %u bytes", (unsigned)len);
                }
                uint8_t *bytes = (uint8_t *)ld_alloc(L, len);
                memcpy(bytes, L->p, len);
                d->bytes = bytes;
                d->len = len;
                L->p += len;
                m->n_datas = i + 1;
            }
            break;
        }
        default:
            break;
        }
        if (L->p != sec_end)
            fail_at(L, GALE_EMALFORMED, L->p, "section size mismatch: %s section declared %u bytes",
                    section_name(id), (unsigned)size);
    }
    L->section = -1;
    ensure_funcs(L, idesc, 0);
    ensure_tables(L, idesc, 0);
    ensure_globals(L, idesc, 0);
    if (have_func_section && n_func_decl && !have_code)
        MALFORMED("function and code section have inconsistent lengths (%u functions, no code section)",
                  (unsigned)n_func_decl);
    if (L->has_datacount && m->n_datas != L->datacount && L->datacount != 0)
        MALFORMED("data count and data section have inconsistent lengths");
    if (L->has_datacount && m->n_datas != L->datacount)
        MALFORMED("data count and data section have inconsistent lengths");
}

static void free_scratch(ld_t *L)
{
    gw_free(L->al, L->ltypes, L->ltypes_cap);
    gw_free(L->al, L->vt, L->vcap);
    gw_free(L->al, L->vloc, (size_t)L->vcap * 4);
    gw_free(L->al, L->cs, (size_t)L->ccap * sizeof(ctl_t));
    gw_free(L->al, L->code, (size_t)L->cocap * 4);
    gw_free(L->al, L->tm, (size_t)L->tmcap * sizeof(gw_trapmap_t));
}

static int load_guarded(ld_t *L)
{
    if (setjmp(L->jb))
        return -1;
    parse_module(L);
    return 0;
}

gale_wasm_module_t *gale_wasm_module_load(const gale_wasm_config_t *cfg, const uint8_t *bytes, size_t len,
                                          gale_wasm_error_t *err)
{
    gale_wasm_error_t dummy;
    if (!err)
        err = &dummy;
    memset(err, 0, sizeof *err);
    err->section = -1;
    err->offset = (size_t)-1;
    if (!cfg || (!bytes && len)) {
        err->code = GALE_EINVAL;
        snprintf(err->message, sizeof err->message, "invalid argument");
        return NULL;
    }
    gale_wasm_module_t *m = (gale_wasm_module_t *)gw_alloc(&cfg->alloc, sizeof *m);
    if (!m) {
        err->code = GALE_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    m->start = -1;
    m->footprint = sizeof *m;
    ld_t L;
    memset(&L, 0, sizeof L);
    L.m = m;
    L.al = &m->cfg.alloc;
    L.base = L.p = bytes ? bytes : (const uint8_t *)"";
    L.end = L.base + len;
    L.err = err;
    L.func = NONE32;
    L.section = -1;
    int rc = load_guarded(&L);
    free_scratch(&L);
    if (rc != 0) {
        gale_wasm_module_free(m);
        return NULL;
    }
    err->code = 0;
    return m;
}

void gale_wasm_module_free(gale_wasm_module_t *m)
{
    if (!m)
        return;
    gale_wasm_alloc_t al = m->cfg.alloc;
    while (m->zombies) {
        gale_wasm_instance_t *z = m->zombies;
        m->zombies = z->next_zombie;
        gw_instance_release(z);
    }
    gw_blk_t *b = (gw_blk_t *)m->blocks;
    while (b) {
        gw_blk_t *next = b->next;
        gw_free(&al, b, b->size);
        b = next;
    }
    gw_free(&al, m, sizeof *m);
}

uint32_t gale_wasm_module_import_count(const gale_wasm_module_t *m) { return m ? m->n_imports : 0; }

int gale_wasm_module_import(const gale_wasm_module_t *m, uint32_t i, gale_wasm_import_desc_t *out)
{
    if (!m || !out || i >= m->n_imports)
        return GALE_EINVAL;
    const gw_import_t *im = &m->imports[i];
    memset(out, 0, sizeof *out);
    out->module = im->module;
    out->name = im->name;
    out->kind = (gale_wasm_extern_kind_t)im->kind;
    out->limits_max = UINT64_MAX;
    switch (im->kind) {
    case GALE_WASM_EXTERN_FUNC:
        out->functype = m->types[m->func_types[im->index]];
        break;
    case GALE_WASM_EXTERN_TABLE:
        out->table_elem = m->tables[im->index].elem;
        out->limits_min = m->tables[im->index].lim.min;
        if (m->tables[im->index].lim.max != GW_NO_MAX)
            out->limits_max = m->tables[im->index].lim.max;
        break;
    case GALE_WASM_EXTERN_MEMORY:
        out->limits_min = m->mem.min;
        if (m->mem.max != GW_NO_MAX)
            out->limits_max = m->mem.max;
        break;
    default:
        out->global_type = m->globals[im->index].type;
        out->global_mutable = m->globals[im->index].mut != 0;
        break;
    }
    return 0;
}

uint32_t gale_wasm_module_export_count(const gale_wasm_module_t *m) { return m ? m->n_exports : 0; }

int gale_wasm_module_export(const gale_wasm_module_t *m, uint32_t i, gale_wasm_export_desc_t *out)
{
    if (!m || !out || i >= m->n_exports)
        return GALE_EINVAL;
    memset(out, 0, sizeof *out);
    out->name = m->exports[i].name;
    out->kind = (gale_wasm_extern_kind_t)m->exports[i].kind;
    out->index = m->exports[i].index;
    if (out->kind == GALE_WASM_EXTERN_FUNC)
        out->functype = m->types[m->func_types[out->index]];
    return 0;
}

size_t gale_wasm_module_footprint(const gale_wasm_module_t *m) { return m ? m->footprint : 0; }
