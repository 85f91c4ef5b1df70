/* Callback-lifted component tasks as executor tasks: the executor's thread
 * polls each instance's tasks (entry, then callbacks on events) and parks them
 * while they wait; gale_cm_notify (host workers, streams) wakes the task. */
#include <string.h>

#include "cm_internal.h"
#include "gale/exec.h"

_Static_assert(sizeof(gale_exec_task_t) <= sizeof(((gale_cm_exec_task_t *)0)->task_storage.bytes),
               "gale_cm_exec_task_t.task_storage too small for gale_exec_task_t");

static void exec_notify(gale_cm_instance_t *inst, void *arg)
{
    (void)inst;
    gale_cm_exec_task_t *t = arg;
    (void)gale_exec_wake(t->exec, (gale_exec_task_t *)(void *)t->task_storage.bytes);
}

static gale_exec_poll_t cm_poll(gale_exec_cx_t *cx, void *ctx)
{
    (void)cx;
    gale_cm_exec_task_t *t = ctx;
    int rc;
    if (!t->started) {
        t->started = true;
        rc = gale_cm_task_start(t->inst, t->iface, t->name, t->params, t->n_params, &t->err);
        if (rc) {
            t->status = rc;
            t->done = true;
            return GALE_EXEC_READY;
        }
    }
    rc = gale_cm_poll_tasks(t->inst, &t->err);
    if (rc == GALE_EAGAIN)
        return GALE_EXEC_PENDING;
    t->status = rc;
    t->done = true;
    gale_cm_instance_set_notify(t->inst, NULL, NULL);
    return GALE_EXEC_READY;
}

int gale_cm_exec_spawn(struct gale_exec *exec, gale_cm_exec_task_t *t, gale_cm_instance_t *inst, const char *iface,
                       const char *name, const gale_cm_val_t *params, uint32_t n_params)
{
    memset(t, 0, sizeof *t);
    t->exec = exec;
    t->inst = inst;
    t->iface = iface ? iface : "";
    t->name = name;
    t->params = params;
    t->n_params = n_params;
    gale_exec_task_t *task = (gale_exec_task_t *)(void *)t->task_storage.bytes;
    int rc = gale_exec_task_init(task, cm_poll, t, 0);
    if (rc)
        return rc;
    gale_cm_instance_set_notify(inst, exec_notify, t);
    return gale_exec_spawn(exec, task);
}
