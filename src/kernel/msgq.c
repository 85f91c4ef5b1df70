/* gale kernel — message queue: fixed-size messages in a caller ring. Ring
 * indices come from the proven core (core_ring.c). Hand-offs keep FIFO order:
 * a put meets a waiting reader only when the ring is empty (the message goes
 * straight to it), a get that frees a slot moves the first waiting writer's
 * message into the ring (behind every queued one). */
#include <string.h>

#include "core_ring.h"
#include "kernel_internal.h"

static gale_core_ring_t ring_of(const gale_msgq_t *q)
{
    gale_core_ring_t r = { q->max_msgs, q->read_idx, q->used };
    return r;
}

static void ring_store(gale_msgq_t *q, const gale_core_ring_t *r)
{
    q->read_idx = r->head;
    q->used = r->used;
    q->write_idx = r->used < r->cap ? gale_core_ring_tail(r) : r->head;
}

static uint8_t *slot_ptr(gale_msgq_t *q, uint32_t idx)
{
    return q->buffer + (size_t)idx * q->msg_size;
}

int gale_kernel_msgq_init(gale_msgq_t *q, void *buffer, size_t msg_size, uint32_t max_msgs)
{
    if (q == NULL || buffer == NULL) {
        gale_kernel_diag("msgq_init: %s pointer is NULL", q == NULL ? "queue" : "buffer");
        return GALE_EINVAL;
    }
    if (msg_size == 0u || max_msgs == 0u) {
        gale_kernel_diag("msgq_init: queue %p: message size %zu and count %u must both be > 0",
                         (void *)q, msg_size, (unsigned int)max_msgs);
        return GALE_EINVAL;
    }
    if (msg_size > SIZE_MAX / max_msgs) {
        gale_kernel_diag("msgq_init: queue %p: %u messages of %zu bytes overflow the address space",
                         (void *)q, (unsigned int)max_msgs, msg_size);
        return GALE_EOVERFLOW;
    }
    gale_kernel_wait_q_init(&q->wq_get);
    gale_kernel_wait_q_init(&q->wq_put);
    q->buffer = buffer;
    q->msg_size = msg_size;
    q->max_msgs = max_msgs;
    q->read_idx = q->write_idx = q->used = 0;
    q->watch_get = q->watch_put = NULL;
    q->magic = GALE_MAGIC_MSGQ;
    return GALE_OK;
}

static int msgq_check(const gale_msgq_t *q, const void *data, const char *op)
{
    int rc = GALE_OBJ_CHECK(q, GALE_MAGIC_MSGQ, op);
    if (rc != GALE_OK)
        return rc;
    if (data == NULL) {
        gale_kernel_diag("%s: queue %p: data pointer is NULL", op, (const void *)q);
        return GALE_EINVAL;
    }
    return GALE_OK;
}

int gale_kernel_msgq_put(gale_msgq_t *q, const void *data, gale_timeout_t timeout)
{
    int rc = msgq_check(q, data, "msgq_put");
    if (rc != GALE_OK)
        return rc;
    rc = gale_kernel_check_may_block("msgq_put", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *r = gale_kernel_unpend_first(&q->wq_get);
    if (r != NULL) {
        /* readers wait only while the ring is empty: direct hand-off */
        memcpy(r->wait_data, data, q->msg_size);
        gale_kernel_ready(r, GALE_OK);
        gale_kernel_reschedule(key);
        return GALE_OK;
    }
    gale_core_ring_t ring = ring_of(q);
    if (ring.used < ring.cap) {
        uint32_t idx = gale_core_ring_push(&ring);
        memcpy(slot_ptr(q, idx), data, q->msg_size);
        ring_store(q, &ring);
        GALE_WATCH_FIRE(q->watch_get);
        gale_kernel_unlock(key);
        return GALE_OK;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    gale_kernel_thread_self()->wait_data = (void *)(uintptr_t)data;
    return gale_kernel_pend(&q->wq_put, key, timeout);
}

int gale_kernel_msgq_get(gale_msgq_t *q, void *data, gale_timeout_t timeout)
{
    int rc = msgq_check(q, data, "msgq_get");
    if (rc != GALE_OK)
        return rc;
    rc = gale_kernel_check_may_block("msgq_get", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_core_ring_t ring = ring_of(q);
    if (ring.used > 0u) {
        uint32_t idx = gale_core_ring_pop(&ring);
        memcpy(data, slot_ptr(q, idx), q->msg_size);
        gale_thread_t *w = gale_kernel_unpend_first(&q->wq_put);
        if (w != NULL) {
            uint32_t in = gale_core_ring_push(&ring);
            memcpy(slot_ptr(q, in), w->wait_data, q->msg_size);
            ring_store(q, &ring);
            gale_kernel_ready(w, GALE_OK);
            gale_kernel_reschedule(key);
            return GALE_OK;
        }
        ring_store(q, &ring);
        GALE_WATCH_FIRE(q->watch_put);
        gale_kernel_unlock(key);
        return GALE_OK;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    gale_kernel_thread_self()->wait_data = data;
    return gale_kernel_pend(&q->wq_get, key, timeout);
}

int gale_kernel_msgq_peek(gale_msgq_t *q, void *data)
{
    int rc = msgq_check(q, data, "msgq_peek");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (q->used == 0u) {
        gale_kernel_unlock(key);
        return GALE_ENOMSG;
    }
    memcpy(data, slot_ptr(q, q->read_idx), q->msg_size);
    gale_kernel_unlock(key);
    return GALE_OK;
}

void gale_kernel_msgq_purge(gale_msgq_t *q)
{
    if (GALE_OBJ_CHECK(q, GALE_MAGIC_MSGQ, "msgq_purge") != GALE_OK)
        return;
    unsigned int key = gale_kernel_lock();
    gale_core_ring_t ring = ring_of(q);
    gale_core_ring_reset(&ring);
    ring_store(q, &ring);
    gale_kernel_wake_all(&q->wq_put, GALE_ECANCELED);
    GALE_WATCH_FIRE(q->watch_put);
    gale_kernel_reschedule(key);
}

uint32_t gale_kernel_msgq_num_used_get(const gale_msgq_t *q)
{
    return q != NULL ? q->used : 0u;
}

uint32_t gale_kernel_msgq_num_free_get(const gale_msgq_t *q)
{
    return q != NULL ? q->max_msgs - q->used : 0u;
}

int gale_kernel_msgq_delete(gale_msgq_t *q)
{
    int rc = GALE_OBJ_CHECK(q, GALE_MAGIC_MSGQ, "msgq_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *w = gale_kernel_wait_q_first(&q->wq_get);
    if (w == NULL)
        w = gale_kernel_wait_q_first(&q->wq_put);
    if (w != NULL) {
        gale_kernel_unlock(key);
        gale_kernel_diag("msgq_delete: queue %p still has waiters (first: '%s')", (void *)q,
                         gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    q->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
