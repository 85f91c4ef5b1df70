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

int gale_cli_wit(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "dump") != 0)) {
        fprintf(stderr, "usage: gale wit check <dir-or-file>...\n       gale wit dump <dir-or-file>\n"
                        "  check: parse and resolve each package, print `ok <path>` or the error\n"
                        "  dump:  print worlds with their core import/export names and signatures\n");
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
    (void)argc;
    (void)argv;
    fprintf(stderr, "gale bindgen: not built yet in this revision\n");
    return 2;
}
