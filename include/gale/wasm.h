/* gale — the WebAssembly engine (layer src/wasm).
 *
 * WebAssembly 2.0 without SIMD: decode + validate a binary module, instantiate it
 * with imports resolved by (module, name, type), call exports, with fuel metering
 * and bounded stacks. The engine keeps no global state: every piece of state lives
 * in a module, an instance or a store object the caller owns, so several threads
 * (fibers) can run several instances, and a host function may re-enter the
 * instance that called it (the component layer calls cabi_realloc that way).
 *
 * Memory: every allocation goes through a gale_wasm_alloc_t. On the host it can be
 * malloc (gale_wasm_alloc_libc); on the MCU profile it is an arena over a static
 * buffer (gale_wasm_arena_*), so no malloc is required.
 *
 * The component layer uses the engine only through gale_wasm_engine_t (the function
 * table at the end), so a second tier (AOT) can plug in without changing it.
 */
#ifndef GALE_WASM_H
#define GALE_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gale/config.h"
#include "gale/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Values and types                                                           */
/* ------------------------------------------------------------------------- */

typedef enum gale_wasm_valtype {
    GALE_WASM_I32 = 0x7f,
    GALE_WASM_I64 = 0x7e,
    GALE_WASM_F32 = 0x7d,
    GALE_WASM_F64 = 0x7c,
    GALE_WASM_FUNCREF = 0x70,
    GALE_WASM_EXTERNREF = 0x6f,
} gale_wasm_valtype_t;

/* A reference: NULL is the null reference. A funcref points at an engine
 * function object (gale_wasm_func_t); an externref is an opaque host pointer. */
typedef void *gale_wasm_ref_t;

/* One value. Floats are carried as their bit patterns, so NaN payloads survive. */
typedef union gale_wasm_val {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    gale_wasm_ref_t ref;
} gale_wasm_val_t;

/* A function type as the engine sees it (params then results). */
typedef struct gale_wasm_functype {
    uint16_t n_params;
    uint16_t n_results;
    const uint8_t *types; /* n_params + n_results gale_wasm_valtype_t bytes */
} gale_wasm_functype_t;

typedef enum gale_wasm_extern_kind {
    GALE_WASM_EXTERN_FUNC = 0,
    GALE_WASM_EXTERN_TABLE = 1,
    GALE_WASM_EXTERN_MEMORY = 2,
    GALE_WASM_EXTERN_GLOBAL = 3,
} gale_wasm_extern_kind_t;

/* Opaque engine objects. */
typedef struct gale_wasm_module gale_wasm_module_t;     /* decoded, validated, translated code */
typedef struct gale_wasm_instance gale_wasm_instance_t; /* one instantiation of a module */
typedef struct gale_wasm_func gale_wasm_func_t;         /* a wasm or host function (a funcref) */
typedef struct gale_wasm_table gale_wasm_table_t;
typedef struct gale_wasm_memory gale_wasm_memory_t;
typedef struct gale_wasm_global gale_wasm_global_t;

/* An extern value: what an import is bound to and what an export yields. */
typedef struct gale_wasm_extern {
    gale_wasm_extern_kind_t kind;
    union {
        gale_wasm_func_t *func;
        gale_wasm_table_t *table;
        gale_wasm_memory_t *memory;
        gale_wasm_global_t *global;
    } u;
} gale_wasm_extern_t;

/* ------------------------------------------------------------------------- */
/* Allocation                                                                 */
/* ------------------------------------------------------------------------- */

typedef struct gale_wasm_alloc {
    /* Returns memory aligned to `align` (a power of two), or NULL. */
    void *(*alloc)(void *ctx, size_t size, size_t align);
    /* Grows/shrinks a block (used for linear memory and tables); may be NULL,
     * in which case growth beyond the initial reservation fails cleanly. */
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align);
    void (*free)(void *ctx, void *ptr, size_t size); /* may be a no-op (arena) */
    void *ctx;
} gale_wasm_alloc_t;

/* malloc/realloc/free (host builds only). */
extern const gale_wasm_alloc_t gale_wasm_alloc_libc;

/* A bump arena over a caller-provided buffer (MCU profile: no malloc). */
typedef struct gale_wasm_arena {
    uint8_t *base;
    size_t size;
    size_t used;
    size_t high_water;
} gale_wasm_arena_t;

void gale_wasm_arena_init(gale_wasm_arena_t *arena, void *buffer, size_t size);
/* An allocator drawing from `arena` (realloc works for the most recent block). */
gale_wasm_alloc_t gale_wasm_arena_alloc(gale_wasm_arena_t *arena);

/* ------------------------------------------------------------------------- */
/* Errors and traps                                                           */
/* ------------------------------------------------------------------------- */

