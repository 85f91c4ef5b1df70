/* WIT parsing and resolution: the shipped packages (wit/), the accepting
 * corpus (tests/wit/corpus/ok) and the error corpus with exact
 * file:line:col messages (tests/wit/corpus/err/expected.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wit_test_util.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

static const char *g_root;

static char *path_of(const char *rel)
{
    size_t n = strlen(g_root) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", g_root, rel);
    return p;
}

static gale_wit_package_t *load_path(gale_wit_ctx_t **ctx, const char *rel)
{
    char *p = path_of(rel);
    gale_wit_package_t *pkg = NULL;
    *ctx = gale_wit_ctx_new();
    int rc = gale_wit_load_path(*ctx, p, &pkg);
    if (rc)
        fprintf(stderr, "load %s: %s\n", p, gale_wit_ctx_diag(*ctx)->msg);
    free(p);
    return rc ? NULL : pkg;
}

static const gale_wit_func_t *res_func(const gale_wit_type_t *r, const char *name)
{
    for (size_t i = 0; i < r->nfuncs; i++)
        if (strcmp(r->funcs[i]->name, name) == 0)
            return r->funcs[i];
    return NULL;
}

/* Checks a type's WIT spelling for the few shapes the kernel world uses. */
static void spell(const gale_wit_type_t *t, char *buf, size_t n)
{
    if (!t) {
        snprintf(buf, n, "_");
        return;
    }
    char a[128], b[128];
    if (t->kind == GALE_WIT_ALIAS || t->kind == GALE_WIT_ENUM || t->kind == GALE_WIT_VARIANT ||
        t->kind == GALE_WIT_RECORD || t->kind == GALE_WIT_RESOURCE) {
        snprintf(buf, n, "%s", t->name);
        return;
    }
    switch (t->kind) {
    case GALE_WIT_U32: snprintf(buf, n, "u32"); break;
    case GALE_WIT_U64: snprintf(buf, n, "u64"); break;
    case GALE_WIT_U8: snprintf(buf, n, "u8"); break;
    case GALE_WIT_BOOL: snprintf(buf, n, "bool"); break;
    case GALE_WIT_STRING: snprintf(buf, n, "string"); break;
    case GALE_WIT_LIST: spell(t->elem, a, sizeof a); snprintf(buf, n, "list<%s>", a); break;
    case GALE_WIT_OWN: spell(t->elem, a, sizeof a); snprintf(buf, n, "own<%s>", a); break;
    case GALE_WIT_BORROW: spell(t->elem, a, sizeof a); snprintf(buf, n, "borrow<%s>", a); break;
    case GALE_WIT_RESULT:
        spell(t->ok, a, sizeof a);
        spell(t->err, b, sizeof b);
        snprintf(buf, n, "result<%s, %s>", a, b);
        break;
    default: snprintf(buf, n, "?%d", (int)t->kind); break;
    }
}

/* "async (a: u32, b: timeout) -> result<_, kernel-error>" (self omitted) */
static void expect_sig(const gale_wit_type_t *r, const char *fn, const char *want)
{
    const gale_wit_func_t *f = res_func(r, fn);
    if (!f) {
        fprintf(stderr, "%s.%s missing\n", r->name, fn);
        fail();
    }
    char buf[512], t[128];
    size_t o = (size_t)snprintf(buf, sizeof buf, "%s(", f->is_async ? "async " : "");
    size_t first = f->kind == GALE_WIT_FUNC_METHOD ? 1 : 0;
    for (size_t i = first; i < f->nparams; i++) {
        spell(f->params[i].type, t, sizeof t);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s: %s", i > first ? ", " : "", f->params[i].name, t);
    }
    o += (size_t)snprintf(buf + o, sizeof buf - o, ")");
    if (f->result && f->kind != GALE_WIT_FUNC_CONSTRUCTOR) {
        spell(f->result, t, sizeof t);
        snprintf(buf + o, sizeof buf - o, " -> %s", t);
    }
    if (strcmp(buf, want) != 0) {
        fprintf(stderr, "%s.%s: got `%s`\n                 want `%s`\n", r->name, fn, buf, want);
        fail();
    }
}

