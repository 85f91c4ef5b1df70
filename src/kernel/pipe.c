/* gale kernel — pipe: a byte stream over a caller ring buffer.
 *
 * A call asks to move len bytes and is satisfied once min of them moved
 * (gale_kernel_pipe_write/read use min = 1). Bytes move directly between a
 * caller and the waiting peers when there are any, otherwise through the ring.
 * Invariants (kept by the code below, checked by the randomized tests):
 * readers wait only while the ring is empty and no writer waits; writers wait
 * only while the ring is full and no reader waits. A waiting call may be fed
 * bytes several times; it is woken as soon as it is satisfied (and then takes
 * no more). Ring indices and the move / block decisions are the proven cores
 * (core_ring.c, core_pipe.c). Bytes of one writer stay in order; concurrent
 * writers' bytes may interleave. */
#include <limits.h>
#include <string.h>

#include "core_pipe.h"
#include "core_ring.h"
#include "kernel_internal.h"

typedef struct pipe_req {
    uint8_t *buf;   /* reader: destination; writer: source (cast from const) */
    size_t len;
    size_t min;
    size_t done;
} pipe_req_t;

static gale_core_ring_t ring_of(const gale_pipe_t *p)
{
    gale_core_ring_t r = { (uint32_t)p->size, (uint32_t)p->read_idx, (uint32_t)p->used };
    return r;
}

static void ring_store(gale_pipe_t *p, const gale_core_ring_t *r)
{
    p->read_idx = r->head;
    p->used = r->used;
    p->write_idx = r->used < r->cap ? gale_core_ring_tail(r) : r->head;
}

int gale_kernel_pipe_init(gale_pipe_t *p, void *buffer, size_t size)
{
    if (p == NULL || buffer == NULL) {
        gale_kernel_diag("pipe_init: %s pointer is NULL", p == NULL ? "pipe" : "buffer");
        return GALE_EINVAL;
    }
    if (size == 0u || size > UINT32_MAX) {
        gale_kernel_diag("pipe_init: pipe %p: buffer size %zu out of range (1 .. 2^32-1)", (void *)p, size);
        return GALE_EINVAL;
    }
    gale_kernel_wait_q_init(&p->wq_read);
    gale_kernel_wait_q_init(&p->wq_write);
    p->buffer = buffer;
    p->size = size;
    p->read_idx = p->write_idx = p->used = 0;
    p->flags = 0;
    p->watch_read = p->watch_write = NULL;
    p->magic = GALE_MAGIC_PIPE;
    return GALE_OK;
}

/* [L] Bytes that waiting peers on wq would still take / give. */
static size_t peers_avail(const gale_wait_q_t *wq)
{
    size_t n = 0;
    for (const gale_thread_t *t = wq->head; t != NULL; t = t->q_next) {
        const pipe_req_t *r = t->wait_data;
        n += r->len - r->done;
    }
    return n;
}

/* [L] Exchange up to n bytes between src/dst (the caller) and the waiting
 * peers of wq, in queue order. to_peers: the caller writes. Returns the count. */
static size_t xfer_peers(gale_wait_q_t *wq, uint8_t *mine, size_t n, bool to_peers, bool *woke)
{
    size_t moved = 0;
    gale_thread_t *t = gale_kernel_wait_q_first(wq);
    while (t != NULL && moved < n) {
        gale_thread_t *next = t->q_next;
        pipe_req_t *r = t->wait_data;
        size_t k;
        bool satisfied = gale_core_pipe_feed(r->done, r->len, r->min, n - moved, &k);
        if (to_peers)
            memcpy(r->buf + r->done, mine + moved, k);
        else
            memcpy(mine + moved, r->buf + r->done, k);
        r->done += k;
        moved += k;
        if (satisfied) {
            gale_kernel_unpend(t);
            gale_kernel_ready(t, GALE_OK);
            *woke = true;
        }
        t = next;
    }
    return moved;
}

/* [L] Copy n bytes into / out of the ring (n fits). */
static void ring_in(gale_pipe_t *p, const uint8_t *src, size_t n)
{
    gale_core_ring_t r = ring_of(p);
    while (n > 0u) {
        uint32_t off;
        uint32_t run = gale_core_ring_free_run(&r, &off);
        size_t k = run < n ? run : n;
        memcpy(p->buffer + off, src, k);
        gale_core_ring_commit_write(&r, (uint32_t)k);
        src += k;
        n -= k;
    }
    ring_store(p, &r);
}

