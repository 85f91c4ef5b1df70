/* WIT lexer and parser: text -> packages/interfaces/worlds with unresolved
 * name references (resolve.c finishes the job). Grammar: component-model
 * design/mvp/WIT.md. Errors: "file:line:col: expected X, found Y". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit_internal.h"

enum tok_kind {
    T_EOF = 0,
    T_ID,       /* identifier or keyword */
    T_XID,      /* %explicit identifier (never a keyword) */
    T_INT,
    T_ARROW,    /* -> */
    T_PUNCT,    /* one char in tok.c */
};

typedef struct tok {
    enum tok_kind kind;
    const char *s;
    size_t n;
    char c;
    uint32_t line, col;
    const char *docs;
} tok_t;

typedef struct parser {
    gale_wit_ctx_t *ctx;
    struct gale_wit_file *file;
    const char *p, *end;
    uint32_t line, col;
    tok_t peek;
    bool has_peek;
    char *docbuf;
    size_t doclen, doccap;
    gale_wit_package_t *pkg;
    bool is_dep;
} parser_t;

static const char *const keywords[] = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char",
    "resource", "own", "borrow", "record", "flags", "variant", "enum", "bool", "string", "option", "result",
    "future", "stream", "error-context", "list", "tuple", "as", "from", "static", "interface", "import",
    "export", "world", "package", "constructor", "include", "with", "async", NULL,
};

static bool is_keyword(const char *s, size_t n)
{
    for (int i = 0; keywords[i]; i++)
        if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0)
            return true;
    return false;
}

static gale_wit_loc_t loc_of(parser_t *P, const tok_t *t)
{
    gale_wit_loc_t l = {P->file->path, t->line, t->col};
    return l;
}

static const char *describe(parser_t *P, const tok_t *t)
{
    switch (t->kind) {
    case T_EOF: return "end of file";
    case T_ID:
        if (is_keyword(t->s, t->n))
            return wit_fmt(P->ctx, "keyword `%.*s`", (int)t->n, t->s);
        return wit_fmt(P->ctx, "identifier `%.*s`", (int)t->n, t->s);
    case T_XID: return wit_fmt(P->ctx, "identifier `%%%.*s`", (int)t->n, t->s);
    case T_INT: return wit_fmt(P->ctx, "integer `%.*s`", (int)t->n, t->s);
    case T_ARROW: return "`->`";
    default: return wit_fmt(P->ctx, "`%c`", t->c);
    }
}

/* ---- lexer --------------------------------------------------------------- */

static void advance(parser_t *P, size_t n)
{
    while (n-- && P->p < P->end) {
        if (*P->p == '\n') {
            P->line++;
            P->col = 1;
        } else {
            P->col++;
        }
        P->p++;
    }
}

static void doc_append(parser_t *P, const char *s, size_t n)
{
    if (P->doclen + n + 2 > P->doccap) {
        size_t cap = (P->doccap ? P->doccap * 2 : 256) + n;
        char *nb = wit_alloc(P->ctx, cap);
        if (P->doclen)
            memcpy(nb, P->docbuf, P->doclen);
        P->docbuf = nb;
        P->doccap = cap;
    }
    if (P->doclen)
        P->docbuf[P->doclen++] = '\n';
    memcpy(P->docbuf + P->doclen, s, n);
    P->doclen += n;
    P->docbuf[P->doclen] = 0;
}

static _Noreturn void lex_fail(parser_t *P, const char *what)
{
    gale_wit_loc_t l = {P->file->path, P->line, P->col};
    wit_fail(P->ctx, GALE_EMALFORMED, l, "%s", what);
}

static void skip_space(parser_t *P)
{
    for (;;) {
        if (P->p >= P->end)
            return;
        char c = *P->p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            advance(P, 1);
        } else if (c == '/' && P->p + 1 < P->end && P->p[1] == '/') {
            const char *s = P->p;
            while (P->p < P->end && *P->p != '\n')
                advance(P, 1);
            bool doc = (P->p - s) >= 3 && s[2] == '/' && !((P->p - s) >= 4 && s[3] == '/');
            if (doc) {
                const char *b = s + 3;
                if (b < P->p && *b == ' ')
                    b++;
                size_t n = (size_t)(P->p - b);
                while (n && (b[n - 1] == '\r'))
                    n--;
                doc_append(P, b, n);
            }
        } else if (c == '/' && P->p + 1 < P->end && P->p[1] == '*') {
            const char *s = P->p;
            uint32_t line = P->line, col = P->col;
            int depth = 0;
            do {
                if (P->p + 1 < P->end && P->p[0] == '/' && P->p[1] == '*') {
                    depth++;
                    advance(P, 2);
                } else if (P->p + 1 < P->end && P->p[0] == '*' && P->p[1] == '/') {
                    depth--;
                    advance(P, 2);
                } else if (P->p >= P->end) {
                    gale_wit_loc_t l = {P->file->path, line, col};
                    wit_fail(P->ctx, GALE_EMALFORMED, l, "unterminated block comment");
                } else {
                    advance(P, 1);
                }
            } while (depth > 0);
            if (P->p - s >= 5 && s[2] == '*' && s[3] != '*' && s[3] != '/') {
                const char *b = s + 3, *e = P->p - 2;
                while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
                    b++;
                while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
                    e--;
                doc_append(P, b, (size_t)(e - b));
            }
        } else {
            return;
        }
    }
}

