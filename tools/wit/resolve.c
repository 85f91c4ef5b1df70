/* WIT resolver: name resolution, `use`, `include`, world elaboration and
 * whole-graph checks (unknown names, cycles, duplicates, handles of
 * non-resources, borrows in results, gates). */
#include <stdio.h>
#include <string.h>

#include "wit_internal.h"

enum { ST_NEW = 0, ST_BUSY = 1, ST_DONE = 2 };

bool wit_gate_active(const gale_wit_ctx_t *ctx, const gale_wit_gate_t *g)
{
    if (!g->unstable)
        return true;
    for (size_t i = 0; i < ctx->nfeatures; i++)
        if (strcmp(ctx->features[i], g->unstable) == 0)
            return true;
    return false;
}

const char *gale_wit_iface_qualname(const gale_wit_iface_t *iface)
{
    if (!iface || iface->is_world_scope)
        return "$root";
    return iface->qualname ? iface->qualname : iface->name;
}

/* ---- filtering gated items ------------------------------------------------ */

#define FILTER(ctx, arr, n, gatefield)                                         \
    do {                                                                       \
        size_t k_ = 0;                                                         \
        for (size_t i_ = 0; i_ < (n); i_++)                                    \
            if (wit_gate_active((ctx), &(arr)[i_] gatefield))                  \
                (arr)[k_++] = (arr)[i_];                                       \
        (n) = k_;                                                              \
    } while (0)

static void filter_iface(gale_wit_ctx_t *ctx, gale_wit_iface_t *i)
{
    FILTER(ctx, i->types, i->ntypes, ->gate);
    FILTER(ctx, i->funcs, i->nfuncs, ->gate);
    FILTER(ctx, i->uses, i->nuses, .gate);
    for (size_t t = 0; t < i->ntypes; t++)
        if (i->types[t]->kind == GALE_WIT_RESOURCE)
            FILTER(ctx, i->types[t]->funcs, i->types[t]->nfuncs, ->gate);
}

/* ---- lookups ---------------------------------------------------------------- */

static gale_wit_package_t *find_pkg(gale_wit_ctx_t *ctx, const char *ns_pkg, const char *ver, gale_wit_loc_t loc)
{
    const char *id = ver ? wit_fmt(ctx, "%s@%s", ns_pkg, ver) : ns_pkg;
    gale_wit_package_t *p = gale_wit_ctx_package(ctx, id);
    if (!p)
        wit_fail(ctx, GALE_EINVALID, loc, "package `%s` not found (is it in deps/?)", id);
    return p;
}

/* Splits "ns:pkg/name@v" -> package + item name. Returns false for a plain name. */
static bool split_path(gale_wit_ctx_t *ctx, const char *path, gale_wit_loc_t loc, gale_wit_package_t **pkg,
                       const char **name)
{
    const char *slash = strchr(path, '/');
    if (!slash)
        return false;
    const char *at = strchr(slash, '@');
    const char *ns_pkg = wit_strndup(ctx, path, (size_t)(slash - path));
    *name = at ? wit_strndup(ctx, slash + 1, (size_t)(at - slash - 1)) : slash + 1;
    *pkg = find_pkg(ctx, ns_pkg, at ? at + 1 : NULL, loc);
    return true;
}

/* Resolves an interface path used from `pkg` in `file`. */
static gale_wit_iface_t *lookup_iface(gale_wit_ctx_t *ctx, gale_wit_package_t *pkg, const struct gale_wit_file *file,
                                      const char *path, gale_wit_loc_t loc)
{
    gale_wit_package_t *p;
    const char *name;
    if (!split_path(ctx, path, loc, &p, &name)) {
        /* a top-level `use ... as name;` of this file, else a local interface */
        for (size_t i = 0; file && i < file->nuses; i++)
            if (strcmp(file->use_as[i], path) == 0)
                return lookup_iface(ctx, pkg, NULL, file->use_paths[i], file->use_locs[i]);
        p = pkg;
        name = path;
        gale_wit_iface_t *r = gale_wit_package_iface(p, name);
        if (!r) {
            if (gale_wit_package_world(p, name))
                wit_fail(ctx, GALE_EINVALID, loc, "`%s` is a world, not an interface", name);
            wit_fail(ctx, GALE_EINVALID, loc, "interface or world `%s` does not exist", name);
        }
        return r;
    }
    gale_wit_iface_t *r = gale_wit_package_iface(p, name);
    if (!r)
        wit_fail(ctx, GALE_EINVALID, loc, "interface `%s` does not exist in package `%s`", name, p->id);
    return r;
}

