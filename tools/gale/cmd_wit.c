/* `gale wit ...`: check and inspect WIT packages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gale/wit.h"
#include "gale_cli.h"

static const char *core_name(uint8_t t)
{
    switch (t) {
    case GALE_WIT_CORE_I32: return "i32";
    case GALE_WIT_CORE_I64: return "i64";
    case GALE_WIT_CORE_F32: return "f32";
    case GALE_WIT_CORE_F64: return "f64";
    default: return "?";
    }
}

static void print_sig(const gale_wit_core_sig_t *s)
{
    printf("(");
    for (int i = 0; i < s->nparams; i++)
        printf("%s%s", i ? ", " : "", core_name(s->params[i]));
    printf(") -> ");
    if (s->nresults)
        printf("%s", core_name(s->results[0]));
    else
        printf("nil");
}

static void dump_func(const gale_wit_iface_t *iface, const gale_wit_func_t *f, bool is_import)
{
    char mod[512], field[512];
    gale_wit_core_sig_t sig;
    gale_wit_name_kind_t nk = is_import ? GALE_WIT_NAME_IMPORT : GALE_WIT_NAME_EXPORT;
    gale_wit_abi_t abi = is_import ? GALE_WIT_ABI_LOWER_SYNC : GALE_WIT_ABI_LIFT_SYNC;
    if (f->is_async) {
        nk = is_import ? GALE_WIT_NAME_IMPORT_ASYNC : GALE_WIT_NAME_EXPORT_ASYNC;
        abi = is_import ? GALE_WIT_ABI_LOWER_ASYNC : GALE_WIT_ABI_LIFT_ASYNC;
    }
    gale_wit_core_name(iface, f, nk, mod, sizeof mod, field, sizeof field);
    if (gale_wit_func_core_sig(f, abi, &sig) == 0) {
        printf("    %s %s%s%s : ", is_import ? "import" : "export", is_import ? mod : "", is_import ? " " : "", field);
        print_sig(&sig);
        printf("\n");
    }
    if (!is_import && f->is_async) {
        gale_wit_core_name(iface, f, GALE_WIT_NAME_TASK_RETURN, mod, sizeof mod, field, sizeof field);
        if (gale_wit_func_core_sig(f, GALE_WIT_ABI_TASK_RETURN, &sig) == 0) {
            printf("    import %s %s : ", mod, field);
            print_sig(&sig);
            printf("\n");
        }
    }
}

static void dump_iface_funcs(const gale_wit_iface_t *iface, bool is_import)
{
    for (size_t t = 0; t < iface->ntypes; t++) {
        const gale_wit_type_t *r = iface->types[t];
        if (r->kind != GALE_WIT_RESOURCE)
            continue;
        for (size_t k = 0; k < r->nfuncs; k++)
            dump_func(iface, r->funcs[k], is_import);
    }
    for (size_t k = 0; k < iface->nfuncs; k++)
        dump_func(iface, iface->funcs[k], is_import);
}

static int dump(const gale_wit_package_t *pkg)
{
    printf("package %s\n", pkg->id);
    for (size_t i = 0; i < pkg->nifaces; i++)
        printf("  interface %s: %zu types, %zu functions\n", pkg->ifaces[i]->name, pkg->ifaces[i]->ntypes,
               pkg->ifaces[i]->nfuncs);
    for (size_t w = 0; w < pkg->nworlds; w++) {
        const gale_wit_world_t *wd = pkg->worlds[w];
        printf("  world %s\n", wd->name);
        for (int side = 0; side < 2; side++) {
            const gale_wit_item_t *items = side == 0 ? wd->imports : wd->exports;
            size_t n = side == 0 ? wd->nimports : wd->nexports;
            for (size_t k = 0; k < n; k++) {
                const gale_wit_item_t *it = &items[k];
                printf("   %s %s%s\n", side == 0 ? "import" : "export", it->name, it->implicit ? " (implicit)" : "");
                if (it->kind == GALE_WIT_ITEM_IFACE)
                    dump_iface_funcs(it->iface, side == 0);
                else if (it->kind == GALE_WIT_ITEM_FUNC)
                    dump_func(NULL, it->func, side == 0);
            }
        }
    }
    return 0;
}

/* `gale wit abi`: the core imports/exports a module built from `gale bindgen`
 * guest bindings of a world has, one per line, sorted by the caller:
 *   import <module>.<field> : (params) -> result
 *   export <name> : (params) -> result
 * (wasm-objdump notation), computed from the layout and naming code only. */
