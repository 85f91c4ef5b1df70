/* async system: awaits a semaphore, a timer and a message queue at once
 * (three async-lowered calls joined into one waitable set), then returns. */
#include "kp_guest.h"

struct state {
    int32_t sem, tmr, q;
    uint32_t set;
    uint32_t st_sem, st_tmr, st_q;
    uint32_t done; /* bit 0 sem, 1 tmr, 2 msgq */
    uint32_t order[3], n;
    kp_res_unit_t r_sem;
    kp_res_u32_t r_tmr;
    kp_res_bytes_t r_q;
};
static struct state S;

static uint32_t start(uint32_t status, uint32_t bit, uint32_t *st)
{
    if (CM_STATUS(status) == 2) { /* RETURNED at once */
        S.done |= bit;
        S.order[S.n++] = bit;
        return 0;
    }
    *st = CM_SUBTASK(status);
    cm_join(*st, S.set);
    return 1;
}

__attribute__((export_name("[async-lift]run"))) uint32_t run(void)
{
    cm_ctx_set(0x5a5a);
    S.sem = kp_sem_new(0, 1);
    S.tmr = kp_tmr_new(5);
    kp_res_u32_t o;
    kp_msgq_open("inbox", 5, &o);
    if (o.is_err)
        __builtin_trap();
    S.q = (int32_t)o.val;
    S.set = cm_ws_new();
    kp_tmr_start(S.tmr);
    start(kp_sem_take_async(S.sem, KP_FOREVER, &S.r_sem), 1, &S.st_sem);
    start(kp_tmr_sync_async(S.tmr, KP_FOREVER, &S.r_tmr), 2, &S.st_tmr);
    start(kp_msgq_get_async(S.q, KP_FOREVER, &S.r_q), 4, &S.st_q);
    /* the sem is given by this very component once the timer fired, from the
     * callback: shows the task keeps running while other waits are pending */
    return CM_WAIT | (S.set << 4);
}

__attribute__((export_name("[callback][async-lift]run"))) uint32_t run_cb(uint32_t ev, uint32_t p1, uint32_t p2)
{
    if (cm_ctx_get() != 0x5a5a)
        __builtin_trap();
    if (ev != CM_EVENT_SUBTASK || p2 != 2)
        __builtin_trap();
    uint32_t bit = p1 == S.st_sem ? 1 : p1 == S.st_tmr ? 2 : p1 == S.st_q ? 4 : 0;
    if (!bit)
        __builtin_trap();
    cm_join(p1, 0);
    cm_subtask_drop(p1);
    S.done |= bit;
    S.order[S.n++] = bit;
    if (bit == 2) { /* timer fired: check its result, then release the semaphore */
        if (S.r_tmr.is_err || S.r_tmr.val < 1)
            __builtin_trap();
        kp_sem_give(S.sem);
    }
    if (bit == 4 && (S.r_q.is_err || S.r_q.len != 5))
        __builtin_trap();
    if (S.done == 7) {
        kp_tmr_stop(S.tmr);
        kp_sem_drop(S.sem);
        kp_tmr_drop(S.tmr);
        kp_msgq_drop(S.q);
        cm_task_return_run();
        return CM_EXIT;
    }
    return CM_WAIT | (S.set << 4);
}
