/* async system (world async-system): more async-lowered cv waits at once than
 * the component host has worker threads (GALE_CM_WORKERS). It reads its setup
 * from the shared queue cfg (byte 0: bit i = wait i is a cv.wait-mutex, else
 * a cv.wait), then starts 6 waits on the shared cv "cv" (FOREVER), in order 0..5
 * (each wait-mutex locks the shared mutex "m" first and must find it released
 * once the call is STARTED), a 7th cv.wait-mutex with a 20 ms timeout, and
 * awaits commands on the shared queue go: 0 = signal, 1 = broadcast, 2 = done,
 * 3 = cancel checks (below), 4 = unlock the mutex. The guest locks the mutex
 * again right after starting the timed wait, so that wait times out while the
 * mutex is taken and must wait for it (until command 4) before it reports.
 * Each completed wait is reported on the shared queue ack ([i, 0x5a, 0, 0];
 * the timed one as [0xee, ...]) after checking its result and, for wait-mutex,
 * that the mutex is held again exactly once (one unlock, then EPERM). */
#include "async_system.h"

typedef async_system_result_void_pulseengine_gale_types_kernel_error_t res_void_t;
typedef async_system_result_list_u8_pulseengine_gale_types_kernel_error_t res_list_t;

#define NW 6 /* + the timed wait + go = 8 awaits: GALE_TASK_MAX_PENDING */
#define P(x) pulseengine_gale_##x

static struct {
    P(condvar_cv_own_t) cv;
    P(mutex_mtx_own_t) m;
    P(message_queue_msgq_own_t) go, ack, cfg;
    uint32_t mask;
    res_void_t r[NW], rt;
    res_list_t cmd;
    uint32_t done;
} S;

static const P(types_timeout_t) forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
static const P(types_timeout_t) nowait = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};

static P(message_queue_msgq_own_t) open_q(const char *name)
{
    async_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t o =
        P(message_queue_static_msgq_open)(gale_str(name));
    if (o.is_err)
        __builtin_trap();
    return o.val.ok;
}

static void ack(uint8_t v)
{
    uint8_t b[4] = {v, 0x5a, 0, 0};
    async_system_list_u8_t m = {b, 4};
    if (P(message_queue_method_msgq_put)(P(message_queue_msgq_borrow)(S.ack), m, nowait).is_err)
        __builtin_trap();
}

/* the mutex is held by this instance exactly once */
static void held_once(void)
{
    P(mutex_mtx_borrow_t) mb = P(mutex_mtx_borrow)(S.m);
    res_void_t u1 = P(mutex_method_mtx_unlock)(mb);
    res_void_t u2 = P(mutex_method_mtx_unlock)(mb);
    if (u1.is_err || !u2.is_err || u2.val.err != PULSEENGINE_GALE_TYPES_KERNEL_ERROR_PERMISSION_DENIED)
        __builtin_trap();
}

static void w_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)p1;
    uint32_t i = (uint32_t)(uintptr_t)arg;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED || S.r[i].is_err || (S.done & (1u << i)))
        __builtin_trap();
    S.done |= 1u << i;
    if (S.mask & (1u << i))
        held_once();
    ack((uint8_t)i);
}

static void t_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED || !S.rt.is_err ||
        S.rt.val.err != PULSEENGINE_GALE_TYPES_KERNEL_ERROR_AGAIN)
        __builtin_trap();
    S.done |= 1u << NW;
    held_once(); /* timed out, and holding the mutex again */
    ack(0xee);
}

static void go_done(void *arg, uint32_t event, uint32_t p1, uint32_t state);

static res_void_t S_rb;
static void b_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED || S_rb.is_err)
        __builtin_trap();
    ack(0xcc);
}

static uint32_t started(uint32_t st)
{
    if (gale_subtask_state(st) != GALE_SUBTASK_STARTED)
        __builtin_trap();
    return gale_subtask_handle(st);
}

static void cancel_now(uint32_t h)
{
    if (gale_subtask_cancel(h) != GALE_SUBTASK_CANCELLED_BEFORE_RETURNED)
        __builtin_trap();
    gale_subtask_drop(h);
}

/* subtask.cancel of async cv waits (no other waiter on the cv now):
 * 1. a wait-mutex cancelled while waiting: the mutex stays released (not held
 *    by this instance: unlock is refused) and free (a no-wait lock succeeds);
 * 2. a cv.wait taken off the list by a signal, then cancelled before it could
 *    complete: the signal is passed on to the next waiter, which completes
 *    (acked as 0xcc). */
