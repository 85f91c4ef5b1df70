/* gale kernel — condition variable: wait releases the caller's mutex and
 * blocks in one step (no wake-up can slip in between), then re-locks it. */
#include "kernel_internal.h"

int gale_kernel_condvar_init(gale_condvar_t *cv)
{
    if (cv == NULL) {
        gale_kernel_diag("condvar_init: condition variable pointer is NULL");
        return GALE_EINVAL;
    }
    gale_kernel_wait_q_init(&cv->wq);
    cv->magic = GALE_MAGIC_CONDVAR;
    return GALE_OK;
}

int gale_kernel_condvar_signal(gale_condvar_t *cv)
{
    int rc = GALE_OBJ_CHECK(cv, GALE_MAGIC_CONDVAR, "condvar_signal");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (gale_kernel_wake_one(&cv->wq, GALE_OK) != NULL)
        gale_kernel_reschedule(key);
    else
        gale_kernel_unlock(key);
    return GALE_OK;
}

int gale_kernel_condvar_broadcast(gale_condvar_t *cv)
{
    int rc = GALE_OBJ_CHECK(cv, GALE_MAGIC_CONDVAR, "condvar_broadcast");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    unsigned int n = gale_kernel_wake_all(&cv->wq, GALE_OK);
    gale_kernel_reschedule(key);
    return (int)n;
}

int gale_kernel_condvar_wait(gale_condvar_t *cv, gale_mutex_t *mutex, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(cv, GALE_MAGIC_CONDVAR, "condvar_wait");
    if (rc != GALE_OK)
        return rc;
    rc = GALE_OBJ_CHECK(mutex, GALE_MAGIC_MUTEX, "condvar_wait");
    if (rc != GALE_OK)
        return rc;
    if (gale_kernel_isr_active()) {
        gale_kernel_diag("condvar_wait: condition variable %p waited on from ISR context", (void *)cv);
        return GALE_ECONTEXT;
    }
    rc = gale_kernel_check_may_block("condvar_wait", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_thread_self();
    if (cur == NULL || mutex->owner != cur || mutex->lock_count != 1u) {
        const char *owner = gale_kernel_thread_label(mutex->owner);
        uint32_t depth = mutex->lock_count;
        gale_kernel_unlock(key);
        gale_kernel_diag("condvar_wait: condition variable %p: caller '%s' must hold mutex %p exactly once "
                         "(owner '%s', depth %u)", (void *)cv, gale_kernel_thread_label(cur), (void *)mutex,
                         owner, (unsigned int)depth);
        return GALE_EPERM;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    /* Unlock the mutex without letting its new owner run before we are on the
     * condition's wait queue: the scheduler keeps a sched-locked current thread. */
    cur->sched_locked++;
    rc = gale_kernel_mutex_unlock(mutex);
    cur->sched_locked--;
    if (rc != GALE_OK) {
        gale_kernel_unlock(key);
        return rc;
    }
    int wrc = gale_kernel_pend(&cv->wq, key, timeout);
    rc = gale_kernel_mutex_lock(mutex, GALE_FOREVER);
    return rc != GALE_OK ? rc : wrc;
}

int gale_kernel_condvar_delete(gale_condvar_t *cv)
{
    int rc = GALE_OBJ_CHECK(cv, GALE_MAGIC_CONDVAR, "condvar_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!gale_kernel_wait_q_empty(&cv->wq)) {
        gale_thread_t *w = gale_kernel_wait_q_first(&cv->wq);
        gale_kernel_unlock(key);
        gale_kernel_diag("condvar_delete: condition variable %p still has waiters (first: '%s')",
                         (void *)cv, gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    cv->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
