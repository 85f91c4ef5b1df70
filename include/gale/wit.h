/* gale — WIT toolchain (host only): parser, resolver, canonical ABI layout,
 * core names, type descriptors, structural equality.
 *
 * Everything here allocates (it runs in host tools and in src/system, never on
 * the MCU). The runtime part that the MCU needs — reading type descriptors and
 * computing layouts/core signatures from them — is the freestanding header
 * gale/wit/desc.h, included below.
 *
 * Lifetime: all objects (packages, interfaces, types, functions, strings)
 * belong to one gale_wit_ctx_t and are freed by gale_wit_ctx_free().
 */
#ifndef GALE_WIT_H
#define GALE_WIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gale/error.h"
#include "gale/wit/desc.h"

typedef struct gale_wit_ctx gale_wit_ctx_t;
typedef struct gale_wit_type gale_wit_type_t;
typedef struct gale_wit_func gale_wit_func_t;
typedef struct gale_wit_iface gale_wit_iface_t;
typedef struct gale_wit_world gale_wit_world_t;
typedef struct gale_wit_package gale_wit_package_t;

typedef struct gale_wit_loc {
    const char *file;
    uint32_t line;
    uint32_t col;
} gale_wit_loc_t;

/* Feature gates (@since / @unstable / @deprecated). */
typedef struct gale_wit_gate {
    const char *since;       /* version or NULL */
    const char *unstable;    /* feature name or NULL */
    const char *deprecated;  /* version or NULL */
} gale_wit_gate_t;

typedef enum gale_wit_kind {
    /* primitives: values equal to the descriptor tags */
    GALE_WIT_BOOL = GALE_WIT_D_BOOL,
    GALE_WIT_S8 = GALE_WIT_D_S8,
    GALE_WIT_U8 = GALE_WIT_D_U8,
    GALE_WIT_S16 = GALE_WIT_D_S16,
    GALE_WIT_U16 = GALE_WIT_D_U16,
    GALE_WIT_S32 = GALE_WIT_D_S32,
    GALE_WIT_U32 = GALE_WIT_D_U32,
    GALE_WIT_S64 = GALE_WIT_D_S64,
    GALE_WIT_U64 = GALE_WIT_D_U64,
    GALE_WIT_F32 = GALE_WIT_D_F32,
    GALE_WIT_F64 = GALE_WIT_D_F64,
    GALE_WIT_CHAR = GALE_WIT_D_CHAR,
    GALE_WIT_STRING = GALE_WIT_D_STRING,
    GALE_WIT_ERROR_CONTEXT = GALE_WIT_D_ERROR_CONTEXT,
    GALE_WIT_LIST = GALE_WIT_D_LIST,             /* elem */
    GALE_WIT_FIXED_LIST = GALE_WIT_D_FIXED_LIST, /* elem, len */
    GALE_WIT_OPTION = GALE_WIT_D_OPTION,         /* elem */
    GALE_WIT_RESULT = GALE_WIT_D_RESULT,         /* ok, err (each may be NULL) */
    GALE_WIT_TUPLE = GALE_WIT_D_TUPLE,           /* cases[i].type */
    GALE_WIT_RECORD = GALE_WIT_D_RECORD,         /* cases = fields */
    GALE_WIT_VARIANT = GALE_WIT_D_VARIANT,       /* cases (type may be NULL) */
    GALE_WIT_ENUM = GALE_WIT_D_ENUM,             /* cases (no types) */
    GALE_WIT_FLAGS = GALE_WIT_D_FLAGS,           /* cases = labels */
    GALE_WIT_OWN = GALE_WIT_D_OWN,               /* elem = the resource */
    GALE_WIT_BORROW = GALE_WIT_D_BORROW,         /* elem = the resource */
    GALE_WIT_FUTURE = GALE_WIT_D_FUTURE,         /* elem (may be NULL) */
    GALE_WIT_STREAM = GALE_WIT_D_STREAM,         /* elem (may be NULL) */
    GALE_WIT_RESOURCE = 0x40,                    /* funcs */
    GALE_WIT_ALIAS = 0x41,                       /* `type x = T;` or a `use`d name: elem */
    GALE_WIT_NAMEREF = 0x42,                     /* parser only: unresolved name */
} gale_wit_kind_t;

typedef struct gale_wit_case {
    const char *name;       /* NULL for tuple elements */
    gale_wit_type_t *type;  /* NULL for enum/flags/payload-less cases */
    const char *docs;
    gale_wit_loc_t loc;
} gale_wit_case_t;