static bool id_char(char c)
{
    return isalnum((unsigned char)c) || c == '-';
}

static tok_t lex(parser_t *P)
{
    P->doclen = 0;
    P->docbuf = NULL;
    P->doccap = 0;
    skip_space(P);
    tok_t t;
    memset(&t, 0, sizeof t);
    t.line = P->line;
    t.col = P->col;
    t.docs = P->doclen ? P->docbuf : NULL;
    if (P->p >= P->end) {
        t.kind = T_EOF;
        return t;
    }
    char c = *P->p;
    t.s = P->p;
    if (c == '%' || isalpha((unsigned char)c)) {
        bool x = c == '%';
        if (x)
            advance(P, 1);
        t.s = P->p;
        if (P->p >= P->end || !isalpha((unsigned char)*P->p))
            lex_fail(P, "expected an identifier after `%`");
        while (P->p < P->end && id_char(*P->p))
            advance(P, 1);
        t.n = (size_t)(P->p - t.s);
        t.kind = x ? T_XID : T_ID;
        return t;
    }
    if (isdigit((unsigned char)c)) {
        while (P->p < P->end && isdigit((unsigned char)*P->p))
            advance(P, 1);
        t.n = (size_t)(P->p - t.s);
        t.kind = T_INT;
        return t;
    }
    if (c == '-' && P->p + 1 < P->end && P->p[1] == '>') {
        advance(P, 2);
        t.kind = T_ARROW;
        t.n = 2;
        return t;
    }
    if (strchr("{}()<>,;:=./@*_", c)) {
        advance(P, 1);
        t.kind = T_PUNCT;
        t.c = c;
        t.n = 1;
        return t;
    }
    char msg[64];
    if (isprint((unsigned char)c))
        snprintf(msg, sizeof msg, "unexpected character `%c`", c);
    else
        snprintf(msg, sizeof msg, "unexpected byte 0x%02x", (unsigned char)c);
    lex_fail(P, msg);
}

static tok_t *peek(parser_t *P)
{
    if (!P->has_peek) {
        P->peek = lex(P);
        P->has_peek = true;
    }
    return &P->peek;
}

static tok_t next(parser_t *P)
{
    tok_t t = *peek(P);
    P->has_peek = false;
    return t;
}

static _Noreturn void expected(parser_t *P, const char *what)
{
    tok_t *t = peek(P);
    wit_fail(P->ctx, GALE_EMALFORMED, loc_of(P, t), "expected %s, found %s", what, describe(P, t));
}

static bool is_punct(parser_t *P, char c)
{
    tok_t *t = peek(P);
    return t->kind == T_PUNCT && t->c == c;
}

static bool eat_punct(parser_t *P, char c)
{
    if (is_punct(P, c)) {
        next(P);
        return true;
    }
    return false;
}

static void want_punct(parser_t *P, char c)
{
    if (!eat_punct(P, c)) {
        char w[8];
        snprintf(w, sizeof w, "`%c`", c);
        expected(P, w);
    }
}

static bool is_kw(parser_t *P, const char *kw)
{
    tok_t *t = peek(P);
    return t->kind == T_ID && strlen(kw) == t->n && memcmp(t->s, kw, t->n) == 0;
}

static bool eat_kw(parser_t *P, const char *kw)
{
    if (is_kw(P, kw)) {
        next(P);
        return true;
    }
    return false;
}

static void want_kw(parser_t *P, const char *kw)
{
    if (!eat_kw(P, kw))
        expected(P, wit_fmt(P->ctx, "`%s`", kw));
}

/* kebab-case: words separated by '-', first word starts with a letter, each
 * word all-lowercase or all-uppercase (digits allowed). */
