/* gale kernel — the scheduler of one core: ready queue (a bitmap of non-empty
 * priorities + a FIFO per priority), the choice of the next thread, switching,
 * yield, scheduler lock and time slicing. Decisions come from core_sched.h
 * (static inline, proven by WP). */
#include "core.h"
#include "core_sched.h"
#include "kernel_internal.h"

/* GALE_CONFIG_SWITCH_INLINE=0 (gale/config.h): leave inlining to the compiler
 * (smaller, a few instructions more per switch). */
#if GALE_CONFIG_SWITCH_INLINE
#define SCHED_INLINE static inline __attribute__((always_inline))
#else
#define SCHED_INLINE static inline
#endif

void gale_kernel_rq_add(gale_thread_t *t)
{
    gale_kernel_rq_add_inline(t);
}

void gale_kernel_rq_remove(gale_thread_t *t)
{
    gale_kernel_rq_remove_inline(t);
}

/* Put a ready t behind the other ready threads of its priority, in O(1): unlink
 * it and append it at the tail of the same FIFO. That FIFO holds t's successor
 * before and after, so the bitmap and t's state stay as they are (no generic
 * remove + add). Nothing to do when t is not queued or already last (alone).
 * On yield t is the running thread, normally the head: a rotate head -> tail. */
SCHED_INLINE void rq_to_back(gale_thread_t *t)
{
    gale_thread_t *next = t->q_next;
    if (next == NULL || !(t->state & GALE_THREAD_READY))
        return;
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_of(t);
    unsigned int idx = gale_kernel_prio_index(t->prio);
    gale_thread_t *prev = t->q_prev;
    if (prev != NULL)
        prev->q_next = next;
    else
        cpu->rq_head[idx] = next;
    next->q_prev = prev;
    gale_thread_t *tail = cpu->rq_tail[idx];   /* != t: next follows t */
    tail->q_next = t;
    t->q_prev = tail;
    t->q_next = NULL;
    cpu->rq_tail[idx] = t;
}

void gale_kernel_rq_move_to_back(gale_thread_t *t)
{
    rq_to_back(t);
}

void gale_kernel_prio_change(gale_thread_t *t, int prio)
{
    if (t->prio == prio)
        return;
    if (t->state & GALE_THREAD_READY) {
        gale_kernel_rq_remove(t);
        t->prio = (int8_t)prio;
        gale_kernel_rq_add(t);
    } else if ((t->state & GALE_THREAD_PENDING) && t->pended_on != NULL) {
        gale_wait_q_t *wq = t->pended_on;
        gale_kernel_wait_q_remove(wq, t);
        t->prio = (int8_t)prio;
        gale_kernel_wait_q_insert(wq, t);
    } else {
        t->prio = (int8_t)prio;
    }
}

/* The thread that should run on cpu now. honor_coop: a ready cooperative (or
 * sched-locked) current thread keeps the CPU (reschedule); a blocking or yielding
 * caller passes false. */
SCHED_INLINE gale_thread_t *pick_next(gale_kernel_cpu_t *cpu, bool honor_coop)
{
    gale_thread_t *cur = cpu->current;
    if (honor_coop && cur != NULL &&
        gale_core_sched_keep_current((cur->state & GALE_THREAD_READY) != 0, cur->prio,
                                     cur->sched_locked) != 0)
        return cur;
    unsigned int idx = gale_core_rq_first(cpu->ready_bitmap);
    if (idx >= GALE_CORE_NPRIO)
        return &cpu->idle;   /* unreachable: idle is always ready */
    return cpu->rq_head[idx];
}

#if GALE_CONFIG_TIME_SLICE
static void slice_expired(gale_timeout_node_t *node)
{
    gale_kernel_cpu_t *cpu = &gale_kernel_cpus[node->cpu];
    gale_thread_t *t = cpu->slice_thread;
    if (t != NULL && t == cpu->current && (t->state & GALE_THREAD_READY)) {
        gale_kernel_rq_move_to_back(t);
        gale_kernel_slice_reset(cpu);
        if (gale_arch_isr_active())
            gale_arch_isr_resched_request();
    }
}

void gale_kernel_slice_reset(gale_kernel_cpu_t *cpu)
{
    gale_thread_t *t = cpu->current;
    if (t != NULL && t != &cpu->idle &&
        gale_core_slice_applies(gale_kernel_slice_ticks, t->prio, gale_kernel_slice_prio_floor)) {
        cpu->slice_thread = t;
        gale_kernel_timeout_add(&cpu->slice_node, slice_expired,
                                gale_kernel_ticks_now() + gale_kernel_slice_ticks);
    } else if (cpu->slice_node.linked) {
        cpu->slice_thread = NULL;
        gale_kernel_timeout_abort(&cpu->slice_node);
    }
}
#endif

