/* gale — the component host (layer src/cm).
 *
 * Hosts one fused WebAssembly component per instance: the canonical ABI (lift and
 * lower driven by runtime type descriptions), per-instance handle tables, the
 * component-model core naming conventions (what wit-component and meld emit), a
 * decoder for component binaries wrapping one core module, the async ABI
 * (callback form) and instance-per-thread spawn.
 *
 * Conventions: no allocation. Every table, pool and buffer is caller-provided or a
 * static pool sized by the GALE_CM_* configuration macros below. Errors are negative
 * GALE_E* codes; where a guest did something wrong the call traps with a message
 * in a gale_cm_err_t naming what and where.
 *
 * Names accepted and the exact semantics: docs/cm.md.
 */
#ifndef GALE_CM_H
#define GALE_CM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gale/config.h"
#include "gale/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MCU profile: smaller static pools (override any of these with -D). */
#if defined(GALE_PROFILE_MCU)
#ifndef GALE_CM_MAX_INSTANCES
#define GALE_CM_MAX_INSTANCES 2
#endif
#ifndef GALE_CM_MAX_COMPONENTS
#define GALE_CM_MAX_COMPONENTS 2
#endif
#ifndef GALE_CM_MAX_IMPORTS
#define GALE_CM_MAX_IMPORTS 48
#endif
#ifndef GALE_CM_MAX_SUBTASKS
#define GALE_CM_MAX_SUBTASKS 4
#endif
#ifndef GALE_CM_ARENA_BYTES
#define GALE_CM_ARENA_BYTES 2048
#endif
#ifndef GALE_CM_SUBTASK_ARENA_BYTES
#define GALE_CM_SUBTASK_ARENA_BYTES 256
#endif
#ifndef GALE_CM_DEC_MAX_FUNCS
#define GALE_CM_DEC_MAX_FUNCS 16
#endif
#ifndef GALE_CM_DEC_MAX_TYPES
#define GALE_CM_DEC_MAX_TYPES 96
#endif
#ifndef GALE_CM_DEC_MAX_MEMBERS
#define GALE_CM_DEC_MAX_MEMBERS 192
#endif
#ifndef GALE_CM_DEC_MAX_SCOPE_TYPES
#define GALE_CM_DEC_MAX_SCOPE_TYPES 64
#endif
#ifndef GALE_CM_MAX_SYSTEMS
#define GALE_CM_MAX_SYSTEMS 4
#endif
#ifndef GALE_CM_MELD_RINGS
#define GALE_CM_MELD_RINGS 2
#endif
#ifndef GALE_CM_MELD_RING_BYTES
#define GALE_CM_MELD_RING_BYTES 256
#endif
#endif


/* ------------------------------------------------------------------------- */
/* Constants of the canonical ABI (component-model definitions.py)            */
/* ------------------------------------------------------------------------- */

#define GALE_CM_MAX_FLAT_PARAMS 16
#define GALE_CM_MAX_FLAT_ASYNC_PARAMS 4
#define GALE_CM_MAX_FLAT_RESULTS 1
#define GALE_CM_MAX_LENGTH ((1u << 28) - 1u) /* handles, strings, lists */
#define GALE_CM_BLOCKED 0xffffffffu

enum gale_cm_callback_code { GALE_CM_EXIT = 0, GALE_CM_YIELD = 1, GALE_CM_WAIT = 2, GALE_CM_POLL_LEGACY = 3 };
enum gale_cm_event_code {
    GALE_CM_EVENT_NONE = 0,
    GALE_CM_EVENT_SUBTASK = 1,
    GALE_CM_EVENT_STREAM_READ = 2,
    GALE_CM_EVENT_STREAM_WRITE = 3,
    GALE_CM_EVENT_FUTURE_READ = 4,
    GALE_CM_EVENT_FUTURE_WRITE = 5,
    GALE_CM_EVENT_TASK_CANCELLED = 6,
};
enum gale_cm_subtask_state {
    GALE_CM_SUBTASK_STARTING = 0,
    GALE_CM_SUBTASK_STARTED = 1,
    GALE_CM_SUBTASK_RETURNED = 2,
    GALE_CM_SUBTASK_CANCELLED_BEFORE_STARTED = 3,
    GALE_CM_SUBTASK_CANCELLED_BEFORE_RETURNED = 4,
};
enum gale_cm_copy_result { GALE_CM_COPY_COMPLETED = 0, GALE_CM_COPY_DROPPED = 1, GALE_CM_COPY_CANCELLED = 2 };

#define GALE_CM_CANONICAL_F32_NAN 0x7fc00000u
#define GALE_CM_CANONICAL_F64_NAN 0x7ff8000000000000ull

/* ------------------------------------------------------------------------- */
/* Errors / traps                                                             */
/* ------------------------------------------------------------------------- */

typedef struct gale_cm_err {
    int code;          /* GALE_ETRAP for guest faults, GALE_ELINK, GALE_EMALFORMED, ... */
    char message[192]; /* e.g. "lift string: pointer 0x10000+12 out of bounds (memory 65536 bytes)" */
} gale_cm_err_t;

/* Sets err->code and formats err->message (printf-style); returns `code`.
 * err may be NULL. GALE_CONFIG_DIAG=0 (gale/config.h): the message is left
 * empty and the format strings are compiled out. */
