/* gale kernel — mailbox: synchronous send / receive of message descriptors.
 * A sender names a receiver thread (or any), a receiver names a sender (or
 * any); the first waiting peer in wait-queue order that matches (the proven
 * core_mbox.c decides) gets the message. The data is copied once, straight
 * from the sender's buffer into the receiver's: min(tx size, rx capacity)
 * bytes; both sides learn the count and each other's info word, and both get
 * GALE_EOVERFLOW when the message was truncated. A sender returns only once a
 * receiver took its message (or on timeout). */
#include <string.h>

#include "core_mbox.h"
#include "kernel_internal.h"

typedef struct mbox_rx_req {
    gale_mbox_msg_t *msg;
    void *buffer;
} mbox_rx_req_t;

int gale_kernel_mbox_init(gale_mbox_t *mb)
{
    if (mb == NULL) {
        gale_kernel_diag("mbox_init: mailbox pointer is NULL");
        return GALE_EINVAL;
    }
    gale_kernel_wait_q_init(&mb->wq_tx);
    gale_kernel_wait_q_init(&mb->wq_rx);
    mb->magic = GALE_MAGIC_MBOX;
    return GALE_OK;
}

/* [L] Hand tx (from thread txt) to rx (buffer rxbuf, thread rxt). */
static int exchange(gale_mbox_msg_t *tx, gale_thread_t *txt, gale_mbox_msg_t *rx, void *rxbuf,
                    gale_thread_t *rxt)
{
    size_t n = gale_core_mbox_xfer(tx->size, rx->size);
    if (n > 0u)
        memcpy(rxbuf, tx->tx_data, n);
    int rc = tx->size > rx->size ? GALE_EOVERFLOW : GALE_OK;
    uint32_t rx_info = rx->info;
    rx->info = tx->info;
    tx->info = rx_info;
    rx->size = n;
    rx->rx_source = txt;
    rx->tx_thread = txt;
    rx->tx_target = rxt;
    rx->tx_data = NULL;
    tx->size = n;
    tx->tx_target = rxt;
    return rc;
}

static int mbox_args(gale_mbox_t *mb, gale_mbox_msg_t *msg, gale_timeout_t timeout, const char *op)
{
    int rc = GALE_OBJ_CHECK(mb, GALE_MAGIC_MBOX, op);
    if (rc != GALE_OK)
        return rc;
    if (msg == NULL) {
        gale_kernel_diag("%s: mailbox %p: message descriptor is NULL", op, (void *)mb);
        return GALE_EINVAL;
    }
    if (gale_kernel_isr_active()) {
        gale_kernel_diag("%s: mailbox %p used from ISR context (mailboxes pair threads)", op, (void *)mb);
        return GALE_ECONTEXT;
    }
    rc = gale_kernel_check_may_block(op, timeout);
    if (rc != GALE_OK)
        return rc;
    if (gale_kernel_thread_self() == NULL) {
        gale_kernel_diag("%s: mailbox %p used before the kernel started", op, (void *)mb);
        return GALE_ECONTEXT;
    }
    return GALE_OK;
}

int gale_kernel_mbox_put(gale_mbox_t *mb, gale_mbox_msg_t *msg, gale_timeout_t timeout)
{
    int rc = mbox_args(mb, msg, timeout, "mbox_put");
    if (rc != GALE_OK)
        return rc;
    if (msg->size > 0u && msg->tx_data == NULL) {
        gale_kernel_diag("mbox_put: mailbox %p: %zu bytes but tx_data is NULL", (void *)mb, msg->size);
        return GALE_EINVAL;
    }
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_thread_self();
    msg->tx_thread = cur;
    for (gale_thread_t *t = gale_kernel_wait_q_first(&mb->wq_rx); t != NULL; t = t->q_next) {
        mbox_rx_req_t *rq = t->wait_data;
        if (gale_core_mbox_match((uintptr_t)msg->tx_target, (uintptr_t)cur,
                                 (uintptr_t)rq->msg->rx_source, (uintptr_t)t)) {
            rc = exchange(msg, cur, rq->msg, rq->buffer, t);
            gale_kernel_unpend(t);
            gale_kernel_ready(t, rc);
            gale_kernel_reschedule(key);
            return rc;
        }
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    cur->wait_data = msg;
    return gale_kernel_pend(&mb->wq_tx, key, timeout);
}

int gale_kernel_mbox_get(gale_mbox_t *mb, gale_mbox_msg_t *msg, void *buffer, gale_timeout_t timeout)
{
    int rc = mbox_args(mb, msg, timeout, "mbox_get");
    if (rc != GALE_OK)
        return rc;
    if (msg->size > 0u && buffer == NULL) {
        gale_kernel_diag("mbox_get: mailbox %p: capacity %zu but buffer is NULL", (void *)mb, msg->size);
        return GALE_EINVAL;
    }
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_thread_self();
    for (gale_thread_t *t = gale_kernel_wait_q_first(&mb->wq_tx); t != NULL; t = t->q_next) {
        gale_mbox_msg_t *tx = t->wait_data;
        if (gale_core_mbox_match((uintptr_t)tx->tx_target, (uintptr_t)t,
                                 (uintptr_t)msg->rx_source, (uintptr_t)cur)) {
            rc = exchange(tx, t, msg, buffer, cur);
            gale_kernel_unpend(t);
            gale_kernel_ready(t, rc);
            gale_kernel_reschedule(key);
            return rc;
        }
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    mbox_rx_req_t req = { msg, buffer };
    cur->wait_data = &req;
    return gale_kernel_pend(&mb->wq_rx, key, timeout);
}

int gale_kernel_mbox_delete(gale_mbox_t *mb)
{
    int rc = GALE_OBJ_CHECK(mb, GALE_MAGIC_MBOX, "mbox_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *w = gale_kernel_wait_q_first(&mb->wq_tx);
    if (w == NULL)
        w = gale_kernel_wait_q_first(&mb->wq_rx);
    if (w != NULL) {
        gale_kernel_unlock(key);
        gale_kernel_diag("mbox_delete: mailbox %p still has waiters (first: '%s')", (void *)mb,
                         gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    mb->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
