/* Canonical-ABI streams and futures: rendezvous copies between the parked
 * ops of the two ends, ends held by guests (handle tables) or by the host
 * (gale_cm_end_*), and the transfer of readable ends across the boundary.
 *
 * Who copies: an op parks its buffer; when both ends have an op parked, the
 * copy runs on the reader's side: the reader guest's instance thread (it may
 * call the reader's cabi_realloc for strings/lists inside elements), or,
 * when the host reads, whichever thread parked second. A writer that finds
 * a guest reader of another instance parked only notifies it; the reader
 * copies when it next looks for events (waitable-set wait/poll, the task
 * driver, a cancel). Both ops complete after one copy (the spec's rule); the
 * op that arrived second gets its result at once when its caller copied. */
#include <string.h>

#include "cm_internal.h"

cm_stream_t cm_g_streams[CM_N_STREAMS];
#define g_streams cm_g_streams

typedef struct cm_end cm_end_t;

static int end_of_tag(uint8_t tag)
{
    return (tag == GALE_CM_H_STREAM_READ || tag == GALE_CM_H_FUTURE_READ) ? 0 : 1;
}

static bool is_number(const gale_cm_type_t *t)
{
    return !t || (t->kind >= GALE_CM_BOOL && t->kind <= GALE_CM_CHAR);
}

static uint32_t host_id(uint32_t si, int end)
{
    return ((si << 1) | (uint32_t)end) + 1u;
}

static cm_stream_t *host_end(uint32_t id, int want_end, int *end)
{
    if (id == 0 || id > 2u * CM_N_STREAMS)
        return NULL;
    uint32_t x = id - 1u, si = x >> 1;
    int e = (int)(x & 1u);
    cm_stream_t *s = &g_streams[si];
    if (!s->used || s->meld || !s->end[e].host || s->end[e].dropped || (want_end >= 0 && e != want_end))
        return NULL;
    *end = e;
    return s;
}

uint32_t gale_cm_stream_count(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < CM_N_STREAMS; i++)
        n += g_streams[i].used ? 1u : 0u;
    return n;
}

/* ---- completion / notification ---- */

typedef struct {
    gale_cm_instance_t *inst[2];
    gale_cm_end_notify_fn fn[2];
    void *arg[2];
    uint32_t id[2];
} cm_wake_t;

/* Completes the parked op of end e (lock held): the result becomes its
 * pending event (guest) or its result (host); whom to wake goes to w. */
static void complete(cm_stream_t *s, uint32_t si, int e, uint32_t result, cm_wake_t *w)
{
    cm_end_t *x = &s->end[e];
    x->state = (s->is_future && result == GALE_CM_COPY_COMPLETED) || result == GALE_CM_COPY_DROPPED ? CM_E_DONE
                                                                                                     : CM_E_IDLE;
    x->event_pending = true;
    x->event_payload = s->is_future ? result : (result | (x->done << 4));
    if (x->host) {
        w->fn[e] = x->hfn;
        w->arg[e] = x->harg;
        w->id[e] = host_id(si, e);
    } else {
        w->inst[e] = x->inst;
    }
}

static void wake_all(const cm_wake_t *w, gale_cm_instance_t *self)
{
    for (int e = 0; e < 2; e++) {
        if (w->fn[e])
            w->fn[e](w->id[e], w->arg[e]);
        if (w->inst[e] && w->inst[e] != self)
            gale_cm_notify(w->inst[e]);
        else if (w->inst[e])
            w->inst[e]->notify_seq++;
    }
}

/* ---- the copy ---- */

/* Copies k elements from the writer's parked op to the reader's (both parked,
 * s->copying claimed, lock not held). */