static gale_wit_world_t *lookup_world(gale_wit_ctx_t *ctx, gale_wit_package_t *pkg, const struct gale_wit_file *file,
                                      const char *path, gale_wit_loc_t loc)
{
    gale_wit_package_t *p;
    const char *name;
    if (!split_path(ctx, path, loc, &p, &name)) {
        for (size_t i = 0; file && i < file->nuses; i++)
            if (strcmp(file->use_as[i], path) == 0)
                return lookup_world(ctx, pkg, NULL, file->use_paths[i], file->use_locs[i]);
        p = pkg;
        name = path;
    }
    gale_wit_world_t *w = gale_wit_package_world(p, name);
    if (!w)
        wit_fail(ctx, GALE_EINVALID, loc, "world `%s` does not exist in package `%s`", name, p->id);
    return w;
}

static gale_wit_type_t *scope_type(gale_wit_iface_t *scope, const char *name)
{
    return gale_wit_iface_type(scope, name);
}

/* ---- types ------------------------------------------------------------------ */

static void resolve_iface(gale_wit_ctx_t *ctx, gale_wit_iface_t *i);
static const char *iface_key(gale_wit_ctx_t *ctx, const gale_wit_iface_t *i);
static void resolve_typedef(gale_wit_ctx_t *ctx, gale_wit_type_t *t);

static void check_unique_cases(gale_wit_ctx_t *ctx, gale_wit_type_t *t, const char *what)
{
    for (size_t a = 0; a < t->ncases; a++)
        for (size_t b = 0; b < a; b++)
            if (t->cases[a].name && strcmp(t->cases[a].name, t->cases[b].name) == 0)
                wit_fail(ctx, GALE_EINVALID, t->cases[a].loc, "duplicate %s `%s` in `%s`", what, t->cases[a].name,
                         t->name ? t->name : "?");
}

/* Resolves the type in *slot. handle: the slot is the target of own/borrow.
 * alias_target: the slot is the right side of `type x = ...` (a resource name
 * stays a resource there). */
static void resolve_slot(gale_wit_ctx_t *ctx, gale_wit_iface_t *scope, gale_wit_type_t **slot, int mode)
{
    gale_wit_type_t *t = *slot;
    if (!t)
        return;
    if (t->kind == GALE_WIT_NAMEREF) {
        gale_wit_type_t *n = scope_type(t->owner ? t->owner : scope, t->name);
        if (!n)
            wit_fail(ctx, GALE_EINVALID, t->loc, "name `%s` does not exist", t->name);
        resolve_typedef(ctx, n);
        const gale_wit_type_t *d = gale_wit_type_deref(n);
        if (mode == 1) { /* handle target */
            if (!d || d->kind != GALE_WIT_RESOURCE)
                wit_fail(ctx, GALE_EINVALID, t->loc, "type `%s` used in a handle must be a resource", t->name);
            *slot = n;
        } else if (mode == 0 && d && d->kind == GALE_WIT_RESOURCE) {
            gale_wit_type_t *own = wit_alloc(ctx, sizeof *own);
            own->kind = GALE_WIT_OWN;
            own->elem = n;
            own->loc = t->loc;
            own->owner = scope;
            *slot = own;
        } else {
            *slot = n;
        }
        return;
    }
    if (t->name)
        return; /* a named definition reached by pointer: resolved on its own */
    switch (t->kind) {
    case GALE_WIT_LIST: case GALE_WIT_FIXED_LIST: case GALE_WIT_OPTION:
    case GALE_WIT_FUTURE: case GALE_WIT_STREAM:
        resolve_slot(ctx, scope, &t->elem, 0);
        break;
    case GALE_WIT_OWN: case GALE_WIT_BORROW:
        resolve_slot(ctx, scope, &t->elem, 1);
        break;
    case GALE_WIT_RESULT:
        resolve_slot(ctx, scope, &t->ok, 0);
        resolve_slot(ctx, scope, &t->err, 0);
        break;
    case GALE_WIT_TUPLE:
        for (size_t i = 0; i < t->ncases; i++)
            resolve_slot(ctx, scope, &t->cases[i].type, 0);
        break;
    default:
        break;
    }
}

