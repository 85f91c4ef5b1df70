/* Kernel-backed scheduling of the component host: the instance thread sleeps
 * on a per-instance semaphore; async-lowered host calls offloaded with
 * gale_cm_call_offload are run by a small pool of worker threads that block in
 * the kernel on the task's behalf and then notify the instance (no polling).
 * Calls pended with gale_cm_call_pend (kernel watches) need no worker. */
#include <string.h>

#include "cm_internal.h"

#ifndef GALE_CM_WORKER_STACK
#if defined(GALE_PLATFORM_POSIX)
#define GALE_CM_WORKER_STACK (64u * 1024u)
#else
#define GALE_CM_WORKER_STACK 2048u
#endif
#endif
#define JOBQ 32u

#if GALE_CM_WORKERS > 0
static GALE_THREAD_STACK_DEFINE(g_worker_stack[GALE_CM_WORKERS], GALE_CM_WORKER_STACK);
static gale_thread_t g_workers[GALE_CM_WORKERS];
static gale_sem_t g_jobs_sem;
static struct {
    void (*job)(void *);
    void *arg;
} g_jobq[JOBQ];
static uint32_t g_jobq_head, g_jobq_count;
static bool g_inited;
static void *volatile g_running[GALE_CM_WORKERS]; /* arg of the job each worker runs */

static void worker_main(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    uint32_t me = (uint32_t)(uintptr_t)p1;
    for (;;) {
        if (gale_kernel_sem_take(&g_jobs_sem, GALE_FOREVER) != 0)
            continue;
        unsigned int key = gale_kernel_irq_lock();
        if (g_jobq_count == 0) {
            gale_kernel_irq_unlock(key);
            continue;
        }
        void (*job)(void *) = g_jobq[g_jobq_head].job;
        void *arg = g_jobq[g_jobq_head].arg;
        g_jobq_head = (g_jobq_head + 1) % JOBQ;
        g_jobq_count--;
        g_running[me] = arg;
        gale_kernel_irq_unlock(key);
        job(arg);
        key = gale_kernel_irq_lock();
        g_running[me] = NULL;
        gale_kernel_irq_unlock(key);
    }
}

#endif /* GALE_CM_WORKERS > 0 */

int gale_cm_kernel_init(int worker_prio)
{
#if GALE_CM_WORKERS == 0
    /* No pool (the minimal configuration): gale_cm_call_offload reports
     * GALE_ENOSYS; calls pended on kernel watches need no worker. */
    (void)worker_prio;
    return 0;
#else
    g_jobq_head = g_jobq_count = 0;
    int rc = gale_kernel_sem_init(&g_jobs_sem, 0, JOBQ);
    if (rc)
        return rc;
#if GALE_CONFIG_DIAG
    static const char *const names[8] = {"cm-worker0", "cm-worker1", "cm-worker2", "cm-worker3",
                                         "cm-worker4", "cm-worker5", "cm-worker6", "cm-worker7"};
#endif
    for (unsigned i = 0; i < GALE_CM_WORKERS; i++) {
        memset(&g_workers[i], 0, sizeof g_workers[i]);
        g_running[i] = NULL;
        rc = gale_kernel_thread_create(&g_workers[i], g_worker_stack[i], sizeof g_worker_stack[i], worker_main,
                                       (void *)(uintptr_t)i, NULL, NULL, worker_prio, GALE_THREAD_OPT_NONE,
                                       GALE_NO_WAIT);
        if (rc)
            return rc;
#if GALE_CONFIG_DIAG   /* names are for diagnostics */
        gale_kernel_thread_name_set(&g_workers[i], names[i % 8]);
#endif
    }
    g_inited = true;
    return 0;
#endif
}

static void k_wait(gale_cm_instance_t *inst, void *ctx)
{
    (void)ctx;
    gale_kernel_sem_take(&inst->wake, GALE_FOREVER);
}

static void k_notify(gale_cm_instance_t *inst, void *ctx)
{
    (void)ctx;
    (void)gale_kernel_sem_give(&inst->wake); /* EOVERFLOW: already signalled */
}

#if GALE_CM_WORKERS == 0
static int k_offload(void (*job)(void *), void *arg, void *ctx)
{
    (void)job, (void)arg, (void)ctx;
    return GALE_ENOSYS; /* built without host worker threads (GALE_CM_WORKERS 0) */
}

static int k_cancel(void *arg, void *ctx)
{
    (void)arg, (void)ctx;
    return GALE_ENOENT; /* nothing is ever offloaded */
}
#else
static int k_offload(void (*job)(void *), void *arg, void *ctx)
{
    (void)ctx;
    if (!g_inited)
        return GALE_ENOSYS;
    unsigned int key = gale_kernel_irq_lock();
    if (g_jobq_count >= JOBQ) {
        gale_kernel_irq_unlock(key);
        return GALE_ENOMEM;
    }
    uint32_t slot = (g_jobq_head + g_jobq_count) % JOBQ;
    g_jobq[slot].job = job;
    g_jobq[slot].arg = arg;
    g_jobq_count++;
    gale_kernel_irq_unlock(key);
    return gale_kernel_sem_give(&g_jobs_sem);
}

/* subtask.cancel: a queued job is removed; a running one whose worker is
 * pended in the kernel gets its wait aborted (gale_kernel_thread_wait_abort:
 * the blocking call returns GALE_ECANCELED). */
static int k_cancel(void *arg, void *ctx)
{
    (void)ctx;
    unsigned int key = gale_kernel_irq_lock();
    for (uint32_t k = 0; k < g_jobq_count; k++) {
        uint32_t slot = (g_jobq_head + k) % JOBQ;
        if (g_jobq[slot].arg != arg)
            continue;
        for (uint32_t m = k; m + 1 < g_jobq_count; m++) /* close the gap */
            g_jobq[(g_jobq_head + m) % JOBQ] = g_jobq[(g_jobq_head + m + 1) % JOBQ];
        g_jobq_count--; /* a worker woken for it finds the queue shorter and waits again */
        gale_kernel_irq_unlock(key);
        return 1;
    }
    gale_thread_t *w = NULL;
    for (unsigned i = 0; i < GALE_CM_WORKERS; i++)
        if (g_running[i] == arg)
            w = &g_workers[i];
    gale_kernel_irq_unlock(key);
    if (!w)
        return GALE_ENOENT;
    return gale_kernel_thread_wait_abort(w) == GALE_OK ? 0 : GALE_EAGAIN;
}
#endif /* GALE_CM_WORKERS */

static const gale_cm_sched_ops_t g_kernel_sched = {k_wait, k_notify, k_offload, NULL, k_cancel};
const gale_cm_sched_ops_t *gale_cm_default_sched = &g_kernel_sched;
