/* C bindings for a WIT world.
 *
 * Guest mode (wasm32 C components): a header and a source with
 *   - C types for every WIT type used (C layout == canonical ABI layout on
 *     wasm32; the source checks this with _Static_assert against the layout
 *     code), typed wrappers for every import (sync-lowered, and
 *     async-lowered `_async` variants for `async func`s), resource drop and
 *     borrow helpers;
 *   - export glue: core exports with the exact wit-component names that lift
 *     the flat arguments and call the user's `exports_*` functions; async
 *     exports are callback-lifted (entry + `[callback]` + typed `_return`
 *     wrapper of `[task-return]`);
 *   - cabi_realloc (on the guest SDK's allocator).
 * Host mode: a table per import (interface, function, core module/field for
 *   sync and async lowering, core signatures, type descriptor bytes) that the
 *   component layer registers host implementations against.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit_internal.h"

/* ---- string builder -------------------------------------------------------- */

typedef struct sb {
    char *p;
    size_t len, cap;
} sb_t;

static void sb_printf(sb_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (s->len + (size_t)n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        while (cap < s->len + (size_t)n + 1)
            cap *= 2;
        char *np = realloc(s->p, cap);
        if (!np)
            abort();
        s->p = np;
        s->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

typedef struct gen {
    gale_wit_ctx_t *ctx;
    const gale_wit_world_t *world;
    const char *wname;   /* C name of the world */
    sb_t h, c;           /* header, source */
    sb_t types;          /* type definitions (go into the header) */
    sb_t raw;            /* core import declarations (header, after the wrappers) */
    const char **emitted;
    size_t nemitted;
    char err[256];
} gen_t;

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
    "true", "false", "self", "ret", "out", "params", NULL,
};

/* kebab -> snake (C identifier) */
static const char *cid(gen_t *g, const char *s)
{
    char *d = wit_strdup(g->ctx, s);
    for (char *q = d; *q; q++)
        if (*q == '-' || *q == ':' || *q == '/' || *q == '.' || *q == '@' || *q == '+')
            *q = '_';
    for (int i = 0; c_keywords[i]; i++)
        if (strcmp(d, c_keywords[i]) == 0)
            return wit_fmt(g->ctx, "%s_", d);
    return d;
}

/* Prefix of an interface's C names: ns_pkg_iface (root: world name). */
static const char *iface_prefix(gen_t *g, const gale_wit_iface_t *i)
{
    if (!i || i->is_world_scope)
        return g->wname;
    if (i->world)
        return wit_fmt(g->ctx, "%s_%s", g->wname, cid(g, i->name));
    return wit_fmt(g->ctx, "%s_%s_%s", cid(g, i->pkg->ns), cid(g, i->pkg->name), cid(g, i->name));
}

static bool was_emitted(gen_t *g, const char *name)
{
    for (size_t i = 0; i < g->nemitted; i++)
        if (strcmp(g->emitted[i], name) == 0)
            return true;
    return false;
}

static void mark_emitted(gen_t *g, const char *name)
{
    WIT_PUSH(g->ctx, g->emitted, g->nemitted, name);
}

/* ---- C types ------------------------------------------------------------------ */

static const char *ctype(gen_t *g, const gale_wit_type_t *t);

static const char *disc_ctype(size_t n)
{
    return n <= 256 ? "uint8_t" : n <= 65536 ? "uint16_t" : "uint32_t";
}

/* structural stem of a type, used to name anonymous C types */
static const char *stem(gen_t *g, const gale_wit_type_t *t)
{
    const gale_wit_type_t *d = gale_wit_type_deref(t);
    if (!d)
        return "void";
    if (d->name && d->kind != GALE_WIT_ALIAS)
        return wit_fmt(g->ctx, "%s_%s", iface_prefix(g, d->owner), cid(g, d->name));
    switch (d->kind) {
    case GALE_WIT_BOOL: return "bool";
    case GALE_WIT_S8: return "s8";
    case GALE_WIT_U8: return "u8";
    case GALE_WIT_S16: return "s16";
    case GALE_WIT_U16: return "u16";
    case GALE_WIT_S32: return "s32";
    case GALE_WIT_U32: return "u32";
    case GALE_WIT_S64: return "s64";
    case GALE_WIT_U64: return "u64";
    case GALE_WIT_F32: return "f32";
    case GALE_WIT_F64: return "f64";
    case GALE_WIT_CHAR: return "char32";
    case GALE_WIT_STRING: return "string";
    case GALE_WIT_ERROR_CONTEXT: return "error_context";
    case GALE_WIT_LIST: return wit_fmt(g->ctx, "list_%s", stem(g, d->elem));
    case GALE_WIT_FIXED_LIST: return wit_fmt(g->ctx, "array%u_%s", d->len, stem(g, d->elem));
    case GALE_WIT_OPTION: return wit_fmt(g->ctx, "option_%s", stem(g, d->elem));
    case GALE_WIT_RESULT: return wit_fmt(g->ctx, "result_%s_%s", stem(g, d->ok), stem(g, d->err));
    case GALE_WIT_OWN: return wit_fmt(g->ctx, "own_%s", stem(g, d->elem));
    case GALE_WIT_BORROW: return wit_fmt(g->ctx, "borrow_%s", stem(g, d->elem));
    case GALE_WIT_FUTURE: return wit_fmt(g->ctx, "future_%s", stem(g, d->elem));
    case GALE_WIT_STREAM: return wit_fmt(g->ctx, "stream_%s", stem(g, d->elem));
    case GALE_WIT_TUPLE: {
        const char *s = wit_fmt(g->ctx, "tuple%zu", d->ncases);
        for (size_t i = 0; i < d->ncases; i++)
            s = wit_fmt(g->ctx, "%s_%s", s, stem(g, d->cases[i].type));
        return s;
    }
    default: return "unknown";
    }
}

static void static_assert_layout(gen_t *g, const char *cname, const gale_wit_type_t *t)
{
    gale_wit_layout_t l;
    if (gale_wit_type_layout(t, &l) == 0)
        sb_printf(&g->c, "_Static_assert(sizeof(%s) == %u && _Alignof(%s) == %u, \"%s: C layout != canonical ABI layout\");\n",
                  cname, l.size, cname, l.align, cname);
}

/* Emits the C definition of a compound type (once) and returns its name. */
static const char *define(gen_t *g, const gale_wit_type_t *d, const char *name)
{
    if (was_emitted(g, name))
        return name;
    /* children first */
    const char *sub[64];
    size_t ns = 0;
    switch (d->kind) {
    case GALE_WIT_LIST: case GALE_WIT_FIXED_LIST: case GALE_WIT_OPTION:
        sub[ns++] = ctype(g, d->elem);
        break;
    case GALE_WIT_RESULT:
        sub[ns++] = d->ok ? ctype(g, d->ok) : NULL;
        sub[ns++] = d->err ? ctype(g, d->err) : NULL;
        break;
    case GALE_WIT_TUPLE: case GALE_WIT_RECORD: case GALE_WIT_VARIANT:
        for (size_t i = 0; i < d->ncases && ns < 64; i++)
            sub[ns++] = d->cases[i].type ? ctype(g, d->cases[i].type) : NULL;
        break;
    default:
        break;
    }
    if (was_emitted(g, name))
        return name;
    mark_emitted(g, name);
    sb_t *o = &g->types;
    if (d->docs)
        sb_printf(o, "/* %s */\n", d->docs);
    switch (d->kind) {
    case GALE_WIT_LIST:
        sb_printf(o, "typedef struct %s {\n    %s *ptr;\n    size_t len;\n} %s;\n\n", name, sub[0], name);
        break;
    case GALE_WIT_FIXED_LIST:
        sb_printf(o, "typedef struct %s {\n    %s items[%u];\n} %s;\n\n", name, sub[0], d->len, name);
        break;
    case GALE_WIT_OPTION:
        sb_printf(o, "typedef struct %s {\n    bool is_some;\n    %s val;\n} %s;\n\n", name, sub[0], name);
        break;
    case GALE_WIT_RESULT:
        sb_printf(o, "typedef struct %s {\n    bool is_err;\n", name);
        if (sub[0] || sub[1]) {
            sb_printf(o, "    union {\n");
            if (sub[0])
                sb_printf(o, "        %s ok;\n", sub[0]);
            if (sub[1])
                sb_printf(o, "        %s err;\n", sub[1]);
            sb_printf(o, "    } val;\n");
        }
        sb_printf(o, "} %s;\n\n", name);
        break;
    case GALE_WIT_TUPLE:
        sb_printf(o, "typedef struct %s {\n", name);
        for (size_t i = 0; i < d->ncases; i++)
            sb_printf(o, "    %s f%zu;\n", sub[i], i);
        sb_printf(o, "} %s;\n\n", name);
        break;
    case GALE_WIT_RECORD:
        sb_printf(o, "typedef struct %s {\n", name);
        for (size_t i = 0; i < d->ncases; i++)
            sb_printf(o, "    %s %s;\n", sub[i], cid(g, d->cases[i].name));
        sb_printf(o, "} %s;\n\n", name);
        break;
    case GALE_WIT_VARIANT: {
        const char *up = name;
        bool any = false;
        for (size_t i = 0; i < d->ncases; i++)
            any |= sub[i] != NULL;
        for (size_t i = 0; i < d->ncases; i++) {
            char *u = wit_fmt(g->ctx, "%.*s_%s", (int)(strlen(up) - 2), up, cid(g, d->cases[i].name));
            for (char *q = u; *q; q++)
                *q = (char)toupper((unsigned char)*q);
            sb_printf(o, "#define %s %zu\n", u, i);
        }
        sb_printf(o, "typedef struct %s {\n    %s tag;\n", name, disc_ctype(d->ncases));
        if (any) {
            sb_printf(o, "    union {\n");
            for (size_t i = 0; i < d->ncases; i++)
                if (sub[i])
                    sb_printf(o, "        %s %s;\n", sub[i], cid(g, d->cases[i].name));
            sb_printf(o, "    } val;\n");
        }
        sb_printf(o, "} %s;\n\n", name);
        break;
    }
    case GALE_WIT_ENUM: case GALE_WIT_FLAGS: {
        bool fl = d->kind == GALE_WIT_FLAGS;
        const char *it = fl ? (d->ncases <= 8 ? "uint8_t" : d->ncases <= 16 ? "uint16_t" : "uint32_t")
                            : disc_ctype(d->ncases);
        sb_printf(o, "typedef %s %s;\n", it, name);
        for (size_t i = 0; i < d->ncases; i++) {
            char *u = wit_fmt(g->ctx, "%.*s_%s", (int)(strlen(name) - 2), name, cid(g, d->cases[i].name));
            for (char *q = u; *q; q++)
                *q = (char)toupper((unsigned char)*q);
            if (fl)
                sb_printf(o, "#define %s ((%s)1u << %zu)\n", u, name, i);
            else
                sb_printf(o, "#define %s %zu\n", u, i);
        }
        sb_printf(o, "\n");
        break;
    }
    case GALE_WIT_OWN: case GALE_WIT_BORROW:
        sb_printf(o, "typedef struct %s {\n    int32_t handle;\n} %s;\n\n", name, name);
        break;
    default:
        break;
    }
    static_assert_layout(g, name, d);
    return name;
}

static const char *ctype(gen_t *g, const gale_wit_type_t *t)
{
    if (!t)
        return "void";
    /* named aliases keep their own typedef name */
    if (t->kind == GALE_WIT_ALIAS && t->name && gale_wit_type_deref(t)->kind == GALE_WIT_RESOURCE)
        return ctype(g, gale_wit_type_deref(t));
    if (t->kind == GALE_WIT_ALIAS && t->name) {
        const char *name = wit_fmt(g->ctx, "%s_%s_t", iface_prefix(g, t->owner), cid(g, t->name));
        if (!was_emitted(g, name)) {
            const char *target = ctype(g, t->elem);
            if (!was_emitted(g, name)) {
                mark_emitted(g, name);
                const gale_wit_type_t *d = gale_wit_type_deref(t);
                if (d && d->kind == GALE_WIT_RESOURCE)
                    sb_printf(&g->types, "/* %s: alias of resource %s */\n\n", name, d->name);
                else
                    sb_printf(&g->types, "typedef %s %s;\n\n", target, name);
            }
        }
        return name;
    }
    const gale_wit_type_t *d = gale_wit_type_deref(t);
    switch (d->kind) {
    case GALE_WIT_BOOL: return "bool";
    case GALE_WIT_S8: return "int8_t";
    case GALE_WIT_U8: return "uint8_t";
    case GALE_WIT_S16: return "int16_t";
    case GALE_WIT_U16: return "uint16_t";
    case GALE_WIT_S32: return "int32_t";
    case GALE_WIT_U32: return "uint32_t";
    case GALE_WIT_S64: return "int64_t";
    case GALE_WIT_U64: return "uint64_t";
    case GALE_WIT_F32: return "float";
    case GALE_WIT_F64: return "double";
    case GALE_WIT_CHAR: return "uint32_t";
    case GALE_WIT_STRING: return "gale_string_t";
    case GALE_WIT_ERROR_CONTEXT: case GALE_WIT_FUTURE: case GALE_WIT_STREAM: return "uint32_t";
    case GALE_WIT_RESOURCE: { /* value position: own */
        gale_wit_type_t *own = wit_alloc(g->ctx, sizeof *own);
        own->kind = GALE_WIT_OWN;
        own->elem = (gale_wit_type_t *)d;
        return define(g, own, wit_fmt(g->ctx, "%s_own_t", stem(g, d)));
    }
    case GALE_WIT_OWN:
        return define(g, d, wit_fmt(g->ctx, "%s_own_t", stem(g, d->elem)));
    case GALE_WIT_BORROW:
        return define(g, d, wit_fmt(g->ctx, "%s_borrow_t", stem(g, d->elem)));
    default:
        break;
    }
    if (d->name)
        return define(g, d, wit_fmt(g->ctx, "%s_t", stem(g, d)));
    return define(g, d, wit_fmt(g->ctx, "%s_%s_t", g->wname, stem(g, d)));
}

/* ---- flattening (lower: C value -> flat core values) ---------------------------- */

static const char *core_ctype(uint8_t t)
{
    switch (t) {
    case GALE_WIT_CORE_I64: return "int64_t";
    case GALE_WIT_CORE_F32: return "float";
    case GALE_WIT_CORE_F64: return "double";
    default: return "int32_t";
    }
}

/* converts a leaf value of core type `have` into slot type `want` */
static const char *conv_to(gen_t *g, uint8_t have, uint8_t want, const char *v)
{
    if (have == want) {
        if (have == GALE_WIT_CORE_I32)
            return wit_fmt(g->ctx, "(int32_t)(%s)", v);
        if (have == GALE_WIT_CORE_I64)
            return wit_fmt(g->ctx, "(int64_t)(%s)", v);
        return v;
    }
    if (want == GALE_WIT_CORE_I32 && have == GALE_WIT_CORE_F32)
        return wit_fmt(g->ctx, "(int32_t)gale_f32_bits(%s)", v);
    if (want == GALE_WIT_CORE_I64) {
        if (have == GALE_WIT_CORE_I32)
            return wit_fmt(g->ctx, "(int64_t)(uint32_t)(%s)", v);
        if (have == GALE_WIT_CORE_F32)
            return wit_fmt(g->ctx, "(int64_t)gale_f32_bits(%s)", v);
        if (have == GALE_WIT_CORE_F64)
            return wit_fmt(g->ctx, "(int64_t)gale_f64_bits(%s)", v);
    }
    return v;
}

/* converts slot `v` of core type `have_slot` back to the leaf's core type `want` */
static const char *conv_from(gen_t *g, uint8_t slot, uint8_t want, const char *v)
{
    if (slot == want)
        return v;
    if (slot == GALE_WIT_CORE_I32 && want == GALE_WIT_CORE_F32)
        return wit_fmt(g->ctx, "gale_bits_f32((uint32_t)(%s))", v);
    if (slot == GALE_WIT_CORE_I64) {
        if (want == GALE_WIT_CORE_I32)
            return wit_fmt(g->ctx, "(int32_t)(uint32_t)(%s)", v);
        if (want == GALE_WIT_CORE_F32)
            return wit_fmt(g->ctx, "gale_bits_f32((uint32_t)(%s))", v);
        if (want == GALE_WIT_CORE_F64)
            return wit_fmt(g->ctx, "gale_bits_f64((uint64_t)(%s))", v);
    }
    return v;
}

static uint32_t nflat(const gale_wit_type_t *t)
{
    gale_wit_layout_t l;
    if (!t || gale_wit_type_layout(t, &l))
        return 0;
    return l.nflat;
}

static void indent(sb_t *o, int n)
{
    for (int i = 0; i < n; i++)
        sb_printf(o, "    ");
}

/* lower: writes `<var><k> = ...;` for the flat values of `expr` at slot s */
static void gen_lower(gen_t *g, sb_t *o, int ind, const gale_wit_type_t *t, const char *expr, uint32_t s,
                      const uint8_t *slots, const char *var)
{
    const gale_wit_type_t *d = gale_wit_type_deref(t);
#define LEAF(have, val)                                                                         \
    do {                                                                                        \
        indent(o, ind);                                                                         \
        sb_printf(o, "%s%u = %s;\n", var, s, conv_to(g, (have), slots[s], (val)));             \
    } while (0)
    switch (d->kind) {
    case GALE_WIT_S64: case GALE_WIT_U64: LEAF(GALE_WIT_CORE_I64, expr); break;
    case GALE_WIT_F32: LEAF(GALE_WIT_CORE_F32, expr); break;
    case GALE_WIT_F64: LEAF(GALE_WIT_CORE_F64, expr); break;
    case GALE_WIT_STRING: case GALE_WIT_LIST:
        LEAF(GALE_WIT_CORE_I32, wit_fmt(g->ctx, "(uintptr_t)(%s).ptr", expr));
        s++;
        LEAF(GALE_WIT_CORE_I32, wit_fmt(g->ctx, "(%s).len", expr));
        break;
    case GALE_WIT_OWN: case GALE_WIT_BORROW: case GALE_WIT_RESOURCE:
        LEAF(GALE_WIT_CORE_I32, wit_fmt(g->ctx, "(%s).handle", expr));
        break;
    case GALE_WIT_RECORD: case GALE_WIT_TUPLE:
        for (size_t i = 0; i < d->ncases; i++) {
            const char *f = d->kind == GALE_WIT_RECORD ? wit_fmt(g->ctx, "(%s).%s", expr, cid(g, d->cases[i].name))
                                                       : wit_fmt(g->ctx, "(%s).f%zu", expr, i);
            gen_lower(g, o, ind, d->cases[i].type, f, s, slots, var);
            s += nflat(d->cases[i].type);
        }
        break;
    case GALE_WIT_FIXED_LIST:
        for (uint32_t i = 0; i < d->len; i++) {
            gen_lower(g, o, ind, d->elem, wit_fmt(g->ctx, "(%s).items[%u]", expr, i), s, slots, var);
            s += nflat(d->elem);
        }
        break;
    case GALE_WIT_OPTION:
        LEAF(GALE_WIT_CORE_I32, wit_fmt(g->ctx, "(%s).is_some", expr));
        indent(o, ind);
        sb_printf(o, "if ((%s).is_some) {\n", expr);
        gen_lower(g, o, ind + 1, d->elem, wit_fmt(g->ctx, "(%s).val", expr), s + 1, slots, var);
        indent(o, ind);
        sb_printf(o, "}\n");
        break;
    case GALE_WIT_RESULT:
        LEAF(GALE_WIT_CORE_I32, wit_fmt(g->ctx, "(%s).is_err", expr));
        if (d->ok) {
            indent(o, ind);
            sb_printf(o, "if (!(%s).is_err) {\n", expr);
            gen_lower(g, o, ind + 1, d->ok, wit_fmt(g->ctx, "(%s).val.ok", expr), s + 1, slots, var);
            indent(o, ind);
            sb_printf(o, "}\n");
        }
        if (d->err) {
            indent(o, ind);
            sb_printf(o, "if ((%s).is_err) {\n", expr);
            gen_lower(g, o, ind + 1, d->err, wit_fmt(g->ctx, "(%s).val.err", expr), s + 1, slots, var);
            indent(o, ind);
            sb_printf(o, "}\n");
        }
        break;
    case GALE_WIT_VARIANT:
        LEAF(GALE_WIT_CORE_I32, wit_fmt(g->ctx, "(%s).tag", expr));
        indent(o, ind);
        sb_printf(o, "switch ((%s).tag) {\n", expr);
        for (size_t i = 0; i < d->ncases; i++) {
            if (!d->cases[i].type)
                continue;
            indent(o, ind);
            sb_printf(o, "case %zu:\n", i);
            gen_lower(g, o, ind + 1, d->cases[i].type, wit_fmt(g->ctx, "(%s).val.%s", expr, cid(g, d->cases[i].name)),
                      s + 1, slots, var);
            indent(o, ind + 1);
            sb_printf(o, "break;\n");
        }
        indent(o, ind);
        sb_printf(o, "default:\n");
        indent(o, ind + 1);
        sb_printf(o, "break;\n");
        indent(o, ind);
        sb_printf(o, "}\n");
        break;
    default: /* bool, ints <= 32, char, enum, flags, future, stream, error-context */
        LEAF(GALE_WIT_CORE_I32, expr);
        break;
    }
#undef LEAF
}

/* lift: assigns `dest` from flat slot variables `<var><k>` starting at s */
static void gen_lift(gen_t *g, sb_t *o, int ind, const gale_wit_type_t *t, const char *dest, uint32_t s,
                     const uint8_t *slots, const char *var)
{
    const gale_wit_type_t *d = gale_wit_type_deref(t);
    const char *ct = ctype(g, t);
#define SLOT(want) conv_from(g, slots[s], (want), wit_fmt(g->ctx, "%s%u", var, s))
    switch (d->kind) {
    case GALE_WIT_BOOL:
        indent(o, ind);
        sb_printf(o, "%s = (%s) != 0;\n", dest, SLOT(GALE_WIT_CORE_I32));
        break;
    case GALE_WIT_S64: case GALE_WIT_U64: case GALE_WIT_F32: case GALE_WIT_F64: {
        uint8_t want = d->kind == GALE_WIT_F32 ? GALE_WIT_CORE_F32 : d->kind == GALE_WIT_F64 ? GALE_WIT_CORE_F64
                                                                                             : GALE_WIT_CORE_I64;
        indent(o, ind);
        sb_printf(o, "%s = (%s)(%s);\n", dest, ct, SLOT(want));
        break;
    }
    case GALE_WIT_STRING: case GALE_WIT_LIST: {
        const char *elem = d->kind == GALE_WIT_STRING ? "uint8_t" : ctype(g, d->elem);
        indent(o, ind);
        sb_printf(o, "%s.ptr = (%s *)(uintptr_t)(uint32_t)(%s);\n", dest, elem, SLOT(GALE_WIT_CORE_I32));
        s++;
        indent(o, ind);
        sb_printf(o, "%s.len = (size_t)(uint32_t)(%s);\n", dest, SLOT(GALE_WIT_CORE_I32));
        break;
    }
    case GALE_WIT_OWN: case GALE_WIT_BORROW: case GALE_WIT_RESOURCE:
        indent(o, ind);
        sb_printf(o, "%s.handle = (int32_t)(%s);\n", dest, SLOT(GALE_WIT_CORE_I32));
        break;
    case GALE_WIT_RECORD: case GALE_WIT_TUPLE:
        for (size_t i = 0; i < d->ncases; i++) {
            const char *f = d->kind == GALE_WIT_RECORD ? wit_fmt(g->ctx, "%s.%s", dest, cid(g, d->cases[i].name))
                                                       : wit_fmt(g->ctx, "%s.f%zu", dest, i);
            gen_lift(g, o, ind, d->cases[i].type, f, s, slots, var);
            s += nflat(d->cases[i].type);
        }
        break;
    case GALE_WIT_FIXED_LIST:
        for (uint32_t i = 0; i < d->len; i++) {
            gen_lift(g, o, ind, d->elem, wit_fmt(g->ctx, "%s.items[%u]", dest, i), s, slots, var);
            s += nflat(d->elem);
        }
        break;
    case GALE_WIT_OPTION:
        indent(o, ind);
        sb_printf(o, "%s.is_some = (%s) != 0;\n", dest, SLOT(GALE_WIT_CORE_I32));
        indent(o, ind);
        sb_printf(o, "if (%s.is_some) {\n", dest);
        gen_lift(g, o, ind + 1, d->elem, wit_fmt(g->ctx, "%s.val", dest), s + 1, slots, var);
        indent(o, ind);
        sb_printf(o, "}\n");
        break;
    case GALE_WIT_RESULT:
        indent(o, ind);
        sb_printf(o, "%s.is_err = (%s) != 0;\n", dest, SLOT(GALE_WIT_CORE_I32));
        if (d->ok) {
            indent(o, ind);
            sb_printf(o, "if (!%s.is_err) {\n", dest);
            gen_lift(g, o, ind + 1, d->ok, wit_fmt(g->ctx, "%s.val.ok", dest), s + 1, slots, var);
            indent(o, ind);
            sb_printf(o, "}\n");
        }
        if (d->err) {
            indent(o, ind);
            sb_printf(o, "if (%s.is_err) {\n", dest);
            gen_lift(g, o, ind + 1, d->err, wit_fmt(g->ctx, "%s.val.err", dest), s + 1, slots, var);
            indent(o, ind);
            sb_printf(o, "}\n");
        }
        break;
    case GALE_WIT_VARIANT:
        indent(o, ind);
        sb_printf(o, "%s.tag = (%s)(%s);\n", dest, disc_ctype(d->ncases), SLOT(GALE_WIT_CORE_I32));
        indent(o, ind);
        sb_printf(o, "switch (%s.tag) {\n", dest);
        for (size_t i = 0; i < d->ncases; i++) {
            if (!d->cases[i].type)
                continue;
            indent(o, ind);
            sb_printf(o, "case %zu:\n", i);
            gen_lift(g, o, ind + 1, d->cases[i].type, wit_fmt(g->ctx, "%s.val.%s", dest, cid(g, d->cases[i].name)),
                     s + 1, slots, var);
            indent(o, ind + 1);
            sb_printf(o, "break;\n");
        }
        indent(o, ind);
        sb_printf(o, "default:\n");
        indent(o, ind + 1);
        sb_printf(o, "break;\n");
        indent(o, ind);
        sb_printf(o, "}\n");
        break;
    default:
        indent(o, ind);
        sb_printf(o, "%s = (%s)(%s);\n", dest, ct, SLOT(GALE_WIT_CORE_I32));
        break;
    }
#undef SLOT
}

/* ---- functions --------------------------------------------------------------- */

typedef struct fn_names {
    const char *c;          /* C function name (import wrapper or user export) */
    const char *params_t;   /* params struct type name */
} fn_names_t;

static const char *func_cname(gen_t *g, const gale_wit_iface_t *i, const gale_wit_func_t *f, bool exp)
{
    const char *pre = iface_prefix(g, i);
    const char *base;
    switch (f->kind) {
    case GALE_WIT_FUNC_METHOD: base = wit_fmt(g->ctx, "method_%s_%s", cid(g, f->resource->name), cid(g, f->name)); break;
    case GALE_WIT_FUNC_STATIC: base = wit_fmt(g->ctx, "static_%s_%s", cid(g, f->resource->name), cid(g, f->name)); break;
    case GALE_WIT_FUNC_CONSTRUCTOR: base = wit_fmt(g->ctx, "constructor_%s", cid(g, f->resource->name)); break;
    default: base = cid(g, f->name); break;
    }
    return wit_fmt(g->ctx, "%s%s_%s", exp ? "exports_" : "", pre, base);
}

/* flat slot list of the params (as one tuple) and of the result */
static void func_flat(const gale_wit_func_t *f, gale_wit_layout_t *pl, gale_wit_layout_t *rl)
{
    gale_wit_bytes_t b = {0};
    gale_wit_desc_func_t df;
    memset(&df, 0, sizeof df);
    memset(pl, 0, sizeof *pl);
    memset(rl, 0, sizeof *rl);
    if (gale_wit_desc_encode_func(f, 0, NULL, NULL, &b) == 0 && gale_wit_desc_func(b.data, b.len, &df) == 0)
        gale_wit_desc_func_flat(&df, pl, rl);
    gale_wit_bytes_free(&b);
}

static const char *param_list(gen_t *g, const gale_wit_func_t *f, const char *extra)
{
    const char *s = "";
    for (size_t i = 0; i < f->nparams; i++)
        s = wit_fmt(g->ctx, "%s%s%s %s", s, i ? ", " : "", ctype(g, f->params[i].type), cid(g, f->params[i].name));
    if (extra)
        s = wit_fmt(g->ctx, "%s%s%s", s, f->nparams ? ", " : "", extra);
    if (!*s)
        s = "void";
    return s;
}

static const char *core_params_decl(const gale_wit_core_sig_t *sig, gen_t *g, const char *var)
{
    const char *s = "";
    for (int i = 0; i < sig->nparams; i++)
        s = wit_fmt(g->ctx, "%s%s%s %s%d", s, i ? ", " : "", core_ctype(sig->params[i]), var, i);
    return *s ? s : "void";
}

static const char *core_params_types(const gale_wit_core_sig_t *sig, gen_t *g)
{
    const char *s = "";
    for (int i = 0; i < sig->nparams; i++)
        s = wit_fmt(g->ctx, "%s%s%s", s, i ? ", " : "", core_ctype(sig->params[i]));
    return *s ? s : "void";
}

static const char *params_struct(gen_t *g, const gale_wit_func_t *f, const char *cname)
{
    const char *name = wit_fmt(g->ctx, "%s_params_t", cname);
    if (was_emitted(g, name))
        return name;
    for (size_t i = 0; i < f->nparams; i++)
        ctype(g, f->params[i].type);
    mark_emitted(g, name);
    sb_printf(&g->types, "typedef struct %s {\n", name);
    for (size_t i = 0; i < f->nparams; i++)
        sb_printf(&g->types, "    %s %s;\n", ctype(g, f->params[i].type), cid(g, f->params[i].name));
    sb_printf(&g->types, "} %s;\n\n", name);
    return name;
}

static void gen_import(gen_t *g, const gale_wit_iface_t *iface, const gale_wit_func_t *f, bool async_lower)
{
    char mod[512], field[512];
    gale_wit_core_sig_t sig;
    gale_wit_core_name(iface, f, async_lower ? GALE_WIT_NAME_IMPORT_ASYNC : GALE_WIT_NAME_IMPORT, mod, sizeof mod,
                       field, sizeof field);
    gale_wit_func_core_sig(f, async_lower ? GALE_WIT_ABI_LOWER_ASYNC : GALE_WIT_ABI_LOWER_SYNC, &sig);
    gale_wit_layout_t pl, rl;
    func_flat(f, &pl, &rl);
    const char *cname = func_cname(g, iface, f, false);
    const char *wrapper = async_lower ? wit_fmt(g->ctx, "%s_async", cname) : cname;
    const char *rt = f->result ? ctype(g, f->result) : "void";
    const char *raw = wit_fmt(g->ctx, "gale_core_%s", wrapper);
    const char *ps = sig.params_indirect ? params_struct(g, f, cname) : NULL;

    sb_printf(&g->raw, "__attribute__((import_module(\"%s\"), import_name(\"%s\")))\nextern %s %s(%s);\n", mod, field,
              sig.nresults ? core_ctype(sig.results[0]) : "void", raw, core_params_types(&sig, g));

    /* prototype */
    const char *proto;
    if (async_lower) {
        const char *extra = f->result ? wit_fmt(g->ctx, "%s *out", rt) : NULL;
        if (ps)
            proto = wit_fmt(g->ctx, "uint32_t %s(const %s *params%s%s)", wrapper, ps, extra ? ", " : "", extra ? extra : "");
        else
            proto = wit_fmt(g->ctx, "uint32_t %s(%s)", wrapper, param_list(g, f, extra));
    } else {
        proto = wit_fmt(g->ctx, "%s %s(%s)", rt, wrapper, param_list(g, f, NULL));
    }
    if (f->docs)
        sb_printf(&g->h, "/* %s */\n", f->docs);
    if (async_lower)
        sb_printf(&g->h, "/* async-lowered `%s`: returns the packed status (gale_subtask_state/_handle);\n"
                         "   params%s must stay valid until the subtask has started, out until it returned. */\n",
                  f->name, ps ? " (the struct)" : "");
    sb_printf(&g->h, "%s;\n", proto);

    /* body */
    sb_printf(&g->c, "%s\n{\n", proto);
    if (!async_lower && f->result && rl.nflat > 1)
        sb_printf(&g->c, "    %s ret;\n", rt);
    const char *args = "";
    int ai = 0;
    if (sig.params_indirect) {
        if (async_lower) {
            args = "(int32_t)(uintptr_t)params";
        } else {
            const char *pst = params_struct(g, f, cname);
            sb_printf(&g->c, "    %s params = {", pst);
            for (size_t i = 0; i < f->nparams; i++)
                sb_printf(&g->c, "%s%s", i ? ", " : "", cid(g, f->params[i].name));
            sb_printf(&g->c, "};\n");
            args = "(int32_t)(uintptr_t)&params";
        }
        ai = 1;
    } else if (pl.nflat) {
        for (uint32_t k = 0; k < pl.nflat; k++)
            sb_printf(&g->c, "    %s gale_a%u = 0;\n", core_ctype(pl.flat[k]), k);
        uint32_t s = 0;
        for (size_t i = 0; i < f->nparams; i++) {
            gen_lower(g, &g->c, 1, f->params[i].type, cid(g, f->params[i].name), s, pl.flat, "gale_a");
            s += nflat(f->params[i].type);
        }
        for (uint32_t k = 0; k < pl.nflat; k++)
            args = wit_fmt(g->ctx, "%s%sgale_a%u", args, k ? ", " : "", k);
        ai = (int)pl.nflat;
    }
    if (async_lower) {
        if (f->result)
            args = wit_fmt(g->ctx, "%s%s(int32_t)(uintptr_t)out", args, ai ? ", " : "");
        sb_printf(&g->c, "    return (uint32_t)%s(%s);\n}\n\n", raw, args);
        return;
    }
    if (f->result && rl.nflat > 1) {
        args = wit_fmt(g->ctx, "%s%s(int32_t)(uintptr_t)&ret", args, ai ? ", " : "");
        sb_printf(&g->c, "    %s(%s);\n    return ret;\n}\n\n", raw, args);
    } else if (f->result) {
        sb_printf(&g->c, "    %s gale_r0 = %s(%s);\n    %s ret;\n", core_ctype(rl.flat[0]), raw, args, rt);
        gen_lift(g, &g->c, 1, f->result, "ret", 0, rl.flat, "gale_r");
        sb_printf(&g->c, "    return ret;\n}\n\n");
    } else {
        sb_printf(&g->c, "    %s(%s);\n}\n\n", raw, args);
    }
}

static void gen_export(gen_t *g, const gale_wit_iface_t *iface, const gale_wit_func_t *f)
{
    char mod[512], field[512];
    gale_wit_core_sig_t sig;
    bool as = f->is_async;
    gale_wit_core_name(iface, f, as ? GALE_WIT_NAME_EXPORT_ASYNC : GALE_WIT_NAME_EXPORT, mod, sizeof mod, field,
                       sizeof field);
    gale_wit_func_core_sig(f, as ? GALE_WIT_ABI_LIFT_ASYNC : GALE_WIT_ABI_LIFT_SYNC, &sig);
    gale_wit_layout_t pl, rl;
    func_flat(f, &pl, &rl);
    const char *user = func_cname(g, iface, f, true);
    const char *rt = f->result ? ctype(g, f->result) : "void";
    const char *glue = wit_fmt(g->ctx, "__gale_export_%s", user);

    /* the user implements these */
    if (f->docs)
        sb_printf(&g->h, "/* %s */\n", f->docs);
    if (as) {
        sb_printf(&g->h, "/* async export `%s` (callback-lifted): return a packed callback code\n"
                         "   (GALE_CALLBACK_EXIT, gale_callback_wait(set), GALE_CALLBACK_YIELD); finish with %s_return(). */\n",
                  f->name, user);
        sb_printf(&g->h, "uint32_t %s(%s);\n", user, param_list(g, f, NULL));
        sb_printf(&g->h, "uint32_t %s_callback(uint32_t event, uint32_t p1, uint32_t p2);\n", user);
        sb_printf(&g->h, "void %s_return(%s);\n", user, f->result ? wit_fmt(g->ctx, "%s ret", rt) : "void");
    } else {
        sb_printf(&g->h, "%s %s(%s);\n", rt, user, param_list(g, f, NULL));
    }

    /* glue: lift params, call, lower result */
    sb_printf(&g->c, "%s %s(%s);\n", sig.nresults ? core_ctype(sig.results[0]) : "void", glue,
              core_params_decl(&sig, g, "gale_a"));
    sb_printf(&g->c, "__attribute__((export_name(\"%s\")))\n%s %s(%s)\n{\n", field,
              sig.nresults ? core_ctype(sig.results[0]) : "void", glue, core_params_decl(&sig, g, "gale_a"));
    for (size_t i = 0; i < f->nparams; i++)
        sb_printf(&g->c, "    %s %s;\n", ctype(g, f->params[i].type), cid(g, f->params[i].name));
    if (sig.params_indirect) {
        const char *ps = params_struct(g, f, user);
        sb_printf(&g->c, "    const %s *params = (const %s *)(uintptr_t)(uint32_t)gale_a0;\n", ps, ps);
        for (size_t i = 0; i < f->nparams; i++)
            sb_printf(&g->c, "    %s = params->%s;\n", cid(g, f->params[i].name), cid(g, f->params[i].name));
    } else {
        uint32_t s = 0;
        for (size_t i = 0; i < f->nparams; i++) {
            gen_lift(g, &g->c, 1, f->params[i].type, cid(g, f->params[i].name), s, pl.flat, "gale_a");
            s += nflat(f->params[i].type);
        }
    }
    const char *args = "";
    for (size_t i = 0; i < f->nparams; i++)
        args = wit_fmt(g->ctx, "%s%s%s", args, i ? ", " : "", cid(g, f->params[i].name));
    if (as) {
        sb_printf(&g->c, "    return (int32_t)%s(%s);\n}\n\n", user, args);
        gale_wit_core_name(iface, f, GALE_WIT_NAME_CALLBACK, mod, sizeof mod, field, sizeof field);
        sb_printf(&g->c, "int32_t %s_cb(int32_t event, int32_t p1, int32_t p2);\n", glue);
        sb_printf(&g->c, "__attribute__((export_name(\"%s\")))\nint32_t %s_cb(int32_t event, int32_t p1, int32_t p2)\n{\n"
                         "    return (int32_t)%s_callback((uint32_t)event, (uint32_t)p1, (uint32_t)p2);\n}\n\n",
                  field, glue, user);
        /* task.return */
        gale_wit_core_sig_t ts;
        gale_wit_func_core_sig(f, GALE_WIT_ABI_TASK_RETURN, &ts);
        gale_wit_core_name(iface, f, GALE_WIT_NAME_TASK_RETURN, mod, sizeof mod, field, sizeof field);
        const char *raw = wit_fmt(g->ctx, "__gale_task_return_%s", user);
        sb_printf(&g->c, "__attribute__((import_module(\"%s\"), import_name(\"%s\")))\nextern void %s(%s);\n", mod, field,
                  raw, core_params_types(&ts, g));
        sb_printf(&g->c, "void %s_return(%s)\n{\n", user, f->result ? wit_fmt(g->ctx, "%s ret", rt) : "void");
        if (!f->result) {
            sb_printf(&g->c, "    %s();\n}\n\n", raw);
        } else if (ts.params_indirect) {
            sb_printf(&g->c, "    %s((int32_t)(uintptr_t)&ret);\n}\n\n", raw);
        } else {
            for (uint32_t k = 0; k < rl.nflat; k++)
                sb_printf(&g->c, "    %s gale_t%u = 0;\n", core_ctype(rl.flat[k]), k);
            gen_lower(g, &g->c, 1, f->result, "ret", 0, rl.flat, "gale_t");
            const char *targs = "";
            for (uint32_t k = 0; k < rl.nflat; k++)
                targs = wit_fmt(g->ctx, "%s%sgale_t%u", targs, k ? ", " : "", k);
            sb_printf(&g->c, "    %s(%s);\n}\n\n", raw, targs);
        }
        return;
    }
    if (!f->result) {
        sb_printf(&g->c, "    %s(%s);\n}\n\n", user, args);
    } else if (rl.nflat > 1) {
        sb_printf(&g->c, "    static %s ret_area;\n    ret_area = %s(%s);\n    return (int32_t)(uintptr_t)&ret_area;\n}\n\n",
                  rt, user, args);
    } else {
        sb_printf(&g->c, "    %s ret = %s(%s);\n    %s gale_r0 = 0;\n", rt, user, args, core_ctype(rl.flat[0]));
        gen_lower(g, &g->c, 1, f->result, "ret", 0, rl.flat, "gale_r");
        sb_printf(&g->c, "    return gale_r0;\n}\n\n");
    }
}


/* stream/future built-ins of the stream and future types in f's signature */
static void gen_endpoints(gen_t *g, const gale_wit_iface_t *iface, const gale_wit_func_t *f, bool exported)
{
    const gale_wit_type_t *eps[32];
    size_t nep = gale_wit_func_streams(f, eps, 32);
    bool unit_done[2] = {false, false};
    const char *cname = func_cname(g, iface, f, exported);
    static const char *const opn[GALE_WIT_EP_COUNT] = {"new", "read", "write", "cancel_read", "cancel_write",
                                                       "drop_readable", "drop_writable"};
    for (size_t k = 0; k < nep && k < 32; k++) {
        const gale_wit_type_t *t = gale_wit_type_deref(eps[k]);
        bool stream = t->kind == GALE_WIT_STREAM;
        if (!t->elem) {
            if (unit_done[stream])
                continue;
            unit_done[stream] = true;
        }
        const char *et = t->elem ? ctype(g, t->elem) : "void";
        const char *base = t->elem ? wit_fmt(g->ctx, "%s_%s%zu", cname, stream ? "stream" : "future", k)
                                   : wit_fmt(g->ctx, "%s_%s_unit", cname, stream ? "stream" : "future");
        sb_printf(&g->h, "/* %s<%s> of `%s`: packed results per the async ABI (GALE_BLOCKED, gale_copy_result/_count) */\n",
                  stream ? "stream" : "future", t->elem ? et : "", f->name);
        for (int op = 0; op < GALE_WIT_EP_COUNT; op++) {
            char mod[512], field[512];
            gale_wit_core_sig_t sig;
            gale_wit_endpoint_core_name(iface, f, t, (gale_wit_endpoint_op_t)op, exported, mod, sizeof mod, field,
                                        sizeof field, &sig);
            const char *raw = wit_fmt(g->ctx, "__gale_ep_%s_%s", base, opn[op]);
            sb_printf(&g->c, "__attribute__((import_module(\"%s\"), import_name(\"%s\")))\nextern %s %s(%s);\n", mod, field,
                      sig.nresults ? core_ctype(sig.results[0]) : "void", raw, core_params_types(&sig, g));
            const char *proto, *body;
            switch (op) {
            case GALE_WIT_EP_NEW:
                proto = wit_fmt(g->ctx, "uint64_t %s_new(void)", base);
                body = wit_fmt(g->ctx, "return (uint64_t)%s();", raw);
                break;
            case GALE_WIT_EP_READ: case GALE_WIT_EP_WRITE: {
                const char *cst = op == GALE_WIT_EP_WRITE ? "const " : "";
                if (stream) {
                    proto = wit_fmt(g->ctx, "uint32_t %s_%s(uint32_t end, %s%s *buf, size_t n)", base, opn[op], cst, et);
                    body = wit_fmt(g->ctx, "return (uint32_t)%s((int32_t)end, (int32_t)(uintptr_t)buf, (int32_t)n);", raw);
                } else {
                    proto = wit_fmt(g->ctx, "uint32_t %s_%s(uint32_t end, %s%s *buf)", base, opn[op], cst, et);
                    body = wit_fmt(g->ctx, "return (uint32_t)%s((int32_t)end, (int32_t)(uintptr_t)buf);", raw);
                }
                break;
            }
            case GALE_WIT_EP_CANCEL_READ: case GALE_WIT_EP_CANCEL_WRITE:
                proto = wit_fmt(g->ctx, "uint32_t %s_%s(uint32_t end)", base, opn[op]);
                body = wit_fmt(g->ctx, "return (uint32_t)%s((int32_t)end);", raw);
                break;
            default:
                proto = wit_fmt(g->ctx, "void %s_%s(uint32_t end)", base, opn[op]);
                body = wit_fmt(g->ctx, "%s((int32_t)end);", raw);
                break;
            }
            sb_printf(&g->h, "%s;\n", proto);
            sb_printf(&g->c, "%s\n{\n    %s\n}\n\n", proto, body);
        }
    }
}

/* ---- resources -------------------------------------------------------------- */

static void gen_import_resource(gen_t *g, const gale_wit_iface_t *iface, const gale_wit_type_t *r)
{
    char mod[512], field[512];
    const char *st = stem(g, r);
    const char *own = ctype(g, r); /* value position = own */
    gale_wit_type_t b = {0};
    b.kind = GALE_WIT_BORROW;
    b.elem = (gale_wit_type_t *)r;
    const char *bor = define(g, &b, wit_fmt(g->ctx, "%s_borrow_t", st));
    gale_wit_resource_core_name(iface, r, GALE_WIT_RNAME_DROP, mod, sizeof mod, field, sizeof field);
    sb_printf(&g->h, "/* resource %s */\nvoid %s_drop_own(%s handle);\n%s %s_borrow(%s handle);\n", r->name, st, own, bor,
              st, own);
    sb_printf(&g->raw, "__attribute__((import_module(\"%s\"), import_name(\"%s\")))\nextern void gale_core_%s_drop(int32_t);\n",
              mod, field, st);
    sb_printf(&g->c, "void %s_drop_own(%s handle)\n{\n    gale_core_%s_drop(handle.handle);\n}\n\n"
                     "%s %s_borrow(%s handle)\n{\n    %s b = {handle.handle};\n    return b;\n}\n\n",
              st, own, st, bor, st, own, bor);
    for (size_t k = 0; k < r->nfuncs; k++) {
        gen_import(g, iface, r->funcs[k], false);
        if (r->funcs[k]->is_async)
            gen_import(g, iface, r->funcs[k], true);
        gen_endpoints(g, iface, r->funcs[k], false);
    }
}

static void gen_export_resource(gen_t *g, const gale_wit_iface_t *iface, const gale_wit_type_t *r)
{
    char mod[512], field[512];
    const char *st = stem(g, r);
    const char *own = ctype(g, r);
    const char *rep = wit_fmt(g->ctx, "%s_rep_t", st);
    sb_printf(&g->h, "/* exported resource %s: the component defines struct %s (its representation) */\n"
                     "typedef struct %s %s;\n%s exports_%s_new(%s *rep);\n%s *exports_%s_rep(%s handle);\nvoid exports_%s_drop_own(%s handle);\n"
                     "void exports_%s_destructor(%s *rep);\n",
              r->name, rep, rep, rep, own, st, rep, rep, st, own, st, own, st, rep);
    static const gale_wit_rname_kind_t kinds[3] = {GALE_WIT_RNAME_EXPORT_NEW, GALE_WIT_RNAME_EXPORT_REP,
                                                   GALE_WIT_RNAME_EXPORT_DROP};
    static const char *const kn[3] = {"new", "rep", "drop"};
    for (int k = 0; k < 3; k++) {
        gale_wit_resource_core_name(iface, r, kinds[k], mod, sizeof mod, field, sizeof field);
        sb_printf(&g->c, "__attribute__((import_module(\"%s\"), import_name(\"%s\")))\nextern %s __gale_res_%s_%s(int32_t);\n",
                  mod, field, k == 2 ? "void" : "int32_t", kn[k], st);
    }
    sb_printf(&g->c, "%s exports_%s_new(%s *rep)\n{\n    %s h = {__gale_res_new_%s((int32_t)(uintptr_t)rep)};\n    return h;\n}\n\n"
                     "%s *exports_%s_rep(%s handle)\n{\n    return (%s *)(uintptr_t)(uint32_t)__gale_res_rep_%s(handle.handle);\n}\n\n"
                     "void exports_%s_drop_own(%s handle)\n{\n    __gale_res_drop_%s(handle.handle);\n}\n\n",
              own, st, rep, own, st, rep, st, own, rep, st, st, own, st);
    gale_wit_resource_core_name(iface, r, GALE_WIT_RNAME_DTOR, mod, sizeof mod, field, sizeof field);
    sb_printf(&g->c, "void __gale_dtor_%s(int32_t rep);\n", st);
    sb_printf(&g->c, "__attribute__((export_name(\"%s\")))\nvoid __gale_dtor_%s(int32_t rep)\n{\n"
                     "    exports_%s_destructor((%s *)(uintptr_t)(uint32_t)rep);\n}\n\n",
              field, st, st, rep);
    for (size_t k = 0; k < r->nfuncs; k++) {
        gen_export(g, iface, r->funcs[k]);
        gen_endpoints(g, iface, r->funcs[k], true);
    }
}

static void gen_iface(gen_t *g, const gale_wit_iface_t *iface, bool is_import)
{
    sb_printf(&g->h, "\n/* ---- %s %s ---- */\n", is_import ? "import" : "export", gale_wit_iface_qualname(iface));
    for (size_t t = 0; t < iface->ntypes; t++) {
        const gale_wit_type_t *ty = iface->types[t];
        if (ty->kind == GALE_WIT_RESOURCE) {
            if (is_import)
                gen_import_resource(g, iface, ty);
            else
                gen_export_resource(g, iface, ty);
        } else if (gale_wit_type_deref(ty)->kind != GALE_WIT_RESOURCE) {
            ctype(g, ty);
        }
    }
    for (size_t k = 0; k < iface->nfuncs; k++) {
        if (is_import) {
            gen_import(g, iface, iface->funcs[k], false);
            if (iface->funcs[k]->is_async)
                gen_import(g, iface, iface->funcs[k], true);
        } else {
            gen_export(g, iface, iface->funcs[k]);
        }
        gen_endpoints(g, iface, iface->funcs[k], !is_import);
    }
}

static int write_file(const char *dir, const char *name, const sb_t *parts[], size_t n, char *err, size_t errn)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        snprintf(err, errn, "%s: cannot write: %s", path, strerror(errno));
        return GALE_EIO;
    }
    for (size_t i = 0; i < n; i++)
        if (parts[i]->len)
            fwrite(parts[i]->p, 1, parts[i]->len, fp);
    if (fclose(fp) != 0) {
        snprintf(err, errn, "%s: write failed", path);
        return GALE_EIO;
    }
    return 0;
}