static void resolve_typedef(gale_wit_ctx_t *ctx, gale_wit_type_t *t)
{
    if (t->state == ST_DONE)
        return;
    if (t->state == ST_BUSY)
        wit_fail(ctx, GALE_EINVALID, t->loc, "type `%s` depends on itself", t->name ? t->name : "?");
    t->state = ST_BUSY;
    gale_wit_iface_t *scope = t->owner;
    switch (t->kind) {
    case GALE_WIT_ALIAS:
        if (t->elem && t->elem->kind == GALE_WIT_NAMEREF && !t->elem->owner)
            t->elem->owner = scope;
        resolve_slot(ctx, scope, &t->elem, 2);
        break;
    case GALE_WIT_RECORD:
        if (t->ncases == 0)
            wit_fail(ctx, GALE_EINVALID, t->loc, "record `%s` has no fields (the component model requires at least one)", t->name);
        check_unique_cases(ctx, t, "field");
        for (size_t i = 0; i < t->ncases; i++)
            resolve_slot(ctx, scope, &t->cases[i].type, 0);
        break;
    case GALE_WIT_VARIANT:
        if (t->ncases == 0)
            wit_fail(ctx, GALE_EINVALID, t->loc, "empty variant `%s`", t->name);
        check_unique_cases(ctx, t, "case");
        for (size_t i = 0; i < t->ncases; i++)
            resolve_slot(ctx, scope, &t->cases[i].type, 0);
        break;
    case GALE_WIT_ENUM:
        if (t->ncases == 0)
            wit_fail(ctx, GALE_EINVALID, t->loc, "empty enum `%s`", t->name);
        check_unique_cases(ctx, t, "case");
        break;
    case GALE_WIT_FLAGS:
        if (t->ncases == 0)
            wit_fail(ctx, GALE_EINVALID, t->loc, "flags `%s` has no labels (the component model requires 1 to 32)", t->name);
        if (t->ncases > 32)
            wit_fail(ctx, GALE_EINVALID, t->cases[32].loc, "flags `%s` has %zu labels (at most 32 allowed)", t->name,
                     t->ncases);
        check_unique_cases(ctx, t, "label");
        break;
    case GALE_WIT_RESOURCE:
        break;
    default:
        resolve_slot(ctx, scope, &t, 0);
        break;
    }
    t->state = ST_DONE;
}

static bool has_borrow(const gale_wit_type_t *t, int depth)
{
    t = gale_wit_type_deref(t);
    if (!t || depth > 64)
        return false;
    switch (t->kind) {
    case GALE_WIT_BORROW: return true;
    case GALE_WIT_LIST: case GALE_WIT_FIXED_LIST: case GALE_WIT_OPTION:
        return has_borrow(t->elem, depth + 1);
    case GALE_WIT_RESULT:
        return has_borrow(t->ok, depth + 1) || has_borrow(t->err, depth + 1);
    case GALE_WIT_TUPLE: case GALE_WIT_RECORD: case GALE_WIT_VARIANT:
        for (size_t i = 0; i < t->ncases; i++)
            if (has_borrow(t->cases[i].type, depth + 1))
                return true;
        return false;
    default:
        return false;
    }
}