struct gale_wit_type {
    gale_wit_kind_t kind;
    const char *name;          /* named types only */
    gale_wit_iface_t *owner;   /* interface (or world scope) that defines it */
    gale_wit_type_t *elem;
    gale_wit_type_t *ok, *err;
    gale_wit_case_t *cases;
    size_t ncases;
    uint32_t len;              /* fixed-size list length */
    gale_wit_func_t **funcs;   /* resource: constructor, methods, statics */
    size_t nfuncs;
    const char *docs;
    gale_wit_loc_t loc;
    gale_wit_gate_t gate;
    int state;                 /* resolver bookkeeping */
};

typedef enum gale_wit_func_kind {
    GALE_WIT_FUNC_FREE = 0,
    GALE_WIT_FUNC_METHOD,      /* params[0] is `self: borrow<R>` */
    GALE_WIT_FUNC_STATIC,
    GALE_WIT_FUNC_CONSTRUCTOR, /* result is own<R> (or result<own<R>, E>) */
} gale_wit_func_kind_t;

typedef struct gale_wit_param {
    const char *name;
    gale_wit_type_t *type;
    gale_wit_loc_t loc;
} gale_wit_param_t;

struct gale_wit_func {
    const char *name;          /* WIT name (`give`, `constructor` for ctors) */
    gale_wit_func_kind_t kind;
    bool is_async;
    gale_wit_type_t *resource; /* methods/statics/constructors */
    gale_wit_param_t *params;
    size_t nparams;
    gale_wit_type_t *result;   /* NULL when none */
    gale_wit_iface_t *owner;
    const char *docs;
    gale_wit_loc_t loc;
    gale_wit_gate_t gate;
};

/* A `use path.{a, b as c}` statement (resolved into ALIAS types). */
typedef struct gale_wit_use {
    const char *path;          /* `iface`, `ns:pkg/iface@v`, or a top-level alias */
    gale_wit_loc_t loc;
    const char **names;
    const char **as;
    gale_wit_loc_t *name_locs;
    size_t nnames;
    gale_wit_iface_t *target;  /* after resolution */
    const struct gale_wit_file *file;
    gale_wit_gate_t gate;
} gale_wit_use_t;

struct gale_wit_iface {
    const char *name;          /* interface name; item name for inline ones */
    const char *qualname;      /* "ns:pkg/name@v", the item name (inline), "$root" */
    gale_wit_package_t *pkg;
    gale_wit_world_t *world;   /* world scope / inline world interface */
    bool is_world_scope;
    gale_wit_type_t **types;
    size_t ntypes;
    gale_wit_func_t **funcs;
    size_t nfuncs;
    gale_wit_use_t *uses;
    size_t nuses;
    const struct gale_wit_file *file;
    const char *docs;
    gale_wit_loc_t loc;
    gale_wit_gate_t gate;
    int state;
};

typedef enum gale_wit_item_kind {
    GALE_WIT_ITEM_IFACE = 0,
    GALE_WIT_ITEM_FUNC,
    GALE_WIT_ITEM_TYPE,
} gale_wit_item_kind_t;

/* One import or export of a world (after `include` and elaboration). */
typedef struct gale_wit_item {
    gale_wit_item_kind_t kind;
    const char *name;          /* key: `ns:pkg/iface@v`, or the plain name */
    const char *path;          /* parser: the referenced path (named iface) */
    gale_wit_iface_t *iface;
    gale_wit_func_t *func;
    gale_wit_type_t *type;
    bool implicit;             /* added by elaboration (dependency of another) */
    gale_wit_loc_t loc;
    gale_wit_gate_t gate;
} gale_wit_item_t;

typedef struct gale_wit_include {
    const char *path;
    gale_wit_loc_t loc;
    const char **with_from;
    const char **with_to;
    size_t nwith;
    const struct gale_wit_file *file;
    gale_wit_gate_t gate;
} gale_wit_include_t;

struct gale_wit_world {
    const char *name;
    gale_wit_package_t *pkg;
    gale_wit_item_t *imports;
    size_t nimports;
    gale_wit_item_t *exports;
    size_t nexports;
    gale_wit_include_t *includes;
    size_t nincludes;
    gale_wit_iface_t *scope;   /* world-level types and uses */
    const struct gale_wit_file *file;
    const char *docs;
    gale_wit_loc_t loc;
    gale_wit_gate_t gate;
    int state;
};

struct gale_wit_package {
    const char *ns;
    const char *name;
    const char *version;       /* NULL when unversioned */
    const char *id;            /* "ns:name@version" */
    gale_wit_iface_t **ifaces;
    size_t nifaces;
    gale_wit_world_t **worlds;
    size_t nworlds;
    gale_wit_loc_t loc;
    bool is_dep;
};

