/* meld's pulseengine:async stream/future intrinsics (meld v0.52,
 * meld-core/src/p3_async.rs; docs/cm.md "meld's pulseengine:async").
 *
 * Not the canonical ABI's rendezvous: every call returns at once.
 *   stream_new / future_new () -> i64      low 32 = readable, high 32 = writable
 *   stream_read  (h, ptr, len, mem) -> i32  bytes read, 0 = EOF, < 0 error
 *   stream_write (h, ptr, len, mem) -> i32  bytes accepted (partial = backpressure)
 *   future_read / future_write (h, ptr, mem) -> i32   1 resolved/written, 0 pending
 *   *_cancel_read / *_cancel_write (h) -> i32          1 cancelled, 0 nothing pending
 *   *_drop_readable / *_drop_writable (h)
 * Errors: Closed -1, InvalidHandle -2, Oom -3, Cancelled -4, Pending -5, Runtime -6.
 *
 * A stream is a byte ring in the host (GALE_CM_MELD_RING_BYTES, a static pool
 * of GALE_CM_MELD_RINGS); a future is a value slot of the component's
 * meld_future_bytes. An op that cannot progress (read of an empty ring,
 * partial write, unresolved future) *arms* its end; the end is a waitable the
 * guest joins to a set, and an event (STREAM_READ / STREAM_WRITE / FUTURE_READ,
 * p1 = the handle, p2 = bytes ready / free / 1, or 0xffffffff = peer dropped)
 * is delivered once the peer acts (level-checked when the set is waited on).
 * The guest then re-calls the intrinsic to get the data. Every guest range is
 * bounds-checked (trap with the intrinsic's name); mem_idx other than 0 is the
 * Runtime error (gale hosts shared-memory fusions: one memory). */
#include <string.h>

#include "cm_internal.h"

static uint8_t g_rings[GALE_CM_MELD_RINGS][GALE_CM_MELD_RING_BYTES];
static bool g_ring_used[GALE_CM_MELD_RINGS];

static const char *bname(const cm_binding_t *b)
{
    return b->label;
}

void cm_meld_free(cm_stream_t *s)
{
    if (s->meld && s->ring >= 0 && s->ring < GALE_CM_MELD_RINGS)
        g_ring_used[s->ring] = false;
    s->ring = -1;
}

static int meld_new(gale_cm_instance_t *inst, bool fut, gale_wasm_val_t *results)
{
    const uint64_t oom = (uint64_t)(uint32_t)GALE_CM_MELD_OOM;
    unsigned int key = gale_kernel_irq_lock();
    cm_stream_t *s = cm_stream_claim(fut);
    int ring = -1;
    if (s && !fut) {
        for (int k = 0; k < GALE_CM_MELD_RINGS; k++)
            if (!g_ring_used[k]) {
                ring = k;
                break;
            }
        if (ring < 0) { /* no byte ring free: give the slot back */
            s->used = false;
            s = NULL;
        }
    }
    if (!s) {
        gale_kernel_irq_unlock(key);
        results[0].i64 = oom;
        return 0;
    }
    uint32_t si = (uint32_t)(s - cm_g_streams);
    s->meld = true;
    s->ring = (int16_t)ring;
    if (ring >= 0)
        g_ring_used[ring] = true;
    s->fsize = inst->comp->meld_future_bytes;
    s->elem_size = 1;
    s->elem_align = 1;
    gale_cm_handle_t hr = {.tag = fut ? GALE_CM_H_FUTURE_READ : GALE_CM_H_STREAM_READ, .rep = si};
    gale_cm_handle_t hw = {.tag = fut ? GALE_CM_H_FUTURE_WRITE : GALE_CM_H_STREAM_WRITE, .rep = si};
    uint32_t r = gale_cm_table_add(&inst->table, &hr);
    uint32_t w = r ? gale_cm_table_add(&inst->table, &hw) : 0;
    if (!w) {
        if (r)
            gale_cm_table_remove(&inst->table, r);
        cm_meld_free(s);
        s->used = false;
        gale_kernel_irq_unlock(key);
        results[0].i64 = oom;
        return 0;
    }
    s->end[0].inst = inst, s->end[0].handle = r;
    s->end[1].inst = inst, s->end[1].handle = w;
    gale_kernel_irq_unlock(key);
    results[0].i64 = (uint64_t)r | ((uint64_t)w << 32);
    return 0;
}