/* Where and why a load / link / instantiate failed. */
typedef struct gale_wasm_error {
    int code;          /* GALE_EMALFORMED, GALE_EINVALID, GALE_ELINK, GALE_ENOMEM, GALE_ETRAP ... */
    int section;       /* binary section id, or -1 */
    size_t offset;     /* byte offset in the module binary, or (size_t)-1 */
    char message[160]; /* e.g. "code section, function 3, offset 0x1a2: type mismatch: expected i32, got f64" */
} gale_wasm_error_t;

typedef enum gale_wasm_trap_code {
    GALE_TRAP_NONE = 0,
    GALE_TRAP_UNREACHABLE,
    GALE_TRAP_MEMORY_OOB,         /* out of bounds memory access */
    GALE_TRAP_TABLE_OOB,          /* out of bounds table access / undefined element (call_indirect
                                   * index past the table's end: message "undefined element") */
    GALE_TRAP_INT_OVERFLOW,       /* integer overflow */
    GALE_TRAP_DIV_ZERO,           /* integer divide by zero */
    GALE_TRAP_INVALID_CONVERSION, /* invalid conversion to integer */
    GALE_TRAP_INDIRECT_NULL,      /* uninitialized element / null funcref */
    GALE_TRAP_INDIRECT_TYPE,      /* indirect call type mismatch */
    GALE_TRAP_STACK_EXHAUSTED,    /* call stack exhausted */
    GALE_TRAP_OUT_OF_FUEL,        /* fuel exhausted (see gale_wasm_call) */
    GALE_TRAP_HOST,               /* a host function reported a trap */
    GALE_TRAP_ABORTED,            /* the embedder aborted the call */
} gale_wasm_trap_code_t;

typedef struct gale_wasm_trap {
    gale_wasm_trap_code_t code;
    uint32_t func_index;  /* function (module index space) executing when it trapped */
    uint32_t code_offset; /* byte offset of the trapping instruction in the module binary */
    char message[96];     /* the spec's reason, e.g. "integer divide by zero", or the host's */
} gale_wasm_trap_t;

/* The spec test suite's text for a trap code ("out of bounds memory access", ...). */
const char *gale_wasm_trap_reason(gale_wasm_trap_code_t code);

/* ------------------------------------------------------------------------- */
/* Host functions                                                             */
/* ------------------------------------------------------------------------- */

/* The calling context a host function receives: the instance that called it
 * (NULL when called directly by the embedder), so that it can read/write that
 * instance's memory and call back into it. */
typedef struct gale_wasm_caller {
    gale_wasm_instance_t *instance;
} gale_wasm_caller_t;

/* Returns 0 on success, or a negative value to trap; on trap it may fill
 * `trap->message` (code GALE_TRAP_HOST is set by the engine). A host function may
 * block its OS thread or fiber (a sync kernel call). */
typedef int (*gale_wasm_host_fn)(gale_wasm_caller_t *caller, void *env,
                                 const gale_wasm_val_t *args, gale_wasm_val_t *results,
                                 gale_wasm_trap_t *trap);

/* ------------------------------------------------------------------------- */
/* Configuration                                                              */
/* ------------------------------------------------------------------------- */

typedef struct gale_wasm_config {
    gale_wasm_alloc_t alloc;      /* where module code and instance data come from */
    uint32_t value_stack_slots;   /* value stack per instance, in 8-byte slots (0: default 16384) */
    uint32_t call_depth;          /* max nested calls (0: default 1024) */
    /* Linear memory cap in bytes for instances of this module (0: no cap beyond
     * the module's own max). May be below one 64 KiB page: then the memory is
     * sized min(declared, cap) bytes; accesses past the cap trap as out of bounds
     * and memory.grow fails. Documented in docs/wasm.md. */
    uint64_t memory_cap_bytes;
    uint32_t table_cap;           /* max elements per table (0: module's own max) */
} gale_wasm_config_t;

void gale_wasm_config_default(gale_wasm_config_t *cfg); /* libc alloc on the host */

/* ------------------------------------------------------------------------- */
/* Modules                                                                    */
/* ------------------------------------------------------------------------- */

/* Decodes, validates and translates a binary module. The bytes may be freed
 * after the call (the module keeps what it needs). On failure returns NULL and
 * fills `err` (section, offset, what was expected). */
gale_wasm_module_t *gale_wasm_module_load(const gale_wasm_config_t *cfg, const uint8_t *bytes,
                                          size_t len, gale_wasm_error_t *err);
void gale_wasm_module_free(gale_wasm_module_t *module);

