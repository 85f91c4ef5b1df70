/* WIT context: arena, diagnostics, loading files/directories, lookups. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wit_internal.h"

void *wit_alloc(gale_wit_ctx_t *ctx, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    wit_block_t *b = ctx->blocks;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        b = calloc(1, sizeof *b + cap);
        if (!b) {
            fprintf(stderr, "gale wit: out of memory\n");
            abort();
        }
        b->cap = cap;
        b->next = ctx->blocks;
        ctx->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

char *wit_strndup(gale_wit_ctx_t *ctx, const char *s, size_t n)
{
    char *d = wit_alloc(ctx, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *wit_strdup(gale_wit_ctx_t *ctx, const char *s)
{
    return wit_strndup(ctx, s, strlen(s));
}

char *wit_fmt(gale_wit_ctx_t *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *d = wit_alloc(ctx, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void *wit_grow(gale_wit_ctx_t *ctx, void *arr, size_t n, size_t esz)
{
    /* capacities are powers of two >= 4: grow when n hits one */
    if (n < 4 && arr)
        return arr;
    if (arr && (n & (n - 1)) != 0)
        return arr;
    size_t cap = n < 4 ? 4 : n * 2;
    void *nb = wit_alloc(ctx, cap * esz);
    if (arr && n)
        memcpy(nb, arr, n * esz);
    return nb;
}

void wit_fail(gale_wit_ctx_t *ctx, int code, gale_wit_loc_t loc, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx->diag.code = code;
    ctx->diag.loc = loc;
    if (loc.file && loc.line)
        snprintf(ctx->diag.msg, sizeof ctx->diag.msg, "%s:%u:%u: %s", loc.file, loc.line, loc.col, msg);
    else if (loc.file)
        snprintf(ctx->diag.msg, sizeof ctx->diag.msg, "%s: %s", loc.file, msg);
    else
        snprintf(ctx->diag.msg, sizeof ctx->diag.msg, "%s", msg);
    if (ctx->jmp)
        longjmp(*ctx->jmp, 1);
    fprintf(stderr, "gale wit: unhandled error: %s\n", ctx->diag.msg);
    abort();
}

gale_wit_ctx_t *gale_wit_ctx_new(void)
{
    gale_wit_ctx_t *ctx = calloc(1, sizeof *ctx);
    return ctx;
}

void gale_wit_ctx_free(gale_wit_ctx_t *ctx)
{
    if (!ctx)
        return;
    wit_block_t *b = ctx->blocks;
    while (b) {
        wit_block_t *n = b->next;
        free(b);
        b = n;
    }
    free(ctx);
}

int gale_wit_ctx_enable_feature(gale_wit_ctx_t *ctx, const char *feature)
{
    if (!ctx || !feature)
        return GALE_EINVAL;
    const char *f = wit_strdup(ctx, feature);
    WIT_PUSH(ctx, ctx->features, ctx->nfeatures, f);
    return 0;
}

const gale_wit_diag_t *gale_wit_ctx_diag(const gale_wit_ctx_t *ctx)
{
    return &ctx->diag;
}

gale_wit_package_t *wit_package_get(gale_wit_ctx_t *ctx, const char *ns, const char *name, const char *version,
                                    gale_wit_loc_t loc, bool is_dep)
{
    const char *id = version ? wit_fmt(ctx, "%s:%s@%s", ns, name, version) : wit_fmt(ctx, "%s:%s", ns, name);
    for (size_t i = 0; i < ctx->npkgs; i++)
        if (strcmp(ctx->pkgs[i]->id, id) == 0)
            return ctx->pkgs[i];
    gale_wit_package_t *p = wit_alloc(ctx, sizeof *p);
    p->ns = ns;
    p->name = name;
    p->version = version;
    p->id = id;
    p->loc = loc;
    p->is_dep = is_dep;
    WIT_PUSH(ctx, ctx->pkgs, ctx->npkgs, p);
    return p;
}

