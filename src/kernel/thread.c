/* gale kernel — thread lifecycle: create, start, sleep, wakeup, suspend, resume,
 * abort, join, priorities, CPU mask, stack canary. */
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "core_sched.h"
#include "kernel_internal.h"

/* The canary: GALE_CONFIG_STACK_CANARY_SIZE bytes at the stack bottom, a fixed
 * pattern of 64-bit words (checked word by word on every switch away). */
#define CANARY_WORDS (GALE_CONFIG_STACK_CANARY_SIZE / sizeof(uint64_t))
#define CANARY_WORD(i) (0xA5C3F00DDEADBEEFull ^ ((uint64_t)(i) * 0x9E3779B97F4A7C15ull))

static void canary_write(uint8_t *stack)
{
    uint64_t *w = (uint64_t *)(void *)stack;
    for (size_t i = 0; i < CANARY_WORDS; i++)
        w[i] = CANARY_WORD(i);
}

bool gale_kernel_stack_check(gale_thread_t *t)
{
    const uint64_t *w = (const uint64_t *)(const void *)t->stack;
    for (size_t i = 0; i < CANARY_WORDS; i++) {
        if (w[i] != CANARY_WORD(i)) {
#if GALE_CONFIG_DIAG
            char msg[160];
            snprintf(msg, sizeof msg,
                     "thread '%s': stack overflow detected (canary at %p+%zu of a %zu-byte stack smashed)",
                     gale_kernel_thread_label(t), (void *)t->stack, i * sizeof(uint64_t), t->stack_size);
            gale_kernel_diag("%s", msg);
            gale_kernel_fatal(GALE_ESTACK, t, msg);
#else
            gale_kernel_fatal(GALE_ESTACK, t, "stack overflow detected (canary smashed)");
#endif
            return false;
        }
    }
    return true;
}

void gale_kernel_arch_thread_fault(int reason, const char *msg)
{
    gale_thread_t *t = gale_kernel_cpu_self()->current;
#if GALE_CONFIG_DIAG
    char buf[200];
    snprintf(buf, sizeof buf, "thread '%s': %s", gale_kernel_thread_label(t), msg != NULL ? msg : "fault");
    gale_kernel_diag("%s", buf);
    gale_kernel_fatal(reason, t, buf);   /* the default handler does not return */
#else
    gale_kernel_fatal(reason, t, msg != NULL ? msg : "fault");
#endif
    unsigned int key = gale_kernel_lock();
    gale_kernel_thread_end(t);
    gale_kernel_swap_locked();           /* never returns: t is dead */
    gale_kernel_unlock(key);
    gale_arch_fatal(reason, "gale: a faulted thread was resumed");
}

static void thread_trampoline(void *arg)
{
    gale_thread_t *t = arg;
    t->entry(t->p1, t->p2, t->p3);
    unsigned int key = gale_kernel_lock();
    gale_kernel_thread_end(t);
    gale_kernel_swap_locked();   /* never returns: t is dead */
    gale_kernel_unlock(key);
    gale_arch_fatal(GALE_EINVAL, "gale: a dead thread was resumed");
}

static bool is_live(const gale_thread_t *t)
{
    return t->magic == GALE_MAGIC_THREAD && t->gen == gale_kernel_generation &&
           !(t->state & GALE_THREAD_DEAD);
}

static unsigned int default_cpu(uint32_t mask)
{
    unsigned int self = gale_arch_cpu_id();
    if (mask & (1u << self))
        return self;
    for (unsigned int c = 0; c < gale_arch_cpu_count(); c++)
        if (mask & (1u << c))
            return c;
    return self;
}

int gale_thread_create_internal(gale_thread_t *t, void *stack, size_t stack_size,
                                gale_thread_entry_t entry, void *p1, void *p2, void *p3,
                                int prio, unsigned int cpu, bool idle)
{
    memset(t, 0, sizeof *t);
    t->magic = GALE_MAGIC_THREAD;
    t->gen = gale_kernel_generation;
    t->state = GALE_THREAD_PRESTART;
    t->prio = t->base_prio = (int8_t)prio;
    t->cpu = (uint8_t)cpu;
    t->cpu_mask = idle ? (1u << cpu) : ((1u << gale_arch_cpu_count()) - 1u);
    t->stack = stack;
    t->stack_size = stack_size;
    t->entry = entry;
    t->p1 = p1; t->p2 = p2; t->p3 = p3;
    canary_write(t->stack);
    int rc = gale_arch_context_init(&t->ctx, stack, stack_size, thread_trampoline, t);
    if (rc != GALE_OK)
        return rc;
    t->all_next = gale_kernel_all_threads;
    gale_kernel_all_threads = t;
    if (idle) {
        t->state = 0;
        gale_kernel_rq_add(t);
    }
    return GALE_OK;
}

