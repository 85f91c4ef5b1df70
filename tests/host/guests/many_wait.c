/* async system (world async-system): more async-lowered blocked calls at once
 * than the component host ever had worker threads. It awaits msgq.get on the 6
 * shared queues q0..q5, msgq.get with a 30 ms timeout on the empty queue qt,
 * and sem.take on the shared sem s, all at once. Each message received from
 * q<i> must start with byte i; it is forwarded to the shared queue ack (a sync
 * put) so the feeder can check it and feed the next queue only after the
 * previous one arrived. qt must report `again` (timed out). */
#include "async_system.h"

typedef async_system_result_void_pulseengine_gale_types_kernel_error_t res_void_t;
typedef async_system_result_list_u8_pulseengine_gale_types_kernel_error_t res_list_t;

#define NQ 6 /* + qt + s = 8 awaits: the guest SDK task's limit (GALE_TASK_MAX_PENDING) */

static struct {
    pulseengine_gale_message_queue_msgq_own_t q[NQ], qt, ack;
    pulseengine_gale_semaphore_sem_own_t s;
    res_list_t r[NQ], rt;
    res_void_t rs;
    uint32_t done;
} S;

static pulseengine_gale_message_queue_msgq_own_t open_q(const char *name)
{
    async_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t o =
        pulseengine_gale_message_queue_static_msgq_open(gale_str(name));
    if (o.is_err)
        __builtin_trap();
    return o.val.ok;
}

static void finished(uint32_t bit)
{
    if (S.done & bit)
        __builtin_trap();
    S.done |= bit;
    if (S.done != (1u << (NQ + 2)) - 1u)
        return;
    for (int i = 0; i < NQ; i++)
        pulseengine_gale_message_queue_msgq_drop_own(S.q[i]);
    pulseengine_gale_message_queue_msgq_drop_own(S.qt);
    pulseengine_gale_message_queue_msgq_drop_own(S.ack);
    pulseengine_gale_semaphore_sem_drop_own(S.s);
    exports_async_system_run_return();
}

static void q_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)p1;
    uint32_t i = (uint32_t)(uintptr_t)arg;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED)
        __builtin_trap();
    if (S.r[i].is_err || S.r[i].val.ok.len != 4 || S.r[i].val.ok.ptr[0] != i)
        __builtin_trap();
    const pulseengine_gale_types_timeout_t nowait = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};
    async_system_list_u8_t m = {S.r[i].val.ok.ptr, 4};
    if (pulseengine_gale_message_queue_method_msgq_put(pulseengine_gale_message_queue_msgq_borrow(S.ack), m, nowait)
            .is_err)
        __builtin_trap();
    free(S.r[i].val.ok.ptr);
    finished(1u << i);
}

static void qt_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED)
        __builtin_trap();
    if (!S.rt.is_err || S.rt.val.err != PULSEENGINE_GALE_TYPES_KERNEL_ERROR_AGAIN)
        __builtin_trap();
    finished(1u << NQ);
}

static void s_done(void *arg, uint32_t event, uint32_t p1, uint32_t state)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED || S.rs.is_err)
        __builtin_trap();
    finished(1u << (NQ + 1));
}

static void await_started(gale_task_t *t, uint32_t status, gale_cont_fn fn, void *arg)
{
    /* nothing is available yet: every call must block (STARTED) */
    if (gale_subtask_state(status) != GALE_SUBTASK_STARTED || gale_task_await(t, status, fn, arg))
        __builtin_trap();
}

uint32_t exports_async_system_run(void)
{
    const pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    const pulseengine_gale_types_timeout_t t30 = {PULSEENGINE_GALE_TYPES_TIMEOUT_MILLIS, {30}};
    static const char *const names[NQ] = {"q0", "q1", "q2", "q3", "q4", "q5"};
    for (int i = 0; i < NQ; i++)
        S.q[i] = open_q(names[i]);
    S.qt = open_q("qt");
    S.ack = open_q("ack");
    async_system_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t so =
        pulseengine_gale_semaphore_static_sem_open(gale_str("s"));
    if (so.is_err)
        __builtin_trap();
    S.s = so.val.ok;
    gale_task_t *t = gale_task_begin(NULL);
    for (uint32_t i = 0; i < NQ; i++)
        await_started(t,
                      pulseengine_gale_message_queue_method_msgq_get_async(
                          pulseengine_gale_message_queue_msgq_borrow(S.q[i]), forever, &S.r[i]),
                      q_done, (void *)(uintptr_t)i);
    await_started(t,
                  pulseengine_gale_message_queue_method_msgq_get_async(pulseengine_gale_message_queue_msgq_borrow(S.qt),
                                                                       t30, &S.rt),
                  qt_done, NULL);
    await_started(t,
                  pulseengine_gale_semaphore_method_sem_take_async(pulseengine_gale_semaphore_sem_borrow(S.s), forever,
                                                                   &S.rs),
                  s_done, NULL);
    return gale_task_code(t);
}

uint32_t exports_async_system_run_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}
