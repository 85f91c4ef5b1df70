/* gale kernel — stack: a LIFO of words over a caller buffer. Bounds decided by
 * the proven core (core_stack.c); a waiting popper gets a pushed word directly. */
#include "core_stack.h"
#include "kernel_internal.h"

int gale_kernel_stack_init(gale_stack_t *s, gale_stack_data_t *buffer, uint32_t capacity)
{
    if (s == NULL || buffer == NULL) {
        gale_kernel_diag("stack_init: %s pointer is NULL", s == NULL ? "stack" : "buffer");
        return GALE_EINVAL;
    }
    if (capacity == 0u) {
        gale_kernel_diag("stack_init: stack %p: capacity 0 (need at least one word)", (void *)s);
        return GALE_EINVAL;
    }
    gale_kernel_wait_q_init(&s->wq);
    s->base = buffer;
    s->capacity = capacity;
    s->count = 0;
    s->watch = NULL;
    s->magic = GALE_MAGIC_STACK;
    return GALE_OK;
}

int gale_kernel_stack_push(gale_stack_t *s, gale_stack_data_t data)
{
    int rc = GALE_OBJ_CHECK(s, GALE_MAGIC_STACK, "stack_push");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *w = gale_kernel_unpend_first(&s->wq);
    if (w != NULL) {
        /* a popper waits only while the stack is empty: hand the word over */
        *(gale_stack_data_t *)w->wait_data = data;
        gale_kernel_ready(w, GALE_OK);
        gale_kernel_reschedule(key);
        return GALE_OK;
    }
    uint32_t slot;
    if (!gale_core_stack_push(&s->count, s->capacity, &slot)) {
        gale_kernel_unlock(key);
        return GALE_ENOMEM;
    }
    s->base[slot] = data;
    GALE_WATCH_FIRE(s->watch);
    gale_kernel_unlock(key);
    return GALE_OK;
}

int gale_kernel_stack_pop(gale_stack_t *s, gale_stack_data_t *data, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(s, GALE_MAGIC_STACK, "stack_pop");
    if (rc != GALE_OK)
        return rc;
    if (data == NULL) {
        gale_kernel_diag("stack_pop: stack %p: data pointer is NULL", (void *)s);
        return GALE_EINVAL;
    }
    rc = gale_kernel_check_may_block("stack_pop", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    uint32_t slot;
    if (gale_core_stack_pop(&s->count, s->capacity, &slot)) {
        *data = s->base[slot];
        gale_kernel_unlock(key);
        return GALE_OK;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EAGAIN;
    }
    gale_kernel_thread_self()->wait_data = data;
    return gale_kernel_pend(&s->wq, key, timeout);
}

int gale_kernel_stack_delete(gale_stack_t *s)
{
    int rc = GALE_OBJ_CHECK(s, GALE_MAGIC_STACK, "stack_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!gale_kernel_wait_q_empty(&s->wq)) {
        gale_thread_t *w = gale_kernel_wait_q_first(&s->wq);
        gale_kernel_unlock(key);
        gale_kernel_diag("stack_delete: stack %p still has waiters (first: '%s')", (void *)s,
                         gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    s->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
