/* sync system (generated bindings, test world gale-test:host/all-sync): every
 * resource and every function of kernel-primitives, sync-lowered - the
 * constructors, `open` of an object the embedding shared for each of the 9
 * kinds (plus refused names), every method, and every drop (the host destroys
 * each created object). `checks` returns the bit mask of the checks that
 * passed (ALL_SYNC_NCHECKS bits, see test_host_kp.c). */
#include "all_sync.h"

#define T(x) pulseengine_gale_##x
typedef all_sync_result_void_pulseengine_gale_types_kernel_error_t res_void_t;
typedef all_sync_result_u32_pulseengine_gale_types_kernel_error_t res_u32_t;
typedef all_sync_result_u64_pulseengine_gale_types_kernel_error_t res_u64_t;
typedef all_sync_result_list_u8_pulseengine_gale_types_kernel_error_t res_list_t;

#define E_INVALID PULSEENGINE_GALE_TYPES_KERNEL_ERROR_INVALID_ARGUMENT
#define E_AGAIN PULSEENGINE_GALE_TYPES_KERNEL_ERROR_AGAIN
#define E_NOMEM PULSEENGINE_GALE_TYPES_KERNEL_ERROR_NO_MEMORY
#define E_PERM PULSEENGINE_GALE_TYPES_KERNEL_ERROR_PERMISSION_DENIED
#define E_PIPE PULSEENGINE_GALE_TYPES_KERNEL_ERROR_BROKEN_PIPE
#define E_NOMSG PULSEENGINE_GALE_TYPES_KERNEL_ERROR_NO_MESSAGE

static uint64_t passed;
#define CHECK(bit, cond) do { if (cond) passed |= 1ull << (bit); } while (0)

static const T(types_timeout_t) NO_WAIT = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};
static const T(types_timeout_t) FOREVER = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};
static T(types_timeout_t) millis(uint32_t ms)
{
    T(types_timeout_t) t = {PULSEENGINE_GALE_TYPES_TIMEOUT_MILLIS, {ms}};
    return t;
}

static bool is_err(res_void_t r, uint8_t e) { return r.is_err && r.val.err == e; }
static all_sync_list_u8_t bytes(const void *p, size_t n)
{
    all_sync_list_u8_t l = {(uint8_t *)(uintptr_t)p, n};
    return l;
}
/* a lifted list<u8> equals (p, n); frees it */
static bool list_eq(res_list_t r, const void *p, size_t n)
{
    if (r.is_err)
        return false;
    bool eq = r.val.ok.len == n && memcmp(r.val.ok.ptr, p, n) == 0;
    free(r.val.ok.ptr);
    return eq;
}

uint64_t exports_all_sync_checks(void)
{
    return passed;
}

static void semaphores(void)
{
    T(semaphore_sem_own_t) s = T(semaphore_constructor_sem)(1, 2);
    T(semaphore_sem_borrow_t) b = T(semaphore_sem_borrow)(s);
    CHECK(0, !T(semaphore_method_sem_take)(b, NO_WAIT).is_err);
    CHECK(1, is_err(T(semaphore_method_sem_take)(b, millis(3)), E_AGAIN)); /* timed out */
    T(semaphore_method_sem_give)(b);
    T(semaphore_method_sem_give)(b);
    T(semaphore_method_sem_give)(b); /* saturates at the limit */
    CHECK(2, T(semaphore_method_sem_count)(b) == 2);
    T(semaphore_method_sem_reset)(b);
    CHECK(3, T(semaphore_method_sem_count)(b) == 0 && is_err(T(semaphore_method_sem_take)(b, NO_WAIT), E_AGAIN));
    T(semaphore_sem_drop_own)(s);
}

