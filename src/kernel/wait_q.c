/* gale kernel — wait queues and the pend / wake primitives every object uses.
 * Order: priority (core_wq.c decides), FIFO among equal priority. */
#include "core.h"
#include "kernel_internal.h"

void gale_kernel_wait_q_insert(gale_wait_q_t *wq, gale_thread_t *t)
{
    gale_thread_t *pos = wq->head;
    while (pos != NULL && gale_core_wq_goes_before(t->prio, pos->prio) == 0)
        pos = pos->q_next;
    /* insert t in front of pos (or at the tail when pos is NULL) */
    t->q_next = pos;
    t->q_prev = pos != NULL ? pos->q_prev : wq->tail;
    if (t->q_prev != NULL)
        t->q_prev->q_next = t;
    else
        wq->head = t;
    if (pos != NULL)
        pos->q_prev = t;
    else
        wq->tail = t;
}

void gale_kernel_wait_q_remove(gale_wait_q_t *wq, gale_thread_t *t)
{
    if (t->q_prev != NULL)
        t->q_prev->q_next = t->q_next;
    else
        wq->head = t->q_next;
    if (t->q_next != NULL)
        t->q_next->q_prev = t->q_prev;
    else
        wq->tail = t->q_prev;
    t->q_next = t->q_prev = NULL;
}

/* Timeout of a pending, sleeping or delayed-start thread (ISR context). */
static void thread_timeout(gale_timeout_node_t *node)
{
    gale_thread_t *t = (gale_thread_t *)((uint8_t *)node - offsetof(gale_thread_t, timeout));
    if (t->state & GALE_THREAD_DEAD)
        return;
    if (t->state & GALE_THREAD_PRESTART) {
        gale_kernel_thread_start(t);
        return;
    }
    if (t->state & GALE_THREAD_PENDING) {
        gale_kernel_wait_q_remove(t->pended_on, t);
        t->pended_on = NULL;
        if (t->blocked_mutex != NULL)
            gale_kernel_pi_waiter_gone(t);
        gale_kernel_ready(t, GALE_ETIMEDOUT);
    } else if (t->state & GALE_THREAD_SLEEPING) {
        gale_kernel_ready(t, 0);
    }
    if (gale_arch_isr_active())
        gale_arch_isr_resched_request();
}

void gale_kernel_thread_timeout_arm(gale_thread_t *t, uint64_t deadline)
{
    gale_kernel_timeout_add(&t->timeout, thread_timeout, deadline);
}

int gale_kernel_pend(gale_wait_q_t *wq, unsigned int key, gale_timeout_t timeout)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    gale_thread_t *cur = cpu->current;
    gale_kernel_rq_remove_inline(cur);
    cur->state |= GALE_THREAD_PENDING;
    cur->pended_on = wq;
    cur->wait_result = 0;
    gale_kernel_wait_q_insert(wq, cur);
    if (!GALE_TIMEOUT_IS_FOREVER(timeout))
        gale_kernel_thread_timeout_arm(cur, gale_kernel_timeout_deadline(timeout, gale_kernel_ticks_now()));
    gale_kernel_swap_locked();
    int rc = cur->wait_result;
    gale_kernel_unlock(key);
    return rc;
}

/* The wake path (unpend + ready) is inline into gale_kernel_wake_one, the call
 * every object's give/put makes. */
static inline __attribute__((always_inline)) void unpend(gale_thread_t *t)
{
    if (!(t->state & GALE_THREAD_PENDING) || t->pended_on == NULL)
        return;
    gale_kernel_wait_q_remove(t->pended_on, t);
    t->pended_on = NULL;
    if (t->timeout.linked)   /* a GALE_FOREVER wait has none */
        gale_kernel_timeout_abort(&t->timeout);
}

static inline __attribute__((always_inline)) void ready(gale_thread_t *t, int result)
{
    t->wait_result = result;
    t->state &= ~(GALE_THREAD_PENDING | GALE_THREAD_SLEEPING);
    t->pended_on = NULL;
    if (t->state & (GALE_THREAD_SUSPENDED | GALE_THREAD_DEAD | GALE_THREAD_PRESTART | GALE_THREAD_READY))
        return;
    gale_kernel_rq_add_inline(t);
    if (GALE_CONFIG_MAX_CPUS > 1 && t->cpu != gale_arch_cpu_id())
        gale_arch_cpu_kick(t->cpu);
}

void gale_kernel_unpend(gale_thread_t *t)
{
    unpend(t);
}

gale_thread_t *gale_kernel_unpend_first(gale_wait_q_t *wq)
{
    gale_thread_t *t = wq->head;
    if (t != NULL)
        unpend(t);
    return t;
}

void gale_kernel_ready(gale_thread_t *t, int result)
{
    ready(t, result);
}

gale_thread_t *gale_kernel_wake_one(gale_wait_q_t *wq, int result)
{
    gale_thread_t *t = wq->head;
    if (t != NULL) {
        unpend(t);
        ready(t, result);
    }
    return t;
}

unsigned int gale_kernel_wake_all(gale_wait_q_t *wq, int result)
{
    unsigned int n = 0;
    while (gale_kernel_wake_one(wq, result) != NULL)
        n++;
    return n;
}
