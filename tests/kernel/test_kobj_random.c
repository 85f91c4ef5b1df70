/* Randomized operation sequences on every kernel object, checked step by step
 * against a simple reference model, in the deterministic simulator.
 *
 * Harness: NW worker threads (random priorities, ties allowed) each wait for a
 * command; a controller thread at the lowest priority gives one command per
 * step (or performs a no-wait operation itself). Workers are more urgent than
 * the controller, so when the controller runs again the system is quiescent:
 * every operation that could complete has completed. The model predicts, per
 * step, exactly which workers complete and with what (result code, values,
 * bytes); waiters are served in wait-queue order (priority, then FIFO). The
 * controller then sometimes sleeps a few ticks: every waiter whose deadline
 * falls in that window must time out (timeouts due at a tick fire before an
 * operation made at that tick: the race the model pins down). In some steps
 * a simulated interrupt does a no-wait operation at a random tick inside the
 * time advance (thread-only calls must be refused there). Objects'
 * observable state (counts, flag word, bytes buffered) is compared too.
 *
 * Usage: test_kobj_random [seeds [steps]] (defaults 40 seeds x 2000 steps per
 * object). A failure prints the object, seed and step to replay. */
#include <stdlib.h>

#include "ktest.h"

#define NW 4                 /* workers; index NW is the controller */
#define ISR_ID (NW + 1)      /* operations done by a simulated interrupt */
#define MAXB 16              /* max bytes per pipe / mbox op */

enum { OBJ_MSGQ, OBJ_STACK, OBJ_SLAB, OBJ_EVENT, OBJ_PIPE, OBJ_MBOX, OBJ_CONDVAR, OBJ_COUNT };
static const char *const obj_names[OBJ_COUNT] = { "msgq", "stack", "mem_slab", "event", "pipe", "mbox", "condvar" };

enum {
    OP_PUT, OP_GET, OP_PEEK, OP_PURGE,                 /* msgq */
    OP_PUSH, OP_POP,                                   /* stack */
    OP_ALLOC, OP_FREE, OP_FREE_BAD,                    /* slab */
    OP_POST, OP_SET, OP_CLEAR, OP_WAIT,                /* event */
    OP_WRITE, OP_READ, OP_CLOSE, OP_RESET,             /* pipe */
    OP_SEND, OP_RECV,                                  /* mbox */
    OP_CVWAIT, OP_SIGNAL, OP_BROADCAST,                /* condvar */
};

typedef struct op {
    int kind;
    uint32_t a, b, c, d;
    int64_t to;              /* -1 forever, 0 no-wait, > 0 ticks */
    uint8_t data[MAXB];
} op_t;

typedef struct res {
    bool done;
    int rc;
    uint32_t v[4];
    uint8_t data[MAXB];
    uint32_t dlen;
} res_t;

/* ---- shared state ---- */
static int obj;
static uint64_t rng;
static op_t cmd[NW + 2];
static res_t act[NW + 2], expct[NW + 2];
static gale_sem_t go[NW];
static int prio[NW + 1];
static unsigned seed_now, step_now;
static int steps_per_run;
static bool failed;
static unsigned long st_ops, st_blocked, st_timeouts, st_woken, st_ok, st_isr;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* ---- the objects under test ---- */
static gale_msgq_t q;
static uint32_t qbuf[8];
static gale_stack_t stk;
static gale_stack_data_t stkbuf[8];
static gale_mem_slab_t slab;
static _Alignas(8) uint8_t slabbuf[8 * 16];
static uint32_t slab_idx[8];
static uint8_t slab_state[8];
static gale_event_t ev;
static gale_pipe_t pp;
static uint8_t ppbuf[16];
static gale_mbox_t mb;
static gale_condvar_t cv;
static gale_mutex_t mtx;
static uint32_t cap;         /* capacity of the object in this run */

/* ---- the model ---- */
typedef struct pend {
    bool on;
    op_t op;
    uint64_t deadline;       /* UINT64_MAX forever */
    uint64_t seq;
    uint32_t done;           /* pipe progress */
    uint8_t data[MAXB];      /* pipe: bytes received so far */
} pend_t;
static pend_t pend[NW];
static uint64_t seq;
static uint32_t m_items[64];     /* msgq / stack contents, slab free stack */
static uint32_t m_n;
static bool m_alloc[8];
static uint32_t m_events;
static uint8_t m_bytes[64];      /* pipe buffer */
static uint32_t m_blen;
static bool m_closed;
static uint32_t uniq;

