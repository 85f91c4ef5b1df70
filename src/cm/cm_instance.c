/* Components and instances: load + link against a world, instantiate, host
 * calls (sync and async lowered), export calls (sync lift, async callback lift)
 * and the task driver. The engine is used only through gale_wasm_engine_t. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cm_internal.h"

static gale_cm_component_t g_components[GALE_CM_MAX_COMPONENTS];
static gale_cm_instance_t g_instances[GALE_CM_MAX_INSTANCES];



static const char *trap_reason(gale_wasm_trap_code_t code)
{
    return gale_wasm_trap_reason(code);
}

/* ------------------------------------------------------------------------- */
/* helpers                                                                    */
/* ------------------------------------------------------------------------- */

static void sig_str(char *buf, size_t cap, const uint8_t *types, uint32_t np, uint32_t nr)
{
    size_t k = 0;
    k += (size_t)snprintf(buf + k, cap - k, "(");
    for (uint32_t i = 0; i < np + nr && k < cap; i++) {
        const char *t = types[i] == 0x7f ? "i32" : types[i] == 0x7e ? "i64" : types[i] == 0x7d ? "f32"
                                                 : types[i] == 0x7c ? "f64" : "?";
        if (i == np && k < cap)
            k += (size_t)snprintf(buf + k, cap - k, ") -> (");
        if (k < cap)
            k += (size_t)snprintf(buf + k, cap - k, "%s%s", (i == 0 || i == np) ? "" : " ", t);
    }
    if (np + nr == 0 || nr == 0) {
        if (k < cap)
            k += (size_t)snprintf(buf + k, cap - k, ") -> (");
    }
    if (k < cap)
        snprintf(buf + k, cap - k, ")");
}

static bool sig_eq(const gale_cm_coresig_t *s, const gale_wasm_functype_t *ft)
{
    if (s->n_params != ft->n_params || s->n_results != ft->n_results)
        return false;
    return memcmp(s->types, ft->types, (size_t)s->n_params + s->n_results) == 0;
}

/* iface equality: exact, or equal up to the @version suffix */
static bool iface_eq(const char *a, size_t al, const char *b)
{
    size_t bl = strlen(b);
    if (al == bl && memcmp(a, b, al) == 0)
        return true;
    const char *av = memchr(a, '@', al), *bv = strchr(b, '@');
    size_t an = av ? (size_t)(av - a) : al, bn = bv ? (size_t)(bv - b) : bl;
    return an == bn && memcmp(a, b, an) == 0;
}

static bool str_eq(gale_cm_str_t s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

static uint64_t val_to_u64(gale_wasm_val_t v, uint8_t t)
{
    switch (t) {
    case GALE_CM_CORE_I32: return v.i32;
    case GALE_CM_CORE_F32: return v.f32_bits;
    case GALE_CM_CORE_F64: return v.f64_bits;
    default: return v.i64;
    }
}

static gale_wasm_val_t u64_to_val(uint64_t x, uint8_t t)
{
    gale_wasm_val_t v;
    memset(&v, 0, sizeof v);
    switch (t) {
    case GALE_CM_CORE_I32: v.i32 = (uint32_t)x; break;
    case GALE_CM_CORE_F32: v.f32_bits = (uint32_t)x; break;
    case GALE_CM_CORE_F64: v.f64_bits = x; break;
    default: v.i64 = x; break;
    }
    return v;
}

static void cm_strcpy(char *d, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(d, s, n);
    d[n] = 0;
}

#if GALE_CONFIG_DIAG
int cm_trap(gale_cm_instance_t *inst, gale_wasm_trap_t *trap, const char *fmt, ...)
{
    char msg[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
#else
int cm_trap_msg(gale_cm_instance_t *inst, gale_wasm_trap_t *trap, const char *msg)
{
#endif
    if (trap)
        cm_strcpy(trap->message, sizeof trap->message, msg);
    if (inst && !inst->trap.trapped) {
        cm_strcpy(inst->trap.reason, sizeof inst->trap.reason, msg);
    }
    return GALE_ETRAP;
}

/* ------------------------------------------------------------------------- */
/* guest memory context                                                       */
/* ------------------------------------------------------------------------- */

static void refresh_mem(gale_cm_instance_t *inst, gale_cm_cx_t *cx)
{
    if (inst->mem) {
        uint64_t sz = 0;
        cx->mem = inst->comp->eng->memory_data(inst->mem, &sz);
        cx->mem_size = sz;
    } else {
        cx->mem = NULL;
        cx->mem_size = 0;
    }
}

static int cx_realloc(gale_cm_cx_t *cx, uint32_t old_ptr, uint32_t old_size, uint32_t align, uint32_t new_size,
                      uint32_t *out)
{
    gale_cm_instance_t *inst = cx->user;
    if (!inst->realloc_fn)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s%sthe component exports no cabi_realloc",
                               cx->what ? cx->what : "", cx->what ? ": " : "");
    gale_wasm_val_t a[4], r[1];
    a[0].i32 = old_ptr, a[1].i32 = old_size, a[2].i32 = align, a[3].i32 = new_size;
    bool ml = inst->may_leave;
    inst->may_leave = false;
    int rc = cm_guest_call(inst, inst->realloc_fn, a, 4, r, 1, "cabi_realloc", cx->err);
    inst->may_leave = ml;
    refresh_mem(inst, cx);
    if (rc)
        return rc;
    *out = r[0].i32;
    return 0;
}

/* handle hooks over the instance table */
static int h_lift_own(gale_cm_cx_t *cx, uint32_t rtype, uint32_t handle, uint32_t *rep)
{
    gale_cm_handle_t *h = gale_cm_table_get_tag(cx->table, handle, GALE_CM_H_OWN, cx->what, cx->err);
    if (!h)
        return GALE_ETRAP;
    if (h->type != rtype)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: own handle %u has resource type %u, expected %u",
                               cx->what ? cx->what : "own", (unsigned)handle, (unsigned)h->type, (unsigned)rtype);
    if (h->lends)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: own handle %u is lent to %u pending call(s)",
                               cx->what ? cx->what : "own", (unsigned)handle, (unsigned)h->lends);
    *rep = h->rep;
    gale_cm_table_remove(cx->table, handle);
    return 0;
}

typedef struct cm_lift_user {
    gale_cm_instance_t *inst;
    uint32_t borrowed[4];
    uint32_t n_borrowed;
} cm_lift_user_t;

static int h_lift_borrow(gale_cm_cx_t *cx, uint32_t rtype, uint32_t handle, uint32_t *rep)
{
    gale_cm_handle_t *h = gale_cm_table_get(cx->table, handle);
    if (!h || (h->tag != GALE_CM_H_OWN && h->tag != GALE_CM_H_BORROW))
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle %u is not a live resource handle (%s)",
                               cx->what ? cx->what : "borrow", (unsigned)handle,
                               h ? gale_cm_handle_tag_name(h->tag) : "free or out of range");
    if (h->type != rtype)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle %u has resource type %u, expected %u",
                               cx->what ? cx->what : "borrow", (unsigned)handle, (unsigned)h->type, (unsigned)rtype);
    *rep = h->rep;
    return 0;
}

static int h_lower_own(gale_cm_cx_t *cx, uint32_t rtype, uint32_t rep, uint32_t *handle)
{
    gale_cm_handle_t h = {.tag = GALE_CM_H_OWN, .type = (uint16_t)rtype, .rep = rep};
    uint32_t i = gale_cm_table_add(cx->table, &h);
    if (!i)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle table full (%u slots)", cx->what ? cx->what : "own",
                               (unsigned)cx->table->cap);
    *handle = i;
    return 0;
}

static int h_lower_borrow(gale_cm_cx_t *cx, uint32_t rtype, uint32_t rep, uint32_t *handle)
{
    gale_cm_handle_t h = {.tag = GALE_CM_H_BORROW, .type = (uint16_t)rtype, .rep = rep};
    uint32_t i = gale_cm_table_add(cx->table, &h);
    if (!i)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle table full", cx->what ? cx->what : "borrow");
    *handle = i;
    return 0;
}

#if GALE_CONFIG_CM_STREAMS
static const gale_cm_handle_ops_t g_hops = {h_lift_own, h_lift_borrow, h_lower_own, h_lower_borrow, cm_end_lift,
                                            cm_end_lower};
#else
/* no streams (GALE_CONFIG_CM_STREAMS=0): no function with a stream/future
 * type links, so no end is ever lifted or lowered */
static const gale_cm_handle_ops_t g_hops = {h_lift_own, h_lift_borrow, h_lower_own, h_lower_borrow, NULL, NULL};
#endif

void cm_cx_init(gale_cm_instance_t *inst, gale_cm_cx_t *cx, gale_cm_arena_t *arena, gale_cm_err_t *err,
                const char *what)
{
    memset(cx, 0, sizeof *cx);
    refresh_mem(inst, cx);
    cx->realloc = cx_realloc;
    cx->user = inst;
    cx->arena = arena;
    cx->hops = &g_hops;
    cx->table = &inst->table;
    cx->err = err;
    cx->what = what;
}

void gale_cm_instance_set_call_fuel(gale_cm_instance_t *inst, uint64_t fuel)
{
    inst->call_fuel = fuel;
}

/* Top-level guest calls (entry, callback, export) start with the per-call
 * budget when one is set. */
