/* Canonical built-ins called by the guest: context slots, backpressure,
 * task.return/cancel, waitable sets, subtasks, thread.yield, resources and
 * streams/futures (rendezvous copy). Every handle argument is checked for
 * liveness and kind; every guest pointer for bounds and alignment. */
#include <stdio.h>
#include <string.h>

#include "cm_internal.h"

#define I32 0x7f
#define I64 0x7e

typedef struct bsig {
    uint8_t np, nr;
    uint8_t t[4];
} bsig_t;

static bool bsig_of(gale_cm_builtin_t b, bsig_t *s)
{
    static const struct {
        gale_cm_builtin_t b;
        bsig_t s;
    } tab[] = {
        {GALE_CM_BI_CONTEXT_GET, {0, 1, {I32}}},
        {GALE_CM_BI_CONTEXT_SET, {1, 0, {I32}}},
        {GALE_CM_BI_BACKPRESSURE_INC, {0, 0, {0}}},
        {GALE_CM_BI_BACKPRESSURE_DEC, {0, 0, {0}}},
        {GALE_CM_BI_BACKPRESSURE_SET, {1, 0, {I32}}},
        {GALE_CM_BI_TASK_CANCEL, {0, 0, {0}}},
        {GALE_CM_BI_WAITABLE_SET_NEW, {0, 1, {I32}}},
        {GALE_CM_BI_WAITABLE_SET_WAIT, {2, 1, {I32, I32, I32}}},
        {GALE_CM_BI_WAITABLE_SET_POLL, {2, 1, {I32, I32, I32}}},
        {GALE_CM_BI_WAITABLE_SET_DROP, {1, 0, {I32}}},
        {GALE_CM_BI_WAITABLE_JOIN, {2, 0, {I32, I32}}},
        {GALE_CM_BI_SUBTASK_CANCEL, {1, 1, {I32, I32}}},
        {GALE_CM_BI_SUBTASK_DROP, {1, 0, {I32}}},
        {GALE_CM_BI_THREAD_YIELD, {0, 1, {I32}}},
        {GALE_CM_BI_STREAM_NEW, {0, 1, {I64}}},
        {GALE_CM_BI_FUTURE_NEW, {0, 1, {I64}}},
        {GALE_CM_BI_STREAM_READ, {3, 1, {I32, I32, I32, I32}}},
        {GALE_CM_BI_STREAM_WRITE, {3, 1, {I32, I32, I32, I32}}},
        {GALE_CM_BI_FUTURE_READ, {2, 1, {I32, I32, I32}}},
        {GALE_CM_BI_FUTURE_WRITE, {2, 1, {I32, I32, I32}}},
        {GALE_CM_BI_STREAM_CANCEL_READ, {1, 1, {I32, I32}}},
        {GALE_CM_BI_STREAM_CANCEL_WRITE, {1, 1, {I32, I32}}},
        {GALE_CM_BI_FUTURE_CANCEL_READ, {1, 1, {I32, I32}}},
        {GALE_CM_BI_FUTURE_CANCEL_WRITE, {1, 1, {I32, I32}}},
        {GALE_CM_BI_STREAM_DROP_READABLE, {1, 0, {I32}}},
        {GALE_CM_BI_STREAM_DROP_WRITABLE, {1, 0, {I32}}},
        {GALE_CM_BI_FUTURE_DROP_READABLE, {1, 0, {I32}}},
        {GALE_CM_BI_FUTURE_DROP_WRITABLE, {1, 0, {I32}}},
        {GALE_CM_BI_RESOURCE_NEW, {1, 1, {I32, I32}}},
        {GALE_CM_BI_RESOURCE_REP, {1, 1, {I32, I32}}},
        {GALE_CM_BI_RESOURCE_DROP, {1, 0, {I32}}},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (tab[i].b == b) {
            *s = tab[i].s;
            return true;
        }
    return false;
}

int cm_builtin_check(cm_binding_t *b, const gale_wasm_functype_t *ft, gale_cm_err_t *err)
{
    gale_cm_builtin_t bi = (gale_cm_builtin_t)b->builtin;
    memset(&b->sig, 0, sizeof b->sig);
    if (bi == GALE_CM_BI_TASK_RETURN) {
        if (ft->n_results != 0)
            return gale_cm_err_set(err, GALE_ELINK, "%s: task.return must have no results", b->label);
        if (b->export_idx >= 0) {
            const gale_cm_export_decl_t *e = &b->comp->world->exports[b->export_idx];
            gale_cm_functype_t rf = {0};
            const gale_cm_type_t *rt[1] = {e->type.result};
            rf.n_params = e->type.result ? 1 : 0;
            rf.params = rt;
            gale_cm_coresig_t s;
            gale_cm_coresig(&rf, GALE_CM_ABI_SYNC_LOWER, &s);
            if (s.n_params != ft->n_params || memcmp(s.types, ft->types, ft->n_params) != 0)
                return gale_cm_err_set(err, GALE_ELINK,
                                       "%s: task.return core type does not match the result type of %s (%u flat values)",
                                       b->label, e->name, (unsigned)s.n_params);
            b->sig = s;
        }
        b->sig.n_params = (uint8_t)ft->n_params;
        memcpy(b->sig.types, ft->types, ft->n_params);
        return 0;
    }
    bsig_t s;
    if (!bsig_of(bi, &s))
        return gale_cm_err_set(err, GALE_ELINK, "%s: built-in %s is not supported", b->label, gale_cm_builtin_name(bi));
    if (ft->n_params != s.np || ft->n_results != s.nr || memcmp(ft->types, s.t, (size_t)s.np + s.nr) != 0)
        return gale_cm_err_set(err, GALE_ELINK, "%s: wrong core type for %s (expected %u params, %u results, all %s)",
                               b->label, gale_cm_builtin_name(bi), (unsigned)s.np, (unsigned)s.nr,
                               (bi == GALE_CM_BI_STREAM_NEW || bi == GALE_CM_BI_FUTURE_NEW) ? "i32 / i64 result" : "i32");
    b->sig.n_params = s.np;
    b->sig.n_results = s.nr;
    memcpy(b->sig.types, s.t, (size_t)s.np + s.nr);
    return 0;
}

/* streams / futures: cm_stream.c */

/* ---- events ---- */

static int materialise_subtask(gale_cm_instance_t *inst, cm_subtask_t *st, gale_cm_err_t *err)
{
    if (st->job_rc < 0)
        return gale_cm_err_set(err, GALE_ETRAP, "async host call %s.%s failed: %s", st->hf->iface, st->hf->name,
                               gale_strerror(st->job_rc));
    if (st->hf->type.result) {
        gale_cm_cx_t cx;
        cm_cx_init(inst, &cx, &inst->arena, err, st->hf->name);
        int rc = gale_cm_store(&cx, &st->result, st->out_ptr, st->hf->type.result);
        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < st->n_lent; i++) {
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, st->lent[i]);
        if (h && h->lends)
            h->lends--;
    }
    st->n_lent = 0;
    st->state = CM_S_RETURNED;
    st->event_pending = true;
    return 0;
}

