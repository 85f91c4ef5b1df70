/* Benchmark guest: host-call loops and an async msgq ping/pong. */
#include "kp_guest.h"

static int32_t sem;

__attribute__((export_name("setup"))) void setup(uint32_t n)
{
    sem = kp_sem_new(n, n ? n : 1);
}

__attribute__((export_name("loop-empty"))) uint32_t loop_empty(uint32_t n)
{
    volatile uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++)
        acc += i;
    return acc;
}

__attribute__((export_name("loop-sync"))) uint32_t loop_sync(uint32_t n)
{
    volatile uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++)
        acc += kp_sem_count(sem);
    return acc;
}

/* async-lowered take on a semaphore that has counts: RETURNED at once */
__attribute__((export_name("loop-async"))) uint32_t loop_async(uint32_t n)
{
    uint32_t ok = 0;
    kp_res_unit_t r;
    for (uint32_t i = 0; i < n; i++)
        ok += CM_STATUS(kp_sem_take_async(sem, KP_NO_WAIT, &r)) == 2 && !r.is_err;
    return ok;
}

/* ping/pong over two shared msgqs, async lowered, callback lifted */
enum { SEND = 0, RECV = 1 };
static struct {
    int32_t tx, rx;
    uint32_t set, n, sends, recvs, phase, msg;
    int is_ping;
    kp_res_bytes_t got;
    kp_msgq_put_args_t put;
    kp_res_unit_t put_r;
} P;

static int done(void)
{
    return P.is_ping ? P.recvs == P.n : P.sends == P.n;
}

__attribute__((import_module("[export]$root"), import_name("[task-return]pinger"))) void tr_pinger(void);
__attribute__((import_module("[export]$root"), import_name("[task-return]ponger"))) void tr_ponger(void);

static uint32_t finish(void)
{
    if (P.is_ping)
        tr_pinger();
    else
        tr_ponger();
    return CM_EXIT;
}

static void got_message(void)
{
    if (P.got.is_err || P.got.len != 4)
        __builtin_trap();
    P.msg = *(uint32_t *)P.got.ptr_or_err + 1;
    P.recvs++;
}

static uint32_t pump(void)
{
    for (;;) {
        if (done())
            return finish();
        if (P.phase == SEND) {
            P.put = (kp_msgq_put_args_t){P.tx, (uint32_t)(uintptr_t)&P.msg, 4, 1, {0}, 0};
            uint32_t s = kp_msgq_put_async(&P.put, &P.put_r);
            if (CM_STATUS(s) != 2) {
                cm_join(CM_SUBTASK(s), P.set);
                return CM_WAIT | (P.set << 4);
            }
            P.sends++;
            P.phase = RECV;
            continue;
        }
        uint32_t s = kp_msgq_get_async(P.rx, KP_FOREVER, &P.got);
        if (CM_STATUS(s) != 2) {
            cm_join(CM_SUBTASK(s), P.set);
            return CM_WAIT | (P.set << 4);
        }
        got_message();
        P.phase = SEND;
    }
}

static uint32_t start(const char *tx, const char *rx, uint32_t n, int is_ping)
{
    kp_res_u32_t o;
    kp_msgq_open(tx, 2, &o);
    P.tx = (int32_t)o.val;
    kp_msgq_open(rx, 2, &o);
    P.rx = (int32_t)o.val;
    P.set = cm_ws_new();
    P.n = n;
    P.sends = P.recvs = 0;
    P.is_ping = is_ping;
    P.phase = is_ping ? SEND : RECV;
    P.msg = 1;
    return pump();
}

static uint32_t on_event(uint32_t ev, uint32_t st, uint32_t state)
{
    if (ev != CM_EVENT_SUBTASK || state != 2)
        __builtin_trap();
    cm_join(st, 0);
    cm_subtask_drop(st);
    if (P.phase == RECV) {
        got_message();
        P.phase = SEND;
    } else {
        P.sends++;
        P.phase = RECV;
    }
    return pump();
}

__attribute__((export_name("[async-lift]pinger"))) uint32_t pinger(uint32_t n)
{
    return start("q1", "q2", n, 1);
}

__attribute__((export_name("[async-lift]ponger"))) uint32_t ponger(uint32_t n)
{
    return start("q2", "q1", n, 0);
}

__attribute__((export_name("[callback][async-lift]pinger"))) uint32_t pinger_cb(uint32_t ev, uint32_t st, uint32_t s)
{
    return on_event(ev, st, s);
}

__attribute__((export_name("[callback][async-lift]ponger"))) uint32_t ponger_cb(uint32_t ev, uint32_t st, uint32_t s)
{
    return on_event(ev, st, s);
}
