/* WIT toolchain figures: time to load (parse + resolve + check) the shipped
 * packages, time to compute layouts and core signatures from descriptors (the
 * MCU path), and descriptor sizes. Prints a Markdown table.
 *   bench_wit <project root> */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gale/wit.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : ".";
    char gale[1024], hal[1024];
    snprintf(gale, sizeof gale, "%s/wit/gale", root);
    snprintf(hal, sizeof hal, "%s/wit/hal", root);
    const int reps = 200;
    double t0 = now_s();
    for (int i = 0; i < reps; i++) {
        gale_wit_ctx_t *c = gale_wit_ctx_new();
        gale_wit_package_t *p;
        if (gale_wit_load_path(c, gale, &p) || gale_wit_load_path(c, hal, &p)) {
            fprintf(stderr, "%s\n", gale_wit_ctx_diag(c)->msg);
            return 1;
        }
        gale_wit_ctx_free(c);
    }
    double load_us = (now_s() - t0) / reps * 1e6;

    gale_wit_ctx_t *c = gale_wit_ctx_new();
    gale_wit_package_t *p;
    if (gale_wit_load_path(c, gale, &p))
        return 1;
    gale_wit_world_t *w = gale_wit_package_world(p, "kernel-primitives");
    static gale_wit_bytes_t descs[128];
    size_t n = 0, bytes = 0, bytes_named = 0, maxlen = 0;
    for (size_t k = 0; k < w->nimports; k++) {
        gale_wit_iface_t *i = w->imports[k].iface;
        for (size_t t = 0; t < i->ntypes; t++) {
            gale_wit_type_t *r = i->types[t];
            for (size_t f = 0; r->kind == GALE_WIT_RESOURCE && f < r->nfuncs && n < 128; f++) {
                gale_wit_bytes_t named = {0};
                gale_wit_desc_encode_func(r->funcs[f], 0, NULL, NULL, &descs[n]);
                gale_wit_desc_encode_func(r->funcs[f], GALE_WIT_DESC_NAMES, NULL, NULL, &named);
                bytes += descs[n].len;
                bytes_named += named.len;
                if (descs[n].len > maxlen)
                    maxlen = descs[n].len;
                gale_wit_bytes_free(&named);
                n++;
            }
        }
    }
    const int sreps = 20000;
    volatile uint32_t sink = 0;
    t0 = now_s();
    for (int r = 0; r < sreps; r++)
        for (size_t k = 0; k < n; k++) {
            gale_wit_core_sig_t s = {0};
            gale_wit_desc_core_sig(descs[k].data, descs[k].len, GALE_WIT_ABI_LOWER_ASYNC, &s);
            sink += s.nparams;
        }
    double sig_ns = (now_s() - t0) / ((double)sreps * (double)n) * 1e9;
    (void)sink;
    printf("| measure | value |\n|---|---|\n");
    printf("| load wit/gale + wit/hal (parse, resolve, check) | %.0f us |\n", load_us);
    printf("| kernel-primitives functions | %zu |\n", n);
    printf("| descriptor bytes, no names (total / max) | %zu / %zu |\n", bytes, maxlen);
    printf("| descriptor bytes, with names (total) | %zu |\n", bytes_named);
    printf("| async-lowered core signature from a descriptor | %.0f ns |\n", sig_ns);
    for (size_t k = 0; k < n; k++)
        gale_wit_bytes_free(&descs[k]);
    gale_wit_ctx_free(c);
    return 0;
}
