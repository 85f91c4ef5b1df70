/* async-system guest written against the bindings `gale bindgen --world
 * async-system --lang c` generates at build time. The callback-lifted entry
 * awaits an async-lowered semaphore take ("bg_asem") and an async-lowered
 * msgq get ("bg_in") at once (gale_task_await), then puts value+7 to
 * "bg_out" through the async-lowered put (params passed in memory) and
 * returns. Any unexpected result traps, which the host test reports. */
#include "async_system.h"

typedef async_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t open_q_t;
typedef async_system_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t open_s_t;
typedef async_system_result_void_pulseengine_gale_types_kernel_error_t res_void_t;
typedef async_system_result_list_u8_pulseengine_gale_types_kernel_error_t res_list_t;

static struct {
    open_s_t sem;
    open_q_t in, out;
    res_void_t r_take, r_put;
    res_list_t r_get;
    uint32_t done; /* bit 0 take, bit 1 get, bit 2 put */
    uint32_t value;
    pulseengine_gale_message_queue_method_msgq_put_params_t put;
} S;

static gale_string_t str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    gale_string_t r = {(uint8_t *)(uintptr_t)s, n};
    return r;
}

static void finish(void)
{
    pulseengine_gale_semaphore_sem_drop_own(S.sem.val.ok);
    pulseengine_gale_message_queue_msgq_drop_own(S.in.val.ok);
    pulseengine_gale_message_queue_msgq_drop_own(S.out.val.ok);
    exports_async_system_run_return();
}

static void put_done(void *arg, uint32_t event, uint32_t p1, uint32_t p2)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || p2 != GALE_SUBTASK_RETURNED || S.r_put.is_err)
        __builtin_trap();
    S.done |= 4;
    finish();
}

static void both_ready(void)
{
    static uint32_t out;
    out = S.value + 7u;
    pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    S.put.self_ = pulseengine_gale_message_queue_msgq_borrow(S.out.val.ok);
    S.put.data.ptr = (uint8_t *)&out;
    S.put.data.len = 4;
    S.put.timeout = forever;
    if (gale_task_await(gale_task_current(),
                        pulseengine_gale_message_queue_method_msgq_put_async(&S.put, &S.r_put), put_done, NULL))
        __builtin_trap();
}

static void take_done(void *arg, uint32_t event, uint32_t p1, uint32_t p2)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || p2 != GALE_SUBTASK_RETURNED || S.r_take.is_err)
        __builtin_trap();
    S.done |= 1;
    if (S.done == 3)
        both_ready();
}

static void get_done(void *arg, uint32_t event, uint32_t p1, uint32_t p2)
{
    (void)arg, (void)p1;
    if (event != GALE_EVENT_SUBTASK || p2 != GALE_SUBTASK_RETURNED || S.r_get.is_err || S.r_get.val.ok.len != 4)
        __builtin_trap();
    memcpy(&S.value, S.r_get.val.ok.ptr, 4);
    free(S.r_get.val.ok.ptr);
    S.done |= 2;
    if (S.done == 3)
        both_ready();
}

uint32_t exports_async_system_run(void)
{
    S.sem = pulseengine_gale_semaphore_static_sem_open(str("bg_asem"));
    S.in = pulseengine_gale_message_queue_static_msgq_open(str("bg_in"));
    S.out = pulseengine_gale_message_queue_static_msgq_open(str("bg_out"));
    if (S.sem.is_err || S.in.is_err || S.out.is_err)
        __builtin_trap();
    pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    gale_task_t *t = gale_task_begin(NULL);
    if (!t)
        __builtin_trap();
    uint32_t st_take = pulseengine_gale_semaphore_method_sem_take_async(
        pulseengine_gale_semaphore_sem_borrow(S.sem.val.ok), forever, &S.r_take);
    uint32_t st_get = pulseengine_gale_message_queue_method_msgq_get_async(
        pulseengine_gale_message_queue_msgq_borrow(S.in.val.ok), forever, &S.r_get);
    /* nothing was given or sent yet: both must really be pending */
    if (gale_subtask_state(st_take) != GALE_SUBTASK_STARTED || gale_subtask_state(st_get) != GALE_SUBTASK_STARTED)
        __builtin_trap();
    if (gale_task_await(t, st_take, take_done, NULL) || gale_task_await(t, st_get, get_done, NULL))
        __builtin_trap();
    return gale_task_code(t);
}

uint32_t exports_async_system_run_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}