static void abi_sig(char *buf, size_t n, const gale_wit_core_sig_t *s)
{
    size_t o = (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < s->nparams; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", core_name(s->params[i]));
    snprintf(buf + o, n - o, ") -> %s", s->nresults ? core_name(s->results[0]) : "nil");
}

static void abi_func(const gale_wit_iface_t *iface, const gale_wit_func_t *f, bool imp)
{
    char mod[512], field[512], sig[256];
    gale_wit_core_sig_t s;
    const gale_wit_type_t *eps[32];
    size_t nep = gale_wit_func_streams(f, eps, 32);
    bool unit_done[2] = {false, false};
    for (size_t k = 0; k < nep && k < 32; k++) {
        const gale_wit_type_t *t = gale_wit_type_deref(eps[k]);
        if (!t->elem) {
            if (unit_done[t->kind == GALE_WIT_STREAM])
                continue;
            unit_done[t->kind == GALE_WIT_STREAM] = true;
        }
        for (int op = 0; op < GALE_WIT_EP_COUNT; op++) {
            gale_wit_endpoint_core_name(iface, f, t, (gale_wit_endpoint_op_t)op, !imp, mod, sizeof mod, field,
                                        sizeof field, &s);
            abi_sig(sig, sizeof sig, &s);
            printf("import %s.%s : %s\n", mod, field, sig);
        }
    }
    if (imp) {
        gale_wit_core_name(iface, f, GALE_WIT_NAME_IMPORT, mod, sizeof mod, field, sizeof field);
        gale_wit_func_core_sig(f, GALE_WIT_ABI_LOWER_SYNC, &s);
        abi_sig(sig, sizeof sig, &s);
        printf("import %s.%s : %s\n", mod, field, sig);
        if (f->is_async) {
            gale_wit_core_name(iface, f, GALE_WIT_NAME_IMPORT_ASYNC, mod, sizeof mod, field, sizeof field);
            gale_wit_func_core_sig(f, GALE_WIT_ABI_LOWER_ASYNC, &s);
            abi_sig(sig, sizeof sig, &s);
            printf("import %s.%s : %s\n", mod, field, sig);
        }
        return;
    }
    gale_wit_core_name(iface, f, f->is_async ? GALE_WIT_NAME_EXPORT_ASYNC : GALE_WIT_NAME_EXPORT, mod, sizeof mod, field,
                       sizeof field);
    gale_wit_func_core_sig(f, f->is_async ? GALE_WIT_ABI_LIFT_ASYNC : GALE_WIT_ABI_LIFT_SYNC, &s);
    abi_sig(sig, sizeof sig, &s);
    printf("export %s : %s\n", field, sig);
    if (f->is_async) {
        gale_wit_core_name(iface, f, GALE_WIT_NAME_CALLBACK, mod, sizeof mod, field, sizeof field);
        printf("export %s : (i32, i32, i32) -> i32\n", field);
        gale_wit_core_name(iface, f, GALE_WIT_NAME_TASK_RETURN, mod, sizeof mod, field, sizeof field);
        gale_wit_func_core_sig(f, GALE_WIT_ABI_TASK_RETURN, &s);
        abi_sig(sig, sizeof sig, &s);
        printf("import %s.%s : %s\n", mod, field, sig);
    }
}

static void abi_iface(const gale_wit_iface_t *i, bool imp)
{
    char mod[512], field[512];
    for (size_t t = 0; t < i->ntypes; t++) {
        const gale_wit_type_t *r = i->types[t];
        if (r->kind != GALE_WIT_RESOURCE)
            continue;
        if (imp) {
            gale_wit_resource_core_name(i, r, GALE_WIT_RNAME_DROP, mod, sizeof mod, field, sizeof field);
            printf("import %s.%s : (i32) -> nil\n", mod, field);
        } else {
            gale_wit_resource_core_name(i, r, GALE_WIT_RNAME_EXPORT_NEW, mod, sizeof mod, field, sizeof field);
            printf("import %s.%s : (i32) -> i32\n", mod, field);
            gale_wit_resource_core_name(i, r, GALE_WIT_RNAME_EXPORT_REP, mod, sizeof mod, field, sizeof field);
            printf("import %s.%s : (i32) -> i32\n", mod, field);
            gale_wit_resource_core_name(i, r, GALE_WIT_RNAME_EXPORT_DROP, mod, sizeof mod, field, sizeof field);
            printf("import %s.%s : (i32) -> nil\n", mod, field);
            gale_wit_resource_core_name(i, r, GALE_WIT_RNAME_DTOR, mod, sizeof mod, field, sizeof field);
            printf("export %s : (i32) -> nil\n", field);
        }
        for (size_t k = 0; k < r->nfuncs; k++)
            abi_func(i, r->funcs[k], imp);
    }
    for (size_t k = 0; k < i->nfuncs; k++)
        abi_func(i, i->funcs[k], imp);
}

static int abi(const gale_wit_world_t *w)
{
    for (size_t k = 0; k < w->nimports; k++) {
        if (w->imports[k].kind == GALE_WIT_ITEM_IFACE)
            abi_iface(w->imports[k].iface, true);
        else if (w->imports[k].kind == GALE_WIT_ITEM_FUNC)
            abi_func(NULL, w->imports[k].func, true);
    }
    for (size_t k = 0; k < w->nexports; k++) {
        if (w->exports[k].kind == GALE_WIT_ITEM_IFACE)
            abi_iface(w->exports[k].iface, false);
        else if (w->exports[k].kind == GALE_WIT_ITEM_FUNC)
            abi_func(NULL, w->exports[k].func, false);
    }
    printf("export cabi_realloc : (i32, i32, i32, i32) -> i32\n");
    return 0;
}

/* `gale wit contract A IA B IB`: the contract check of binding an import of
 * interface IA (package A) to an export of IB (package B). */
static gale_wit_iface_t *find_iface(gale_wit_package_t *pkg, const char *name)
{
    gale_wit_iface_t *i = gale_wit_package_iface(pkg, name);
    if (i)
        return i;
    for (size_t k = 0; k < pkg->nifaces; k++)
        if (strcmp(gale_wit_iface_qualname(pkg->ifaces[k]), name) == 0)
            return pkg->ifaces[k];
    return NULL;
}

static int contract(char **argv)
{
    gale_wit_ctx_t *ca = gale_wit_ctx_new(), *cb = gale_wit_ctx_new();
    gale_wit_package_t *pa = NULL, *pb = NULL;
    int rc = 2;
    if (gale_wit_load_path(ca, argv[0], &pa)) {
        fprintf(stderr, "gale wit contract: %s\n", gale_wit_ctx_diag(ca)->msg);
    } else if (gale_wit_load_path(cb, argv[2], &pb)) {
        fprintf(stderr, "gale wit contract: %s\n", gale_wit_ctx_diag(cb)->msg);
    } else {
        gale_wit_iface_t *ia = find_iface(pa, argv[1]), *ib = find_iface(pb, argv[3]);
        if (!ia || !ib) {
            fprintf(stderr, "gale wit contract: no interface `%s` in %s\n", !ia ? argv[1] : argv[3],
                    !ia ? pa->id : pb->id);
        } else {
            char why[512] = "";
            if (gale_wit_iface_equal(ia, ib, why, sizeof why) == 0) {
                printf("compatible: %s == %s\n", gale_wit_iface_qualname(ia), gale_wit_iface_qualname(ib));
                rc = 0;
            } else {
                printf("incompatible: %s vs %s: %s\n", gale_wit_iface_qualname(ia), gale_wit_iface_qualname(ib), why);
                rc = 1;
            }
        }
    }
    gale_wit_ctx_free(ca);
    gale_wit_ctx_free(cb);
    return rc;
}

int gale_cli_wit(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "contract") == 0)
        return contract(argv + 2);
    if (argc == 5 && strcmp(argv[1], "abi") == 0) {
        gale_wit_ctx_t *ctx = gale_wit_ctx_new();
        gale_wit_package_t *pkg = NULL;
        int rc = gale_wit_load_path(ctx, argv[2], &pkg);
        gale_wit_world_t *w = rc ? NULL : gale_wit_package_world(pkg, argv[4]);
        if (rc)
            fprintf(stderr, "gale wit abi: %s\n", gale_wit_ctx_diag(ctx)->msg);
        else if (!w || strcmp(argv[3], "--world") != 0)
            fprintf(stderr, "gale wit abi: no world `%s`\n", argv[4]);
        else
            abi(w);
        gale_wit_ctx_free(ctx);
        return w ? 0 : 1;
    }
    if (argc < 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "dump") != 0)) {
        fprintf(stderr, "usage: gale wit check <dir-or-file>...\n       gale wit dump <dir-or-file>\n"
                        "       gale wit abi <dir-or-file> --world W\n"
                        "       gale wit contract <wit-a> <iface-a> <wit-b> <iface-b>\n"
                        "  check: parse and resolve each package, print `ok <path>` or the error\n"
                        "  dump:  print worlds with their core import/export names and signatures\n"
                        "  abi:   the core imports/exports of a guest built from `gale bindgen` bindings\n"
                        "  contract: structural equality of two interfaces (exit 0 compatible, 1 not, 2 error)\n");
        return 2;
    }
    bool do_dump = strcmp(argv[1], "dump") == 0;
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        gale_wit_ctx_t *ctx = gale_wit_ctx_new();
        gale_wit_package_t *pkg = NULL;
        int rc = gale_wit_load_path(ctx, argv[i], &pkg);
        if (rc) {
            printf("error %s\n", gale_wit_ctx_diag(ctx)->msg);
            bad = 1;
        } else if (do_dump) {
            dump(pkg);
        } else {
            printf("ok %s (%s)\n", argv[i], pkg->id);
        }
        gale_wit_ctx_free(ctx);
    }
    return bad;
}