static int cm_guest_call_budgeted(gale_cm_instance_t *inst, gale_wasm_func_t *f, const gale_wasm_val_t *args, uint32_t n,
                                  gale_wasm_val_t *res, uint32_t nr, const char *what, gale_cm_err_t *err)
{
    if (inst->call_fuel)
        inst->comp->eng->set_fuel(inst->wi, inst->call_fuel);
    return cm_guest_call(inst, f, args, n, res, nr, what, err);
}

int cm_guest_call(gale_cm_instance_t *inst, gale_wasm_func_t *f, const gale_wasm_val_t *args, uint32_t n,
                  gale_wasm_val_t *res, uint32_t nr, const char *what, gale_cm_err_t *err)
{
    gale_wasm_trap_t trap;
    memset(&trap, 0, sizeof trap);
    const gale_wasm_engine_t *eng = inst->comp->eng;
    int rc = eng->call(inst->wi, f, args, n, res, nr, &trap);
    if (rc == GALE_EFUEL || (rc == GALE_ETRAP && trap.code == GALE_TRAP_OUT_OF_FUEL)) {
        if (rc == GALE_EFUEL)
            eng->abort(inst->wi);
        trap.code = GALE_TRAP_OUT_OF_FUEL;
        if (inst->call_fuel)
            snprintf(trap.message, sizeof trap.message, "fuel budget of %llu per call exhausted",
                     (unsigned long long)inst->call_fuel);
        else
            cm_strcpy(trap.message, sizeof trap.message, "fuel budget exhausted");
        rc = GALE_ETRAP;
    }
    if (rc == 0)
        return 0;
    if (rc == GALE_ETRAP) {
        if (!inst->trap.trapped) {
            inst->trap.trapped = true;
            snprintf(inst->trap.export_name, sizeof inst->trap.export_name, "%s",
                     inst->running_export ? inst->running_export : (what ? what : "?"));
            inst->trap.func_index = trap.func_index;
            inst->trap.code_offset = trap.code_offset;
            if (!inst->trap.reason[0])
                snprintf(inst->trap.reason, sizeof inst->trap.reason, "%s",
                         trap.message[0] ? trap.message : trap_reason(trap.code));
        }
        inst->poisoned = true;
        return gale_cm_err_set(err, GALE_ETRAP, "%s: trap in %s at function %u offset 0x%x: %s", inst->name ? inst->name : "component",
                               inst->trap.export_name, (unsigned)inst->trap.func_index, (unsigned)inst->trap.code_offset,
                               inst->trap.reason);
    }
    return gale_cm_err_set(err, rc, "%s: calling %s failed: %s", inst->name ? inst->name : "component",
                           what ? what : "?", gale_strerror(rc));
}

/* ------------------------------------------------------------------------- */
/* host-call thunk (guest -> host)                                            */
/* ------------------------------------------------------------------------- */

static int host_thunk(gale_wasm_caller_t *caller, void *env, const gale_wasm_val_t *args, gale_wasm_val_t *results,
                      gale_wasm_trap_t *trap)
{
    cm_binding_t *b = env;
    gale_cm_instance_t *inst = caller && caller->instance ? b->comp->eng->get_user(caller->instance) : NULL;
    if (!inst)
        return cm_trap(NULL, trap, "%s called outside a component instance", b->label);
    if (b->kind == CM_B_BUILTIN)
        return cm_builtin_call(inst, b, args, results, trap);
#if GALE_CONFIG_CM_STREAMS
    if (b->kind == CM_B_MELD)
        return cm_meld_call(inst, b, args, results, trap);
#endif
    if (!inst->may_leave)
        return cm_trap(inst, trap, "%s: called from cabi_realloc or post-return (may_leave is false)", b->label);

    const gale_cm_host_func_t *hf = b->hf;
    const gale_cm_functype_t *ft = &hf->type;
    gale_cm_err_t err = {0};
    inst->arena.used = 0;
    gale_cm_cx_t cx;
    cm_cx_init(inst, &cx, &inst->arena, &err, b->label);
    uint64_t flat[GALE_CM_MAX_FLAT_PARAMS + 2];
    uint32_t nf = b->sig.n_params;
    for (uint32_t i = 0; i < nf; i++)
        flat[i] = val_to_u64(args[i], b->sig.types[i]);
    uint32_t n_in = nf - (b->sig.results_in_memory ? 1u : 0u);
    uint32_t out_ptr = b->sig.results_in_memory ? (uint32_t)flat[nf - 1] : 0;
    gale_cm_val_t params[GALE_CM_MAX_FLAT_PARAMS];
    if (ft->n_params > GALE_CM_MAX_FLAT_PARAMS)
        return cm_trap(inst, trap, "%s: too many parameters", b->label);
    int rc = gale_cm_lift_values(&cx, b->async ? GALE_CM_MAX_FLAT_ASYNC_PARAMS : GALE_CM_MAX_FLAT_PARAMS, flat, n_in,
                                 ft->params, ft->n_params, params);
    if (rc)
        return cm_trap(inst, trap, "%s", err.message);
    /* Check the out-pointer before calling (results never land outside memory). */
    if (ft->result && b->sig.results_in_memory) {
        rc = gale_cm_check_range(&cx, out_ptr, gale_cm_type_size(ft->result), gale_cm_type_align(ft->result),
                                 "result out-pointer");
        if (rc)
            return cm_trap(inst, trap, "%s", err.message);
    }
    gale_cm_val_t result;
    memset(&result, 0, sizeof result);
    gale_cm_call_t call = {.inst = inst, .func = hf, .async = b->async, .arena = &inst->arena, .err = &err};
    inst->stats.host_calls++;
    if (b->async)
        inst->stats.async_host_calls++;
    /* Async calls: borrowed handles stay lent until the subtask resolves. */
    rc = hf->fn(&call, hf->env, params, &result);
    if (rc < 0)
        return cm_trap(inst, trap, "%s: %s", b->label, err.message[0] ? err.message : gale_strerror(rc));
    if (rc == GALE_CM_STARTED) {
        if (!b->async || !call.subtask)
            return cm_trap(inst, trap, "%s: host returned STARTED for a sync call", b->label);
        cm_subtask_t *st = NULL;
        for (uint32_t i = 0; i < GALE_CM_MAX_SUBTASKS; i++)
            if (inst->subtasks[i].state != CM_S_FREE && inst->subtasks[i].handle == call.subtask)
                st = &inst->subtasks[i];
        if (st) {
            st->out_ptr = out_ptr;
            /* lend borrowed handles */
            for (uint32_t i = 0; i < ft->n_params && st->n_lent < 4; i++) {
                if (ft->params[i]->kind == GALE_CM_BORROW) {
                    /* flat position of param i: borrow is one i32; recompute by flattening */
                    uint8_t tt[GALE_CM_MAX_FLAT_PARAMS + 2];
                    uint32_t pos = 0;
                    for (uint32_t k = 0; k < i; k++)
                        gale_cm_flatten(ft->params[k], tt, &pos, GALE_CM_MAX_FLAT_PARAMS + 1);
                    if (pos < n_in) {
                        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, (uint32_t)flat[pos]);
                        if (h && h->tag == GALE_CM_H_OWN) {
                            h->lends++;
                            st->lent[st->n_lent++] = (uint32_t)flat[pos];
                        }
                    }
                }
            }
        }
        results[0].i32 = GALE_CM_SUBTASK_STARTED | (call.subtask << 4);
        return 0;
    }
    /* done: lower the result */
    if (ft->result) {
        if (b->sig.results_in_memory) {
            rc = gale_cm_store(&cx, &result, out_ptr, ft->result);
        } else {
            uint64_t o[2];
            uint8_t ty[2];
            uint32_t no = 0;
            rc = gale_cm_lower_flat(&cx, &result, ft->result, o, ty, &no, 1);
            if (rc == 0)
                results[0] = u64_to_val(o[0], b->sig.types[b->sig.n_params]);
        }
        if (rc)
            return cm_trap(inst, trap, "%s", err.message);
    }
    if (b->async)
        results[0].i32 = GALE_CM_SUBTASK_RETURNED;
    return 0;
}

/* ------------------------------------------------------------------------- */
/* offload (async-lowered host calls that must wait)                          */
/* ------------------------------------------------------------------------- */

static void offload_job(void *arg)
{
    cm_subtask_t *st = arg;
    gale_cm_arena_init(&st->arena, st->arena_buf, sizeof st->arena_buf);
    st->job_rc = st->fn(st->ctx, &st->result, &st->arena);
    st->state = CM_S_DONE_HOST;
    gale_cm_notify(st->inst);
}

/* A free subtask slot with a handle, or NULL (call->err set). */
static cm_subtask_t *subtask_new(gale_cm_call_t *call, const char *what, size_t ctx_size, const void *ctx)
{
    gale_cm_instance_t *inst = call->inst;
    if (!call->async) {
        gale_cm_err_set(call->err, GALE_EINVAL, "%s from a sync-lowered call", what);
        return NULL;
    }
    if (ctx_size > GALE_CM_OFFLOAD_CTX_BYTES) {
        gale_cm_err_set(call->err, GALE_EINVAL, "%s context too large (%zu bytes)", what, ctx_size);
        return NULL;
    }
    cm_subtask_t *st = NULL;
    for (uint32_t i = 0; i < GALE_CM_MAX_SUBTASKS && !st; i++)
        if (inst->subtasks[i].state == CM_S_FREE)
            st = &inst->subtasks[i];
    if (!st) {
        gale_cm_err_set(call->err, GALE_ENOMEM, "too many outstanding async calls (GALE_CM_MAX_SUBTASKS %d)",
                        GALE_CM_MAX_SUBTASKS);
        return NULL;
    }
    gale_cm_handle_t h = {.tag = GALE_CM_H_SUBTASK, .rep = (uint32_t)(st - inst->subtasks)};
    uint32_t idx = gale_cm_table_add(&inst->table, &h);
    if (!idx) {
        gale_cm_err_set(call->err, GALE_ENOMEM, "handle table full");
        return NULL;
    }
    memset(st, 0, offsetof(cm_subtask_t, arena_buf));
    st->handle = idx;
    st->inst = inst;
    st->hf = call->func;
    if (ctx_size)
        memcpy(st->ctx, ctx, ctx_size);
    return st;
}

