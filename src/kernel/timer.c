/* gale kernel — kernel timers: one-shot or periodic, expiry callback in ISR
 * context on the core that started the timer, status count and status_sync. */
#include "core.h"
#include "kernel_internal.h"

static void timer_expired(gale_timeout_node_t *node)
{
    gale_timer_t *t = (gale_timer_t *)((uint8_t *)node - offsetof(gale_timer_t, node));
    if (t->period != 0u)
        gale_kernel_timeout_add(&t->node, timer_expired, gale_core_timer_next(node->deadline, t->period));
    if (t->status < UINT32_MAX)
        t->status++;
    if (t->expiry != NULL)
        t->expiry(t);
    /* status_sync waiters get the count */
    gale_thread_t *w;
    while ((w = gale_kernel_unpend_first(&t->wq)) != NULL) {
        uint32_t n = t->status;
        t->status = 0;
        gale_kernel_ready(w, (int)(n > (uint32_t)INT32_MAX ? (uint32_t)INT32_MAX : n));
    }
    GALE_WATCH_FIRE(t->watch);
    if (gale_arch_isr_active())
        gale_arch_isr_resched_request();
}

int gale_kernel_timer_init(gale_timer_t *timer, gale_timer_fn_t expiry, gale_timer_fn_t stop_fn)
{
    if (timer == NULL) {
        gale_kernel_diag("timer_init: timer pointer is NULL");
        return GALE_EINVAL;
    }
    timer->node.next = timer->node.prev = NULL;
    timer->node.linked = 0;
    timer->node.fn = NULL;
    timer->expiry = expiry;
    timer->stop_fn = stop_fn;
    gale_kernel_wait_q_init(&timer->wq);
    timer->period = 0;
    timer->status = 0;
    timer->user_data = NULL;
    timer->watch = NULL;
    timer->magic = GALE_MAGIC_TIMER;
    return GALE_OK;
}

int gale_kernel_timer_start(gale_timer_t *timer, gale_timeout_t duration, gale_timeout_t period)
{
    int rc = GALE_OBJ_CHECK(timer, GALE_MAGIC_TIMER, "timer_start");
    if (rc != GALE_OK)
        return rc;
    if (GALE_TIMEOUT_IS_FOREVER(duration)) {
        gale_kernel_diag("timer_start: timer %p: duration GALE_FOREVER never expires", (void *)timer);
        return GALE_EINVAL;
    }
    if (period.ticks < 0) {
        gale_kernel_diag("timer_start: timer %p: the period must be a duration (got %lld ticks)", (void *)timer,
                         (long long)period.ticks);
        return GALE_EINVAL;
    }
    unsigned int key = gale_kernel_lock();
    timer->period = (uint64_t)period.ticks;
    timer->status = 0;
    gale_kernel_timeout_add(&timer->node, timer_expired,
                            gale_kernel_timeout_deadline(duration, gale_kernel_ticks_now()));
    gale_kernel_unlock(key);
    return GALE_OK;
}

int gale_kernel_timer_stop(gale_timer_t *timer)
{
    int rc = GALE_OBJ_CHECK(timer, GALE_MAGIC_TIMER, "timer_stop");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    bool was_running = gale_kernel_timeout_abort(&timer->node);
    if (was_running && timer->stop_fn != NULL)
        timer->stop_fn(timer);
    gale_kernel_wake_all(&timer->wq, GALE_ECANCELED);
    GALE_WATCH_FIRE(timer->watch);
    gale_kernel_reschedule(key);
    return GALE_OK;
}

uint32_t gale_kernel_timer_status_get(gale_timer_t *timer)
{
    if (timer == NULL)
        return 0;
    unsigned int key = gale_kernel_lock();
    uint32_t n = timer->status;
    timer->status = 0;
    gale_kernel_unlock(key);
    return n;
}

int gale_kernel_timer_status_sync(gale_timer_t *timer, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(timer, GALE_MAGIC_TIMER, "timer_status_sync");
    if (rc != GALE_OK)
        return rc;
    rc = gale_kernel_check_may_block("timer_status_sync", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (timer->status > 0u) {
        uint32_t n = timer->status;
        timer->status = 0;
        gale_kernel_unlock(key);
        return (int)(n > (uint32_t)INT32_MAX ? (uint32_t)INT32_MAX : n);
    }
    if (!timer->node.linked) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    return gale_kernel_pend(&timer->wq, key, timeout);
}

uint64_t gale_kernel_timer_remaining_ticks(const gale_timer_t *timer)
{
    if (timer == NULL || !timer->node.linked)
        return 0;
    return gale_core_timeout_remaining(timer->node.deadline, gale_kernel_ticks_now());
}