static void expect(int w, int rc, uint32_t v0, uint32_t v1)
{
    expct[w].done = true;
    expct[w].rc = rc;
    expct[w].v[0] = v0;
    expct[w].v[1] = v1;
}

/* First pending waiter of a kind (priority, then arrival), or -1. */
static int first_pending(int kind)
{
    int best = -1;
    for (int w = 0; w < NW; w++) {
        if (!pend[w].on || pend[w].op.kind != kind)
            continue;
        if (best < 0 || prio[w] < prio[best] || (prio[w] == prio[best] && pend[w].seq < pend[best].seq))
            best = w;
    }
    return best;
}

/* Pending waiters of a kind in queue order. */
static int pending_in_order(int kind, int out[NW])
{
    int n = 0;
    bool taken[NW] = { false };
    for (;;) {
        int best = -1;
        for (int w = 0; w < NW; w++) {
            if (taken[w] || !pend[w].on || pend[w].op.kind != kind)
                continue;
            if (best < 0 || prio[w] < prio[best] || (prio[w] == prio[best] && pend[w].seq < pend[best].seq))
                best = w;
        }
        if (best < 0)
            return n;
        taken[best] = true;
        out[n++] = best;
    }
}

static void block(int w, const op_t *op, uint64_t now)
{
    st_blocked++;
    pend[w].on = true;
    pend[w].op = *op;
    pend[w].deadline = op->to < 0 ? UINT64_MAX : now + (uint64_t)op->to;
    pend[w].seq = seq++;
    pend[w].done = 0;
}

static void pipe_complete(int w, int rc)
{
    expect(w, rc, pend[w].done, 0);
    if (pend[w].op.kind == OP_READ) {
        memcpy(expct[w].data, pend[w].data, pend[w].done);
        expct[w].dlen = pend[w].done;
    }
    pend[w].on = false;
}

static void model_timeouts(uint64_t until)
{
    for (int w = 0; w < NW; w++) {
        if (pend[w].on && pend[w].deadline <= until) {
            if (obj == OBJ_PIPE) {
                pipe_complete(w, GALE_ETIMEDOUT);
            } else {
                expect(w, GALE_ETIMEDOUT, 0, 0);
                pend[w].on = false;
            }
        }
    }
}

static uint32_t min_u(uint32_t a, uint32_t b) { return a < b ? a : b; }