int cm_find_event(gale_cm_instance_t *inst, uint32_t set, uint32_t *code, uint32_t *p1, uint32_t *p2,
                  gale_cm_err_t *err)
{
    if (!set)
        return 0;
    cm_pend_progress(inst); /* retry pended calls whose watch or deadline fired */
    /* materialise finished host work first (on this thread) */
    for (uint32_t i = 0; i < GALE_CM_MAX_SUBTASKS; i++) {
        cm_subtask_t *st = &inst->subtasks[i];
        if (st->state == CM_S_DONE_HOST) {
            int rc = materialise_subtask(inst, st, err);
            if (rc)
                return rc;
        }
    }
    for (uint32_t i = 1; i < inst->table.cap; i++) {
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, i);
        if (!h || h->wset != set)
            continue;
        if (h->tag == GALE_CM_H_SUBTASK) {
            cm_subtask_t *st = &inst->subtasks[h->rep];
            if (st->event_pending) {
                st->event_pending = false;
                st->resolve_delivered = true;
                *code = GALE_CM_EVENT_SUBTASK, *p1 = i, *p2 = GALE_CM_SUBTASK_RETURNED;
                return 1;
            }
        }
#if GALE_CONFIG_CM_STREAMS
        else if (h->tag >= GALE_CM_H_STREAM_READ && h->tag <= GALE_CM_H_FUTURE_WRITE) {
            int rc = cm_stream_event(inst, i, h, code, p2, err);
            if (rc < 0)
                return rc;
            if (rc == 1) {
                *p1 = i;
                return 1;
            }
        }
#endif
    }
    return 0;
}