static void resolve_func(gale_wit_ctx_t *ctx, gale_wit_iface_t *scope, gale_wit_func_t *f)
{
    for (size_t i = 0; i < f->nparams; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->params[i].name, f->params[j].name) == 0)
                wit_fail(ctx, GALE_EINVALID, f->params[i].loc, "duplicate parameter `%s` in function `%s`",
                         f->params[i].name, f->name);
        if (f->kind == GALE_WIT_FUNC_METHOD && strcmp(f->params[i].name, "self") == 0)
            wit_fail(ctx, GALE_EINVALID, f->params[i].loc, "method `%s` may not name a parameter `self`", f->name);
        resolve_slot(ctx, scope, &f->params[i].type, 0);
    }
    resolve_slot(ctx, scope, &f->result, 0);
    if (f->kind == GALE_WIT_FUNC_CONSTRUCTOR) {
        if (f->is_async)
            wit_fail(ctx, GALE_EINVALID, f->loc, "constructors cannot be async");
        const gale_wit_type_t *r = f->result;
        if (r) {
            const gale_wit_type_t *ok = r->kind == GALE_WIT_RESULT ? r->ok : r;
            const gale_wit_type_t *d = ok && ok->kind == GALE_WIT_OWN ? gale_wit_type_deref(ok->elem) : NULL;
            if (d != f->resource)
                wit_fail(ctx, GALE_EINVALID, f->loc,
                         "constructor of `%s` must return `%s` or `result<%s, E>`", f->resource->name,
                         f->resource->name, f->resource->name);
        } else {
            gale_wit_type_t *own = wit_alloc(ctx, sizeof *own);
            own->kind = GALE_WIT_OWN;
            own->elem = f->resource;
            own->loc = f->loc;
            own->owner = scope;
            f->result = own;
        }
    }
    if (f->kind == GALE_WIT_FUNC_METHOD) {
        /* prepend `self: borrow<R>` */
        gale_wit_type_t *b = wit_alloc(ctx, sizeof *b);
        b->kind = GALE_WIT_BORROW;
        b->elem = f->resource;
        b->loc = f->loc;
        b->owner = scope;
        gale_wit_param_t *np = wit_alloc(ctx, (f->nparams + 1) * sizeof *np);
        np[0].name = "self";
        np[0].type = b;
        np[0].loc = f->loc;
        if (f->nparams)
            memcpy(np + 1, f->params, f->nparams * sizeof *np);
        f->params = np;
        f->nparams++;
    }
    if (f->result && has_borrow(f->result, 0))
        wit_fail(ctx, GALE_EINVALID, f->loc, "function `%s` returns a type which contains a `borrow<T>` which is not supported",
                 f->name);
}

/* ---- interfaces --------------------------------------------------------------- */

static void resolve_uses(gale_wit_ctx_t *ctx, gale_wit_iface_t *i)
{
    for (size_t u = 0; u < i->nuses; u++) {
        gale_wit_use_t *use = &i->uses[u];
        gale_wit_iface_t *target = lookup_iface(ctx, i->pkg, use->file, use->path, use->loc);
        if (target == i)
            wit_fail(ctx, GALE_EINVALID, use->loc, "interface `%s` cannot `use` itself", i->name);
        resolve_iface(ctx, target);
        use->target = target;
        for (size_t k = 0; k < use->nnames; k++) {
            gale_wit_type_t *src = gale_wit_iface_type(target, use->names[k]);
            if (!src)
                wit_fail(ctx, GALE_EINVALID, use->name_locs[k], "name `%s` does not exist in interface `%s`",
                         use->names[k], target->name);
            gale_wit_type_t *a = wit_alloc(ctx, sizeof *a);
            a->kind = GALE_WIT_ALIAS;
            a->name = use->as[k];
            a->elem = src;
            a->owner = i;
            a->loc = use->name_locs[k];
            a->gate = use->gate;
            a->state = ST_DONE;
            WIT_PUSH(ctx, i->types, i->ntypes, a);
        }
    }
}

static void check_iface_names(gale_wit_ctx_t *ctx, gale_wit_iface_t *i)
{
    for (size_t a = 0; a < i->ntypes; a++)
        for (size_t b = 0; b < a; b++)
            if (strcmp(i->types[a]->name, i->types[b]->name) == 0)
                wit_fail(ctx, GALE_EINVALID, i->types[a]->loc, "name `%s` is defined more than once", i->types[a]->name);
    for (size_t a = 0; a < i->nfuncs; a++) {
        for (size_t b = 0; b < a; b++)
            if (strcmp(i->funcs[a]->name, i->funcs[b]->name) == 0)
                wit_fail(ctx, GALE_EINVALID, i->funcs[a]->loc, "name `%s` is defined more than once", i->funcs[a]->name);
        if (gale_wit_iface_type(i, i->funcs[a]->name))
            wit_fail(ctx, GALE_EINVALID, i->funcs[a]->loc, "name `%s` is defined more than once", i->funcs[a]->name);
    }
}