static void model_apply(int w, const op_t *op, uint64_t now)
{
    bool nowait = op->to == 0;
    switch (op->kind) {
    case OP_PUT: {
        int g = first_pending(OP_GET);
        if (g >= 0) { expect(g, 0, op->a, 0); pend[g].on = false; expect(w, 0, 0, 0); }
        else if (m_n < cap) { m_items[m_n++] = op->a; expect(w, 0, 0, 0); }
        else if (nowait) expect(w, GALE_EAGAIN, 0, 0);
        else block(w, op, now);
        break;
    }
    case OP_GET:
        if (m_n > 0) {
            uint32_t x = m_items[0];
            memmove(m_items, m_items + 1, (m_n - 1) * sizeof m_items[0]);
            m_n--;
            expect(w, 0, x, 0);
            int p = first_pending(OP_PUT);
            if (p >= 0) { m_items[m_n++] = pend[p].op.a; expect(p, 0, 0, 0); pend[p].on = false; }
        } else if (nowait) expect(w, GALE_EAGAIN, 0, 0);
        else block(w, op, now);
        break;
    case OP_PEEK:
        if (m_n > 0) expect(w, 0, m_items[0], 0); else expect(w, GALE_ENOMSG, 0, 0);
        break;
    case OP_PURGE:
        m_n = 0;
        for (int p; (p = first_pending(OP_PUT)) >= 0;) { expect(p, GALE_ECANCELED, 0, 0); pend[p].on = false; }
        expect(w, 0, 0, 0);
        break;
    case OP_PUSH: {
        int g = first_pending(OP_POP);
        if (g >= 0) { expect(g, 0, op->a, 0); pend[g].on = false; expect(w, 0, 0, 0); }
        else if (m_n < cap) { m_items[m_n++] = op->a; expect(w, 0, 0, 0); }
        else expect(w, GALE_ENOMEM, 0, 0);
        break;
    }
    case OP_POP:
        if (m_n > 0) expect(w, 0, m_items[--m_n], 0);
        else if (nowait) expect(w, GALE_EAGAIN, 0, 0);
        else block(w, op, now);
        break;
    case OP_ALLOC:
        if (m_n > 0) { uint32_t b = m_items[--m_n]; m_alloc[b] = true; expect(w, 0, b, 0); }
        else if (nowait) expect(w, GALE_ENOMEM, UINT32_MAX, 0);
        else block(w, op, now);
        break;
    case OP_FREE: {
        uint32_t b = op->a;
        if (!m_alloc[b]) { expect(w, GALE_EINVAL, 0, 0); break; }
        int g = first_pending(OP_ALLOC);
        if (g >= 0) { expect(g, 0, b, 0); pend[g].on = false; }
        else { m_alloc[b] = false; m_items[m_n++] = b; }
        expect(w, 0, 0, 0);
        break;
    }
    case OP_FREE_BAD:
        expect(w, GALE_EINVAL, 0, 0);
        break;
    case OP_POST: case OP_SET: case OP_CLEAR: {
        if (op->kind == OP_POST) m_events |= op->a;
        else if (op->kind == OP_SET) m_events = op->a;
        else m_events &= ~op->a;
        if (op->kind != OP_CLEAR) {
            int order[NW];
            int n = pending_in_order(OP_WAIT, order);
            for (int i = 0; i < n; i++) {
                const op_t *wo = &pend[order[i]].op;
                uint32_t hit = m_events & wo->a;
                bool ok = (wo->b & GALE_EVENT_WAIT_ALL) ? hit == wo->a : hit != 0;
                if (ok) {
                    if (wo->b & GALE_EVENT_CLEAR) m_events &= ~hit;
                    expect(order[i], 0, hit, 0);
                    pend[order[i]].on = false;
                }
            }
        }
        expect(w, 0, 0, 0);
        break;
    }
    case OP_WAIT: {
        if (op->b & GALE_EVENT_RESET) m_events &= ~op->a;
        uint32_t hit = m_events & op->a;
        bool ok = (op->b & GALE_EVENT_WAIT_ALL) ? hit == op->a : hit != 0;
        if (ok) { if (op->b & GALE_EVENT_CLEAR) m_events &= ~hit; expect(w, 0, hit, 0); }
        else if (nowait) expect(w, GALE_EAGAIN, 0, 0);
        else block(w, op, now);
        break;
    }
    case OP_WRITE: {
        uint32_t len = op->a, min = op->b;
        if (m_closed) { expect(w, GALE_EPIPE, 0, 0); break; }
        int order[NW];
        int n = pending_in_order(OP_READ, order);
        uint32_t avail = cap - m_blen;
        for (int i = 0; i < n; i++) avail += pend[order[i]].op.a - pend[order[i]].done;
        uint32_t now_n;
        bool done;
        if (avail >= min) { now_n = min_u(avail, len); done = true; }
        else if (nowait) { expect(w, GALE_EAGAIN, 0, 0); break; }
        else { now_n = avail; done = false; }
        uint32_t moved = 0;
        for (int i = 0; i < n && moved < now_n; i++) {
            pend_t *r = &pend[order[i]];
            uint32_t k = min_u(now_n - moved, r->op.a - r->done);
            memcpy(r->data + r->done, op->data + moved, k);
            r->done += k;
            moved += k;
            if (r->done >= r->op.b) pipe_complete(order[i], 0);
        }
        memcpy(m_bytes + m_blen, op->data + moved, now_n - moved);
        m_blen += now_n - moved;
        if (done) expect(w, 0, now_n, 0);
        else { block(w, op, now); pend[w].done = now_n; }
        break;
    }
    case OP_READ: {
        uint32_t len = op->a, min = op->b;
        if (m_closed) {
            uint32_t k = min_u(len, m_blen);
            expect(w, k > 0 ? 0 : GALE_EPIPE, k, 0);
            memcpy(expct[w].data, m_bytes, k);
            expct[w].dlen = k;
            memmove(m_bytes, m_bytes + k, m_blen - k);
            m_blen -= k;
            break;
        }
        int order[NW];
        int n = pending_in_order(OP_WRITE, order);
        uint32_t avail = m_blen;
        for (int i = 0; i < n; i++) avail += pend[order[i]].op.a - pend[order[i]].done;
        uint32_t now_n;
        bool done;
        if (avail >= min) { now_n = min_u(avail, len); done = true; }
        else if (nowait) { expect(w, GALE_EAGAIN, 0, 0); break; }
        else { now_n = avail; done = false; }
        uint8_t got[MAXB];
        uint32_t k = min_u(now_n, m_blen);
        memcpy(got, m_bytes, k);
        memmove(m_bytes, m_bytes + k, m_blen - k);
        m_blen -= k;
        uint32_t moved = k;
        for (int i = 0; i < n && moved < now_n; i++) {
            pend_t *wr = &pend[order[i]];
            uint32_t kk = min_u(now_n - moved, wr->op.a - wr->done);
            memcpy(got + moved, wr->op.data + wr->done, kk);
            wr->done += kk;
            moved += kk;
            if (wr->done >= wr->op.b) pipe_complete(order[i], 0);
        }
        /* refill the buffer from writers still waiting */
        n = pending_in_order(OP_WRITE, order);
        for (int i = 0; i < n && m_blen < cap; i++) {
            pend_t *wr = &pend[order[i]];
            uint32_t kk = min_u(cap - m_blen, wr->op.a - wr->done);
            memcpy(m_bytes + m_blen, wr->op.data + wr->done, kk);
            m_blen += kk;
            wr->done += kk;
            if (wr->done >= wr->op.b) pipe_complete(order[i], 0);
        }
        if (done) {
            expect(w, 0, now_n, 0);
            memcpy(expct[w].data, got, now_n);
            expct[w].dlen = now_n;
        } else {
            block(w, op, now);
            pend[w].done = now_n;
            memcpy(pend[w].data, got, now_n);
        }
        break;
    }
    case OP_CLOSE:
        m_closed = true;
        for (int i = 0; i < NW; i++)
            if (pend[i].on) pipe_complete(i, GALE_EPIPE);
        expect(w, 0, 0, 0);
        break;
    case OP_RESET:
        m_blen = 0;
        for (int i = 0; i < NW; i++)
            if (pend[i].on) pipe_complete(i, GALE_ECANCELED);
        expect(w, 0, 0, 0);
        break;
    case OP_SEND: case OP_RECV: {
        /* a = size / capacity, b = info, c = peer wanted (0 any, else worker+1) */
        bool send = op->kind == OP_SEND;
        int order[NW];
        int n = pending_in_order(send ? OP_RECV : OP_SEND, order);
        int peer = -1;
        for (int i = 0; i < n && peer < 0; i++) {
            const op_t *po = &pend[order[i]].op;
            const op_t *tx = send ? op : po, *rx = send ? po : op;
            int txw = send ? w : order[i], rxw = send ? order[i] : w;
            bool to_ok = tx->c == 0 || tx->c == (uint32_t)rxw + 1u;
            bool from_ok = rx->c == 0 || rx->c == (uint32_t)txw + 1u;
            if (to_ok && from_ok)
                peer = order[i];
        }
        if (peer < 0) {
            if (nowait) expect(w, GALE_EAGAIN, 0, 0);
            else block(w, op, now);
            break;
        }
        const op_t *tx = send ? op : &pend[peer].op, *rx = send ? &pend[peer].op : op;
        int txw = send ? w : peer, rxw = send ? peer : w;
        uint32_t k = min_u(tx->a, rx->a);
        int rc = tx->a > rx->a ? GALE_EOVERFLOW : 0;
        /* tx: size out, info from rx, receiver; rx: size, info, sender */
        expect(txw, rc, k, rx->b);
        expct[txw].v[2] = (uint32_t)rxw + 1u;
        expect(rxw, rc, k, tx->b);
        expct[rxw].v[2] = (uint32_t)txw + 1u;
        memcpy(expct[rxw].data, tx->data, k);
        expct[rxw].dlen = k;
        pend[peer].on = false;
        break;
    }
    case OP_CVWAIT:
        if (nowait) expect(w, GALE_EAGAIN, 0, 0);
        else block(w, op, now);
        break;
    case OP_SIGNAL: {
        int g = first_pending(OP_CVWAIT);
        if (g >= 0) { expect(g, 0, 0, 0); pend[g].on = false; }
        expect(w, 0, 0, 0);
        break;
    }
    case OP_BROADCAST: {
        int n = 0;
        for (int g; (g = first_pending(OP_CVWAIT)) >= 0; n++) { expect(g, 0, 0, 0); pend[g].on = false; }
        expect(w, n, 0, 0);
        break;
    }
    default:
        break;
    }
}

