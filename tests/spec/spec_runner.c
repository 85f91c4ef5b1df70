/* gale — WebAssembly spec-test runner.
 *
 * Runs the commands of one or more JSON files written by `wast2json` (wabt)
 * against the gale engine (include/gale/wasm.h), with the `spectest` host module.
 *
 *   spec_runner [-v] [--expect FILE] file.json...
 *
 * For every file it prints "<file>: N passed, M failed, K skipped" and lists the
 * failing commands with their .wast line. With --expect, the failures listed in
 * FILE (lines "<name>.wast:<line>  <reason>", '#' comments) are expected: the exit
 * status is 0 exactly when the set of failing commands equals the listed set for
 * the files run (an unexpected failure, or a listed one that now passes, fails).
 * Without --expect every failure fails.
 *
 * What is checked per command (as the reference interpreter does):
 *   module                 decodes, validates and instantiates (imports resolved
 *                          from `spectest` and from registered instances);
 *   register               makes an instance's exports importable under a name;
 *   action                 runs an invoke/get without trapping;
 *   assert_return          results equal the expected values bit for bit, with
 *                          nan:canonical / nan:arithmetic patterns, ref.null,
 *                          ref.extern N and (non-null) ref.func results;
 *   assert_trap            the call traps and the trap's text starts with the
 *                          expected reason (or the reverse, for reasons that carry
 *                          an index such as "uninitialized element 2");
 *   assert_exhaustion      the call traps with "call stack exhausted";
 *   assert_invalid         loading fails (the error kind, invalid vs malformed,
 *                          is reported but not required: the binary encodings
 *                          of some invalid modules are also malformed);
 *   assert_malformed       (binary) loading fails; text modules are skipped;
 *   assert_unlinkable      loads, then instantiation fails with GALE_ELINK (or an
 *                          import that no module provides);
 *   assert_uninstantiable  loads, then instantiation fails with GALE_ETRAP.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gale/wasm.h"

/* ------------------------------------------------------------------------- */
/* Small utilities                                                            */
/* ------------------------------------------------------------------------- */

static int g_verbose;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "spec_runner: out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "spec_runner: out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

/* Reads a whole file; NULL (and a message) on error. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "spec_runner: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "spec_runner: read error on %s\n", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static const char *jstr(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* ------------------------------------------------------------------------- */
/* Expected failures                                                          */
/* ------------------------------------------------------------------------- */

typedef struct expect_entry {
    char *file; /* "i32.wast" */
    int line;
    char *reason;
    int seen;   /* matched a failing command */
    int exists; /* a command with this line was run */
} expect_entry_t;

static expect_entry_t *g_expect;
static size_t g_n_expect;

static int load_expectations(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "spec_runner: cannot open expectation file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char buf[1024];
    int lineno = 0;
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        char *s = buf;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || *s == '\0')
            continue;
        char *colon = strchr(s, ':');
        if (!colon) {
            fprintf(stderr, "%s:%d: expected '<file>.wast:<line> <reason>'\n", path, lineno);
            fclose(f);
            return -1;
        }
        *colon = '\0';
        char *end;
        long ln = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || ln <= 0) {
            fprintf(stderr, "%s:%d: bad line number after '%s:'\n", path, lineno, s);
            fclose(f);
            return -1;
        }
        while (*end == ' ' || *end == '\t')
            end++;
        size_t rl = strlen(end);
        while (rl && (end[rl - 1] == '\n' || end[rl - 1] == '\r'))
            end[--rl] = '\0';
        if (rl == 0) {
            fprintf(stderr, "%s:%d: every expected failure needs a reason\n", path, lineno);
            fclose(f);
            return -1;
        }
        g_expect = xrealloc(g_expect, (g_n_expect + 1) * sizeof *g_expect);
        g_expect[g_n_expect++] = (expect_entry_t){xstrdup(s), (int)ln, xstrdup(end), 0, 0};
    }
    fclose(f);
    return 0;
}