int gale_cm_call_offload(gale_cm_call_t *call, gale_cm_blocking_fn fn, const void *ctx, size_t ctx_size)
{
    gale_cm_instance_t *inst = call->inst;
    cm_subtask_t *st = subtask_new(call, "offload", ctx_size, ctx);
    if (!st)
        return call->err->code ? call->err->code : GALE_ENOMEM;
    uint32_t idx = st->handle;
    st->fn = fn;
    st->state = CM_S_STARTED;
    const gale_cm_sched_ops_t *s = &inst->comp->sched;
    int rc = s->offload ? s->offload(offload_job, st, s->ctx) : GALE_ENOSYS;
    if (rc < 0) {
        st->state = CM_S_FREE;
        gale_cm_table_remove(&inst->table, idx);
        return gale_cm_err_set(call->err, rc, "no host worker for the async call: %s", gale_strerror(rc));
    }
    call->subtask = idx;
    inst->stats.subtasks_started++;
    return GALE_CM_STARTED;
}

/* ---- pended calls (gale_cm_call_pend): watches instead of worker threads ---- */

#define CM_PEND_NOTIFIED 1u
#define CM_PEND_TIMED_OUT 2u

/* Watch fired (kernel lock held, any context). */
static void pend_watch_fired(gale_kernel_watch_t *w, void *arg)
{
    (void)w;
    cm_subtask_t *st = arg;
    st->pend_flags |= CM_PEND_NOTIFIED;
    gale_cm_notify(st->inst);
}

/* Deadline timer expired (ISR context). */
static void pend_deadline(gale_timer_t *t)
{
    cm_subtask_t *st = gale_kernel_timer_user_data_get(t);
    unsigned int key = gale_kernel_irq_lock();
    st->pend_flags |= CM_PEND_TIMED_OUT;
    gale_kernel_irq_unlock(key);
    gale_cm_notify(st->inst);
}

static void pend_finish(cm_subtask_t *st, int rc)
{
    st->pend(st->ctx, GALE_CM_PEND_DISARM, &st->watch, NULL, NULL);
    if (st->deadline.magic)
        (void)gale_kernel_timer_stop(&st->deadline);
    st->job_rc = rc < 0 ? rc : 0;
    st->state = CM_S_DONE_HOST;
}

/* Instance thread: one step of a pended subtask whose watch or deadline fired
 * (re-ARM if the one-shot watch fired, then TRY; TIMEOUT if the deadline
 * passed and TRY still blocks). */
static void pend_step(cm_subtask_t *st)
{
    unsigned int key = gale_kernel_irq_lock();
    uint8_t f = st->pend_flags;
    st->pend_flags = 0;
    gale_kernel_irq_unlock(key);
    if (!f)
        return;
    /* TRY; if it would block and the one-shot watch has fired: ARM, then TRY
     * again (a change between the two TRYs fires the new watch) */
    gale_cm_arena_init(&st->arena, st->arena_buf, sizeof st->arena_buf);
    int rc = st->pend(st->ctx, GALE_CM_PEND_TRY, &st->watch, &st->result, &st->arena);
    if (rc == 0 && !(f & CM_PEND_TIMED_OUT) && !gale_kernel_watch_armed(&st->watch)) {
        rc = st->pend(st->ctx, GALE_CM_PEND_ARM, &st->watch, NULL, NULL);
        if (rc == 0) {
            gale_cm_arena_init(&st->arena, st->arena_buf, sizeof st->arena_buf);
            rc = st->pend(st->ctx, GALE_CM_PEND_TRY, &st->watch, &st->result, &st->arena);
        }
    }
    if (rc == 0 && (f & CM_PEND_TIMED_OUT)) {
        gale_cm_arena_init(&st->arena, st->arena_buf, sizeof st->arena_buf);
        rc = st->pend(st->ctx, GALE_CM_PEND_TIMEOUT, &st->watch, &st->result, &st->arena);
        /* 0: the call goes on waiting, without a deadline (cv.wait-mutex
         * taking its mutex back after the wait itself timed out) */
        if (rc == 0 && !gale_kernel_watch_armed(&st->watch)) {
            rc = st->pend(st->ctx, GALE_CM_PEND_ARM, &st->watch, NULL, NULL);
            if (rc == 0) {
                gale_cm_arena_init(&st->arena, st->arena_buf, sizeof st->arena_buf);
                rc = st->pend(st->ctx, GALE_CM_PEND_TRY, &st->watch, &st->result, &st->arena);
            }
        }
    }
    if (rc != 0)
        pend_finish(st, rc);
}

void cm_pend_progress(gale_cm_instance_t *inst)
{
    for (uint32_t i = 0; i < GALE_CM_MAX_SUBTASKS; i++)
        if (inst->subtasks[i].state == CM_S_PENDED && inst->subtasks[i].pend_flags)
            pend_step(&inst->subtasks[i]);
}

void cm_pend_cancel(cm_subtask_t *st)
{
    if (st->state != CM_S_PENDED)
        return;
    pend_finish(st, GALE_ECANCELED);
    st->cancelled = true;
}

int gale_cm_call_pend(gale_cm_call_t *call, gale_cm_pend_fn fn, const void *ctx, size_t ctx_size,
                      int64_t timeout_ticks)
{
    gale_cm_instance_t *inst = call->inst;
    if (!fn)
        return gale_cm_err_set(call->err, GALE_EINVAL, "pend: no retry function");
    if (timeout_ticks < 0 && timeout_ticks != GALE_CM_PEND_FOREVER)
        return gale_cm_err_set(call->err, GALE_EINVAL, "pend: bad timeout (%lld ticks)", (long long)timeout_ticks);
    cm_subtask_t *st = subtask_new(call, "pend", ctx_size, ctx);
    if (!st)
        return call->err->code ? call->err->code : GALE_ENOMEM;
    st->pend = fn;
    gale_kernel_watch_init(&st->watch, pend_watch_fired, st);
    st->state = CM_S_PENDED;
    if (timeout_ticks != GALE_CM_PEND_FOREVER) {
        gale_kernel_timer_init(&st->deadline, pend_deadline, NULL);
        gale_kernel_timer_user_data_set(&st->deadline, st);
        gale_kernel_timer_start(&st->deadline, (gale_timeout_t){timeout_ticks}, GALE_NO_WAIT);
    }
    call->subtask = st->handle;
    inst->stats.subtasks_started++;
    /* The host function has just tried: ARM, then TRY (closes the window) */
    int rc = st->pend(st->ctx, GALE_CM_PEND_ARM, &st->watch, NULL, NULL);
    if (rc == 0) {
        gale_cm_arena_init(&st->arena, st->arena_buf, sizeof st->arena_buf);
        rc = st->pend(st->ctx, GALE_CM_PEND_TRY, &st->watch, &st->result, &st->arena);
    }
    if (rc != 0)
        pend_finish(st, rc);
    if (st->state == CM_S_DONE_HOST && st->job_rc < 0) { /* ARM or TRY failed: the call fails */
        rc = st->job_rc;
        st->state = CM_S_FREE;
        gale_cm_table_remove(&inst->table, st->handle);
        call->subtask = 0;
        inst->stats.subtasks_started--;
        return gale_cm_err_set(call->err, rc, "pend: %s", gale_strerror(rc));
    }
    return GALE_CM_STARTED;
}

void gale_cm_instance_set_notify(gale_cm_instance_t *inst, void (*fn)(gale_cm_instance_t *, void *), void *arg)
{
    inst->notify_fn = fn;
    inst->notify_arg = arg;
}

void gale_cm_notify(gale_cm_instance_t *inst)
{
    inst->notify_seq++;
    if (inst->notify_fn)
        inst->notify_fn(inst, inst->notify_arg);
    const gale_cm_sched_ops_t *s = &inst->comp->sched;
    if (s->notify)
        s->notify(inst, s->ctx);
}

void cm_sched_wait(gale_cm_instance_t *inst)
{
    const gale_cm_sched_ops_t *s = &inst->comp->sched;
    inst->stats.waits++;
    if (s->wait)
        s->wait(inst, s->ctx);
}

/* ------------------------------------------------------------------------- */
/* loading and linking                                                        */
/* ------------------------------------------------------------------------- */

#if !GALE_CONFIG_CM_STREAMS
static int refuse_streams(const gale_cm_functype_t *ft, const char *what, const char *name, gale_cm_err_t *err);
#endif