static struct gale_wit_file *add_file(gale_wit_ctx_t *ctx, const char *path, const char *text, size_t len)
{
    struct gale_wit_file *f = wit_alloc(ctx, sizeof *f);
    f->path = wit_strdup(ctx, path);
    f->text = wit_strndup(ctx, text, len);
    f->len = len;
    WIT_PUSH(ctx, ctx->files, ctx->nfiles, f);
    return f;
}

static struct gale_wit_file *read_file(gale_wit_ctx_t *ctx, const char *path)
{
    gale_wit_loc_t l = {path, 0, 0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        wit_fail(ctx, GALE_ENOENT, l, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                wit_fail(ctx, GALE_ENOMEM, l, "out of memory");
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, fp);
        len += n;
        if (n == 0)
            break;
    }
    fclose(fp);
    struct gale_wit_file *f = add_file(ctx, path, buf ? buf : "", len);
    free(buf);
    return f;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names of a directory's entries (arena). */
static const char **list_dir(gale_wit_ctx_t *ctx, const char *dir, size_t *n)
{
    gale_wit_loc_t l = {dir, 0, 0};
    DIR *d = opendir(dir);
    if (!d)
        wit_fail(ctx, GALE_ENOENT, l, "cannot open directory: %s", strerror(errno));
    const char **names = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const char *s = wit_strdup(ctx, e->d_name);
        WIT_PUSH(ctx, names, *n, s);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Parses one package directory (its *.wit files); returns the package. */
static gale_wit_package_t *load_dir_files(gale_wit_ctx_t *ctx, const char *dir, bool is_dep)
{
    size_t n;
    const char **names = list_dir(ctx, dir, &n);
    struct gale_wit_file **files = NULL;
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ends_with(names[i], ".wit"))
            continue;
        const char *p = wit_fmt(ctx, "%s/%s", dir, names[i]);
        if (is_dir(p))
            continue;
        struct gale_wit_file *f = read_file(ctx, p);
        WIT_PUSH(ctx, files, nf, f);
    }
    gale_wit_loc_t l = {dir, 0, 0};
    if (nf == 0)
        wit_fail(ctx, GALE_ENOENT, l, "no .wit files in directory");
    gale_wit_package_t *pkg = NULL;
    /* files with a `package x:y;` header first, then the others */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < nf; i++)
            if (wit_file_has_header(ctx, files[i]) == (pass == 0)) {
                if (pass == 1 && !pkg)
                    wit_fail(ctx, GALE_EINVALID, l, "no `package` header was found in any .wit file of this directory");
                wit_parse_file(ctx, files[i], &pkg, is_dep);
            }
    return pkg;
}

static void load_deps(gale_wit_ctx_t *ctx, const char *dir)
{
    const char *deps = wit_fmt(ctx, "%s/deps", dir);
    if (!is_dir(deps))
        return;
    size_t n;
    const char **names = list_dir(ctx, deps, &n);
    for (size_t i = 0; i < n; i++) {
        const char *p = wit_fmt(ctx, "%s/%s", deps, names[i]);
        if (is_dir(p)) {
            load_dir_files(ctx, p, true);
        } else if (ends_with(p, ".wit")) {
            gale_wit_package_t *pkg = NULL;
            struct gale_wit_file *f = read_file(ctx, p);
            if (!wit_file_has_header(ctx, f)) {
                /* a file of nested packages is fine; otherwise a header is needed */
                wit_parse_file(ctx, f, &pkg, true);
            } else {
                wit_parse_file(ctx, f, &pkg, true);
            }
        }
    }
}

static int finish(gale_wit_ctx_t *ctx, gale_wit_package_t *pkg, gale_wit_package_t **out)
{
    wit_resolve_all(ctx);
    if (out)
        *out = pkg;
    return 0;
}

