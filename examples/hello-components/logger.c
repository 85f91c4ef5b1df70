/* "logger": a sync system (`run` is its thread body). It blocks on the shared
 * message queue "samples", keeps a running sum and acknowledges each sample on
 * the shared semaphore "ack"; after 5 samples it stores the sum in the shared
 * stack "results" and returns. */
#include "kp_guest.h"

__attribute__((export_name("run"))) void run(void)
{
    kp_res_u32_t o;
    kp_msgq_open("samples", 7, &o);
    int32_t q = (int32_t)o.val;
    kp_sem_open("ack", 3, &o);
    int32_t ack = (int32_t)o.val;
    uint32_t sum = 0;
    for (int i = 0; i < 5; i++) {
        kp_res_bytes_t g;
        kp_msgq_get(q, KP_FOREVER, &g);
        if (g.is_err || g.len != 8)
            __builtin_trap();
        sum += ((uint32_t *)g.ptr_or_err)[1];
        kp_sem_give(ack);
    }
    kp_stk_open("results", 7, &o);
    if (o.is_err)
        __builtin_trap();
    kp_res_unit_t u;
    kp_stk_push((int32_t)o.val, sum, &u);
    kp_stk_drop((int32_t)o.val);
    kp_msgq_drop(q);
    kp_sem_drop(ack);
}