static int copy_elems(cm_stream_t *s, uint32_t k, gale_cm_err_t *err)
{
    const gale_cm_type_t *et = s->elem;
    uint32_t sz = s->elem_size, al = s->elem_align ? s->elem_align : 1;
    cm_end_t *rd = &s->end[0], *wr = &s->end[1];
    if (k == 0 || sz == 0)
        return 0;
    if (!rd->host && !wr->host) {
        gale_cm_instance_t *ri = rd->inst, *wi = wr->inst;
        uint32_t rp = rd->ptr + rd->done * sz, wp = wr->ptr + wr->done * sz;
        gale_cm_cx_t rcx, wcx;
        cm_cx_init(ri, &rcx, &ri->arena, err, "stream copy (reader buffer)");
        cm_cx_init(wi, &wcx, &ri->arena, err, "stream copy (writer buffer)");
        if (is_number(et)) {
            if (gale_cm_check_range(&rcx, rp, (uint64_t)k * sz, al, "buffer") ||
                gale_cm_check_range(&wcx, wp, (uint64_t)k * sz, al, "buffer"))
                return GALE_ETRAP;
            memmove(rcx.mem + rp, wcx.mem + wp, (size_t)k * sz);
            return 0;
        }
        if (ri == wi)
            return gale_cm_err_set(err, GALE_ETRAP,
                                   "stream/future of %s with both ends in one instance (the spec allows numbers only)",
                                   gale_cm_kind_name(et->kind));
        size_t mark = ri->arena.used;
        for (uint32_t i = 0; i < k; i++) {
            gale_cm_val_t v;
            ri->arena.used = mark;
            int rc = gale_cm_load(&wcx, wp + i * sz, et, &v);
            if (rc == 0)
                rc = gale_cm_store(&rcx, &v, rp + i * sz, et); /* reader's cabi_realloc */
            if (rc) {
                ri->arena.used = mark;
                return rc;
            }
        }
        ri->arena.used = mark;
        return 0;
    }
    if (rd->host && wr->host) {
        memcpy(rd->hout + rd->done, wr->hvals + wr->done, (size_t)k * sizeof(gale_cm_val_t));
        return 0;
    }
    if (rd->host) { /* guest writer -> host values */
        gale_cm_cx_t wcx;
        cm_cx_init(wr->inst, &wcx, rd->harena, err, "stream copy to the host");
        for (uint32_t i = 0; i < k; i++) {
            int rc = gale_cm_load(&wcx, wr->ptr + (wr->done + i) * sz, et, &rd->hout[rd->done + i]);
            if (rc)
                return rc;
        }
        return 0;
    }
    gale_cm_cx_t rcx; /* host values -> guest reader */
    cm_cx_init(rd->inst, &rcx, &rd->inst->arena, err, "stream copy from the host");
    for (uint32_t i = 0; i < k; i++) {
        int rc = gale_cm_store(&rcx, &wr->hvals[wr->done + i], rd->ptr + (rd->done + i) * sz, et);
        if (rc)
            return rc;
    }
    return 0;
}

/* If both ends have an op parked and the caller may copy (the reader is the
 * host, or the reader is the guest `self`): copy and complete both. Returns 1
 * copied, 0 not now, < 0 the copy failed (err; both ops end DROPPED). If the
 * reader is another guest, it is notified instead. */
static int pump(cm_stream_t *s, gale_cm_instance_t *self, gale_cm_err_t *err)
{
    uint32_t si = (uint32_t)(s - g_streams);
    cm_wake_t w;
    memset(&w, 0, sizeof w);
    unsigned int key = gale_kernel_irq_lock();
    cm_end_t *rd = &s->end[0], *wr = &s->end[1];
    if (!s->used || s->copying || rd->state != CM_E_COPYING || wr->state != CM_E_COPYING) {
        gale_kernel_irq_unlock(key);
        return 0;
    }
    if (!rd->host && rd->inst != self) {
        gale_cm_instance_t *ri = rd->inst;
        gale_kernel_irq_unlock(key);
        if (ri)
            gale_cm_notify(ri);
        return 0;
    }
    s->copying = true;
    uint32_t a = rd->n - rd->done, b = wr->n - wr->done, k = a < b ? a : b;
    if (s->is_future)
        k = 1;
    gale_kernel_irq_unlock(key);
    /* The copy may read another instance's memory, which that instance's
     * thread could move by growing it: no other thread of this core runs
     * meanwhile (docs/cm.md: on several cores sharing one stream, the writer
     * must not grow its memory while a write is parked). */
    bool locked = gale_kernel_thread_self() != NULL;
    if (locked)
        gale_kernel_sched_lock();
    int rc = copy_elems(s, k, err);
    if (locked)
        gale_kernel_sched_unlock();
    key = gale_kernel_irq_lock();
    s->copying = false;
    if (rc == 0) {
        rd->done += k;
        wr->done += k;
        complete(s, si, 0, GALE_CM_COPY_COMPLETED, &w);
        complete(s, si, 1, GALE_CM_COPY_COMPLETED, &w);
    } else {
        complete(s, si, 0, GALE_CM_COPY_DROPPED, &w);
        complete(s, si, 1, GALE_CM_COPY_DROPPED, &w);
    }
    gale_kernel_irq_unlock(key);
    wake_all(&w, self);
    return rc ? rc : 1;
}