static void resolve_iface(gale_wit_ctx_t *ctx, gale_wit_iface_t *i)
{
    if (i->state == ST_DONE)
        return;
    if (i->state == ST_BUSY)
        wit_fail(ctx, GALE_EINVALID, i->loc, "interface or world `%s` depends on itself", i->name);
    i->state = ST_BUSY;
    i->qualname = i->is_world_scope ? "$root" : iface_key(ctx, i);
    filter_iface(ctx, i);
    /* `use`d names come first (they are declared before use in practice) */
    size_t own_types = i->ntypes;
    gale_wit_type_t **own = i->types;
    i->types = NULL;
    i->ntypes = 0;
    resolve_uses(ctx, i);
    for (size_t k = 0; k < own_types; k++)
        WIT_PUSH(ctx, i->types, i->ntypes, own[k]);
    check_iface_names(ctx, i);
    for (size_t k = 0; k < i->ntypes; k++)
        resolve_typedef(ctx, i->types[k]);
    for (size_t k = 0; k < i->ntypes; k++) {
        gale_wit_type_t *r = i->types[k];
        if (r->kind != GALE_WIT_RESOURCE)
            continue;
        size_t nctor = 0;
        for (size_t f = 0; f < r->nfuncs; f++) {
            gale_wit_func_t *fn = r->funcs[f];
            if (fn->kind == GALE_WIT_FUNC_CONSTRUCTOR && ++nctor > 1)
                wit_fail(ctx, GALE_EINVALID, fn->loc, "duplicate constructors in resource `%s`", r->name);
            for (size_t g = 0; g < f; g++)
                if (fn->kind != GALE_WIT_FUNC_CONSTRUCTOR && strcmp(r->funcs[g]->name, fn->name) == 0)
                    wit_fail(ctx, GALE_EINVALID, fn->loc, "duplicate function name `%s` in resource `%s`", fn->name,
                             r->name);
            resolve_func(ctx, i, fn);
        }
    }
    for (size_t k = 0; k < i->nfuncs; k++)
        resolve_func(ctx, i, i->funcs[k]);
    i->state = ST_DONE;
}

/* ---- worlds -------------------------------------------------------------------- */

static const char *iface_key(gale_wit_ctx_t *ctx, const gale_wit_iface_t *i)
{
    if (i->world)
        return i->name;
    const gale_wit_package_t *p = i->pkg;
    if (p->version)
        return wit_fmt(ctx, "%s:%s/%s@%s", p->ns, p->name, i->name, p->version);
    return wit_fmt(ctx, "%s:%s/%s", p->ns, p->name, i->name);
}

static gale_wit_item_t *find_item(gale_wit_item_t *items, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].name, name) == 0)
            return &items[i];
    return NULL;
}

static void add_item(gale_wit_ctx_t *ctx, gale_wit_world_t *w, bool imp, gale_wit_item_t it)
{
    gale_wit_item_t **arr = imp ? &w->imports : &w->exports;
    size_t *n = imp ? &w->nimports : &w->nexports;
    gale_wit_item_t *prev = find_item(*arr, *n, it.name);
    if (prev) {
        if (prev->kind == GALE_WIT_ITEM_IFACE && it.kind == GALE_WIT_ITEM_IFACE && prev->iface == it.iface) {
            if (!it.implicit)
                prev->implicit = false;
            return;
        }
        wit_fail(ctx, GALE_EINVALID, it.loc, "%s `%s` conflicts with prior %s of same name", imp ? "import" : "export",
                 it.name, prev->kind == GALE_WIT_ITEM_FUNC ? "func" : "interface");
    }
    WIT_PUSH(ctx, *arr, *n, it);
}