static void test_kernel_primitives(void **state)
{
    (void)state;
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = load_path(&ctx, "wit/gale");
    assert_non_null(p);
    assert_string_equal(p->id, "pulseengine:gale@0.1.0");
    gale_wit_world_t *w = gale_wit_package_world(p, "kernel-primitives");
    assert_non_null(w);
    static const char *ifaces[] = {"types", "semaphore", "mutex", "condvar", "message-queue",
                                   "stack", "pipe", "event", "timer", "mem-slab"};
    assert_int_equal(w->nimports, 10);
    assert_int_equal(w->nexports, 0);
    for (size_t i = 0; i < 10; i++) {
        char want[128];
        snprintf(want, sizeof want, "pulseengine:gale/%s@0.1.0", ifaces[i]);
        assert_string_equal(w->imports[i].name, want);
    }
    gale_wit_iface_t *types = gale_wit_package_iface(p, "types");
    const gale_wit_type_t *ke = gale_wit_iface_type(types, "kernel-error");
    assert_non_null(ke);
    assert_int_equal(ke->kind, GALE_WIT_ENUM);
    static const char *errs[] = {"invalid-argument", "busy", "again", "no-memory", "permission-denied",
                                 "broken-pipe", "overflow", "no-message"};
    assert_int_equal(ke->ncases, 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(ke->cases[i].name, errs[i]);
    const gale_wit_type_t *to = gale_wit_iface_type(types, "timeout");
    assert_int_equal(to->kind, GALE_WIT_VARIANT);
    assert_int_equal(to->ncases, 3);
    assert_string_equal(to->cases[0].name, "no-wait");
    assert_null(to->cases[0].type);
    assert_string_equal(to->cases[1].name, "forever");
    assert_string_equal(to->cases[2].name, "millis");
    assert_int_equal(to->cases[2].type->kind, GALE_WIT_U32);
    assert_non_null(ke->docs);

    struct { const char *iface, *res; } rs[] = {{"semaphore", "sem"}, {"mutex", "mtx"}, {"condvar", "cv"},
        {"message-queue", "msgq"}, {"stack", "stk"}, {"pipe", "pip"}, {"event", "evt"}, {"timer", "tmr"},
        {"mem-slab", "slab"}};
    const gale_wit_type_t *R[9];
    for (size_t i = 0; i < 9; i++) {
        R[i] = gale_wit_iface_type(gale_wit_package_iface(p, rs[i].iface), rs[i].res);
        assert_non_null(R[i]);
        assert_int_equal(R[i]->kind, GALE_WIT_RESOURCE);
        char want[128];
        snprintf(want, sizeof want, "(name: string) -> result<own<%s>, kernel-error>", rs[i].res);
        expect_sig(R[i], "open", want);
        assert_int_equal(res_func(R[i], "open")->kind, GALE_WIT_FUNC_STATIC);
    }
    const char *E = "result<_, kernel-error>";
    char w2[256];
    expect_sig(R[0], "constructor", "(initial-count: u32, limit: u32)");
    expect_sig(R[0], "give", "()");
    snprintf(w2, sizeof w2, "async (timeout: timeout) -> %s", E);
    expect_sig(R[0], "take", w2);
    expect_sig(R[0], "reset", "()");
    expect_sig(R[0], "count", "() -> u32");
    expect_sig(R[1], "lock", w2);
    snprintf(w2, sizeof w2, "() -> %s", E);
    expect_sig(R[1], "unlock", w2);
    snprintf(w2, sizeof w2, "async (timeout: timeout) -> %s", E);
    expect_sig(R[2], "wait", w2);
    expect_sig(R[2], "signal", "()");
    expect_sig(R[2], "broadcast", "()");
    expect_sig(R[3], "constructor", "(msg-size: u32, max-msgs: u32)");
    snprintf(w2, sizeof w2, "async (data: list<u8>, timeout: timeout) -> %s", E);
    expect_sig(R[3], "put", w2);
    expect_sig(R[3], "get", "async (timeout: timeout) -> result<list<u8>, kernel-error>");
    expect_sig(R[3], "peek", "() -> result<list<u8>, kernel-error>");
    expect_sig(R[3], "num-used", "() -> u32");
    snprintf(w2, sizeof w2, "(value: u64) -> %s", E);
    expect_sig(R[4], "push", w2);
    expect_sig(R[4], "pop", "async (timeout: timeout) -> result<u64, kernel-error>");
    expect_sig(R[5], "write", "async (data: list<u8>, timeout: timeout) -> result<u32, kernel-error>");
    expect_sig(R[5], "read", "async (max-bytes: u32, timeout: timeout) -> result<list<u8>, kernel-error>");
    expect_sig(R[5], "flush", "()");
    expect_sig(R[5], "close", "()");
    expect_sig(R[6], "post", "(events: u32)");
    expect_sig(R[6], "set", "(events: u32)");
    expect_sig(R[6], "clear", "(events: u32)");
    expect_sig(R[6], "wait-any", "async (events: u32, reset: bool, timeout: timeout) -> result<u32, kernel-error>");
    expect_sig(R[6], "wait-all", "async (events: u32, reset: bool, timeout: timeout) -> result<u32, kernel-error>");
    expect_sig(R[7], "constructor", "(period-ms: u32)");
    expect_sig(R[7], "start", "()");
    expect_sig(R[7], "stop", "()");
    expect_sig(R[7], "status-get", "() -> u32");
    expect_sig(R[8], "alloc", "async (timeout: timeout) -> result<u32, kernel-error>");
    snprintf(w2, sizeof w2, "(block: u32) -> %s", E);
    expect_sig(R[8], "free", w2);
    expect_sig(R[8], "num-used", "() -> u32");
    expect_sig(R[8], "num-free", "() -> u32");

    gale_wit_world_t *as = gale_wit_package_world(p, "async-system");
    assert_non_null(as);
    assert_int_equal(as->nimports, 10);
    assert_int_equal(as->nexports, 1);
    assert_true(as->exports[0].func->is_async);
    gale_wit_ctx_free(ctx);
}

static void test_hal(void **state)
{
    (void)state;
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = load_path(&ctx, "wit/hal");
    assert_non_null(p);
    assert_string_equal(p->id, "gale:hal@0.1.0");
    gale_wit_world_t *w = gale_wit_package_world(p, "hal");
    assert_non_null(w);
    assert_int_equal(w->nimports, 8);
    static const char *names[] = {"clock", "gpio", "pwm", "i2c", "spi", "uart", "adc"};
    for (size_t i = 0; i < 7; i++)
        assert_non_null(gale_wit_package_iface(p, names[i]));
    gale_wit_ctx_free(ctx);
}

static void test_everything(void **state)
{
    (void)state;
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = load_path(&ctx, "tests/wit/corpus/ok/everything.wit");
    assert_non_null(p);
    assert_string_equal(p->version, "1.2.3-rc.1+build.5");
    gale_wit_iface_t *types = gale_wit_package_iface(p, "types");
    assert_string_equal(types->gate.since, "1.0.0");
    gale_wit_type_t *pt = gale_wit_iface_type(types, "point");
    assert_string_equal(pt->docs, "A record (doc comment on a type).");
    assert_string_equal(pt->cases[2].docs, "block doc");
    gale_wit_type_t *old = gale_wit_iface_type(types, "old");
    assert_string_equal(old->gate.since, "1.1.0");
    assert_string_equal(old->gate.deprecated, "1.2.0");
    assert_int_equal(gale_wit_type_deref(gale_wit_iface_type(types, "fixed"))->kind, GALE_WIT_FIXED_LIST);
    assert_int_equal(gale_wit_type_deref(gale_wit_iface_type(types, "fixed"))->len, 4);
    /* the @unstable interface is left out unless its feature is enabled */
    assert_null(gale_wit_package_iface(p, "hidden"));
    gale_wit_iface_t *h = gale_wit_package_iface(p, "handles");
    gale_wit_type_t *colour = gale_wit_iface_type(h, "colour");
    assert_non_null(colour);
    assert_int_equal(colour->kind, GALE_WIT_ALIAS);
    assert_ptr_equal(gale_wit_type_deref(colour), gale_wit_iface_type(types, "color"));
    gale_wit_type_t *blob = gale_wit_iface_type(h, "blob");
    assert_string_equal(res_func(blob, "type")->name, "type");
    /* world app: include with rename, inline interface, implicit import */
    gale_wit_world_t *app = gale_wit_package_world(p, "app");
    bool saw_start = false, saw_inline = false, saw_types = false, saw_secret = false;
    for (size_t i = 0; i < app->nexports; i++)
        if (strcmp(app->exports[i].name, "start") == 0) {
            saw_start = true;
            assert_string_equal(app->exports[i].func->name, "start");
        }
    for (size_t i = 0; i < app->nimports; i++) {
        if (strcmp(app->imports[i].name, "inline") == 0)
            saw_inline = true;
        if (strcmp(app->imports[i].name, "secret") == 0)
            saw_secret = true;
        if (strcmp(app->imports[i].name, "test:everything/types@1.2.3-rc.1+build.5") == 0) {
            saw_types = true;
            assert_true(app->imports[i].implicit);
        }
    }
    assert_true(saw_start && saw_inline && saw_types);
    assert_false(saw_secret);
    gale_wit_ctx_free(ctx);

    /* with the feature enabled the gated items appear */
    ctx = gale_wit_ctx_new();
    gale_wit_ctx_enable_feature(ctx, "not-enabled");
    char *path = path_of("tests/wit/corpus/ok/everything.wit");
    assert_int_equal(gale_wit_load_path(ctx, path, &p), 0);
    free(path);
    assert_non_null(gale_wit_package_iface(p, "hidden"));
    gale_wit_ctx_free(ctx);
}

static void test_multi_file_and_deps(void **state)
{
    (void)state;
    gale_wit_ctx_t *ctx;
    gale_wit_package_t *p = load_path(&ctx, "tests/wit/corpus/ok/multi");
    assert_non_null(p);
    assert_string_equal(p->id, "test:multi@0.3.0");
    assert_non_null(gale_wit_package_iface(p, "one"));
    assert_non_null(gale_wit_package_iface(p, "two"));
    assert_non_null(gale_wit_ctx_package(ctx, "dep:a@2.0.0"));
    assert_non_null(gale_wit_ctx_package(ctx, "dep:b"));
    gale_wit_type_t *v = gale_wit_iface_type(gale_wit_package_iface(p, "one"), "value");
    assert_non_null(v);
    assert_ptr_equal(gale_wit_type_deref(v)->owner->pkg, gale_wit_ctx_package(ctx, "dep:a@2.0.0"));
    gale_wit_world_t *top = gale_wit_package_world(p, "top");
    assert_string_equal(top->exports[0].name, "dep:a/api@2.0.0");
    gale_wit_ctx_free(ctx);
}

static void test_error_corpus(void **state)
{
    (void)state;
    char *exp = path_of("tests/wit/corpus/err/expected.txt");
    FILE *fp = fopen(exp, "r");
    assert_non_null(fp);
    char line[1024];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0])
            continue;
        char file[256];
        size_t fl = strcspn(line, ":");
        snprintf(file, sizeof file, "tests/wit/corpus/err/%.*s", (int)fl, line);
        char *p = path_of(file);
        gale_wit_ctx_t *ctx = gale_wit_ctx_new();
        gale_wit_package_t *pkg = NULL;
        int rc = gale_wit_load_path(ctx, p, &pkg);
        const char *msg = gale_wit_ctx_diag(ctx)->msg;
        size_t dirlen = strlen(p) - fl;
        if (rc == 0) {
            fprintf(stderr, "%s: accepted, expected `%s`\n", file, line);
            bad++;
        } else if (strncmp(msg, p, strlen(p)) != 0 || strcmp(msg + dirlen, line) != 0) {
            fprintf(stderr, "%s:\n  got  %s\n  want %s\n", file, msg + (strlen(msg) > dirlen ? dirlen : 0), line);
            bad++;
        } else if (strncmp(line + fl, ":", 1) != 0 || gale_wit_ctx_diag(ctx)->loc.line == 0) {
            fprintf(stderr, "%s: no location\n", file);
            bad++;
        }
        n++;
        free(p);
        gale_wit_ctx_free(ctx);
    }
    fclose(fp);
    free(exp);
    assert_true(n >= 30);
    assert_int_equal(bad, 0);
}

