/* Benchmark guest (generated bindings, world gale-bench:cm/bench-guest in
 * bench/cm/wit): host-call loops and an async msgq ping/pong. */
#include "bench_guest.h"

#define T(x) pulseengine_gale_##x

static const T(types_timeout_t) NO_WAIT = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};
static const T(types_timeout_t) FOREVER = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};

static T(semaphore_sem_own_t) sem;

void exports_bench_guest_setup(uint32_t n)
{
    sem = T(semaphore_constructor_sem)(n, n ? n : 1);
}

uint32_t exports_bench_guest_loop_empty(uint32_t n)
{
    volatile uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++)
        acc += i;
    return acc;
}

uint32_t exports_bench_guest_loop_sync(uint32_t n)
{
    volatile uint32_t acc = 0;
    T(semaphore_sem_borrow_t) b = T(semaphore_sem_borrow)(sem);
    for (uint32_t i = 0; i < n; i++)
        acc += T(semaphore_method_sem_count)(b);
    return acc;
}

/* async-lowered take on a semaphore that has counts: RETURNED at once */
uint32_t exports_bench_guest_loop_async(uint32_t n)
{
    uint32_t ok = 0;
    bench_guest_result_void_pulseengine_gale_types_kernel_error_t r;
    T(semaphore_sem_borrow_t) b = T(semaphore_sem_borrow)(sem);
    for (uint32_t i = 0; i < n; i++)
        ok += gale_subtask_state(T(semaphore_method_sem_take_async)(b, NO_WAIT, &r)) == GALE_SUBTASK_RETURNED &&
              !r.is_err;
    return ok;
}

/* ping/pong over two shared msgqs, async lowered, callback lifted */
enum { SEND = 0, RECV = 1 };
static struct {
    T(message_queue_msgq_own_t) tx, rx;
    uint32_t set, n, sends, recvs, phase, msg;
    int is_ping;
    bench_guest_result_list_u8_pulseengine_gale_types_kernel_error_t got;
    T(message_queue_method_msgq_put_params_t) put;
    bench_guest_result_void_pulseengine_gale_types_kernel_error_t put_r;
} P;

static int done(void)
{
    return P.is_ping ? P.recvs == P.n : P.sends == P.n;
}

static uint32_t finish(void)
{
    if (P.is_ping)
        exports_bench_guest_pinger_return();
    else
        exports_bench_guest_ponger_return();
    return GALE_CALLBACK_EXIT;
}

static void got_message(void)
{
    if (P.got.is_err || P.got.val.ok.len != 4)
        __builtin_trap();
    memcpy(&P.msg, P.got.val.ok.ptr, 4);
    free(P.got.val.ok.ptr);
    P.msg++;
    P.recvs++;
}

static uint32_t pump(void)
{
    for (;;) {
        if (done())
            return finish();
        if (P.phase == SEND) {
            P.put.self_ = T(message_queue_msgq_borrow)(P.tx);
            P.put.data.ptr = (uint8_t *)&P.msg;
            P.put.data.len = 4;
            P.put.timeout = FOREVER;
            uint32_t s = T(message_queue_method_msgq_put_async)(&P.put, &P.put_r);
            if (gale_subtask_state(s) != GALE_SUBTASK_RETURNED) {
                gale_waitable_join(gale_subtask_handle(s), P.set);
                return gale_callback_wait(P.set);
            }
            P.sends++;
            P.phase = RECV;
            continue;
        }
        uint32_t s = T(message_queue_method_msgq_get_async)(T(message_queue_msgq_borrow)(P.rx), FOREVER, &P.got);
        if (gale_subtask_state(s) != GALE_SUBTASK_RETURNED) {
            gale_waitable_join(gale_subtask_handle(s), P.set);
            return gale_callback_wait(P.set);
        }
        got_message();
        P.phase = SEND;
    }
}

static uint32_t start(const char *tx, const char *rx, uint32_t n, int is_ping)
{
    bench_guest_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t o =
        T(message_queue_static_msgq_open)(gale_str(tx));
    if (o.is_err)
        __builtin_trap();
    P.tx = o.val.ok;
    o = T(message_queue_static_msgq_open)(gale_str(rx));
    if (o.is_err)
        __builtin_trap();
    P.rx = o.val.ok;
    P.set = gale_waitable_set_new();
    P.n = n;
    P.sends = P.recvs = 0;
    P.is_ping = is_ping;
    P.phase = is_ping ? SEND : RECV;
    P.msg = 1;
    return pump();
}

static uint32_t on_event(uint32_t ev, uint32_t st, uint32_t state)
{
    if (ev != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED)
        __builtin_trap();
    gale_waitable_join(st, 0);
    gale_subtask_drop(st);
    if (P.phase == RECV) {
        got_message();
        P.phase = SEND;
    } else {
        P.sends++;
        P.phase = RECV;
    }
    return pump();
}

uint32_t exports_bench_guest_pinger(uint32_t n)
{
    return start("q1", "q2", n, 1);
}

uint32_t exports_bench_guest_ponger(uint32_t n)
{
    return start("q2", "q1", n, 0);
}

uint32_t exports_bench_guest_pinger_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return on_event(event, p1, p2);
}

uint32_t exports_bench_guest_ponger_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return on_event(event, p1, p2);
}