int gale_kernel_thread_create(gale_thread_t *t, void *stack, size_t stack_size,
                              gale_thread_entry_t entry, void *p1, void *p2, void *p3,
                              int prio, uint32_t options, gale_timeout_t delay)
{
    (void)options;
    if (t == NULL || entry == NULL || stack == NULL) {
        gale_kernel_diag("thread_create: %s is NULL", t == NULL ? "thread" : entry == NULL ? "entry" : "stack");
        return GALE_EINVAL;
    }
    if (!gale_core_prio_valid(prio, GALE_CONFIG_NUM_COOP_PRIO, GALE_CONFIG_NUM_PREEMPT_PRIO)) {
        gale_kernel_diag("thread_create: priority %d out of range %d .. %d", prio, GALE_PRIO_HIGHEST, GALE_PRIO_LOWEST);
        return GALE_EINVAL;
    }
    if (stack_size < GALE_ARCH_STACK_MIN || ((uintptr_t)stack % GALE_ARCH_STACK_ALIGN) != 0) {
        gale_kernel_diag("thread_create: stack %p of %zu bytes is %s (need >= %u bytes, %u-aligned)", stack,
                         stack_size, stack_size < GALE_ARCH_STACK_MIN ? "too small" : "misaligned",
                         (unsigned int)GALE_ARCH_STACK_MIN, (unsigned int)GALE_ARCH_STACK_ALIGN);
        return GALE_EINVAL;
    }
    unsigned int key = gale_kernel_lock();
    if (is_live(t)) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_create: thread %p ('%s') is still alive", (void *)t, gale_kernel_thread_label(t));
        return GALE_EINVAL;
    }
    int rc = gale_thread_create_internal(t, stack, stack_size, entry, p1, p2, p3, prio,
                                         default_cpu(UINT32_MAX), false);
    if (rc != GALE_OK) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_create: the port refused the stack (%s)", gale_strerror(rc));
        return rc;
    }
    t->name = "thread";
    if (GALE_TIMEOUT_IS_FOREVER(delay)) {
        gale_kernel_unlock(key);
        return GALE_OK;
    }
    gale_kernel_alive++;   /* it will start by itself */
    if (GALE_TIMEOUT_IS_NO_WAIT(delay)) {
        t->state &= ~GALE_THREAD_PRESTART;
        gale_kernel_ready(t, 0);
        gale_kernel_reschedule(key);
        return GALE_OK;
    }
    gale_kernel_thread_timeout_arm(t, gale_kernel_timeout_deadline(delay, gale_kernel_ticks_now()));
    gale_kernel_unlock(key);
    return GALE_OK;
}

int gale_kernel_thread_start(gale_thread_t *t)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_start");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!(t->state & GALE_THREAD_PRESTART) || !is_live(t)) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_start: thread '%s' was already started", gale_kernel_thread_label(t));
        return GALE_EINVAL;
    }
    /* A thread created with a finite delay was counted alive at creation. */
    bool counted = t->timeout.fn != NULL;
    gale_kernel_timeout_abort(&t->timeout);
    if (!counted)
        gale_kernel_alive++;
    t->state &= ~GALE_THREAD_PRESTART;
    gale_kernel_ready(t, 0);
    gale_kernel_reschedule(key);
    return GALE_OK;
}

int gale_kernel_thread_name_set(gale_thread_t *t, const char *name)
{
    if (t == NULL)
        return GALE_EINVAL;
    t->name = name;
    return GALE_OK;
}

const char *gale_kernel_thread_name_get(const gale_thread_t *t)
{
    return t != NULL ? t->name : NULL;
}

gale_thread_t *gale_kernel_thread_self(void)
{
    if (gale_arch_isr_active())
        return NULL;
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    return cpu->started ? cpu->current : NULL;
}

/* ------------------------------------------------------------------------- */