static expect_entry_t *find_expect(const char *file, int line)
{
    for (size_t i = 0; i < g_n_expect; i++)
        if (g_expect[i].line == line && strcmp(g_expect[i].file, file) == 0)
            return &g_expect[i];
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* The spectest host module                                                   */
/* ------------------------------------------------------------------------- */

static const uint8_t ty_none[] = {0};
static const uint8_t ty_i32[] = {GALE_WASM_I32};
static const uint8_t ty_i64[] = {GALE_WASM_I64};
static const uint8_t ty_f32[] = {GALE_WASM_F32};
static const uint8_t ty_f64[] = {GALE_WASM_F64};
static const uint8_t ty_i32_f32[] = {GALE_WASM_I32, GALE_WASM_F32};
static const uint8_t ty_f64_f64[] = {GALE_WASM_F64, GALE_WASM_F64};

static const struct {
    const char *name;
    gale_wasm_functype_t type;
} spectest_funcs[] = {
    {"print", {0, 0, ty_none}},
    {"print_i32", {1, 0, ty_i32}},
    {"print_i64", {1, 0, ty_i64}},
    {"print_f32", {1, 0, ty_f32}},
    {"print_f64", {1, 0, ty_f64}},
    {"print_i32_f32", {2, 0, ty_i32_f32}},
    {"print_f64_f64", {2, 0, ty_f64_f64}},
};
#define N_SPECTEST_FUNCS (sizeof spectest_funcs / sizeof spectest_funcs[0])

static int spectest_print(gale_wasm_caller_t *caller, void *env, const gale_wasm_val_t *args,
                          gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    (void)caller;
    (void)results;
    (void)trap;
    const gale_wasm_functype_t *t = env;
    if (g_verbose) {
        printf("  spectest print:");
        for (unsigned i = 0; i < t->n_params; i++) {
            switch (t->types[i]) {
            case GALE_WASM_I32: printf(" %" PRIu32 " : i32", args[i].i32); break;
            case GALE_WASM_I64: printf(" %" PRIu64 " : i64", args[i].i64); break;
            case GALE_WASM_F32: {
                float f;
                memcpy(&f, &args[i].f32_bits, 4);
                printf(" %g : f32", (double)f);
                break;
            }
            case GALE_WASM_F64: {
                double d;
                memcpy(&d, &args[i].f64_bits, 8);
                printf(" %g : f64", d);
                break;
            }
            default: printf(" ? "); break;
            }
        }
        printf("\n");
    }
    return 0;
}

typedef struct spectest {
    gale_wasm_extern_t funcs[N_SPECTEST_FUNCS];
    gale_wasm_extern_t g_i32, g_i64, g_f32, g_f64, table, memory;
} spectest_t;

static int spectest_init(spectest_t *st, const gale_wasm_config_t *cfg)
{
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < N_SPECTEST_FUNCS; i++) {
        st->funcs[i].kind = GALE_WASM_EXTERN_FUNC;
        st->funcs[i].u.func = gale_wasm_func_new_host(cfg, &spectest_funcs[i].type, spectest_print,
                                                      (void *)&spectest_funcs[i].type);
        if (!st->funcs[i].u.func)
            return -1;
    }
    gale_wasm_val_t v;
    float f32 = 666.6f;
    double f64 = 666.6;
    st->g_i32.kind = st->g_i64.kind = st->g_f32.kind = st->g_f64.kind = GALE_WASM_EXTERN_GLOBAL;
    memset(&v, 0, sizeof v);
    v.i32 = 666;
    st->g_i32.u.global = gale_wasm_global_new(cfg, GALE_WASM_I32, false, v);
    memset(&v, 0, sizeof v);
    v.i64 = 666;
    st->g_i64.u.global = gale_wasm_global_new(cfg, GALE_WASM_I64, false, v);
    memset(&v, 0, sizeof v);
    memcpy(&v.f32_bits, &f32, 4);
    st->g_f32.u.global = gale_wasm_global_new(cfg, GALE_WASM_F32, false, v);
    memset(&v, 0, sizeof v);
    memcpy(&v.f64_bits, &f64, 8);
    st->g_f64.u.global = gale_wasm_global_new(cfg, GALE_WASM_F64, false, v);
    st->table.kind = GALE_WASM_EXTERN_TABLE;
    st->table.u.table = gale_wasm_table_new(cfg, GALE_WASM_FUNCREF, 10, 20);
    st->memory.kind = GALE_WASM_EXTERN_MEMORY;
    st->memory.u.memory = gale_wasm_memory_new(cfg, 1, 2);
    if (!st->g_i32.u.global || !st->g_i64.u.global || !st->g_f32.u.global || !st->g_f64.u.global ||
        !st->table.u.table || !st->memory.u.memory)
        return -1;
    return 0;
}

static void spectest_free(spectest_t *st)
{
    for (size_t i = 0; i < N_SPECTEST_FUNCS; i++)
        if (st->funcs[i].u.func)
            gale_wasm_extern_free(st->funcs[i]);
    gale_wasm_extern_t *objs[] = {&st->g_i32, &st->g_i64, &st->g_f32, &st->g_f64, &st->table, &st->memory};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        if (objs[i]->u.func) /* any member: they share storage */
            gale_wasm_extern_free(*objs[i]);
}