/* ---- diagnostics ------------------------------------------------------- */

typedef struct gale_wit_diag {
    int code;                  /* GALE_EMALFORMED (syntax), GALE_EINVALID (resolve), ... */
    gale_wit_loc_t loc;
    char msg[512];             /* "file:line:col: message" */
} gale_wit_diag_t;

/* ---- loading ------------------------------------------------------------ */

gale_wit_ctx_t *gale_wit_ctx_new(void);
void gale_wit_ctx_free(gale_wit_ctx_t *ctx);
/* Enables an @unstable feature (items gated by others are left out, as
 * wit-parser does). */
int gale_wit_ctx_enable_feature(gale_wit_ctx_t *ctx, const char *feature);
/* The last error (valid after a failing call). */
const gale_wit_diag_t *gale_wit_ctx_diag(const gale_wit_ctx_t *ctx);

/* Loads a WIT package from a directory (all *.wit files = one package, plus
 * deps/ sub-directories or files), or from a single .wit file; parses,
 * resolves and checks it. *out = the main package. */
int gale_wit_load_path(gale_wit_ctx_t *ctx, const char *path, gale_wit_package_t **out);
/* Same, from text (one file, may contain nested `package x:y { ... }` blocks). */
int gale_wit_load_text(gale_wit_ctx_t *ctx, const char *filename, const char *text, gale_wit_package_t **out);

/* ---- lookup ------------------------------------------------------------- */

gale_wit_world_t *gale_wit_package_world(const gale_wit_package_t *pkg, const char *name);
gale_wit_iface_t *gale_wit_package_iface(const gale_wit_package_t *pkg, const char *name);
gale_wit_type_t *gale_wit_iface_type(const gale_wit_iface_t *iface, const char *name);
gale_wit_func_t *gale_wit_iface_func(const gale_wit_iface_t *iface, const char *name);
/* Finds a loaded package by "ns:name" or "ns:name@ver". */
gale_wit_package_t *gale_wit_ctx_package(const gale_wit_ctx_t *ctx, const char *id);
/* Follows ALIAS links to the defining type. */
const gale_wit_type_t *gale_wit_type_deref(const gale_wit_type_t *t);

/* ---- canonical ABI ------------------------------------------------------ */

int gale_wit_type_layout(const gale_wit_type_t *t, gale_wit_layout_t *out);
/* Core signature of a function for one ABI (desc.h semantics). */
int gale_wit_func_core_sig(const gale_wit_func_t *f, gale_wit_abi_t abi, gale_wit_core_sig_t *out);

/* Qualified name of an interface: "ns:pkg/iface@ver", or its item name for
 * an inline world interface, or "$root" for a world scope. */
const char *gale_wit_iface_qualname(const gale_wit_iface_t *iface);

/* The mangled function name: `f`, `[method]R.m`, `[static]R.s`,
 * `[constructor]R`. Writes into buf; returns needed length (snprintf-like). */
int gale_wit_func_mangled(const gale_wit_func_t *f, char *buf, size_t n);

typedef enum gale_wit_name_kind {
    GALE_WIT_NAME_IMPORT = 0,     /* module/field of a sync-lowered import */
    GALE_WIT_NAME_IMPORT_ASYNC,   /* [async-lower] */
    GALE_WIT_NAME_EXPORT,         /* `iface#f` (or `f` at root) */
    GALE_WIT_NAME_EXPORT_ASYNC,   /* `[async-lift]iface#f` */
    GALE_WIT_NAME_CALLBACK,       /* `[callback][async-lift]iface#f` */
    GALE_WIT_NAME_POST_RETURN,    /* `cabi_post_iface#f` */
    GALE_WIT_NAME_TASK_RETURN,    /* module `[export]iface`, field `[task-return]f` */
} gale_wit_name_kind_t;

/* Core module/field names per the wit-component (legacy) mangling.
 * `iface` is the interface the function is reached through (NULL: world
 * root). For export names, module is set to "" (exports have one name). */
int gale_wit_core_name(const gale_wit_iface_t *iface, const gale_wit_func_t *f, gale_wit_name_kind_t kind,
                       char *module, size_t modn, char *field, size_t fieldn);

typedef enum gale_wit_rname_kind {
    GALE_WIT_RNAME_DROP = 0,      /* import: module iface, `[resource-drop]R` */
    GALE_WIT_RNAME_EXPORT_NEW,    /* import: module `[export]iface`, `[resource-new]R` */
    GALE_WIT_RNAME_EXPORT_REP,    /* import: module `[export]iface`, `[resource-rep]R` */
    GALE_WIT_RNAME_EXPORT_DROP,   /* import: module `[export]iface`, `[resource-drop]R` */
    GALE_WIT_RNAME_DTOR,          /* export: `iface#[dtor]R` */
} gale_wit_rname_kind_t;