int64_t gale_kernel_sleep(gale_timeout_t timeout)
{
    int rc = gale_kernel_check_may_block("sleep", timeout);
    if (rc != GALE_OK)
        return rc;
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_yield();
        return 0;
    }
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_cpu_self()->current;
    uint64_t deadline = gale_kernel_timeout_deadline(timeout, gale_kernel_ticks_now());
    gale_kernel_rq_remove(cur);
    cur->state |= GALE_THREAD_SLEEPING;
    cur->wait_result = 0;
    if (!GALE_TIMEOUT_IS_FOREVER(timeout))
        gale_kernel_thread_timeout_arm(cur, deadline);
    gale_kernel_swap_locked();
    int64_t left = 0;
    if (cur->wait_result == 1) {   /* woken early */
        left = GALE_TIMEOUT_IS_FOREVER(timeout)
                   ? INT64_MAX
                   : (int64_t)gale_core_timeout_remaining(deadline, gale_kernel_ticks_now());
    }
    gale_kernel_unlock(key);
    return left;
}

int gale_kernel_thread_wakeup(gale_thread_t *t)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_wakeup");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!(t->state & GALE_THREAD_SLEEPING)) {
        gale_kernel_unlock(key);
        return GALE_EINVAL;
    }
    gale_kernel_timeout_abort(&t->timeout);
    gale_kernel_ready(t, 1);
    gale_kernel_reschedule(key);
    return GALE_OK;
}

int gale_kernel_thread_wait_abort(gale_thread_t *t)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_wait_abort");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!(t->state & GALE_THREAD_PENDING) || t->pended_on == NULL) {
        gale_kernel_unlock(key);
        return GALE_EINVAL;
    }
    gale_kernel_unpend(t); /* off the wait queue, timeout cancelled */
    if (t->blocked_mutex != NULL)
        gale_kernel_pi_waiter_gone(t);
    gale_kernel_ready(t, GALE_ECANCELED);
    gale_kernel_reschedule(key);
    return GALE_OK;
}

/* Switch away from the current thread if it can no longer run. */
static void leave_if_current(gale_thread_t *t, unsigned int key)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    if (t == cpu->current && cpu->started) {
        if (gale_arch_isr_active()) {
            gale_arch_isr_resched_request();
        } else {
            gale_kernel_swap_locked();
        }
    }
    gale_kernel_reschedule(key);
}

int gale_kernel_thread_suspend(gale_thread_t *t)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_suspend");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (t->state & GALE_THREAD_DEAD || t == &gale_kernel_cpus[t->cpu].idle) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_suspend: thread '%s' is %s", gale_kernel_thread_label(t),
                         (t->state & GALE_THREAD_DEAD) ? "dead" : "an idle thread");
        return GALE_EINVAL;
    }
    t->state |= GALE_THREAD_SUSPENDED;
    gale_kernel_rq_remove(t);
    leave_if_current(t, key);
    return GALE_OK;
}

int gale_kernel_thread_resume(gale_thread_t *t)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_resume");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!(t->state & GALE_THREAD_SUSPENDED)) {
        gale_kernel_unlock(key);
        return GALE_EINVAL;
    }
    t->state &= ~GALE_THREAD_SUSPENDED;
    if (!(t->state & (GALE_THREAD_PENDING | GALE_THREAD_SLEEPING | GALE_THREAD_PRESTART |
                      GALE_THREAD_DEAD | GALE_THREAD_READY))) {
        gale_kernel_rq_add(t);
        if (t->cpu != gale_arch_cpu_id())
            gale_arch_cpu_kick(t->cpu);
    }
    gale_kernel_reschedule(key);
    return GALE_OK;
}

void gale_kernel_thread_end(gale_thread_t *t)
{
    if (t->state & GALE_THREAD_DEAD)
        return;
    if (t->owned_mutexes != NULL) {
        gale_kernel_diag("thread '%s' ended while holding mutex %p: released to its next waiter",
                         gale_kernel_thread_label(t), (void *)t->owned_mutexes);
        gale_kernel_mutex_release_all(t);
    }
    if (t->state & GALE_THREAD_PENDING) {
        gale_kernel_unpend(t);
        if (t->blocked_mutex != NULL)
            gale_kernel_pi_waiter_gone(t);
    }
    gale_kernel_timeout_abort(&t->timeout);
    gale_kernel_rq_remove(t);
    bool was_alive = !(t->state & GALE_THREAD_PRESTART) || t->timeout.fn != NULL;
    t->state = GALE_THREAD_DEAD;
    if (was_alive && gale_kernel_alive > 0)
        gale_kernel_alive--;
    /* unlink from the list of threads */
    for (gale_thread_t **pp = &gale_kernel_all_threads; *pp != NULL; pp = &(*pp)->all_next) {
        if (*pp == t) {
            *pp = t->all_next;
            break;
        }
    }
    gale_kernel_wake_all(&t->join_q, GALE_OK);
}

