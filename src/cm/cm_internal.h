/* Internal state of the component host (src/cm only). */
#ifndef GALE_CM_INTERNAL_H
#define GALE_CM_INTERNAL_H

#include "gale/cm.h"
#include "gale/kernel.h"
#include "gale/wasm.h"

#ifndef GALE_CM_MAX_EXPORTS
#define GALE_CM_MAX_EXPORTS 16 /* world exports bound per component */
#endif
#ifndef GALE_CM_MAX_GUEST_RESOURCES
#define GALE_CM_MAX_GUEST_RESOURCES 8 /* resources exported (implemented) by the guest */
#endif
#define GALE_CM_GUEST_RES_BASE 0x8000u /* resource ids of guest-implemented resources */

enum cm_bind_kind { CM_B_HOST = 1, CM_B_BUILTIN = 2, CM_B_MELD = 3 /* pulseengine:async intrinsic */ };

typedef struct cm_binding {
    uint8_t kind;
    uint8_t builtin;          /* gale_cm_builtin_t */
    bool async;               /* async-lowered host function */
    bool cancellable;
    bool numeric_task_return; /* meld [task-return]<N> */
    uint32_t n;               /* context slot */
    int32_t export_idx;       /* task.return: the world export, -1 = the running task's */
    uint32_t resource;        /* resource built-ins: resource id */
    const gale_cm_host_func_t *hf;
    const gale_cm_type_t *stream_elem; /* stream/future built-ins: payload type (NULL: unit/unknown) */
    bool stream_typed;                 /* the K-th stream/future of the function was found */
    gale_cm_coresig_t sig;
    uint32_t import_index;
    char label[112]; /* "module" "field" for messages */
    struct gale_cm_component *comp;
} cm_binding_t;

typedef struct cm_export {
    bool present;
    bool async;
    const gale_cm_export_decl_t *decl;
    char entry[128], callback[128], post[128];
} cm_export_t;

struct gale_cm_component {
    bool used;
    const gale_wasm_engine_t *eng;
    gale_wasm_config_t wcfg;
    gale_wasm_module_t *mod;
    const gale_cm_world_t *world;
    gale_cm_sched_ops_t sched;
    bool default_sched;
    uint32_t meld_future_bytes; /* pulseengine:async future value size */
    uint32_t n_imports;
    cm_binding_t bind[GALE_CM_MAX_IMPORTS];
    gale_wasm_func_t *hostfn[GALE_CM_MAX_IMPORTS];
    cm_export_t exp[GALE_CM_MAX_EXPORTS];
    uint32_t n_exports;
    /* guest-implemented resources ([export]iface [resource-new]R ...) */
    uint32_t n_guest_res;
    struct {
        char iface[80];
        char name[48];
        char dtor[160];
    } guest_res[GALE_CM_MAX_GUEST_RESOURCES];
};

enum cm_task_state { CM_T_FREE = 0, CM_T_STARTING, CM_T_RUNNING, CM_T_EXITED };

typedef struct cm_task {
    uint8_t state;
    uint8_t code;       /* last callback code */
    bool resolved;      /* task.return / task.cancel happened */
    bool cancel_requested, cancel_delivered;
    uint32_t id;
    uint32_t wait_set;  /* handle of the set for WAIT / POLL */
    uint32_t ctx[2];    /* context.get/set slots */
    uint32_t borrows;   /* borrow handles it holds */
    int32_t exp;        /* export index */
    gale_wasm_func_t *entry, *callback;
    gale_cm_val_t params[GALE_CM_MAX_FLAT_PARAMS];
    uint32_t n_params;
    gale_cm_val_t *result_out;
    gale_cm_arena_t *result_arena;
    bool result_set;
} cm_task_t;

/* CM_S_STARTED: offloaded to a worker; CM_S_PENDED: gale_cm_call_pend (the
 * instance thread retries it when its watch or deadline fires). */
enum cm_sub_state { CM_S_FREE = 0, CM_S_STARTED, CM_S_DONE_HOST, CM_S_RETURNED, CM_S_PENDED };