static void ring_out(gale_pipe_t *p, uint8_t *dst, size_t n)
{
    gale_core_ring_t r = ring_of(p);
    while (n > 0u) {
        uint32_t off;
        uint32_t run = gale_core_ring_used_run(&r, &off);
        size_t k = run < n ? run : n;
        memcpy(dst, p->buffer + off, k);
        gale_core_ring_commit_read(&r, (uint32_t)k);
        dst += k;
        n -= k;
    }
    ring_store(p, &r);
}

/* [L] Refill the ring from waiting writers (after a read freed room). */
static void refill_from_writers(gale_pipe_t *p, bool *woke)
{
    gale_thread_t *t = gale_kernel_wait_q_first(&p->wq_write);
    while (t != NULL && p->used < p->size) {
        gale_thread_t *next = t->q_next;
        pipe_req_t *r = t->wait_data;
        size_t k;
        bool satisfied = gale_core_pipe_feed(r->done, r->len, r->min, p->size - p->used, &k);
        ring_in(p, r->buf + r->done, k);
        r->done += k;
        if (satisfied) {
            gale_kernel_unpend(t);
            gale_kernel_ready(t, GALE_OK);
            *woke = true;
        }
        t = next;
    }
}

static int pipe_args(gale_pipe_t *p, const void *data, size_t len, size_t min, size_t *done,
                     gale_timeout_t timeout, const char *op)
{
    if (done != NULL)
        *done = 0;
    int rc = GALE_OBJ_CHECK(p, GALE_MAGIC_PIPE, op);
    if (rc != GALE_OK)
        return rc;
    if (data == NULL && len > 0u) {
        gale_kernel_diag("%s: pipe %p: data pointer is NULL", op, (void *)p);
        return GALE_EINVAL;
    }
    if (len > 0u && (min == 0u || min > len)) {
        gale_kernel_diag("%s: pipe %p: minimum %zu out of range (1 .. len %zu)", op, (void *)p, min, len);
        return GALE_EINVAL;
    }
    return gale_kernel_check_may_block(op, timeout);
}

/* Watchers of the side that may now proceed: readers when bytes are in the
 * ring, writers when there is room (after the thread waiters were served). */
static void pipe_fire(gale_pipe_t *p)
{
    if (p->used > 0u)
        GALE_WATCH_FIRE(p->watch_read);
    if (p->used < p->size)
        GALE_WATCH_FIRE(p->watch_write);
}

static int finish(unsigned int key, bool woke, int rc)
{
    if (woke)
        gale_kernel_reschedule(key);
    else
        gale_kernel_unlock(key);
    return rc;
}

int gale_kernel_pipe_write_min(gale_pipe_t *p, const void *data, size_t len, size_t min,
                               size_t *done, gale_timeout_t timeout)
{
    int rc = pipe_args(p, data, len, min, done, timeout, "pipe_write");
    if (rc != GALE_OK || len == 0u)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (p->flags & GALE_PIPE_CLOSED) {
        gale_kernel_unlock(key);
        return GALE_EPIPE;
    }
    size_t avail = (p->size - p->used) + peers_avail(&p->wq_read);
    size_t now;
    int verdict = gale_core_pipe_start(avail, len, min, !GALE_TIMEOUT_IS_NO_WAIT(timeout), &now);
    if (verdict == GALE_CORE_PIPE_AGAIN) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    const uint8_t *src = data;
    bool woke = false;
    size_t direct = xfer_peers(&p->wq_read, (uint8_t *)(uintptr_t)src, now, true, &woke);
    ring_in(p, src + direct, now - direct);
    if (now > direct)
        GALE_WATCH_FIRE(p->watch_read);
    if (verdict == GALE_CORE_PIPE_DONE) {
        if (done != NULL)
            *done = now;
        return finish(key, woke, GALE_OK);
    }
    pipe_req_t req = { (uint8_t *)(uintptr_t)data, len, min, now };
    gale_kernel_thread_self()->wait_data = &req;
    /* woken readers run once we block */
    rc = gale_kernel_pend(&p->wq_write, key, timeout);
    if (done != NULL)
        *done = req.done;
    return rc;
}

