/* sync-system guest for the jco round trip: uses a few primitives and gives
 * the shared semaphore "done" once, so the host can see it ran. */
#include "kp_guest.h"

__attribute__((export_name("run"))) void run(void)
{
    kp_res_unit_t u;
    int32_t s = kp_sem_new(0, 3);
    kp_sem_give(s);
    kp_sem_give(s);
    kp_sem_take(s, KP_NO_WAIT, &u);
    if (u.is_err || kp_sem_count(s) != 1)
        __builtin_trap();
    kp_sem_drop(s);
    int32_t q = kp_msgq_new(4, 1);
    uint32_t v = 42;
    kp_msgq_put(q, &v, 4, KP_NO_WAIT, &u);
    kp_res_bytes_t g;
    kp_msgq_get(q, KP_NO_WAIT, &g);
    if (g.is_err || *(uint32_t *)g.ptr_or_err != 42)
        __builtin_trap();
    kp_msgq_drop(q);
    kp_res_u32_t o;
    kp_sem_open("done", 4, &o);
    if (o.is_err)
        __builtin_trap();
    kp_sem_give((int32_t)o.val);
    kp_sem_drop((int32_t)o.val);
}
