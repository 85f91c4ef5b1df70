/* gale kernel — event flags: a 32-bit word; threads wait for any / all of a
 * set of bits, optionally clearing what they matched on exit. The match and
 * clear-on-exit arithmetic is the proven core (core_event.c).
 *
 * Waking order: a post / set walks the waiters in wait-queue order (most
 * urgent first, FIFO among equals) against the current value; a waiter with
 * GALE_EVENT_CLEAR consumes its matched bits before the next waiter is
 * checked, so one posted bit wakes exactly one clearing waiter. */
#include "core_event.h"
#include "kernel_internal.h"

#define EVENT_OPTIONS (GALE_EVENT_WAIT_ALL | GALE_EVENT_CLEAR | GALE_EVENT_RESET)

typedef struct event_req {
    uint32_t want;
    uint32_t options;
    uint32_t matched;
} event_req_t;

int gale_kernel_event_init(gale_event_t *ev)
{
    if (ev == NULL) {
        gale_kernel_diag("event_init: event pointer is NULL");
        return GALE_EINVAL;
    }
    gale_kernel_wait_q_init(&ev->wq);
    ev->events = 0;
    ev->watch = NULL;
    ev->magic = GALE_MAGIC_EVENT;
    return GALE_OK;
}

/* [L] Wake every waiter whose condition holds now; true if one was woken. */
static bool wake_matching(gale_event_t *ev)
{
    bool woke = false;
    gale_thread_t *t = gale_kernel_wait_q_first(&ev->wq);
    while (t != NULL) {
        gale_thread_t *next = t->q_next;
        event_req_t *req = t->wait_data;
        if (gale_core_event_match(ev->events, req->want, (req->options & GALE_EVENT_WAIT_ALL) != 0u)) {
            gale_core_event_take(ev->events, req->want, (req->options & GALE_EVENT_CLEAR) != 0u,
                                 &req->matched, &ev->events);
            gale_kernel_unpend(t);
            gale_kernel_ready(t, GALE_OK);
            woke = true;
        }
        t = next;
    }
    return woke;
}

static int event_update(gale_event_t *ev, uint32_t value, int how, const char *op)
{
    int rc = GALE_OBJ_CHECK(ev, GALE_MAGIC_EVENT, op);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    switch (how) {
    case 0: ev->events = gale_core_event_post(ev->events, value); break;
    case 1: ev->events = value; break;
    default: ev->events = gale_core_event_clear(ev->events, value); break;
    }
    bool woke = how != 2 && wake_matching(ev);
    if (how != 2)
        GALE_WATCH_FIRE(ev->watch); /* after the thread waiters (a RESET/CLEAR waiter may have taken bits) */
    if (woke) {
        gale_kernel_reschedule(key);
    } else {
        gale_kernel_unlock(key);
    }
    return GALE_OK;
}

int gale_kernel_event_post(gale_event_t *ev, uint32_t events)
{
    return event_update(ev, events, 0, "event_post");
}

int gale_kernel_event_set(gale_event_t *ev, uint32_t events)
{
    return event_update(ev, events, 1, "event_set");
}

int gale_kernel_event_clear(gale_event_t *ev, uint32_t events)
{
    return event_update(ev, events, 2, "event_clear");
}

int gale_kernel_event_wait(gale_event_t *ev, uint32_t events, uint32_t options,
                           uint32_t *matched, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(ev, GALE_MAGIC_EVENT, "event_wait");
    if (rc != GALE_OK)
        return rc;
    if (matched != NULL)
        *matched = 0;
    if (events == 0u) {
        gale_kernel_diag("event_wait: event %p: waiting for no bits (events == 0)", (void *)ev);
        return GALE_EINVAL;
    }
    if ((options & ~(uint32_t)EVENT_OPTIONS) != 0u) {
        gale_kernel_diag("event_wait: event %p: unknown option bits 0x%x", (void *)ev,
                         (unsigned int)(options & ~(uint32_t)EVENT_OPTIONS));
        return GALE_EINVAL;
    }
    rc = gale_kernel_check_may_block("event_wait", timeout);
    if (rc != GALE_OK)
        return rc;
    bool all = (options & GALE_EVENT_WAIT_ALL) != 0u;
    unsigned int key = gale_kernel_lock();
    if (options & GALE_EVENT_RESET)
        ev->events = gale_core_event_clear(ev->events, events);
    if (gale_core_event_match(ev->events, events, all)) {
        uint32_t got;
        gale_core_event_take(ev->events, events, (options & GALE_EVENT_CLEAR) != 0u, &got, &ev->events);
        gale_kernel_unlock(key);
        if (matched != NULL)
            *matched = got;
        return GALE_OK;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    event_req_t req = { events, options, 0 };
    gale_kernel_thread_self()->wait_data = &req;
    rc = gale_kernel_pend(&ev->wq, key, timeout);
    if (rc == GALE_OK && matched != NULL)
        *matched = req.matched;
    return rc;
}

uint32_t gale_kernel_event_get(const gale_event_t *ev)
{
    return ev != NULL ? ev->events : 0u;
}

int gale_kernel_event_delete(gale_event_t *ev)
{
    int rc = GALE_OBJ_CHECK(ev, GALE_MAGIC_EVENT, "event_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!gale_kernel_wait_q_empty(&ev->wq)) {
        gale_thread_t *w = gale_kernel_wait_q_first(&ev->wq);
        gale_kernel_unlock(key);
        gale_kernel_diag("event_delete: event %p still has waiters (first: '%s')", (void *)ev,
                         gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    ev->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
