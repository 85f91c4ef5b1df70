/* "logger": a sync system (`run` is its thread body), written against the
 * bindings that `gale bindgen --world sync-system --lang c` generates at build
 * time (sync_system.h). It blocks on the shared message queue "samples" (a
 * sync-lowered call: the thread blocks in the kernel), keeps a running sum and
 * acknowledges each sample on the shared semaphore "ack"; after 5 samples it
 * pushes the sum onto the shared stack "results" and returns. */
#include "sync_system.h"

#define SAMPLES 5

void exports_sync_system_run(void)
{
    const pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    /* objects shared by the embedding, opened by name (the system must be granted them) */
    sync_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t q =
        pulseengine_gale_message_queue_static_msgq_open(gale_str("samples"));
    sync_system_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t ack =
        pulseengine_gale_semaphore_static_sem_open(gale_str("ack"));
    sync_system_result_own_pulseengine_gale_stack_stk_pulseengine_gale_types_kernel_error_t results =
        pulseengine_gale_stack_static_stk_open(gale_str("results"));
    if (q.is_err || ack.is_err || results.is_err)
        __builtin_trap(); /* the host reports the trap and stops this system */
    uint32_t sum = 0;
    for (int i = 0; i < SAMPLES; i++) {
        sync_system_result_list_u8_pulseengine_gale_types_kernel_error_t got =
            pulseengine_gale_message_queue_method_msgq_get(pulseengine_gale_message_queue_msgq_borrow(q.val.ok), forever);
        if (got.is_err || got.val.ok.len != 8)
            __builtin_trap();
        uint32_t sample[2];
        memcpy(sample, got.val.ok.ptr, sizeof sample);
        free(got.val.ok.ptr); /* lifted lists are allocated with cabi_realloc */
        sum += sample[1];
        pulseengine_gale_semaphore_method_sem_give(pulseengine_gale_semaphore_sem_borrow(ack.val.ok));
    }
    sync_system_result_void_pulseengine_gale_types_kernel_error_t pushed =
        pulseengine_gale_stack_method_stk_push(pulseengine_gale_stack_stk_borrow(results.val.ok), sum);
    if (pushed.is_err)
        __builtin_trap();
    pulseengine_gale_stack_stk_drop_own(results.val.ok);
    pulseengine_gale_message_queue_msgq_drop_own(q.val.ok);
    pulseengine_gale_semaphore_sem_drop_own(ack.val.ok);
}
