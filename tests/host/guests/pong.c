/* sync system "pong": answers v+1 for each v received on "ping". */
#include "kp_guest.h"

#ifndef ROUNDS
#define ROUNDS 20
#endif

__attribute__((export_name("run"))) void run(void)
{
    kp_res_u32_t o;
    kp_msgq_open("ping", 4, &o);
    int32_t ping = (int32_t)o.val;
    kp_msgq_open("pong", 4, &o);
    int32_t pong = (int32_t)o.val;
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        kp_res_bytes_t g;
        kp_msgq_get(ping, KP_FOREVER, &g);
        if (g.is_err || g.len != 4)
            __builtin_trap();
        uint32_t v = *(uint32_t *)g.ptr_or_err + 1;
        kp_res_unit_t r;
        kp_msgq_put(pong, &v, 4, KP_FOREVER, &r);
    }
}