/* ---- executing an operation for real ---- */
static gale_timeout_t to_of(int64_t t)
{
    return t < 0 ? GALE_FOREVER : GALE_TICKS(t);
}

static void exec_op(int w, const op_t *op, res_t *r)
{
    memset(r, 0, sizeof *r);
    gale_timeout_t to = to_of(op->to);
    switch (op->kind) {
    case OP_PUT: r->rc = gale_kernel_msgq_put(&q, &op->a, to); break;
    case OP_GET: { uint32_t v = 0; r->rc = gale_kernel_msgq_get(&q, &v, to); r->v[0] = r->rc == 0 ? v : 0; break; }
    case OP_PEEK: { uint32_t v = 0; r->rc = gale_kernel_msgq_peek(&q, &v); r->v[0] = r->rc == 0 ? v : 0; break; }
    case OP_PURGE: gale_kernel_msgq_purge(&q); r->rc = 0; break;
    case OP_PUSH: r->rc = gale_kernel_stack_push(&stk, op->a); break;
    case OP_POP: { gale_stack_data_t v = 0; r->rc = gale_kernel_stack_pop(&stk, &v, to); r->v[0] = r->rc == 0 ? (uint32_t)v : 0; break; }
    case OP_ALLOC: {
        void *m = NULL;
        r->rc = gale_kernel_mem_slab_alloc(&slab, &m, to);
        if (r->rc == 0) r->v[0] = (uint32_t)(((uint8_t *)m - slabbuf) / 16);
        else if (r->rc == GALE_ENOMEM) r->v[0] = m == NULL ? UINT32_MAX : 0;
        break;
    }
    case OP_FREE: r->rc = gale_kernel_mem_slab_free(&slab, slabbuf + op->a * 16u); break;
    case OP_FREE_BAD: r->rc = gale_kernel_mem_slab_free(&slab, slabbuf + op->a * 16u + 1u + op->b % 15u); break;
    case OP_POST: r->rc = gale_kernel_event_post(&ev, op->a); break;
    case OP_SET: r->rc = gale_kernel_event_set(&ev, op->a); break;
    case OP_CLEAR: r->rc = gale_kernel_event_clear(&ev, op->a); break;
    case OP_WAIT: { uint32_t m = 0xdead; r->rc = gale_kernel_event_wait(&ev, op->a, op->b, &m, to); r->v[0] = m; break; }
    case OP_WRITE: { size_t d = 99; r->rc = gale_kernel_pipe_write_min(&pp, op->data, op->a, op->b, &d, to); r->v[0] = (uint32_t)d; break; }
    case OP_READ: {
        size_t d = 99;
        uint8_t buf[MAXB];
        r->rc = gale_kernel_pipe_read_min(&pp, buf, op->a, op->b, &d, to);
        memcpy(r->data, buf, d <= MAXB ? d : MAXB);
        r->v[0] = (uint32_t)d;
        r->dlen = (uint32_t)d;
        break;
    }
    case OP_CLOSE: gale_kernel_pipe_close(&pp); r->rc = 0; break;
    case OP_RESET: gale_kernel_pipe_reset(&pp); r->rc = 0; break;
    case OP_SEND: {
        gale_mbox_msg_t m = { op->b, op->a, op->data, op->c ? &kt_threads[op->c - 1] : NULL, NULL, NULL };
        r->rc = gale_kernel_mbox_put(&mb, &m, to);
        if (r->rc == 0 || r->rc == GALE_EOVERFLOW) {
            r->v[0] = (uint32_t)m.size;
            r->v[1] = m.info;
            r->v[2] = (uint32_t)(m.tx_target - kt_threads) + 1u;
        }
        break;
    }
    case OP_RECV: {
        gale_mbox_msg_t m = { op->b, op->a, NULL, NULL, op->c ? &kt_threads[op->c - 1] : NULL, NULL };
        uint8_t buf[MAXB];
        r->rc = gale_kernel_mbox_get(&mb, &m, buf, to);
        memcpy(r->data, buf, m.size <= MAXB ? m.size : MAXB);
        if (r->rc == 0 || r->rc == GALE_EOVERFLOW) {
            r->v[0] = (uint32_t)m.size;
            r->v[1] = m.info;
            r->v[2] = (uint32_t)(m.rx_source - kt_threads) + 1u;
            r->dlen = (uint32_t)m.size;
        }
        break;
    }
    case OP_CVWAIT: {
        assert_int_equal(gale_kernel_mutex_lock(&mtx, GALE_FOREVER), GALE_OK);
        r->rc = gale_kernel_condvar_wait(&cv, &mtx, to);
        /* re-locked in every case */
        r->v[1] = gale_kernel_mutex_owner_get(&mtx) == gale_kernel_thread_self() ? 0u : 1u;
        assert_int_equal(gale_kernel_mutex_unlock(&mtx), GALE_OK);
        break;
    }
    case OP_SIGNAL: r->rc = gale_kernel_condvar_signal(&cv); break;
    case OP_BROADCAST: r->rc = gale_kernel_condvar_broadcast(&cv); break;
    default: break;
    }
    (void)w;
}

