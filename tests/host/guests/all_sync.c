/* sync system exercising every resource of the world once (sync lowered),
 * dropping them all at the end (the host destroys each object). Returns a
 * bit mask of the checks that passed through the export `checks`. */
#include "kp_guest.h"

static uint32_t passed;
#define CHECK(bit, cond) do { if (cond) passed |= 1u << (bit); } while (0)

__attribute__((export_name("checks"))) uint32_t checks(void)
{
    return passed;
}

__attribute__((export_name("run"))) void run(void)
{
    kp_res_unit_t u;
    kp_res_u32_t r32;
    kp_res_bytes_t rb;
    kp_res_u64_t r64;
    /* sem */
    int32_t s = kp_sem_new(1, 2);
    kp_sem_take(s, KP_NO_WAIT, &u);
    CHECK(0, !u.is_err);
    kp_sem_take(s, KP_MILLIS(3), &u);
    CHECK(1, u.is_err && u.err == 2); /* again (timed out) */
    kp_sem_give(s);
    CHECK(2, kp_sem_count(s) == 1);
    /* mtx + cv */
    int32_t m = kp_mtx_new();
    kp_mtx_lock(m, KP_FOREVER, &u);
    kp_mtx_lock(m, KP_FOREVER, &u); /* recursive */
    kp_mtx_unlock(m, &u);
    kp_mtx_unlock(m, &u);
    CHECK(3, !u.is_err);
    kp_mtx_unlock(m, &u);
    CHECK(4, u.is_err && u.err == 4); /* permission-denied */
    int32_t cv = kp_cv_new();
    kp_cv_wait(cv, KP_MILLIS(2), &u);
    CHECK(5, u.is_err && u.err == 2);
    /* msgq */
    int32_t q = kp_msgq_new(8, 2);
    uint64_t msg = 0x1122334455667788ull;
    kp_msgq_put(q, &msg, 8, KP_NO_WAIT, &u);
    kp_msgq_put(q, &msg, 8, KP_NO_WAIT, &u);
    kp_msgq_put(q, &msg, 8, KP_NO_WAIT, &u);
    CHECK(6, u.is_err && u.err == 2 && kp_msgq_num_used(q) == 2);
    kp_msgq_get(q, KP_NO_WAIT, &rb);
    CHECK(7, !rb.is_err && rb.len == 8 && *(uint64_t *)rb.ptr_or_err == msg);
    kp_msgq_put(q, &msg, 3, KP_NO_WAIT, &u);
    CHECK(8, u.is_err && u.err == 0); /* wrong size: invalid-argument */
    /* stk */
    int32_t st = kp_stk_new(4);
    kp_stk_push(st, 0xdeadbeefcafef00dull, &u);
    kp_stk_push(st, 7, &u);
    kp_stk_pop(st, KP_NO_WAIT, &r64);
    CHECK(9, !r64.is_err && r64.val == 7);
    kp_stk_pop(st, KP_NO_WAIT, &r64);
    CHECK(10, !r64.is_err && r64.val == 0xdeadbeefcafef00dull);
    kp_stk_pop(st, KP_NO_WAIT, &r64);
    CHECK(11, r64.is_err);
    /* pip */
    int32_t p = kp_pip_new(16);
    kp_pip_write(p, "hello, world", 12, KP_NO_WAIT, &r32);
    CHECK(12, !r32.is_err && r32.val == 12);
    kp_pip_read(p, 5, KP_NO_WAIT, &rb);
    CHECK(13, !rb.is_err && rb.len == 5 && ((char *)rb.ptr_or_err)[4] == 'o');
    kp_pip_close(p);
    kp_pip_read(p, 100, KP_NO_WAIT, &rb);
    kp_pip_read(p, 100, KP_NO_WAIT, &rb);
    CHECK(14, rb.is_err && (uint8_t)rb.ptr_or_err == 5); /* the enum is one byte at offset 4 */
    /* evt */
    int32_t e = kp_evt_new();
    kp_evt_post(e, 0x5);
    kp_evt_wait_all(e, 0x5, 0, KP_NO_WAIT, &r32);
    CHECK(15, !r32.is_err && r32.val == 0x5);
    kp_evt_wait_all(e, 0x3, 0, KP_MILLIS(1), &r32);
    CHECK(16, r32.is_err);
    /* slab */
    int32_t sl = kp_slab_new(16, 2);
    kp_slab_alloc(sl, KP_NO_WAIT, &r32);
    uint32_t b0 = r32.val;
    kp_slab_alloc(sl, KP_NO_WAIT, &r32);
    kp_slab_alloc(sl, KP_NO_WAIT, &r32);
    CHECK(17, r32.is_err && kp_slab_num_used(sl) == 2);
    kp_slab_free(sl, b0, &u);
    CHECK(18, !u.is_err && kp_slab_num_used(sl) == 1);
    kp_slab_free(sl, 99, &u);
    CHECK(19, u.is_err && u.err == 0);
    /* drop everything */
    kp_sem_drop(s);
    kp_mtx_drop(m);
    kp_cv_drop(cv);
    kp_msgq_drop(q);
    kp_stk_drop(st);
    kp_pip_drop(p);
    kp_evt_drop(e);
    kp_slab_drop(sl);
}
