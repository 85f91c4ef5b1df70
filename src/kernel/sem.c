/* gale kernel — counting semaphore. The canonical object: check, lock, decide
 * with the proven core (core_sem.c), then count / hand over / block. */
#include "core.h"
#include "kernel_internal.h"

int gale_kernel_sem_init(gale_sem_t *sem, uint32_t initial, uint32_t limit)
{
    if (sem == NULL) {
        gale_kernel_diag("sem_init: semaphore pointer is NULL");
        return GALE_EINVAL;
    }
    if (limit == 0u || initial > limit) {
        gale_kernel_diag("sem_init: semaphore %p: initial count %u and limit %u are invalid (need 0 < limit, initial <= limit)",
                         (void *)sem, (unsigned int)initial, (unsigned int)limit);
        return GALE_EINVAL;
    }
    gale_kernel_wait_q_init(&sem->wq);
    sem->count = initial;
    sem->limit = limit;
    sem->watch = NULL;
    sem->magic = GALE_MAGIC_SEM;
    return GALE_OK;
}

int gale_kernel_sem_take(gale_sem_t *sem, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(sem, GALE_MAGIC_SEM, "sem_take");
    if (rc != GALE_OK)
        return rc;
    rc = gale_kernel_check_may_block("sem_take", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    switch (gale_core_sem_take(&sem->count, !GALE_TIMEOUT_IS_NO_WAIT(timeout))) {
    case GALE_CORE_SEM_TAKEN:
        gale_kernel_unlock(key);
        return GALE_OK;
    case GALE_CORE_SEM_AGAIN:
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    default:
        return gale_kernel_pend(&sem->wq, key, timeout);
    }
}

int gale_kernel_sem_give(gale_sem_t *sem)
{
    int rc = GALE_OBJ_CHECK(sem, GALE_MAGIC_SEM, "sem_give");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    switch (gale_core_sem_give(&sem->count, sem->limit, !gale_kernel_wait_q_empty(&sem->wq))) {
    case GALE_CORE_SEM_WAKE:
        gale_kernel_wake_one(&sem->wq, GALE_OK);
        gale_kernel_reschedule(key);
        return GALE_OK;
    case GALE_CORE_SEM_COUNTED:
        GALE_WATCH_FIRE(sem->watch); /* async takers retry after thread waiters */
        gale_kernel_unlock(key);
        return GALE_OK;
    default:
        gale_kernel_unlock(key);
        return GALE_EOVERFLOW;
    }
}

void gale_kernel_sem_reset(gale_sem_t *sem)
{
    if (GALE_OBJ_CHECK(sem, GALE_MAGIC_SEM, "sem_reset") != GALE_OK)
        return;
    unsigned int key = gale_kernel_lock();
    sem->count = 0;
    gale_kernel_wake_all(&sem->wq, GALE_EAGAIN);
    gale_kernel_reschedule(key);
}

uint32_t gale_kernel_sem_count_get(const gale_sem_t *sem)
{
    return sem != NULL ? sem->count : 0u;
}

int gale_kernel_sem_delete(gale_sem_t *sem)
{
    int rc = GALE_OBJ_CHECK(sem, GALE_MAGIC_SEM, "sem_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!gale_kernel_wait_q_empty(&sem->wq)) {
        gale_thread_t *w = gale_kernel_wait_q_first(&sem->wq);
        gale_kernel_unlock(key);
        gale_kernel_diag("sem_delete: semaphore %p still has waiters (first: '%s')", (void *)sem,
                         gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    sem->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
