/* sync system "ping": sends 1..N over the shared msgq "ping", expects v+1 back on "pong". */
#include "kp_guest.h"

#ifndef ROUNDS
#define ROUNDS 20
#endif

__attribute__((export_name("run"))) void run(void)
{
    kp_res_u32_t o;
    kp_msgq_open("ping", 4, &o);
    if (o.is_err)
        __builtin_trap();
    int32_t ping = (int32_t)o.val;
    kp_msgq_open("pong", 4, &o);
    if (o.is_err)
        __builtin_trap();
    int32_t pong = (int32_t)o.val;
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        kp_res_unit_t r;
        kp_msgq_put(ping, &i, 4, KP_FOREVER, &r);
        if (r.is_err)
            __builtin_trap();
        kp_res_bytes_t g;
        kp_msgq_get(pong, KP_FOREVER, &g);
        if (g.is_err || g.len != 4 || *(uint32_t *)g.ptr_or_err != i + 1)
            __builtin_trap();
    }
    kp_msgq_drop(ping);
    kp_msgq_drop(pong);
}