static int link_function(gale_cm_component_t *c, cm_binding_t *b, const gale_cm_import_name_t *in,
                         const gale_wasm_import_desc_t *d, gale_cm_err_t *err)
{
    const gale_cm_world_t *w = c->world;
    char fname[128];
    const char *pre = in->form == GALE_CM_FORM_CONSTRUCTOR ? "[constructor]"
                      : in->form == GALE_CM_FORM_METHOD    ? "[method]"
                      : in->form == GALE_CM_FORM_STATIC    ? "[static]"
                                                           : "";
    snprintf(fname, sizeof fname, "%s%.*s", pre, (int)in->func.len, in->func.ptr);
    const gale_cm_host_func_t *hf = NULL;
    bool iface_known = false;
    for (uint32_t i = 0; w && i < w->n_funcs; i++) {
        if (!iface_eq(in->iface.ptr, in->iface.len, w->funcs[i].iface))
            continue;
        iface_known = true;
        if (cm_streq(w->funcs[i].name, fname)) {
            hf = &w->funcs[i];
            break;
        }
    }
    if (!hf)
        return gale_cm_err_set(err, GALE_ELINK, "%s: %s", b->label,
                               iface_known ? "no such function in this interface of the world"
                                           : "unknown interface (not in the world)");
#if !GALE_CONFIG_CM_STREAMS
    if (refuse_streams(&hf->type, "", b->label, err))
        return GALE_ENOSYS;
#endif
    gale_cm_coresig_t ss, as;
    if (gale_cm_coresig(&hf->type, GALE_CM_ABI_SYNC_LOWER, &ss) ||
        gale_cm_coresig(&hf->type, GALE_CM_ABI_ASYNC_LOWER, &as))
        return gale_cm_err_set(err, GALE_EINVALID, "%s: malformed host function type", b->label);
    b->kind = CM_B_HOST;
    b->hf = hf;
    bool sync_ok = sig_eq(&ss, &d->functype), async_ok = sig_eq(&as, &d->functype);
    if (in->async_lower) {
        if (!hf->type.is_async)
            return gale_cm_err_set(err, GALE_ELINK, "%s: [async-lower] of a function that is not async", b->label);
        if (!async_ok)
            goto mismatch;
        b->async = true;
        b->sig = as;
        return 0;
    }
    if (sync_ok) {
        b->sig = ss;
        return 0;
    }
    if (hf->type.is_async && async_ok) { /* meld drops the [async-lower] marker: the core type decides */
        b->async = true;
        b->sig = as;
        return 0;
    }
mismatch : {
    char want[96], want2[96], got[96];
    sig_str(want, sizeof want, ss.types, ss.n_params, ss.n_results);
    sig_str(want2, sizeof want2, as.types, as.n_params, as.n_results);
    sig_str(got, sizeof got, d->functype.types, d->functype.n_params, d->functype.n_results);
    if (hf->type.is_async)
        return gale_cm_err_set(err, GALE_ELINK, "%s: type mismatch: expected %s (sync) or %s (async lowered), found %s",
                               b->label, want, want2, got);
    return gale_cm_err_set(err, GALE_ELINK, "%s: type mismatch: expected %s, found %s", b->label, want, got);
}
}

static int find_export_decl(const gale_cm_world_t *w, gale_cm_str_t iface, gale_cm_str_t func)
{
    for (uint32_t i = 0; w && i < w->n_exports; i++) {
        const gale_cm_export_decl_t *e = &w->exports[i];
        const char *ei = e->iface ? e->iface : "";
        bool root = iface.len == 0 || str_eq(iface, "$root");
        if (root ? ei[0] != 0 : !iface_eq(iface.ptr, iface.len, ei))
            continue;
        if (str_eq(func, e->name))
            return (int)i;
    }
    return -1;
}

/* The K-th stream/future type in a function's params then result (depth-first,
 * as wit-parser's find_futures_and_streams). */
static const gale_cm_type_t *kth_stream(const gale_cm_type_t *t, uint32_t *k, int depth)
{
    if (!t || depth > 16)
        return NULL;
    if (t->kind == GALE_CM_STREAM || t->kind == GALE_CM_FUTURE) {
        if ((*k)-- == 0)
            return t;
        return kth_stream(t->elem, k, depth + 1);
    }
    switch (t->kind) {
    case GALE_CM_LIST:
    case GALE_CM_OPTION: return kth_stream(t->elem, k, depth + 1);
    case GALE_CM_RECORD:
    case GALE_CM_TUPLE:
    case GALE_CM_VARIANT:
    case GALE_CM_RESULT: {
        uint32_t n = t->kind == GALE_CM_RESULT ? 2 : t->n;
        for (uint32_t i = 0; i < n && t->members; i++) {
            const gale_cm_type_t *r = kth_stream(t->members[i], k, depth + 1);
            if (r)
                return r;
        }
        return NULL;
    }
    default: return NULL;
    }
}

#if !GALE_CONFIG_CM_STREAMS
/* GALE_CONFIG_CM_STREAMS=0: a function type with a stream or future anywhere
 * is refused at link time. */
static int refuse_streams(const gale_cm_functype_t *ft, const char *what, const char *name, gale_cm_err_t *err)
{
    (void)what, (void)name; /* text only (GALE_CONFIG_DIAG) */
    uint32_t k = 0;
    const gale_cm_type_t *st = NULL;
    for (uint32_t i = 0; i < ft->n_params && !st; i++)
        st = kth_stream(ft->params[i], &k, 0);
    if (!st)
        st = kth_stream(ft->result, &k, 0);
    if (st)
        return gale_cm_err_set(err, GALE_ENOSYS,
                               "%s%s: stream/future types are not supported in this build (GALE_CONFIG_CM_STREAMS=0)",
                               what, name);
    return 0;
}
#endif

static const gale_cm_functype_t *find_func_type(const gale_cm_world_t *w, const gale_cm_import_name_t *in)
{
    if (!w)
        return NULL;
    if (in->exported_iface || str_eq(in->iface, "$root")) {
        int xi = find_export_decl(w, in->exported_iface ? in->iface : (gale_cm_str_t){"", 0}, in->func);
        if (xi >= 0)
            return &w->exports[xi].type;
    }
    for (uint32_t i = 0; i < w->n_funcs; i++)
        if (iface_eq(in->iface.ptr, in->iface.len, w->funcs[i].iface) && str_eq(in->func, w->funcs[i].name))
            return &w->funcs[i].type;
    return NULL;
}

static int link_builtin(gale_cm_component_t *c, cm_binding_t *b, const gale_cm_import_name_t *in,
                        const gale_wasm_import_desc_t *d, gale_cm_err_t *err)
{
    b->kind = CM_B_BUILTIN;
    b->builtin = (uint8_t)in->builtin;
    b->cancellable = in->cancellable;
    b->n = in->n;
    b->export_idx = -1;
    switch (in->builtin) {
    case GALE_CM_BI_TASK_RETURN:
        if (in->numeric_task_return) {
            b->numeric_task_return = true;
        } else {
            b->export_idx = find_export_decl(c->world, in->iface, in->func);
            if (b->export_idx < 0)
                return gale_cm_err_set(err, GALE_ELINK, "%s: task.return for an export the world does not declare",
                                       b->label);
            if (!c->world->exports[b->export_idx].type.is_async)
                return gale_cm_err_set(err, GALE_ELINK, "%s: task.return for an export that is not async", b->label);
        }
        break;
    case GALE_CM_BI_RESOURCE_DROP:
    case GALE_CM_BI_RESOURCE_NEW:
    case GALE_CM_BI_RESOURCE_REP: {
        if (in->exported_iface) { /* guest-implemented resource */
            uint32_t k;
            for (k = 0; k < c->n_guest_res; k++)
                if (iface_eq(in->iface.ptr, in->iface.len, c->guest_res[k].iface) &&
                    str_eq(in->resource, c->guest_res[k].name))
                    break;
            if (k == c->n_guest_res) {
                if (k >= GALE_CM_MAX_GUEST_RESOURCES)
                    return gale_cm_err_set(err, GALE_ENOMEM, "%s: too many exported resources", b->label);
                snprintf(c->guest_res[k].iface, sizeof c->guest_res[k].iface, "%.*s", (int)in->iface.len,
                         in->iface.ptr);
                snprintf(c->guest_res[k].name, sizeof c->guest_res[k].name, "%.*s", (int)in->resource.len,
                         in->resource.ptr);
                snprintf(c->guest_res[k].dtor, sizeof c->guest_res[k].dtor, "%.*s#[dtor]%.*s", (int)in->iface.len,
                         in->iface.ptr, (int)in->resource.len, in->resource.ptr);
                c->n_guest_res++;
            }
            b->resource = GALE_CM_GUEST_RES_BASE + k;
        } else {
            if (in->builtin != GALE_CM_BI_RESOURCE_DROP)
                return gale_cm_err_set(err, GALE_ELINK, "%s: resource.new/rep of an imported resource", b->label);
            const gale_cm_world_t *w = c->world;
            uint32_t k;
            for (k = 0; w && k < w->n_resources; k++)
                if (iface_eq(in->iface.ptr, in->iface.len, w->resources[k].iface) &&
                    str_eq(in->resource, w->resources[k].name))
                    break;
            if (!w || k == w->n_resources)
                return gale_cm_err_set(err, GALE_ELINK, "%s: unknown resource type (not in the world)", b->label);
            b->resource = k;
        }
        break;
    }
    case GALE_CM_BI_STREAM_NEW: case GALE_CM_BI_STREAM_READ: case GALE_CM_BI_STREAM_WRITE:
    case GALE_CM_BI_STREAM_CANCEL_READ: case GALE_CM_BI_STREAM_CANCEL_WRITE:
    case GALE_CM_BI_STREAM_DROP_READABLE: case GALE_CM_BI_STREAM_DROP_WRITABLE:
    case GALE_CM_BI_FUTURE_NEW: case GALE_CM_BI_FUTURE_READ: case GALE_CM_BI_FUTURE_WRITE:
    case GALE_CM_BI_FUTURE_CANCEL_READ: case GALE_CM_BI_FUTURE_CANCEL_WRITE:
    case GALE_CM_BI_FUTURE_DROP_READABLE: case GALE_CM_BI_FUTURE_DROP_WRITABLE: {
#if !GALE_CONFIG_CM_STREAMS
        return gale_cm_err_set(err, GALE_ENOSYS,
                               "%s: stream/future built-ins are not supported in this build (GALE_CONFIG_CM_STREAMS=0)",
                               b->label);
#endif
        const gale_cm_functype_t *ft = find_func_type(c->world, in);
        if (ft && in->n != UINT32_MAX) {
            uint32_t k = in->n;
            const gale_cm_type_t *st = NULL;
            for (uint32_t i = 0; i < ft->n_params && !st; i++)
                st = kth_stream(ft->params[i], &k, 0);
            if (!st)
                st = kth_stream(ft->result, &k, 0);
            if (!st)
                return gale_cm_err_set(err, GALE_ELINK, "%s: function has no stream/future number %u", b->label,
                                       (unsigned)in->n);
            bool fut = in->builtin >= GALE_CM_BI_FUTURE_NEW;
            if ((st->kind == GALE_CM_FUTURE) != fut)
                return gale_cm_err_set(err, GALE_ELINK, "%s: stream/future number %u is a %s", b->label, (unsigned)in->n,
                                       gale_cm_kind_name(st->kind));
            b->stream_elem = st->elem;
            b->stream_typed = true;
        }
        break;
    }
    case GALE_CM_BI_CONTEXT_GET:
    case GALE_CM_BI_CONTEXT_SET:
        if (in->n >= 2 || in->i64)
            return gale_cm_err_set(err, GALE_ELINK, "%s: context slot must be i32 0 or 1", b->label);
        break;
    case GALE_CM_BI_ERROR_CONTEXT_NEW:
    case GALE_CM_BI_ERROR_CONTEXT_DEBUG_MESSAGE:
    case GALE_CM_BI_ERROR_CONTEXT_DROP:
        return gale_cm_err_set(err, GALE_ELINK, "%s: error-context is not part of WASI 0.3 (not supported)", b->label);
    default: break;
    }
    return cm_builtin_check(b, &d->functype, err);
}