static void worker(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    int w = (int)(intptr_t)p1;
    for (;;) {
        if (gale_kernel_sem_take(&go[w], GALE_FOREVER) != GALE_OK)
            return;
        exec_op(w, &cmd[w], &act[w]);
        act[w].done = true;
    }
}

/* ---- generating operations ---- */
static int64_t gen_timeout(bool force_nowait)
{
    if (force_nowait) return 0;
    uint32_t r = rnd(10);
    if (r < 3) return 0;
    if (r < 5) /* mailbox peers that name each other could wait forever: bound them */
        return obj == OBJ_MBOX ? 1 + (int64_t)rnd(30) : -1;
    return 1 + (int64_t)rnd(6);
}

static void fill_bytes(op_t *op, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) op->data[i] = (uint8_t)(uniq++ * 7u + 1u);
}

static op_t gen_op(bool ctl)
{
    op_t op;
    memset(&op, 0, sizeof op);
    op.to = gen_timeout(ctl);
    uint32_t r = rnd(100);
    switch (obj) {
    case OBJ_MSGQ:
        op.kind = r < 45 ? OP_PUT : r < 88 ? OP_GET : r < 97 ? OP_PEEK : OP_PURGE;
        op.a = ++uniq;
        break;
    case OBJ_STACK:
        op.kind = r < 50 ? OP_PUSH : OP_POP;
        op.a = ++uniq;
        break;
    case OBJ_SLAB: {
        op.kind = r < 50 ? OP_ALLOC : r < 95 ? OP_FREE : OP_FREE_BAD;
        op.a = rnd(cap);
        op.b = rnd(1000);
        if (op.kind == OP_FREE && rnd(10) != 0) {   /* mostly free an allocated block */
            uint32_t start = rnd(cap);
            for (uint32_t i = 0; i < cap; i++)
                if (m_alloc[(start + i) % cap]) { op.a = (start + i) % cap; break; }
        }
        break;
    }
    case OBJ_EVENT:
        op.kind = r < 30 ? OP_POST : r < 40 ? OP_SET : r < 50 ? OP_CLEAR : OP_WAIT;
        op.a = 1u + rnd(15);
        op.b = rnd(8) & (GALE_EVENT_WAIT_ALL | GALE_EVENT_CLEAR | GALE_EVENT_RESET);
        if (op.kind == OP_WAIT && (op.b & GALE_EVENT_RESET) && rnd(3) != 0)
            op.b &= ~(uint32_t)GALE_EVENT_RESET;
        break;
    case OBJ_PIPE:
        /* close is final: only near the end of a run */
        op.kind = r < 47 ? OP_WRITE : r < 98 ? OP_READ : r < 99 ? OP_RESET
                : step_now * 10u > (unsigned)steps_per_run * 9u ? OP_CLOSE : OP_RESET;
        op.a = 1u + rnd(MAXB / 2);
        op.b = 1u + rnd(op.a);
        if (op.kind == OP_WRITE) fill_bytes(&op, op.a);
        break;
    case OBJ_MBOX:
        op.kind = r < 50 ? OP_SEND : OP_RECV;
        op.a = rnd(MAXB / 2 + 1);
        op.b = ++uniq;
        op.c = rnd(3) == 0 ? 1u + rnd(NW + 1) : 0u;   /* any, or a worker / the controller */
        if (op.kind == OP_SEND) fill_bytes(&op, op.a);
        break;
    case OBJ_CONDVAR:
        op.kind = r < 55 ? OP_CVWAIT : r < 85 ? OP_SIGNAL : OP_BROADCAST;
        if (ctl && op.kind == OP_CVWAIT) op.kind = OP_SIGNAL;
        break;
    default: break;
    }
    return op;
}

