/* gale kernel — internal interface shared by the kernel's own files
 * (scheduler, wait queues, timeouts, and every object implementation).
 *
 * Locking: all kernel state is guarded by the IRQ lock (gale_kernel_lock). An
 * object operation is
 *     unsigned key = gale_kernel_lock();
 *     ... decide with the object's state (core_*.c decision functions) ...
 *     either  gale_kernel_unlock(key)                    (nothing to switch)
 *     or      gale_kernel_reschedule(key)                (woke someone: may switch)
 *     or      return gale_kernel_pend(&obj->wq, key, timeout)   (block)
 * gale_kernel_reschedule and gale_kernel_pend consume the key (they unlock).
 *
 * The canonical patterns are in sem.c (a counter) and mutex.c (ownership +
 * priority inheritance). A waker hands data to a waiter through the waiter's
 * thread fields: t->wait_data (the waiter's buffer/request, set by the waiter
 * before pending), t->wait_value (a word), and the result passed to
 * gale_kernel_ready / gale_kernel_wake_one (what gale_kernel_pend returns).
 */
#ifndef GALE_KERNEL_INTERNAL_H
#define GALE_KERNEL_INTERNAL_H

#include <stdarg.h>

#include "gale/arch.h"
#include "gale/kernel.h"
#include "core_sched.h"

/* ------------------------------------------------------------------------- */
/* Per-core kernel state                                                      */
/* ------------------------------------------------------------------------- */

typedef struct gale_kernel_cpu {
    gale_thread_t *current;                    /* running thread (idle if nothing else) */
    uint32_t ready_bitmap;                     /* bit i: rq_head[i] != NULL */
    gale_thread_t *rq_head[GALE_NUM_PRIO];     /* FIFO per priority; current stays queued */
    gale_thread_t *rq_tail[GALE_NUM_PRIO];
    gale_timeout_node_t *to_head;              /* timeout queue, sorted by deadline */
    uint64_t armed_deadline;                   /* ticks the port timer is set for (UINT64_MAX: none) */
    gale_timeout_node_t slice_node;            /* time-slice expiry of current */
    gale_thread_t *slice_thread;               /* thread the slice node runs for */
    gale_thread_t idle;
    bool started;
    _Alignas(GALE_ARCH_STACK_ALIGN) uint8_t idle_stack[GALE_CONFIG_IDLE_STACK_SIZE];
} gale_kernel_cpu_t;

extern gale_kernel_cpu_t gale_kernel_cpus[GALE_CONFIG_MAX_CPUS];

static inline gale_kernel_cpu_t *gale_kernel_cpu_self(void)
{
    return &gale_kernel_cpus[gale_arch_cpu_id()];
}

/* Sched settings shared by every core. */
extern uint32_t gale_kernel_slice_ticks;
extern int gale_kernel_slice_prio_floor;

/* ------------------------------------------------------------------------- */
/* Locking, checks, diagnostics                                               */
/* ------------------------------------------------------------------------- */

static inline unsigned int gale_kernel_lock(void) { return gale_arch_irq_lock(); }
static inline void gale_kernel_unlock(unsigned int key) { gale_arch_irq_unlock(key); }

/* Watches (watch.c): call and unhook every watch on *list (kernel lock held).
 * GALE_WATCH_FIRE is the one branch an object's hot path pays. */
void gale_kernel_watch_fire(gale_kernel_watch_t **list);
#define GALE_WATCH_FIRE(list)                                                                                          \
    do {                                                                                                               \
        if (__builtin_expect((list) != NULL, 0))                                                                       \
            gale_kernel_watch_fire(&(list));                                                                           \
    } while (0)

/* Print (unless quiet) and record a one-line diagnostic "gale: <msg>".
 * GALE_CONFIG_DIAG=0 (gale/config.h): nothing (the format strings are dropped). */
#if GALE_CONFIG_DIAG
void gale_kernel_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#else
static inline __attribute__((format(printf, 1, 2))) void gale_kernel_diag(const char *fmt, ...) { (void)fmt; }
#endif

/* The object pointer is non-NULL and carries `magic`; otherwise GALE_EINVAL with
 * a diagnostic "<op>: <what> is NULL / not initialised or deleted". Inline: the
 * passing check is on every object call; the diagnostic is out of line. */
int gale_kernel_obj_check_fail(const void *obj, const char *op);
static inline int gale_kernel_obj_check(const void *obj, uint32_t obj_magic, uint32_t magic,
                                        const char *op)
{
    if (obj != NULL && obj_magic == magic)
        return GALE_OK;
    return gale_kernel_obj_check_fail(obj, op);
}
#define GALE_OBJ_CHECK(obj, MAGIC, op) \
    gale_kernel_obj_check((obj), (obj) != NULL ? (obj)->magic : 0u, (MAGIC), (op))