static void sb_free(sb_t *s)
{
    free(s->p);
    s->p = NULL;
    s->len = s->cap = 0;
}

int gale_wit_bindgen_c_guest(gale_wit_ctx_t *ctx, const gale_wit_world_t *w, const char *outdir, char *err, size_t errn)
{
    gen_t g;
    memset(&g, 0, sizeof g);
    g.ctx = ctx;
    g.world = w;
    g.wname = cid(&g, w->name);
    const char *guard = wit_fmt(ctx, "GALE_BINDINGS_%s_H", g.wname);
    char *gu = (char *)guard;
    for (; *gu; gu++)
        *gu = (char)toupper((unsigned char)*gu);
    sb_t head = {0}, tail = {0}, chead = {0}, rawhead = {0};
    sb_printf(&head, "/* Generated by `gale bindgen --lang c` from world %s:%s. Do not edit. */\n#ifndef %s\n#define %s\n\n"
                     "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n#include \"gale_guest.h\"\n\n",
              w->pkg->id, w->name, guard, guard);
    sb_printf(&chead, "/* Generated by `gale bindgen --lang c` from world %s:%s. Do not edit. */\n#include \"%s.h\"\n\n"
                      "/* the canonical ABI allocator (memory for lifted strings and lists) */\n"
                      "void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size);\n"
                      "__attribute__((export_name(\"cabi_realloc\")))\nvoid *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size)\n{\n"
                      "    return gale_guest_realloc(ptr, old_size, align, new_size);\n}\n\n",
              w->pkg->id, w->name, g.wname);
    for (size_t k = 0; k < w->nimports; k++) {
        const gale_wit_item_t *it = &w->imports[k];
        if (it->kind == GALE_WIT_ITEM_IFACE) {
            gen_iface(&g, it->iface, true);
        } else if (it->kind == GALE_WIT_ITEM_FUNC) {
            gen_import(&g, NULL, it->func, false);
            if (it->func->is_async)
                gen_import(&g, NULL, it->func, true);
            gen_endpoints(&g, NULL, it->func, false);
        }
    }
    for (size_t t = 0; t < w->scope->ntypes; t++)
        if (w->scope->types[t]->kind != GALE_WIT_RESOURCE)
            ctype(&g, w->scope->types[t]);
    for (size_t k = 0; k < w->nexports; k++) {
        const gale_wit_item_t *it = &w->exports[k];
        if (it->kind == GALE_WIT_ITEM_IFACE)
            gen_iface(&g, it->iface, false);
        else if (it->kind == GALE_WIT_ITEM_FUNC) {
            gen_export(&g, NULL, it->func);
            gen_endpoints(&g, NULL, it->func, true);
        }
    }
    if (g.raw.len)
        sb_printf(&rawhead, "\n/* ---- core imports ----\n"
                            " * The core functions the typed wrappers above call: the exact wit-component\n"
                            " * module/field names and canonical-ABI core signatures (flat parameters, then\n"
                            " * the return pointer when the result does not fit one core value; for\n"
                            " * `[async-lower]` imports the packed status is returned). They lower and check\n"
                            " * nothing: use the typed wrappers. Meant for hand lowering, e.g. tests that hand\n"
                            " * the host malformed input. Names: gale_core_<wrapper>, gale_core_<R>_drop. */\n");
    sb_printf(&tail, "\n#endif /* %s */\n", guard);
    const sb_t *hp[] = {&head, &g.types, &g.h, &rawhead, &g.raw, &tail};
    const sb_t *cp[] = {&chead, &g.c};
    int rc = write_file(outdir, wit_fmt(ctx, "%s.h", g.wname), hp, 6, err, errn);
    if (!rc)
        rc = write_file(outdir, wit_fmt(ctx, "%s.c", g.wname), cp, 2, err, errn);
    sb_free(&head);
    sb_free(&tail);
    sb_free(&chead);
    sb_free(&rawhead);
    sb_free(&g.raw);
    sb_free(&g.h);
    sb_free(&g.c);
    sb_free(&g.types);
    return rc;
}

