/* Internal helpers of the WIT toolchain (tools/wit only). */
#ifndef GALE_WIT_INTERNAL_H
#define GALE_WIT_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "gale/wit.h"

typedef struct wit_block {
    struct wit_block *next;
    size_t used, cap;
    max_align_t data[];
} wit_block_t;

struct gale_wit_file {
    const char *path;
    const char *text;
    size_t len;
    /* top-level `use ns:pkg/iface@v as name;` */
    const char **use_paths;
    const char **use_as;
    gale_wit_loc_t *use_locs;
    size_t nuses;
};

struct gale_wit_ctx {
    wit_block_t *blocks;
    gale_wit_diag_t diag;
    jmp_buf *jmp;                 /* active error handler */
    gale_wit_package_t **pkgs;
    size_t npkgs;
    const char **features;
    size_t nfeatures;
    struct gale_wit_file **files;
    size_t nfiles;
};

void *wit_alloc(gale_wit_ctx_t *ctx, size_t size);
char *wit_strndup(gale_wit_ctx_t *ctx, const char *s, size_t n);
char *wit_strdup(gale_wit_ctx_t *ctx, const char *s);
char *wit_fmt(gale_wit_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Grows an arena array (elements of size esz) so that index n fits. */
void *wit_grow(gale_wit_ctx_t *ctx, void *arr, size_t n, size_t esz);
#define WIT_PUSH(ctx, arr, n, item)                                           \
    do {                                                                      \
        (arr) = wit_grow((ctx), (arr), (n), sizeof(*(arr)));                  \
        (arr)[(n)++] = (item);                                                \
    } while (0)

/* Records an error and jumps to the active handler. */
_Noreturn void wit_fail(gale_wit_ctx_t *ctx, int code, gale_wit_loc_t loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* parse.c */
void wit_parse_file(gale_wit_ctx_t *ctx, struct gale_wit_file *file, gale_wit_package_t **pkg_io,
                    bool is_dep);
bool wit_file_has_header(gale_wit_ctx_t *ctx, struct gale_wit_file *file);
gale_wit_package_t *wit_package_get(gale_wit_ctx_t *ctx, const char *ns, const char *name, const char *version,
                                    gale_wit_loc_t loc, bool is_dep);

/* resolve.c */
void wit_resolve_all(gale_wit_ctx_t *ctx);
bool wit_gate_active(const gale_wit_ctx_t *ctx, const gale_wit_gate_t *g);

/* growable byte buffer */
void wit_bytes_put(gale_wit_bytes_t *b, const void *p, size_t n);
void wit_bytes_byte(gale_wit_bytes_t *b, uint8_t v);
void wit_bytes_uleb(gale_wit_bytes_t *b, uint32_t v);

#endif