/* The meld stream/future behind handle `h` of the expected tag, or NULL. */
static cm_stream_t *meld_end(gale_cm_instance_t *inst, uint32_t h, uint8_t tag)
{
    gale_cm_handle_t *e = gale_cm_table_get(&inst->table, h);
    if (!e || e->tag != tag || e->rep >= CM_N_STREAMS)
        return NULL;
    cm_stream_t *s = &cm_g_streams[e->rep];
    return s->used && s->meld ? s : NULL;
}

static int check_buf(gale_cm_instance_t *inst, const cm_binding_t *b, uint32_t ptr, uint32_t len, gale_wasm_trap_t *trap,
                     uint8_t **base)
{
    gale_cm_err_t err = {0};
    gale_cm_cx_t cx;
    cm_cx_init(inst, &cx, &inst->arena, &err, bname(b));
    if (gale_cm_check_range(&cx, ptr, len, 1, "buffer"))
        return cm_trap(inst, trap, "%s", err.message);
    *base = cx.mem;
    return 0;
}

static void wake(gale_cm_instance_t *peer)
{
    if (peer)
        gale_cm_notify(peer);
}

static int meld_stream_rw(gale_cm_instance_t *inst, const cm_binding_t *b, bool rd, const gale_wasm_val_t *args,
                          gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    uint32_t h = args[0].i32, ptr = args[1].i32, len = args[2].i32, mem = args[3].i32;
    int32_t r;
    if (mem != 0) {
        results[0].i32 = (uint32_t)GALE_CM_MELD_RUNTIME;
        return 0;
    }
    cm_stream_t *s = meld_end(inst, h, rd ? GALE_CM_H_STREAM_READ : GALE_CM_H_STREAM_WRITE);
    if (!s) {
        results[0].i32 = (uint32_t)GALE_CM_MELD_INVALID_HANDLE;
        return 0;
    }
    uint8_t *m = NULL;
    int rc = check_buf(inst, b, ptr, len, trap, &m);
    if (rc)
        return rc;
    int me = rd ? 0 : 1, pe = 1 - me;
    gale_cm_instance_t *notify = NULL;
    unsigned int key = gale_kernel_irq_lock();
    uint8_t *ring = g_rings[s->ring];
    const uint32_t cap = GALE_CM_MELD_RING_BYTES;
    s->end[me].armed = false;
    if (s->end[me].cancelled) {
        s->end[me].cancelled = false;
        r = GALE_CM_MELD_CANCELLED;
    } else if (rd) {
        uint32_t k = len < s->count ? len : s->count;
        for (uint32_t i = 0; i < k; i++) /* ring -> guest (two spans at most; bytes keep it simple) */
            m[ptr + i] = ring[(s->head + i) % cap];
        s->head = (s->head + k) % cap;
        s->count -= k;
        if (k > 0) {
            r = (int32_t)k;
            if (s->end[pe].armed)
                notify = s->end[pe].inst;
        } else if (s->end[pe].dropped) {
            r = 0; /* EOF (sticky: the writer cannot come back) */
        } else {
            s->end[me].armed = true;
            r = GALE_CM_MELD_PENDING;
        }
    } else {
        if (s->end[pe].dropped) {
            r = GALE_CM_MELD_CLOSED;
        } else {
            uint32_t space = cap - s->count, k = len < space ? len : space;
            for (uint32_t i = 0; i < k; i++)
                ring[(s->head + s->count + i) % cap] = m[ptr + i];
            s->count += k;
            if (k > 0 && s->end[pe].armed)
                notify = s->end[pe].inst;
            if (k < len)
                s->end[me].armed = true; /* backpressure: wake me when the reader took some */
            r = (k == 0 && len > 0) ? GALE_CM_MELD_PENDING : (int32_t)k;
        }
    }
    gale_kernel_irq_unlock(key);
    wake(notify);
    results[0].i32 = (uint32_t)r;
    return 0;
}