/* Parks op (end e) — lock not held — then copies if the peer waits. Returns
 * the packed result when the op completed at once, GALE_CM_BLOCKED when it
 * waits, or < 0 when the copy failed (err). */
static int64_t park_and_pump(cm_stream_t *s, int e, gale_cm_instance_t *self, gale_cm_err_t *err)
{
    int pe = 1 - e;
    unsigned int key = gale_kernel_irq_lock();
    cm_end_t *x = &s->end[e];
    if (s->end[pe].dropped) {
        x->state = CM_E_DONE;
        gale_kernel_irq_unlock(key);
        return GALE_CM_COPY_DROPPED;
    }
    x->state = CM_E_COPYING;
    x->event_pending = false;
    gale_kernel_irq_unlock(key);
    int rc = pump(s, self, err);
    if (rc < 0)
        return rc;
    key = gale_kernel_irq_lock();
    if (x->event_pending) { /* completed by this very call */
        x->event_pending = false;
        uint32_t r = x->event_payload;
        gale_kernel_irq_unlock(key);
        return r;
    }
    gale_kernel_irq_unlock(key);
    return GALE_CM_BLOCKED;
}

/* ---- guest built-ins ---- */

static cm_stream_t *stream_of(gale_cm_instance_t *inst, uint32_t handle, uint8_t tag, int *end, const char *what,
                              gale_wasm_trap_t *trap, int *rc)
{
    gale_cm_err_t err = {0};
    gale_cm_handle_t *h = gale_cm_table_get_tag(&inst->table, handle, tag, what, &err);
    if (!h) {
        *rc = cm_trap(inst, trap, "%s", err.message);
        return NULL;
    }
    *end = end_of_tag(tag);
    if (g_streams[h->rep].meld) {
        *rc = cm_trap(inst, trap, "%s: handle %u is a pulseengine:async stream/future (use meld's intrinsics on it)", what,
                      (unsigned)handle);
        return NULL;
    }
    return &g_streams[h->rep];
}

static int guest_rw(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                    gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    gale_cm_builtin_t bi = (gale_cm_builtin_t)b->builtin;
    const char *nm = gale_cm_builtin_name(bi);
    bool fut = bi == GALE_CM_BI_FUTURE_READ || bi == GALE_CM_BI_FUTURE_WRITE;
    bool rd = bi == GALE_CM_BI_STREAM_READ || bi == GALE_CM_BI_FUTURE_READ;
    uint8_t tag = fut ? (rd ? GALE_CM_H_FUTURE_READ : GALE_CM_H_FUTURE_WRITE)
                      : (rd ? GALE_CM_H_STREAM_READ : GALE_CM_H_STREAM_WRITE);
    int end = 0, rc = 0;
    cm_stream_t *s = stream_of(inst, args[0].i32, tag, &end, nm, trap, &rc);
    if (!s)
        return rc;
    uint32_t ptr = args[1].i32, n = fut ? 1 : args[2].i32;
    cm_end_t *x = &s->end[end];
    if (b->stream_typed && s->typed &&
        !((b->stream_elem == NULL && s->elem == NULL) ||
          (b->stream_elem && s->elem && gale_cm_type_equal(b->stream_elem, s->elem))))
        return cm_trap(inst, trap, "%s: handle %u carries %s elements, this built-in %s", nm, (unsigned)args[0].i32,
                       s->elem ? gale_cm_kind_name(s->elem->kind) : "no",
                       b->stream_elem ? gale_cm_kind_name(b->stream_elem->kind) : "none");
    if (x->state != CM_E_IDLE || x->event_pending)
        return cm_trap(inst, trap, "%s: end %u is not idle (%s)", nm, (unsigned)args[0].i32,
                       x->state == CM_E_DONE ? "the stream is done: only drop is allowed"
                                             : "a copy is in flight or its event is undelivered");
    if (n > GALE_CM_MAX_LENGTH)
        return cm_trap(inst, trap, "%s: length %u exceeds 2^28-1", nm, (unsigned)n);
    gale_cm_err_t err = {0};
    gale_cm_cx_t cx;
    cm_cx_init(inst, &cx, &inst->arena, &err, nm);
    if (gale_cm_check_range(&cx, ptr, (uint64_t)n * s->elem_size, s->elem_align ? s->elem_align : 1, "buffer"))
        return cm_trap(inst, trap, "%s", err.message);
    x->ptr = ptr;
    x->n = n;
    x->done = 0;
    int64_t r = park_and_pump(s, end, inst, &err);
    if (r < 0)
        return cm_trap(inst, trap, "%s: %s", nm, err.message);
    results[0].i32 = (uint32_t)r;
    return 0;
}