static const char *kebab_problem(const char *s, size_t n)
{
    if (n == 0)
        return "empty identifier";
    if (!isalpha((unsigned char)s[0]))
        return "identifiers must start with a letter";
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        bool lower = false, upper = false;
        while (j < n && s[j] != '-') {
            if (islower((unsigned char)s[j]))
                lower = true;
            else if (isupper((unsigned char)s[j]))
                upper = true;
            else if (!isdigit((unsigned char)s[j]))
                return "identifiers may contain only letters, digits and `-`";
            j++;
        }
        if (j == i)
            return "empty word in identifier (`--` or trailing `-`)";
        if (lower && upper)
            return "each word of an identifier must be all lowercase or all uppercase";
        if (j < n && j + 1 == n)
            return "identifier ends with `-`";
        i = j + 1;
    }
    return NULL;
}

static const char *ident(parser_t *P, gale_wit_loc_t *loc)
{
    tok_t *t = peek(P);
    if (t->kind == T_ID && is_keyword(t->s, t->n))
        expected(P, "an identifier");
    if (t->kind != T_ID && t->kind != T_XID)
        expected(P, "an identifier");
    const char *why = kebab_problem(t->s, t->n);
    if (why)
        wit_fail(P->ctx, GALE_EMALFORMED, loc_of(P, t), "invalid identifier `%.*s`: %s", (int)t->n, t->s, why);
    if (loc)
        *loc = loc_of(P, t);
    tok_t tt = next(P);
    return wit_strndup(P->ctx, tt.s, tt.n);
}

/* Semver read straight from the text after `@` (no token may be peeked). */
static const char *version(parser_t *P)
{
    if (P->has_peek) {
        /* only possible if the caller peeked past '@' */
        expected(P, "a version");
    }
    skip_space(P);
    const char *s = P->p;
    uint32_t line = P->line, col = P->col;
    gale_wit_loc_t l = {P->file->path, line, col};
    for (int part = 0; part < 3; part++) {
        const char *d = P->p;
        while (P->p < P->end && isdigit((unsigned char)*P->p))
            advance(P, 1);
        if (P->p == d) {
            char found[32];
            if (P->p < P->end && isprint((unsigned char)*P->p))
                snprintf(found, sizeof found, "`%c`", *P->p);
            else
                snprintf(found, sizeof found, "end of input");
            wit_fail(P->ctx, GALE_EMALFORMED, l, "expected a semver version (MAJOR.MINOR.PATCH), found %s", found);
        }
        if (P->p - d > 1 && *d == '0')
            wit_fail(P->ctx, GALE_EMALFORMED, l, "invalid version: leading zero in `%.*s`", (int)(P->p - d), d);
        if (part < 2) {
            if (P->p >= P->end || *P->p != '.')
                wit_fail(P->ctx, GALE_EMALFORMED, l, "expected a semver version (MAJOR.MINOR.PATCH)");
            advance(P, 1);
        }
    }
    for (int sect = 0; sect < 2; sect++) {
        char lead = sect == 0 ? '-' : '+';
        if (P->p < P->end && *P->p == lead && P->p + 1 < P->end && isalnum((unsigned char)P->p[1])) {
            advance(P, 1);
            for (;;) {
                while (P->p < P->end && (isalnum((unsigned char)*P->p) || *P->p == '-'))
                    advance(P, 1);
                if (P->p + 1 < P->end && *P->p == '.' && (isalnum((unsigned char)P->p[1]) || P->p[1] == '-'))
                    advance(P, 1);
                else
                    break;
            }
        }
    }
    return wit_strndup(P->ctx, s, (size_t)(P->p - s));
}

/* ---- gates and docs --------------------------------------------------- */

static const char *take_docs(parser_t *P)
{
    tok_t *t = peek(P);
    return t->docs;
}

static gale_wit_gate_t gates(parser_t *P, const char **docs)
{
    gale_wit_gate_t g = {0};
    *docs = take_docs(P);
    while (is_punct(P, '@')) {
        next(P);
        gale_wit_loc_t l;
        const char *which = ident(P, &l);
        want_punct(P, '(');
        if (strcmp(which, "since") == 0 || strcmp(which, "deprecated") == 0) {
            want_kw(P, "version");
            want_punct(P, '=');
            const char *v = version(P);
            if (which[0] == 's')
                g.since = v;
            else
                g.deprecated = v;
        } else if (strcmp(which, "unstable") == 0) {
            want_kw(P, "feature");
            want_punct(P, '=');
            g.unstable = ident(P, NULL);
        } else {
            wit_fail(P->ctx, GALE_EMALFORMED, l, "unknown attribute `@%s` (expected @since, @unstable or @deprecated)",
                     which);
        }
        want_punct(P, ')');
        if (!*docs)
            *docs = take_docs(P);
    }
    return g;
}

/* ---- types ----------------------------------------------------------- */