static const gale_wasm_extern_t *spectest_lookup(const spectest_t *st, const char *name)
{
    for (size_t i = 0; i < N_SPECTEST_FUNCS; i++)
        if (strcmp(spectest_funcs[i].name, name) == 0)
            return &st->funcs[i];
    if (strcmp(name, "global_i32") == 0)
        return &st->g_i32;
    if (strcmp(name, "global_i64") == 0)
        return &st->g_i64;
    if (strcmp(name, "global_f32") == 0)
        return &st->g_f32;
    if (strcmp(name, "global_f64") == 0)
        return &st->g_f64;
    if (strcmp(name, "table") == 0)
        return &st->table;
    if (strcmp(name, "memory") == 0)
        return &st->memory;
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* Per-file state                                                             */
/* ------------------------------------------------------------------------- */

typedef struct loaded {
    gale_wasm_module_t *module;
    gale_wasm_instance_t *inst; /* NULL if it did not instantiate */
} loaded_t;

typedef struct binding {
    char *name;                 /* "$M1" (module name) or "M1" (registered as) */
    gale_wasm_instance_t *inst;
} binding_t;

typedef struct nul_name {
    int line;
    long len; /* -1: could not decode */
    char name[512];
} nul_name_t;

typedef struct run {
    const char *json_path;
    char dir[4096];       /* folder of the JSON file (for the .wasm files) */
    char wast[256];       /* "i32.wast" */
    gale_wasm_config_t cfg;
    spectest_t spectest;
    loaded_t *loaded;
    size_t n_loaded;
    binding_t *named;      /* module names */
    size_t n_named;
    binding_t *registered; /* register "as" names */
    size_t n_registered;
    gale_wasm_instance_t *current;
    int passed, failed, skipped, expected_failed, unexpected_passed, kind_mismatch;
    nul_name_t *nul; /* commands whose field name contains U+0000 (see scan_nul_lines) */
    size_t n_nul;
    int cur_line;
    const char *cur_type;
    int cur_failed;
} run_t;

static void fail(run_t *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    expect_entry_t *e = find_expect(r->wast, r->cur_line);
    printf("  %s %s:%d %s: %s\n", e ? "XFAIL" : "FAIL", r->wast, r->cur_line, r->cur_type, msg);
    if (e)
        printf("        (listed in expected-failures: %s)\n", e->reason);
    r->cur_failed = 1;
}

static void bind(binding_t **arr, size_t *n, const char *name, gale_wasm_instance_t *inst)
{
    *arr = xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[*n].name = xstrdup(name);
    (*arr)[*n].inst = inst;
    (*n)++;
}

/* Latest binding wins (a name can be rebound by a later module). */
static gale_wasm_instance_t *lookup(binding_t *arr, size_t n, const char *name, int *found)
{
    for (size_t i = n; i-- > 0;)
        if (strcmp(arr[i].name, name) == 0) {
            *found = 1;
            return arr[i].inst;
        }
    *found = 0;
    return NULL;
}

static const char *err_kind(int code)
{
    switch (code) {
    case GALE_EMALFORMED: return "malformed";
    case GALE_EINVALID: return "invalid";
    case GALE_ELINK: return "link error";
    case GALE_ETRAP: return "trap";
    case GALE_ENOMEM: return "out of memory";
    default: return gale_strerror(code);
    }
}

/* Loads <dir>/<filename>. Returns the module or NULL with err filled. */
static gale_wasm_module_t *load_module(run_t *r, const char *filename, gale_wasm_error_t *err)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", r->dir, filename);
    size_t len = 0;
    uint8_t *bytes = read_file(path, &len);
    memset(err, 0, sizeof *err);
    if (!bytes) {
        err->code = GALE_ENOENT;
        snprintf(err->message, sizeof err->message, "cannot read %.140s", filename);
        return NULL;
    }
    gale_wasm_module_t *m = gale_wasm_module_load(&r->cfg, bytes, len, err);
    /* The bytes may be freed after the call: overwrite them first so that an
     * engine keeping a pointer into them fails loudly under ASan/tests. */
    memset(bytes, 0xA5, len);
    free(bytes);
    if (!m && err->code == 0)
        err->code = GALE_EINVAL; /* the engine must say why; treat as a failure */
    return m;
}

/* Resolves the module's imports. Returns 0, or -1 with `why` set when an import
 * is provided by nobody (an unlinkable module). */
static int resolve_imports(run_t *r, const gale_wasm_module_t *m, gale_wasm_extern_t **out, uint32_t *n_out,
                           char *why, size_t why_len)
{
    uint32_t n = gale_wasm_module_import_count(m);
    gale_wasm_extern_t *ext = xmalloc(n * sizeof *ext);
    for (uint32_t i = 0; i < n; i++) {
        gale_wasm_import_desc_t d;
        memset(&d, 0, sizeof d);
        if (gale_wasm_module_import(m, i, &d) != 0) {
            snprintf(why, why_len, "gale_wasm_module_import(%" PRIu32 ") failed", i);
            free(ext);
            return -1;
        }
        if (strcmp(d.module, "spectest") == 0) {
            const gale_wasm_extern_t *e = spectest_lookup(&r->spectest, d.name);
            if (!e) {
                snprintf(why, why_len, "unknown import \"spectest\".\"%s\"", d.name);
                free(ext);
                return -1;
            }
            ext[i] = *e;
            continue;
        }
        int found;
        gale_wasm_instance_t *inst = lookup(r->registered, r->n_registered, d.module, &found);
        if (!found || !inst) {
            snprintf(why, why_len, "unknown import \"%s\".\"%s\" (no module registered as \"%s\")", d.module,
                     d.name, d.module);
            free(ext);
            return -1;
        }
        if (gale_wasm_instance_export(inst, d.name, &ext[i]) != 0) {
            snprintf(why, why_len, "unknown import \"%s\".\"%s\" (no such export)", d.module, d.name);
            free(ext);
            return -1;
        }
    }
    *out = ext;
    *n_out = n;
    return 0;
}

typedef enum { INST_OK, INST_UNRESOLVED, INST_FAILED } inst_result_t;

static inst_result_t instantiate(run_t *r, gale_wasm_module_t *m, gale_wasm_instance_t **out,
                                 gale_wasm_error_t *err)
{
    gale_wasm_extern_t *imports = NULL;
    uint32_t n = 0;
    memset(err, 0, sizeof *err);
    *out = NULL;
    if (resolve_imports(r, m, &imports, &n, err->message, sizeof err->message) != 0) {
        err->code = GALE_ELINK;
        return INST_UNRESOLVED;
    }
    gale_wasm_instance_t *inst = gale_wasm_instantiate(m, imports, n, err);
    free(imports);
    if (!inst) {
        if (err->code == 0)
            err->code = GALE_EINVAL;
        return INST_FAILED;
    }
    *out = inst;
    return INST_OK;
}

static void keep(run_t *r, gale_wasm_module_t *m, gale_wasm_instance_t *inst)
{
    r->loaded = xrealloc(r->loaded, (r->n_loaded + 1) * sizeof *r->loaded);
    r->loaded[r->n_loaded].module = m;
    r->loaded[r->n_loaded].inst = inst;
    r->n_loaded++;
}

/* ------------------------------------------------------------------------- */
/* Values                                                                     */
/* ------------------------------------------------------------------------- */

/* ref.extern N is represented as a distinct non-null opaque pointer. */
static gale_wasm_ref_t extern_ref(uint64_t n)
{
    return (gale_wasm_ref_t)(uintptr_t)(0x1000u + n * 16u);
}

