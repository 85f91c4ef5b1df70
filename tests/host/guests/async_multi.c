/* async system (generated bindings, world async-system): awaits a semaphore,
 * a timer and a message queue at once (three async-lowered calls, each
 * STARTED, parked on the SDK task's waitable set), then returns. The
 * semaphore is given by this very component once the timer fired, from that
 * continuation: the task keeps running while other waits are pending. */
#include "async_system.h"

typedef async_system_result_void_pulseengine_gale_types_kernel_error_t res_void_t;
typedef async_system_result_u32_pulseengine_gale_types_kernel_error_t res_u32_t;
typedef async_system_result_list_u8_pulseengine_gale_types_kernel_error_t res_list_t;

#define CTX_MAGIC 0x5a5au

static struct {
    pulseengine_gale_semaphore_sem_own_t sem;
    pulseengine_gale_timer_tmr_own_t tmr;
    pulseengine_gale_message_queue_msgq_own_t q;
    uint32_t done; /* bit 0 sem, 1 tmr, 2 msgq */
    uint32_t order[3], n;
    res_void_t r_sem;
    res_u32_t r_tmr;
    res_list_t r_q;
} S;

static void finished(uint32_t bit, uint32_t event, uint32_t state)
{
    /* context slot 1 is the component's own (the SDK keeps its task in slot 0) */
    if (gale_context_get1() != CTX_MAGIC || event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED)
        __builtin_trap();
    S.done |= bit;
    S.order[S.n++] = bit;
    if (S.done != 7)
        return;
    /* the timer fired first (5 ms), then the sem it released, then the msgq (12 ms) */
    if (S.order[0] != 2 || S.order[1] != 1 || S.order[2] != 4)
        __builtin_trap();
    pulseengine_gale_timer_method_tmr_stop(pulseengine_gale_timer_tmr_borrow(S.tmr));
    pulseengine_gale_semaphore_sem_drop_own(S.sem);
    pulseengine_gale_timer_tmr_drop_own(S.tmr);
    pulseengine_gale_message_queue_msgq_drop_own(S.q);
    exports_async_system_run_return();
}

static void sem_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (S.r_sem.is_err)
        __builtin_trap();
    finished(1, event, state);
}

static void tmr_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (S.r_tmr.is_err || S.r_tmr.val.ok < 1)
        __builtin_trap();
    /* timer fired: release the semaphore the first wait is blocked on */
    pulseengine_gale_semaphore_method_sem_give(pulseengine_gale_semaphore_sem_borrow(S.sem));
    finished(2, event, state);
}

static void q_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (S.r_q.is_err || S.r_q.val.ok.len != 5 || memcmp(S.r_q.val.ok.ptr, "hello", 5))
        __builtin_trap();
    free(S.r_q.val.ok.ptr);
    finished(4, event, state);
}

static void await_started(gale_task_t *t, uint32_t status, gale_cont_fn fn)
{
    /* nothing can complete at once here: the test counts 3 started subtasks */
    if (gale_subtask_state(status) != GALE_SUBTASK_STARTED || gale_task_await(t, status, fn, NULL))
        __builtin_trap();
}

uint32_t exports_async_system_run(void)
{
    const pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    gale_context_set1(CTX_MAGIC);
    S.sem = pulseengine_gale_semaphore_constructor_sem(0, 1);
    S.tmr = pulseengine_gale_timer_constructor_tmr(5);
    async_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t o =
        pulseengine_gale_message_queue_static_msgq_open(gale_str("inbox"));
    if (o.is_err)
        __builtin_trap();
    S.q = o.val.ok;
    gale_task_t *t = gale_task_begin(NULL);
    pulseengine_gale_timer_method_tmr_start(pulseengine_gale_timer_tmr_borrow(S.tmr));
    await_started(t, pulseengine_gale_semaphore_method_sem_take_async(pulseengine_gale_semaphore_sem_borrow(S.sem), forever, &S.r_sem), sem_done);
    await_started(t, pulseengine_gale_timer_method_tmr_status_sync_async(pulseengine_gale_timer_tmr_borrow(S.tmr), forever, &S.r_tmr), tmr_done);
    await_started(t, pulseengine_gale_message_queue_method_msgq_get_async(pulseengine_gale_message_queue_msgq_borrow(S.q), forever, &S.r_q), q_done);
    return gale_task_code(t);
}

uint32_t exports_async_system_run_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    if (gale_context_get1() != CTX_MAGIC)
        __builtin_trap(); /* context slots are kept per task across callbacks */
    return gale_task_dispatch(event, p1, p2);
}