cm_stream_t *cm_stream_claim(bool is_future)
{
    for (uint32_t si = 0; si < CM_N_STREAMS; si++)
        if (!g_streams[si].used) {
            cm_stream_t *s = &g_streams[si];
            memset(s, 0, sizeof *s);
            s->used = true;
            s->ring = -1;
            s->is_future = is_future;
            return s;
        }
    return NULL;
}

static int guest_new(gale_cm_instance_t *inst, const cm_binding_t *b, gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    bool fut = b->builtin == GALE_CM_BI_FUTURE_NEW;
    const char *nm = gale_cm_builtin_name((gale_cm_builtin_t)b->builtin);
    unsigned int key = gale_kernel_irq_lock();
    cm_stream_t *s = cm_stream_claim(fut);
    gale_kernel_irq_unlock(key);
    if (!s)
        return cm_trap(inst, trap, "%s: too many streams/futures (%d)", nm, CM_N_STREAMS);
    uint32_t si = (uint32_t)(s - g_streams);
    /* Element type: the K-th stream/future of the function (resolved at link
     * time). Without type information (unit, or meld output) elements are
     * single bytes. */
    const gale_cm_type_t *et = b->stream_typed ? b->stream_elem : NULL;
    s->elem = et;
    s->typed = b->stream_typed;
    s->elem_size = et ? gale_cm_type_size(et) : (b->stream_typed ? 0 : 1);
    s->elem_align = et ? gale_cm_type_align(et) : 1;
    gale_cm_handle_t hr = {.tag = fut ? GALE_CM_H_FUTURE_READ : GALE_CM_H_STREAM_READ, .rep = si};
    gale_cm_handle_t hw = {.tag = fut ? GALE_CM_H_FUTURE_WRITE : GALE_CM_H_STREAM_WRITE, .rep = si};
    uint32_t r = gale_cm_table_add(&inst->table, &hr);
    uint32_t w = r ? gale_cm_table_add(&inst->table, &hw) : 0;
    if (!w) {
        if (r)
            gale_cm_table_remove(&inst->table, r);
        s->used = false;
        return cm_trap(inst, trap, "%s: handle table full", nm);
    }
    s->end[0].inst = inst, s->end[0].handle = r;
    s->end[1].inst = inst, s->end[1].handle = w;
    results[0].i64 = (uint64_t)r | ((uint64_t)w << 32);
    return 0;
}

/* Cancel of the op of end e: packed result (CANCELLED, or the result if it
 * completed meanwhile). Lock not held; returns -1 if there is no op. */
static int64_t cancel_op(cm_stream_t *s, int e, gale_cm_instance_t *self, gale_cm_err_t *err)
{
    if (e == 0) {
        int rc = pump(s, self, err); /* a copy that can run now completes the read */
        if (rc < 0)
            return rc;
    }
    cm_end_t *x = &s->end[e];
    for (;;) {
        unsigned int key = gale_kernel_irq_lock();
        if (x->event_pending) {
            x->event_pending = false;
            uint32_t r = x->event_payload;
            gale_kernel_irq_unlock(key);
            return r;
        }
        if (x->state != CM_E_COPYING) {
            gale_kernel_irq_unlock(key);
            return -1;
        }
        if (!s->copying) {
            x->state = CM_E_IDLE;
            uint32_t r = s->is_future ? GALE_CM_COPY_CANCELLED : (GALE_CM_COPY_CANCELLED | (x->done << 4));
            gale_kernel_irq_unlock(key);
            return r;
        }
        gale_kernel_irq_unlock(key); /* the reader's thread copies right now: let it finish */
        if (gale_kernel_thread_self())
            gale_kernel_yield();
    }
}

