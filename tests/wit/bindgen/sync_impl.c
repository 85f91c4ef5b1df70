/* The component side of world pulseengine:gale/sync-system: a sync entry
 * that uses the sync-lowered kernel imports (blocking its thread). */
#include "sync_system.h"

void exports_sync_system_run(void)
{
    pulseengine_gale_message_queue_msgq_own_t q = pulseengine_gale_message_queue_constructor_msgq(4, 8);
    static uint8_t msg[4] = {1, 2, 3, 4};
    sync_system_list_u8_t data = {msg, 4};
    pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    (void)pulseengine_gale_message_queue_method_msgq_put(pulseengine_gale_message_queue_msgq_borrow(q), data, forever);
    pulseengine_gale_message_queue_msgq_drop_own(q);
    /* the header also declares the raw core imports behind the wrappers
     * (gale_core_<wrapper>, gale_core_<R>_drop) for hand lowering: same
     * module/field/core type, so the import list `gale wit abi` predicts is
     * unchanged */
    pulseengine_gale_semaphore_sem_own_t s = pulseengine_gale_semaphore_constructor_sem(1, 1);
    if (gale_core_pulseengine_gale_semaphore_method_sem_count(s.handle) != 1)
        __builtin_trap();
    gale_core_pulseengine_gale_semaphore_sem_drop(s.handle);
}