static void mutexes_condvars(void)
{
    T(mutex_mtx_own_t) m = T(mutex_constructor_mtx)();
    T(mutex_mtx_borrow_t) mb = T(mutex_mtx_borrow)(m);
    bool ok = !T(mutex_method_mtx_lock)(mb, FOREVER).is_err;
    ok = ok && !T(mutex_method_mtx_lock)(mb, NO_WAIT).is_err; /* recursive */
    ok = ok && !T(mutex_method_mtx_unlock)(mb).is_err;
    CHECK(4, ok && !T(mutex_method_mtx_unlock)(mb).is_err);
    CHECK(5, is_err(T(mutex_method_mtx_unlock)(mb), E_PERM)); /* not held */
    T(condvar_cv_own_t) cv = T(condvar_constructor_cv)();
    T(condvar_cv_borrow_t) cb = T(condvar_cv_borrow)(cv);
    CHECK(6, is_err(T(condvar_method_cv_wait)(cb, millis(2)), E_AGAIN));
    /* wait-mutex: releases the held mutex while waiting, holds it again after */
    ok = !T(mutex_method_mtx_lock)(mb, NO_WAIT).is_err;
    ok = ok && is_err(T(condvar_method_cv_wait_mutex)(cb, mb, millis(2)), E_AGAIN);
    CHECK(7, ok && !T(mutex_method_mtx_unlock)(mb).is_err && is_err(T(mutex_method_mtx_unlock)(mb), E_PERM));
    /* signals are not remembered: with no waiter they are lost */
    T(condvar_method_cv_signal)(cb);
    T(condvar_method_cv_broadcast)(cb);
    CHECK(8, is_err(T(condvar_method_cv_wait)(cb, millis(1)), E_AGAIN));
    T(mutex_mtx_drop_own)(m);
    T(condvar_cv_drop_own)(cv);
}

static void queues(void)
{
    T(message_queue_msgq_own_t) q = T(message_queue_constructor_msgq)(8, 2);
    T(message_queue_msgq_borrow_t) qb = T(message_queue_msgq_borrow)(q);
    uint64_t msg = 0x1122334455667788ull, msg2 = 42;
    bool ok = !T(message_queue_method_msgq_put)(qb, bytes(&msg, 8), NO_WAIT).is_err;
    ok = ok && !T(message_queue_method_msgq_put)(qb, bytes(&msg2, 8), NO_WAIT).is_err;
    CHECK(9, ok && is_err(T(message_queue_method_msgq_put)(qb, bytes(&msg, 8), millis(1)), E_AGAIN) &&
                 T(message_queue_method_msgq_num_used)(qb) == 2);
    CHECK(10, list_eq(T(message_queue_method_msgq_peek)(qb), &msg, 8) && T(message_queue_method_msgq_num_used)(qb) == 2);
    CHECK(11, list_eq(T(message_queue_method_msgq_get)(qb, NO_WAIT), &msg, 8) &&
                  T(message_queue_method_msgq_num_used)(qb) == 1);
    CHECK(12, is_err(T(message_queue_method_msgq_put)(qb, bytes(&msg, 3), NO_WAIT), E_INVALID)); /* wrong size */
    T(message_queue_method_msgq_purge)(qb);
    res_list_t pk = T(message_queue_method_msgq_peek)(qb);
    res_list_t g = T(message_queue_method_msgq_get)(qb, millis(1));
    CHECK(13, T(message_queue_method_msgq_num_used)(qb) == 0 && pk.is_err && pk.val.err == E_NOMSG && g.is_err);
    T(message_queue_msgq_drop_own)(q);

    T(stack_stk_own_t) st = T(stack_constructor_stk)(4);
    T(stack_stk_borrow_t) sb = T(stack_stk_borrow)(st);
    T(stack_method_stk_push)(sb, 0xdeadbeefcafef00dull);
    T(stack_method_stk_push)(sb, 7);
    res_u64_t p = T(stack_method_stk_pop)(sb, NO_WAIT);
    CHECK(14, !p.is_err && p.val.ok == 7);
    p = T(stack_method_stk_pop)(sb, FOREVER);
    CHECK(15, !p.is_err && p.val.ok == 0xdeadbeefcafef00dull);
    p = T(stack_method_stk_pop)(sb, millis(1));
    CHECK(16, p.is_err && p.val.err == E_AGAIN);
    ok = true;
    for (uint64_t v = 0; v < 4; v++)
        ok = ok && !T(stack_method_stk_push)(sb, v).is_err;
    res_void_t full = T(stack_method_stk_push)(sb, 5);
    CHECK(17, ok && full.is_err && full.val.err == E_NOMEM);
    T(stack_stk_drop_own)(st);
}

static void pipes(void)
{
    T(pipe_pip_own_t) pp = T(pipe_constructor_pip)(16);
    T(pipe_pip_borrow_t) pb = T(pipe_pip_borrow)(pp);
    res_u32_t w = T(pipe_method_pip_write)(pb, bytes("hello, world", 12), NO_WAIT);
    CHECK(18, !w.is_err && w.val.ok == 12);
    CHECK(19, list_eq(T(pipe_method_pip_read)(pb, 5, NO_WAIT), "hello", 5));
    T(pipe_method_pip_flush)(pb); /* discards ", world" */
    res_list_t r = T(pipe_method_pip_read)(pb, 100, millis(1));
    CHECK(20, r.is_err && r.val.err == E_AGAIN);
    w = T(pipe_method_pip_write)(pb, bytes("abc", 3), FOREVER);
    T(pipe_method_pip_close)(pb);
    bool drained = list_eq(T(pipe_method_pip_read)(pb, 100, NO_WAIT), "abc", 3);
    r = T(pipe_method_pip_read)(pb, 100, NO_WAIT);
    CHECK(21, !w.is_err && drained && r.is_err && r.val.err == E_PIPE);
    T(pipe_pip_drop_own)(pp);
}

