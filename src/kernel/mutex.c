/* gale kernel — mutex: owner-checked, recursive, with priority inheritance that
 * follows chains (an owner blocked on another mutex passes the boost on).
 * Decisions (lock/unlock outcome, effective priority) come from core_mutex.c. */
#include "core.h"
#include "kernel_internal.h"

static void owned_push(gale_thread_t *t, gale_mutex_t *m)
{
    m->owned_next = t->owned_mutexes;
    t->owned_mutexes = m;
}

static void owned_remove(gale_thread_t *t, gale_mutex_t *m)
{
    for (gale_mutex_t **pp = &t->owned_mutexes; *pp != NULL; pp = &(*pp)->owned_next) {
        if (*pp == m) {
            *pp = m->owned_next;
            break;
        }
    }
    m->owned_next = NULL;
}

void gale_kernel_pi_update(gale_thread_t *t)
{
    /* Walk up the chain: each owner's effective priority is the most urgent of
     * its base priority and the first waiter of every mutex it holds. The walk
     * ends where nothing changes; lock refuses cycles, so it terminates. */
    while (t != NULL) {
        int eff = t->base_prio;
        for (gale_mutex_t *m = t->owned_mutexes; m != NULL; m = m->owned_next) {
            gale_thread_t *w = gale_kernel_wait_q_first(&m->wq);
            eff = gale_core_pi_fold(eff, w != NULL, w != NULL ? w->prio : 0);
        }
        if (eff == t->prio)
            return;
        gale_kernel_prio_change(t, eff);
        t = (t->blocked_mutex != NULL && (t->state & GALE_THREAD_PENDING)) ? t->blocked_mutex->owner : NULL;
    }
}

void gale_kernel_pi_waiter_gone(gale_thread_t *t)
{
    gale_mutex_t *m = t->blocked_mutex;
    t->blocked_mutex = NULL;
    if (m != NULL && m->owner != NULL)
        gale_kernel_pi_update(m->owner);
}

int gale_kernel_mutex_init(gale_mutex_t *mutex)
{
    if (mutex == NULL) {
        gale_kernel_diag("mutex_init: mutex pointer is NULL");
        return GALE_EINVAL;
    }
    gale_kernel_wait_q_init(&mutex->wq);
    mutex->owner = NULL;
    mutex->lock_count = 0;
    mutex->owned_next = NULL;
    mutex->magic = GALE_MAGIC_MUTEX;
    return GALE_OK;
}

/* Give m (whose count just reached 0, already off the owner's list) to its first
 * waiter, or free it. */
static void hand_over(gale_mutex_t *m)
{
    gale_thread_t *w = gale_kernel_unpend_first(&m->wq);
    if (w == NULL) {
        m->owner = NULL;
        m->lock_count = 0;
        return;
    }
    w->blocked_mutex = NULL;
    m->owner = w;
    m->lock_count = 1;
    owned_push(w, m);
    gale_kernel_ready(w, GALE_OK);
    gale_kernel_pi_update(w);   /* remaining waiters of m may boost the new owner */
}