static gale_wit_type_t *new_type(parser_t *P, gale_wit_kind_t k, gale_wit_loc_t loc)
{
    gale_wit_type_t *t = wit_alloc(P->ctx, sizeof *t);
    t->kind = k;
    t->loc = loc;
    return t;
}

static const struct {
    const char *name;
    gale_wit_kind_t kind;
} prims[] = {
    {"bool", GALE_WIT_BOOL}, {"s8", GALE_WIT_S8},   {"u8", GALE_WIT_U8},         {"s16", GALE_WIT_S16},
    {"u16", GALE_WIT_U16},   {"s32", GALE_WIT_S32}, {"u32", GALE_WIT_U32},       {"s64", GALE_WIT_S64},
    {"u64", GALE_WIT_U64},   {"f32", GALE_WIT_F32}, {"f64", GALE_WIT_F64},       {"char", GALE_WIT_CHAR},
    {"string", GALE_WIT_STRING}, {"error-context", GALE_WIT_ERROR_CONTEXT},
};

static gale_wit_type_t *parse_type(parser_t *P, gale_wit_iface_t *scope);

static gale_wit_type_t *name_ref(parser_t *P, gale_wit_iface_t *scope)
{
    gale_wit_loc_t l;
    const char *n = ident(P, &l);
    gale_wit_type_t *t = new_type(P, GALE_WIT_NAMEREF, l);
    t->name = n;
    t->owner = scope;
    return t;
}

static gale_wit_type_t *parse_type(parser_t *P, gale_wit_iface_t *scope)
{
    tok_t *t = peek(P);
    gale_wit_loc_t l = loc_of(P, t);
    if (t->kind == T_ID) {
        for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++) {
            if (strlen(prims[i].name) == t->n && memcmp(prims[i].name, t->s, t->n) == 0) {
                next(P);
                return new_type(P, prims[i].kind, l);
            }
        }
        if (eat_kw(P, "list")) {
            want_punct(P, '<');
            gale_wit_type_t *r = new_type(P, GALE_WIT_LIST, l);
            r->elem = parse_type(P, scope);
            if (eat_punct(P, ',')) {
                tok_t *n = peek(P);
                if (n->kind != T_INT)
                    expected(P, "a list length");
                unsigned long v = strtoul(wit_strndup(P->ctx, n->s, n->n), NULL, 10);
                if (v == 0 || v > 0xffffffffUL || n->n > 10)
                    wit_fail(P->ctx, GALE_EMALFORMED, loc_of(P, n), "invalid fixed-size list length `%.*s`",
                             (int)n->n, n->s);
                next(P);
                r->kind = GALE_WIT_FIXED_LIST;
                r->len = (uint32_t)v;
            }
            want_punct(P, '>');
            return r;
        }
        if (eat_kw(P, "option")) {
            want_punct(P, '<');
            gale_wit_type_t *r = new_type(P, GALE_WIT_OPTION, l);
            r->elem = parse_type(P, scope);
            want_punct(P, '>');
            return r;
        }
        if (eat_kw(P, "result")) {
            gale_wit_type_t *r = new_type(P, GALE_WIT_RESULT, l);
            if (eat_punct(P, '<')) {
                if (eat_punct(P, '_')) {
                    want_punct(P, ',');
                    r->err = parse_type(P, scope);
                } else {
                    r->ok = parse_type(P, scope);
                    if (eat_punct(P, ','))
                        r->err = parse_type(P, scope);
                }
                want_punct(P, '>');
            }
            return r;
        }
        if (eat_kw(P, "tuple")) {
            gale_wit_type_t *r = new_type(P, GALE_WIT_TUPLE, l);
            want_punct(P, '<');
            do {
                if (is_punct(P, '>') && r->ncases)
                    break;
                gale_wit_case_t c = {0};
                c.loc = loc_of(P, peek(P));
                c.type = parse_type(P, scope);
                WIT_PUSH(P->ctx, r->cases, r->ncases, c);
            } while (eat_punct(P, ','));
            want_punct(P, '>');
            return r;
        }
        if (is_kw(P, "own") || is_kw(P, "borrow")) {
            bool own = is_kw(P, "own");
            next(P);
            gale_wit_type_t *r = new_type(P, own ? GALE_WIT_OWN : GALE_WIT_BORROW, l);
            want_punct(P, '<');
            r->elem = name_ref(P, scope);
            want_punct(P, '>');
            return r;
        }
        if (is_kw(P, "future") || is_kw(P, "stream")) {
            bool fut = is_kw(P, "future");
            next(P);
            gale_wit_type_t *r = new_type(P, fut ? GALE_WIT_FUTURE : GALE_WIT_STREAM, l);
            if (eat_punct(P, '<')) {
                r->elem = parse_type(P, scope);
                want_punct(P, '>');
            }
            return r;
        }
        if (!is_keyword(t->s, t->n))
            return name_ref(P, scope);
    } else if (t->kind == T_XID) {
        return name_ref(P, scope);
    }
    expected(P, "a type");
}

