/* Structural equality of resolved WIT types, functions and interfaces: the
 * contract check used when one system's import is bound to another's export. */
#include <stdio.h>
#include <string.h>

#include "wit_internal.h"

static int why_fmt(char *why, size_t n, const char *fmt, const char *a, const char *b)
{
    if (why && n)
        snprintf(why, n, fmt, a ? a : "", b ? b : "");
    return GALE_EINVALID;
}

static const char *kind_name(gale_wit_kind_t k)
{
    switch (k) {
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
    case GALE_WIT_CHAR: return "char";
    case GALE_WIT_STRING: return "string";
    case GALE_WIT_ERROR_CONTEXT: return "error-context";
    case GALE_WIT_LIST: return "list";
    case GALE_WIT_FIXED_LIST: return "fixed-size list";
    case GALE_WIT_OPTION: return "option";
    case GALE_WIT_RESULT: return "result";
    case GALE_WIT_TUPLE: return "tuple";
    case GALE_WIT_RECORD: return "record";
    case GALE_WIT_VARIANT: return "variant";
    case GALE_WIT_ENUM: return "enum";
    case GALE_WIT_FLAGS: return "flags";
    case GALE_WIT_OWN: return "own";
    case GALE_WIT_BORROW: return "borrow";
    case GALE_WIT_FUTURE: return "future";
    case GALE_WIT_STREAM: return "stream";
    case GALE_WIT_RESOURCE: return "resource";
    default: return "?";
    }
}

static int eq_type(const gale_wit_type_t *a, const gale_wit_type_t *b, char *why, size_t n, int depth);

/* resource pairs under comparison (host tool: single-threaded use) */
static const gale_wit_type_t *res_stack[16][2];
static int res_depth;

static int eq_func_inner(const gale_wit_func_t *a, const gale_wit_func_t *b, char *why, size_t n, int depth)
{
    if (strcmp(a->name, b->name) != 0)
        return why_fmt(why, n, "function `%s` vs `%s`", a->name, b->name);
    if (a->kind != b->kind)
        return why_fmt(why, n, "function `%s`: kinds differ (method/static/constructor)%s", a->name, NULL);
    if (a->is_async != b->is_async)
        return why_fmt(why, n, "function `%s`: one is `async`, the other not%s", a->name, NULL);
    if (a->nparams != b->nparams)
        return why_fmt(why, n, "function `%s`: parameter counts differ%s", a->name, NULL);
    for (size_t i = 0; i < a->nparams; i++) {
        if (strcmp(a->params[i].name, b->params[i].name) != 0)
            return why_fmt(why, n, "parameter `%s` vs `%s`", a->params[i].name, b->params[i].name);
        int rc = eq_type(a->params[i].type, b->params[i].type, why, n, depth + 1);
        if (rc) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s", why ? why : "");
            if (why)
                snprintf(why, n, "function `%s`, parameter `%s`: %s", a->name, a->params[i].name, tmp);
            return rc;
        }
    }
    if (!a->result != !b->result)
        return why_fmt(why, n, "function `%s`: one has a result, the other not%s", a->name, NULL);
    if (a->result) {
        int rc = eq_type(a->result, b->result, why, n, depth + 1);
        if (rc) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s", why ? why : "");
            if (why)
                snprintf(why, n, "function `%s`, result: %s", a->name, tmp);
            return rc;
        }
    }
    return 0;
}

