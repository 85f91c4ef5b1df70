/* "sensor": an async system (callback-lifted `run`). Every 10 ms timer tick it
 * sends a sample over the shared message queue "samples" and awaits the
 * logger's acknowledgement on the shared semaphore "ack" - the timer wait,
 * the put and the ack wait are async-lowered: this component's thread keeps
 * running while they are pending. */
#include "kp_guest.h"

#define SAMPLES 5

static struct {
    int32_t tmr, q, ack;
    uint32_t set, n;
    uint32_t st_tick, st_put, st_ack;
    uint32_t pending; /* bit 0 tick, 1 put, 2 ack */
    kp_res_u32_t r_tick;
    kp_res_unit_t r_put, r_ack;
    kp_msgq_put_args_t put;
    uint32_t sample[2];
} S;

static void track(uint32_t status, uint32_t bit, uint32_t *st)
{
    if (CM_STATUS(status) == 2)
        return; /* completed at once */
    *st = CM_SUBTASK(status);
    S.pending |= bit;
    cm_join(*st, S.set);
}

static void wait_tick(void)
{
    track(kp_tmr_sync_async(S.tmr, KP_FOREVER, &S.r_tick), 1, &S.st_tick);
}

static void send_sample(void)
{
    S.sample[0] = S.n;
    S.sample[1] = S.n * S.n; /* the "measurement" */
    S.put = (kp_msgq_put_args_t){S.q, (uint32_t)(uintptr_t)S.sample, 8, 1 /* forever */, {0}, 0};
    track(kp_msgq_put_async(&S.put, &S.r_put), 2, &S.st_put);
    track(kp_sem_take_async(S.ack, KP_FOREVER, &S.r_ack), 4, &S.st_ack);
}

__attribute__((export_name("[async-lift]run"))) uint32_t run(void)
{
    kp_res_u32_t o;
    kp_msgq_open("samples", 7, &o);
    if (o.is_err)
        __builtin_trap();
    S.q = (int32_t)o.val;
    kp_sem_open("ack", 3, &o);
    if (o.is_err)
        __builtin_trap();
    S.ack = (int32_t)o.val;
    S.tmr = kp_tmr_new(10);
    S.set = cm_ws_new();
    kp_tmr_start(S.tmr);
    wait_tick();
    return CM_WAIT | (S.set << 4);
}

__attribute__((export_name("[callback][async-lift]run"))) uint32_t run_cb(uint32_t ev, uint32_t st, uint32_t state)
{
    if (ev != CM_EVENT_SUBTASK || state != 2)
        __builtin_trap();
    cm_join(st, 0);
    cm_subtask_drop(st);
    if (st == S.st_tick && (S.pending & 1)) {
        S.pending &= ~1u;
        S.n++;
        send_sample();
    } else if (st == S.st_put && (S.pending & 2)) {
        S.pending &= ~2u;
    } else if (st == S.st_ack && (S.pending & 4)) {
        S.pending &= ~4u;
    }
    if (S.pending)
        return CM_WAIT | (S.set << 4);
    if (S.n < SAMPLES) {
        wait_tick();
        return CM_WAIT | (S.set << 4);
    }
    kp_tmr_stop(S.tmr);
    kp_tmr_drop(S.tmr);
    kp_msgq_drop(S.q);
    kp_sem_drop(S.ack);
    cm_task_return_run();
    return CM_EXIT;
}
