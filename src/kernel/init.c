/* gale kernel — boot, per-core state, diagnostics, fatal errors, and the small
 * public wrappers around the port (IRQ lock, cpu id, time). */
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "core_sched.h"
#include "kernel_internal.h"

gale_kernel_cpu_t gale_kernel_cpus[GALE_CONFIG_MAX_CPUS];
gale_thread_t *gale_kernel_all_threads;
unsigned int gale_kernel_alive;
uint32_t gale_kernel_generation;
uint32_t gale_kernel_slice_ticks;
int gale_kernel_slice_prio_floor;

#if GALE_CONFIG_DIAG
static char diag_last[192];
static bool diag_quiet;
#endif
static gale_kernel_fatal_handler_t fatal_handler;

/* Statically defined threads (GALE_THREAD_DEFINE) live in this section. */
extern const gale_thread_static_t __start_gale_static_threads[] __attribute__((weak));
extern const gale_thread_static_t __stop_gale_static_threads[] __attribute__((weak));

/* ------------------------------------------------------------------------- */

#if GALE_CONFIG_DIAG
void gale_kernel_diag(const char *fmt, ...)
{
    char line[sizeof diag_last + 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag_last, sizeof diag_last, fmt, ap);
    va_end(ap);
    if (!diag_quiet) {
        snprintf(line, sizeof line, "gale: %s\n", diag_last);
        gale_arch_console_write(line);
    }
}

const char *gale_kernel_diag_last(void) { return diag_last; }
void gale_kernel_diag_quiet(bool quiet) { diag_quiet = quiet; }
#else
const char *gale_kernel_diag_last(void) { return ""; }
void gale_kernel_diag_quiet(bool quiet) { (void)quiet; }
#endif

const char *gale_kernel_thread_label(const gale_thread_t *t)
{
    if (t == NULL)
        return gale_arch_isr_active() ? "isr" : "main";
    return t->name != NULL ? t->name : "?";
}

int gale_kernel_check_may_block(const char *op, gale_timeout_t timeout)
{
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout))
        return GALE_OK;
    if (!gale_arch_isr_active()) {
        gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
        gale_thread_t *cur = cpu->current;
        if (cpu->started && cur != NULL && cur != &cpu->idle) {
            cur->pend_what = op;
            return GALE_OK;
        }
    }
    return gale_kernel_check_may_block_fail(op);
}

int gale_kernel_obj_check_fail(const void *obj, const char *op)
{
    if (obj == NULL) {
        gale_kernel_diag("%s: object pointer is NULL", op);
        return GALE_EINVAL;
    }
    gale_kernel_diag("%s: object %p is not initialised (or was deleted)", op, obj);
    return GALE_EINVAL;
}

int gale_kernel_check_may_block_fail(const char *op)
{
    if (gale_arch_isr_active()) {
        gale_kernel_diag("%s: blocking call from ISR context (only GALE_NO_WAIT is allowed there)", op);
        return GALE_ECONTEXT;
    }
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    if (!cpu->started || cpu->current == NULL) {
        gale_kernel_diag("%s: blocking call before the kernel started (no thread to block)", op);
        return GALE_ECONTEXT;
    }
    gale_kernel_diag("%s: blocking call from the idle thread", op);
    return GALE_ECONTEXT;
}

void gale_kernel_fatal_handler_set(gale_kernel_fatal_handler_t handler) { fatal_handler = handler; }

void gale_kernel_fatal(int reason, gale_thread_t *t, const char *msg)
{
    if (fatal_handler == NULL)
        gale_arch_fatal(reason, msg);
    fatal_handler(reason, t, msg);
}

/* ------------------------------------------------------------------------- */

static void idle_entry(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    for (;;) {
        unsigned int key = gale_kernel_lock();
        unsigned int first = gale_core_rq_first(cpu->ready_bitmap);
        if (first != gale_kernel_prio_index(GALE_PRIO_IDLE) || cpu->rq_head[first] != &cpu->idle) {
            gale_kernel_reschedule(key);
            continue;
        }
        gale_arch_cpu_idle();   /* returns with IRQs unlocked */
    }
}