static void events(void)
{
    T(event_evt_own_t) e = T(event_constructor_evt)();
    T(event_evt_borrow_t) eb = T(event_evt_borrow)(e);
    T(event_method_evt_post)(eb, 0x5);
    res_u32_t r = T(event_method_evt_wait_all)(eb, 0x5, false, NO_WAIT);
    CHECK(22, !r.is_err && r.val.ok == 0x5);
    r = T(event_method_evt_wait_all)(eb, 0x3, false, millis(1));
    CHECK(23, r.is_err && r.val.err == E_AGAIN);
    T(event_method_evt_set)(eb, 0x30); /* replaces 0x5 */
    r = T(event_method_evt_wait_any)(eb, 0x11, false, NO_WAIT);
    CHECK(24, !r.is_err && r.val.ok == 0x10);
    T(event_method_evt_clear)(eb, 0x10);
    r = T(event_method_evt_wait_any)(eb, 0x10, false, NO_WAIT);
    res_u32_t r2 = T(event_method_evt_wait_any)(eb, 0x20, false, NO_WAIT);
    res_u32_t r3 = T(event_method_evt_wait_any)(eb, 0x20, true, millis(1)); /* reset: cleared before waiting */
    CHECK(25, r.is_err && !r2.is_err && r2.val.ok == 0x20 && r3.is_err && r3.val.err == E_AGAIN);
    T(event_evt_drop_own)(e);
}

static void timers_slabs(void)
{
    T(timer_tmr_own_t) t = T(timer_constructor_tmr)(2);
    T(timer_tmr_borrow_t) tb = T(timer_tmr_borrow)(t);
    T(timer_method_tmr_start)(tb);
    res_u32_t r = T(timer_method_tmr_status_sync)(tb, millis(50));
    CHECK(26, !r.is_err && r.val.ok >= 1);
    r = T(timer_method_tmr_status_sync)(tb, FOREVER);
    CHECK(27, !r.is_err && r.val.ok >= 1);
    T(timer_method_tmr_stop)(tb);
    r = T(timer_method_tmr_status_sync)(tb, millis(5)); /* stopped: no expiry comes */
    CHECK(28, r.is_err && T(timer_method_tmr_status_get)(tb) == 0);
    T(timer_tmr_drop_own)(t);

    T(mem_slab_slab_own_t) sl = T(mem_slab_constructor_slab)(16, 2);
    T(mem_slab_slab_borrow_t) slb = T(mem_slab_slab_borrow)(sl);
    res_u32_t a0 = T(mem_slab_method_slab_alloc)(slb, NO_WAIT);
    res_u32_t a1 = T(mem_slab_method_slab_alloc)(slb, FOREVER);
    res_u32_t a2 = T(mem_slab_method_slab_alloc)(slb, millis(1));
    CHECK(29, !a0.is_err && !a1.is_err && a0.val.ok != a1.val.ok && a2.is_err && a2.val.err == E_AGAIN &&
                  T(mem_slab_method_slab_num_used)(slb) == 2 && T(mem_slab_method_slab_num_free)(slb) == 0);
    CHECK(30, !T(mem_slab_method_slab_free)(slb, a0.val.ok).is_err && T(mem_slab_method_slab_num_used)(slb) == 1 &&
                  T(mem_slab_method_slab_num_free)(slb) == 1);
    CHECK(31, is_err(T(mem_slab_method_slab_free)(slb, 99), E_INVALID) &&
                  is_err(T(mem_slab_method_slab_free)(slb, a0.val.ok), E_INVALID)); /* not allocated (any more) */
    T(mem_slab_slab_drop_own)(sl);
}