/* Before a call that may block: GALE_OK if it may (and the current thread's
 * pend_what = op, for diagnostics), else GALE_ECONTEXT with a diagnostic
 * ("<op>: blocking call from ISR context (use GALE_NO_WAIT)", "... before the
 * kernel started", "... from the idle thread"). A GALE_NO_WAIT call is always
 * allowed. (Out of line: inlined into every blocking call it cost more flash
 * and, measured on Cortex-M7, no instructions.) */
int gale_kernel_check_may_block(const char *op, gale_timeout_t timeout);
int gale_kernel_check_may_block_fail(const char *op);   /* the diagnostic half */

/* Name of a thread for diagnostics ("main"/"isr" when NULL). */
const char *gale_kernel_thread_label(const gale_thread_t *t);

/* Fatal error of thread t (canary smashed, ...): calls the user's handler (the
 * default one does not return: gale_arch_fatal). When it returns, the caller
 * ends t (gale_kernel_thread_end) and switches away if t was current. */
void gale_kernel_fatal(int reason, gale_thread_t *t, const char *msg);

/* ------------------------------------------------------------------------- */
/* Wait queues (wait_q.c): priority order, FIFO among equal priority          */
/* ------------------------------------------------------------------------- */

static inline void gale_kernel_wait_q_init(gale_wait_q_t *wq) { wq->head = wq->tail = NULL; }
static inline bool gale_kernel_wait_q_empty(const gale_wait_q_t *wq) { return wq->head == NULL; }
static inline gale_thread_t *gale_kernel_wait_q_first(const gale_wait_q_t *wq) { return wq->head; }

/* [L] Insert t at its priority position (behind equal priorities). */
void gale_kernel_wait_q_insert(gale_wait_q_t *wq, gale_thread_t *t);
/* [L] Unlink t from the wait queue it is on (no state change). */
void gale_kernel_wait_q_remove(gale_wait_q_t *wq, gale_thread_t *t);

/* [T][L] Block the current thread on wq until woken or timeout, releasing the
 * lock (key) while blocked. Returns the result the waker passed
 * (gale_kernel_ready / wake_one / wake_all), GALE_ETIMEDOUT on expiry. The caller
 * must have checked gale_kernel_check_may_block() and that timeout is not
 * GALE_NO_WAIT. Returns with the lock RELEASED (key restored). */
int gale_kernel_pend(gale_wait_q_t *wq, unsigned int key, gale_timeout_t timeout);

/* [L] Remove the first (most urgent, oldest) waiter, cancel its timeout; it is
 * NOT yet ready (fill t->wait_* then call gale_kernel_ready). NULL if empty. */
gale_thread_t *gale_kernel_unpend_first(gale_wait_q_t *wq);
/* [L] Remove a specific waiter (same as unpend_first for t). */
void gale_kernel_unpend(gale_thread_t *t);
/* [L] Make t ready with its pend result (no switch yet: call
 * gale_kernel_reschedule). A suspended t becomes ready only when resumed. */
void gale_kernel_ready(gale_thread_t *t, int result);
/* [L] unpend_first + ready(result). Returns the woken thread or NULL. */
gale_thread_t *gale_kernel_wake_one(gale_wait_q_t *wq, int result);
/* [L] Wake every waiter with result; returns how many. */
unsigned int gale_kernel_wake_all(gale_wait_q_t *wq, int result);

/* ------------------------------------------------------------------------- */
/* Scheduler (sched.c)                                                        */
/* ------------------------------------------------------------------------- */

/* [L] Release the lock (key) and, if a more urgent thread is ready on this core
 * and the current one may be preempted, switch to it first. In an ISR: requests
 * the switch for ISR exit. */
void gale_kernel_reschedule(unsigned int key);
/* [L] Switch away from the current thread (which must already be off the ready
 * queue, or be yielding) to the best ready thread; returns when it runs again,
 * still locked. */
void gale_kernel_swap_locked(void);
/* [L] Ready-queue operations for the thread's own core: add t at the tail of
 * its priority's FIFO (READY), remove a READY t (no-op otherwise), move a READY
 * t behind its equals. The _inline forms are for the hot paths (pend, ready). */
void gale_kernel_rq_add(gale_thread_t *t);
void gale_kernel_rq_remove(gale_thread_t *t);
void gale_kernel_rq_move_to_back(gale_thread_t *t);
static inline void gale_kernel_rq_add_inline(gale_thread_t *t);
static inline void gale_kernel_rq_remove_inline(gale_thread_t *t);
/* [L] Change t's effective priority, re-sorting its ready/wait queue. */
void gale_kernel_prio_change(gale_thread_t *t, int prio);
/* [L] Re-arm the time slice for the thread that starts running on cpu.
 * GALE_CONFIG_TIME_SLICE=0 (gale/config.h): no time slicing, nothing to do. */
#if GALE_CONFIG_TIME_SLICE
void gale_kernel_slice_reset(gale_kernel_cpu_t *cpu);
#else
static inline void gale_kernel_slice_reset(gale_kernel_cpu_t *cpu) { (void)cpu; }
#endif

/* Priority <-> ready-queue index (0 = most urgent). */
static inline unsigned int gale_kernel_prio_index(int prio)
{
    return (unsigned int)(prio + GALE_CONFIG_NUM_COOP_PRIO);
}

