/* Helpers shared by the WIT unit tests. */
#ifndef WIT_TEST_UTIL_H
#define WIT_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gale/wit.h"

/* Loads WIT text into a fresh context; fails the test with the diagnostic. */
static inline gale_wit_package_t *wt_load(gale_wit_ctx_t **ctx, const char *text)
{
    gale_wit_package_t *pkg = NULL;
    *ctx = gale_wit_ctx_new();
    int rc = gale_wit_load_text(*ctx, "test.wit", text, &pkg);
    if (rc) {
        fprintf(stderr, "unexpected WIT error: %s\n", gale_wit_ctx_diag(*ctx)->msg);
        return NULL;
    }
    return pkg;
}

/* Formats a core signature as "(i32, i64) -> i32". */
static inline const char *wt_sig(const gale_wit_core_sig_t *s, char *buf, size_t n)
{
    size_t o = 0;
    static const char *names[4] = {"f64", "f32", "i64", "i32"};
    o += (size_t)snprintf(buf + o, n - o, "(");
    for (int i = 0; i < s->nparams; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", names[s->params[i] - 0x7c]);
    o += (size_t)snprintf(buf + o, n - o, ") -> %s", s->nresults ? names[s->results[0] - 0x7c] : "nil");
    return buf;
}

static inline const char *wt_flat(const gale_wit_layout_t *l, char *buf, size_t n)
{
    size_t o = 0;
    static const char *names[4] = {"f64", "f32", "i64", "i32"};
    o += (size_t)snprintf(buf + o, n - o, "[");
    for (uint32_t i = 0; i < l->nflat && i < GALE_WIT_FLAT_CAP; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? "," : "", names[l->flat[i] - 0x7c]);
    snprintf(buf + o, n - o, "]");
    return buf;
}

#endif