/* objects the embedding shared by name (test_host_kp.c: test_every_resource) */
static void shared(void)
{
    all_sync_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t os =
        T(semaphore_static_sem_open)(gale_str("s_sem"));
    CHECK(32, !os.is_err && T(semaphore_method_sem_count)(T(semaphore_sem_borrow)(os.val.ok)) == 2);
    all_sync_result_own_pulseengine_gale_mutex_mtx_pulseengine_gale_types_kernel_error_t om =
        T(mutex_static_mtx_open)(gale_str("s_mtx"));
    CHECK(33, !om.is_err && !T(mutex_method_mtx_lock)(T(mutex_mtx_borrow)(om.val.ok), NO_WAIT).is_err &&
                  !T(mutex_method_mtx_unlock)(T(mutex_mtx_borrow)(om.val.ok)).is_err);
    all_sync_result_own_pulseengine_gale_condvar_cv_pulseengine_gale_types_kernel_error_t oc =
        T(condvar_static_cv_open)(gale_str("s_cv"));
    CHECK(34, !oc.is_err && is_err(T(condvar_method_cv_wait)(T(condvar_cv_borrow)(oc.val.ok), millis(1)), E_AGAIN));
    all_sync_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t oq =
        T(message_queue_static_msgq_open)(gale_str("s_msgq"));
    uint32_t want = 0xabcd1234u;
    CHECK(35, !oq.is_err && list_eq(T(message_queue_method_msgq_get)(T(message_queue_msgq_borrow)(oq.val.ok), NO_WAIT),
                                    &want, 4));
    all_sync_result_own_pulseengine_gale_stack_stk_pulseengine_gale_types_kernel_error_t ok_ =
        T(stack_static_stk_open)(gale_str("s_stk"));
    CHECK(36, !ok_.is_err && !T(stack_method_stk_push)(T(stack_stk_borrow)(ok_.val.ok), 77).is_err);
    all_sync_result_own_pulseengine_gale_pipe_pip_pulseengine_gale_types_kernel_error_t op =
        T(pipe_static_pip_open)(gale_str("s_pip"));
    res_u32_t w = op.is_err ? (res_u32_t){0} : T(pipe_method_pip_write)(T(pipe_pip_borrow)(op.val.ok), bytes("x", 1), NO_WAIT);
    CHECK(37, !op.is_err && !w.is_err && w.val.ok == 1);
    all_sync_result_own_pulseengine_gale_event_evt_pulseengine_gale_types_kernel_error_t oe =
        T(event_static_evt_open)(gale_str("s_evt"));
    res_u32_t ev = oe.is_err ? (res_u32_t){0} : T(event_method_evt_wait_any)(T(event_evt_borrow)(oe.val.ok), 0x8, false, NO_WAIT);
    CHECK(38, !oe.is_err && !ev.is_err && ev.val.ok == 0x8);
    all_sync_result_own_pulseengine_gale_timer_tmr_pulseengine_gale_types_kernel_error_t ot =
        T(timer_static_tmr_open)(gale_str("s_tmr"));
    CHECK(39, !ot.is_err && T(timer_method_tmr_status_get)(T(timer_tmr_borrow)(ot.val.ok)) == 0);
    all_sync_result_own_pulseengine_gale_mem_slab_slab_pulseengine_gale_types_kernel_error_t ol =
        T(mem_slab_static_slab_open)(gale_str("s_slab"));
    CHECK(40, !ol.is_err && T(mem_slab_method_slab_num_free)(T(mem_slab_slab_borrow)(ol.val.ok)) == 3);
    /* refused: a name not granted to this system, and a granted name of another kind */
    all_sync_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t nope =
        T(semaphore_static_sem_open)(gale_str("s_secret"));
    CHECK(41, nope.is_err && nope.val.err == E_INVALID);
    all_sync_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t kind =
        T(message_queue_static_msgq_open)(gale_str("s_sem"));
    CHECK(42, kind.is_err && kind.val.err == E_INVALID);
    if (!os.is_err)
        T(semaphore_sem_drop_own)(os.val.ok);
    if (!om.is_err)
        T(mutex_mtx_drop_own)(om.val.ok);
    if (!oc.is_err)
        T(condvar_cv_drop_own)(oc.val.ok);
    if (!oq.is_err)
        T(message_queue_msgq_drop_own)(oq.val.ok);
    if (!ok_.is_err)
        T(stack_stk_drop_own)(ok_.val.ok);
    if (!op.is_err)
        T(pipe_pip_drop_own)(op.val.ok);
    if (!oe.is_err)
        T(event_evt_drop_own)(oe.val.ok);
    if (!ot.is_err)
        T(timer_tmr_drop_own)(ot.val.ok);
    if (!ol.is_err)
        T(mem_slab_slab_drop_own)(ol.val.ok);
}

void exports_all_sync_run(void)
{
    semaphores();
    mutexes_condvars();
    queues();
    pipes();
    events();
    timers_slabs();
    shared();
}