static int guest_cancel(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                        gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    gale_cm_builtin_t bi = (gale_cm_builtin_t)b->builtin;
    uint8_t tag = bi == GALE_CM_BI_STREAM_CANCEL_READ    ? GALE_CM_H_STREAM_READ
                  : bi == GALE_CM_BI_STREAM_CANCEL_WRITE ? GALE_CM_H_STREAM_WRITE
                  : bi == GALE_CM_BI_FUTURE_CANCEL_READ  ? GALE_CM_H_FUTURE_READ
                                                         : GALE_CM_H_FUTURE_WRITE;
    int end = 0, rc = 0;
    cm_stream_t *s = stream_of(inst, args[0].i32, tag, &end, gale_cm_builtin_name(bi), trap, &rc);
    if (!s)
        return rc;
    gale_cm_err_t err = {0};
    int64_t r = cancel_op(s, end, inst, &err);
    if (r == -1)
        return cm_trap(inst, trap, "%s: no copy in flight on handle %u", gale_cm_builtin_name(bi), (unsigned)args[0].i32);
    if (r < 0)
        return cm_trap(inst, trap, "%s: %s", gale_cm_builtin_name(bi), err.message);
    results[0].i32 = (uint32_t)r;
    return 0;
}

static int guest_drop(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                      gale_wasm_trap_t *trap)
{
    gale_cm_builtin_t bi = (gale_cm_builtin_t)b->builtin;
    uint8_t tag = bi == GALE_CM_BI_STREAM_DROP_READABLE    ? GALE_CM_H_STREAM_READ
                  : bi == GALE_CM_BI_STREAM_DROP_WRITABLE  ? GALE_CM_H_STREAM_WRITE
                  : bi == GALE_CM_BI_FUTURE_DROP_READABLE  ? GALE_CM_H_FUTURE_READ
                                                           : GALE_CM_H_FUTURE_WRITE;
    int end = 0, rc = 0;
    cm_stream_t *s = stream_of(inst, args[0].i32, tag, &end, gale_cm_builtin_name(bi), trap, &rc);
    if (!s)
        return rc;
    if (s->end[end].state == CM_E_COPYING)
        return cm_trap(inst, trap, "%s: a copy is in flight on handle %u", gale_cm_builtin_name(bi), (unsigned)args[0].i32);
    gale_cm_handle_t *h = gale_cm_table_get(&inst->table, args[0].i32);
    if (h && h->wset)
        return cm_trap(inst, trap, "%s: handle %u is still in a waitable set", gale_cm_builtin_name(bi),
                       (unsigned)args[0].i32);
    if (bi == GALE_CM_BI_FUTURE_DROP_WRITABLE && s->end[1].state != CM_E_DONE && !s->end[0].dropped)
        return cm_trap(inst, trap, "future.drop-writable: the value was never written and the reader is alive");
    cm_stream_end_release(inst, args[0].i32);
    return 0;
}

int cm_stream_builtin(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                      gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    switch ((gale_cm_builtin_t)b->builtin) {
    case GALE_CM_BI_STREAM_NEW:
    case GALE_CM_BI_FUTURE_NEW: return guest_new(inst, b, results, trap);
    case GALE_CM_BI_STREAM_READ:
    case GALE_CM_BI_STREAM_WRITE:
    case GALE_CM_BI_FUTURE_READ:
    case GALE_CM_BI_FUTURE_WRITE: return guest_rw(inst, b, args, results, trap);
    case GALE_CM_BI_STREAM_CANCEL_READ:
    case GALE_CM_BI_STREAM_CANCEL_WRITE:
    case GALE_CM_BI_FUTURE_CANCEL_READ:
    case GALE_CM_BI_FUTURE_CANCEL_WRITE: return guest_cancel(inst, b, args, results, trap);
    default: return guest_drop(inst, b, args, trap);
    }
}

