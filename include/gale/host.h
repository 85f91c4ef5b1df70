/* gale — host side of the WIT worlds (layer src/host).
 *
 * pulseengine:gale@0.1.0 world kernel-primitives against the gale kernel: every
 * resource (sem, mtx, cv, msgq, stk, pip, evt, tmr, slab) and function of the
 * WIT package (wit/gale). Blocking functions are `async func`: a sync-lowered
 * call blocks the component's thread (up to the timeout); an async-lowered call
 * returns at once (RETURNED if it could complete, else STARTED + a subtask that
 * a host worker thread completes: the component's thread keeps serving other
 * tasks meanwhile).
 *
 * Objects: a component creates its own (constructors; destroyed when dropped),
 * or opens one the embedding shared by name (`open: static func(name)`) — only
 * names listed in the system's grants (gale_host_ctx_t) can be opened, so a
 * component reaches only what it was granted.
 */
#ifndef GALE_HOST_H
#define GALE_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "gale/cm.h"
#include "gale/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef GALE_HOST_MAX_OBJECTS
#define GALE_HOST_MAX_OBJECTS 48 /* live kernel objects behind component handles */
#endif
#ifndef GALE_HOST_MAX_SHARED
#define GALE_HOST_MAX_SHARED 16 /* objects shared by name */
#endif
#ifndef GALE_HOST_BUF_BYTES
#define GALE_HOST_BUF_BYTES 16384 /* storage for component-created msgq/pipe/stack/slab */
#endif

typedef enum gale_host_kind {
    GALE_HOST_SEM = 0,
    GALE_HOST_MTX,
    GALE_HOST_CV,
    GALE_HOST_MSGQ,
    GALE_HOST_STK,
    GALE_HOST_PIP,
    GALE_HOST_EVT,
    GALE_HOST_TMR,
    GALE_HOST_SLAB,
    GALE_HOST_KIND_COUNT
} gale_host_kind_t;

/* Per-system context (pass as host_ctx to gale_cm_instantiate / gale_cm_spawn). */
typedef struct gale_host_ctx {
    const char *system;          /* name for traces */
    const char *const *grants;   /* names this system may open */
    uint32_t n_grants;
} gale_host_ctx_t;

/* Forgets every object and share (call after gale_kernel_init for a new run). */
void gale_host_reset(void);

/* Shares a kernel object by name (the embedding owns it): sem, msgq, stk
 * (a gale_stack_t), pip, evt, tmr, slab take the kernel object; mtx and cv are
 * created by the host (obj must be NULL): components lock gale mutexes per
 * instance, not per thread (async-lowered locks complete on the instance's
 * thread, whichever task asked).
 * GALE_EEXIST for a taken name, GALE_EINVAL for a bad kind/object. */
int gale_host_share(const char *name, gale_host_kind_t kind, void *obj);

/* The world kernel-primitives, optionally with the entry export
 * `run: func()` (entry 1, sync-system) or `run: async func()` (entry 2,
 * async-system). */
const gale_cm_world_t *gale_host_kernel_primitives(int entry);

/* Async-lowered calls that must wait on a kernel object (sem.take, mtx.lock,
 * msgq.put/get, stk.pop, pip.read/write, evt.wait-*, tmr.status-sync,
 * slab.alloc; cv.wait, cv.wait-mutex) are finished by the instance's own thread through kernel watches
 * (gale_cm_call_pend): no worker thread, no limit but GALE_CM_MAX_SUBTASKS.
 * on = true routes them through the component host's worker threads instead
 * (gale_cm_call_offload, GALE_CM_WORKERS at once: the earlier path, kept for
 * comparison in bench/cm). Async-lowered cv.wait / cv.wait-mutex never use a
 * worker: signal / broadcast complete them (the instance's thread takes the
 * mutex back for wait-mutex). Default false. */
void gale_host_set_async_workers(bool on);

/* A trace line for every kernel-primitive call (NULL: off). */
void gale_host_set_trace(void (*fn)(const char *line, void *user), void *user);

/* Live host objects (for tests: every component-created object is destroyed
 * when its handle is dropped or its instance freed). */
uint32_t gale_host_live_objects(void);

#ifdef __cplusplus
}
#endif
#endif /* GALE_HOST_H */