/* A thread's core. One-core ports (Cortex-M: one kernel image per core) have
 * one gale_kernel_cpu_t, so this is a constant there. */
static inline gale_kernel_cpu_t *gale_kernel_cpu_of(const gale_thread_t *t)
{
#if GALE_CONFIG_MAX_CPUS == 1
    (void)t;
    return &gale_kernel_cpus[0];
#else
    return &gale_kernel_cpus[t->cpu];
#endif
}

static inline __attribute__((always_inline)) void gale_kernel_rq_add_inline(gale_thread_t *t)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_of(t);
    unsigned int idx = gale_kernel_prio_index(t->prio);
    gale_thread_t *tail = cpu->rq_tail[idx];
    t->q_next = NULL;
    t->q_prev = tail;
    if (tail != NULL)
        tail->q_next = t;
    else
        cpu->rq_head[idx] = t;
    cpu->rq_tail[idx] = t;
    cpu->ready_bitmap = gale_core_rq_mark(cpu->ready_bitmap, idx);
    t->state |= GALE_THREAD_READY;
}

static inline __attribute__((always_inline)) void gale_kernel_rq_remove_inline(gale_thread_t *t)
{
    if (!(t->state & GALE_THREAD_READY))
        return;
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_of(t);
    unsigned int idx = gale_kernel_prio_index(t->prio);
    gale_thread_t *prev = t->q_prev, *next = t->q_next;
    if (prev != NULL)
        prev->q_next = next;
    else
        cpu->rq_head[idx] = next;
    if (next != NULL)
        next->q_prev = prev;
    else
        cpu->rq_tail[idx] = prev;
    t->q_next = t->q_prev = NULL;
    if (cpu->rq_head[idx] == NULL)
        cpu->ready_bitmap = gale_core_rq_unmark(cpu->ready_bitmap, idx);
    t->state &= ~GALE_THREAD_READY;
}

/* ------------------------------------------------------------------------- */
/* Timeouts (timeout.c)                                                       */
/* ------------------------------------------------------------------------- */

/* [any] Current ticks of this core's clock. */
uint64_t gale_kernel_ticks_now(void);
/* Absolute deadline for a timeout given now (GALE_FOREVER -> UINT64_MAX). */
uint64_t gale_kernel_timeout_deadline(gale_timeout_t timeout, uint64_t now);
/* [L] Arm node on this core to call fn at absolute tick deadline (re-arming an
 * armed node moves it). */
void gale_kernel_timeout_add(gale_timeout_node_t *node, void (*fn)(gale_timeout_node_t *),
                             uint64_t deadline);
/* [L] Disarm (no-op if not armed). Returns true if it was armed. */
bool gale_kernel_timeout_abort(gale_timeout_node_t *node);
/* [L] Arm t's own timeout node (pend / sleep / delayed start) on this core. */
void gale_kernel_thread_timeout_arm(gale_thread_t *t, uint64_t deadline);
/* [L] Program the port timer for the earliest deadline of this core. */
void gale_kernel_timeout_program(gale_kernel_cpu_t *cpu);

/* ------------------------------------------------------------------------- */
/* Mutex priority inheritance (mutex.c), used by wait_q.c and thread.c        */
/* ------------------------------------------------------------------------- */

/* [L] Recompute owner's effective priority from its base priority and the
 * waiters of the mutexes it holds, and propagate along the chain of owners. */
void gale_kernel_pi_update(gale_thread_t *owner);
/* [L] A waiter of a mutex left the wait queue without getting it (timeout,
 * abort): clear t->blocked_mutex and drop the owner's inherited priority. */
void gale_kernel_pi_waiter_gone(gale_thread_t *t);
/* [L] A thread ends holding mutexes: hand each to its next waiter (or free it). */
void gale_kernel_mutex_release_all(gale_thread_t *t);

/* ------------------------------------------------------------------------- */
/* Threads (thread.c)                                                         */
/* ------------------------------------------------------------------------- */

/* [L] End thread t: off every queue, DEAD, joiners woken, mutexes it holds
 * released. No switch: when t is the current thread the caller then calls
 * gale_kernel_swap_locked() (which never returns) or, in an ISR, requests one. */
void gale_kernel_thread_end(gale_thread_t *t);
/* [L] Check the canary of t; on damage reports through gale_kernel_fatal and
 * returns false (the caller ends t). */
bool gale_kernel_stack_check(gale_thread_t *t);
extern gale_thread_t *gale_kernel_all_threads;
extern unsigned int gale_kernel_alive;
extern uint32_t gale_kernel_generation;
/* Create (idle = the core's idle thread: not counted alive, always ready). */
int gale_thread_create_internal(gale_thread_t *t, void *stack, size_t stack_size,
                                gale_thread_entry_t entry, void *p1, void *p2, void *p3,
                                int prio, unsigned int cpu, bool idle);

#endif /* GALE_KERNEL_INTERNAL_H */
