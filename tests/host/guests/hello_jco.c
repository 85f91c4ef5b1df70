/* sync-system guest for the jco round trip (generated bindings): uses a few
 * primitives and gives the shared semaphore "done" once, so the host can see
 * it ran. */
#include "sync_system.h"

void exports_sync_system_run(void)
{
    const pulseengine_gale_types_timeout_t no_wait = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};
    pulseengine_gale_semaphore_sem_own_t s = pulseengine_gale_semaphore_constructor_sem(0, 3);
    pulseengine_gale_semaphore_sem_borrow_t sb = pulseengine_gale_semaphore_sem_borrow(s);
    pulseengine_gale_semaphore_method_sem_give(sb);
    pulseengine_gale_semaphore_method_sem_give(sb);
    if (pulseengine_gale_semaphore_method_sem_take(sb, no_wait).is_err || pulseengine_gale_semaphore_method_sem_count(sb) != 1)
        __builtin_trap();
    pulseengine_gale_semaphore_sem_drop_own(s);
    pulseengine_gale_message_queue_msgq_own_t q = pulseengine_gale_message_queue_constructor_msgq(4, 1);
    pulseengine_gale_message_queue_msgq_borrow_t qb = pulseengine_gale_message_queue_msgq_borrow(q);
    uint32_t v = 42;
    sync_system_list_u8_t data = {(uint8_t *)&v, 4};
    if (pulseengine_gale_message_queue_method_msgq_put(qb, data, no_wait).is_err)
        __builtin_trap();
    sync_system_result_list_u8_pulseengine_gale_types_kernel_error_t g =
        pulseengine_gale_message_queue_method_msgq_get(qb, no_wait);
    uint32_t got = 0;
    if (g.is_err || g.val.ok.len != 4)
        __builtin_trap();
    memcpy(&got, g.val.ok.ptr, 4);
    free(g.val.ok.ptr);
    if (got != 42)
        __builtin_trap();
    pulseengine_gale_message_queue_msgq_drop_own(q);
    sync_system_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t o =
        pulseengine_gale_semaphore_static_sem_open(gale_str("done"));
    if (o.is_err)
        __builtin_trap();
    pulseengine_gale_semaphore_method_sem_give(pulseengine_gale_semaphore_sem_borrow(o.val.ok));
    pulseengine_gale_semaphore_sem_drop_own(o.val.ok);
}