/* Introspection of imports and exports (for linking and the component layer). */
typedef struct gale_wasm_import_desc {
    const char *module;        /* NUL-terminated copies owned by the module */
    const char *name;
    gale_wasm_extern_kind_t kind;
    gale_wasm_functype_t functype; /* kind == FUNC */
    uint8_t global_type;           /* kind == GLOBAL */
    bool global_mutable;
    uint8_t table_elem;            /* kind == TABLE */
    uint64_t limits_min, limits_max; /* TABLE / MEMORY; max = UINT64_MAX if none */
} gale_wasm_import_desc_t;

typedef struct gale_wasm_export_desc {
    const char *name;
    gale_wasm_extern_kind_t kind;
    uint32_t index;                /* in the module's index space of that kind */
    gale_wasm_functype_t functype; /* kind == FUNC */
} gale_wasm_export_desc_t;

uint32_t gale_wasm_module_import_count(const gale_wasm_module_t *m);
int gale_wasm_module_import(const gale_wasm_module_t *m, uint32_t i, gale_wasm_import_desc_t *out);
uint32_t gale_wasm_module_export_count(const gale_wasm_module_t *m);
int gale_wasm_module_export(const gale_wasm_module_t *m, uint32_t i, gale_wasm_export_desc_t *out);

/* ------------------------------------------------------------------------- */
/* Standalone objects (host functions, and memories/tables/globals the host   */
/* provides, e.g. the spec tests' `spectest` module)                          */
/* ------------------------------------------------------------------------- */

gale_wasm_func_t *gale_wasm_func_new_host(const gale_wasm_config_t *cfg, const gale_wasm_functype_t *type,
                                          gale_wasm_host_fn fn, void *env);
gale_wasm_memory_t *gale_wasm_memory_new(const gale_wasm_config_t *cfg, uint32_t min_pages, uint32_t max_pages /* UINT32_MAX: none */);
gale_wasm_table_t *gale_wasm_table_new(const gale_wasm_config_t *cfg, gale_wasm_valtype_t elem, uint32_t min, uint32_t max /* UINT32_MAX: none */);
gale_wasm_global_t *gale_wasm_global_new(const gale_wasm_config_t *cfg, gale_wasm_valtype_t type, bool mutable_, gale_wasm_val_t init);
/* Frees an object made by one of the *_new functions above (not one that an
 * instance owns). */
void gale_wasm_extern_free(gale_wasm_extern_t ext);

/* ------------------------------------------------------------------------- */
/* Instances                                                                  */
/* ------------------------------------------------------------------------- */

/* Instantiates `module`. `imports` has one extern per module import, in import
 * order (the caller resolved them by module/name; gale_wasm_link_by_name helps).
 * Types are checked (a mismatch is GALE_ELINK naming the import). Runs the
 * start function; a trap there returns NULL with err->code = GALE_ETRAP. */
gale_wasm_instance_t *gale_wasm_instantiate(const gale_wasm_module_t *module,
                                            const gale_wasm_extern_t *imports, uint32_t n_imports,
                                            gale_wasm_error_t *err);
void gale_wasm_instance_free(gale_wasm_instance_t *inst);

/* Resolves every import of `m` through `resolve` (which fills `out` and returns
 * 0, or non-zero if it has no such name) into `imports` (import_count entries).
 * An unresolved import is GALE_ELINK "unknown import" naming it. */
typedef int (*gale_wasm_resolve_fn)(void *ctx, const char *module, const char *name, gale_wasm_extern_t *out);
int gale_wasm_link_by_name(const gale_wasm_module_t *m, gale_wasm_resolve_fn resolve, void *ctx,
                           gale_wasm_extern_t *imports, gale_wasm_error_t *err);

/* Looks up an export by name; returns GALE_ENOENT if there is none. */
int gale_wasm_instance_export(gale_wasm_instance_t *inst, const char *name, gale_wasm_extern_t *out);
/* The same with an explicit length (names may contain U+0000). */
int gale_wasm_instance_export_n(gale_wasm_instance_t *inst, const char *name, size_t len, gale_wasm_extern_t *out);

/* The functype of any function (wasm or host). */
const gale_wasm_functype_t *gale_wasm_func_type(const gale_wasm_func_t *f);

/* Memory access for the embedder: base pointer and size in bytes of a memory
 * (valid until the next call that may grow it). Bounds checks are the caller's. */
uint8_t *gale_wasm_memory_data(gale_wasm_memory_t *mem, uint64_t *size_bytes);
/* Memory 0 of an instance (or NULL). */
gale_wasm_memory_t *gale_wasm_instance_memory(gale_wasm_instance_t *inst, uint32_t index);
int gale_wasm_memory_grow(gale_wasm_memory_t *mem, uint32_t delta_pages, uint32_t *old_pages);

