/* "sensor": an async system (callback-lifted `run`), written against the
 * bindings that `gale bindgen --world async-system --lang c` generates at
 * build time (async_system.h; see gale_add_component_guest in CMakeLists.txt).
 *
 * Every 10 ms timer tick it sends a sample over the shared message queue
 * "samples" and awaits the logger's acknowledgement on the shared semaphore
 * "ack". The timer wait, the put and the ack wait are async-lowered calls
 * (the `_async` functions): each returns at once, RETURNED or STARTED, and
 * the guest SDK's task loop (gale_task_await / gale_task_dispatch) runs the
 * given continuation when the call completes, so this component's thread
 * keeps running while they are pending. */
#include "async_system.h"

#define SAMPLES 5

typedef async_system_result_void_pulseengine_gale_types_kernel_error_t result_void_t;
typedef async_system_result_u32_pulseengine_gale_types_kernel_error_t result_u32_t;

static const pulseengine_gale_types_timeout_t FOREVER = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};

static struct {
    pulseengine_gale_timer_tmr_own_t tmr;
    pulseengine_gale_message_queue_msgq_own_t samples;
    pulseengine_gale_semaphore_sem_own_t ack;
    uint32_t n;       /* samples sent */
    uint32_t pending; /* calls of the current sample not completed yet */
    /* results and in-memory params of async-lowered calls must stay valid
     * until the call completes: they live here, not on the stack */
    result_u32_t tick;
    result_void_t put, acked;
    pulseengine_gale_message_queue_method_msgq_put_params_t put_params;
    uint32_t sample[2];
} S;

static void wait_tick(void);

/* a continuation: runs when an awaited call has completed */
static void completed(uint32_t event, uint32_t state, bool is_err)
{
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED || is_err)
        __builtin_trap(); /* the host reports the trap and stops this system */
    if (--S.pending)
        return;
    if (S.n < SAMPLES) {
        wait_tick();
        return;
    }
    pulseengine_gale_timer_method_tmr_stop(pulseengine_gale_timer_tmr_borrow(S.tmr));
    pulseengine_gale_timer_tmr_drop_own(S.tmr);
    pulseengine_gale_message_queue_msgq_drop_own(S.samples);
    pulseengine_gale_semaphore_sem_drop_own(S.ack);
    exports_async_system_run_return(); /* the task's result; the loop then exits */
}

static void on_put(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    completed(event, state, S.put.is_err);
}

static void on_ack(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    completed(event, state, S.acked.is_err);
}

static void on_tick(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED || S.tick.is_err || S.tick.val.ok < 1)
        __builtin_trap();
    S.n++;
    S.sample[0] = S.n;
    S.sample[1] = S.n * S.n; /* the "measurement" */
    /* msgq.put has 5 flat params (> 4): async-lowered, they go in memory */
    S.put_params.self_ = pulseengine_gale_message_queue_msgq_borrow(S.samples);
    S.put_params.data.ptr = (uint8_t *)S.sample;
    S.put_params.data.len = sizeof S.sample;
    S.put_params.timeout = FOREVER;
    S.pending = 2;
    gale_task_t *t = gale_task_current();
    if (gale_task_await(t, pulseengine_gale_message_queue_method_msgq_put_async(&S.put_params, &S.put), on_put, NULL) ||
        gale_task_await(t,
                        pulseengine_gale_semaphore_method_sem_take_async(pulseengine_gale_semaphore_sem_borrow(S.ack),
                                                                         FOREVER, &S.acked),
                        on_ack, NULL))
        __builtin_trap();
}

static void wait_tick(void)
{
    S.pending = 1;
    if (gale_task_await(gale_task_current(),
                        pulseengine_gale_timer_method_tmr_status_sync_async(pulseengine_gale_timer_tmr_borrow(S.tmr),
                                                                            FOREVER, &S.tick),
                        on_tick, NULL))
        __builtin_trap();
}

/* the async export `run`: the entry, then one callback per event */
uint32_t exports_async_system_run(void)
{
    async_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t q =
        pulseengine_gale_message_queue_static_msgq_open(gale_str("samples"));
    async_system_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t a =
        pulseengine_gale_semaphore_static_sem_open(gale_str("ack"));
    if (q.is_err || a.is_err)
        __builtin_trap(); /* not granted to this system */
    S.samples = q.val.ok;
    S.ack = a.val.ok;
    S.tmr = pulseengine_gale_timer_constructor_tmr(10);
    pulseengine_gale_timer_method_tmr_start(pulseengine_gale_timer_tmr_borrow(S.tmr));
    gale_task_t *t = gale_task_begin(NULL);
    wait_tick();
    return gale_task_code(t); /* WAIT on the task's waitable set */
}

uint32_t exports_async_system_run_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}