static int meld_future_rw(gale_cm_instance_t *inst, const cm_binding_t *b, bool rd, const gale_wasm_val_t *args,
                          gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    uint32_t h = args[0].i32, ptr = args[1].i32, mem = args[2].i32;
    int32_t r;
    if (mem != 0) {
        results[0].i32 = (uint32_t)GALE_CM_MELD_RUNTIME;
        return 0;
    }
    cm_stream_t *s = meld_end(inst, h, rd ? GALE_CM_H_FUTURE_READ : GALE_CM_H_FUTURE_WRITE);
    if (!s) {
        results[0].i32 = (uint32_t)GALE_CM_MELD_INVALID_HANDLE;
        return 0;
    }
    uint8_t *m = NULL;
    int rc = check_buf(inst, b, ptr, s->fsize, trap, &m);
    if (rc)
        return rc;
    int me = rd ? 0 : 1, pe = 1 - me;
    gale_cm_instance_t *notify = NULL;
    unsigned int key = gale_kernel_irq_lock();
    s->end[me].armed = false;
    if (s->end[me].cancelled) {
        s->end[me].cancelled = false;
        r = GALE_CM_MELD_CANCELLED;
    } else if (rd) {
        if (s->resolved) {
            memcpy(m + ptr, s->fval, s->fsize); /* sticky: every read gets the value */
            r = 1;
        } else if (s->end[pe].dropped) {
            r = GALE_CM_MELD_CLOSED; /* no value will ever arrive */
        } else {
            s->end[me].armed = true;
            r = 0;
        }
    } else {
        if (s->end[pe].dropped) {
            r = GALE_CM_MELD_CLOSED;
        } else if (s->resolved) {
            r = GALE_CM_MELD_RUNTIME; /* written twice */
        } else {
            memcpy(s->fval, m + ptr, s->fsize);
            s->resolved = true;
            if (s->end[pe].armed)
                notify = s->end[pe].inst;
            r = 1;
        }
    }
    gale_kernel_irq_unlock(key);
    wake(notify);
    results[0].i32 = (uint32_t)r;
    return 0;
}

static int meld_cancel(gale_cm_instance_t *inst, uint8_t tag, const gale_wasm_val_t *args, gale_wasm_val_t *results)
{
    cm_stream_t *s = meld_end(inst, args[0].i32, tag);
    if (!s) {
        results[0].i32 = (uint32_t)GALE_CM_MELD_INVALID_HANDLE;
        return 0;
    }
    int me = (tag == GALE_CM_H_STREAM_READ || tag == GALE_CM_H_FUTURE_READ) ? 0 : 1;
    unsigned int key = gale_kernel_irq_lock();
    bool was = s->end[me].armed;
    s->end[me].armed = false;
    if (was)
        s->end[me].cancelled = true; /* the re-call of the cancelled op reports Cancelled */
    gale_kernel_irq_unlock(key);
    results[0].i32 = was ? 1u : 0u;
    return 0;
}

static int meld_drop(gale_cm_instance_t *inst, const cm_binding_t *b, uint8_t tag, const gale_wasm_val_t *args,
                     gale_wasm_trap_t *trap)
{
    uint32_t h = args[0].i32;
    if (!meld_end(inst, h, tag)) {
        gale_cm_handle_t *e = gale_cm_table_get(&inst->table, h);
        return cm_trap(inst, trap, "%s: handle %u is not a live pulseengine:async %s end (%s)", bname(b), (unsigned)h,
                       gale_cm_handle_tag_name(tag), e ? gale_cm_handle_tag_name(e->tag) : "free or out of range");
    }
    cm_stream_end_release(inst, h);
    return 0;
}