/* meld's pulseengine:async intrinsics: fixed core types (meld-core p3_async.rs). */
static int link_meld(cm_binding_t *b, const gale_cm_import_name_t *in, const gale_wasm_import_desc_t *d,
                     gale_cm_err_t *err)
{
    static const uint8_t rw4[] = {0x7f, 0x7f, 0x7f, 0x7f, 0x7f}, rw3[] = {0x7f, 0x7f, 0x7f, 0x7f},
                         h_i32[] = {0x7f, 0x7f}, h_void[] = {0x7f}, newt[] = {0x7e};
    const uint8_t *want = NULL;
    uint8_t np = 0, nr = 0;
    switch (in->builtin) {
    case GALE_CM_BI_STREAM_NEW:
    case GALE_CM_BI_FUTURE_NEW: want = newt, np = 0, nr = 1; break;
    case GALE_CM_BI_STREAM_READ:
    case GALE_CM_BI_STREAM_WRITE: want = rw4, np = 4, nr = 1; break;
    case GALE_CM_BI_FUTURE_READ:
    case GALE_CM_BI_FUTURE_WRITE: want = rw3, np = 3, nr = 1; break;
    case GALE_CM_BI_STREAM_CANCEL_READ:
    case GALE_CM_BI_STREAM_CANCEL_WRITE:
    case GALE_CM_BI_FUTURE_CANCEL_READ:
    case GALE_CM_BI_FUTURE_CANCEL_WRITE: want = h_i32, np = 1, nr = 1; break;
    case GALE_CM_BI_STREAM_DROP_READABLE:
    case GALE_CM_BI_STREAM_DROP_WRITABLE:
    case GALE_CM_BI_FUTURE_DROP_READABLE:
    case GALE_CM_BI_FUTURE_DROP_WRITABLE: want = h_void, np = 1, nr = 0; break;
    case GALE_CM_BI_THREAD_YIELD: want = h_void, np = 0, nr = 0; break;
    default:
        return gale_cm_err_set(err, GALE_ELINK,
                               "%s: meld's stackful fiber intrinsic %.*s is not supported (gale runs async components "
                               "in the callback form only)",
                               b->label, (int)in->func.len, in->func.ptr);
    }
    if (d->functype.n_params != np || d->functype.n_results != nr ||
        memcmp(d->functype.types, want, (size_t)np + nr) != 0) {
        char ws[96], got[96];
        sig_str(ws, sizeof ws, want, np, nr);
        sig_str(got, sizeof got, d->functype.types, d->functype.n_params, d->functype.n_results);
        return gale_cm_err_set(err, GALE_ELINK, "%s: wrong core type for pulseengine:async %.*s: expected %s, found %s",
                               b->label, (int)in->func.len, in->func.ptr, ws, got);
    }
    b->kind = CM_B_MELD;
    b->builtin = (uint8_t)in->builtin;
    b->sig.n_params = np;
    b->sig.n_results = nr;
    memcpy(b->sig.types, want, (size_t)np + nr);
    return 0;
}

static int find_func_export(gale_cm_component_t *c, const char *name, gale_wasm_export_desc_t *out)
{
    uint32_t n = c->eng->module_export_count(c->mod);
    for (uint32_t i = 0; i < n; i++) {
        gale_wasm_export_desc_t e;
        if (c->eng->module_export(c->mod, i, &e) == 0 && e.kind == GALE_WASM_EXTERN_FUNC && cm_streq(e.name, name)) {
            *out = e;
            return 0;
        }
    }
    return GALE_ENOENT;
}

static int link_exports(gale_cm_component_t *c, const gale_cm_decoded_t *dec, gale_cm_err_t *err)
{
    const gale_cm_world_t *w = c->world;
    c->n_exports = w ? w->n_exports : 0;
    if (c->n_exports > GALE_CM_MAX_EXPORTS)
        return gale_cm_err_set(err, GALE_ENOMEM, "world has %u exports (GALE_CM_MAX_EXPORTS %d)",
                               (unsigned)c->n_exports, GALE_CM_MAX_EXPORTS);
    for (uint32_t i = 0; i < c->n_exports; i++) {
        const gale_cm_export_decl_t *e = &w->exports[i];
        cm_export_t *x = &c->exp[i];
#if !GALE_CONFIG_CM_STREAMS
        if (refuse_streams(&e->type, "export ", e->name, err))
            return GALE_ENOSYS;
#endif
        memset(x, 0, sizeof *x);
        x->decl = e;
        const char *ei = e->iface ? e->iface : "";
        bool is_async = e->type.is_async;
        /* names: from the component's canon lift if decoded, else the conventions */
        const gale_cm_dec_func_t *df = NULL;
        for (uint32_t k = 0; dec && k < dec->n_funcs; k++)
            if (dec->funcs[k].is_export && cm_streq(dec->funcs[k].name, e->name) &&
                iface_eq(dec->funcs[k].iface, strlen(dec->funcs[k].iface), ei))
                df = &dec->funcs[k];
        if (df) {
            cm_strcpy(x->entry, sizeof x->entry, df->core_name);
            cm_strcpy(x->callback, sizeof x->callback, df->callback_name);
            cm_strcpy(x->post, sizeof x->post, df->post_return_name);
            if (df->lift_async != is_async && !(df->lift_async == false && is_async && !df->callback_name[0]))
                return gale_cm_err_set(err, GALE_ELINK, "export %s%s%s: lifted %s but the world declares it %s", ei,
                                       ei[0] ? "#" : "", e->name, df->lift_async ? "async" : "sync",
                                       is_async ? "async" : "sync");
            if (df->string_encoding != 0)
                return gale_cm_err_set(err, GALE_ELINK, "export %s: string-encoding other than utf8 is not supported",
                                       e->name);
            is_async = df->lift_async;
        } else {
            gale_cm_export_core_name(x->entry, sizeof x->entry, ei, e->name,
                                     is_async ? GALE_CM_EXPORT_ASYNC_LIFT : GALE_CM_EXPORT_FUNC);
            if (is_async)
                gale_cm_export_core_name(x->callback, sizeof x->callback, ei, e->name, GALE_CM_EXPORT_CALLBACK);
            else
                gale_cm_export_core_name(x->post, sizeof x->post, ei, e->name, GALE_CM_EXPORT_POST_RETURN);
        }
        gale_wasm_export_desc_t ed;
        if (find_func_export(c, x->entry, &ed)) {
            /* an async func may also be lifted sync (no callback) */
            if (is_async && !df) {
                char alt[128];
                gale_cm_export_core_name(alt, sizeof alt, ei, e->name, GALE_CM_EXPORT_FUNC);
                if (find_func_export(c, alt, &ed) == 0) {
                    cm_strcpy(x->entry, sizeof x->entry, alt);
                    x->callback[0] = 0;
                    is_async = false;
                    goto found;
                }
            }
            return gale_cm_err_set(err, GALE_ELINK, "export %s%s%s: core export \"%s\" missing", ei, ei[0] ? "#" : "",
                                   e->name, x->entry);
        }
    found:
        x->async = is_async && x->callback[0];
        gale_cm_coresig_t s;
        gale_cm_coresig(&e->type, x->async ? GALE_CM_ABI_ASYNC_LIFT : GALE_CM_ABI_SYNC_LIFT, &s);
        if (!sig_eq(&s, &ed.functype)) {
            char want[96], got[96];
            sig_str(want, sizeof want, s.types, s.n_params, s.n_results);
            sig_str(got, sizeof got, ed.functype.types, ed.functype.n_params, ed.functype.n_results);
            return gale_cm_err_set(err, GALE_ELINK, "export \"%s\": type mismatch: expected %s, found %s", x->entry, want,
                                   got);
        }
        if (x->async) {
            if (find_func_export(c, x->callback, &ed))
                return gale_cm_err_set(err, GALE_ELINK, "export %s: callback \"%s\" missing", e->name, x->callback);
            static const uint8_t cbt[4] = {0x7f, 0x7f, 0x7f, 0x7f};
            if (ed.functype.n_params != 3 || ed.functype.n_results != 1 || memcmp(ed.functype.types, cbt, 4) != 0)
                return gale_cm_err_set(err, GALE_ELINK, "export %s: callback \"%s\" must be (i32 i32 i32) -> (i32)",
                                       e->name, x->callback);
        } else if (x->post[0] && find_func_export(c, x->post, &ed)) {
            x->post[0] = 0; /* post-return is optional */
        }
        x->present = true;
    }
    return 0;
}