int gale_cli_bindgen(int argc, char **argv)
{
    const char *world = NULL, *lang = "c", *out = ".", *dir = NULL;
    bool host = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--world") == 0 && i + 1 < argc)
            world = argv[++i];
        else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            lang = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--host") == 0)
            host = true;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "gale bindgen: unknown option `%s`\n", argv[i]);
            return 2;
        } else if (!dir)
            dir = argv[i];
        else {
            fprintf(stderr, "gale bindgen: more than one WIT path (`%s`, `%s`)\n", dir, argv[i]);
            return 2;
        }
    }
    if (!world || !dir) {
        fprintf(stderr, "usage: gale bindgen --world W [--lang c] [--host] [--out DIR] <wit dir or file>\n"
                        "  guest (default): W.h + W.c for a C component compiled to wasm32\n"
                        "  --host: W_host.h + W_host.c, the import table the component layer registers against\n");
        return 2;
    }
    if (strcmp(lang, "c") != 0) {
        fprintf(stderr, "gale bindgen: unsupported language `%s` (only `c`)\n", lang);
        return 2;
    }
    gale_wit_ctx_t *ctx = gale_wit_ctx_new();
    gale_wit_package_t *pkg = NULL;
    int rc = gale_wit_load_path(ctx, dir, &pkg);
    if (rc) {
        fprintf(stderr, "gale bindgen: %s\n", gale_wit_ctx_diag(ctx)->msg);
        gale_wit_ctx_free(ctx);
        return 1;
    }
    gale_wit_world_t *w = gale_wit_package_world(pkg, world);
    if (!w) {
        fprintf(stderr, "gale bindgen: package %s has no world `%s` (worlds:", pkg->id, world);
        for (size_t i = 0; i < pkg->nworlds; i++)
            fprintf(stderr, " %s", pkg->worlds[i]->name);
        fprintf(stderr, ")\n");
        gale_wit_ctx_free(ctx);
        return 1;
    }
    char err[512] = "";
    rc = host ? gale_wit_bindgen_c_host(ctx, w, out, err, sizeof err) : gale_wit_bindgen_c_guest(ctx, w, out, err, sizeof err);
    if (rc)
        fprintf(stderr, "gale bindgen: %s\n", err);
    gale_wit_ctx_free(ctx);
    return rc ? 1 : 0;
}