/* Every prefix of a valid file either parses or fails with a located error
 * (never crashes, never reads out of bounds: ASan watches). */
static void test_prefixes(void **state)
{
    (void)state;
    char *p = path_of("tests/wit/corpus/ok/everything.wit");
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    static char text[16384];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    free(p);
    int errors = 0;
    for (size_t cut = 0; cut < len; cut += 3) {
        char *s = malloc(cut + 1);
        memcpy(s, text, cut);
        s[cut] = 0;
        gale_wit_ctx_t *ctx = gale_wit_ctx_new();
        gale_wit_package_t *pkg;
        if (gale_wit_load_text(ctx, "cut.wit", s, &pkg) != 0) {
            const gale_wit_diag_t *d = gale_wit_ctx_diag(ctx);
            assert_true(strncmp(d->msg, "cut.wit", 7) == 0);
            errors++;
        }
        gale_wit_ctx_free(ctx);
        free(s);
    }
    assert_true(errors > 0);
}

/* Random single-byte edits of a valid file (many seeds): each mutant loads
 * or fails with a `file:line:col` error; ASan checks memory safety. */
static void test_mutants(void **state)
{
    (void)state;
    char *p = path_of("tests/wit/corpus/ok/everything.wit");
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    static char text[16384];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    free(p);
    static const char alphabet[] = "{}()<>,;:=./@*_-%ab0 \n\t\"#";
    uint32_t seed = 1;
    int located = 0, ok = 0;
    for (int round = 0; round < 3000; round++) {
        char *s = malloc(len + 1);
        memcpy(s, text, len);
        s[len] = 0;
        for (int e = 0; e < 1 + round % 3; e++) {
            seed = seed * 1664525u + 1013904223u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1664525u + 1013904223u;
            s[at] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        gale_wit_ctx_t *ctx = gale_wit_ctx_new();
        gale_wit_package_t *pkg;
        if (gale_wit_load_text(ctx, "m.wit", s, &pkg) == 0) {
            ok++;
        } else {
            const gale_wit_diag_t *d = gale_wit_ctx_diag(ctx);
            assert_true(strncmp(d->msg, "m.wit:", 6) == 0);
            if (d->loc.line > 0 && d->loc.col > 0)
                located++;
        }
        gale_wit_ctx_free(ctx);
        free(s);
    }
    assert_true(located > 1000);
    assert_true(ok > 0);
}

static void test_text_errors(void **state)
{
    (void)state;
    struct { const char *src, *msg; } cases[] = {
        {"package a:b;\ninterface i {\n  f: func(x: u8 y: u8);\n}\n", "t.wit:3:17: expected `)`, found identifier `y`"},
        {"package a:b;\ninterface i { f: func() -> borrow<r>; }\n", "t.wit:2:35: name `r` does not exist"},
        {"package a:b;\nworld w { import x:y/z; }\n", "t.wit:2:18: package `x:y` not found (is it in deps/?)"},
        {"package a:b;\ninterface i { resource r { m: func(self: u8); } }\n", "t.wit:2:36: method `m` may not name a parameter `self`"},
        {"package a:b;\ninterface i { record r { a: u8 } f: func() -> r; }\nworld w { import i; export i; include w; }\n",
         "t.wit:3:7: world `w` includes itself"},
        {"package a:b;\ninterface i { type t = list<u8, 0>; }\n", "t.wit:2:33: invalid fixed-size list length `0`"},
        {"package a:b;\ninterface i { f: func(a: stream<u8>) -> ; }\n", "t.wit:2:41: expected a type, found `;`"},
        {"package a:b;\ninterface i { %f-: func(); }\n", "t.wit:2:15: invalid identifier `f-`: identifier ends with `-`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gale_wit_ctx_t *ctx = gale_wit_ctx_new();
        gale_wit_package_t *pkg;
        int rc = gale_wit_load_text(ctx, "t.wit", cases[i].src, &pkg);
        if (rc == 0 || strcmp(gale_wit_ctx_diag(ctx)->msg, cases[i].msg) != 0) {
            fprintf(stderr, "case %zu: got `%s`\n        want `%s`\n", i, rc ? gale_wit_ctx_diag(ctx)->msg : "(ok)",
                    cases[i].msg);
            gale_wit_ctx_free(ctx);
            fail();
        }
        gale_wit_ctx_free(ctx);
    }
}

int main(int argc, char **argv)
{
    g_root = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_primitives),
        cmocka_unit_test(test_hal),
        cmocka_unit_test(test_everything),
        cmocka_unit_test(test_multi_file_and_deps),
        cmocka_unit_test(test_error_corpus),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_mutants),
        cmocka_unit_test(test_text_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