typedef struct cm_subtask {
    volatile uint8_t state;
    bool event_pending;    /* a SUBTASK event waits to be delivered */
    bool resolve_delivered;
    bool cancelled;        /* subtask.cancel stopped the host work: no result */
    uint32_t handle;
    gale_cm_instance_t *inst;
    const gale_cm_host_func_t *hf;
    gale_cm_blocking_fn fn;
    gale_cm_pend_fn pend;         /* CM_S_PENDED */
    gale_kernel_watch_t watch;    /* hooked by pend(ARM); fires -> CM_PEND_NOTIFIED */
    gale_timer_t deadline;        /* finite timeouts; expiry -> CM_PEND_TIMED_OUT */
    volatile uint8_t pend_flags;  /* under the kernel lock */
    _Alignas(8) uint8_t ctx[GALE_CM_OFFLOAD_CTX_BYTES];
    int job_rc;
    uint32_t out_ptr;
    uint32_t lent[4];
    uint32_t n_lent;
    gale_cm_val_t result;
    gale_cm_arena_t arena;
    _Alignas(8) uint8_t arena_buf[GALE_CM_SUBTASK_ARENA_BYTES];
    char err[96];
} cm_subtask_t;

typedef struct cm_wset {
    bool used;
    uint32_t handle;
    uint32_t waiters;
} cm_wset_t;

/* A stream or future: shared object for both ends (same instance or two). */
enum cm_end_state { CM_E_IDLE = 0, CM_E_COPYING, CM_E_DONE };
typedef struct cm_stream {
    bool used, is_future;
    const gale_cm_type_t *elem; /* payload type (NULL = unit) */
    uint32_t elem_size, elem_align;
    struct cm_end {
        gale_cm_instance_t *inst; /* owner of this end (NULL: host-held or dropped) */
        uint32_t handle;
        uint8_t state;
        bool dropped;
        uint32_t ptr, n, done; /* pending copy: buffer, requested, copied so far */
        bool event_pending;
        uint32_t event_payload;
        /* pulseengine:async: the last op returned Pending / a partial write
         * (an event fires when the peer acts); a cancel makes the next op
         * report Cancelled once. */
        bool armed, cancelled;
        /* held by the host (gale_cm_end_*): its parked op and notification */
        bool host;
        const gale_cm_val_t *hvals; /* write: values */
        gale_cm_val_t *hout;        /* read: destination */
        gale_cm_arena_t *harena;    /* read: strings/lists of the values */
        gale_cm_end_notify_fn hfn;
        void *harg;
    } end[2]; /* 0 = readable, 1 = writable */
    bool typed;    /* elem known (created by a typed built-in or the host) */
    bool copying;  /* a copy between the two parked ops is running */
    /* meld's pulseengine:async streams/futures: a byte ring (streams) or a
     * value slot (futures) in the host. */
    bool meld;
    bool resolved;        /* future value written */
    int16_t ring;         /* ring index (streams), -1 none */
    uint32_t head, count; /* ring: first byte, bytes buffered */
    uint32_t fsize;       /* future value size */
    uint8_t fval[GALE_CM_MELD_FUTURE_MAX];
} cm_stream_t;

#define CM_N_STREAMS (GALE_CM_MAX_INSTANCES * GALE_CM_MAX_STREAMS)
extern cm_stream_t cm_g_streams[CM_N_STREAMS];

struct gale_cm_instance {
    bool used;
    bool poisoned;
    bool may_leave;
    bool in_sync_export;
    uint16_t backpressure;
    gale_cm_component_t *comp;
    gale_wasm_instance_t *wi;
    gale_wasm_memory_t *mem;
    gale_wasm_func_t *realloc_fn;
    void *host_ctx;
    const char *name;
    gale_cm_table_t table;
    gale_cm_handle_t slots[GALE_CM_MAX_HANDLES];
    cm_task_t tasks[GALE_CM_MAX_TASKS];
    uint32_t next_task_id;
    cm_task_t *current;      /* task whose core code is running (NULL: sync) */
    uint32_t sync_ctx[2];    /* context slots of sync (non-task) calls */
    cm_subtask_t subtasks[GALE_CM_MAX_SUBTASKS];
    cm_wset_t sets[GALE_CM_MAX_SETS];
    gale_cm_trap_info_t trap;
    gale_cm_stats_t stats;
    const char *running_export;
    gale_cm_arena_t arena;
    _Alignas(16) uint8_t arena_buf[GALE_CM_ARENA_BYTES];
    volatile uint32_t notify_seq;
    uint64_t call_fuel; /* per entry/callback/export call (0 = off) */
    void (*notify_fn)(gale_cm_instance_t *, void *);
    void *notify_arg;
    gale_sem_t wake; /* kernel-backed sched: the instance thread sleeps here */
};