int gale_wit_load_path(gale_wit_ctx_t *ctx, const char *path, gale_wit_package_t **out)
{
    jmp_buf jb;
    jmp_buf *save = ctx->jmp;
    ctx->jmp = &jb;
    if (setjmp(jb)) {
        ctx->jmp = save;
        return ctx->diag.code ? ctx->diag.code : GALE_EINVALID;
    }
    gale_wit_package_t *pkg = NULL;
    if (is_dir(path)) {
        load_deps(ctx, path);
        pkg = load_dir_files(ctx, path, false);
    } else {
        struct gale_wit_file *f = read_file(ctx, path);
        wit_parse_file(ctx, f, &pkg, false);
    }
    if (!pkg) {
        gale_wit_loc_t l = {path, 0, 0};
        wit_fail(ctx, GALE_EINVALID, l, "no `package` header was found");
    }
    int rc = finish(ctx, pkg, out);
    ctx->jmp = save;
    return rc;
}

int gale_wit_load_text(gale_wit_ctx_t *ctx, const char *filename, const char *text, gale_wit_package_t **out)
{
    jmp_buf jb;
    jmp_buf *save = ctx->jmp;
    ctx->jmp = &jb;
    if (setjmp(jb)) {
        ctx->jmp = save;
        return ctx->diag.code ? ctx->diag.code : GALE_EINVALID;
    }
    struct gale_wit_file *f = add_file(ctx, filename, text, strlen(text));
    gale_wit_package_t *pkg = NULL;
    wit_parse_file(ctx, f, &pkg, false);
    if (!pkg) {
        gale_wit_loc_t l = {filename, 0, 0};
        wit_fail(ctx, GALE_EINVALID, l, "no `package` header was found");
    }
    int rc = finish(ctx, pkg, out);
    ctx->jmp = save;
    return rc;
}

gale_wit_world_t *gale_wit_package_world(const gale_wit_package_t *pkg, const char *name)
{
    for (size_t i = 0; pkg && i < pkg->nworlds; i++)
        if (strcmp(pkg->worlds[i]->name, name) == 0)
            return pkg->worlds[i];
    return NULL;
}

gale_wit_iface_t *gale_wit_package_iface(const gale_wit_package_t *pkg, const char *name)
{
    for (size_t i = 0; pkg && i < pkg->nifaces; i++)
        if (strcmp(pkg->ifaces[i]->name, name) == 0)
            return pkg->ifaces[i];
    return NULL;
}

gale_wit_type_t *gale_wit_iface_type(const gale_wit_iface_t *iface, const char *name)
{
    for (size_t i = 0; iface && i < iface->ntypes; i++)
        if (iface->types[i]->name && strcmp(iface->types[i]->name, name) == 0)
            return iface->types[i];
    return NULL;
}

gale_wit_func_t *gale_wit_iface_func(const gale_wit_iface_t *iface, const char *name)
{
    for (size_t i = 0; iface && i < iface->nfuncs; i++)
        if (strcmp(iface->funcs[i]->name, name) == 0)
            return iface->funcs[i];
    return NULL;
}

gale_wit_package_t *gale_wit_ctx_package(const gale_wit_ctx_t *ctx, const char *id)
{
    for (size_t i = 0; i < ctx->npkgs; i++)
        if (strcmp(ctx->pkgs[i]->id, id) == 0)
            return ctx->pkgs[i];
    /* unversioned lookup: "ns:name" matches "ns:name@x" when unique */
    gale_wit_package_t *hit = NULL;
    size_t n = strlen(id);
    for (size_t i = 0; i < ctx->npkgs; i++)
        if (strncmp(ctx->pkgs[i]->id, id, n) == 0 && ctx->pkgs[i]->id[n] == '@') {
            if (hit)
                return NULL;
            hit = ctx->pkgs[i];
        }
    return hit;
}

const gale_wit_type_t *gale_wit_type_deref(const gale_wit_type_t *t)
{
    while (t && t->kind == GALE_WIT_ALIAS)
        t = t->elem;
    return t;
}