#if GALE_CONFIG_CM_COMPONENT_BINARY
static gale_cm_decoded_t g_decoded; /* load-time scratch */
#endif

int gale_cm_component_load(const gale_cm_load_opts_t *opts, const uint8_t *bytes, size_t len,
                           const gale_cm_world_t *world, gale_cm_component_t **out, gale_cm_err_t *err)
{
    *out = NULL;
    gale_cm_component_t *c = NULL;
    for (uint32_t i = 0; i < GALE_CM_MAX_COMPONENTS && !c; i++)
        if (!g_components[i].used)
            c = &g_components[i];
    if (!c)
        return gale_cm_err_set(err, GALE_ENOMEM, "too many components loaded (GALE_CM_MAX_COMPONENTS %d)",
                               GALE_CM_MAX_COMPONENTS);
    memset(c, 0, sizeof *c);
    c->eng = (opts && opts->engine) ? opts->engine : &gale_wasm_interp;
    if (!c->eng)
        return gale_cm_err_set(err, GALE_ENOSYS, "no wasm engine linked (pass gale_cm_load_opts_t.engine)");
    if (opts && opts->wasm_cfg)
        c->wcfg = *opts->wasm_cfg;
    else
        gale_wasm_config_default(&c->wcfg);
    if (opts && opts->sched) {
        c->sched = *opts->sched;
    } else if (gale_cm_default_sched) {
        c->sched = *gale_cm_default_sched;
        c->default_sched = true;
    }
    c->world = world;
    c->meld_future_bytes = (opts && opts->meld_future_bytes) ? opts->meld_future_bytes : 4;
    if (c->meld_future_bytes > GALE_CM_MELD_FUTURE_MAX)
        return gale_cm_err_set(err, GALE_EINVAL, "meld_future_bytes %u exceeds GALE_CM_MELD_FUTURE_MAX (%d)",
                               (unsigned)c->meld_future_bytes, GALE_CM_MELD_FUTURE_MAX);

    const gale_cm_decoded_t *dec = NULL;
    const uint8_t *core = bytes;
    size_t core_len = len;
    if (gale_cm_is_component(bytes, len)) {
#if GALE_CONFIG_CM_COMPONENT_BINARY
        int r = gale_cm_component_decode(bytes, len, &g_decoded, err);
        if (r)
            return r;
        dec = &g_decoded;
        core = g_decoded.core;
        core_len = g_decoded.core_len;
#else
        return gale_cm_err_set(err, GALE_ENOSYS, "component binary: built with GALE_CONFIG_CM_COMPONENT_BINARY=0 "
                                                 "(load the fused core module)");
#endif
    }
    gale_wasm_error_t werr;
    memset(&werr, 0, sizeof werr);
    c->mod = c->eng->module_load(&c->wcfg, core, core_len, &werr);
    if (!c->mod)
        return gale_cm_err_set(err, werr.code ? werr.code : GALE_EMALFORMED, "core module: %s", werr.message);
    int rc = 0;
    c->n_imports = c->eng->module_import_count(c->mod);
    if (c->n_imports > GALE_CM_MAX_IMPORTS) {
        rc = gale_cm_err_set(err, GALE_ENOMEM, "core module has %u imports (GALE_CM_MAX_IMPORTS %d)",
                             (unsigned)c->n_imports, GALE_CM_MAX_IMPORTS);
        goto fail;
    }
    for (uint32_t i = 0; i < c->n_imports; i++) {
        gale_wasm_import_desc_t d;
        cm_binding_t *b = &c->bind[i];
        memset(b, 0, sizeof *b);
        b->comp = c;
        b->import_index = i;
        c->eng->module_import(c->mod, i, &d);
#if GALE_CONFIG_DIAG   /* the label only names the import in messages */
        snprintf(b->label, sizeof b->label, "import %u \"%s\" \"%s\"", (unsigned)i, d.module, d.name);
#endif
        if (d.kind != GALE_WASM_EXTERN_FUNC) {
            rc = gale_cm_err_set(err, GALE_ELINK, "%s: only function imports can be provided (kind %d)", b->label,
                                 (int)d.kind);
            goto fail;
        }
        gale_cm_import_name_t in;
        rc = gale_cm_parse_import(d.module, d.name, &in, err);
        if (rc)
            goto fail;
#if !GALE_CONFIG_CM_STREAMS
        if (in.kind == GALE_CM_IMPORT_MELD_ASYNC) {
            rc = gale_cm_err_set(err, GALE_ENOSYS,
                                 "%s: meld's pulseengine:async intrinsics are not supported in this build "
                                 "(GALE_CONFIG_CM_STREAMS=0)",
                                 b->label);
            goto fail;
        }
#endif
        rc = in.kind == GALE_CM_IMPORT_MELD_ASYNC ? link_meld(b, &in, &d, err)
             : in.kind == GALE_CM_IMPORT_BUILTIN  ? link_builtin(c, b, &in, &d, err)
                                                  : link_function(c, b, &in, &d, err);
        if (rc)
            goto fail;
        c->hostfn[i] = c->eng->func_new_host(&c->wcfg, &d.functype, host_thunk, b);
        if (!c->hostfn[i]) {
            rc = gale_cm_err_set(err, GALE_ENOMEM, "%s: engine could not create the host function", b->label);
            goto fail;
        }
    }
    rc = link_exports(c, dec, err);
    if (rc)
        goto fail;
    c->used = true;
    *out = c;
    return 0;
fail:
    c->used = true;
    gale_cm_component_free(c);
    c->mod = NULL;
    return rc;
}

void gale_cm_component_free(gale_cm_component_t *c)
{
    if (!c || !c->used)
        return;
    if (c->mod)
        c->eng->module_free(c->mod);
    /* Host function objects: the engine table has no destructor for them; the
     * interpreter's gale_wasm_extern_free is used when that is the engine. */
    if (c->eng == &gale_wasm_interp) {
        for (uint32_t i = 0; i < c->n_imports; i++)
            if (c->hostfn[i]) {
                gale_wasm_extern_t e = {.kind = GALE_WASM_EXTERN_FUNC, .u.func = c->hostfn[i]};
                gale_wasm_extern_free(e);
            }
    }
    c->used = false;
}

/* ------------------------------------------------------------------------- */
/* instances                                                                  */
/* ------------------------------------------------------------------------- */

int gale_cm_instantiate(gale_cm_component_t *c, void *host_ctx, uint64_t fuel, gale_cm_instance_t **out,
                        gale_cm_err_t *err)
{
    *out = NULL;
    gale_cm_instance_t *inst = NULL;
    for (uint32_t i = 0; i < GALE_CM_MAX_INSTANCES && !inst; i++)
        if (!g_instances[i].used)
            inst = &g_instances[i];
    if (!inst)
        return gale_cm_err_set(err, GALE_ENOMEM, "too many instances (GALE_CM_MAX_INSTANCES %d)", GALE_CM_MAX_INSTANCES);
    memset(inst, 0, offsetof(gale_cm_instance_t, arena_buf));
    inst->comp = c;
    inst->host_ctx = host_ctx;
    inst->may_leave = true;
    inst->next_task_id = 1;
    gale_cm_table_init(&inst->table, inst->slots, GALE_CM_MAX_HANDLES);
    gale_kernel_sem_init(&inst->wake, 0, 1);
    gale_cm_arena_init(&inst->arena, inst->arena_buf, sizeof inst->arena_buf);
    gale_wasm_extern_t ext[GALE_CM_MAX_IMPORTS];
    for (uint32_t i = 0; i < c->n_imports; i++) {
        ext[i].kind = GALE_WASM_EXTERN_FUNC;
        ext[i].u.func = c->hostfn[i];
    }
    gale_wasm_error_t werr;
    memset(&werr, 0, sizeof werr);
    inst->used = true;
    inst->wi = c->eng->instantiate(c->mod, ext, c->n_imports, &werr);
    if (!inst->wi) {
        inst->used = false;
        return gale_cm_err_set(err, werr.code ? werr.code : GALE_ELINK, "instantiate: %s", werr.message);
    }
    c->eng->set_user(inst->wi, inst);
    if (fuel != UINT64_MAX)
        c->eng->set_fuel(inst->wi, fuel);
    inst->mem = c->eng->instance_memory(inst->wi, 0);
    gale_wasm_extern_t e;
    if (c->eng->instance_export(inst->wi, "cabi_realloc", &e) == 0 && e.kind == GALE_WASM_EXTERN_FUNC)
        inst->realloc_fn = e.u.func;
    if (c->eng->instance_export(inst->wi, "_initialize", &e) == 0 && e.kind == GALE_WASM_EXTERN_FUNC) {
        inst->running_export = "_initialize";
        int rc = cm_guest_call(inst, e.u.func, NULL, 0, NULL, 0, "_initialize", err);
        inst->running_export = NULL;
        if (rc) {
            *out = inst; /* keep the trap report readable */
            return rc;
        }
    }
    *out = inst;
    return 0;
}