static void cancel_checks(void)
{
    static res_void_t r1, ra;
    P(condvar_cv_borrow_t) cb = P(condvar_cv_borrow)(S.cv);
    P(mutex_mtx_borrow_t) mb = P(mutex_mtx_borrow)(S.m);
    if (P(mutex_method_mtx_lock)(mb, forever).is_err)
        __builtin_trap();
    cancel_now(started(P(condvar_method_cv_wait_mutex_async)(cb, mb, forever, &r1)));
    if (!P(mutex_method_mtx_unlock)(mb).is_err || P(mutex_method_mtx_lock)(mb, nowait).is_err)
        __builtin_trap();
    held_once();
    uint32_t a = started(P(condvar_method_cv_wait_async)(cb, forever, &ra));
    uint32_t sb = P(condvar_method_cv_wait_async)(cb, forever, &S_rb);
    started(sb);
    P(condvar_method_cv_signal)(cb); /* takes a off the list */
    cancel_now(a);                   /* ... which passes it on to b */
    if (gale_task_await(gale_task_current(), sb, b_done, NULL))
        __builtin_trap();
}

static void await_go(void)
{
    uint32_t st = P(message_queue_method_msgq_get_async)(P(message_queue_msgq_borrow)(S.go), forever, &S.cmd);
    if (gale_task_await(gale_task_current(), st, go_done, NULL))
        __builtin_trap();
}

static void go_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED || S.cmd.is_err || S.cmd.val.ok.len != 4)
        __builtin_trap();
    uint8_t c = S.cmd.val.ok.ptr[0];
    free(S.cmd.val.ok.ptr);
    P(condvar_cv_borrow_t) cb = P(condvar_cv_borrow)(S.cv);
    if (c == 0) {
        P(condvar_method_cv_signal)(cb);
    } else if (c == 1) {
        P(condvar_method_cv_broadcast)(cb);
    } else if (c == 3) {
        cancel_checks();
    } else if (c == 4) {
        held_once();
    } else {
        if (S.done != (1u << (NW + 1)) - 1u)
            __builtin_trap();
        P(condvar_cv_drop_own)(S.cv);
        P(mutex_mtx_drop_own)(S.m);
        P(message_queue_msgq_drop_own)(S.go);
        P(message_queue_msgq_drop_own)(S.ack);
        P(message_queue_msgq_drop_own)(S.cfg);
        exports_async_system_run_return();
        return;
    }
    await_go();
}

static void start_wait(gale_task_t *t, bool with_mutex, P(types_timeout_t) to, res_void_t *out, gale_cont_fn fn,
                       void *arg)
{
    P(condvar_cv_borrow_t) cb = P(condvar_cv_borrow)(S.cv);
    P(mutex_mtx_borrow_t) mb = P(mutex_mtx_borrow)(S.m);
    uint32_t st;
    if (with_mutex) {
        if (P(mutex_method_mtx_lock)(mb, forever).is_err)
            __builtin_trap();
        st = P(condvar_method_cv_wait_mutex_async)(cb, mb, to, out);
    } else {
        st = P(condvar_method_cv_wait_async)(cb, to, out);
    }
    /* nobody signalled yet: every wait blocks (STARTED) */
    if (gale_subtask_state(st) != GALE_SUBTASK_STARTED || gale_task_await(t, st, fn, arg))
        __builtin_trap();
    /* a wait-mutex released the mutex when it started */
    if (with_mutex && !P(mutex_method_mtx_unlock)(mb).is_err)
        __builtin_trap();
}

uint32_t exports_async_system_run(void)
{
    S.go = open_q("go");
    S.ack = open_q("ack");
    S.cfg = open_q("cfg");
    async_system_result_own_pulseengine_gale_condvar_cv_pulseengine_gale_types_kernel_error_t co =
        P(condvar_static_cv_open)(gale_str("cv"));
    async_system_result_own_pulseengine_gale_mutex_mtx_pulseengine_gale_types_kernel_error_t mo =
        P(mutex_static_mtx_open)(gale_str("m"));
    if (co.is_err || mo.is_err)
        __builtin_trap();
    S.cv = co.val.ok;
    S.m = mo.val.ok;
    res_list_t cfg = P(message_queue_method_msgq_get)(P(message_queue_msgq_borrow)(S.cfg), forever);
    if (cfg.is_err || cfg.val.ok.len != 4)
        __builtin_trap();
    S.mask = cfg.val.ok.ptr[0];
    free(cfg.val.ok.ptr);
    gale_task_t *t = gale_task_begin(NULL);
    for (uint32_t i = 0; i < NW; i++)
        start_wait(t, (S.mask >> i) & 1u, forever, &S.r[i], w_done, (void *)(uintptr_t)i);
    const P(types_timeout_t) t20 = {PULSEENGINE_GALE_TYPES_TIMEOUT_MILLIS, {20}};
    start_wait(t, true, t20, &S.rt, t_done, NULL);
    if (P(mutex_method_mtx_lock)(P(mutex_mtx_borrow)(S.m), forever).is_err) /* held until command 4 */
        __builtin_trap();
    await_go();
    return gale_task_code(t);
}

uint32_t exports_async_system_run_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}