/* Adds the interfaces `i` depends on (transitively) as implicit imports. */
static void add_deps(gale_wit_ctx_t *ctx, gale_wit_world_t *w, const gale_wit_iface_t *i, bool of_export, int depth)
{
    if (depth > 64)
        return;
    for (size_t u = 0; u < i->nuses; u++) {
        gale_wit_iface_t *d = i->uses[u].target;
        if (!d)
            continue;
        const char *key = iface_key(ctx, d);
        if (of_export && find_item(w->exports, w->nexports, key))
            continue; /* an exported interface may use another exported one */
        add_deps(ctx, w, d, false, depth + 1);
        gale_wit_item_t it = {0};
        it.kind = GALE_WIT_ITEM_IFACE;
        it.name = key;
        it.iface = d;
        it.implicit = true;
        it.loc = i->uses[u].loc;
        add_item(ctx, w, true, it);
    }
}

static void resolve_world(gale_wit_ctx_t *ctx, gale_wit_world_t *w)
{
    if (w->state == ST_DONE)
        return;
    if (w->state == ST_BUSY)
        wit_fail(ctx, GALE_EINVALID, w->loc, "world `%s` includes itself", w->name);
    w->state = ST_BUSY;
    resolve_iface(ctx, w->scope);
    FILTER(ctx, w->imports, w->nimports, .gate);
    FILTER(ctx, w->exports, w->nexports, .gate);
    FILTER(ctx, w->includes, w->nincludes, .gate);
    gale_wit_item_t *lists[2] = {w->imports, w->exports};
    size_t counts[2] = {w->nimports, w->nexports};
    w->imports = w->exports = NULL;
    w->nimports = w->nexports = 0;
    /* world-level `use`s import their interfaces */
    add_deps(ctx, w, w->scope, false, 0);
    for (int side = 0; side < 2; side++) {
        for (size_t k = 0; k < counts[side]; k++) {
            gale_wit_item_t it = lists[side][k];
            if (it.kind == GALE_WIT_ITEM_FUNC) {
                resolve_func(ctx, w->scope, it.func);
                if (gale_wit_iface_type(w->scope, it.name) && side == 0)
                    wit_fail(ctx, GALE_EINVALID, it.loc, "import `%s` conflicts with a type of the same name", it.name);
            } else if (it.iface) {
                it.iface->pkg = w->pkg;
                resolve_iface(ctx, it.iface);
            } else {
                it.iface = lookup_iface(ctx, w->pkg, w->file, it.path, it.loc);
                resolve_iface(ctx, it.iface);
                it.name = iface_key(ctx, it.iface);
            }
            if (side == 1 && it.kind == GALE_WIT_ITEM_IFACE) {
                /* keep exports first so deps of exports can refer to them */
            }
            add_item(ctx, w, side == 0, it);
        }
    }
    for (size_t k = 0; k < w->nincludes; k++) {
        gale_wit_include_t *inc = &w->includes[k];
        gale_wit_world_t *o = lookup_world(ctx, w->pkg, inc->file, inc->path, inc->loc);
        resolve_world(ctx, o);
        for (int side = 0; side < 2; side++) {
            gale_wit_item_t *src = side == 0 ? o->imports : o->exports;
            size_t n = side == 0 ? o->nimports : o->nexports;
            for (size_t j = 0; j < n; j++) {
                gale_wit_item_t it = src[j];
                for (size_t r = 0; r < inc->nwith; r++)
                    if (strcmp(inc->with_from[r], it.name) == 0) {
                        it.name = inc->with_to[r];
                        if (it.kind == GALE_WIT_ITEM_FUNC) {
                            gale_wit_func_t *nf = wit_alloc(ctx, sizeof *nf);
                            *nf = *it.func;
                            nf->name = it.name;
                            it.func = nf;
                        } else if (it.kind == GALE_WIT_ITEM_IFACE && it.iface->world) {
                            gale_wit_iface_t *ni = wit_alloc(ctx, sizeof *ni);
                            *ni = *it.iface;
                            ni->name = ni->qualname = it.name;
                            it.iface = ni;
                        } else {
                            wit_fail(ctx, GALE_EINVALID, inc->loc, "`with` can only rename functions and inline interfaces, not `%s`",
                                     inc->with_from[r]);
                        }
                    }
                it.loc = inc->loc;
                add_item(ctx, w, side == 0, it);
            }
        }
        for (size_t r = 0; r < inc->nwith; r++)
            if (!find_item(w->imports, w->nimports, inc->with_to[r]) && !find_item(w->exports, w->nexports, inc->with_to[r]))
                wit_fail(ctx, GALE_EINVALID, inc->loc, "`with` renames `%s`, which world `%s` does not have",
                         inc->with_from[r], o->name);
    }
    /* elaboration: dependencies of imports (and of exports) become imports */
    size_t ni = w->nimports;
    for (size_t k = 0; k < ni; k++)
        if (w->imports[k].kind == GALE_WIT_ITEM_IFACE)
            add_deps(ctx, w, w->imports[k].iface, false, 0);
    for (size_t k = 0; k < w->nexports; k++)
        if (w->exports[k].kind == GALE_WIT_ITEM_IFACE)
            add_deps(ctx, w, w->exports[k].iface, true, 0);
    /* implicit imports go before the items that need them */
    gale_wit_item_t *sorted = NULL;
    size_t ns = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < w->nimports; k++)
            if (w->imports[k].implicit == (pass == 0))
                WIT_PUSH(ctx, sorted, ns, w->imports[k]);
    w->imports = sorted;
    w->state = ST_DONE;
}