int cm_stream_event(gale_cm_instance_t *inst, uint32_t idx, gale_cm_handle_t *h, uint32_t *code, uint32_t *p2,
                    gale_cm_err_t *err)
{
    (void)idx;
    if (h->rep >= CM_N_STREAMS)
        return 0;
    cm_stream_t *s = &g_streams[h->rep];
    int e = end_of_tag(h->tag);
    if (s->meld) {
        unsigned int key = gale_kernel_irq_lock();
        bool ready = cm_meld_ready(s, e, code, p2);
        gale_kernel_irq_unlock(key);
        return ready ? 1 : 0;
    }
    if (e == 0) {
        int rc = pump(s, inst, err);
        if (rc < 0)
            return rc;
    }
    unsigned int key = gale_kernel_irq_lock();
    if (!s->end[e].event_pending) {
        gale_kernel_irq_unlock(key);
        return 0;
    }
    s->end[e].event_pending = false;
    static const uint32_t codes[4] = {GALE_CM_EVENT_STREAM_READ, GALE_CM_EVENT_STREAM_WRITE, GALE_CM_EVENT_FUTURE_READ,
                                      GALE_CM_EVENT_FUTURE_WRITE};
    *code = codes[h->tag - GALE_CM_H_STREAM_READ];
    *p2 = s->end[e].event_payload;
    gale_kernel_irq_unlock(key);
    return 1;
}

void cm_stream_end_release(gale_cm_instance_t *inst, uint32_t idx)
{
    gale_cm_handle_t *h = gale_cm_table_get(&inst->table, idx);
    if (!h || h->tag < GALE_CM_H_STREAM_READ || h->tag > GALE_CM_H_FUTURE_WRITE || h->rep >= CM_N_STREAMS)
        return;
    uint32_t si = h->rep;
    cm_stream_t *s = &g_streams[si];
    int end = end_of_tag(h->tag), pe = 1 - end;
    cm_wake_t w;
    memset(&w, 0, sizeof w);
    gale_cm_instance_t *armed = NULL;
    unsigned int key = gale_kernel_irq_lock();
    gale_cm_table_remove(&inst->table, idx);
    s->end[end].dropped = true;
    s->end[end].inst = NULL;
    s->end[end].armed = false;
    s->end[end].state = CM_E_DONE;
    if (s->meld) {
        if (s->end[pe].armed)
            armed = s->end[pe].inst;
    } else if (s->end[pe].state == CM_E_COPYING && !s->copying) {
        complete(s, si, pe, GALE_CM_COPY_DROPPED, &w);
    }
    if (s->end[pe].dropped) {
        cm_meld_free(s);
        s->used = false;
    }
    gale_kernel_irq_unlock(key);
    wake_all(&w, inst);
    if (armed && armed != inst)
        gale_cm_notify(armed);
    else if (armed)
        armed->notify_seq++;
}

/* ---- transfer across the boundary ---- */

int cm_end_lift(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t handle, uint32_t *out)
{
    gale_cm_instance_t *inst = cx->user;
    const char *what = cx->what ? cx->what : "stream/future";
    bool fut = t->kind == GALE_CM_FUTURE;
    uint8_t want = fut ? GALE_CM_H_FUTURE_READ : GALE_CM_H_STREAM_READ;
    gale_cm_handle_t *h = gale_cm_table_get(&inst->table, handle);
    if (!h)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: %s handle %u is not live", what, gale_cm_kind_name(t->kind),
                               (unsigned)handle);
    if (h->tag == (fut ? GALE_CM_H_FUTURE_WRITE : GALE_CM_H_STREAM_WRITE))
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle %u is a writable %s end (only readable ends are passed)",
                               what, (unsigned)handle, gale_cm_kind_name(t->kind));
    if (h->tag != want)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle %u is a %s, not a readable %s end", what,
                               (unsigned)handle, gale_cm_handle_tag_name(h->tag), gale_cm_kind_name(t->kind));
    cm_stream_t *s = &g_streams[h->rep];
    if (s->meld)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle %u is a pulseengine:async %s (it cannot be passed)",
                               what, (unsigned)handle, gale_cm_kind_name(t->kind));
    if (s->typed && !((s->elem == NULL && t->elem == NULL) ||
                      (s->elem && t->elem && gale_cm_type_equal(s->elem, t->elem))))
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: %s end %u carries %s, the type expects %s", what,
                               gale_cm_kind_name(t->kind), (unsigned)handle,
                               s->elem ? gale_cm_kind_name(s->elem->kind) : "nothing",
                               t->elem ? gale_cm_kind_name(t->elem->kind) : "nothing");
    if (s->end[0].state == CM_E_COPYING || s->end[0].event_pending)
        return gale_cm_err_set(cx->err, GALE_ETRAP,
                               "%s: readable %s end %u cannot be transferred while a read is in flight", what,
                               gale_cm_kind_name(t->kind), (unsigned)handle);
    if (s->end[0].state == CM_E_DONE)
        return gale_cm_err_set(cx->err, GALE_ETRAP,
                               "%s: readable %s end %u is done (only drop is allowed; it cannot be transferred)", what,
                               gale_cm_kind_name(t->kind), (unsigned)handle);
    if (h->wset)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: readable %s end %u is in waitable set %u (cannot be transferred)",
                               what, gale_cm_kind_name(t->kind), (unsigned)handle, (unsigned)h->wset);
    uint32_t si = h->rep;
    unsigned int key = gale_kernel_irq_lock();
    gale_cm_table_remove(&inst->table, handle);
    s->end[0].inst = NULL;
    s->end[0].handle = 0;
    s->end[0].host = true;
    s->end[0].hfn = NULL;
    if (!s->typed) { /* a stream created without a type: the transfer gives it one */
        s->elem = t->elem;
        s->typed = true;
        s->elem_size = t->elem ? gale_cm_type_size(t->elem) : 0;
        s->elem_align = t->elem ? gale_cm_type_align(t->elem) : 1;
    }
    gale_kernel_irq_unlock(key);
    *out = host_id(si, 0);
    return 0;
}

