/* gale — the component of footprint image (d) (bench/mcu/fp_runtime.c), a C
 * guest of the kernel-primitives world (clang -> wasm32): opens the shared
 * semaphore "go" and message queue "q", and ROUNDS times waits for "go" and
 * puts 7*i on "q". Traps on any error. */
#include "kp_guest.h"

#define ROUNDS 3u

__attribute__((export_name("run"))) void run(void)
{
    kp_res_u32_t o;
    kp_sem_open("go", 2, &o);
    if (o.is_err)
        __builtin_trap();
    int32_t go = (int32_t)o.val;
    kp_msgq_open("q", 1, &o);
    if (o.is_err)
        __builtin_trap();
    int32_t q = (int32_t)o.val;
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        kp_res_unit_t r;
        kp_sem_take(go, KP_FOREVER, &r);
        if (r.is_err)
            __builtin_trap();
        uint32_t v = 7u * i;
        kp_msgq_put(q, &v, 4, KP_FOREVER, &r);
        if (r.is_err)
            __builtin_trap();
    }
    kp_sem_drop(go);
    kp_msgq_drop(q);
}