/* ---- host tables ------------------------------------------------------------ */

typedef struct host_gen {
    gen_t *g;
    const gale_wit_type_t **res;
    const gale_wit_iface_t **res_iface;
    size_t nres;
} host_gen_t;

static uint32_t host_rid(void *user, const gale_wit_type_t *r)
{
    host_gen_t *hg = user;
    for (size_t i = 0; i < hg->nres; i++)
        if (hg->res[i] == r)
            return (uint32_t)i;
    return UINT32_MAX;
}

static const char *upper(gen_t *g, const char *s)
{
    char *d = wit_strdup(g->ctx, s);
    for (char *q = d; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    return d;
}

static void host_sig(sb_t *o, const gale_wit_core_sig_t *s)
{
    sb_printf(o, "{%u, %u, {", s->nparams, s->nresults);
    for (int i = 0; i < s->nparams; i++)
        sb_printf(o, "%s0x%02x", i ? ", " : "", s->params[i]);
    sb_printf(o, "}, {%s}, %s, %s}", s->nresults ? (s->results[0] == GALE_WIT_CORE_I32 ? "0x7f" : s->results[0] == GALE_WIT_CORE_I64 ? "0x7e" : s->results[0] == GALE_WIT_CORE_F32 ? "0x7d" : "0x7c") : "0",
              s->params_indirect ? "true" : "false", s->results_indirect ? "true" : "false");
}

static void host_entry(host_gen_t *hg, sb_t *tab, sb_t *data, sb_t *en, const gale_wit_iface_t *iface,
                       const gale_wit_func_t *f, size_t idx)
{
    gen_t *g = hg->g;
    char mod[512], field[512], fa[512], mangled[512];
    gale_wit_func_mangled(f, mangled, sizeof mangled);
    gale_wit_core_name(iface, f, GALE_WIT_NAME_IMPORT, mod, sizeof mod, field, sizeof field);
    gale_wit_core_name(iface, f, GALE_WIT_NAME_IMPORT_ASYNC, mod, sizeof mod, fa, sizeof fa);
    gale_wit_bytes_t b = {0};
    gale_wit_desc_encode_func(f, GALE_WIT_DESC_NAMES, host_rid, hg, &b);
    sb_printf(data, "static const uint8_t desc_%zu[%zu] = {", idx, b.len);
    for (size_t i = 0; i < b.len; i++)
        sb_printf(data, "%s0x%02x", i ? ", " : "", b.data[i]);
    sb_printf(data, "};\n");
    gale_wit_core_sig_t ss, sa;
    memset(&sa, 0, sizeof sa);
    gale_wit_func_core_sig(f, GALE_WIT_ABI_LOWER_SYNC, &ss);
    if (f->is_async)
        gale_wit_func_core_sig(f, GALE_WIT_ABI_LOWER_ASYNC, &sa);
    uint32_t rid = f->resource ? host_rid(hg, f->resource) : UINT32_MAX;
    sb_printf(tab, "    {GALE_WIT_HOST_FUNC, %d, %zu, \"%s\", \"%s\", \"%s\", \"%s\", %s%s%s, desc_%zu, %s, ", f->is_async ? 1 : 0,
              b.len, gale_wit_iface_qualname(iface), mangled, mod, field, f->is_async ? "\"" : "",
              f->is_async ? fa : "NULL", f->is_async ? "\"" : "", idx, rid == UINT32_MAX ? "UINT32_MAX" : wit_fmt(g->ctx, "%uu", rid));
    host_sig(tab, &ss);
    sb_printf(tab, ", ");
    host_sig(tab, &sa);
    sb_printf(tab, "},\n");
    const char *ename = wit_fmt(g->ctx, "%s_IMPORT_%s_%s", upper(g, g->wname), upper(g, cid(g, iface && !iface->is_world_scope ? iface->name : "root")),
                                upper(g, cid(g, f->resource ? wit_fmt(g->ctx, "%s-%s", f->resource->name, f->kind == GALE_WIT_FUNC_CONSTRUCTOR ? "new" : f->name) : f->name)));
    sb_printf(en, "    %s = %zu,\n", ename, idx);
    gale_wit_bytes_free(&b);
}


/* ---- gale_cm_type_t trees for the component layer (src/cm's runtime types) ---- */

typedef struct cm_gen {
    gen_t *g;
    host_gen_t *hg;
    sb_t defs;
    const gale_wit_type_t **done;
    const char **names;
    size_t ndone;
    unsigned next;
} cm_gen_t;

static const char *cm_prim(gale_wit_kind_t k)
{
    switch (k) {
    case GALE_WIT_BOOL: return "&gale_cm_t_bool";
    case GALE_WIT_S8: return "&gale_cm_t_s8";
    case GALE_WIT_U8: return "&gale_cm_t_u8";
    case GALE_WIT_S16: return "&gale_cm_t_s16";
    case GALE_WIT_U16: return "&gale_cm_t_u16";
    case GALE_WIT_S32: return "&gale_cm_t_s32";
    case GALE_WIT_U32: return "&gale_cm_t_u32";
    case GALE_WIT_S64: return "&gale_cm_t_s64";
    case GALE_WIT_U64: return "&gale_cm_t_u64";
    case GALE_WIT_F32: return "&gale_cm_t_f32";
    case GALE_WIT_F64: return "&gale_cm_t_f64";
    case GALE_WIT_CHAR: return "&gale_cm_t_char";
    case GALE_WIT_STRING: return "&gale_cm_t_string";
    default: return NULL;
    }
}

static const char *cm_type(cm_gen_t *cg, const gale_wit_type_t *t)
{
    gen_t *g = cg->g;
    if (!t)
        return "NULL";
    const gale_wit_type_t *d = gale_wit_type_deref(t);
    const char *p = cm_prim(d->kind);
    if (p)
        return p;
    for (size_t i = 0; i < cg->ndone; i++)
        if (cg->done[i] == d)
            return cg->names[i];
    /* children first */
    const char *elem = "NULL", *members = "NULL", *names = "NULL";
    uint32_t n = 0, res = 0;
    const char *kind = NULL;
    switch (d->kind) {
    case GALE_WIT_LIST: kind = "GALE_CM_LIST"; elem = cm_type(cg, d->elem); break;
    case GALE_WIT_FIXED_LIST: kind = "GALE_CM_LIST"; elem = cm_type(cg, d->elem); n = d->len; break;
    case GALE_WIT_OPTION: kind = "GALE_CM_OPTION"; elem = cm_type(cg, d->elem); break;
    case GALE_WIT_FUTURE: kind = "GALE_CM_FUTURE"; elem = cm_type(cg, d->elem); break;
    case GALE_WIT_STREAM: kind = "GALE_CM_STREAM"; elem = cm_type(cg, d->elem); break;
    case GALE_WIT_ERROR_CONTEXT: kind = "GALE_CM_ERROR_CONTEXT"; break;
    case GALE_WIT_OWN: case GALE_WIT_BORROW:
        kind = d->kind == GALE_WIT_OWN ? "GALE_CM_OWN" : "GALE_CM_BORROW";
        res = host_rid(cg->hg, gale_wit_type_deref(d->elem));
        break;
    case GALE_WIT_RESOURCE:
        kind = "GALE_CM_OWN";
        res = host_rid(cg->hg, d);
        break;
    case GALE_WIT_RESULT: {
        kind = "GALE_CM_RESULT";
        n = 2;
        const char *ok = cm_type(cg, d->ok), *err = cm_type(cg, d->err);
        members = wit_fmt(g->ctx, "cm_m%u", cg->next++);
        sb_printf(&cg->defs, "static const gale_cm_type_t *const %s[2] = {%s, %s};\n", members, ok, err);
        break;
    }
    case GALE_WIT_TUPLE: case GALE_WIT_RECORD: case GALE_WIT_VARIANT: case GALE_WIT_ENUM: case GALE_WIT_FLAGS: {
        kind = d->kind == GALE_WIT_TUPLE ? "GALE_CM_TUPLE" : d->kind == GALE_WIT_RECORD ? "GALE_CM_RECORD"
             : d->kind == GALE_WIT_VARIANT ? "GALE_CM_VARIANT" : d->kind == GALE_WIT_ENUM ? "GALE_CM_ENUM" : "GALE_CM_FLAGS";
        n = (uint32_t)d->ncases;
        if (d->kind != GALE_WIT_ENUM && d->kind != GALE_WIT_FLAGS) {
            const char **ms = wit_alloc(g->ctx, (d->ncases + 1) * sizeof *ms);
            for (size_t i = 0; i < d->ncases; i++)
                ms[i] = cm_type(cg, d->cases[i].type);
            members = wit_fmt(g->ctx, "cm_m%u", cg->next++);
            sb_printf(&cg->defs, "static const gale_cm_type_t *const %s[%zu] = {", members, d->ncases);
            for (size_t i = 0; i < d->ncases; i++)
                sb_printf(&cg->defs, "%s%s", i ? ", " : "", ms[i]);
            sb_printf(&cg->defs, "};\n");
        }
        if (d->kind != GALE_WIT_TUPLE) {
            names = wit_fmt(g->ctx, "cm_n%u", cg->next++);
            sb_printf(&cg->defs, "static const char *const %s[%zu] = {", names, d->ncases);
            for (size_t i = 0; i < d->ncases; i++)
                sb_printf(&cg->defs, "%s\"%s\"", i ? ", " : "", d->cases[i].name);
            sb_printf(&cg->defs, "};\n");
        }
        break;
    }
    default:
        kind = "0";
        break;
    }
    const char *name = wit_fmt(g->ctx, "&cm_t%u", cg->next++);
    sb_printf(&cg->defs, "static const gale_cm_type_t %s = {%s, %u, %s, %s, %u, %s};%s%s\n", name + 1, kind, n, elem,
              members, res, names, d->name ? " /* " : "", d->name ? wit_fmt(g->ctx, "%s */", d->name) : "");
    size_t k = cg->ndone;
    WIT_PUSH(g->ctx, cg->done, k, d);
    WIT_PUSH(g->ctx, cg->names, cg->ndone, name);
    return name;
}

static void cm_func(cm_gen_t *cg, sb_t *tab, const gale_wit_func_t *f, const gale_wit_type_t *drop_res)
{
    gen_t *g = cg->g;
    const char *ps[64];
    size_t np = 0;
    if (drop_res) {
        ps[np++] = cm_type(cg, drop_res); /* own<R> */
    } else {
        for (size_t i = 0; i < f->nparams && np < 64; i++)
            ps[np++] = cm_type(cg, f->params[i].type);
    }
    const char *res = f && f->result ? cm_type(cg, f->result) : "NULL";
    const char *arr = "NULL";
    if (np) {
        arr = wit_fmt(g->ctx, "cm_p%u", cg->next++);
        sb_printf(&cg->defs, "static const gale_cm_type_t *const %s[%zu] = {", arr, np);
        for (size_t i = 0; i < np; i++)
            sb_printf(&cg->defs, "%s%s", i ? ", " : "", ps[i]);
        sb_printf(&cg->defs, "};\n");
    }
    sb_printf(tab, "    {%zu, %s, %s, %s},\n", np, arr, res, f && f->is_async ? "true" : "false");
}

static int gen_cm_types(gen_t *g, host_gen_t *hg, const gale_wit_world_t *w, const char *outdir, char *err, size_t errn)
{
    cm_gen_t cg;
    memset(&cg, 0, sizeof cg);
    cg.g = g;
    cg.hg = hg;
    sb_t tab = {0}, h = {0}, c = {0};
    size_t idx = 0;
    const char *W = upper(g, g->wname);
    for (size_t k = 0; k < w->nimports; k++) {
        const gale_wit_item_t *it = &w->imports[k];
        if (it->kind == GALE_WIT_ITEM_FUNC) {
            cm_func(&cg, &tab, it->func, NULL);
            idx++;
            continue;
        }
        if (it->kind != GALE_WIT_ITEM_IFACE)
            continue;
        const gale_wit_iface_t *i = it->iface;
        for (size_t t = 0; t < i->ntypes; t++) {
            const gale_wit_type_t *r = i->types[t];
            if (r->kind != GALE_WIT_RESOURCE)
                continue;
            cm_func(&cg, &tab, NULL, r);
            idx++;
            for (size_t f = 0; f < r->nfuncs; f++, idx++)
                cm_func(&cg, &tab, r->funcs[f], NULL);
        }
        for (size_t f = 0; f < i->nfuncs; f++, idx++)
            cm_func(&cg, &tab, i->funcs[f], NULL);
    }
    sb_printf(&h, "/* Generated by `gale bindgen --host` from world %s:%s. Do not edit.\n"
                  " * The import functions' types as src/cm runtime types (gale_cm_functype_t),\n"
                  " * indexed like %s_host.imports (%s_IMPORT_*); resource ids as there. */\n"
                  "#ifndef GALE_CM_TYPES_%s_H\n#define GALE_CM_TYPES_%s_H\n\n#include \"gale/cm.h\"\n#include \"%s_host.h\"\n\n"
                  "extern const gale_cm_functype_t %s_cm_functypes[%s_NUM_IMPORTS];\n\n#endif\n",
              w->pkg->id, w->name, g->wname, W, W, W, g->wname, g->wname, W);
    sb_printf(&c, "/* Generated by `gale bindgen --host` from world %s:%s. Do not edit. */\n#include \"%s_cm_types.h\"\n\n%s\n"
                  "const gale_cm_functype_t %s_cm_functypes[%s_NUM_IMPORTS] = {\n%s};\n",
              w->pkg->id, w->name, g->wname, cg.defs.p ? cg.defs.p : "", g->wname, W, tab.p ? tab.p : "");
    (void)idx;
    const sb_t *hp[] = {&h};
    const sb_t *cp[] = {&c};
    int rc = write_file(outdir, wit_fmt(g->ctx, "%s_cm_types.h", g->wname), hp, 1, err, errn);
    if (!rc)
        rc = write_file(outdir, wit_fmt(g->ctx, "%s_cm_types.c", g->wname), cp, 1, err, errn);
    sb_free(&h);
    sb_free(&c);
    sb_free(&tab);
    sb_free(&cg.defs);
    return rc;
}

int gale_wit_bindgen_c_host(gale_wit_ctx_t *ctx, const gale_wit_world_t *w, const char *outdir, char *err, size_t errn)
{
    gen_t g;
    memset(&g, 0, sizeof g);
    g.ctx = ctx;
    g.world = w;
    g.wname = cid(&g, w->name);
    host_gen_t hg = {&g, NULL, NULL, 0};
    /* resource ids: every resource of every imported interface, in order */
    for (size_t k = 0; k < w->nimports; k++) {
        const gale_wit_item_t *it = &w->imports[k];
        if (it->kind != GALE_WIT_ITEM_IFACE)
            continue;
        for (size_t t = 0; t < it->iface->ntypes; t++)
            if (it->iface->types[t]->kind == GALE_WIT_RESOURCE) {
                size_t n = hg.nres;
                WIT_PUSH(ctx, hg.res, n, it->iface->types[t]);
                WIT_PUSH(ctx, hg.res_iface, hg.nres, it->iface);
            }
    }
    sb_t h = {0}, c = {0}, tab = {0}, data = {0}, en = {0};
    const char *W = upper(&g, g.wname);
    size_t idx = 0;
    for (size_t k = 0; k < w->nimports; k++) {
        const gale_wit_item_t *it = &w->imports[k];
        if (it->kind == GALE_WIT_ITEM_FUNC) {
            host_entry(&hg, &tab, &data, &en, NULL, it->func, idx++);
            continue;
        }
        if (it->kind != GALE_WIT_ITEM_IFACE)
            continue;
        const gale_wit_iface_t *i = it->iface;
        for (size_t t = 0; t < i->ntypes; t++) {
            const gale_wit_type_t *r = i->types[t];
            if (r->kind != GALE_WIT_RESOURCE)
                continue;
            char mod[512], field[512];
            gale_wit_resource_core_name(i, r, GALE_WIT_RNAME_DROP, mod, sizeof mod, field, sizeof field);
            sb_printf(&tab, "    {GALE_WIT_HOST_RESOURCE_DROP, 0, 0, \"%s\", \"%s\", \"%s\", \"%s\", NULL, NULL, %uu, "
                            "{1, 0, {0x7f}, {0}, false, false}, {0, 0, {0}, {0}, false, false}},\n",
                      gale_wit_iface_qualname(i), field, mod, field, host_rid(&hg, r));
            sb_printf(&en, "    %s_IMPORT_%s_%s_DROP = %zu,\n", W, upper(&g, cid(&g, i->name)), upper(&g, cid(&g, r->name)), idx);
            idx++;
            for (size_t f = 0; f < r->nfuncs; f++)
                host_entry(&hg, &tab, &data, &en, i, r->funcs[f], idx++);
        }
        for (size_t f = 0; f < i->nfuncs; f++)
            host_entry(&hg, &tab, &data, &en, i, i->funcs[f], idx++);
    }
    sb_printf(&h, "/* Generated by `gale bindgen --host` from world %s:%s. Do not edit.\n"
                  " * Host-side import table: register one implementation per entry. */\n"
                  "#ifndef GALE_HOST_%s_H\n#define GALE_HOST_%s_H\n\n#include \"gale/wit/desc.h\"\n\n"
                  "enum {\n%s    %s_NUM_IMPORTS = %zu,\n    %s_NUM_RESOURCES = %zu,\n};\n\n"
                  "extern const gale_wit_host_world_t %s_host;\n\n#endif\n",
              w->pkg->id, w->name, W, W, en.p ? en.p : "", W, idx, W, hg.nres, g.wname);
    sb_printf(&c, "/* Generated by `gale bindgen --host` from world %s:%s. Do not edit. */\n#include \"%s_host.h\"\n\n%s\n"
                  "static const char *const resources[%zu] = {\n",
              w->pkg->id, w->name, g.wname, data.p ? data.p : "", hg.nres ? hg.nres : 1);
    for (size_t r = 0; r < hg.nres; r++)
        sb_printf(&c, "    \"%s#%s\",\n", gale_wit_iface_qualname(hg.res_iface[r]), hg.res[r]->name);
    sb_printf(&c, "};\n\nstatic const gale_wit_host_import_t imports[%zu] = {\n%s};\n\n"
                  "const gale_wit_host_world_t %s_host = {\"%s\", \"%s\", imports, %zu, resources, %zu};\n",
              idx ? idx : 1, tab.p ? tab.p : "", g.wname, w->pkg->id, w->name, idx, hg.nres);
    const sb_t *hp[] = {&h};
    const sb_t *cp[] = {&c};
    int rc = write_file(outdir, wit_fmt(ctx, "%s_host.h", g.wname), hp, 1, err, errn);
    if (!rc)
        rc = write_file(outdir, wit_fmt(ctx, "%s_host.c", g.wname), cp, 1, err, errn);
    if (!rc)
        rc = gen_cm_types(&g, &hg, w, outdir, err, errn);
    sb_free(&h);
    sb_free(&c);
    sb_free(&tab);
    sb_free(&data);
    sb_free(&en);
    return rc;
}