#if GALE_CONFIG_DIAG
int gale_cm_err_set(gale_cm_err_t *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
#else
static inline
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    int gale_cm_err_set(gale_cm_err_t *err, int code, const char *fmt, ...)
{
    (void)fmt;
    if (err) {
        err->code = code;
        err->message[0] = '\0';
    }
    return code;
}
#endif

/* ------------------------------------------------------------------------- */
/* Component-level value types (what WIT types resolve to)                    */
/* ------------------------------------------------------------------------- */

typedef enum gale_cm_kind {
    GALE_CM_BOOL = 1,
    GALE_CM_S8, GALE_CM_U8, GALE_CM_S16, GALE_CM_U16, GALE_CM_S32, GALE_CM_U32,
    GALE_CM_S64, GALE_CM_U64, GALE_CM_F32, GALE_CM_F64, GALE_CM_CHAR, GALE_CM_STRING,
    GALE_CM_LIST,    /* elem; n = 0, or the length of a fixed-length list<T;N> */
    GALE_CM_RECORD,  /* n fields in members[] */
    GALE_CM_TUPLE,   /* n fields in members[] */
    GALE_CM_VARIANT, /* n cases, members[i] = payload type or NULL */
    GALE_CM_ENUM,    /* n cases */
    GALE_CM_OPTION,  /* elem */
    GALE_CM_RESULT,  /* members[0] = ok or NULL, members[1] = error or NULL (n = 2) */
    GALE_CM_FLAGS,   /* n labels (1..32) */
    GALE_CM_OWN,     /* resource = resource type id */
    GALE_CM_BORROW,  /* resource = resource type id */
    GALE_CM_STREAM,  /* elem = payload or NULL */
    GALE_CM_FUTURE,  /* elem = payload or NULL */
    GALE_CM_ERROR_CONTEXT,
    GALE_CM_KIND_MAX
} gale_cm_kind_t;

typedef struct gale_cm_type gale_cm_type_t;
struct gale_cm_type {
    uint8_t kind;                         /* gale_cm_kind_t */
    uint32_t n;                           /* fields / cases / labels / fixed length */
    const gale_cm_type_t *elem;           /* list, option, stream, future */
    const gale_cm_type_t *const *members; /* record/tuple fields, variant/result payloads */
    uint32_t resource;                    /* own / borrow: resource type id */
    const char *const *names;             /* optional labels (diagnostics only) */
};

/* Primitive singletons. */
extern const gale_cm_type_t gale_cm_t_bool, gale_cm_t_s8, gale_cm_t_u8, gale_cm_t_s16,
    gale_cm_t_u16, gale_cm_t_s32, gale_cm_t_u32, gale_cm_t_s64, gale_cm_t_u64, gale_cm_t_f32,
    gale_cm_t_f64, gale_cm_t_char, gale_cm_t_string;

const char *gale_cm_kind_name(uint8_t kind);

/* Layout (32-bit memory). Return 0 for malformed types (depth > 32, bad kind). */
uint32_t gale_cm_type_size(const gale_cm_type_t *t);
uint32_t gale_cm_type_align(const gale_cm_type_t *t);

/* Number of cases (variant/enum/option/result), and case i's payload type. */
uint32_t gale_cm_type_ncases(const gale_cm_type_t *t);
const gale_cm_type_t *gale_cm_type_case(const gale_cm_type_t *t, uint32_t i);

/* Core value types of a flattening (GALE_WASM_I32 ... codes: 0x7f i32, 0x7e i64,
 * 0x7d f32, 0x7c f64). */
#define GALE_CM_CORE_I32 0x7f
#define GALE_CM_CORE_I64 0x7e
#define GALE_CM_CORE_F32 0x7d
#define GALE_CM_CORE_F64 0x7c

/* Flattens `t` appending to out[*n] (capacity cap). Returns 0, or GALE_EOVERFLOW
 * when more than cap flat values would be needed (*n then is cap+1). */
int gale_cm_flatten(const gale_cm_type_t *t, uint8_t *out, uint32_t *n, uint32_t cap);

/* Structural type equality (labels ignored, resource ids compared). */
bool gale_cm_type_equal(const gale_cm_type_t *a, const gale_cm_type_t *b);

/* A component function type. */
typedef struct gale_cm_functype {
    uint32_t n_params;
    const gale_cm_type_t *const *params;
    const gale_cm_type_t *result; /* NULL: no result */
    bool is_async;                /* `async func` */
} gale_cm_functype_t;

/* How a function crosses the boundary. */
typedef enum gale_cm_abi {
    GALE_CM_ABI_SYNC_LOWER = 0, /* guest calls host: sync lower */
    GALE_CM_ABI_ASYNC_LOWER,    /* guest calls host: async lower (i32 status) */
    GALE_CM_ABI_SYNC_LIFT,      /* host calls guest export: sync lift */
    GALE_CM_ABI_ASYNC_LIFT,     /* callback-lifted export (entry returns i32 code) */
} gale_cm_abi_t;

/* The core signature `ft` takes under `abi`. types[] gets params then results
 * (capacity GALE_CM_MAX_FLAT_PARAMS + 2 + 1). Also reports whether params and
 * results travel through memory. */
typedef struct gale_cm_coresig {
    uint8_t n_params, n_results;
    uint8_t types[GALE_CM_MAX_FLAT_PARAMS + 3];
    bool params_in_memory;  /* > max flat params: one pointer */
    bool results_in_memory; /* results via out-pointer (lower) or returned pointer (lift) */
    uint8_t n_flat_params;  /* flat count before spilling (<= MAX+1) */
} gale_cm_coresig_t;
int gale_cm_coresig(const gale_cm_functype_t *ft, gale_cm_abi_t abi, gale_cm_coresig_t *out);

/* ------------------------------------------------------------------------- */
/* Host-side values (what lift produces and lower consumes)                   */
/* ------------------------------------------------------------------------- */

typedef struct gale_cm_val gale_cm_val_t;
struct gale_cm_val {
    uint8_t kind; /* gale_cm_kind_t of the value's type */
    union {
        bool b;
        int64_t s;     /* s8..s64 (sign-extended) */
        uint64_t u;    /* u8..u64 */
        float f32;
        double f64;
        uint32_t ch;    /* char: a Unicode scalar value */
        uint32_t flags; /* flags: bit i = label i */
        uint32_t handle; /* own/borrow: the resource rep on the host side;
                            stream/future/error-context: host object id */
        struct {
            const char *ptr; /* string: UTF-8; list<u8>/list<s8>: the bytes */
            uint32_t len;    /* bytes */
        } str;
        struct {
            gale_cm_val_t *items; /* list elements; record/tuple fields */
            uint32_t len;
        } list;
        struct {
            uint32_t disc;          /* case index */
            gale_cm_val_t *payload; /* NULL when the case has none */
        } var;
    } u;
};

/* Bump allocator for lifted values (caller-provided buffer). */
typedef struct gale_cm_arena {
    uint8_t *base;
    size_t size;
    size_t used;
} gale_cm_arena_t;
void gale_cm_arena_init(gale_cm_arena_t *a, void *buf, size_t size);
void *gale_cm_arena_alloc(gale_cm_arena_t *a, size_t size, size_t align);

/* ------------------------------------------------------------------------- */
/* Handle tables (one per instance; index 0 never used)                       */
/* ------------------------------------------------------------------------- */

typedef enum gale_cm_handle_tag {
    GALE_CM_H_FREE = 0,
    GALE_CM_H_OWN,
    GALE_CM_H_BORROW,
    GALE_CM_H_SUBTASK,
    GALE_CM_H_WAITABLE_SET,
    GALE_CM_H_STREAM_READ,
    GALE_CM_H_STREAM_WRITE,
    GALE_CM_H_FUTURE_READ,
    GALE_CM_H_FUTURE_WRITE,
    GALE_CM_H_ERROR_CONTEXT,
} gale_cm_handle_tag_t;

typedef struct gale_cm_handle {
    uint8_t tag;       /* gale_cm_handle_tag_t */
    uint8_t pad;
    uint16_t type;     /* resource type id / stream-future element type id */
    uint32_t rep;      /* resource rep, or index of the subtask/set/end object */
    uint32_t lends;    /* own: outstanding borrows lent to calls */
    uint32_t scope;    /* borrow: the task id that holds it */
    uint32_t wset;     /* waitables: handle index of the set joined (0 = none) */
} gale_cm_handle_t;

typedef struct gale_cm_table {
    gale_cm_handle_t *slots; /* slots[0] is never handed out */
    uint32_t cap;            /* number of slots (max index = cap - 1) */
    uint32_t count;          /* live handles */
} gale_cm_table_t;

/* slots: caller storage of `cap` entries (cap >= 2, < 2^28). */
void gale_cm_table_init(gale_cm_table_t *t, gale_cm_handle_t *slots, uint32_t cap);
/* Inserts an entry (tag != FREE), reusing the lowest free index. Returns the
 * index (>= 1), or 0 when the table is full. */
uint32_t gale_cm_table_add(gale_cm_table_t *t, const gale_cm_handle_t *h);
/* The live entry at idx, or NULL (0, out of range or free). */
gale_cm_handle_t *gale_cm_table_get(gale_cm_table_t *t, uint32_t idx);
/* Like get, but also checks the tag: NULL plus a message in err if not. */
gale_cm_handle_t *gale_cm_table_get_tag(gale_cm_table_t *t, uint32_t idx, uint8_t tag,
                                        const char *what, gale_cm_err_t *err);
/* Frees idx; returns 0 or GALE_EINVAL if it was not live. */
int gale_cm_table_remove(gale_cm_table_t *t, uint32_t idx);
const char *gale_cm_handle_tag_name(uint8_t tag);

/* Pure core of the table (proven, proofs/cm): lowest free index in [1, cap) of
 * the tag array view, or 0 if none. */
uint32_t gale_cm_slot_find_free(const gale_cm_handle_t *slots, uint32_t cap);

/* ------------------------------------------------------------------------- */
/* Core names (component-model core naming; docs/cm.md lists what is accepted) */
/* ------------------------------------------------------------------------- */

typedef enum gale_cm_builtin {
    GALE_CM_BI_NONE = 0,
    GALE_CM_BI_CONTEXT_GET,
    GALE_CM_BI_CONTEXT_SET,
    GALE_CM_BI_BACKPRESSURE_INC,
    GALE_CM_BI_BACKPRESSURE_DEC,
    GALE_CM_BI_BACKPRESSURE_SET, /* legacy */
    GALE_CM_BI_TASK_RETURN,
    GALE_CM_BI_TASK_CANCEL,
    GALE_CM_BI_WAITABLE_SET_NEW,
    GALE_CM_BI_WAITABLE_SET_WAIT,
    GALE_CM_BI_WAITABLE_SET_POLL,
    GALE_CM_BI_WAITABLE_SET_DROP,
    GALE_CM_BI_WAITABLE_JOIN,
    GALE_CM_BI_SUBTASK_CANCEL,
    GALE_CM_BI_SUBTASK_DROP,
    GALE_CM_BI_THREAD_YIELD,
    GALE_CM_BI_STREAM_NEW,
    GALE_CM_BI_STREAM_READ,
    GALE_CM_BI_STREAM_WRITE,
    GALE_CM_BI_STREAM_CANCEL_READ,
    GALE_CM_BI_STREAM_CANCEL_WRITE,
    GALE_CM_BI_STREAM_DROP_READABLE,
    GALE_CM_BI_STREAM_DROP_WRITABLE,
    GALE_CM_BI_FUTURE_NEW,
    GALE_CM_BI_FUTURE_READ,
    GALE_CM_BI_FUTURE_WRITE,
    GALE_CM_BI_FUTURE_CANCEL_READ,
    GALE_CM_BI_FUTURE_CANCEL_WRITE,
    GALE_CM_BI_FUTURE_DROP_READABLE,
    GALE_CM_BI_FUTURE_DROP_WRITABLE,
    GALE_CM_BI_RESOURCE_NEW,
    GALE_CM_BI_RESOURCE_REP,
    GALE_CM_BI_RESOURCE_DROP,
    GALE_CM_BI_ERROR_CONTEXT_NEW,
    GALE_CM_BI_ERROR_CONTEXT_DEBUG_MESSAGE,
    GALE_CM_BI_ERROR_CONTEXT_DROP,
    GALE_CM_BI_MAX
} gale_cm_builtin_t;

const char *gale_cm_builtin_name(gale_cm_builtin_t b);

typedef enum gale_cm_import_kind {
    GALE_CM_IMPORT_FUNC = 1, /* a function of an imported interface (or $root) */
    GALE_CM_IMPORT_BUILTIN,  /* a canonical built-in (see builtin) */
    GALE_CM_IMPORT_MELD_ASYNC, /* module pulseengine:async (meld's own intrinsics) */
} gale_cm_import_kind_t;

typedef enum gale_cm_func_form {
    GALE_CM_FORM_FREESTANDING = 0,
    GALE_CM_FORM_CONSTRUCTOR, /* [constructor]R */
    GALE_CM_FORM_METHOD,      /* [method]R.m */
    GALE_CM_FORM_STATIC,      /* [static]R.s */
} gale_cm_func_form_t;

/* A string slice of the input (not NUL-terminated). */
typedef struct gale_cm_str {
    const char *ptr;
    uint32_t len;
} gale_cm_str_t;

typedef struct gale_cm_import_name {
    gale_cm_import_kind_t kind;
    gale_cm_builtin_t builtin;
    bool async_lower;       /* [async-lower] (absent in meld output: decided by core type) */
    bool cancellable;       /* [cancellable] */
    bool exported_iface;    /* module was [export]<iface> */
    bool i64;               /* [context-get-i64-N] */
    gale_cm_func_form_t form;
    gale_cm_str_t iface;    /* module without [export]; "$root" for root-level */
    gale_cm_str_t func;     /* the WIT function name (for methods: "R.m") */
    gale_cm_str_t resource; /* R for resource forms / resource built-ins */
    gale_cm_str_t version;  /* "@x.y.z" suffix of iface if any (inside iface too) */
    uint32_t n;             /* context slot N; stream/future K (UINT32_MAX = unit) */
    uint32_t task_return_index; /* meld [task-return]<N>: N, or UINT32_MAX */
    uint32_t dup_suffix;    /* meld "$<k>" suffix on the field, or UINT32_MAX */
    bool numeric_task_return; /* meld spelling: [task-return]<digits> */
} gale_cm_import_name_t;

/* Parses a core import (module, field). Returns 0, or GALE_EINVALID with a message
 * naming the import when the field uses a [marker] we do not know. A plain
 * (module, field) that follows no convention is a GALE_CM_IMPORT_FUNC. */
int gale_cm_parse_import(const char *module, const char *field, gale_cm_import_name_t *out,
                         gale_cm_err_t *err);

typedef enum gale_cm_export_kind {
    GALE_CM_EXPORT_OTHER = 0,
    GALE_CM_EXPORT_FUNC,       /* <iface>#f or root f (sync lift) */
    GALE_CM_EXPORT_ASYNC_LIFT, /* [async-lift]<iface>#f */
    GALE_CM_EXPORT_CALLBACK,   /* [callback][async-lift]<iface>#f */
    GALE_CM_EXPORT_STACKFUL,   /* [async-lift-stackful]<iface>#f */
    GALE_CM_EXPORT_POST_RETURN, /* cabi_post_<iface>#f */
    GALE_CM_EXPORT_DTOR,       /* <iface>#[dtor]R */
    GALE_CM_EXPORT_MEMORY,
    GALE_CM_EXPORT_REALLOC,    /* cabi_realloc, cabi_import_realloc, cabi_export_realloc, cabi_realloc_adapter */
    GALE_CM_EXPORT_INITIALIZE, /* _initialize */
    GALE_CM_EXPORT_TABLE,      /* __indirect_function_table */
} gale_cm_export_kind_t;

typedef struct gale_cm_export_name {
    gale_cm_export_kind_t kind;
    gale_cm_func_form_t form;
    gale_cm_str_t iface; /* empty for root-level */
    gale_cm_str_t func;  /* function name (methods: "R.m"); dtor: R */
    uint32_t dup_suffix; /* meld "$<k>" suffix, or UINT32_MAX */
} gale_cm_export_name_t;

int gale_cm_parse_export(const char *name, gale_cm_export_name_t *out);

/* Writes the canonical (wit-component) core names of import/export `func` of
 * `iface` ("" or NULL = root): e.g. "[async-lift]a:b/c#f". Returns the length or
 * GALE_EOVERFLOW. */
int gale_cm_export_core_name(char *buf, size_t cap, const char *iface, const char *func,
                             gale_cm_export_kind_t kind);

/* ------------------------------------------------------------------------- */
/* Component binaries wrapping one core module                                */
/* ------------------------------------------------------------------------- */

#ifndef GALE_CM_DEC_MAX_TYPES
#define GALE_CM_DEC_MAX_TYPES 256 /* component-level type definitions (all scopes) */
#endif
#ifndef GALE_CM_DEC_MAX_MEMBERS
#define GALE_CM_DEC_MAX_MEMBERS 512 /* fields/cases/params across all types */
#endif
#ifndef GALE_CM_DEC_MAX_FUNCS
#define GALE_CM_DEC_MAX_FUNCS 48 /* lifted exports and imported functions */
#endif

/* One component function the decoder found: a `canon lift` that is exported, or a
 * function of an imported instance (or root import). */
typedef struct gale_cm_dec_func {
    bool is_export;
    char iface[80]; /* imported/exported interface name, "" for root */
    char name[64];  /* function name (methods: "[method]R.m") */
    gale_cm_functype_t type;
    /* Exports: the core export names of the lift (looked up in the core module). */
    char core_name[128];     /* entry: e.g. "[async-lift]run" */
    char callback_name[128]; /* "" unless async callback */
    char post_return_name[128];
    bool lift_async;
    bool has_realloc, has_memory;
    uint8_t string_encoding; /* 0 utf8, 1 utf16, 2 latin1+utf16 */
} gale_cm_dec_func_t;

/* Internal decoder state (type index spaces); part of the struct so that the
 * decoder needs no allocation. */
typedef struct gale_cm_dec_tent {
    uint8_t kind; /* 0 other, 1 value type, 2 func type, 3 resource, 4 instance type */
    uint8_t pad;
    uint16_t inst; /* instance type: index into inst_types */
    uint32_t res;  /* resource id */
    const gale_cm_type_t *val;
    gale_cm_functype_t fn;
} gale_cm_dec_tent_t;

typedef struct gale_cm_dec_iexport {
    char name[64];
    uint8_t sort; /* 1 func, 3 type, 5 instance */
    gale_cm_dec_tent_t ent;
} gale_cm_dec_iexport_t;

#ifndef GALE_CM_DEC_MAX_SCOPE_TYPES
#define GALE_CM_DEC_MAX_SCOPE_TYPES 160
#endif
#ifndef GALE_CM_DEC_MAX_RESOURCES
#define GALE_CM_DEC_MAX_RESOURCES 32
#endif

typedef struct gale_cm_decoded {
    const uint8_t *core;  /* the main core module's bytes (inside the input) */
    size_t core_len;
    uint32_t n_core_modules; /* all core modules seen (wit-component shims count) */
    uint32_t main_module;    /* index of the main one */
    uint32_t n_funcs;
    gale_cm_dec_func_t funcs[GALE_CM_DEC_MAX_FUNCS];
    uint32_t n_canon;     /* canon definitions seen */
    uint32_t n_resources; /* resource types seen (ids 0..n-1) */
    struct {
        char iface[80];
        char name[48];
    } resources[GALE_CM_DEC_MAX_RESOURCES];
    /* Storage for decoded types (pointed to by funcs[].type). */
    uint32_t n_types_used, n_members_used;
    gale_cm_type_t type_pool[GALE_CM_DEC_MAX_TYPES];
    const gale_cm_type_t *member_pool[GALE_CM_DEC_MAX_MEMBERS];
    /* Decoder scratch. */
    uint32_t n_iexports, n_inst_types;
    gale_cm_dec_iexport_t iexports[128];
    struct {
        uint16_t first, count;
    } inst_types[32];
    gale_cm_dec_tent_t scope_types[3][GALE_CM_DEC_MAX_SCOPE_TYPES];
} gale_cm_decoded_t;

/* True if bytes start with the component preamble (layer 1). */
bool gale_cm_is_component(const uint8_t *bytes, size_t len);
/* Decodes a component binary (errors name the section and byte offset). The main
 * core module is the one whose instance provides the lifted exports (the
 * wit-component shim/fixup modules are skipped). */
int gale_cm_component_decode(const uint8_t *bytes, size_t len, gale_cm_decoded_t *out,
                             gale_cm_err_t *err);

/* ------------------------------------------------------------------------- */
/* Canonical ABI on a guest memory                                            */
/* ------------------------------------------------------------------------- */

typedef struct gale_cm_cx gale_cm_cx_t;

/* Resource/handle hooks: how own/borrow values cross into a handle table. */
typedef struct gale_cm_handle_ops {
    /* guest handle -> host rep (lift). own: removes the handle. */
    int (*lift_own)(gale_cm_cx_t *cx, uint32_t rtype, uint32_t handle, uint32_t *rep);
    int (*lift_borrow)(gale_cm_cx_t *cx, uint32_t rtype, uint32_t handle, uint32_t *rep);
    /* host rep -> new guest handle (lower). */
    int (*lower_own)(gale_cm_cx_t *cx, uint32_t rtype, uint32_t rep, uint32_t *handle);
    int (*lower_borrow)(gale_cm_cx_t *cx, uint32_t rtype, uint32_t rep, uint32_t *handle);
    /* stream/future readable ends (NULL: the handle number passes unchanged):
     * lift moves the guest's end out of its table to a host-held end id,
     * lower moves a host-held end into the guest's table. */
    int (*lift_end)(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t handle, uint32_t *host_end);
    int (*lower_end)(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t host_end, uint32_t *handle);
} gale_cm_handle_ops_t;

struct gale_cm_cx {
    uint8_t *mem;      /* guest linear memory (refreshed after realloc) */
    uint64_t mem_size; /* bytes */
    /* Guest allocator (cabi_realloc); NULL: lowering that needs memory traps. */
    int (*realloc)(gale_cm_cx_t *cx, uint32_t old_ptr, uint32_t old_size, uint32_t align,
                   uint32_t new_size, uint32_t *out);
    void *user;
    gale_cm_arena_t *arena;           /* lifted values are built here */
    const gale_cm_handle_ops_t *hops; /* NULL: own/borrow values trap */
    gale_cm_table_t *table;           /* for the default handle ops */
    gale_cm_err_t *err;
    const char *what; /* context for messages, e.g. "param 1 of a:b/c#f" */
};

/* Loads / stores one value at a guest address (bounds and alignment checked). */
int gale_cm_load(gale_cm_cx_t *cx, uint32_t ptr, const gale_cm_type_t *t, gale_cm_val_t *out);
int gale_cm_store(gale_cm_cx_t *cx, const gale_cm_val_t *v, uint32_t ptr, const gale_cm_type_t *t);

/* Flat values are carried as uint64 (i32 zero-extended; floats as bit patterns). */
typedef struct gale_cm_flat_iter {
    const uint64_t *vals;
    const uint8_t *types; /* core type of each value, for checking */
    uint32_t n, i;
} gale_cm_flat_iter_t;

int gale_cm_lift_flat(gale_cm_cx_t *cx, gale_cm_flat_iter_t *it, const gale_cm_type_t *t,
                      gale_cm_val_t *out);
/* Lowers to flat values: out[*n..] with their core types in types (if not NULL). */
int gale_cm_lower_flat(gale_cm_cx_t *cx, const gale_cm_val_t *v, const gale_cm_type_t *t,
                       uint64_t *out, uint8_t *types, uint32_t *n, uint32_t cap);

/* Lift a list of values from flat core values (if the flat count exceeds max_flat
 * the flat values hold one pointer to a tuple in memory). */
int gale_cm_lift_values(gale_cm_cx_t *cx, uint32_t max_flat, const uint64_t *flat, uint32_t n_flat,
                        const gale_cm_type_t *const *ts, uint32_t n, gale_cm_val_t *out);
/* Lower values to flat: if more than max_flat, `spill` decides where the tuple
 * goes: if *spill_ptr != 0 it is the destination (out-pointer); otherwise it is
 * allocated with realloc and returned in *spill_ptr, and out[0] holds it. */
int gale_cm_lower_values(gale_cm_cx_t *cx, uint32_t max_flat, const gale_cm_val_t *vs,
                         const gale_cm_type_t *const *ts, uint32_t n, uint64_t *out,
                         uint32_t *n_out, uint32_t cap, uint32_t *spill_ptr);

/* Checks a guest range: [ptr, ptr+len) inside memory and ptr aligned. */
int gale_cm_check_range(gale_cm_cx_t *cx, uint32_t ptr, uint64_t len, uint32_t align,
                        const char *what);
/* Strict UTF-8 validation (no overlongs, no surrogates, <= U+10FFFF). Returns the
 * byte offset of the first invalid sequence, or -1 if valid. */
long gale_cm_utf8_invalid_at(const uint8_t *s, uint32_t len);

/* ------------------------------------------------------------------------- */
/* Worlds: what the host implements and what it expects the component to export */
/* ------------------------------------------------------------------------- */

#ifndef GALE_CM_MAX_INSTANCES
#define GALE_CM_MAX_INSTANCES 8 /* live component instances */
#endif
#ifndef GALE_CM_MAX_COMPONENTS
#define GALE_CM_MAX_COMPONENTS 8 /* loaded (linked) components */
#endif
#ifndef GALE_CM_MAX_IMPORTS
#define GALE_CM_MAX_IMPORTS 96 /* core imports per component */
#endif
#ifndef GALE_CM_MAX_HANDLES
#define GALE_CM_MAX_HANDLES 64 /* handle-table slots per instance (index 0 unused) */
#endif
#ifndef GALE_CM_MAX_TASKS
#define GALE_CM_MAX_TASKS 8 /* concurrent async export calls per instance */
#endif
#ifndef GALE_CM_MAX_SUBTASKS
#define GALE_CM_MAX_SUBTASKS 16 /* outstanding async-lowered host calls per instance */
#endif
#ifndef GALE_CM_MAX_SETS
#define GALE_CM_MAX_SETS 8 /* waitable sets per instance */
#endif
#ifndef GALE_CM_MAX_STREAMS
#define GALE_CM_MAX_STREAMS 8 /* stream/future objects (shared by both ends) per instance */
#endif
#ifndef GALE_CM_ARENA_BYTES
#define GALE_CM_ARENA_BYTES 8192 /* lifted-value scratch per instance (host calls) */
#endif
#ifndef GALE_CM_SUBTASK_ARENA_BYTES
#define GALE_CM_SUBTASK_ARENA_BYTES 512 /* result storage per outstanding subtask */
#endif
#ifndef GALE_CM_OFFLOAD_CTX_BYTES
#define GALE_CM_OFFLOAD_CTX_BYTES 256
#endif
/* meld's pulseengine:async streams are byte rings in the host (docs/cm.md). */
#ifndef GALE_CM_MELD_RINGS
#define GALE_CM_MELD_RINGS 8 /* live pulseengine:async streams (all instances) */
#endif
#ifndef GALE_CM_MELD_RING_BYTES
#define GALE_CM_MELD_RING_BYTES 1024 /* bytes buffered per pulseengine:async stream */
#endif
#define GALE_CM_MELD_FUTURE_MAX 16 /* largest pulseengine:async future value (bytes) */

/* Results of meld's pulseengine:async intrinsics (negative = error). */
enum gale_cm_meld_error {
    GALE_CM_MELD_CLOSED = -1,
    GALE_CM_MELD_INVALID_HANDLE = -2,
    GALE_CM_MELD_OOM = -3,
    GALE_CM_MELD_CANCELLED = -4,
    GALE_CM_MELD_PENDING = -5,
    GALE_CM_MELD_RUNTIME = -6,
};

typedef struct gale_cm_instance gale_cm_instance_t;
typedef struct gale_cm_component gale_cm_component_t;
typedef struct gale_cm_call gale_cm_call_t;

/* A host implementation of an imported function. Returns:
 *   0                 done; *result holds the value (if the function has one),
 *                     built in call->arena;
 *   GALE_CM_STARTED   (async-lowered calls only) the work continues after
 *                     gale_cm_call_offload(): the guest gets STARTED + a subtask;
 *   < 0               trap the component; call->err says why (set it with
 *                     gale_cm_err_set, or the code's name is used). */
#define GALE_CM_STARTED 1
typedef int (*gale_cm_host_fn)(gale_cm_call_t *call, void *env, const gale_cm_val_t *params, gale_cm_val_t *result);

typedef struct gale_cm_host_func {
    const char *iface; /* "ns:pkg/iface@1.0.0", or "$root" for world-level functions */
    const char *name;  /* "f", "[constructor]R", "[method]R.m", "[static]R.s" */
    gale_cm_functype_t type;
    gale_cm_host_fn fn;
    void *env;
} gale_cm_host_func_t;

/* A resource type the host implements; own/borrow types name it by its index in
 * gale_cm_world_t.resources. The destructor runs when the guest drops its own
 * handle (or when the instance is freed with handles still live). */
typedef struct gale_cm_resource_type {
    const char *iface;
    const char *name;
    void (*dtor)(gale_cm_instance_t *inst, void *env, uint32_t rep);
    void *env;
} gale_cm_resource_type_t;

/* A function the component must export (sync or async, by its type). */
typedef struct gale_cm_export_decl {
    const char *iface; /* "" for world-level */
    const char *name;
    gale_cm_functype_t type;
} gale_cm_export_decl_t;

typedef struct gale_cm_world {
    const char *name;
    const gale_cm_host_func_t *funcs;
    uint32_t n_funcs;
    const gale_cm_resource_type_t *resources;
    uint32_t n_resources;
    const gale_cm_export_decl_t *exports;
    uint32_t n_exports;
} gale_cm_world_t;

/* What a host function sees of the call. */
struct gale_cm_call {
    gale_cm_instance_t *inst;
    const gale_cm_host_func_t *func;
    bool async;             /* async-lowered: must not block (offload instead) */
    gale_cm_arena_t *arena; /* build result values here */
    gale_cm_err_t *err;
    uint32_t subtask;       /* set by gale_cm_call_offload */
};

/* Runs in a host worker thread on behalf of an async-lowered call; may block in
 * the kernel. Fills *result (in `arena`) and returns 0, or < 0 to trap the
 * component when the result is delivered. A guest's subtask.cancel aborts the
 * kernel wait it is blocked in (the wait returns GALE_ECANCELED; treat it like
 * a timeout and return: the result is then discarded). */
typedef int (*gale_cm_blocking_fn)(void *ctx, gale_cm_val_t *result, gale_cm_arena_t *arena);

/* From a host function of an async-lowered call: hand the rest of the work to a
 * worker (ctx is copied, up to GALE_CM_OFFLOAD_CTX_BYTES) and return its result:
 * GALE_CM_STARTED, or a negative error (no subtask slot / worker). */
int gale_cm_call_offload(gale_cm_call_t *call, gale_cm_blocking_fn fn, const void *ctx, size_t ctx_size);

/* Async-lowered calls that must wait, without a thread: the host function
 * returns gale_cm_call_pend(...) (GALE_CM_STARTED + a subtask) and the
 * instance's own thread finishes the call later by calling fn (never
 * concurrently; fn must not block):
 *   GALE_CM_PEND_ARM      hook w on the object(s) the call waits for
 *                         (gale_kernel_watch; w's function and argument are
 *                         set by the component host: do not change them).
 *                         0, or < 0 (the call fails with that error).
 *   GALE_CM_PEND_TRY      try once with GALE_NO_WAIT: 1 = done (*result built
 *                         in arena), 0 = would still block, < 0 error (traps
 *                         the component when delivered, as an offload job's).
 *   GALE_CM_PEND_TIMEOUT  the deadline passed and a last TRY still blocked:
 *                         build the timed-out result the sync path gives, 1;
 *                         or 0: go on waiting with no deadline (ARM/TRY as
 *                         before; e.g. a cv wait that timed out but must
 *                         take its mutex back before it reports).
 *   GALE_CM_PEND_DISARM   unhook w (gale_kernel_unwatch; fired or not).
 * Protocol (no lost wakeup): ARM, then TRY -- at once in gale_cm_call_pend,
 * and again each time the watch fires (a watch is one-shot: re-ARMed before
 * every TRY) or the deadline passes; ARM and TRY both take the kernel lock, so
 * a change after ARM fires the watch and a change before it is seen by TRY.
 * Threads blocked in the kernel on the object are served first; the retry is
 * level-triggered after them. subtask.cancel DISARMs and reports
 * CANCELLED_BEFORE_RETURNED without a TRY (the object is left untouched).
 * timeout: GALE_FOREVER, or a duration (a kernel timer on the instance's core
 * fires the TIMEOUT step). ctx is copied (up to GALE_CM_OFFLOAD_CTX_BYTES).
 * Works under the kernel-backed scheduling and under the executor
 * (gale_cm_exec_spawn): the wake is gale_cm_notify. */
struct gale_kernel_watch;
typedef enum gale_cm_pend_op {
    GALE_CM_PEND_ARM = 0,
    GALE_CM_PEND_TRY = 1,
    GALE_CM_PEND_TIMEOUT = 2,
    GALE_CM_PEND_DISARM = 3,
} gale_cm_pend_op_t;
typedef int (*gale_cm_pend_fn)(void *ctx, gale_cm_pend_op_t op, struct gale_kernel_watch *w, gale_cm_val_t *result,
                               gale_cm_arena_t *arena);
int gale_cm_call_pend(gale_cm_call_t *call, gale_cm_pend_fn fn, const void *ctx, size_t ctx_size,
                      int64_t timeout_ticks);
#define GALE_CM_PEND_FOREVER ((int64_t)-1) /* timeout_ticks: no deadline (gale_timeout_t ticks of GALE_FOREVER) */

/* Scheduling hooks: how an instance thread sleeps until an event and how
 * offloaded work runs. The kernel-backed default (worker thread pool + a
 * semaphore per instance) is used when NULL; tests may supply their own. */
typedef struct gale_cm_sched_ops {
    /* Block the instance's thread until gale_cm_notify or the deadline (0 = none). */
    void (*wait)(gale_cm_instance_t *inst, void *ctx);
    void (*notify)(gale_cm_instance_t *inst, void *ctx);
    /* Run job(arg) later, possibly blocking, outside the instance thread. */
    int (*offload)(void (*job)(void *arg), void *arg, void *ctx);
    void *ctx;
    /* Optional (subtask.cancel): stop the offloaded job with this arg early.
     * Returns 1 when it had not started (it will not run), 0 when the worker's
     * blocking kernel wait was aborted (the job sees GALE_ECANCELED and
     * returns), GALE_ENOENT when it is neither queued nor running (finished),
     * another negative code when it runs but does not wait right now. NULL:
     * subtask.cancel waits for the host work. */
    int (*cancel)(void *arg, void *ctx);
} gale_cm_sched_ops_t;

/* ------------------------------------------------------------------------- */
/* Components and instances                                                   */
/* ------------------------------------------------------------------------- */

struct gale_wasm_engine;
struct gale_wasm_config;

typedef struct gale_cm_load_opts {
    const struct gale_wasm_engine *engine; /* NULL: gale_wasm_interp */
    const struct gale_wasm_config *wasm_cfg; /* NULL: engine defaults */
    const gale_cm_sched_ops_t *sched;     /* NULL: kernel-backed default */
    /* Size in bytes of the value of every pulseengine:async future of this
     * component (meld's future_read/future_write carry no size): 1..16,
     * 0 = 4 (an i32-sized payload). */
    uint32_t meld_future_bytes;
} gale_cm_load_opts_t;

/* Loads a fused core module or a component binary wrapping one core module and
 * links every import against `world` (by name and core signature) and the
 * canonical built-ins. Errors name the import ("import 2 \"a:b/c\" \"f\": ..."). */
int gale_cm_component_load(const gale_cm_load_opts_t *opts, const uint8_t *bytes, size_t len,
                           const gale_cm_world_t *world, gale_cm_component_t **out, gale_cm_err_t *err);
void gale_cm_component_free(gale_cm_component_t *c);

/* Instantiates and runs _initialize. host_ctx is for the host functions
 * (gale_cm_instance_host_ctx). Fuel: UINT64_MAX = unmetered. */
int gale_cm_instantiate(gale_cm_component_t *c, void *host_ctx, uint64_t fuel, gale_cm_instance_t **out,
                        gale_cm_err_t *err);
/* Drops every live handle (running host destructors) and frees the instance. */
void gale_cm_instance_free(gale_cm_instance_t *inst);
void *gale_cm_instance_host_ctx(gale_cm_instance_t *inst);
const char *gale_cm_instance_name(gale_cm_instance_t *inst);
void gale_cm_instance_set_name(gale_cm_instance_t *inst, const char *name);
gale_cm_table_t *gale_cm_instance_table(gale_cm_instance_t *inst);

/* Trap report of the last failed call: reason, export, instruction offset. */
typedef struct gale_cm_trap_info {
    bool trapped;
    char export_name[96];
    uint32_t func_index;
    uint32_t code_offset;
    char reason[192];
} gale_cm_trap_info_t;
const gale_cm_trap_info_t *gale_cm_instance_trap(gale_cm_instance_t *inst);

/* Calls export `name` of `iface` ("" = world level), declared in the world.
 * Sync exports: lower params, call, lift the result into `arena`, post-return.
 * Async (callback-lifted) exports: start a task and drive it (entry, then
 * callbacks on events; blocking the thread only while every task waits) until
 * it has returned (task.return) and exited. Returns 0 or a negative error
 * (GALE_ETRAP: see gale_cm_instance_trap). */
int gale_cm_call_export(gale_cm_instance_t *inst, const char *iface, const char *name, const gale_cm_val_t *params,
                        uint32_t n_params, gale_cm_val_t *result, gale_cm_arena_t *arena, gale_cm_err_t *err);

/* Async tasks, for embeddings that run several at once: start (runs the entry),
 * then gale_cm_run_tasks() until none is left. */
int gale_cm_task_start(gale_cm_instance_t *inst, const char *iface, const char *name, const gale_cm_val_t *params,
                       uint32_t n_params, gale_cm_err_t *err);
/* Runs ready callbacks; blocks (sched wait) while all tasks wait. Returns when
 * no task is left (0), or on a trap (GALE_ETRAP). */
int gale_cm_run_tasks(gale_cm_instance_t *inst, gale_cm_err_t *err);
/* Bounded poll: every entry / callback of an async task (and every sync export
 * call) gets `fuel` units (about one per instruction); running out traps the
 * instance ("fuel budget of N per call exhausted"). 0 turns it off. */
void gale_cm_instance_set_call_fuel(gale_cm_instance_t *inst, uint64_t fuel);

/* Like gale_cm_run_tasks but never blocks: 0 when no task is left,
 * GALE_EAGAIN while tasks wait for events, < 0 on a trap. */
int gale_cm_poll_tasks(gale_cm_instance_t *inst, gale_cm_err_t *err);
/* Wakes the instance thread (events from other threads / ISRs), and calls the
 * notify hook (e.g. an executor wake). */
void gale_cm_notify(gale_cm_instance_t *inst);
void gale_cm_instance_set_notify(gale_cm_instance_t *inst, void (*fn)(gale_cm_instance_t *, void *), void *arg);

/* Async instances driven by an executor (gale/exec.h): one executor task per
 * export call; the thread running the executor serves every instance whose
 * task is spawned on it, and polls a task again when an event for it arrives
 * (host worker completion, stream copy, ...). */
struct gale_exec;
typedef struct gale_cm_exec_task {
    union {
        uint64_t align;
        void *p;
        uint8_t bytes[64];
    } task_storage; /* the gale_exec_task_t */
    struct gale_exec *exec;
    gale_cm_instance_t *inst;
    const char *iface, *name;
    const gale_cm_val_t *params;
    uint32_t n_params;
    bool started, done;
    int status; /* 0 when the task returned, < 0 on a trap (see gale_cm_instance_trap) */
    gale_cm_err_t err;
} gale_cm_exec_task_t;
int gale_cm_exec_spawn(struct gale_exec *exec, gale_cm_exec_task_t *t, gale_cm_instance_t *inst, const char *iface,
                       const char *name, const gale_cm_val_t *params, uint32_t n_params);

/* ---- Stream / future ends held by the host ------------------------------
 * A stream<T>/future<T> in a lifted value (host-call parameter, export
 * result) moves the guest's readable end out of its handle table: the value's
 * u.handle is then a host-held end id. Lowering such a value (export
 * parameter, host-call result) moves the end into the guest's table. Only
 * readable ends move (the spec's rule); the host creates streams with both
 * ends host-held, passes the readable one to a guest and writes into the
 * other. Reads and writes are rendezvous copies with the peer's parked op:
 * values are lifted from the writer's memory and lowered into the reader's
 * (strings/lists allocated with the reader's cabi_realloc, on the reader
 * instance's thread). A guest-to-guest stream passed through the host (lift
 * from one instance, lower into another) copies between the two memories. */
typedef void (*gale_cm_end_notify_fn)(uint32_t end, void *arg);

/* New stream or future (type: a GALE_CM_STREAM / GALE_CM_FUTURE type, kept by
 * the caller) with both ends held by the host. */
int gale_cm_stream_new(const gale_cm_type_t *type, uint32_t *readable, uint32_t *writable);
/* Starts a read of up to n values into out[] (strings/lists in arena) or a
 * write of vals[0..n) (futures: n = 1). out/vals/arena must stay valid until
 * the op completes. Returns the packed result (COPY_* | count << 4 for streams,
 * COPY_* for futures) when it completed at once, GALE_EAGAIN when it waits for
 * the peer (then fn(end, arg) is called once on completion, from the thread
 * that completes it; get the result with gale_cm_end_result), or GALE_EINVAL (not a host-held end
 * of that direction), GALE_EBUSY (an op is in flight), GALE_ETRAP (a value
 * could not be copied: err says why). */
int gale_cm_end_read(uint32_t end, gale_cm_val_t *out, uint32_t n, gale_cm_arena_t *arena,
                     gale_cm_end_notify_fn fn, void *arg, gale_cm_err_t *err);
int gale_cm_end_write(uint32_t end, const gale_cm_val_t *vals, uint32_t n, gale_cm_end_notify_fn fn, void *arg,
                      gale_cm_err_t *err);
/* The packed result of the last op once it completed (0), GALE_EAGAIN while
 * it waits, GALE_EINVAL if there is none. */
int gale_cm_end_result(uint32_t end, uint32_t *packed);
/* Cancels a waiting op: *packed = COPY_CANCELLED | count << 4 (or the result
 * if it completed meanwhile). */
int gale_cm_end_cancel(uint32_t end, uint32_t *packed);
/* Drops a host-held end (GALE_EBUSY while an op is in flight): the peer sees
 * DROPPED; both ends dropped frees the stream. */
int gale_cm_end_drop(uint32_t end);
/* Live stream/future objects (all instances and the host): for leak checks. */
uint32_t gale_cm_stream_count(void);

/* Statistics for reports and benchmarks. */
typedef struct gale_cm_stats {
    uint64_t host_calls, async_host_calls, subtasks_started, events_delivered, callbacks, waits;
} gale_cm_stats_t;
const gale_cm_stats_t *gale_cm_instance_stats(gale_cm_instance_t *inst);

/* ------------------------------------------------------------------------- */
/* Kernel-backed scheduling and instance-per-thread spawn                     */
/* ------------------------------------------------------------------------- */

#ifndef GALE_CM_WORKERS
#define GALE_CM_WORKERS 4 /* host worker threads serving offloaded async-lowered calls (gale_cm_call_offload);
                            0: no pool (GALE_MINIMAL), gale_cm_call_offload then fails with GALE_ENOSYS */
#endif
#ifndef GALE_CM_MAX_SYSTEMS
#define GALE_CM_MAX_SYSTEMS 8
#endif

/* Creates the host worker threads (after gale_kernel_init, before the kernel
 * runs or from a thread). Call once per kernel run; gale_cm_spawn needs it.
 * The workers serve gale_cm_call_offload only (in src/host: async cv waits);
 * waits on kernel objects use gale_cm_call_pend and need no worker. */
int gale_cm_kernel_init(int worker_prio);

typedef struct gale_cm_system gale_cm_system_t;

typedef enum gale_cm_sys_report {
    GALE_CM_REPORT_STARTED = 0, /* instantiated and initialised */
    GALE_CM_REPORT_EXITED,      /* entry export returned */
    GALE_CM_REPORT_TRAP,        /* trapped: msg has export, offset, reason */
    GALE_CM_REPORT_RESTART,     /* restarting after the back-off */
    GALE_CM_REPORT_STOPPED,     /* trapped and not restarted */
    GALE_CM_REPORT_ESCALATE,    /* trapped with the escalate policy */
} gale_cm_sys_report_t;

typedef struct gale_cm_spawn_cfg {
    const char *name;
    gale_cm_component_t *component; /* memory budget: its wasm config's memory_cap_bytes */
    void *host_ctx;                 /* per-system context for host functions (grants) */
    const char *entry_iface;        /* "" for world-level */
    const char *entry_name;         /* e.g. "run" (sync: thread body; async: driven by the thread) */
    int prio;
    void *stack;
    size_t stack_size;
    uint32_t cpu_mask;              /* 0: the caller's core */
    uint64_t fuel;                  /* per run; UINT64_MAX = unmetered */
    uint64_t fuel_per_call;         /* bounded poll: per entry/callback call (0 = off) */
    int restart_policy;             /* gale_cm_restart_policy_t */
    uint32_t max_restarts, backoff_base_ms, backoff_max_ms;
    void (*report)(gale_cm_system_t *sys, gale_cm_sys_report_t what, const char *msg, void *user);
    void *user;
} gale_cm_spawn_cfg_t;

/* Creates the system's thread (started at once). Errors name the bad field. */
int gale_cm_spawn(const gale_cm_spawn_cfg_t *cfg, gale_cm_system_t **out, gale_cm_err_t *err);
/* Life-cycle state (gale_cm_sys_state_t), restarts so far, the last trap. */
int gale_cm_system_state(const gale_cm_system_t *sys);
uint32_t gale_cm_system_restarts(const gale_cm_system_t *sys);
const gale_cm_trap_info_t *gale_cm_system_last_trap(const gale_cm_system_t *sys);
const char *gale_cm_system_name(const gale_cm_system_t *sys);
/* Waits for the system's thread to end (EXITED, STOPPED or ESCALATED). */
int gale_cm_system_join(gale_cm_system_t *sys, int64_t timeout_ms);
/* Frees the slot of an ended system. */
int gale_cm_system_release(gale_cm_system_t *sys);

/* ------------------------------------------------------------------------- */
/* Spawn bookkeeping (pure decision functions, proven in proofs/cm)           */
/* ------------------------------------------------------------------------- */

typedef enum gale_cm_restart_policy {
    GALE_CM_RESTART_NONE = 0,     /* a trap stops the system */
    GALE_CM_RESTART_BACKOFF = 1,  /* restart after a back-off delay, up to max_restarts */
    GALE_CM_RESTART_ESCALATE = 2, /* a trap is reported to the embedding (escalation hook) */
} gale_cm_restart_policy_t;

typedef enum gale_cm_sys_state {
    GALE_CM_SYS_FREE = 0,
    GALE_CM_SYS_STARTING, /* thread created, instantiating */
    GALE_CM_SYS_RUNNING,
    GALE_CM_SYS_BACKOFF,  /* trapped, waiting to restart */
    GALE_CM_SYS_EXITED,   /* entry returned normally */
    GALE_CM_SYS_STOPPED,  /* trapped, no restart */
    GALE_CM_SYS_ESCALATED,
} gale_cm_sys_state_t;

typedef enum gale_cm_sys_event {
    GALE_CM_EV_SPAWN = 0,
    GALE_CM_EV_STARTED, /* instantiated and initialised */
    GALE_CM_EV_EXIT,    /* entry returned */
    GALE_CM_EV_TRAP,
    GALE_CM_EV_BACKOFF_DONE,
    GALE_CM_EV_RELEASE, /* slot freed by the embedding */
} gale_cm_sys_event_t;

typedef enum gale_cm_restart_decision {
    GALE_CM_DECIDE_STOP = 0,
    GALE_CM_DECIDE_RESTART = 1,
    GALE_CM_DECIDE_ESCALATE = 2,
} gale_cm_restart_decision_t;

/* What happens after a trap given the policy and restarts done so far; the delay
 * (ms) is base << restarts_done, capped at max_ms (no overflow). */
int gale_cm_restart_decide(int policy, uint32_t restarts_done, uint32_t max_restarts,
                           uint32_t base_ms, uint32_t max_ms, uint32_t *delay_ms);
/* The next state for (state, event, decision), or -1 if the event is not allowed. */
int gale_cm_sys_next(int state, int event, int decision);
/* Lowest free system slot in states[0..n), or -1. */
int gale_cm_sys_slot_find(const uint8_t *states, int n);

#ifdef __cplusplus
}
#endif
#endif /* GALE_CM_H */