int cm_end_lower(gale_cm_cx_t *cx, const gale_cm_type_t *t, uint32_t id, uint32_t *handle)
{
    gale_cm_instance_t *inst = cx->user;
    const char *what = cx->what ? cx->what : "stream/future";
    int e = 0;
    cm_stream_t *s = host_end(id, 0, &e);
    if (!s || s->is_future != (t->kind == GALE_CM_FUTURE))
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: %u is not a host-held readable %s end", what, (unsigned)id,
                               gale_cm_kind_name(t->kind));
    if (s->typed && !((s->elem == NULL && t->elem == NULL) ||
                      (s->elem && t->elem && gale_cm_type_equal(s->elem, t->elem))))
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: host %s end %u carries another element type", what,
                               gale_cm_kind_name(t->kind), (unsigned)id);
    if (s->end[0].state != CM_E_IDLE || s->end[0].event_pending)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: host %s end %u has a read in flight or is done", what,
                               gale_cm_kind_name(t->kind), (unsigned)id);
    gale_cm_handle_t nh = {.tag = s->is_future ? GALE_CM_H_FUTURE_READ : GALE_CM_H_STREAM_READ,
                           .rep = (uint32_t)(s - g_streams)};
    uint32_t idx = gale_cm_table_add(&inst->table, &nh);
    if (!idx)
        return gale_cm_err_set(cx->err, GALE_ETRAP, "%s: handle table full", what);
    unsigned int key = gale_kernel_irq_lock();
    s->end[0].host = false;
    s->end[0].inst = inst;
    s->end[0].handle = idx;
    s->end[0].hfn = NULL;
    gale_kernel_irq_unlock(key);
    *handle = idx;
    return 0;
}

/* ---- host API ---- */

int gale_cm_stream_new(const gale_cm_type_t *type, uint32_t *readable, uint32_t *writable)
{
    if (!type || (type->kind != GALE_CM_STREAM && type->kind != GALE_CM_FUTURE) || !readable || !writable)
        return GALE_EINVAL;
    unsigned int key = gale_kernel_irq_lock();
    cm_stream_t *s = cm_stream_claim(type->kind == GALE_CM_FUTURE);
    if (!s) {
        gale_kernel_irq_unlock(key);
        return GALE_ENOMEM;
    }
    uint32_t si = (uint32_t)(s - g_streams);
    s->elem = type->elem;
    s->typed = true;
    s->elem_size = type->elem ? gale_cm_type_size(type->elem) : 0;
    s->elem_align = type->elem ? gale_cm_type_align(type->elem) : 1;
    s->end[0].host = s->end[1].host = true;
    gale_kernel_irq_unlock(key);
    *readable = host_id(si, 0);
    *writable = host_id(si, 1);
    return 0;
}

