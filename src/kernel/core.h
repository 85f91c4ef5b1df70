/* gale kernel — decision cores: the bookkeeping decisions of the scheduler, the
 * timeout queue, wait queues, semaphores and mutexes as small pure functions
 * with ACSL contracts (core_*.c), proven by Frama-C WP (proofs/kernel). The
 * kernel calls these functions for every such decision; what stays outside the
 * proofs is the list linking and the context switching (docs/tcb/kernel.md).
 * This header is plain C (no gale headers) so each core file stands alone for WP. */
#ifndef GALE_KERNEL_CORE_H
#define GALE_KERNEL_CORE_H

#include <stdint.h>

/* ---- scheduler: static inline in core_sched.h (it is on every switch path, so
 * sched.c, thread.c and init.c include that header; this one does not, which
 * keeps the other core files' WP runs free of the scheduler's goals) ---- */

/* ---- timeouts (core_timeout.c) ---- */
#define GALE_CORE_FOREVER UINT64_MAX
/* Absolute deadline for a timeout encoded as in gale_timeout_t (ticks >= 0:
 * relative; -1: forever; <= -2: absolute tick -2-ticks, never before now). */
uint64_t gale_core_timeout_deadline(int64_t ticks, uint64_t now);
/* 1 when a node with deadline `queued` stays before a new node with deadline
 * `incoming` (ties keep FIFO order). */
int gale_core_timeout_goes_after(uint64_t incoming, uint64_t queued);
/* 1 when the deadline has passed at now. */
int gale_core_timeout_expired(uint64_t deadline, uint64_t now);
/* Ticks left until deadline (0 when passed). */
uint64_t gale_core_timeout_remaining(uint64_t deadline, uint64_t now);
/* Next deadline of a periodic timer (saturating). */
uint64_t gale_core_timer_next(uint64_t deadline, uint64_t period);

/* ---- wait queues (core_wq.c) ---- */
/* 1 when a thread of priority `incoming` goes in front of a queued thread of
 * priority `queued` (more urgent only: FIFO among equal priority). */
int gale_core_wq_goes_before(int incoming, int queued);

/* ---- semaphore (core_sem.c) ---- */
#define GALE_CORE_SEM_WAKE     0   /* hand the unit to the first waiter */
#define GALE_CORE_SEM_COUNTED  1   /* count incremented */
#define GALE_CORE_SEM_FULL     2   /* at the limit: refused, unchanged */
int gale_core_sem_give(uint32_t *count, uint32_t limit, int has_waiter);
#define GALE_CORE_SEM_TAKEN    0   /* count decremented */
#define GALE_CORE_SEM_BLOCK    1   /* caller must wait */
#define GALE_CORE_SEM_AGAIN    2   /* empty and no-wait */
int gale_core_sem_take(uint32_t *count, int may_wait);

/* ---- mutex (core_mutex.c) ---- */
#define GALE_CORE_MTX_ACQUIRED 0   /* was free: caller owns it, count 1 */
#define GALE_CORE_MTX_RECURSED 1   /* caller owned it: count + 1 */
#define GALE_CORE_MTX_OVERFLOW 2   /* recursion limit reached: unchanged */
#define GALE_CORE_MTX_BUSY     3   /* owned by another, no-wait */
#define GALE_CORE_MTX_BLOCK    4   /* owned by another: wait */
int gale_core_mutex_lock(int is_free, int is_owner, uint32_t *count, uint32_t max, int may_wait);
#define GALE_CORE_MTX_NOT_OWNER 0  /* unlock by a non-owner: refused */
#define GALE_CORE_MTX_NOT_LOCKED 1 /* unlock of a free mutex: refused */
#define GALE_CORE_MTX_DECREMENTED 2/* still held by the caller */
#define GALE_CORE_MTX_RELEASED 3   /* count 0: hand over or free */
int gale_core_mutex_unlock(int is_free, int is_owner, uint32_t *count);
/* Effective priority of an owner: the most urgent of its base priority and the
 * first waiter of each mutex it holds; fold one mutex's first waiter in. */
int gale_core_pi_fold(int eff, int has_waiter, int waiter_prio);

#endif /* GALE_KERNEL_CORE_H */