/* cm_types.c: string equality (not newlib's 0.7 KiB strcmp) */
bool cm_streq(const char *a, const char *b);

/* cm_instance.c. GALE_CONFIG_DIAG=0: the trap reason is "trap" (no formatting). */
#if GALE_CONFIG_DIAG
int cm_trap(gale_cm_instance_t *inst, gale_wasm_trap_t *trap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
#else
int cm_trap_msg(gale_cm_instance_t *inst, gale_wasm_trap_t *trap, const char *msg);
static inline __attribute__((format(printf, 3, 4))) int cm_trap(gale_cm_instance_t *inst, gale_wasm_trap_t *trap,
                                                                const char *fmt, ...)
{
    (void)fmt;
    return cm_trap_msg(inst, trap, "trap");
}
#endif
void cm_cx_init(gale_cm_instance_t *inst, gale_cm_cx_t *cx, gale_cm_arena_t *arena, gale_cm_err_t *err,
                const char *what);
int cm_guest_call(gale_cm_instance_t *inst, gale_wasm_func_t *f, const gale_wasm_val_t *args, uint32_t n,
                  gale_wasm_val_t *res, uint32_t nr, const char *what, gale_cm_err_t *err);
int cm_builtin_call(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                    gale_wasm_val_t *results, gale_wasm_trap_t *trap);
int cm_builtin_check(cm_binding_t *b, const gale_wasm_functype_t *ft, gale_cm_err_t *err);
/* Finds a pending event in set `set` (handle); materialises finished subtasks. */
int cm_find_event(gale_cm_instance_t *inst, uint32_t set, uint32_t *code, uint32_t *p1, uint32_t *p2,
                  gale_cm_err_t *err);
void cm_sched_wait(gale_cm_instance_t *inst);
/* Pended calls (gale_cm_call_pend), on the instance thread: retry those whose
 * watch or deadline fired; cancel one (DISARM; no result). */
void cm_pend_progress(gale_cm_instance_t *inst);
void cm_pend_cancel(cm_subtask_t *st);
/* Releases a stream/future end held in handle slot `idx` (instance freed or
 * end transferred away): the peer sees it dropped. */
void cm_stream_end_release(gale_cm_instance_t *inst, uint32_t idx);

/* cm_stream.c: canonical streams/futures */
/* Claims a free stream/future slot (kernel lock held by the caller): zeroed,
 * in use, no meld ring. NULL when every slot is in use. */
cm_stream_t *cm_stream_claim(bool is_future);
int cm_stream_builtin(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                      gale_wasm_val_t *results, gale_wasm_trap_t *trap);
/* The event of stream/future end handle `idx` (tag h) if one is pending
 * (copies first when this instance is the reader): 1, 0 none, < 0 trap. */
int cm_stream_event(gale_cm_instance_t *inst, uint32_t idx, gale_cm_handle_t *h, uint32_t *code, uint32_t *p2,
                    gale_cm_err_t *err);
/* Transfer of readable ends across the boundary (handle hooks). */
int cm_end_lift(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t handle, uint32_t *host_end);
int cm_end_lower(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t host_end, uint32_t *handle);

/* cm_meld.c: meld's pulseengine:async intrinsics */
int cm_meld_call(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                 gale_wasm_val_t *results, gale_wasm_trap_t *trap);
/* An armed pulseengine:async end that is ready: its event (code, payload). */
bool cm_meld_ready(cm_stream_t *s, int end, uint32_t *code, uint32_t *p2);
void cm_meld_free(cm_stream_t *s);
int cm_export_is_async(gale_cm_instance_t *inst, const char *iface, const char *name);

/* cm_kernel.c (kernel-backed default scheduling) */
extern const gale_cm_sched_ops_t *gale_cm_default_sched;

#endif