int gale_kernel_pipe_read_min(gale_pipe_t *p, void *data, size_t len, size_t min,
                              size_t *done, gale_timeout_t timeout)
{
    int rc = pipe_args(p, data, len, min, done, timeout, "pipe_read");
    if (rc != GALE_OK || len == 0u)
        return rc;
    unsigned int key = gale_kernel_lock();
    uint8_t *dst = data;
    bool closed = (p->flags & GALE_PIPE_CLOSED) != 0u;
    if (closed) {
        /* drain what is left, however little; then report the end */
        size_t n = p->used < len ? p->used : len;
        ring_out(p, dst, n);
        gale_kernel_unlock(key);
        if (done != NULL)
            *done = n;
        return n > 0u ? GALE_OK : GALE_EPIPE;
    }
    size_t avail = p->used + peers_avail(&p->wq_write);
    size_t now;
    int verdict = gale_core_pipe_start(avail, len, min, !GALE_TIMEOUT_IS_NO_WAIT(timeout), &now);
    if (verdict == GALE_CORE_PIPE_AGAIN) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    bool woke = false;
    size_t from_ring = p->used < now ? p->used : now;
    ring_out(p, dst, from_ring);
    size_t direct = xfer_peers(&p->wq_write, dst + from_ring, now - from_ring, false, &woke);
    (void)direct;
    refill_from_writers(p, &woke);
    if (from_ring > 0u && p->used < p->size)
        GALE_WATCH_FIRE(p->watch_write);
    if (verdict == GALE_CORE_PIPE_DONE) {
        if (done != NULL)
            *done = now;
        return finish(key, woke, GALE_OK);
    }
    pipe_req_t req = { dst, len, min, now };
    gale_kernel_thread_self()->wait_data = &req;
    rc = gale_kernel_pend(&p->wq_read, key, timeout);
    if (done != NULL)
        *done = req.done;
    return rc;
}

int gale_kernel_pipe_write(gale_pipe_t *p, const void *data, size_t len, gale_timeout_t timeout)
{
    if (len > (size_t)INT_MAX) {
        gale_kernel_diag("pipe_write: pipe %p: length %zu exceeds INT_MAX", (void *)p, len);
        return GALE_EINVAL;
    }
    size_t n = 0;
    int rc = gale_kernel_pipe_write_min(p, data, len, 1u, &n, timeout);
    return rc == GALE_OK ? (int)n : rc;
}

int gale_kernel_pipe_read(gale_pipe_t *p, void *data, size_t len, gale_timeout_t timeout)
{
    if (len > (size_t)INT_MAX) {
        gale_kernel_diag("pipe_read: pipe %p: length %zu exceeds INT_MAX", (void *)p, len);
        return GALE_EINVAL;
    }
    size_t n = 0;
    int rc = gale_kernel_pipe_read_min(p, data, len, 1u, &n, timeout);
    return rc == GALE_OK ? (int)n : rc;
}

void gale_kernel_pipe_reset(gale_pipe_t *p)
{
    if (GALE_OBJ_CHECK(p, GALE_MAGIC_PIPE, "pipe_reset") != GALE_OK)
        return;
    unsigned int key = gale_kernel_lock();
    p->read_idx = p->write_idx = p->used = 0;
    gale_kernel_wake_all(&p->wq_write, GALE_ECANCELED);
    gale_kernel_wake_all(&p->wq_read, GALE_ECANCELED);
    pipe_fire(p);
    gale_kernel_reschedule(key);
}

void gale_kernel_pipe_close(gale_pipe_t *p)
{
    if (GALE_OBJ_CHECK(p, GALE_MAGIC_PIPE, "pipe_close") != GALE_OK)
        return;
    unsigned int key = gale_kernel_lock();
    p->flags |= GALE_PIPE_CLOSED;
    gale_kernel_wake_all(&p->wq_write, GALE_EPIPE);
    gale_kernel_wake_all(&p->wq_read, GALE_EPIPE);
    GALE_WATCH_FIRE(p->watch_read); /* closed: reads drain then report the end, writes fail */
    GALE_WATCH_FIRE(p->watch_write);
    gale_kernel_reschedule(key);
}

size_t gale_kernel_pipe_read_avail(const gale_pipe_t *p)
{
    return p != NULL ? p->used : 0u;
}

size_t gale_kernel_pipe_write_avail(const gale_pipe_t *p)
{
    return (p != NULL && !(p->flags & GALE_PIPE_CLOSED)) ? p->size - p->used : 0u;
}

int gale_kernel_pipe_delete(gale_pipe_t *p)
{
    int rc = GALE_OBJ_CHECK(p, GALE_MAGIC_PIPE, "pipe_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *w = gale_kernel_wait_q_first(&p->wq_read);
    if (w == NULL)
        w = gale_kernel_wait_q_first(&p->wq_write);
    if (w != NULL) {
        gale_kernel_unlock(key);
        gale_kernel_diag("pipe_delete: pipe %p still has waiters (first: '%s')", (void *)p,
                         gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    p->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
