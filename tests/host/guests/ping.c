/* sync system "ping" (generated bindings, world sync-system): sends 1..N over
 * the shared msgq "ping", expects v+1 back on "pong". */
#include "sync_system.h"

#ifndef ROUNDS
#define ROUNDS 20
#endif

typedef sync_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t open_q_t;

void exports_sync_system_run(void)
{
    const pulseengine_gale_types_timeout_t forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    open_q_t o_ping = pulseengine_gale_message_queue_static_msgq_open(gale_str("ping"));
    if (o_ping.is_err)
        __builtin_trap();
    open_q_t o_pong = pulseengine_gale_message_queue_static_msgq_open(gale_str("pong"));
    if (o_pong.is_err)
        __builtin_trap(); /* test_grants: "pong" not granted */
    pulseengine_gale_message_queue_msgq_borrow_t ping = pulseengine_gale_message_queue_msgq_borrow(o_ping.val.ok);
    pulseengine_gale_message_queue_msgq_borrow_t pong = pulseengine_gale_message_queue_msgq_borrow(o_pong.val.ok);
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        sync_system_list_u8_t data = {(uint8_t *)&i, 4};
        sync_system_result_void_pulseengine_gale_types_kernel_error_t r =
            pulseengine_gale_message_queue_method_msgq_put(ping, data, forever);
        if (r.is_err)
            __builtin_trap();
        sync_system_result_list_u8_pulseengine_gale_types_kernel_error_t g =
            pulseengine_gale_message_queue_method_msgq_get(pong, forever);
        uint32_t v = 0;
        if (g.is_err || g.val.ok.len != 4)
            __builtin_trap();
        memcpy(&v, g.val.ok.ptr, 4);
        free(g.val.ok.ptr);
        if (v != i + 1)
            __builtin_trap();
    }
    pulseengine_gale_message_queue_msgq_drop_own(o_ping.val.ok);
    pulseengine_gale_message_queue_msgq_drop_own(o_pong.val.ok);
}