/* ---- checking ---- */
static void check_step(const char *when)
{
    for (int w = 0; w <= ISR_ID; w++) {
        if (expct[w].done) {
            if (expct[w].rc == GALE_ETIMEDOUT) st_timeouts++;
            else if (expct[w].rc >= 0) st_ok++;
        }
        bool bad = act[w].done != expct[w].done;
        if (!bad && act[w].done) {
            bad = act[w].rc != expct[w].rc || act[w].v[0] != expct[w].v[0] || act[w].v[1] != expct[w].v[1] ||
                  act[w].v[2] != expct[w].v[2] || act[w].dlen != expct[w].dlen ||
                  memcmp(act[w].data, expct[w].data, act[w].dlen) != 0;
        }
        if (bad && !failed) {
            failed = true;
            print_error("%s seed %u step %u (%s): worker %d: got done=%d rc=%d v=%lu,%lu,%lu len=%lu, "
                        "model says done=%d rc=%d v=%lu,%lu,%lu len=%lu (op kind %d)\n",
                        obj_names[obj], seed_now, step_now, when, w, act[w].done, act[w].rc,
                        (unsigned long)act[w].v[0], (unsigned long)act[w].v[1], (unsigned long)act[w].v[2],
                        (unsigned long)act[w].dlen, expct[w].done, expct[w].rc, (unsigned long)expct[w].v[0],
                        (unsigned long)expct[w].v[1], (unsigned long)expct[w].v[2], (unsigned long)expct[w].dlen,
                        cmd[w].kind);
        }
    }
    uint32_t have = 0, want = 0;
    switch (obj) {
    case OBJ_MSGQ: have = gale_kernel_msgq_num_used_get(&q); want = m_n; break;
    case OBJ_STACK: have = stk.count; want = m_n; break;
    case OBJ_SLAB: have = gale_kernel_mem_slab_num_free_get(&slab); want = m_n; break;
    case OBJ_EVENT: have = gale_kernel_event_get(&ev); want = m_events; break;
    case OBJ_PIPE: {
        have = (uint32_t)gale_kernel_pipe_read_avail(&pp);
        want = m_blen;
        uint8_t tmp[16];
        for (uint32_t i = 0; i < m_blen && have == want; i++)
            tmp[i] = pp.buffer[(pp.read_idx + i) % pp.size];
        if (have == want && memcmp(tmp, m_bytes, m_blen) != 0) have = ~want;
        break;
    }
    case OBJ_CONDVAR: have = gale_kernel_mutex_owner_get(&mtx) != NULL; want = 0; break;
    default: break;
    }
    if (have != want && !failed) {
        failed = true;
        print_error("%s seed %u step %u (%s): object state %lu, model %lu\n", obj_names[obj], seed_now, step_now,
                    when, (unsigned long)have, (unsigned long)want);
    }
    memset(act, 0, sizeof act);
    memset(expct, 0, sizeof expct);
}