int gale_kernel_init(void)
{
    unsigned int key = gale_kernel_lock();
    gale_kernel_generation++;
    gale_kernel_all_threads = NULL;
    gale_kernel_alive = 0;
    gale_kernel_slice_ticks = 0;
    gale_kernel_slice_prio_floor = 0;
    for (unsigned int c = 0; c < GALE_CONFIG_MAX_CPUS; c++) {
        gale_kernel_cpu_t *cpu = &gale_kernel_cpus[c];
        cpu->current = NULL;
        cpu->ready_bitmap = 0;
        memset(cpu->rq_head, 0, sizeof cpu->rq_head);
        memset(cpu->rq_tail, 0, sizeof cpu->rq_tail);
        cpu->to_head = NULL;
        cpu->armed_deadline = UINT64_MAX;
        memset(&cpu->slice_node, 0, sizeof cpu->slice_node);
        cpu->slice_thread = NULL;
        cpu->started = false;
        if (c < gale_arch_cpu_count()) {
            int rc = gale_thread_create_internal(&cpu->idle, cpu->idle_stack, sizeof cpu->idle_stack,
                                                 idle_entry, NULL, NULL, NULL, GALE_PRIO_IDLE, c, true);
            if (rc != GALE_OK) {
                gale_kernel_unlock(key);
                return rc;
            }
            cpu->idle.name = "idle";
        }
    }
    gale_kernel_unlock(key);

    for (const gale_thread_static_t *s = __start_gale_static_threads;
         s != NULL && s < __stop_gale_static_threads; s++) {
        int rc = gale_kernel_thread_create(s->thread, s->stack, s->stack_size, s->entry,
                                           s->p1, s->p2, s->p3, s->prio, GALE_THREAD_OPT_NONE,
                                           s->delay_ms < 0 ? GALE_FOREVER : GALE_MSEC(s->delay_ms));
        if (rc != GALE_OK)
            return rc;
        s->thread->name = s->name;
    }
    return GALE_OK;
}

gale_arch_context_t *gale_kernel_arch_cpu_start(unsigned int c)
{
    gale_kernel_cpu_t *cpu = &gale_kernel_cpus[c];
    cpu->started = true;
    unsigned int idx = gale_core_rq_first(cpu->ready_bitmap);
    gale_thread_t *first = idx < GALE_CORE_NPRIO ? cpu->rq_head[idx] : &cpu->idle;
    cpu->current = first;
#if GALE_CONFIG_SWITCH_STATS
    first->switched_in++;
#endif
    gale_kernel_slice_reset(cpu);
    gale_kernel_timeout_program(cpu);
    gale_arch_stack_guard_set(first->stack, GALE_CONFIG_STACK_CANARY_SIZE);
    return &first->ctx;
}

unsigned int gale_kernel_arch_threads_alive(void) { return gale_kernel_alive; }

#if GALE_CONFIG_DIAG
static const char *state_name(uint32_t s)
{
    if (s & GALE_THREAD_DEAD) return "dead";
    if (s & GALE_THREAD_PRESTART) return "not started";
    if (s & GALE_THREAD_SUSPENDED) return "suspended";
    if (s & GALE_THREAD_PENDING) return "blocked";
    if (s & GALE_THREAD_SLEEPING) return "sleeping";
    if (s & GALE_THREAD_READY) return "ready";
    return "?";
}

void gale_kernel_arch_dump(void)
{
    char line[256];
    for (gale_thread_t *t = gale_kernel_all_threads; t != NULL; t = t->all_next) {
        if (t == &gale_kernel_cpus[t->cpu].idle)
            continue;
        int n = snprintf(line, sizeof line, "  thread '%s' (cpu %u, prio %d", gale_kernel_thread_label(t),
                         (unsigned int)t->cpu, (int)t->prio);
        if (t->prio != t->base_prio)
            n += snprintf(line + n, sizeof line - (size_t)n, ", base %d", (int)t->base_prio);
        n += snprintf(line + n, sizeof line - (size_t)n, "): %s", state_name(t->state));
        if ((t->state & GALE_THREAD_PENDING) && t->pend_what != NULL)
            n += snprintf(line + n, sizeof line - (size_t)n, " in %s (wait queue %p)%s", t->pend_what,
                          (void *)t->pended_on, t->timeout.linked ? " with a timeout" : ", forever");
        if (t->blocked_mutex != NULL && t->blocked_mutex->owner != NULL)
            n += snprintf(line + n, sizeof line - (size_t)n, " -> mutex %p held by '%s'",
                          (void *)t->blocked_mutex, gale_kernel_thread_label(t->blocked_mutex->owner));
        snprintf(line + n, sizeof line - (size_t)n, "\n");
        gale_arch_console_write(line);
    }
}
#else
void gale_kernel_arch_dump(void) {}   /* GALE_CONFIG_DIAG=0: no thread dump */
#endif

/* ------------------------------------------------------------------------- */
/* Public wrappers                                                            */
/* ------------------------------------------------------------------------- */

unsigned int gale_kernel_irq_lock(void) { return gale_arch_irq_lock(); }
void gale_kernel_irq_unlock(unsigned int key) { gale_arch_irq_unlock(key); }
bool gale_kernel_isr_active(void) { return gale_arch_isr_active(); }
unsigned int gale_kernel_cpu_id(void) { return gale_arch_cpu_id(); }
unsigned int gale_kernel_cpu_count(void) { return gale_arch_cpu_count(); }
uint64_t gale_kernel_cycles_get(void) { return gale_arch_cycles_get(); }
uint64_t gale_kernel_cycles_per_sec(void) { return gale_arch_cycles_per_sec(); }
uint64_t gale_kernel_uptime_ticks(void) { return gale_kernel_ticks_now(); }
uint64_t gale_kernel_uptime_ms(void) { return gale_kernel_ticks_to_ms(gale_kernel_ticks_now()); }
uint64_t gale_kernel_uptime_us(void) { return gale_kernel_ticks_to_us(gale_kernel_ticks_now()); }