int gale_kernel_thread_abort(gale_thread_t *t)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_abort");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    if (t->state & GALE_THREAD_DEAD) {
        gale_kernel_unlock(key);
        return GALE_OK;
    }
    if (t == &gale_kernel_cpus[t->cpu].idle) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_abort: refusing to abort the idle thread of cpu %u", (unsigned int)t->cpu);
        return GALE_EINVAL;
    }
    bool self = (t == cpu->current);
    if (t->owned_mutexes != NULL && !(self && !gale_arch_isr_active())) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_abort: thread '%s' holds mutex %p; aborting it would leave it locked",
                         gale_kernel_thread_label(t), (void *)t->owned_mutexes);
        return GALE_EBUSY;
    }
    gale_kernel_thread_end(t);
    leave_if_current(t, key);
    return GALE_OK;
}

int gale_kernel_thread_join(gale_thread_t *t, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_join");
    if (rc != GALE_OK)
        return rc;
    rc = gale_kernel_check_may_block("thread_join", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    gale_thread_t *cur = gale_kernel_thread_self();
    if (t->state & GALE_THREAD_DEAD) {
        gale_kernel_unlock(key);
        return GALE_OK;
    }
    if (t == cur || (cur != NULL && t->pended_on == &cur->join_q)) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_join: '%s' joining '%s' would deadlock", gale_kernel_thread_label(cur),
                         gale_kernel_thread_label(t));
        return GALE_EDEADLK;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_EBUSY;
    }
    return gale_kernel_pend(&t->join_q, key, timeout);
}

int gale_kernel_thread_priority_get(const gale_thread_t *t)
{
    return t != NULL ? t->base_prio : GALE_EINVAL;
}

int gale_kernel_thread_priority_set(gale_thread_t *t, int prio)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_priority_set");
    if (rc != GALE_OK)
        return rc;
    if (!gale_core_prio_valid(prio, GALE_CONFIG_NUM_COOP_PRIO, GALE_CONFIG_NUM_PREEMPT_PRIO)) {
        gale_kernel_diag("thread_priority_set: priority %d out of range %d .. %d", prio, GALE_PRIO_HIGHEST,
                         GALE_PRIO_LOWEST);
        return GALE_EINVAL;
    }
    unsigned int key = gale_kernel_lock();
    t->base_prio = (int8_t)prio;
    gale_kernel_pi_update(t);
    gale_kernel_reschedule(key);
    return GALE_OK;
}

uint32_t gale_kernel_thread_state_get(const gale_thread_t *t)
{
    return t != NULL ? t->state : 0u;
}

int gale_kernel_thread_cpu_mask_set(gale_thread_t *t, uint32_t mask)
{
    int rc = GALE_OBJ_CHECK(t, GALE_MAGIC_THREAD, "thread_cpu_mask_set");
    if (rc != GALE_OK)
        return rc;
    uint32_t all = (1u << gale_arch_cpu_count()) - 1u;
    if ((mask & all) == 0u) {
        gale_kernel_diag("thread_cpu_mask_set: mask 0x%x names no core of this run (cores: 0x%x)",
                         (unsigned int)mask, (unsigned int)all);
        return GALE_EINVAL;
    }
    unsigned int key = gale_kernel_lock();
    if (!(t->state & GALE_THREAD_PRESTART)) {
        gale_kernel_unlock(key);
        gale_kernel_diag("thread_cpu_mask_set: thread '%s' has already started", gale_kernel_thread_label(t));
        return GALE_EBUSY;
    }
    t->cpu_mask = mask & all;
    t->cpu = (uint8_t)default_cpu(t->cpu_mask);
    gale_kernel_unlock(key);
    return GALE_OK;
}

int gale_kernel_thread_cpu_pin(gale_thread_t *t, unsigned int cpu)
{
    if (cpu >= 32u || cpu >= gale_arch_cpu_count()) {
        gale_kernel_diag("thread_cpu_pin: cpu %u does not exist (%u cores)", cpu, gale_arch_cpu_count());
        return GALE_EINVAL;
    }
    return gale_kernel_thread_cpu_mask_set(t, 1u << cpu);
}

unsigned int gale_kernel_thread_cpu_get(const gale_thread_t *t)
{
    return t != NULL ? t->cpu : 0u;
}
