/* gale kernel — decision core: ready-queue choice and preemption (proven by WP,
 * prove_kernel_core_sched through proofs/kernel/kernel_core_sched.c). Pure
 * functions, static inline: they sit on every switch path, so the compiler
 * folds them into the scheduler (sched.c) as they are written here. Plain C
 * (no gale headers) so the header stands alone for WP. */
#ifndef GALE_KERNEL_CORE_SCHED_H
#define GALE_KERNEL_CORE_SCHED_H

#include <stdint.h>

#define GALE_CORE_NPRIO 32u
/*@ logic integer NPRIO = 32; */

/* Count of trailing zero bits of a non-zero word. This is the one trusted piece
 * of the ready-queue choice: for the proof it is a contract (assumed), for the
 * compiler the count-trailing-zeros builtin (RBIT+CLZ on ARMv7-M, TZCNT/BSF on
 * x86). tests/kernel/test_kernel_core.c checks the builtin against the contract. */
#ifdef __FRAMAC__
/*@ requires x != 0;
    assigns \nothing;
    ensures 0 <= \result < NPRIO;
    ensures (x & ((uint32_t)1 << \result)) != 0;
    ensures \forall integer j; 0 <= j < \result ==> (x & ((uint32_t)1 << j)) == 0;
*/
unsigned int gale_core_ctz32(uint32_t x);
#else
static inline unsigned int gale_core_ctz32(uint32_t x)
{
    return (unsigned int)__builtin_ctz(x);
}
#endif

/* Index of the lowest set bit of bitmap (the most urgent non-empty priority),
 * or GALE_CORE_NPRIO when bitmap is 0. */
/*@ assigns \nothing;
    ensures 0 <= \result <= NPRIO;
    ensures \result < NPRIO ==> (bitmap & ((uint32_t)1 << \result)) != 0;
    ensures \forall integer j; 0 <= j < \result ==> (bitmap & ((uint32_t)1 << j)) == 0;
    ensures bitmap == 0 ==> \result == NPRIO;
*/
static inline unsigned int gale_core_rq_first(uint32_t bitmap)
{
    if (bitmap == 0u)
        return GALE_CORE_NPRIO;
    return gale_core_ctz32(bitmap);
}

/* Bitmap with bit idx set / cleared (idx < GALE_CORE_NPRIO). */
/*@ requires idx < NPRIO;
    assigns \nothing;
    ensures \result == (bitmap | ((uint32_t)1 << idx));
*/
static inline uint32_t gale_core_rq_mark(uint32_t bitmap, unsigned int idx)
{
    return bitmap | ((uint32_t)1 << idx);
}

/*@ requires idx < NPRIO;
    assigns \nothing;
    ensures \result == (bitmap & (0xFFFFFFFF ^ ((uint32_t)1 << idx)));
*/
static inline uint32_t gale_core_rq_unmark(uint32_t bitmap, unsigned int idx)
{
    return bitmap & (0xFFFFFFFFu ^ ((uint32_t)1 << idx));
}

/* 1 when the running thread keeps the CPU: it is still ready and may not be
 * preempted (cooperative priority, or scheduler locked). */
/*@ assigns \nothing;
    ensures \result == 1 <==> (cur_ready != 0 && (cur_prio < 0 || cur_sched_locked != 0));
    ensures \result == 0 || \result == 1;
*/
static inline int gale_core_sched_keep_current(int cur_ready, int cur_prio, int cur_sched_locked)
{
    if (cur_ready == 0)
        return 0;
    return (cur_prio < 0 || cur_sched_locked != 0) ? 1 : 0;
}

/* 1 when prio is a valid user thread priority (-ncoop .. npreempt-2). */
/*@ requires 0 <= ncoop <= 64 && 2 <= npreempt <= 64;
    assigns \nothing;
    ensures \result == 1 <==> (-ncoop <= prio <= npreempt - 2);
    ensures \result == 0 || \result == 1;
*/
static inline int gale_core_prio_valid(int prio, int ncoop, int npreempt)
{
    return (prio >= -ncoop && prio <= npreempt - 2) ? 1 : 0;
}

/* 1 when time slicing applies to a thread of this priority. */
/*@ assigns \nothing;
    ensures \result == 1 <==> (slice_ticks > 0 && prio >= 0 && prio >= floor_prio);
    ensures \result == 0 || \result == 1;
*/
static inline int gale_core_slice_applies(uint32_t slice_ticks, int prio, int floor_prio)
{
    return (slice_ticks > 0u && prio >= 0 && prio >= floor_prio) ? 1 : 0;
}

#endif /* GALE_KERNEL_CORE_SCHED_H */