static void isr_op(void *arg)
{
    (void)arg;
    exec_op(ISR_ID, &cmd[ISR_ID], &act[ISR_ID]);
    act[ISR_ID].done = true;
}

/* An interrupt does one no-wait operation `at` ticks from now, inside a time
 * advance of d ticks: waiters due at or before that tick time out first. */
static void isr_step(uint64_t now, uint64_t at, uint64_t d)
{
    op_t op = gen_op(true);
    if (op.kind < 0)
        return;
    model_timeouts(now + at);
    if (op.kind == OP_SEND || op.kind == OP_RECV || op.kind == OP_CVWAIT)
        expect(ISR_ID, GALE_ECONTEXT, 0, 0);      /* thread-only calls are refused */
    else
        model_apply(ISR_ID, &op, now + at);
    model_timeouts(now + d);
    cmd[ISR_ID] = op;
    st_isr++;
    assert_int_equal(gale_sim_irq_raise_at(0, (now + at) * (1000000000ull / GALE_CONFIG_TICK_HZ), isr_op, NULL),
                     GALE_OK);
    gale_kernel_sleep(GALE_TICKS(d));
    check_step("interrupt + time advance");
}

static void controller(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (step_now = 0; step_now < (unsigned)steps_per_run && !failed; step_now++) {
        uint64_t now = gale_kernel_uptime_ticks();
        int idle[NW], n_idle = 0;
        for (int w = 0; w < NW; w++)
            if (!pend[w].on) idle[n_idle++] = w;
        bool ctl = n_idle == 0 || rnd(100) < 12;
        int w = ctl ? NW : idle[rnd((uint32_t)n_idle)];
        op_t op = gen_op(ctl);
        if (op.kind >= 0) {
            st_ops++;
            model_apply(w, &op, now);
            cmd[w] = op;
            if (ctl) {
                exec_op(NW, &op, &act[NW]);
                act[NW].done = true;
            } else {
                gale_kernel_sem_give(&go[w]);
            }
            check_step("operation");
        }
        if (rnd(100) < 15) {
            uint64_t d = 1 + rnd(5);
            isr_step(now, 1 + rnd((uint32_t)d), d);
        } else if (n_idle <= 1 || rnd(100) < 40) {
            uint64_t d = 1 + rnd(5);
            model_timeouts(now + d);
            gale_kernel_sleep(GALE_TICKS(d));
            check_step("time advance");
        }
    }
    gale_sim_stop();
}