static void drop_all_handles(gale_cm_instance_t *inst)
{
    const gale_cm_world_t *w = inst->comp->world;
    for (uint32_t i = 1; i < inst->table.cap; i++) {
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, i);
        if (!h)
            continue;
        if (h->tag == GALE_CM_H_OWN && h->type < GALE_CM_GUEST_RES_BASE && w && h->type < w->n_resources &&
            w->resources[h->type].dtor)
            w->resources[h->type].dtor(inst, w->resources[h->type].env, h->rep);
#if GALE_CONFIG_CM_STREAMS
        if (h->tag >= GALE_CM_H_STREAM_READ && h->tag <= GALE_CM_H_FUTURE_WRITE)
            cm_stream_end_release(inst, i); /* the peer sees this end dropped */
        else
#endif
            gale_cm_table_remove(&inst->table, i);
    }
}

void gale_cm_instance_free(gale_cm_instance_t *inst)
{
    if (!inst || !inst->used)
        return;
    /* Wait for offloaded work that still refers to this instance. */
    for (uint32_t i = 0; i < GALE_CM_MAX_SUBTASKS; i++) {
        cm_pend_cancel(&inst->subtasks[i]); /* unhook watches and deadlines */
        while (inst->subtasks[i].state == CM_S_STARTED)
            cm_sched_wait(inst);
    }
    drop_all_handles(inst);
    if (inst->wi)
        inst->comp->eng->instance_free(inst->wi);
    inst->wi = NULL;
    inst->used = false;
}

void *gale_cm_instance_host_ctx(gale_cm_instance_t *inst)
{
    return inst->host_ctx;
}

const char *gale_cm_instance_name(gale_cm_instance_t *inst)
{
    return inst->name ? inst->name : "component";
}

void gale_cm_instance_set_name(gale_cm_instance_t *inst, const char *name)
{
    inst->name = name;
}

gale_cm_table_t *gale_cm_instance_table(gale_cm_instance_t *inst)
{
    return &inst->table;
}

const gale_cm_trap_info_t *gale_cm_instance_trap(gale_cm_instance_t *inst)
{
    return &inst->trap;
}

const gale_cm_stats_t *gale_cm_instance_stats(gale_cm_instance_t *inst)
{
    return &inst->stats;
}

/* ------------------------------------------------------------------------- */
/* export calls                                                               */
/* ------------------------------------------------------------------------- */

static int find_export(gale_cm_instance_t *inst, const char *iface, const char *name, gale_cm_err_t *err)
{
    gale_cm_component_t *c = inst->comp;
    const char *ii = iface ? iface : "";
    for (uint32_t i = 0; i < c->n_exports; i++) {
        const char *ei = c->exp[i].decl->iface ? c->exp[i].decl->iface : "";
        if (cm_streq(c->exp[i].decl->name, name) && iface_eq(ii, strlen(ii), ei))
            return (int)i;
    }
    return gale_cm_err_set(err, GALE_ENOENT, "export %s%s%s is not declared in the world", ii, ii[0] ? "#" : "", name);
}

int cm_export_is_async(gale_cm_instance_t *inst, const char *iface, const char *name)
{
    gale_cm_err_t err;
    int xi = find_export(inst, iface, name, &err);
    return xi < 0 ? xi : inst->comp->exp[xi].async ? 1 : 0;
}

static int lower_params(gale_cm_instance_t *inst, const gale_cm_functype_t *ft, const gale_cm_val_t *params,
                        gale_wasm_val_t *args, const gale_cm_coresig_t *s, gale_cm_err_t *err)
{
    gale_cm_cx_t cx;
    cm_cx_init(inst, &cx, &inst->arena, err, "export parameters");
    uint64_t flat[GALE_CM_MAX_FLAT_PARAMS + 1];
    uint32_t n = 0;
    int rc = gale_cm_lower_values(&cx, GALE_CM_MAX_FLAT_PARAMS, params, ft->params, ft->n_params, flat, &n,
                                  GALE_CM_MAX_FLAT_PARAMS, NULL);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < n; i++)
        args[i] = u64_to_val(flat[i], s->types[i]);
    return 0;
}

static int check_usable(gale_cm_instance_t *inst, gale_cm_err_t *err)
{
    if (inst->poisoned)
        return gale_cm_err_set(err, GALE_ETRAP, "%s has trapped (%s) and cannot be entered again",
                               gale_cm_instance_name(inst), inst->trap.reason);
    return 0;
}

static int call_sync_export(gale_cm_instance_t *inst, cm_export_t *x, const gale_cm_val_t *params,
                            gale_cm_val_t *result, gale_cm_arena_t *arena, gale_cm_err_t *err)
{
    const gale_wasm_engine_t *eng = inst->comp->eng;
    const gale_cm_functype_t *ft = &x->decl->type;
    gale_cm_coresig_t s;
    gale_cm_coresig(ft, GALE_CM_ABI_SYNC_LIFT, &s);
    gale_wasm_extern_t e;
    if (eng->instance_export(inst->wi, x->entry, &e) || e.kind != GALE_WASM_EXTERN_FUNC)
        return gale_cm_err_set(err, GALE_ENOENT, "core export \"%s\" missing", x->entry);
    gale_wasm_val_t args[GALE_CM_MAX_FLAT_PARAMS + 1], res[1];
    inst->arena.used = 0;
    int rc = lower_params(inst, ft, params, args, &s, err);
    if (rc)
        return rc;
    inst->in_sync_export = true;
    inst->running_export = x->entry;
    inst->current = NULL;
    rc = cm_guest_call_budgeted(inst, e.u.func, args, s.n_params, res, s.n_results, x->entry, err);
    inst->in_sync_export = false;
    if (rc) {
        inst->running_export = NULL;
        return rc;
    }
    if (ft->result) {
        gale_cm_cx_t cx;
        cm_cx_init(inst, &cx, arena, err, x->entry);
        uint64_t f = val_to_u64(res[0], s.types[s.n_params]);
        if (s.results_in_memory) {
            rc = gale_cm_lift_values(&cx, 1, &f, 1, &ft->result, 1, result);
        } else {
            gale_cm_flat_iter_t it = {.vals = &f, .n = 1};
            rc = gale_cm_lift_flat(&cx, &it, ft->result, result);
        }
        if (rc) {
            inst->poisoned = true;
            inst->trap.trapped = true;
            cm_strcpy(inst->trap.export_name, sizeof inst->trap.export_name, x->entry);
            cm_strcpy(inst->trap.reason, sizeof inst->trap.reason, err->message);
            inst->running_export = NULL;
            return rc;
        }
    }
    if (x->post[0] && eng->instance_export(inst->wi, x->post, &e) == 0 && e.kind == GALE_WASM_EXTERN_FUNC) {
        inst->may_leave = false;
        rc = cm_guest_call(inst, e.u.func, res, s.n_results, NULL, 0, x->post, err);
        inst->may_leave = true;
    }
    inst->running_export = NULL;
    return rc;
}

/* ---- async (callback-lifted) tasks ---- */

static int task_handle_code(gale_cm_instance_t *inst, cm_task_t *t, uint32_t packed, gale_cm_err_t *err)
{
    uint32_t code = packed & 0xf, idx = packed >> 4;
    const char *nm = inst->comp->exp[t->exp].entry;
    t->wait_set = 0;
    switch (code) {
    case GALE_CM_EXIT:
        if (!t->resolved) {
            inst->poisoned = true;
            inst->trap.trapped = true;
            cm_strcpy(inst->trap.export_name, sizeof inst->trap.export_name, nm);
            snprintf(inst->trap.reason, sizeof inst->trap.reason, "task exited without calling task.return");
            return gale_cm_err_set(err, GALE_ETRAP, "%s: %s: task exited without calling task.return",
                                   gale_cm_instance_name(inst), nm);
        }
        t->state = CM_T_EXITED;
        return 0;
    case GALE_CM_YIELD: t->code = GALE_CM_YIELD; return 0;
    case GALE_CM_WAIT:
    case GALE_CM_POLL_LEGACY: {
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, idx);
        if (!h || h->tag != GALE_CM_H_WAITABLE_SET) {
            inst->poisoned = true;
            inst->trap.trapped = true;
            cm_strcpy(inst->trap.export_name, sizeof inst->trap.export_name, nm);
            snprintf(inst->trap.reason, sizeof inst->trap.reason, "callback returned %s with handle %u, not a waitable set",
                     code == GALE_CM_WAIT ? "WAIT" : "POLL", (unsigned)idx);
            return gale_cm_err_set(err, GALE_ETRAP, "%s: %s: %s", gale_cm_instance_name(inst), nm, inst->trap.reason);
        }
        t->code = (uint8_t)code;
        t->wait_set = idx;
        return 0;
    }
    default:
        inst->poisoned = true;
        inst->trap.trapped = true;
        cm_strcpy(inst->trap.export_name, sizeof inst->trap.export_name, nm);
        snprintf(inst->trap.reason, sizeof inst->trap.reason, "callback returned unknown code %u", (unsigned)code);
        return gale_cm_err_set(err, GALE_ETRAP, "%s: %s: %s", gale_cm_instance_name(inst), nm, inst->trap.reason);
    }
}

