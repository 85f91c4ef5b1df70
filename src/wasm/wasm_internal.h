/* gale wasm engine — internal definitions shared by the engine's sources. */
#ifndef GALE_WASM_INTERNAL_H
#define GALE_WASM_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "gale/wasm.h"

#define GW_PAGE 65536u
#define GW_MAX_PAGES 65536u
#define GW_NO_MAX UINT32_MAX

enum gw_op {
#define OP(name, n) GW_OP_##name,
#include "ops.def"
#undef OP
    GW_OP_COUNT_
};

/* Module-level descriptions. */
typedef struct gw_limits {
    uint32_t min, max; /* max = GW_NO_MAX if none */
} gw_limits_t;

typedef struct gw_tabletype {
    uint8_t elem;
    gw_limits_t lim;
} gw_tabletype_t;

typedef struct gw_globaltype {
    uint8_t type;
    uint8_t mut;
} gw_globaltype_t;

/* A constant expression (2.0: exactly one instruction). */
enum { GW_CE_CONST = 0, GW_CE_GLOBAL, GW_CE_REFFUNC, GW_CE_REFNULL };
typedef struct gw_constexpr {
    uint8_t kind;
    uint32_t index;        /* global / function index */
    gale_wasm_val_t val;   /* GW_CE_CONST */
} gw_constexpr_t;

typedef struct gw_import {
    char *module, *name;
    uint8_t kind;
    uint32_t index; /* index in the kind's index space */
} gw_import_t;

typedef struct gw_export {
    char *name;
    uint32_t name_len;
    uint8_t kind;
    uint32_t index;
} gw_export_t;

enum { GW_SEG_ACTIVE = 0, GW_SEG_PASSIVE, GW_SEG_DECLARATIVE };

typedef struct gw_elem {
    uint8_t mode, type;
    uint32_t table;
    gw_constexpr_t offset;
    uint32_t n_items;
    gw_constexpr_t *items;
} gw_elem_t;

typedef struct gw_data {
    uint8_t mode;
    uint32_t mem;
    gw_constexpr_t offset;
    uint32_t len;
    const uint8_t *bytes; /* copy owned by the module */
} gw_data_t;

typedef struct gw_trapmap {
    uint32_t ip;     /* index into the function's code (start of the op) */
    uint32_t offset; /* byte offset in the module binary */
} gw_trapmap_t;

typedef struct gw_code {
    uint32_t *ops;
    uint32_t n_ops;       /* words */
    uint32_t n_params, n_locals; /* n_locals includes params */
    uint32_t n_slots;     /* locals + max operand height */
    gw_trapmap_t *traps;
    uint32_t n_traps;
    uint32_t body_offset;
} gw_code_t;

struct gale_wasm_module {
    gale_wasm_config_t cfg;
    uint32_t n_types;
    gale_wasm_functype_t *types;
    uint32_t n_imports;
    gw_import_t *imports;
    uint32_t n_funcs, n_func_imports;
    uint32_t *func_types; /* type index per function */
    gw_code_t *codes;     /* per defined function */
    uint32_t n_tables, n_table_imports;
    gw_tabletype_t *tables;
    uint32_t n_mems, n_mem_imports;
    gw_limits_t mem;      /* at most one memory in 2.0 */
    uint32_t n_globals, n_global_imports;
    gw_globaltype_t *globals;
    gw_constexpr_t *global_inits;
    uint32_t n_exports;
    gw_export_t *exports;
    int64_t start;        /* -1: none */
    uint32_t n_elems;
    gw_elem_t *elems;
    uint32_t n_datas;
    gw_data_t *datas;
    uint8_t *func_declared; /* bitmap: function index may be used by ref.func */
    void *blocks;           /* chain of module-owned allocations */
    gale_wasm_instance_t *zombies; /* failed instantiations kept alive (see docs/wasm.md) */
    size_t footprint;
};

struct gale_wasm_func {
    gale_wasm_functype_t type;
    uint8_t is_host;
    uint8_t owned_type;          /* host func: types array allocated with it */
    gale_wasm_alloc_t alloc;     /* host func created standalone */
    gale_wasm_host_fn fn;
    void *env;
    gale_wasm_instance_t *inst;  /* wasm func: its instance */
    const gw_code_t *code;
    uint32_t index;
};

struct gale_wasm_memory {
    uint8_t *data;
    uint64_t size;      /* accessible bytes */
    uint64_t reserved;  /* bytes allocated */
    uint32_t pages, max_pages, declared_max;
    uint64_t cap_bytes; /* 0: none */
    gale_wasm_alloc_t alloc;
};

struct gale_wasm_table {
    gale_wasm_ref_t *elems;
    uint32_t size, max, cap, declared_max;
    uint8_t elem;
    gale_wasm_alloc_t alloc;
};

struct gale_wasm_global {
    gale_wasm_val_t val;
    uint8_t type, mut;
    gale_wasm_alloc_t alloc;
};

typedef struct gw_frame {
    const uint32_t *ip;
    gale_wasm_val_t *fp;
    gale_wasm_func_t *fn;
} gw_frame_t;

struct gale_wasm_instance {
    const gale_wasm_module_t *mod;
    gale_wasm_alloc_t alloc;
    gale_wasm_func_t *own_funcs;
    gale_wasm_func_t **funcs;
    gale_wasm_table_t **tables;
    gale_wasm_memory_t *mem;      /* NULL if none */
    gale_wasm_memory_t own_mem;
    gale_wasm_global_t **globals;
    gale_wasm_global_t *own_globals;
    gale_wasm_table_t *own_tables;
    uint32_t *elem_len;           /* 0 after elem.drop */
    gale_wasm_ref_t **elem_refs;
    uint8_t *data_dropped;
    /* execution state */
    gale_wasm_val_t *stack, *stack_end, *top;
    gw_frame_t *frames;
    uint32_t n_frames, max_frames;
    uint32_t active;              /* interpreter invocations in progress */
    uint64_t fuel;
    /* a call suspended for lack of fuel */
    uint8_t suspended;
    const uint32_t *s_ip;
    gale_wasm_val_t *s_fp, *s_res;
    gale_wasm_func_t *s_fn;
    uint32_t s_base_frames, s_n_results;
    void *user;
    size_t footprint;
    gale_wasm_instance_t *next_zombie;
};

/* alloc helpers */
void *gw_alloc(const gale_wasm_alloc_t *a, size_t size);
void *gw_realloc(const gale_wasm_alloc_t *a, void *p, size_t old_size, size_t new_size);
void gw_free(const gale_wasm_alloc_t *a, void *p, size_t size);

/* interpreter */
int gw_invoke(gale_wasm_instance_t *inst, gale_wasm_func_t *f, const gale_wasm_val_t *args,
              uint32_t n_args, gale_wasm_val_t *results, uint32_t n_results, gale_wasm_trap_t *trap);
void gw_code_finalize(uint32_t *ops, uint32_t n);
int gw_types_equal(const gale_wasm_functype_t *a, const gale_wasm_functype_t *b);
void gw_instance_release(gale_wasm_instance_t *inst);
void gw_trap_set(gale_wasm_trap_t *trap, gale_wasm_trap_code_t code, uint32_t func, uint32_t off);

/* memory growth (shared by memory.grow and the API) */
int gw_memory_grow(gale_wasm_memory_t *m, uint32_t delta, uint32_t *old_pages);
int gw_table_grow(gale_wasm_table_t *t, uint32_t delta, gale_wasm_ref_t init, uint32_t *old);

#endif