bool cm_meld_ready(cm_stream_t *s, int end, uint32_t *code, uint32_t *p2)
{
    if (!s->end[end].armed)
        return false;
    int pe = 1 - end;
    bool ready = false;
    uint32_t v = 0;
    if (s->is_future) {
        if (end == 0 && (s->resolved || s->end[pe].dropped)) {
            ready = true;
            v = s->resolved ? 1u : 0xffffffffu;
        }
        *code = end == 0 ? GALE_CM_EVENT_FUTURE_READ : GALE_CM_EVENT_FUTURE_WRITE;
    } else if (end == 0) {
        ready = s->count > 0 || s->end[pe].dropped;
        v = s->count;
        *code = GALE_CM_EVENT_STREAM_READ;
    } else {
        ready = s->count < GALE_CM_MELD_RING_BYTES || s->end[pe].dropped;
        v = s->end[pe].dropped ? 0xffffffffu : GALE_CM_MELD_RING_BYTES - s->count;
        *code = GALE_CM_EVENT_STREAM_WRITE;
    }
    if (ready) {
        s->end[end].armed = false;
        *p2 = v;
    }
    return ready;
}

int cm_meld_call(gale_cm_instance_t *inst, const cm_binding_t *b, const gale_wasm_val_t *args,
                 gale_wasm_val_t *results, gale_wasm_trap_t *trap)
{
    if (!inst->may_leave)
        return cm_trap(inst, trap, "%s called from cabi_realloc or post-return (may_leave is false)", bname(b));
    switch ((gale_cm_builtin_t)b->builtin) {
    case GALE_CM_BI_STREAM_NEW: return meld_new(inst, false, results);
    case GALE_CM_BI_FUTURE_NEW: return meld_new(inst, true, results);
    case GALE_CM_BI_STREAM_READ: return meld_stream_rw(inst, b, true, args, results, trap);
    case GALE_CM_BI_STREAM_WRITE: return meld_stream_rw(inst, b, false, args, results, trap);
    case GALE_CM_BI_FUTURE_READ: return meld_future_rw(inst, b, true, args, results, trap);
    case GALE_CM_BI_FUTURE_WRITE: return meld_future_rw(inst, b, false, args, results, trap);
    case GALE_CM_BI_STREAM_CANCEL_READ: return meld_cancel(inst, GALE_CM_H_STREAM_READ, args, results);
    case GALE_CM_BI_STREAM_CANCEL_WRITE: return meld_cancel(inst, GALE_CM_H_STREAM_WRITE, args, results);
    case GALE_CM_BI_FUTURE_CANCEL_READ: return meld_cancel(inst, GALE_CM_H_FUTURE_READ, args, results);
    case GALE_CM_BI_FUTURE_CANCEL_WRITE: return meld_cancel(inst, GALE_CM_H_FUTURE_WRITE, args, results);
    case GALE_CM_BI_STREAM_DROP_READABLE: return meld_drop(inst, b, GALE_CM_H_STREAM_READ, args, trap);
    case GALE_CM_BI_STREAM_DROP_WRITABLE: return meld_drop(inst, b, GALE_CM_H_STREAM_WRITE, args, trap);
    case GALE_CM_BI_FUTURE_DROP_READABLE: return meld_drop(inst, b, GALE_CM_H_FUTURE_READ, args, trap);
    case GALE_CM_BI_FUTURE_DROP_WRITABLE: return meld_drop(inst, b, GALE_CM_H_FUTURE_WRITE, args, trap);
    case GALE_CM_BI_THREAD_YIELD:
        /* meld's thread_yield () -> (): let other threads of the same
         * priority run (tasks of this instance run when the callback returns). */
        if (gale_kernel_thread_self())
            gale_kernel_yield();
        return 0;
    default: return cm_trap(inst, trap, "%s: not a pulseengine:async intrinsic gale implements", bname(b));
    }
}
