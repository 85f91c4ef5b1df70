/* sync-system guest written against the bindings `gale bindgen --world
 * sync-system --lang c` generates at build time (no hand-written header).
 * Serves ROUNDS requests: takes the shared semaphore "bg_sem", gets a u32 v
 * from the shared msgq "bg_req", puts v*2+1 to "bg_rsp". Any unexpected
 * result traps, which the host test reports. */
#include "sync_system.h"

#define ROUNDS 16

static gale_string_t str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    gale_string_t r = {(uint8_t *)(uintptr_t)s, n};
    return r;
}

void exports_sync_system_run(void)
{
    pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    sync_system_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t os =
        pulseengine_gale_semaphore_static_sem_open(str("bg_sem"));
    sync_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t oq =
        pulseengine_gale_message_queue_static_msgq_open(str("bg_req"));
    sync_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t orsp =
        pulseengine_gale_message_queue_static_msgq_open(str("bg_rsp"));
    if (os.is_err || oq.is_err || orsp.is_err)
        __builtin_trap();
    /* an object that was not granted is refused with an error, not a trap */
    sync_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t onot =
        pulseengine_gale_message_queue_static_msgq_open(str("bg_secret"));
    if (!onot.is_err)
        __builtin_trap();
    pulseengine_gale_semaphore_sem_borrow_t sem = pulseengine_gale_semaphore_sem_borrow(os.val.ok);
    pulseengine_gale_message_queue_msgq_borrow_t req = pulseengine_gale_message_queue_msgq_borrow(oq.val.ok);
    pulseengine_gale_message_queue_msgq_borrow_t rsp = pulseengine_gale_message_queue_msgq_borrow(orsp.val.ok);
    for (uint32_t i = 0; i < ROUNDS; i++) {
        sync_system_result_void_pulseengine_gale_types_kernel_error_t t =
            pulseengine_gale_semaphore_method_sem_take(sem, forever);
        if (t.is_err)
            __builtin_trap();
        sync_system_result_list_u8_pulseengine_gale_types_kernel_error_t g =
            pulseengine_gale_message_queue_method_msgq_get(req, forever);
        if (g.is_err || g.val.ok.len != 4)
            __builtin_trap();
        uint32_t v;
        memcpy(&v, g.val.ok.ptr, 4);
        free(g.val.ok.ptr);
        uint32_t out = v * 2u + 1u;
        sync_system_list_u8_t data = {(uint8_t *)&out, 4};
        sync_system_result_void_pulseengine_gale_types_kernel_error_t p =
            pulseengine_gale_message_queue_method_msgq_put(rsp, data, forever);
        if (p.is_err)
            __builtin_trap();
    }
    /* every give was consumed */
    if (pulseengine_gale_semaphore_method_sem_count(sem) != 0)
        __builtin_trap();
    pulseengine_gale_semaphore_sem_drop_own(os.val.ok);
    pulseengine_gale_message_queue_msgq_drop_own(oq.val.ok);
    pulseengine_gale_message_queue_msgq_drop_own(orsp.val.ok);
}