int gale_kernel_mutex_lock(gale_mutex_t *mutex, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(mutex, GALE_MAGIC_MUTEX, "mutex_lock");
    if (rc != GALE_OK)
        return rc;
    if (gale_arch_isr_active()) {
        gale_kernel_diag("mutex_lock: mutex %p locked from ISR context (a mutex needs a thread owner)",
                         (void *)mutex);
        return GALE_ECONTEXT;
    }
    rc = gale_kernel_check_may_block("mutex_lock", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_thread_self();
    if (cur == NULL) {
        gale_kernel_unlock(key);
        gale_kernel_diag("mutex_lock: mutex %p locked before the kernel started", (void *)mutex);
        return GALE_ECONTEXT;
    }
    switch (gale_core_mutex_lock(mutex->owner == NULL, mutex->owner == cur, &mutex->lock_count,
                                 GALE_MUTEX_MAX_RECURSION, !GALE_TIMEOUT_IS_NO_WAIT(timeout))) {
    case GALE_CORE_MTX_ACQUIRED:
        mutex->owner = cur;
        owned_push(cur, mutex);
        gale_kernel_unlock(key);
        return GALE_OK;
    case GALE_CORE_MTX_RECURSED:
        gale_kernel_unlock(key);
        return GALE_OK;
    case GALE_CORE_MTX_OVERFLOW:
        gale_kernel_unlock(key);
        gale_kernel_diag("mutex_lock: mutex %p: recursion limit %u reached by '%s'", (void *)mutex,
                         (unsigned int)GALE_MUTEX_MAX_RECURSION, gale_kernel_thread_label(cur));
        return GALE_EOVERFLOW;
    case GALE_CORE_MTX_BUSY:
        gale_kernel_unlock(key);
        return GALE_EBUSY;
    default:
        break;
    }
    /* Refuse to close a cycle of owners (it would never resolve). */
    for (gale_thread_t *o = mutex->owner; o != NULL;
         o = (o->blocked_mutex != NULL) ? o->blocked_mutex->owner : NULL) {
        if (o == cur) {
            gale_kernel_unlock(key);
            gale_kernel_diag("mutex_lock: '%s' waiting for mutex %p (held by '%s') would deadlock",
                             gale_kernel_thread_label(cur), (void *)mutex, gale_kernel_thread_label(mutex->owner));
            return GALE_EDEADLK;
        }
    }
    cur->blocked_mutex = mutex;
    /* Enqueue first so the owner sees this waiter, then boost the chain. */
    gale_kernel_rq_remove(cur);
    cur->state |= GALE_THREAD_PENDING;
    cur->pended_on = &mutex->wq;
    cur->wait_result = 0;
    gale_kernel_wait_q_insert(&mutex->wq, cur);
    gale_kernel_pi_update(mutex->owner);
    if (!GALE_TIMEOUT_IS_FOREVER(timeout))
        gale_kernel_thread_timeout_arm(cur, gale_kernel_timeout_deadline(timeout, gale_kernel_ticks_now()));
    gale_kernel_swap_locked();
    rc = cur->wait_result;
    gale_kernel_unlock(key);
    return rc;
}

int gale_kernel_mutex_unlock(gale_mutex_t *mutex)
{
    int rc = GALE_OBJ_CHECK(mutex, GALE_MAGIC_MUTEX, "mutex_unlock");
    if (rc != GALE_OK)
        return rc;
    if (gale_arch_isr_active()) {
        gale_kernel_diag("mutex_unlock: mutex %p unlocked from ISR context (only its owner thread may)",
                         (void *)mutex);
        return GALE_ECONTEXT;
    }
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_thread_self();
    switch (gale_core_mutex_unlock(mutex->owner == NULL, cur != NULL && mutex->owner == cur,
                                   &mutex->lock_count)) {
    case GALE_CORE_MTX_NOT_LOCKED:
        gale_kernel_unlock(key);
        gale_kernel_diag("mutex_unlock: mutex %p is not locked (unlock by '%s')", (void *)mutex,
                         gale_kernel_thread_label(cur));
        return GALE_EINVAL;
    case GALE_CORE_MTX_NOT_OWNER: {
        const char *owner = gale_kernel_thread_label(mutex->owner);
        gale_kernel_unlock(key);
        gale_kernel_diag("mutex_unlock: thread '%s' does not own mutex %p (owner: '%s')",
                         gale_kernel_thread_label(cur), (void *)mutex, owner);
        return GALE_EPERM;
    }
    case GALE_CORE_MTX_DECREMENTED:
        gale_kernel_unlock(key);
        return GALE_OK;
    default:
        break;
    }
    owned_remove(cur, mutex);
    hand_over(mutex);
    gale_kernel_pi_update(cur);   /* drop what the waiters of this mutex lent us */
    gale_kernel_reschedule(key);
    return GALE_OK;
}

void gale_kernel_mutex_release_all(gale_thread_t *t)
{
    while (t->owned_mutexes != NULL) {
        gale_mutex_t *m = t->owned_mutexes;
        owned_remove(t, m);
        m->lock_count = 0;
        hand_over(m);
    }
}

gale_thread_t *gale_kernel_mutex_owner_get(const gale_mutex_t *mutex)
{
    return mutex != NULL ? mutex->owner : NULL;
}

int gale_kernel_mutex_delete(gale_mutex_t *mutex)
{
    int rc = GALE_OBJ_CHECK(mutex, GALE_MAGIC_MUTEX, "mutex_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (mutex->owner != NULL || !gale_kernel_wait_q_empty(&mutex->wq)) {
        const char *owner = gale_kernel_thread_label(mutex->owner);
        gale_kernel_unlock(key);
        gale_kernel_diag("mutex_delete: mutex %p is %s", (void *)mutex,
                         mutex->owner != NULL ? "locked" : "waited on");
        (void)owner;
        return GALE_EBUSY;
    }
    mutex->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