/* ---- whole graph --------------------------------------------------------------- */

static bool any_since(const gale_wit_iface_t *i)
{
    if (i->gate.since || i->gate.deprecated)
        return true;
    for (size_t k = 0; k < i->ntypes; k++)
        if (i->types[k]->gate.since || i->types[k]->gate.deprecated)
            return true;
    for (size_t k = 0; k < i->nfuncs; k++)
        if (i->funcs[k]->gate.since || i->funcs[k]->gate.deprecated)
            return true;
    return false;
}

void wit_resolve_all(gale_wit_ctx_t *ctx)
{
    for (size_t p = 0; p < ctx->npkgs; p++) {
        gale_wit_package_t *pkg = ctx->pkgs[p];
        FILTER(ctx, pkg->ifaces, pkg->nifaces, ->gate);
        FILTER(ctx, pkg->worlds, pkg->nworlds, ->gate);
        for (size_t a = 0; a < pkg->nifaces + pkg->nworlds; a++) {
            const char *na = a < pkg->nifaces ? pkg->ifaces[a]->name : pkg->worlds[a - pkg->nifaces]->name;
            gale_wit_loc_t la = a < pkg->nifaces ? pkg->ifaces[a]->loc : pkg->worlds[a - pkg->nifaces]->loc;
            for (size_t b = 0; b < a; b++) {
                const char *nb = b < pkg->nifaces ? pkg->ifaces[b]->name : pkg->worlds[b - pkg->nifaces]->name;
                if (strcmp(na, nb) == 0)
                    wit_fail(ctx, GALE_EINVALID, la, "duplicate item named `%s` in package `%s`", na, pkg->id);
            }
        }
        if (!pkg->version) {
            for (size_t k = 0; k < pkg->nifaces; k++)
                if (any_since(pkg->ifaces[k]))
                    wit_fail(ctx, GALE_EINVALID, pkg->ifaces[k]->loc,
                             "package `%s` contains a feature gate with a version specifier, so it must have a version",
                             pkg->id);
            for (size_t k = 0; k < pkg->nworlds; k++)
                if (pkg->worlds[k]->gate.since || any_since(pkg->worlds[k]->scope))
                    wit_fail(ctx, GALE_EINVALID, pkg->worlds[k]->loc,
                             "package `%s` contains a feature gate with a version specifier, so it must have a version",
                             pkg->id);
        }
    }
    for (size_t p = 0; p < ctx->npkgs; p++)
        for (size_t k = 0; k < ctx->pkgs[p]->nifaces; k++)
            resolve_iface(ctx, ctx->pkgs[p]->ifaces[k]);
    for (size_t p = 0; p < ctx->npkgs; p++)
        for (size_t k = 0; k < ctx->pkgs[p]->nworlds; k++)
            resolve_world(ctx, ctx->pkgs[p]->worlds[k]);
}