static int host_rw(uint32_t id, int e, const gale_cm_val_t *vals, gale_cm_val_t *out, uint32_t n,
                   gale_cm_arena_t *arena, gale_cm_end_notify_fn fn, void *arg, gale_cm_err_t *err)
{
    int got = 0;
    cm_stream_t *s = host_end(id, e, &got);
    if (!s || (e == 0 && (!out || !arena)) || (e == 1 && !vals && n))
        return gale_cm_err_set(err, GALE_EINVAL, "end %u is not a host-held %s end", (unsigned)id,
                               e == 0 ? "readable" : "writable");
    if (s->is_future && n != 1)
        return gale_cm_err_set(err, GALE_EINVAL, "a future moves exactly one value (n = %u)", (unsigned)n);
    if (n > GALE_CM_MAX_LENGTH)
        return gale_cm_err_set(err, GALE_EINVAL, "length %u exceeds 2^28-1", (unsigned)n);
    unsigned int key = gale_kernel_irq_lock();
    cm_end_t *x = &s->end[e];
    if (x->state == CM_E_COPYING) {
        gale_kernel_irq_unlock(key);
        return gale_cm_err_set(err, GALE_EBUSY, "end %u has an op in flight", (unsigned)id);
    }
    if (x->state == CM_E_DONE) {
        gale_kernel_irq_unlock(key);
        return gale_cm_err_set(err, GALE_EINVAL, "end %u is done (only drop is allowed)", (unsigned)id);
    }
    x->hvals = vals;
    x->hout = out;
    x->harena = arena;
    x->hfn = NULL; /* set below only if the op has to wait: no call for an op done at once */
    x->harg = arg;
    x->n = n;
    x->done = 0;
    gale_kernel_irq_unlock(key);
    int64_t r = park_and_pump(s, e, NULL, err);
    if (r < 0)
        return GALE_ETRAP;
    if (r != GALE_CM_BLOCKED)
        return (int)r;
    key = gale_kernel_irq_lock();
    if (x->event_pending) { /* completed meanwhile by another thread */
        x->event_pending = false;
        r = x->event_payload;
        gale_kernel_irq_unlock(key);
        return (int)r;
    }
    x->hfn = fn;
    gale_kernel_irq_unlock(key);
    return GALE_EAGAIN;
}

int gale_cm_end_read(uint32_t end, gale_cm_val_t *out, uint32_t n, gale_cm_arena_t *arena, gale_cm_end_notify_fn fn,
                     void *arg, gale_cm_err_t *err)
{
    return host_rw(end, 0, NULL, out, n, arena, fn, arg, err);
}

int gale_cm_end_write(uint32_t end, const gale_cm_val_t *vals, uint32_t n, gale_cm_end_notify_fn fn, void *arg,
                      gale_cm_err_t *err)
{
    return host_rw(end, 1, vals, NULL, n, NULL, fn, arg, err);
}

int gale_cm_end_result(uint32_t end, uint32_t *packed)
{
    int e = 0;
    cm_stream_t *s = host_end(end, -1, &e);
    if (!s)
        return GALE_EINVAL;
    unsigned int key = gale_kernel_irq_lock();
    cm_end_t *x = &s->end[e];
    int rc = GALE_EINVAL;
    if (x->event_pending) {
        x->event_pending = false;
        *packed = x->event_payload;
        rc = 0;
    } else if (x->state == CM_E_COPYING) {
        rc = GALE_EAGAIN;
    }
    gale_kernel_irq_unlock(key);
    return rc;
}

int gale_cm_end_cancel(uint32_t end, uint32_t *packed)
{
    int e = 0;
    cm_stream_t *s = host_end(end, -1, &e);
    if (!s)
        return GALE_EINVAL;
    gale_cm_err_t err = {0};
    int64_t r = cancel_op(s, e, NULL, &err);
    if (r == -1)
        return GALE_EINVAL;
    if (r < 0)
        return GALE_ETRAP;
    *packed = (uint32_t)r;
    return 0;
}

int gale_cm_end_drop(uint32_t end)
{
    int e = 0;
    cm_stream_t *s = host_end(end, -1, &e);
    if (!s)
        return GALE_EINVAL;
    uint32_t si = (uint32_t)(s - g_streams);
    int pe = 1 - e;
    cm_wake_t w;
    memset(&w, 0, sizeof w);
    unsigned int key = gale_kernel_irq_lock();
    if (s->end[e].state == CM_E_COPYING) {
        gale_kernel_irq_unlock(key);
        return GALE_EBUSY;
    }
    s->end[e].dropped = true;
    s->end[e].host = false;
    s->end[e].state = CM_E_DONE;
    if (s->end[pe].state == CM_E_COPYING && !s->copying)
        complete(s, si, pe, GALE_CM_COPY_DROPPED, &w);
    if (s->end[pe].dropped)
        s->used = false;
    gale_kernel_irq_unlock(key);
    wake_all(&w, NULL);
    return 0;
}