/* ---- functions -------------------------------------------------------- */

static void parse_params(parser_t *P, gale_wit_iface_t *scope, gale_wit_func_t *f)
{
    want_punct(P, '(');
    while (!is_punct(P, ')')) {
        gale_wit_param_t prm = {0};
        prm.name = ident(P, &prm.loc);
        want_punct(P, ':');
        prm.type = parse_type(P, scope);
        WIT_PUSH(P->ctx, f->params, f->nparams, prm);
        if (!eat_punct(P, ','))
            break;
    }
    want_punct(P, ')');
}

static gale_wit_func_t *parse_functype(parser_t *P, gale_wit_iface_t *scope, gale_wit_func_t *f)
{
    if (eat_kw(P, "async"))
        f->is_async = true;
    want_kw(P, "func");
    parse_params(P, scope, f);
    if (peek(P)->kind == T_ARROW) {
        next(P);
        if (is_punct(P, '('))
            wit_fail(P->ctx, GALE_EMALFORMED, loc_of(P, peek(P)),
                     "expected a type, found `(` (named multiple results were removed from WIT; use a record or tuple)");
        f->result = parse_type(P, scope);
    }
    return f;
}

/* ---- typedefs --------------------------------------------------------- */

static void push_type(parser_t *P, gale_wit_iface_t *scope, gale_wit_type_t *t)
{
    t->owner = scope;
    WIT_PUSH(P->ctx, scope->types, scope->ntypes, t);
}

static void parse_cases(parser_t *P, gale_wit_iface_t *scope, gale_wit_type_t *t, int mode)
{
    /* mode 0: record fields `a: T`; 1: variant `a` / `a(T)`; 2: enum/flags `a` */
    want_punct(P, '{');
    while (!is_punct(P, '}')) {
        gale_wit_case_t c = {0};
        c.docs = take_docs(P);
        c.name = ident(P, &c.loc);
        if (mode == 0) {
            want_punct(P, ':');
            c.type = parse_type(P, scope);
        } else if (mode == 1 && eat_punct(P, '(')) {
            c.type = parse_type(P, scope);
            want_punct(P, ')');
        }
        WIT_PUSH(P->ctx, t->cases, t->ncases, c);
        if (!eat_punct(P, ','))
            break;
    }
    want_punct(P, '}');
}

static void parse_resource(parser_t *P, gale_wit_iface_t *scope, gale_wit_type_t *r)
{
    if (eat_punct(P, ';'))
        return;
    want_punct(P, '{');
    while (!eat_punct(P, '}')) {
        const char *docs;
        gale_wit_gate_t g = gates(P, &docs);
        gale_wit_func_t *f = wit_alloc(P->ctx, sizeof *f);
        f->docs = docs;
        f->gate = g;
        f->resource = r;
        f->owner = scope;
        if (is_kw(P, "constructor")) {
            f->loc = loc_of(P, peek(P));
            next(P);
            f->name = "constructor";
            f->kind = GALE_WIT_FUNC_CONSTRUCTOR;
            parse_params(P, scope, f);
            if (peek(P)->kind == T_ARROW) {
                next(P);
                f->result = parse_type(P, scope);
            }
        } else {
            f->name = ident(P, &f->loc);
            want_punct(P, ':');
            f->kind = eat_kw(P, "static") ? GALE_WIT_FUNC_STATIC : GALE_WIT_FUNC_METHOD;
            parse_functype(P, scope, f);
        }
        want_punct(P, ';');
        WIT_PUSH(P->ctx, r->funcs, r->nfuncs, f);
    }
}

static const char *parse_use_path(parser_t *P, gale_wit_loc_t *loc)
{
    gale_wit_loc_t l;
    const char *a = ident(P, &l);
    if (loc)
        *loc = l;
    if (!is_punct(P, ':'))
        return a;
    next(P);
    const char *b = ident(P, NULL);
    want_punct(P, '/');
    const char *c = ident(P, NULL);
    if (is_punct(P, '@')) {
        next(P);
        const char *v = version(P);
        return wit_fmt(P->ctx, "%s:%s/%s@%s", a, b, c, v);
    }
    return wit_fmt(P->ctx, "%s:%s/%s", a, b, c);
}