/* Core names of the resource built-ins and destructor of resource `res`
 * (a GALE_WIT_RESOURCE type) reached through `iface` (NULL: world root). */
int gale_wit_resource_core_name(const gale_wit_iface_t *iface, const gale_wit_type_t *res, gale_wit_rname_kind_t kind,
                                char *module, size_t modn, char *field, size_t fieldn);

/* Stream/future types in a function's signature, in wit-parser order
 * (depth-first over params then result; element before the container; each
 * type once). Returns the count (may exceed max; only max are stored). */
size_t gale_wit_func_streams(const gale_wit_func_t *f, const gale_wit_type_t **out, size_t max);

typedef enum gale_wit_endpoint_op {
    GALE_WIT_EP_NEW = 0,       /* () -> i64 */
    GALE_WIT_EP_READ,          /* async-lowered: stream (i32, i32, i32) -> i32, future (i32, i32) -> i32 */
    GALE_WIT_EP_WRITE,         /* same */
    GALE_WIT_EP_CANCEL_READ,   /* (i32) -> i32 */
    GALE_WIT_EP_CANCEL_WRITE,  /* (i32) -> i32 */
    GALE_WIT_EP_DROP_READABLE, /* (i32) -> nil */
    GALE_WIT_EP_DROP_WRITABLE, /* (i32) -> nil */
    GALE_WIT_EP_COUNT,
} gale_wit_endpoint_op_t;

/* Core import name and type of a stream/future built-in for the stream or
 * future type `t` (as returned by gale_wit_func_streams) of function f:
 * module `iface` (or `[export]iface` when exported), field e.g.
 * `[stream-new-0]f`, `[async-lower][future-read-1][method]R.m`; `unit` for
 * payload-less ones. */
int gale_wit_endpoint_core_name(const gale_wit_iface_t *iface, const gale_wit_func_t *f, const gale_wit_type_t *t,
                                gale_wit_endpoint_op_t op, bool exported, char *module, size_t modn, char *field,
                                size_t fieldn, gale_wit_core_sig_t *sig);

/* ---- type descriptors (format: docs/wit.md) ------------------------------ */

typedef struct gale_wit_bytes {
    uint8_t *data;
    size_t len;
    size_t cap;
} gale_wit_bytes_t;

/* Maps a resource type to the id written into own/borrow descriptors; NULL
 * writes 0 for every resource. */
typedef uint32_t (*gale_wit_rid_fn)(void *user, const gale_wit_type_t *resource);

#define GALE_WIT_DESC_NAMES 0x1u   /* include field/case/param names */

int gale_wit_desc_encode_type(const gale_wit_type_t *t, unsigned flags, gale_wit_rid_fn rid, void *user,
                              gale_wit_bytes_t *out);
int gale_wit_desc_encode_func(const gale_wit_func_t *f, unsigned flags, gale_wit_rid_fn rid, void *user,
                              gale_wit_bytes_t *out);
void gale_wit_bytes_free(gale_wit_bytes_t *b);

/* ---- structural equality (contract checks) ------------------------------- */

/* 0 when equal; else GALE_EINVALID with a message naming the first
 * difference (written to why, if non-NULL). Names of types are not compared
 * (structure is), field/case/param/function names are. Resources are equal
 * when their names and their function lists are equal. */
int gale_wit_type_equal(const gale_wit_type_t *a, const gale_wit_type_t *b, char *why, size_t whyn);
int gale_wit_func_equal(const gale_wit_func_t *a, const gale_wit_func_t *b, char *why, size_t whyn);
int gale_wit_iface_equal(const gale_wit_iface_t *a, const gale_wit_iface_t *b, char *why, size_t whyn);

/* ---- C bindings ------------------------------------------------------------ */

/* Guest bindings for world `w`: writes <world>.h and <world>.c (world name
 * with '-' -> '_') into outdir. Needs guest/include/gale_guest.h to compile. */
int gale_wit_bindgen_c_guest(gale_wit_ctx_t *ctx, const gale_wit_world_t *w, const char *outdir, char *err,
                             size_t errn);
/* Host tables for world `w`: writes <world>_host.h and <world>_host.c. */
int gale_wit_bindgen_c_host(gale_wit_ctx_t *ctx, const gale_wit_world_t *w, const char *outdir, char *err,
                            size_t errn);

#endif /* GALE_WIT_H */