static int task_run_core(gale_cm_instance_t *inst, cm_task_t *t, gale_wasm_func_t *f, const gale_wasm_val_t *args,
                         uint32_t n, gale_cm_err_t *err)
{
    gale_wasm_val_t res[1];
    cm_task_t *prev = inst->current;
    inst->current = t;
    inst->running_export = inst->comp->exp[t->exp].entry;
    int rc = cm_guest_call_budgeted(inst, f, args, n, res, 1, inst->running_export, err);
    inst->current = prev;
    inst->running_export = NULL;
    if (rc)
        return rc;
    return task_handle_code(inst, t, res[0].i32, err);
}

static int task_begin(gale_cm_instance_t *inst, cm_task_t *t, gale_cm_err_t *err)
{
    cm_export_t *x = &inst->comp->exp[t->exp];
    const gale_cm_functype_t *ft = &x->decl->type;
    gale_cm_coresig_t s;
    gale_cm_coresig(ft, GALE_CM_ABI_ASYNC_LIFT, &s);
    gale_wasm_val_t args[GALE_CM_MAX_FLAT_PARAMS + 1];
    inst->arena.used = 0;
    int rc = lower_params(inst, ft, t->params, args, &s, err);
    if (rc) {
        t->state = CM_T_FREE; /* never entered: the caller got the error */
        return rc;
    }
    t->state = CM_T_RUNNING;
    return task_run_core(inst, t, t->entry, args, s.n_params, err);
}

static int task_start_ex(gale_cm_instance_t *inst, const char *iface, const char *name, const gale_cm_val_t *params,
                         uint32_t n_params, gale_cm_val_t *result, gale_cm_arena_t *arena, gale_cm_err_t *err)
{
    int rc = check_usable(inst, err);
    if (rc)
        return rc;
    int xi = find_export(inst, iface, name, err);
    if (xi < 0)
        return xi;
    cm_export_t *x = &inst->comp->exp[xi];
    if (!x->async)
        return gale_cm_err_set(err, GALE_EINVAL, "export %s is not callback-lifted", name);
    if (n_params != x->decl->type.n_params || n_params > GALE_CM_MAX_FLAT_PARAMS)
        return gale_cm_err_set(err, GALE_EINVAL, "export %s takes %u parameters, got %u", name,
                               (unsigned)x->decl->type.n_params, (unsigned)n_params);
    cm_task_t *t = NULL;
    for (uint32_t i = 0; i < GALE_CM_MAX_TASKS && !t; i++)
        if (inst->tasks[i].state == CM_T_FREE)
            t = &inst->tasks[i];
    if (!t)
        return gale_cm_err_set(err, GALE_ENOMEM, "too many tasks (GALE_CM_MAX_TASKS %d)", GALE_CM_MAX_TASKS);
    memset(t, 0, sizeof *t);
    t->id = inst->next_task_id++;
    t->exp = xi;
    const gale_wasm_engine_t *eng = inst->comp->eng;
    gale_wasm_extern_t e;
    if (eng->instance_export(inst->wi, x->entry, &e) || e.kind != GALE_WASM_EXTERN_FUNC)
        return gale_cm_err_set(err, GALE_ENOENT, "core export \"%s\" missing", x->entry);
    t->entry = e.u.func;
    if (eng->instance_export(inst->wi, x->callback, &e) || e.kind != GALE_WASM_EXTERN_FUNC)
        return gale_cm_err_set(err, GALE_ENOENT, "core export \"%s\" missing", x->callback);
    t->callback = e.u.func;
    for (uint32_t i = 0; i < n_params; i++)
        t->params[i] = params[i];
    t->n_params = n_params;
    t->result_out = result;
    t->result_arena = arena;
    t->state = CM_T_STARTING;
    if (inst->backpressure > 0)
        return 0; /* starts when backpressure drops to 0 */
    return task_begin(inst, t, err);
}

int gale_cm_task_start(gale_cm_instance_t *inst, const char *iface, const char *name, const gale_cm_val_t *params,
                       uint32_t n_params, gale_cm_err_t *err)
{
    return task_start_ex(inst, iface, name, params, n_params, NULL, NULL, err);
}

static int deliver(gale_cm_instance_t *inst, cm_task_t *t, uint32_t code, uint32_t p1, uint32_t p2,
                   gale_cm_err_t *err)
{
    gale_wasm_val_t a[3];
    a[0].i64 = 0, a[1].i64 = 0, a[2].i64 = 0;
    a[0].i32 = code, a[1].i32 = p1, a[2].i32 = p2;
    inst->stats.callbacks++;
    if (code != GALE_CM_EVENT_NONE)
        inst->stats.events_delivered++;
    return task_run_core(inst, t, t->callback, a, 3, err);
}

/* One pass over the tasks: runs every callback that can run. *any: tasks
 * remain; *progressed: some core code ran. */
static int run_pass(gale_cm_instance_t *inst, gale_cm_err_t *err, bool *any, bool *progressed)
{
    *any = false, *progressed = false;
    int rc = check_usable(inst, err);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < GALE_CM_MAX_TASKS; i++) {
        cm_task_t *t = &inst->tasks[i];
        if (t->state == CM_T_FREE)
            continue;
        if (t->state == CM_T_EXITED) {
            t->state = CM_T_FREE;
            continue;
        }
        *any = true;
        if (t->state == CM_T_STARTING) {
            if (inst->backpressure == 0) {
                rc = task_begin(inst, t, err);
                if (rc)
                    return rc;
                *progressed = true;
            }
            continue;
        }
        if (t->cancel_requested && !t->cancel_delivered) {
            t->cancel_delivered = true;
            rc = deliver(inst, t, GALE_CM_EVENT_TASK_CANCELLED, 0, 0, err);
            if (rc)
                return rc;
            *progressed = true;
            continue;
        }
        if (t->code == GALE_CM_YIELD) {
            rc = deliver(inst, t, GALE_CM_EVENT_NONE, 0, 0, err);
            if (rc)
                return rc;
            *progressed = true;
            continue;
        }
        uint32_t code, p1, p2;
        rc = cm_find_event(inst, t->wait_set, &code, &p1, &p2, err);
        if (rc < 0) {
            inst->poisoned = true;
            inst->trap.trapped = true;
            cm_strcpy(inst->trap.reason, sizeof inst->trap.reason, err->message);
            return rc;
        }
        if (rc == 1 || t->code == GALE_CM_POLL_LEGACY) {
            if (rc != 1)
                code = p1 = p2 = 0;
            rc = deliver(inst, t, code, p1, p2, err);
            if (rc)
                return rc;
            *progressed = true;
        }
    }
    return 0;
}

int gale_cm_poll_tasks(gale_cm_instance_t *inst, gale_cm_err_t *err)
{
    for (;;) {
        bool any, progressed;
        int rc = run_pass(inst, err, &any, &progressed);
        if (rc)
            return rc;
        if (!any)
            return 0;
        if (!progressed)
            return GALE_EAGAIN;
    }
}

int gale_cm_run_tasks(gale_cm_instance_t *inst, gale_cm_err_t *err)
{
    for (;;) {
        uint32_t seq = inst->notify_seq;
        bool any, progressed;
        int rc = run_pass(inst, err, &any, &progressed);
        if (rc)
            return rc;
        if (!any)
            return 0;
        if (!progressed && seq == inst->notify_seq)
            cm_sched_wait(inst);
    }
}

int gale_cm_call_export(gale_cm_instance_t *inst, const char *iface, const char *name, const gale_cm_val_t *params,
                        uint32_t n_params, gale_cm_val_t *result, gale_cm_arena_t *arena, gale_cm_err_t *err)
{
    int rc = check_usable(inst, err);
    if (rc)
        return rc;
    int xi = find_export(inst, iface, name, err);
    if (xi < 0)
        return xi;
    cm_export_t *x = &inst->comp->exp[xi];
    if (n_params != x->decl->type.n_params)
        return gale_cm_err_set(err, GALE_EINVAL, "export %s takes %u parameters, got %u", name,
                               (unsigned)x->decl->type.n_params, (unsigned)n_params);
    if (x->decl->type.result && (!result || !arena))
        return gale_cm_err_set(err, GALE_EINVAL, "export %s has a result: pass result and arena", name);
    if (!x->async)
        return call_sync_export(inst, x, params, result, arena, err);
    rc = task_start_ex(inst, iface, name, params, n_params, result, arena, err);
    if (rc)
        return rc;
    return gale_cm_run_tasks(inst, err);
}