static void parse_use(parser_t *P, gale_wit_iface_t *scope, gale_wit_gate_t g)
{
    gale_wit_use_t u = {0};
    u.gate = g;
    u.file = P->file;
    u.path = parse_use_path(P, &u.loc);
    want_punct(P, '.');
    want_punct(P, '{');
    while (!is_punct(P, '}')) {
        gale_wit_loc_t l;
        const char *n = ident(P, &l);
        const char *as = n;
        if (eat_kw(P, "as"))
            as = ident(P, NULL);
        size_t k = u.nnames;
        WIT_PUSH(P->ctx, u.names, k, n);
        k = u.nnames;
        WIT_PUSH(P->ctx, u.as, k, as);
        WIT_PUSH(P->ctx, u.name_locs, u.nnames, l);
        if (!eat_punct(P, ','))
            break;
    }
    want_punct(P, '}');
    want_punct(P, ';');
    WIT_PUSH(P->ctx, scope->uses, scope->nuses, u);
}

/* A typedef item; returns false when the next token starts none. */
static bool parse_typedef(parser_t *P, gale_wit_iface_t *scope, gale_wit_gate_t g, const char *docs)
{
    tok_t *t = peek(P);
    gale_wit_loc_t l = loc_of(P, t);
    gale_wit_type_t *ty = NULL;
    if (eat_kw(P, "type")) {
        ty = new_type(P, GALE_WIT_ALIAS, l);
        ty->name = ident(P, &ty->loc);
        want_punct(P, '=');
        ty->elem = parse_type(P, scope);
        want_punct(P, ';');
    } else if (eat_kw(P, "record")) {
        ty = new_type(P, GALE_WIT_RECORD, l);
        ty->name = ident(P, &ty->loc);
        parse_cases(P, scope, ty, 0);
    } else if (eat_kw(P, "variant")) {
        ty = new_type(P, GALE_WIT_VARIANT, l);
        ty->name = ident(P, &ty->loc);
        parse_cases(P, scope, ty, 1);
    } else if (eat_kw(P, "enum")) {
        ty = new_type(P, GALE_WIT_ENUM, l);
        ty->name = ident(P, &ty->loc);
        parse_cases(P, scope, ty, 2);
    } else if (eat_kw(P, "flags")) {
        ty = new_type(P, GALE_WIT_FLAGS, l);
        ty->name = ident(P, &ty->loc);
        parse_cases(P, scope, ty, 2);
    } else if (eat_kw(P, "resource")) {
        ty = new_type(P, GALE_WIT_RESOURCE, l);
        ty->name = ident(P, &ty->loc);
        push_type(P, scope, ty);
        ty->docs = docs;
        ty->gate = g;
        parse_resource(P, scope, ty);
        return true;
    } else {
        return false;
    }
    ty->docs = docs;
    ty->gate = g;
    push_type(P, scope, ty);
    return true;
}

static gale_wit_iface_t *new_iface(parser_t *P, const char *name, gale_wit_loc_t loc)
{
    gale_wit_iface_t *i = wit_alloc(P->ctx, sizeof *i);
    i->name = name;
    i->pkg = P->pkg;
    i->loc = loc;
    i->file = P->file;
    return i;
}

static void parse_iface_body(parser_t *P, gale_wit_iface_t *iface)
{
    want_punct(P, '{');
    while (!eat_punct(P, '}')) {
        const char *docs;
        gale_wit_gate_t g = gates(P, &docs);
        if (eat_kw(P, "use")) {
            parse_use(P, iface, g);
            continue;
        }
        if (parse_typedef(P, iface, g, docs))
            continue;
        tok_t *t = peek(P);
        if (!(t->kind == T_XID || (t->kind == T_ID && !is_keyword(t->s, t->n))))
            expected(P, "`use`, a type definition, a function or `}`");
        gale_wit_func_t *f = wit_alloc(P->ctx, sizeof *f);
        f->docs = docs;
        f->gate = g;
        f->owner = iface;
        f->name = ident(P, &f->loc);
        want_punct(P, ':');
        parse_functype(P, iface, f);
        want_punct(P, ';');
        WIT_PUSH(P->ctx, iface->funcs, iface->nfuncs, f);
    }
}

