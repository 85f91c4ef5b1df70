/* sync system (world sync-system) sharing the cv "cv" and the mutex "m" with
 * the async system of cv_many.c: a sync-lowered cv.wait (blocks in the
 * kernel), reported on "ack" as 0xbb; then a sync-lowered cv.wait-mutex on m,
 * after which m must be held exactly once (one unlock, then EPERM), reported
 * as 0xbc. */
#include "sync_system.h"

#define P(x) pulseengine_gale_##x
typedef sync_system_result_void_pulseengine_gale_types_kernel_error_t res_void_t;

static void ack(P(message_queue_msgq_borrow_t) q, uint8_t v)
{
    const P(types_timeout_t) nowait = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};
    uint8_t b[4] = {v, 0x5a, 0, 0};
    sync_system_list_u8_t m = {b, 4};
    if (P(message_queue_method_msgq_put)(q, m, nowait).is_err)
        __builtin_trap();
}

void exports_sync_system_run(void)
{
    const P(types_timeout_t) forever = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
    sync_system_result_own_pulseengine_gale_condvar_cv_pulseengine_gale_types_kernel_error_t co =
        P(condvar_static_cv_open)(gale_str("cv"));
    sync_system_result_own_pulseengine_gale_mutex_mtx_pulseengine_gale_types_kernel_error_t mo =
        P(mutex_static_mtx_open)(gale_str("m"));
    sync_system_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t qo =
        P(message_queue_static_msgq_open)(gale_str("ack"));
    if (co.is_err || mo.is_err || qo.is_err)
        __builtin_trap();
    P(condvar_cv_borrow_t) cb = P(condvar_cv_borrow)(co.val.ok);
    P(mutex_mtx_borrow_t) mb = P(mutex_mtx_borrow)(mo.val.ok);
    P(message_queue_msgq_borrow_t) q = P(message_queue_msgq_borrow)(qo.val.ok);
    if (P(condvar_method_cv_wait)(cb, forever).is_err)
        __builtin_trap();
    ack(q, 0xbb);
    if (P(mutex_method_mtx_lock)(mb, forever).is_err || P(condvar_method_cv_wait_mutex)(cb, mb, forever).is_err)
        __builtin_trap();
    res_void_t u1 = P(mutex_method_mtx_unlock)(mb);
    res_void_t u2 = P(mutex_method_mtx_unlock)(mb);
    if (u1.is_err || !u2.is_err || u2.val.err != PULSEENGINE_GALE_TYPES_KERNEL_ERROR_PERMISSION_DENIED)
        __builtin_trap();
    ack(q, 0xbc);
    P(condvar_cv_drop_own)(co.val.ok);
    P(mutex_mtx_drop_own)(mo.val.ok);
    P(message_queue_msgq_drop_own)(qo.val.ok);
}
