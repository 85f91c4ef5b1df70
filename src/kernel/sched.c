/* gale kernel — the scheduler of one core: ready queue (a bitmap of non-empty
 * priorities + a FIFO per priority), the choice of the next thread, switching,
 * yield, scheduler lock and time slicing. Decisions come from core_sched.c. */
#include "core.h"
#include "kernel_internal.h"

static inline gale_kernel_cpu_t *cpu_of(const gale_thread_t *t)
{
    return &gale_kernel_cpus[t->cpu];
}

void gale_kernel_rq_add(gale_thread_t *t)
{
    gale_kernel_cpu_t *cpu = cpu_of(t);
    unsigned int idx = gale_kernel_prio_index(t->prio);
    t->q_next = NULL;
    t->q_prev = cpu->rq_tail[idx];
    if (cpu->rq_tail[idx] != NULL)
        cpu->rq_tail[idx]->q_next = t;
    else
        cpu->rq_head[idx] = t;
    cpu->rq_tail[idx] = t;
    cpu->ready_bitmap = gale_core_rq_mark(cpu->ready_bitmap, idx);
    t->state |= GALE_THREAD_READY;
}

void gale_kernel_rq_remove(gale_thread_t *t)
{
    if (!(t->state & GALE_THREAD_READY))
        return;
    gale_kernel_cpu_t *cpu = cpu_of(t);
    unsigned int idx = gale_kernel_prio_index(t->prio);
    if (t->q_prev != NULL)
        t->q_prev->q_next = t->q_next;
    else
        cpu->rq_head[idx] = t->q_next;
    if (t->q_next != NULL)
        t->q_next->q_prev = t->q_prev;
    else
        cpu->rq_tail[idx] = t->q_prev;
    t->q_next = t->q_prev = NULL;
    if (cpu->rq_head[idx] == NULL)
        cpu->ready_bitmap = gale_core_rq_unmark(cpu->ready_bitmap, idx);
    t->state &= ~GALE_THREAD_READY;
}

void gale_kernel_rq_move_to_back(gale_thread_t *t)
{
    if (!(t->state & GALE_THREAD_READY))
        return;
    gale_kernel_rq_remove(t);
    gale_kernel_rq_add(t);
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
static gale_thread_t *pick_next(gale_kernel_cpu_t *cpu, bool honor_coop)
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

/* Commit `next` as current of cpu; returns the previous current. Checks the
 * outgoing thread's stack canary unless a hardware guard (MPU) protects that
 * stack: a smashed one ends that thread (it is never resumed) after the fatal
 * handler ran. */
static gale_thread_t *commit(gale_kernel_cpu_t *cpu, gale_thread_t **next)
{
    gale_thread_t *old = cpu->current;
    if (old != NULL && !(old->state & GALE_THREAD_DEAD) && !gale_arch_stack_guarded(&old->ctx) &&
        !gale_kernel_stack_check(old)) {
        gale_kernel_thread_end(old);
        *next = pick_next(cpu, false);
    }
    cpu->current = *next;
    cpu->switches++;
    (*next)->switched_in++;
    if (gale_kernel_slice_ticks != 0u || cpu->slice_node.linked)   /* no slicing: nothing to re-arm */
        gale_kernel_slice_reset(cpu);
    gale_arch_stack_guard_set((*next)->stack, GALE_CONFIG_STACK_CANARY_SIZE);
    return old;
}

void gale_kernel_swap_locked(void)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    gale_thread_t *next = pick_next(cpu, false);
    if (next == cpu->current)
        return;
    gale_thread_t *old = commit(cpu, &next);
    if (next != old)
        gale_arch_context_switch(&old->ctx, &next->ctx);
}

void gale_kernel_reschedule(unsigned int key)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    if (cpu->started && cpu->current != NULL) {
        gale_thread_t *next = pick_next(cpu, true);
        if (next != cpu->current) {
            if (gale_arch_isr_active()) {
                gale_arch_isr_resched_request();
            } else {
                gale_thread_t *old = commit(cpu, &next);
                if (next != old)
                    gale_arch_context_switch(&old->ctx, &next->ctx);
            }
        }
    }
    gale_kernel_unlock(key);
}

bool gale_kernel_arch_resched(gale_arch_context_t **from, gale_arch_context_t **to)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    if (!cpu->started || cpu->current == NULL)
        return false;
    gale_thread_t *next = pick_next(cpu, true);
    if (next == cpu->current)
        return false;
    gale_thread_t *old = commit(cpu, &next);
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
    if (cpu->started && cpu->current != NULL) {
        gale_kernel_rq_move_to_back(cpu->current);
        gale_kernel_swap_locked();
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
    unsigned int key = gale_kernel_lock();
    gale_kernel_slice_ticks = slice_ticks;
    gale_kernel_slice_prio_floor = prio_floor;
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    if (cpu->started)
        gale_kernel_slice_reset(cpu);
    gale_kernel_unlock(key);
}