static void parse_world_item(parser_t *P, gale_wit_world_t *w, bool is_import, gale_wit_gate_t g,
                             const char *docs)
{
    gale_wit_item_t it = {0};
    it.gate = g;
    tok_t *t = peek(P);
    it.loc = loc_of(P, t);
    gale_wit_loc_t l;
    const char *a = ident(P, &l);
    if (eat_punct(P, ':')) {
        if (is_kw(P, "func") || is_kw(P, "async")) {
            gale_wit_func_t *f = wit_alloc(P->ctx, sizeof *f);
            f->name = a;
            f->loc = l;
            f->docs = docs;
            f->gate = g;
            f->owner = w->scope;
            parse_functype(P, w->scope, f);
            it.kind = GALE_WIT_ITEM_FUNC;
            it.name = a;
            it.func = f;
        } else if (eat_kw(P, "interface")) {
            gale_wit_iface_t *i = new_iface(P, a, l);
            i->world = w;
            i->docs = docs;
            i->gate = g;
            parse_iface_body(P, i);
            it.kind = GALE_WIT_ITEM_IFACE;
            it.name = a;
            it.iface = i;
            goto push; /* no ';' after an inline interface */
        } else {
            /* a package path: ns:pkg/iface[@v] */
            const char *b = ident(P, NULL);
            want_punct(P, '/');
            const char *c = ident(P, NULL);
            if (is_punct(P, '@')) {
                next(P);
                const char *v = version(P);
                it.path = wit_fmt(P->ctx, "%s:%s/%s@%s", a, b, c, v);
            } else {
                it.path = wit_fmt(P->ctx, "%s:%s/%s", a, b, c);
            }
            it.kind = GALE_WIT_ITEM_IFACE;
        }
    } else {
        it.kind = GALE_WIT_ITEM_IFACE;
        it.path = a;
    }
    want_punct(P, ';');
push:
    if (is_import)
        WIT_PUSH(P->ctx, w->imports, w->nimports, it);
    else
        WIT_PUSH(P->ctx, w->exports, w->nexports, it);
}

static void parse_world(parser_t *P, gale_wit_world_t *w)
{
    want_punct(P, '{');
    while (!eat_punct(P, '}')) {
        const char *docs;
        gale_wit_gate_t g = gates(P, &docs);
        if (eat_kw(P, "import")) {
            parse_world_item(P, w, true, g, docs);
        } else if (eat_kw(P, "export")) {
            parse_world_item(P, w, false, g, docs);
        } else if (eat_kw(P, "use")) {
            parse_use(P, w->scope, g);
        } else if (eat_kw(P, "include")) {
            gale_wit_include_t inc = {0};
            inc.gate = g;
            inc.file = P->file;
            inc.path = parse_use_path(P, &inc.loc);
            if (eat_kw(P, "with")) {
                want_punct(P, '{');
                while (!is_punct(P, '}')) {
                    const char *from = ident(P, NULL);
                    want_kw(P, "as");
                    const char *to = ident(P, NULL);
                    size_t k = inc.nwith;
                    WIT_PUSH(P->ctx, inc.with_from, k, from);
                    WIT_PUSH(P->ctx, inc.with_to, inc.nwith, to);
                    if (!eat_punct(P, ','))
                        break;
                }
                want_punct(P, '}');
            } else {
                want_punct(P, ';');
            }
            WIT_PUSH(P->ctx, w->includes, w->nincludes, inc);
        } else if (!parse_typedef(P, w->scope, g, docs)) {
            expected(P, "`import`, `export`, `include`, `use`, a type definition or `}`");
        }
    }
}

static void parse_items(parser_t *P, bool nested)
{
    for (;;) {
        if (nested && eat_punct(P, '}'))
            return;
        if (!nested && peek(P)->kind == T_EOF)
            return;
        const char *docs;
        gale_wit_gate_t g = gates(P, &docs);
        tok_t *t = peek(P);
        gale_wit_loc_t l = loc_of(P, t);
        if (!P->pkg && (is_kw(P, "interface") || is_kw(P, "world")))
            wit_fail(P->ctx, GALE_EINVALID, l, "no `package` header was found (expected `package ns:name;` first)");
        if (eat_kw(P, "interface")) {
            gale_wit_iface_t *i = new_iface(P, NULL, l);
            i->name = ident(P, &i->loc);
            i->docs = docs;
            i->gate = g;
            parse_iface_body(P, i);
            WIT_PUSH(P->ctx, P->pkg->ifaces, P->pkg->nifaces, i);
        } else if (eat_kw(P, "world")) {
            gale_wit_world_t *w = wit_alloc(P->ctx, sizeof *w);
            w->name = ident(P, &w->loc);
            w->pkg = P->pkg;
            w->docs = docs;
            w->gate = g;
            w->file = P->file;
            w->scope = new_iface(P, w->name, w->loc);
            w->scope->is_world_scope = true;
            w->scope->world = w;
            parse_world(P, w);
            WIT_PUSH(P->ctx, P->pkg->worlds, P->pkg->nworlds, w);
        } else if (!nested && is_kw(P, "use")) {
            next(P);
            gale_wit_loc_t ul;
            const char *path = parse_use_path(P, &ul);
            const char *as = NULL;
            if (eat_kw(P, "as")) {
                as = ident(P, NULL);
            } else {
                const char *s = strrchr(path, '/');
                as = s ? s + 1 : path;
                const char *at = strchr(as, '@');
                if (at)
                    as = wit_strndup(P->ctx, as, (size_t)(at - as));
            }
            want_punct(P, ';');
            struct gale_wit_file *f = P->file;
            size_t k = f->nuses;
            WIT_PUSH(P->ctx, f->use_paths, k, path);
            k = f->nuses;
            WIT_PUSH(P->ctx, f->use_as, k, as);
            WIT_PUSH(P->ctx, f->use_locs, f->nuses, ul);
        } else if (!nested && is_kw(P, "package")) {
            /* nested package block: package a:b@v { ... } */
            next(P);
            gale_wit_loc_t pl;
            const char *ns = ident(P, &pl);
            want_punct(P, ':');
            const char *nm = ident(P, NULL);
            const char *ver = NULL;
            if (is_punct(P, '@')) {
                next(P);
                ver = version(P);
            }
            if (!is_punct(P, '{'))
                expected(P, "`{` (a `package` declaration must come first in a file)");
            next(P);
            gale_wit_package_t *save = P->pkg;
            P->pkg = wit_package_get(P->ctx, ns, nm, ver, pl, P->is_dep);
            parse_items(P, true);
            P->pkg = save;
        } else {
            expected(P, nested ? "`interface`, `world` or `}`" : "`interface`, `world`, `use` or `package`");
        }
    }
}