gale_wasm_val_t gale_wasm_global_get(const gale_wasm_global_t *g);
int gale_wasm_global_set(gale_wasm_global_t *g, gale_wasm_val_t v); /* GALE_EPERM if immutable */
uint32_t gale_wasm_table_size(const gale_wasm_table_t *t);
int gale_wasm_table_get(const gale_wasm_table_t *t, uint32_t i, gale_wasm_ref_t *out);

/* ------------------------------------------------------------------------- */
/* Calls, fuel                                                                */
/* ------------------------------------------------------------------------- */

/* Calls `f` with `args` (count and types per its functype). Returns:
 *   0               results written;
 *   GALE_ETRAP      the call trapped: `trap` says why and where; the instance
 *                   stays usable for further calls;
 *   GALE_EFUEL      fuel ran out (only if fuel metering is on for the instance):
 *                   the call is suspended, not unwound; gale_wasm_resume()
 *                   continues it after more fuel is added, gale_wasm_abort()
 *                   discards it. Nested calls (host function re-entering) are
 *                   never suspended: running out of fuel inside one traps.
 *   GALE_EINVAL     wrong argument count, or a call is suspended on the instance. */
int gale_wasm_call(gale_wasm_instance_t *inst, gale_wasm_func_t *f,
                   const gale_wasm_val_t *args, uint32_t n_args,
                   gale_wasm_val_t *results, uint32_t n_results, gale_wasm_trap_t *trap);
int gale_wasm_resume(gale_wasm_instance_t *inst, gale_wasm_val_t *results, uint32_t n_results,
                     gale_wasm_trap_t *trap);
void gale_wasm_abort(gale_wasm_instance_t *inst);

/* Fuel: one unit per instruction executed (approximately: per translated op).
 * UINT64_MAX (the default) disables metering. */
void gale_wasm_set_fuel(gale_wasm_instance_t *inst, uint64_t fuel);
uint64_t gale_wasm_get_fuel(const gale_wasm_instance_t *inst);

/* Per-instance user pointer (the component layer hangs its instance state here). */
void gale_wasm_instance_set_user(gale_wasm_instance_t *inst, void *user);
void *gale_wasm_instance_get_user(const gale_wasm_instance_t *inst);

/* Memory used by a module / instance (bytes), for reports and benchmarks. */
size_t gale_wasm_module_footprint(const gale_wasm_module_t *m);
size_t gale_wasm_instance_footprint(const gale_wasm_instance_t *inst);

/* ------------------------------------------------------------------------- */
/* The engine interface the component layer uses (one per tier).              */
/* ------------------------------------------------------------------------- */

typedef struct gale_wasm_engine {
    const char *name; /* "interp" */
    gale_wasm_module_t *(*module_load)(const gale_wasm_config_t *, const uint8_t *, size_t, gale_wasm_error_t *);
    void (*module_free)(gale_wasm_module_t *);
    uint32_t (*module_import_count)(const gale_wasm_module_t *);
    int (*module_import)(const gale_wasm_module_t *, uint32_t, gale_wasm_import_desc_t *);
    uint32_t (*module_export_count)(const gale_wasm_module_t *);
    int (*module_export)(const gale_wasm_module_t *, uint32_t, gale_wasm_export_desc_t *);
    gale_wasm_func_t *(*func_new_host)(const gale_wasm_config_t *, const gale_wasm_functype_t *, gale_wasm_host_fn, void *);
    gale_wasm_instance_t *(*instantiate)(const gale_wasm_module_t *, const gale_wasm_extern_t *, uint32_t, gale_wasm_error_t *);
    void (*instance_free)(gale_wasm_instance_t *);
    int (*instance_export)(gale_wasm_instance_t *, const char *, gale_wasm_extern_t *);
    gale_wasm_memory_t *(*instance_memory)(gale_wasm_instance_t *, uint32_t);
    uint8_t *(*memory_data)(gale_wasm_memory_t *, uint64_t *);
    int (*call)(gale_wasm_instance_t *, gale_wasm_func_t *, const gale_wasm_val_t *, uint32_t,
                gale_wasm_val_t *, uint32_t, gale_wasm_trap_t *);
    int (*resume)(gale_wasm_instance_t *, gale_wasm_val_t *, uint32_t, gale_wasm_trap_t *);
    void (*abort)(gale_wasm_instance_t *);
    void (*set_fuel)(gale_wasm_instance_t *, uint64_t);
    uint64_t (*get_fuel)(const gale_wasm_instance_t *);
    void (*set_user)(gale_wasm_instance_t *, void *);
    void *(*get_user)(const gale_wasm_instance_t *);
} gale_wasm_engine_t;

/* The interpreter tier. */
extern const gale_wasm_engine_t gale_wasm_interp;

#ifdef __cplusplus
}
#endif
#endif /* GALE_WASM_H */