static bool set_has_members(gale_cm_instance_t *inst, uint32_t set)
{
    for (uint32_t i = 1; i < inst->table.cap; i++) {
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, i);
        if (h && h->wset == set)
            return true;
    }
    return false;
}

/* ---- dispatcher ---- */

static cm_task_t *cur(gale_cm_instance_t *inst)
{
    return inst->current;
}

int cm_builtin_call(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                    gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    gale_cm_builtin_t bi = (gale_cm_builtin_t)b->builtin;
    const char *nm = gale_cm_builtin_name(bi);
    gale_cm_err_t err = {0};
    if (!inst->may_leave)
        return cm_trap(inst, trap, "%s called from cabi_realloc or post-return (may_leave is false)", nm);
    cm_task_t *t = cur(inst);
    switch (bi) {
    case GALE_CM_BI_CONTEXT_GET: results[0].i32 = t ? t->ctx[b->n] : inst->sync_ctx[b->n]; return 0;
    case GALE_CM_BI_CONTEXT_SET:
        if (t)
            t->ctx[b->n] = args[0].i32;
        else
            inst->sync_ctx[b->n] = args[0].i32;
        return 0;
    case GALE_CM_BI_BACKPRESSURE_INC:
        if (inst->backpressure == 0xffff)
            return cm_trap(inst, trap, "backpressure.inc: counter overflow (65535)");
        inst->backpressure++;
        return 0;
    case GALE_CM_BI_BACKPRESSURE_DEC:
        if (inst->backpressure == 0)
            return cm_trap(inst, trap, "backpressure.dec: counter underflow (already 0)");
        inst->backpressure--;
        return 0;
    case GALE_CM_BI_BACKPRESSURE_SET: inst->backpressure = args[0].i32 ? 1 : 0; return 0;
    case GALE_CM_BI_TASK_RETURN: {
        if (!t)
            return cm_trap(inst, trap, "task.return called outside an async task");
        if (t->resolved)
            return cm_trap(inst, trap, "task.return called twice (or after task.cancel)");
        if (!b->numeric_task_return && b->export_idx != t->exp)
            return cm_trap(inst, trap, "%s: task.return of %s called by a task of %s", b->label,
                           inst->comp->world->exports[b->export_idx].name, inst->comp->exp[t->exp].decl->name);
        if (t->borrows)
            return cm_trap(inst, trap, "task.return with %u borrow handle(s) still held", (unsigned)t->borrows);
        const gale_cm_type_t *rt = inst->comp->exp[t->exp].decl->type.result;
        uint32_t np = b->sig.n_params;
        if (rt) {
            if (b->numeric_task_return) { /* check the guest's shape against the running export */
                gale_cm_functype_t rf = {.n_params = 1, .params = &rt};
                gale_cm_coresig_t s;
                gale_cm_coresig(&rf, GALE_CM_ABI_SYNC_LOWER, &s);
                if (s.n_params != np || memcmp(s.types, b->sig.types, np) != 0)
                    return cm_trap(inst, trap, "%s: core type does not match the result of %s", b->label,
                                   inst->comp->exp[t->exp].decl->name);
            }
            uint64_t flat[GALE_CM_MAX_FLAT_PARAMS];
            for (uint32_t i = 0; i < np; i++)
                flat[i] = b->sig.types[i] == I32 ? args[i].i32 : b->sig.types[i] == 0x7d ? args[i].f32_bits : args[i].i64;
            gale_cm_arena_t *ar = t->result_arena ? t->result_arena : &inst->arena;
            gale_cm_val_t tmp, *dst = t->result_out ? t->result_out : &tmp;
            gale_cm_cx_t cx;
            cm_cx_init(inst, &cx, ar, &err, "task.return");
            int rc = gale_cm_lift_values(&cx, GALE_CM_MAX_FLAT_PARAMS, flat, np, &rt, 1, dst);
            if (rc)
                return cm_trap(inst, trap, "%s", err.message);
            t->result_set = true;
        } else if (np != 0) {
            return cm_trap(inst, trap, "%s: the export has no result", b->label);
        }
        t->resolved = true;
        return 0;
    }
    case GALE_CM_BI_TASK_CANCEL:
        if (!t)
            return cm_trap(inst, trap, "task.cancel called outside an async task");
        if (!t->cancel_delivered || t->resolved)
            return cm_trap(inst, trap, "task.cancel before TASK_CANCELLED was delivered (or after task.return)");
        t->resolved = true;
        return 0;
    case GALE_CM_BI_WAITABLE_SET_NEW: {
        uint32_t k;
        for (k = 0; k < GALE_CM_MAX_SETS && inst->sets[k].used; k++)
            ;
        if (k == GALE_CM_MAX_SETS)
            return cm_trap(inst, trap, "waitable-set.new: too many sets (GALE_CM_MAX_SETS %d)", GALE_CM_MAX_SETS);
        gale_cm_handle_t h = {.tag = GALE_CM_H_WAITABLE_SET, .rep = k};
        uint32_t idx = gale_cm_table_add(&inst->table, &h);
        if (!idx)
            return cm_trap(inst, trap, "waitable-set.new: handle table full");
        inst->sets[k].used = true;
        inst->sets[k].handle = idx;
        inst->sets[k].waiters = 0;
        results[0].i32 = idx;
        return 0;
    }
    case GALE_CM_BI_WAITABLE_SET_WAIT:
    case GALE_CM_BI_WAITABLE_SET_POLL: {
        uint32_t set = args[0].i32, ptr = args[1].i32;
        gale_cm_handle_t *h = gale_cm_table_get_tag(&inst->table, set, GALE_CM_H_WAITABLE_SET, nm, &err);
        if (!h)
            return cm_trap(inst, trap, "%s", err.message);
        gale_cm_cx_t cx;
        cm_cx_init(inst, &cx, &inst->arena, &err, nm);
        if (gale_cm_check_range(&cx, ptr, 8, 4, "event out-pointer"))
            return cm_trap(inst, trap, "%s", err.message);
        uint32_t code = 0, p1 = 0, p2 = 0;
        for (;;) {
            if (t && t->cancel_requested && !t->cancel_delivered && b->cancellable) {
                t->cancel_delivered = true;
                code = GALE_CM_EVENT_TASK_CANCELLED;
                break;
            }
            uint32_t seq = inst->notify_seq;
            int rc = cm_find_event(inst, set, &code, &p1, &p2, &err);
            if (rc < 0)
                return cm_trap(inst, trap, "%s", err.message);
            if (rc == 1 || bi == GALE_CM_BI_WAITABLE_SET_POLL)
                break;
            if (!set_has_members(inst, set))
                return cm_trap(inst, trap, "waitable-set.wait on set %u that has no waitables (would block forever)",
                               (unsigned)set);
            inst->sets[h->rep].waiters++;
            if (seq == inst->notify_seq)
                cm_sched_wait(inst);
            inst->sets[h->rep].waiters--;
        }
        cm_cx_init(inst, &cx, &inst->arena, &err, nm); /* memory may have grown */
        if (gale_cm_check_range(&cx, ptr, 8, 4, "event out-pointer"))
            return cm_trap(inst, trap, "%s", err.message);
        for (int i = 0; i < 4; i++) {
            cx.mem[ptr + i] = (uint8_t)(p1 >> (8 * i));
            cx.mem[ptr + 4 + i] = (uint8_t)(p2 >> (8 * i));
        }
        if (code)
            inst->stats.events_delivered++;
        results[0].i32 = code;
        return 0;
    }
    case GALE_CM_BI_WAITABLE_SET_DROP: {
        gale_cm_handle_t *h = gale_cm_table_get_tag(&inst->table, args[0].i32, GALE_CM_H_WAITABLE_SET, nm, &err);
        if (!h)
            return cm_trap(inst, trap, "%s", err.message);
        if (set_has_members(inst, args[0].i32) || inst->sets[h->rep].waiters)
            return cm_trap(inst, trap, "waitable-set.drop: set %u still has waitables or waiters", (unsigned)args[0].i32);
        for (uint32_t i = 0; i < GALE_CM_MAX_TASKS; i++)
            if (inst->tasks[i].state == CM_T_RUNNING && inst->tasks[i].wait_set == args[0].i32 && &inst->tasks[i] != t)
                return cm_trap(inst, trap, "waitable-set.drop: a task waits on set %u", (unsigned)args[0].i32);
        inst->sets[h->rep].used = false;
        gale_cm_table_remove(&inst->table, args[0].i32);
        return 0;
    }
    case GALE_CM_BI_WAITABLE_JOIN: {
        uint32_t w = args[0].i32, set = args[1].i32;
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, w);
        if (!h || !(h->tag == GALE_CM_H_SUBTASK || (h->tag >= GALE_CM_H_STREAM_READ && h->tag <= GALE_CM_H_FUTURE_WRITE)))
            return cm_trap(inst, trap, "waitable.join: handle %u is not a waitable (%s)", (unsigned)w,
                           h ? gale_cm_handle_tag_name(h->tag) : "not live");
        if (set != 0 && !gale_cm_table_get_tag(&inst->table, set, GALE_CM_H_WAITABLE_SET, nm, &err))
            return cm_trap(inst, trap, "%s", err.message);
        h->wset = set;
        return 0;
    }
    case GALE_CM_BI_SUBTASK_DROP: {
        gale_cm_handle_t *h = gale_cm_table_get_tag(&inst->table, args[0].i32, GALE_CM_H_SUBTASK, nm, &err);
        if (!h)
            return cm_trap(inst, trap, "%s", err.message);
        cm_subtask_t *st = &inst->subtasks[h->rep];
        if (!st->resolve_delivered)
            return cm_trap(inst, trap, "subtask.drop: subtask %u has not resolved (or its event was not delivered)",
                           (unsigned)args[0].i32);
        st->state = CM_S_FREE;
        gale_cm_table_remove(&inst->table, args[0].i32);
        return 0;
    }
    case GALE_CM_BI_SUBTASK_CANCEL: {
        gale_cm_handle_t *h = gale_cm_table_get_tag(&inst->table, args[0].i32, GALE_CM_H_SUBTASK, nm, &err);
        if (!h)
            return cm_trap(inst, trap, "%s", err.message);
        cm_subtask_t *st = &inst->subtasks[h->rep];
        if (st->resolve_delivered)
            return cm_trap(inst, trap, "subtask.cancel: subtask %u already resolved and delivered", (unsigned)args[0].i32);
        /* Stop the host work if the scheduler can (a queued job is dropped, a
         * worker blocked in the kernel has its wait aborted: the host function
         * sees GALE_ECANCELED and returns); its result is then not written and
         * the guest gets CANCELLED_BEFORE_RETURNED. Otherwise (the host work
         * finished, or cannot be interrupted) wait for it and report RETURNED. */
        const gale_cm_sched_ops_t *so = &inst->comp->sched;
        cm_pend_cancel(st); /* a pended call is unhooked, not retried: nothing consumed */
        if (st->state == CM_S_STARTED && so->cancel && !st->cancelled) {
            for (int tries = 0; st->state == CM_S_STARTED; tries++) {
                int rc = so->cancel(st, so->ctx);
                if (rc == 1) { /* never started: it will not run */
                    st->job_rc = GALE_ECANCELED;
                    st->state = CM_S_DONE_HOST;
                    st->cancelled = true;
                    break;
                }
                if (rc == 0) {
                    st->cancelled = true;
                    break;
                }
                if (rc == GALE_ENOENT || !gale_kernel_thread_self() || tries >= 1000)
                    break;
                gale_kernel_sleep(GALE_TICKS(1)); /* running, not blocked yet: let it get there */
            }
        }
        while (st->state == CM_S_STARTED)
            cm_sched_wait(inst);
        if (st->cancelled) {
            for (uint32_t i = 0; i < st->n_lent; i++) {
                gale_cm_handle_t *lh = gale_cm_table_get(&inst->table, st->lent[i]);
                if (lh && lh->lends)
                    lh->lends--;
            }
            st->n_lent = 0;
            st->state = CM_S_RETURNED;
            st->event_pending = false;
            st->resolve_delivered = true;
            results[0].i32 = GALE_CM_SUBTASK_CANCELLED_BEFORE_RETURNED;
            return 0;
        }
        if (st->state == CM_S_DONE_HOST && materialise_subtask(inst, st, &err))
            return cm_trap(inst, trap, "%s", err.message);
        st->event_pending = false;
        st->resolve_delivered = true;
        results[0].i32 = GALE_CM_SUBTASK_RETURNED;
        return 0;
    }
    case GALE_CM_BI_THREAD_YIELD:
        results[0].i32 = (t && t->cancel_requested && b->cancellable) ? 1 : 0;
        return 0;
#if GALE_CONFIG_CM_STREAMS
    case GALE_CM_BI_STREAM_NEW: case GALE_CM_BI_FUTURE_NEW:
    case GALE_CM_BI_STREAM_READ: case GALE_CM_BI_STREAM_WRITE:
    case GALE_CM_BI_FUTURE_READ: case GALE_CM_BI_FUTURE_WRITE:
    case GALE_CM_BI_STREAM_CANCEL_READ: case GALE_CM_BI_STREAM_CANCEL_WRITE:
    case GALE_CM_BI_FUTURE_CANCEL_READ: case GALE_CM_BI_FUTURE_CANCEL_WRITE:
    case GALE_CM_BI_STREAM_DROP_READABLE: case GALE_CM_BI_STREAM_DROP_WRITABLE:
    case GALE_CM_BI_FUTURE_DROP_READABLE: case GALE_CM_BI_FUTURE_DROP_WRITABLE:
        return cm_stream_builtin(inst, b, args, results, trap);
#endif
    case GALE_CM_BI_RESOURCE_NEW: {
        gale_cm_handle_t h = {.tag = GALE_CM_H_OWN, .type = (uint16_t)b->resource, .rep = args[0].i32};
        uint32_t idx = gale_cm_table_add(&inst->table, &h);
        if (!idx)
            return cm_trap(inst, trap, "resource.new: handle table full");
        results[0].i32 = idx;
        return 0;
    }
    case GALE_CM_BI_RESOURCE_REP: {
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, args[0].i32);
        if (!h || (h->tag != GALE_CM_H_OWN && h->tag != GALE_CM_H_BORROW) || h->type != (uint16_t)b->resource)
            return cm_trap(inst, trap, "%s: handle %u is not a handle of this resource", b->label, (unsigned)args[0].i32);
        results[0].i32 = h->rep;
        return 0;
    }
    case GALE_CM_BI_RESOURCE_DROP: {
        uint32_t idx = args[0].i32;
        gale_cm_handle_t *h = gale_cm_table_get(&inst->table, idx);
        if (!h || (h->tag != GALE_CM_H_OWN && h->tag != GALE_CM_H_BORROW))
            return cm_trap(inst, trap, "%s: handle %u is not a live resource handle (%s)", b->label, (unsigned)idx,
                           h ? gale_cm_handle_tag_name(h->tag) : "dropped or never created");
        if (h->type != (uint16_t)b->resource)
            return cm_trap(inst, trap, "%s: handle %u is a handle of another resource type", b->label, (unsigned)idx);
        if (h->tag == GALE_CM_H_BORROW) {
            if (t && t->borrows)
                t->borrows--;
            gale_cm_table_remove(&inst->table, idx);
            return 0;
        }
        if (h->lends)
            return cm_trap(inst, trap, "%s: handle %u is lent to %u pending call(s)", b->label, (unsigned)idx,
                           (unsigned)h->lends);
        uint32_t rep = h->rep, ty = h->type;
        gale_cm_table_remove(&inst->table, idx);
        if (ty >= GALE_CM_GUEST_RES_BASE) {
            uint32_t k = ty - GALE_CM_GUEST_RES_BASE;
            gale_wasm_extern_t e;
            const gale_wasm_engine_t *eng = inst->comp->eng;
            if (k < inst->comp->n_guest_res && eng->instance_export(inst->wi, inst->comp->guest_res[k].dtor, &e) == 0 &&
                e.kind == GALE_WASM_EXTERN_FUNC) {
                gale_wasm_val_t a[1];
                a[0].i64 = 0;
                a[0].i32 = rep;
                return cm_guest_call(inst, e.u.func, a, 1, NULL, 0, inst->comp->guest_res[k].dtor, &err) ? GALE_ETRAP : 0;
            }
            return 0;
        }
        const gale_cm_world_t *w = inst->comp->world;
        if (w && ty < w->n_resources && w->resources[ty].dtor)
            w->resources[ty].dtor(inst, w->resources[ty].env, rep);
        return 0;
    }
    default: return cm_trap(inst, trap, "%s: built-in %s is not supported", b->label, nm);
    }
}