void wit_parse_file(gale_wit_ctx_t *ctx, struct gale_wit_file *file, gale_wit_package_t **pkg_io, bool is_dep)
{
    parser_t P;
    memset(&P, 0, sizeof P);
    P.ctx = ctx;
    P.file = file;
    P.p = file->text;
    P.end = file->text + file->len;
    P.line = 1;
    P.col = 1;
    P.is_dep = is_dep;
    for (size_t i = 0; i < file->len; i++)
        if (file->text[i] == 0) {
            gale_wit_loc_t l = {file->path, 1, 1};
            wit_fail(ctx, GALE_EMALFORMED, l, "file contains a NUL byte (not WIT text)");
        }
    /* optional package header */
    const char *docs;
    gale_wit_gate_t g = gates(&P, &docs);
    (void)g;
    if (is_kw(&P, "package")) {
        tok_t kt = next(&P);
        gale_wit_loc_t pl = loc_of(&P, &kt);
        const char *ns = ident(&P, NULL);
        want_punct(&P, ':');
        const char *nm = ident(&P, NULL);
        const char *ver = NULL;
        if (is_punct(&P, '@')) {
            next(&P);
            ver = version(&P);
        }
        if (is_punct(&P, '{')) {
            /* the file starts with a nested package block */
            next(&P);
            P.pkg = wit_package_get(ctx, ns, nm, ver, pl, is_dep);
            parse_items(&P, true);
            if (!*pkg_io) {
                /* a file made of nested packages only does not define the main package */
            }
            P.pkg = *pkg_io;
        } else {
            want_punct(&P, ';');
            gale_wit_package_t *pk = wit_package_get(ctx, ns, nm, ver, pl, is_dep);
            if (*pkg_io && *pkg_io != pk)
                wit_fail(ctx, GALE_EINVALID, pl, "package `%s` conflicts with package `%s` declared by another file of the same directory",
                         pk->id, (*pkg_io)->id);
            *pkg_io = pk;
            P.pkg = pk;
        }
    }
    if (!P.pkg) {
        /* no header: items belong to the directory's package, fixed up by the loader */
        tok_t *t = peek(&P);
        if (t->kind == T_EOF)
            return;
        if (!*pkg_io)
            wit_fail(ctx, GALE_EINVALID, loc_of(&P, t), "no `package` header was found (expected `package ns:name;` first)");
        P.pkg = *pkg_io;
    }
    parse_items(&P, false);
}

bool wit_file_has_header(gale_wit_ctx_t *ctx, struct gale_wit_file *file)
{
    parser_t P;
    memset(&P, 0, sizeof P);
    P.ctx = ctx;
    P.file = file;
    P.p = file->text;
    P.end = file->text + file->len;
    P.line = P.col = 1;
    skip_space(&P);
    if ((size_t)(P.end - P.p) < 8 || memcmp(P.p, "package", 7) != 0 || id_char(P.p[7]))
        return false;
    for (const char *q = P.p; q < P.end; q++) {
        if (*q == ';')
            return true;
        if (*q == '{')
            return false;
    }
    return false;
}