static int valtype_of(const char *s, uint8_t *out)
{
    static const struct {
        const char *n;
        uint8_t t;
    } tab[] = {{"i32", GALE_WASM_I32},         {"i64", GALE_WASM_I64},
               {"f32", GALE_WASM_F32},         {"f64", GALE_WASM_F64},
               {"funcref", GALE_WASM_FUNCREF}, {"externref", GALE_WASM_EXTERNREF}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(s, tab[i].n) == 0) {
            *out = tab[i].t;
            return 0;
        }
    return -1;
}

static const char *valtype_name(uint8_t t)
{
    switch (t) {
    case GALE_WASM_I32: return "i32";
    case GALE_WASM_I64: return "i64";
    case GALE_WASM_F32: return "f32";
    case GALE_WASM_F64: return "f64";
    case GALE_WASM_FUNCREF: return "funcref";
    case GALE_WASM_EXTERNREF: return "externref";
    default: return "?";
    }
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Parses a JSON argument {"type":..., "value":...} into a value. */
static int parse_arg(const cJSON *a, uint8_t *type, gale_wasm_val_t *v, char *why, size_t why_len)
{
    const char *ts = jstr(a, "type"), *vs = jstr(a, "value");
    memset(v, 0, sizeof *v);
    if (!ts || valtype_of(ts, type) != 0) {
        snprintf(why, why_len, "unsupported argument type %s", ts ? ts : "(none)");
        return -1;
    }
    if (*type == GALE_WASM_FUNCREF || *type == GALE_WASM_EXTERNREF) {
        if (!vs || strcmp(vs, "null") == 0) {
            v->ref = NULL;
            return 0;
        }
        uint64_t n;
        if (*type == GALE_WASM_EXTERNREF && parse_u64(vs, &n) == 0) {
            v->ref = extern_ref(n);
            return 0;
        }
        snprintf(why, why_len, "unsupported %s argument \"%s\"", ts, vs);
        return -1;
    }
    uint64_t n;
    if (parse_u64(vs, &n) != 0) {
        snprintf(why, why_len, "bad %s argument \"%s\"", ts, vs ? vs : "(none)");
        return -1;
    }
    switch (*type) {
    case GALE_WASM_I32: v->i32 = (uint32_t)n; break;
    case GALE_WASM_I64: v->i64 = n; break;
    case GALE_WASM_F32: v->f32_bits = (uint32_t)n; break;
    default: v->f64_bits = n; break;
    }
    return 0;
}

static void format_val(char *buf, size_t len, uint8_t type, gale_wasm_val_t v)
{
    switch (type) {
    case GALE_WASM_I32: snprintf(buf, len, "i32:%" PRIu32, v.i32); break;
    case GALE_WASM_I64: snprintf(buf, len, "i64:%" PRIu64, v.i64); break;
    case GALE_WASM_F32: {
        float f;
        memcpy(&f, &v.f32_bits, 4);
        snprintf(buf, len, "f32:0x%08" PRIx32 " (%.9g)", v.f32_bits, (double)f);
        break;
    }
    case GALE_WASM_F64: {
        double d;
        memcpy(&d, &v.f64_bits, 8);
        snprintf(buf, len, "f64:0x%016" PRIx64 " (%.17g)", v.f64_bits, d);
        break;
    }
    default: snprintf(buf, len, "%s:%p", valtype_name(type), v.ref); break;
    }
}

/* Does `v` (of type `type`) match the expectation `e`? */
static int match_expected(const cJSON *e, uint8_t type, gale_wasm_val_t v, char *why, size_t why_len)
{
    const char *ts = jstr(e, "type"), *vs = jstr(e, "value");
    uint8_t et;
    char got[96];
    format_val(got, sizeof got, type, v);
    if (!ts || valtype_of(ts, &et) != 0) {
        snprintf(why, why_len, "unsupported expected type %s", ts ? ts : "(none)");
        return 0;
    }
    if (et != type) {
        snprintf(why, why_len, "expected a %s result, the function returns %s", ts, valtype_name(type));
        return 0;
    }
    if (type == GALE_WASM_FUNCREF || type == GALE_WASM_EXTERNREF) {
        if (vs && strcmp(vs, "null") == 0) {
            if (v.ref == NULL)
                return 1;
            snprintf(why, why_len, "expected ref.null, got %s", got);
            return 0;
        }
        if (!vs) { /* any non-null reference (ref.func) */
            if (v.ref != NULL)
                return 1;
            snprintf(why, why_len, "expected a non-null %s, got null", ts);
            return 0;
        }
        uint64_t n;
        if (type == GALE_WASM_EXTERNREF && parse_u64(vs, &n) == 0) {
            if (v.ref == extern_ref(n))
                return 1;
            snprintf(why, why_len, "expected ref.extern %s, got %s", vs,
                     v.ref ? "another reference" : "null");
            return 0;
        }
        snprintf(why, why_len, "unsupported expected %s \"%s\"", ts, vs);
        return 0;
    }
    if (vs && strncmp(vs, "nan:", 4) == 0) {
        int canonical = strcmp(vs, "nan:canonical") == 0;
        if (!canonical && strcmp(vs, "nan:arithmetic") != 0) {
            snprintf(why, why_len, "unsupported NaN pattern %s", vs);
            return 0;
        }
        int ok;
        if (type == GALE_WASM_F32)
            ok = canonical ? (v.f32_bits & 0x7fffffffu) == 0x7fc00000u
                           : (v.f32_bits & 0x7fc00000u) == 0x7fc00000u;
        else if (type == GALE_WASM_F64)
            ok = canonical ? (v.f64_bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull
                           : (v.f64_bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
        else
            ok = 0;
        if (!ok)
            snprintf(why, why_len, "expected %s %s, got %s", ts, vs, got);
        return ok;
    }
    uint64_t n;
    if (parse_u64(vs, &n) != 0) {
        snprintf(why, why_len, "bad expected value \"%s\"", vs ? vs : "(none)");
        return 0;
    }
    int ok;
    switch (type) {
    case GALE_WASM_I32: ok = v.i32 == (uint32_t)n; break;
    case GALE_WASM_I64: ok = v.i64 == n; break;
    case GALE_WASM_F32: ok = v.f32_bits == (uint32_t)n; break;
    default: ok = v.f64_bits == n; break;
    }
    if (!ok) {
        gale_wasm_val_t ev;
        memset(&ev, 0, sizeof ev);
        ev.i64 = n;
        if (type == GALE_WASM_I32 || type == GALE_WASM_F32)
            ev.i32 = (uint32_t)n;
        char want[96];
        format_val(want, sizeof want, type, ev);
        snprintf(why, why_len, "expected %s, got %s", want, got);
    }
    return ok;
}

/* Decodes the JSON string starting after the opening quote at `p` into UTF-8
 * bytes (U+0000 included). Returns the length, or -1 if malformed. */
static long json_decode_string(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    while (*p && *p != '"') {
        uint32_t cp;
        if (*p != '\\') {
            cp = (uint8_t)*p++;
            if (n + 1 > cap)
                return -1;
            out[n++] = (char)cp;
            continue;
        }
        p++;
        switch (*p) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
            char hex[5] = {0};
            memcpy(hex, p + 1, 4);
            if (strlen(hex) != 4)
                return -1;
            cp = (uint32_t)strtoul(hex, NULL, 16);
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p[1] == '\\' && p[2] == 'u') {
                memcpy(hex, p + 3, 4);
                uint32_t lo = (uint32_t)strtoul(hex, NULL, 16);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            break;
        }
        default: return -1;
        }
        p++;
        if (n + 4 > cap)
            return -1;
        if (cp < 0x80) {
            out[n++] = (char)cp;
        } else if (cp < 0x800) {
            out[n++] = (char)(0xC0 | (cp >> 6));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[n++] = (char)(0xE0 | (cp >> 12));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[n++] = (char)(0xF0 | (cp >> 18));
            out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    return *p == '"' ? (long)n : -1;
}

/* wast2json writes one command per line. cJSON cuts a string at U+0000 (names.wast
 * exports such a name), so for those commands the action's "field" is decoded
 * here from the raw line, with its length, and looked up with
 * gale_wasm_instance_export_n. */
static void scan_nul_lines(run_t *r, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t ll = (size_t)(le - p);
        char tmp[4096];
        if (ll < sizeof tmp) {
            memcpy(tmp, p, ll);
            tmp[ll] = '\0';
            const char *ln = strstr(tmp, "\"line\": ");
            const char *fld = strstr(tmp, "\"field\": \"");
            if (ln && strstr(tmp, "\\u0000")) {
                r->nul = xrealloc(r->nul, (r->n_nul + 1) * sizeof *r->nul);
                nul_name_t *e = &r->nul[r->n_nul++];
                e->line = atoi(ln + 8);
                e->len = fld ? json_decode_string(fld + 10, e->name, sizeof e->name) : -1;
            }
        }
        p = le + 1;
    }
}

static const nul_name_t *find_nul_name(const run_t *r, int line)
{
    for (size_t i = 0; i < r->n_nul; i++)
        if (r->nul[i].line == line)
            return &r->nul[i];
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* Actions                                                                    */
/* ------------------------------------------------------------------------- */

#define MAX_VALS 64

typedef enum { ACT_OK, ACT_TRAP, ACT_ERROR } act_status_t;

typedef struct act_result {
    act_status_t status;
    uint32_t n;
    uint8_t types[MAX_VALS];
    gale_wasm_val_t vals[MAX_VALS];
    gale_wasm_trap_t trap;
    char why[384]; /* ACT_ERROR */
} act_result_t;

static gale_wasm_instance_t *action_instance(run_t *r, const cJSON *act, char *why, size_t why_len)
{
    const char *mod = jstr(act, "module");
    if (mod) {
        int found;
        gale_wasm_instance_t *inst = lookup(r->named, r->n_named, mod, &found);
        if (!found)
            snprintf(why, why_len, "no module named %s", mod);
        else if (!inst)
            snprintf(why, why_len, "module %s did not instantiate", mod);
        return inst;
    }
    if (!r->current)
        snprintf(why, why_len, "no current module (the last module command failed)");
    return r->current;
}

static void do_action(run_t *r, const cJSON *act, act_result_t *res)
{
    memset(res, 0, sizeof *res);
    res->status = ACT_ERROR;
    const char *type = jstr(act, "type"), *field = jstr(act, "field");
    if (!type || !field) {
        snprintf(res->why, sizeof res->why, "action without type/field");
        return;
    }
    gale_wasm_instance_t *inst = action_instance(r, act, res->why, sizeof res->why);
    if (!inst)
        return;
    gale_wasm_extern_t ext;
    memset(&ext, 0, sizeof ext);
    const nul_name_t *nn = find_nul_name(r, r->cur_line);
    if (nn && nn->len < 0) {
        snprintf(res->why, sizeof res->why, "cannot decode the field name (it contains U+0000)");
        return;
    }
    int rc = nn ? gale_wasm_instance_export_n(inst, nn->name, (size_t)nn->len, &ext)
                : gale_wasm_instance_export(inst, field, &ext);
    if (rc != 0) {
        snprintf(res->why, sizeof res->why, "no export \"%s\" (%s)", field, gale_strerror(rc));
        return;
    }
    if (strcmp(type, "get") == 0) {
        if (ext.kind != GALE_WASM_EXTERN_GLOBAL) {
            snprintf(res->why, sizeof res->why, "export \"%s\" is not a global", field);
            return;
        }
        res->n = 1;
        res->types[0] = 0; /* filled by the caller from the expectation */
        res->vals[0] = gale_wasm_global_get(ext.u.global);
        res->status = ACT_OK;
        return;
    }
    if (strcmp(type, "invoke") != 0) {
        snprintf(res->why, sizeof res->why, "unsupported action type %s", type);
        return;
    }
    if (ext.kind != GALE_WASM_EXTERN_FUNC) {
        snprintf(res->why, sizeof res->why, "export \"%s\" is not a function", field);
        return;
    }
    const gale_wasm_functype_t *ft = gale_wasm_func_type(ext.u.func);
    if (!ft) {
        snprintf(res->why, sizeof res->why, "gale_wasm_func_type returned NULL for \"%s\"", field);
        return;
    }
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(act, "args");
    int n_args = cJSON_GetArraySize(args);
    if (n_args != ft->n_params) {
        snprintf(res->why, sizeof res->why, "\"%s\" takes %u parameters, the test passes %d", field,
                 ft->n_params, n_args);
        return;
    }
    if (n_args > MAX_VALS || ft->n_results > MAX_VALS) {
        snprintf(res->why, sizeof res->why, "too many values for the runner");
        return;
    }
    gale_wasm_val_t argv[MAX_VALS];
    int i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, args)
    {
        uint8_t t;
        if (parse_arg(a, &t, &argv[i], res->why, sizeof res->why) != 0)
            return;
        if (t != ft->types[i]) {
            snprintf(res->why, sizeof res->why, "argument %d of \"%s\" is %s, the test passes %s", i, field,
                     valtype_name(ft->types[i]), valtype_name(t));
            return;
        }
        i++;
    }
    res->n = ft->n_results;
    memcpy(res->types, ft->types + ft->n_params, ft->n_results);
    rc = gale_wasm_call(inst, ext.u.func, argv, (uint32_t)n_args, res->vals, res->n, &res->trap);
    if (rc == 0) {
        res->status = ACT_OK;
    } else if (rc == GALE_ETRAP) {
        res->status = ACT_TRAP;
    } else {
        snprintf(res->why, sizeof res->why, "gale_wasm_call returned %d (%s)", rc, gale_strerror(rc));
        if (rc == GALE_EFUEL)
            gale_wasm_abort(inst);
    }
}

static const char *trap_text(const gale_wasm_trap_t *t)
{
    if (t->message[0])
        return t->message;
    const char *s = gale_wasm_trap_reason(t->code);
    return s ? s : "(no reason)";
}

/* Reference-interpreter style: the actual message starts with the expected one.
 * The reverse is accepted too, for expectations that append an index
 * ("uninitialized element 2") to a reason the engine states without it. */
static int trap_matches(const gale_wasm_trap_t *t, const char *expected)
{
    const char *msg = trap_text(t);
    size_t le = strlen(expected), lm = strlen(msg);
    if (strncmp(msg, expected, le) == 0)
        return 1;
    if (lm > 0 && strncmp(expected, msg, lm) == 0)
        return 1;
    /* The engine's message may carry a more detailed text; accept the
     * canonical reason of its trap code too. */
    const char *canon = gale_wasm_trap_reason(t->code);
    return canon && strncmp(canon, expected, le) == 0;
}

/* ------------------------------------------------------------------------- */
/* Commands                                                                   */
/* ------------------------------------------------------------------------- */

static void cmd_module(run_t *r, const cJSON *c)
{
    const char *fn = jstr(c, "filename"), *name = jstr(c, "name");
    gale_wasm_error_t err;
    r->current = NULL;
    gale_wasm_module_t *m = fn ? load_module(r, fn, &err) : NULL;
    if (!m) {
        fail(r, "%s does not load: %s: %s", fn ? fn : "(no filename)", fn ? err_kind(err.code) : "",
             fn ? err.message : "");
    } else {
        gale_wasm_instance_t *inst;
        if (instantiate(r, m, &inst, &err) != INST_OK)
            fail(r, "%s does not instantiate: %s: %s", fn, err_kind(err.code), err.message);
        keep(r, m, inst);
        r->current = inst;
    }
    if (name)
        bind(&r->named, &r->n_named, name, r->current);
}

static void cmd_register(run_t *r, const cJSON *c)
{
    const char *as = jstr(c, "as"), *name = jstr(c, "name");
    gale_wasm_instance_t *inst = r->current;
    if (name) {
        int found;
        inst = lookup(r->named, r->n_named, name, &found);
        if (!found) {
            fail(r, "no module named %s", name);
            return;
        }
    }
    if (!as) {
        fail(r, "register without \"as\"");
        return;
    }
    if (!inst) {
        fail(r, "cannot register \"%s\": the module did not instantiate", as);
        return;
    }
    bind(&r->registered, &r->n_registered, as, inst);
}

static void cmd_action(run_t *r, const cJSON *c, int check_results)
{
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(c, "action");
    act_result_t res;
    do_action(r, act, &res);
    if (res.status == ACT_ERROR) {
        fail(r, "%s", res.why);
        return;
    }
    if (res.status == ACT_TRAP) {
        fail(r, "unexpected trap: %s", trap_text(&res.trap));
        return;
    }
    if (!check_results)
        return;
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(c, "expected");
    int n_exp = cJSON_GetArraySize(exp);
    if ((uint32_t)n_exp != res.n) {
        fail(r, "expected %d results, got %u", n_exp, res.n);
        return;
    }
    const char *at = jstr(act, "type");
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, exp)
    {
        uint8_t t = res.types[i];
        if (at && strcmp(at, "get") == 0) {
            const char *ts = jstr(e, "type");
            if (!ts || valtype_of(ts, &t) != 0) {
                fail(r, "unsupported expected type");
                return;
            }
        }
        char why[256];
        if (!match_expected(e, t, res.vals[i], why, sizeof why)) {
            fail(r, "result %d: %s", i, why);
            return;
        }
        i++;
    }
}

static void cmd_assert_trap(run_t *r, const cJSON *c, int exhaustion)
{
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(c, "action");
    const char *text = jstr(c, "text");
    act_result_t res;
    do_action(r, act, &res);
    if (res.status == ACT_ERROR) {
        fail(r, "%s", res.why);
        return;
    }
    if (res.status == ACT_OK) {
        fail(r, "expected a trap \"%s\", the call returned normally", text ? text : "");
        return;
    }
    if (exhaustion && res.trap.code != GALE_TRAP_STACK_EXHAUSTED) {
        fail(r, "expected call stack exhaustion, got trap \"%s\" (code %d)", trap_text(&res.trap),
             (int)res.trap.code);
        return;
    }
    if (text && !trap_matches(&res.trap, text)) {
        fail(r, "expected trap \"%s\", got \"%s\"", text, trap_text(&res.trap));
        return;
    }
}

static void cmd_assert_bad_module(run_t *r, const cJSON *c, int want_code)
{
    const char *fn = jstr(c, "filename"), *text = jstr(c, "text");
    gale_wasm_error_t err;
    gale_wasm_module_t *m = fn ? load_module(r, fn, &err) : NULL;
    if (!fn) {
        fail(r, "no filename");
        return;
    }
    if (m) {
        fail(r, "%s loads, but it should be rejected as %s (\"%s\")", fn,
             want_code == GALE_EINVALID ? "invalid" : "malformed", text ? text : "");
        gale_wasm_module_free(m);
        return;
    }
    if (err.code == GALE_ENOENT) {
        fail(r, "%s", err.message);
        return;
    }
    if (err.code != want_code) {
        r->kind_mismatch++;
        if (g_verbose)
            printf("  note %s:%d: expected %s (\"%s\"), engine says %s: %s\n", r->wast, r->cur_line,
                   err_kind(want_code), text ? text : "", err_kind(err.code), err.message);
    } else if (g_verbose) {
        printf("  ok %s:%d: \"%s\" -> %s\n", r->wast, r->cur_line, text ? text : "", err.message);
    }
}

static void cmd_assert_instantiate_fails(run_t *r, const cJSON *c, int want_code)
{
    const char *fn = jstr(c, "filename"), *text = jstr(c, "text");
    gale_wasm_error_t err;
    gale_wasm_module_t *m = fn ? load_module(r, fn, &err) : NULL;
    if (!m) {
        fail(r, "%s does not load (it should, then fail to %s): %s: %s", fn ? fn : "(no filename)",
             want_code == GALE_ELINK ? "link" : "instantiate", fn ? err_kind(err.code) : "",
             fn ? err.message : "");
        return;
    }
    gale_wasm_instance_t *inst;
    inst_result_t ir = instantiate(r, m, &inst, &err);
    if (ir == INST_OK) {
        fail(r, "%s instantiates, but it should fail with \"%s\"", fn, text ? text : "");
        /* Keep it alive: other instances may now share objects with it. */
        keep(r, m, inst);
        return;
    }
    if (want_code == GALE_ELINK && ir == INST_UNRESOLVED) {
        /* No module provides the import: unlinkable by construction. */
    } else if (err.code != want_code) {
        fail(r, "%s: expected %s (\"%s\"), got %s: %s", fn, err_kind(want_code), text ? text : "",
             err_kind(err.code), err.message);
    } else if (g_verbose) {
        printf("  ok %s:%d: \"%s\" -> %s\n", r->wast, r->cur_line, text ? text : "", err.message);
    }
    /* A failed instantiation may have written into shared (imported) tables
     * and memories; the module itself is no longer needed, but keep it until
     * the end of the file in case the engine shares code with those objects. */
    keep(r, m, NULL);
}

static void run_command(run_t *r, const cJSON *c)
{
    const char *type = jstr(c, "type");
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(c, "line");
    r->cur_line = cJSON_IsNumber(line) ? line->valueint : 0;
    r->cur_type = type ? type : "(no type)";
    r->cur_failed = 0;
    int skipped = 0;

    if (!type) {
        fail(r, "command without a type");
    } else if (strcmp(type, "module") == 0) {
        cmd_module(r, c);
    } else if (strcmp(type, "register") == 0) {
        cmd_register(r, c);
    } else if (strcmp(type, "action") == 0) {
        cmd_action(r, c, 0);
    } else if (strcmp(type, "assert_return") == 0) {
        cmd_action(r, c, 1);
    } else if (strcmp(type, "assert_trap") == 0) {
        cmd_assert_trap(r, c, 0);
    } else if (strcmp(type, "assert_exhaustion") == 0) {
        cmd_assert_trap(r, c, 1);
    } else if (strcmp(type, "assert_invalid") == 0 || strcmp(type, "assert_malformed") == 0) {
        const char *mt = jstr(c, "module_type");
        if (mt && strcmp(mt, "binary") != 0)
            skipped = 1; /* text-format modules: the engine reads binaries only */
        else
            cmd_assert_bad_module(r, c, type[7] == 'i' ? GALE_EINVALID : GALE_EMALFORMED);
    } else if (strcmp(type, "assert_unlinkable") == 0) {
        cmd_assert_instantiate_fails(r, c, GALE_ELINK);
    } else if (strcmp(type, "assert_uninstantiable") == 0) {
        cmd_assert_instantiate_fails(r, c, GALE_ETRAP);
    } else {
        fail(r, "unknown command type %s", type);
    }

    expect_entry_t *e = find_expect(r->wast, r->cur_line);
    if (e)
        e->exists = 1;
    if (skipped) {
        r->skipped++;
        if (e)
            printf("  MISMATCH %s:%d is listed as an expected failure but is skipped\n", r->wast, r->cur_line);
        if (e)
            r->unexpected_passed++;
    } else if (r->cur_failed) {
        r->failed++;
        if (e) {
            e->seen = 1;
            r->expected_failed++;
        }
    } else {
        r->passed++;
        if (e) {
            printf("  UNEXPECTED PASS %s:%d %s (listed in expected-failures: %s) -- remove the entry\n", r->wast,
                   r->cur_line, r->cur_type, e->reason);
            r->unexpected_passed++;
        }
    }
}

static void run_free(run_t *r)
{
    for (size_t i = r->n_loaded; i-- > 0;)
        if (r->loaded[i].inst)
            gale_wasm_instance_free(r->loaded[i].inst);
    for (size_t i = r->n_loaded; i-- > 0;)
        gale_wasm_module_free(r->loaded[i].module);
    free(r->loaded);
    for (size_t i = 0; i < r->n_named; i++)
        free(r->named[i].name);
    free(r->named);
    for (size_t i = 0; i < r->n_registered; i++)
        free(r->registered[i].name);
    free(r->registered);
    free(r->nul);
    spectest_free(&r->spectest);
}

/* Runs one JSON file; returns 0 if its outcome matches the expectations. */
static int run_file(const char *json_path, int *tot_pass, int *tot_fail, int *tot_skip)
{
    size_t len;
    uint8_t *text = read_file(json_path, &len);
    if (!text)
        return 1;
    cJSON *root = cJSON_ParseWithLength((const char *)text, len);
    if (!root) {
        free(text);
        fprintf(stderr, "spec_runner: %s: JSON parse error near \"%.40s\"\n", json_path,
                cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
        return 1;
    }
    run_t *r = calloc(1, sizeof *r);
    if (!r) {
        free(text);
        cJSON_Delete(root);
        return 1;
    }
    scan_nul_lines(r, (const char *)text, len);
    free(text);
    r->json_path = json_path;
    const char *slash = strrchr(json_path, '/');
    if (slash)
        snprintf(r->dir, sizeof r->dir, "%.*s", (int)(slash - json_path), json_path);
    else
        snprintf(r->dir, sizeof r->dir, ".");
    const char *src = jstr(root, "source_filename");
    if (src) {
        snprintf(r->wast, sizeof r->wast, "%s", base_name(src));
    } else {
        const char *b = base_name(json_path);
        const char *dot = strrchr(b, '.');
        snprintf(r->wast, sizeof r->wast, "%.*s.wast", (int)(dot ? dot - b : (long)strlen(b)), b);
    }
    gale_wasm_config_default(&r->cfg);
    int status = 0;
    if (spectest_init(&r->spectest, &r->cfg) != 0) {
        fprintf(stderr, "%s: cannot create the spectest host objects\n", r->wast);
        run_free(r);
        free(r);
        cJSON_Delete(root);
        return 1;
    }
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(root, "commands");
    if (!cJSON_IsArray(cmds)) {
        fprintf(stderr, "%s: no \"commands\" array\n", json_path);
        status = 1;
    } else {
        const cJSON *c;
        cJSON_ArrayForEach(c, cmds)
        {
            run_command(r, c);
            fflush(stdout);
        }
    }
    /* Listed entries of this file that match no command. */
    for (size_t i = 0; i < g_n_expect; i++)
        if (strcmp(g_expect[i].file, r->wast) == 0 && !g_expect[i].exists) {
            printf("  MISMATCH %s:%d is listed in expected-failures but no command is on that line\n", r->wast,
                   g_expect[i].line);
            status = 1;
        }
    int unexpected_fail = r->failed - r->expected_failed;
    printf("%s: %d passed, %d failed, %d skipped", r->wast, r->passed, r->failed, r->skipped);
    if (r->expected_failed)
        printf(" (%d of the failures listed as expected)", r->expected_failed);
    if (r->kind_mismatch)
        printf(" [%d rejected modules with another error kind than the test's; -v lists them]", r->kind_mismatch);
    printf("\n");
    if (unexpected_fail || r->unexpected_passed)
        status = 1;
    *tot_pass += r->passed;
    *tot_fail += r->failed;
    *tot_skip += r->skipped;
    run_free(r);
    free(r);
    cJSON_Delete(root);
    return status;
}

int main(int argc, char **argv)
{
    int i = 1, status = 0, n_files = 0;
    int tp = 0, tf = 0, ts = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            g_verbose = 1;
        } else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            if (load_expectations(argv[++i]) != 0)
                return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: %s [-v] [--expect FILE] file.json...\n", argv[0]);
            return 2;
        } else {
            n_files++;
            if (run_file(argv[i], &tp, &tf, &ts) != 0)
                status = 1;
        }
    }
    if (n_files == 0) {
        fprintf(stderr, "usage: %s [-v] [--expect FILE] file.json...\n", argv[0]);
        return 2;
    }
    if (n_files > 1)
        printf("total: %d files, %d passed, %d failed, %d skipped\n", n_files, tp, tf, ts);
    for (size_t k = 0; k < g_n_expect; k++) {
        free(g_expect[k].file);
        free(g_expect[k].reason);
    }
    free(g_expect);
    return status;
}