/* The outgoing thread's canary is smashed: it was reported (fatal handler) and
 * is ended here, never to be resumed; returns the thread to run instead. Off
 * the hot path. */
static __attribute__((noinline)) gale_thread_t *stack_smashed(gale_kernel_cpu_t *cpu, gale_thread_t *old)
{
    gale_kernel_thread_end(old);
    return pick_next(cpu, false);
}

/* Commit a switch of cpu from old (its current thread, never NULL: every caller
 * runs on a started core with a current thread) to next != old; returns the
 * thread that actually runs next. Checks the outgoing thread's stack canary
 * unless a hardware guard (MPU) protects that stack: a smashed one ends that
 * thread (stack_smashed) and the choice is made again. */
SCHED_INLINE gale_thread_t *commit(gale_kernel_cpu_t *cpu, gale_thread_t *old, gale_thread_t *next)
{
    if (!(old->state & GALE_THREAD_DEAD) && !gale_arch_stack_guarded(&old->ctx) &&
        !gale_kernel_stack_check(old))
        next = stack_smashed(cpu, old);
    cpu->current = next;
#if GALE_CONFIG_SWITCH_STATS
    next->switched_in++;
#endif
    if (gale_kernel_slice_ticks != 0u || cpu->slice_node.linked)   /* no slicing: nothing to re-arm */
        gale_kernel_slice_reset(cpu);
    gale_arch_stack_guard_set(next->stack, GALE_CONFIG_STACK_CANARY_SIZE);
    return next;
}

/* Switch cpu from its current thread to the best ready one, if that is another
 * thread; returns when the caller runs again (still locked). */
SCHED_INLINE void swap(gale_kernel_cpu_t *cpu)
{
    gale_thread_t *old = cpu->current;
    gale_thread_t *next = pick_next(cpu, false);
    if (next == old)
        return;
    next = commit(cpu, old, next);
    gale_arch_context_switch(&old->ctx, &next->ctx);   /* nothing when next == old */
}

void gale_kernel_swap_locked(void)
{
    swap(gale_kernel_cpu_self());
}

void gale_kernel_reschedule(unsigned int key)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    gale_thread_t *old = cpu->current;
    if (cpu->started && old != NULL) {
        gale_thread_t *next = pick_next(cpu, true);
        if (next != old) {
            if (gale_arch_isr_active()) {
                gale_arch_isr_resched_request();
            } else {
                next = commit(cpu, old, next);
                gale_arch_context_switch(&old->ctx, &next->ctx);
            }
        }
    }
    gale_kernel_unlock(key);
}

bool gale_kernel_arch_resched(gale_arch_context_t **from, gale_arch_context_t **to)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    gale_thread_t *old = cpu->current;
    if (!cpu->started || old == NULL)
        return false;
    gale_thread_t *next = pick_next(cpu, true);
    if (next == old)
        return false;
    next = commit(cpu, old, next);
    if (next == old)
        return false;
    *from = &old->ctx;
    *to = &next->ctx;
    return true;
}

/* ------------------------------------------------------------------------- */
/* Public scheduler calls                                                     */
/* ------------------------------------------------------------------------- */

void gale_kernel_yield(void)
{
    if (gale_arch_isr_active())
        return;
    unsigned int key = gale_kernel_lock();
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    gale_thread_t *cur = cpu->current;
    if (cpu->started && cur != NULL) {
        rq_to_back(cur);
        swap(cpu);
    }
    gale_kernel_unlock(key);
}

void gale_kernel_sched_lock(void)
{
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_cpu_self()->current;
    if (cur != NULL && !gale_arch_isr_active() && cur->sched_locked < UINT8_MAX)
        cur->sched_locked++;
    gale_kernel_unlock(key);
}

void gale_kernel_sched_unlock(void)
{
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_cpu_self()->current;
    if (cur == NULL || gale_arch_isr_active() || cur->sched_locked == 0) {
        if (cur != NULL && !gale_arch_isr_active())
            gale_kernel_diag("sched_unlock: thread '%s' has not locked the scheduler",
                             gale_kernel_thread_label(cur));
        gale_kernel_unlock(key);
        return;
    }
    cur->sched_locked--;
    gale_kernel_reschedule(key);
}

void gale_kernel_sched_time_slice_set(uint32_t slice_ticks, int prio_floor)
{
    if (!GALE_CONFIG_TIME_SLICE && slice_ticks != 0u)
        gale_kernel_diag("gale_kernel_sched_time_slice_set: built with GALE_CONFIG_TIME_SLICE=0 (no slicing)");
    unsigned int key = gale_kernel_lock();
    gale_kernel_slice_ticks = slice_ticks;
    gale_kernel_slice_prio_floor = prio_floor;
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    if (cpu->started)
        gale_kernel_slice_reset(cpu);
    gale_kernel_unlock(key);
}
