/* gale — the component of footprint image (d) (bench/mcu/fp_runtime.c), a C
 * guest of the kernel-primitives world (clang -> wasm32) written against the
 * bindings `gale bindgen --world sync-system --lang c` generates at build time
 * (gale_add_component_guest): opens the shared semaphore "go" and message
 * queue "q", and ROUNDS times waits for "go" and puts 7*i on "q". Traps on any
 * error. */
#include "sync_system.h"

#define ROUNDS 3u

void exports_sync_system_run(void)
{
    const pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    sync_system_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t go =
        pulseengine_gale_semaphore_static_sem_open(gale_str("go"));
    if (go.is_err)
        __builtin_trap();
    sync_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t q =
        pulseengine_gale_message_queue_static_msgq_open(gale_str("q"));
    if (q.is_err)
        __builtin_trap();
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        if (pulseengine_gale_semaphore_method_sem_take(pulseengine_gale_semaphore_sem_borrow(go.val.ok), forever).is_err)
            __builtin_trap();
        uint32_t v = 7u * i;
        sync_system_list_u8_t data = {(uint8_t *)&v, 4};
        if (pulseengine_gale_message_queue_method_msgq_put(pulseengine_gale_message_queue_msgq_borrow(q.val.ok), data,
                                                           forever)
                .is_err)
            __builtin_trap();
    }
    pulseengine_gale_semaphore_sem_drop_own(go.val.ok);
    pulseengine_gale_message_queue_msgq_drop_own(q.val.ok);
}
