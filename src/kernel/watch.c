/* gale kernel — watches: one-shot notifications that an object's state changed
 * so that a waiting operation could now succeed (see gale/kernel.h). Lists are
 * singly linked through the caller's nodes, under the kernel lock. */
#include "kernel_internal.h"

void gale_kernel_watch_init(gale_kernel_watch_t *w, gale_kernel_watch_fn fn, void *arg)
{
    if (w == NULL)
        return;
    w->next = NULL;
    w->list = NULL;
    w->fn = fn;
    w->arg = arg;
}

static gale_kernel_watch_t **list_of(gale_watch_kind_t kind, void *obj)
{
    switch (kind) {
    case GALE_WATCH_SEM_TAKE: {
        gale_sem_t *o = obj;
        return o->magic == GALE_MAGIC_SEM ? &o->watch : NULL;
    }
    case GALE_WATCH_MSGQ_GET:
    case GALE_WATCH_MSGQ_PUT: {
        gale_msgq_t *o = obj;
        if (o->magic != GALE_MAGIC_MSGQ)
            return NULL;
        return kind == GALE_WATCH_MSGQ_GET ? &o->watch_get : &o->watch_put;
    }
    case GALE_WATCH_STACK_POP: {
        gale_stack_t *o = obj;
        return o->magic == GALE_MAGIC_STACK ? &o->watch : NULL;
    }
    case GALE_WATCH_PIPE_READ:
    case GALE_WATCH_PIPE_WRITE: {
        gale_pipe_t *o = obj;
        if (o->magic != GALE_MAGIC_PIPE)
            return NULL;
        return kind == GALE_WATCH_PIPE_READ ? &o->watch_read : &o->watch_write;
    }
    case GALE_WATCH_EVENT: {
        gale_event_t *o = obj;
        return o->magic == GALE_MAGIC_EVENT ? &o->watch : NULL;
    }
    case GALE_WATCH_SLAB_ALLOC: {
        gale_mem_slab_t *o = obj;
        return o->magic == GALE_MAGIC_SLAB ? &o->watch : NULL;
    }
    case GALE_WATCH_TIMER: {
        gale_timer_t *o = obj;
        return o->magic == GALE_MAGIC_TIMER ? &o->watch : NULL;
    }
    default: return NULL;
    }
}

int gale_kernel_watch(gale_kernel_watch_t *w, gale_watch_kind_t kind, void *obj)
{
    if (w == NULL || obj == NULL || w->fn == NULL) {
        gale_kernel_diag("watch: %s is NULL", w == NULL ? "watch" : obj == NULL ? "object" : "watch function");
        return GALE_EINVAL;
    }
    unsigned int key = gale_kernel_lock();
    gale_kernel_watch_t **list = list_of(kind, obj);
    if (list == NULL) {
        gale_kernel_unlock(key);
        gale_kernel_diag("watch: object %p is not an initialised object of watch kind %d", obj, (int)kind);
        return GALE_EINVAL;
    }
    if (w->list != NULL) {
        gale_kernel_unlock(key);
        gale_kernel_diag("watch: watch %p is already hooked on an object", (void *)w);
        return GALE_EBUSY;
    }
    w->next = *list;
    *list = w;
    w->list = list;
    gale_kernel_unlock(key);
    return GALE_OK;
}

void gale_kernel_unwatch(gale_kernel_watch_t *w)
{
    if (w == NULL)
        return;
    unsigned int key = gale_kernel_lock();
    if (w->list != NULL) {
        for (gale_kernel_watch_t **pp = w->list; *pp != NULL; pp = &(*pp)->next)
            if (*pp == w) {
                *pp = w->next;
                break;
            }
        w->list = NULL;
        w->next = NULL;
    }
    gale_kernel_unlock(key);
}

bool gale_kernel_watch_armed(const gale_kernel_watch_t *w)
{
    return w != NULL && w->list != NULL;
}

void gale_kernel_watch_fire(gale_kernel_watch_t **list)
{
    /* Detach the whole list first: only the watches hooked when the change
     * happened fire (one that fn's wake re-hooks right away waits for the next
     * change; otherwise a watcher that retries and fails could re-hook itself
     * into this very loop forever). fn may give a semaphore that switches to
     * another thread before the loop resumes; that thread may unwatch a
     * detached watch that has not fired yet: it is unlinked from `pending`
     * (its list), which lives on this stack until the loop ends. */
    gale_kernel_watch_t *pending = *list;
    *list = NULL;
    for (gale_kernel_watch_t *w = pending; w != NULL; w = w->next)
        w->list = &pending;
    gale_kernel_watch_t *w;
    while ((w = pending) != NULL) {
        pending = w->next;
        w->next = NULL;
        w->list = NULL;
        w->fn(w, w->arg);
    }
}