static void run_one(int object, unsigned seed, int steps)
{
    obj = object;
    failed = false;
    seed_now = seed;
    steps_per_run = steps;
    rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0x2545F4914F6CDD1Dull) ^ (uint64_t)object;
    if (rng == 0) rng = 1;
    kt_begin(1);
    memset(pend, 0, sizeof pend);
    memset(act, 0, sizeof act);
    memset(expct, 0, sizeof expct);
    memset(m_alloc, 0, sizeof m_alloc);
    seq = 0; m_n = 0; m_events = 0; m_blen = 0; m_closed = false; uniq = 0;
    cap = 1 + rnd(4);
    switch (obj) {
    case OBJ_MSGQ: assert_int_equal(gale_kernel_msgq_init(&q, qbuf, sizeof(uint32_t), cap), 0); break;
    case OBJ_STACK: assert_int_equal(gale_kernel_stack_init(&stk, stkbuf, cap), 0); break;
    case OBJ_SLAB:
        assert_int_equal(gale_kernel_mem_slab_init(&slab, slabbuf, 16, cap, slab_idx, slab_state), 0);
        for (uint32_t i = 0; i < cap; i++) m_items[i] = cap - 1 - i;  /* block 0 on top */
        m_n = cap;
        break;
    case OBJ_EVENT: assert_int_equal(gale_kernel_event_init(&ev), 0); break;
    case OBJ_PIPE:
        cap = 1 + rnd(8);
        assert_int_equal(gale_kernel_pipe_init(&pp, ppbuf, cap), 0);
        break;
    case OBJ_MBOX: assert_int_equal(gale_kernel_mbox_init(&mb), 0); break;
    case OBJ_CONDVAR:
        assert_int_equal(gale_kernel_condvar_init(&cv), 0);
        assert_int_equal(gale_kernel_mutex_init(&mtx), 0);
        break;
    default: break;
    }
    for (int w = 0; w < NW; w++) {
        gale_kernel_sem_init(&go[w], 0, 1);
        prio[w] = 2 + (int)rnd(4);                 /* ties are likely */
        kt_spawn(w, "w", worker, (void *)(intptr_t)w, NULL, prio[w]);
    }
    prio[NW] = 12;
    kt_spawn(NW, "ctl", controller, NULL, NULL, prio[NW]);
    int rc = gale_sim_run();
    assert_false(failed);
    assert_int_equal(rc, GALE_OK);
    assert_int_equal(step_now, (unsigned)steps);
}

static int n_seeds = 40, n_steps = 2000;

static void run_object(int object)
{
    st_ops = st_blocked = st_timeouts = st_woken = st_ok = st_isr = 0;
    for (int s = 1; s <= n_seeds; s++)
        run_one(object, (unsigned)s, n_steps);
    printf("  %s: %d seeds x %d steps: %lu operations (%lu from interrupts), %lu blocked, %lu timed out, "
           "%lu succeeded; all matched the model\n", obj_names[object], n_seeds, n_steps, st_ops + st_isr, st_isr,
           st_blocked, st_timeouts, st_ok);
}

static void test_msgq_vs_model(void **state) { (void)state; run_object(OBJ_MSGQ); }
static void test_stack_vs_model(void **state) { (void)state; run_object(OBJ_STACK); }
static void test_mem_slab_vs_model(void **state) { (void)state; run_object(OBJ_SLAB); }
static void test_event_vs_model(void **state) { (void)state; run_object(OBJ_EVENT); }
static void test_pipe_vs_model(void **state) { (void)state; run_object(OBJ_PIPE); }
static void test_mbox_vs_model(void **state) { (void)state; run_object(OBJ_MBOX); }
static void test_condvar_vs_model(void **state) { (void)state; run_object(OBJ_CONDVAR); }

int main(int argc, char **argv)
{
    if (argc > 1) n_seeds = atoi(argv[1]);
    if (argc > 2) n_steps = atoi(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msgq_vs_model),
        cmocka_unit_test(test_stack_vs_model),
        cmocka_unit_test(test_mem_slab_vs_model),
        cmocka_unit_test(test_event_vs_model),
        cmocka_unit_test(test_pipe_vs_model),
        cmocka_unit_test(test_mbox_vs_model),
        cmocka_unit_test(test_condvar_vs_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