static int eq_type(const gale_wit_type_t *a, const gale_wit_type_t *b, char *why, size_t n, int depth)
{
    a = gale_wit_type_deref(a);
    b = gale_wit_type_deref(b);
    if (a == b)
        return 0;
    if (!a || !b)
        return why_fmt(why, n, "a payload is present on one side only%s%s", NULL, NULL);
    if (depth > 64)
        return why_fmt(why, n, "types nest too deeply%s%s", NULL, NULL);
    if (a->kind != b->kind)
        return why_fmt(why, n, "%s vs %s", kind_name(a->kind), kind_name(b->kind));
    int rc;
    switch (a->kind) {
    case GALE_WIT_LIST: case GALE_WIT_OPTION: case GALE_WIT_FUTURE: case GALE_WIT_STREAM:
    case GALE_WIT_OWN: case GALE_WIT_BORROW:
        return eq_type(a->elem, b->elem, why, n, depth + 1);
    case GALE_WIT_FIXED_LIST:
        if (a->len != b->len)
            return why_fmt(why, n, "fixed-size list lengths differ%s%s", NULL, NULL);
        return eq_type(a->elem, b->elem, why, n, depth + 1);
    case GALE_WIT_RESULT:
        if ((rc = eq_type(a->ok, b->ok, why, n, depth + 1)))
            return rc;
        return eq_type(a->err, b->err, why, n, depth + 1);
    case GALE_WIT_TUPLE: case GALE_WIT_RECORD: case GALE_WIT_VARIANT: case GALE_WIT_ENUM: case GALE_WIT_FLAGS:
        if (a->ncases != b->ncases)
            return why_fmt(why, n, "`%s`: number of fields/cases differs (vs `%s`)", a->name ? a->name : kind_name(a->kind),
                           b->name ? b->name : kind_name(b->kind));
        for (size_t i = 0; i < a->ncases; i++) {
            if (a->cases[i].name && (!b->cases[i].name || strcmp(a->cases[i].name, b->cases[i].name) != 0))
                return why_fmt(why, n, "field/case `%s` vs `%s`", a->cases[i].name, b->cases[i].name);
            if ((rc = eq_type(a->cases[i].type, b->cases[i].type, why, n, depth + 1)))
                return rc;
        }
        return 0;
    case GALE_WIT_RESOURCE: {
        if (strcmp(a->name, b->name) != 0)
            return why_fmt(why, n, "resource `%s` vs `%s`", a->name, b->name);
        /* coinductive: a pair already being compared is assumed equal */
        for (int k = 0; k < res_depth; k++)
            if (res_stack[k][0] == a && res_stack[k][1] == b)
                return 0;
        if (res_depth >= 16)
            return why_fmt(why, n, "resource `%s`: too many nested resources%s", a->name, NULL);
        res_stack[res_depth][0] = a;
        res_stack[res_depth][1] = b;
        res_depth++;
        if (a->nfuncs != b->nfuncs) {
            res_depth--;
            return why_fmt(why, n, "resource `%s`: function counts differ%s", a->name, NULL);
        }
        for (size_t i = 0; i < a->nfuncs; i++) {
            /* a method's self param refers back to the resource: compare by name at depth */
            if ((rc = eq_func_inner(a->funcs[i], b->funcs[i], why, n, depth + 1))) {
                res_depth--;
                return rc;
            }
        }
        res_depth--;
        return 0;
    }
    default:
        return 0; /* primitives of the same kind */
    }
}

int gale_wit_type_equal(const gale_wit_type_t *a, const gale_wit_type_t *b, char *why, size_t whyn)
{
    return eq_type(a, b, why, whyn, 0);
}

int gale_wit_func_equal(const gale_wit_func_t *a, const gale_wit_func_t *b, char *why, size_t whyn)
{
    return eq_func_inner(a, b, why, whyn, 0);
}

int gale_wit_iface_equal(const gale_wit_iface_t *a, const gale_wit_iface_t *b, char *why, size_t whyn)
{
    if (a->ntypes != b->ntypes)
        return why_fmt(why, whyn, "interfaces `%s` and `%s` define different numbers of types", a->name, b->name);
    if (a->nfuncs != b->nfuncs)
        return why_fmt(why, whyn, "interfaces `%s` and `%s` define different numbers of functions", a->name, b->name);
    for (size_t i = 0; i < a->ntypes; i++) {
        const gale_wit_type_t *tb = gale_wit_iface_type(b, a->types[i]->name);
        if (!tb)
            return why_fmt(why, whyn, "type `%s` is missing from `%s`", a->types[i]->name, b->name);
        int rc = eq_type(a->types[i], tb, why, whyn, 0);
        if (rc) {
            char tmp[300];
            snprintf(tmp, sizeof tmp, "%s", why ? why : "");
            if (why)
                snprintf(why, whyn, "type `%s`: %s", a->types[i]->name, tmp);
            return rc;
        }
    }
    for (size_t i = 0; i < a->nfuncs; i++) {
        const gale_wit_func_t *fb = gale_wit_iface_func(b, a->funcs[i]->name);
        if (!fb)
            return why_fmt(why, whyn, "function `%s` is missing from `%s`", a->funcs[i]->name, b->name);
        int rc = eq_func_inner(a->funcs[i], fb, why, whyn, 0);
        if (rc)
            return rc;
    }
    return 0;
}
