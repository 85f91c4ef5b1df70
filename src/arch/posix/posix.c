/* gale — posix port: the host simulator.
 *
 * Each kernel thread is a ucontext fiber. Each simulated core has a "loop"
 * context (the simulator's own stack) that its idle thread returns to. In
 * deterministic mode every core runs on the calling OS thread and virtual time
 * jumps from event to event; in real-time mode each core has an OS thread and
 * time is CLOCK_MONOTONIC, with one big lock behind gale_arch_irq_lock.
 *
 * IRQ model per core: `locked` (the IRQ mask), `isr_depth` (> 0 inside a
 * handler), `resched_pending` (an ISR asked for a switch). Due interrupts (the
 * kernel timer and raised simulated IRQs) are taken when the core unmasks IRQs in
 * thread context, when it idles, and in gale_sim_busy_ns.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "gale/arch.h"

#if defined(__SANITIZE_ADDRESS__)
#define GALE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GALE_ASAN 1
#endif
#endif
#ifdef GALE_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
#endif

typedef struct sim_irq {
    bool used;
    unsigned int cpu;
    uint64_t at;
    uint64_t seq;
    gale_sim_irq_handler_t handler;
    void *arg;
} sim_irq_t;

typedef struct sim_cpu {
    gale_arch_context_t loop;          /* the simulator loop of this core */
    gale_arch_context_t *resume;       /* where the core continues */
    bool parked;                       /* its idle thread waits in gale_arch_cpu_idle */
    bool kicked;
    unsigned int locked;
    unsigned int isr_depth;
    bool resched_pending;
    uint64_t timer_deadline;           /* ns; UINT64_MAX = disarmed */
    pthread_t os;
    pthread_mutex_t mtx;               /* real-time: guards kicked + wait */
    pthread_cond_t cond;
} sim_cpu_t;

static gale_sim_config_t cfg = { 1, GALE_SIM_DETERMINISTIC, 0, false };
static sim_cpu_t cpus[GALE_ARCH_MAX_CPUS];
static sim_irq_t irqs[GALE_SIM_MAX_PENDING_IRQS];
static uint64_t irq_seq;
static unsigned int irq_pending;     /* entries in use in irqs[] */
static uint64_t virt_ns;
static struct timespec rt_start;
static volatile bool stop_req;
static volatile bool rt_done;
static int rt_result;
static uint64_t switch_count;
static bool running;
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t irq_mtx = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local unsigned int tls_cpu;
static _Thread_local gale_arch_context_t *tls_running;
static const void *main_stack_bottom;
static size_t main_stack_size;

static bool realtime(void) { return cfg.mode == GALE_SIM_REALTIME; }

/* ------------------------------------------------------------------------- */
/* Fibers                                                                     */
/* ------------------------------------------------------------------------- */

static void raw_switch(gale_arch_context_t *from, gale_arch_context_t *to)
{
    tls_running = to;
#ifdef GALE_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, to->stack, to->stack_size);
    swapcontext(&from->uc, &to->uc);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    swapcontext(&from->uc, &to->uc);
#endif
}

static void fiber_main(void)
{
#ifdef GALE_ASAN
    __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
    gale_arch_context_t *self = tls_running;
    gale_arch_irq_unlock(0);   /* a thread starts with IRQs unlocked */
    self->entry(self->arg);
    gale_arch_fatal(GALE_EINVAL, "gale posix: a thread entry returned to the port");
}

int gale_arch_context_init(gale_arch_context_t *ctx, void *stack, size_t size,
                           gale_arch_entry_t entry, void *arg)
{
    if (ctx == NULL || stack == NULL || size < GALE_ARCH_STACK_MIN ||
        ((uintptr_t)stack % GALE_ARCH_STACK_ALIGN) != 0)
        return GALE_EINVAL;
    memset(ctx, 0, sizeof *ctx);
    if (getcontext(&ctx->uc) != 0)
        return GALE_EINVAL;
    ctx->stack = stack;
    ctx->stack_size = size;
    ctx->entry = entry;
    ctx->arg = arg;
    /* The kernel's canary occupies the lowest bytes; the fiber never goes there
     * unless it overflows. */
    ctx->uc.uc_stack.ss_sp = stack;
    ctx->uc.uc_stack.ss_size = size;
    ctx->uc.uc_link = NULL;
    makecontext(&ctx->uc, fiber_main, 0);
    return GALE_OK;
}

void gale_arch_context_switch(gale_arch_context_t *from, gale_arch_context_t *to)
{
    if (from == to)
        return;
    __atomic_add_fetch(&switch_count, 1, __ATOMIC_RELAXED);
    raw_switch(from, to);
}

/* ------------------------------------------------------------------------- */
/* Time                                                                       */
/* ------------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
    if (!realtime())
        return virt_ns;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t s = (int64_t)ts.tv_sec - (int64_t)rt_start.tv_sec;
    int64_t ns = (int64_t)ts.tv_nsec - (int64_t)rt_start.tv_nsec;
    return (uint64_t)(s * 1000000000 + ns);
}

uint64_t gale_arch_cycles_get(void) { return now_ns(); }
uint64_t gale_arch_cycles_per_sec(void) { return 1000000000u; }
uint64_t gale_sim_time_ns(void) { return now_ns(); }
uint64_t gale_sim_switch_count(void) { return switch_count; }

void gale_arch_timer_set(uint64_t deadline)
{
    cpus[tls_cpu].timer_deadline = deadline;
}

/* ------------------------------------------------------------------------- */
/* IRQs                                                                       */
/* ------------------------------------------------------------------------- */

unsigned int gale_arch_cpu_id(void) { return tls_cpu; }
unsigned int gale_arch_cpu_count(void) { return cfg.cpus; }
bool gale_arch_isr_active(void) { return cpus[tls_cpu].isr_depth > 0; }
bool gale_arch_irq_is_locked(void) { return cpus[tls_cpu].locked != 0; }

unsigned int gale_arch_irq_lock(void)
{
    sim_cpu_t *c = &cpus[tls_cpu];
    if (c->locked)
        return 1;
    if (realtime() && running)
        pthread_mutex_lock(&big_lock);
    c->locked = 1;
    return 0;
}

static void release_lock(sim_cpu_t *c)
{
    c->locked = 0;
    if (realtime() && running)
        pthread_mutex_unlock(&big_lock);
}

/* The earliest pending simulated IRQ of cpu (index) or -1. */
static int next_irq(unsigned int cpu)
{
    int best = -1;
    if (irq_pending == 0)
        return -1;
    for (unsigned int i = 0; i < GALE_SIM_MAX_PENDING_IRQS; i++) {
        const sim_irq_t *q = &irqs[i];
        if (!q->used || q->cpu != cpu)
            continue;
        if (best < 0 || q->at < irqs[best].at || (q->at == irqs[best].at && q->seq < irqs[best].seq))
            best = (int)i;
    }
    return best;
}

static uint64_t next_event(unsigned int cpu)
{
    uint64_t t = cpus[cpu].timer_deadline;
    if (realtime())
        pthread_mutex_lock(&irq_mtx);
    int i = next_irq(cpu);
    if (i >= 0 && irqs[i].at < t)
        t = irqs[i].at;
    if (realtime())
        pthread_mutex_unlock(&irq_mtx);
    return t;
}

/* Run every interrupt of `cpu` due at `now` (IRQ lock held by the caller's core
 * context). Returns true if one ran. */
static bool take_due(unsigned int cpu, uint64_t now)
{
    bool any = false;
    unsigned int saved_cpu = tls_cpu;
    tls_cpu = cpu;
    sim_cpu_t *c = &cpus[cpu];
    for (;;) {
        if (c->timer_deadline <= now) {
            c->timer_deadline = UINT64_MAX;
            c->isr_depth++;
            gale_kernel_arch_timer_isr();
            c->isr_depth--;
            any = true;
            continue;
        }
        if (realtime())
            pthread_mutex_lock(&irq_mtx);
        int i = next_irq(cpu);
        sim_irq_t q = { 0 };
        if (i >= 0 && irqs[i].at <= now) {
            q = irqs[i];
            irqs[i].used = false;
            irq_pending--;
        }
        if (realtime())
            pthread_mutex_unlock(&irq_mtx);
        if (!q.used)
            break;
        c->isr_depth++;
        q.handler(q.arg);
        c->isr_depth--;
        any = true;
    }
    tls_cpu = saved_cpu;
    if (any && cpu != saved_cpu)
        cpus[cpu].kicked = true;
    return any;
}

/* Thread context, IRQs locked (c->locked == 1): take due interrupts and perform
 * requested reschedules until none is left. */
static void thread_irq_point(sim_cpu_t *c)
{
    for (;;) {
        if (take_due(tls_cpu, now_ns()))
            continue;
        if (!c->resched_pending)
            return;
        c->resched_pending = false;
        gale_arch_context_t *from, *to;
        if (gale_kernel_arch_resched(&from, &to))
            gale_arch_context_switch(from, to);
        c = &cpus[tls_cpu];
    }
}

void gale_arch_irq_unlock(unsigned int key)
{
    sim_cpu_t *c = &cpus[tls_cpu];
    if (key != 0)
        return;   /* stays locked */
    if (c->isr_depth == 0 && running)
        thread_irq_point(c);
    release_lock(&cpus[tls_cpu]);
}

void gale_arch_isr_resched_request(void)
{
    cpus[tls_cpu].resched_pending = true;
    cpus[tls_cpu].kicked = true;
}

void gale_arch_cpu_kick(unsigned int cpu)
{
    if (cpu >= cfg.cpus)
        return;
    if (realtime()) {
        /* the target reschedules at its next IRQ unlock, or wakes from idle */
        cpus[cpu].resched_pending = true;
        pthread_mutex_lock(&cpus[cpu].mtx);
        cpus[cpu].kicked = true;
        pthread_cond_signal(&cpus[cpu].cond);
        pthread_mutex_unlock(&cpus[cpu].mtx);
    } else {
        cpus[cpu].kicked = true;
    }
}

int gale_sim_irq_raise_at(unsigned int cpu, uint64_t at_ns, gale_sim_irq_handler_t handler, void *arg)
{
    if (cpu >= cfg.cpus || handler == NULL) {
        fprintf(stderr, "gale sim: irq_raise_at: %s (cpu %u of %u)\n",
                handler == NULL ? "handler is NULL" : "no such cpu", cpu, cfg.cpus);
        return GALE_EINVAL;
    }
    int rc = GALE_ENOMEM;
    if (realtime())
        pthread_mutex_lock(&irq_mtx);
    for (unsigned int i = 0; i < GALE_SIM_MAX_PENDING_IRQS; i++) {
        if (!irqs[i].used) {
            irqs[i] = (sim_irq_t){ true, cpu, at_ns, irq_seq++, handler, arg };
            irq_pending++;
            rc = GALE_OK;
            break;
        }
    }
    if (realtime())
        pthread_mutex_unlock(&irq_mtx);
    if (rc != GALE_OK)
        fprintf(stderr, "gale sim: irq_raise_at: the queue of %u pending IRQs is full\n",
                (unsigned int)GALE_SIM_MAX_PENDING_IRQS);
    else
        gale_arch_cpu_kick(cpu);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* Idle, stacks, fatal, console                                               */
/* ------------------------------------------------------------------------- */

void gale_arch_cpu_idle(void)
{
    /* Called by the idle thread with IRQs locked: park it and give the core
     * back to its simulator loop, which resumes it once something happened. */
    sim_cpu_t *c = &cpus[tls_cpu];
    gale_arch_context_t *self = tls_running;
    c->resume = self;
    c->parked = true;
    raw_switch(self, &c->loop);
    c = &cpus[tls_cpu];
    c->parked = false;
    gale_arch_irq_unlock(0);   /* takes due interrupts, performs a requested switch */
}

void gale_arch_stack_guard_set(void *stack_base, size_t guard_size)
{
    (void)stack_base;
    (void)guard_size;
}

bool gale_arch_stack_guarded(const gale_arch_context_t *ctx)
{
    (void)ctx;
    return false;   /* no hardware guard on the host: the kernel's canary does it */
}

_Noreturn void gale_arch_fatal(int reason, const char *msg)
{
    fprintf(stderr, "gale: FATAL (%s): %s\n", gale_strerror(reason), msg != NULL ? msg : "");
    fflush(stderr);
    abort();
}

void gale_arch_console_write(const char *s)
{
    fputs(s, stderr);
    fflush(stderr);
}

/* ------------------------------------------------------------------------- */
/* Simulator                                                                  */
/* ------------------------------------------------------------------------- */

static bool setup_done;

int gale_sim_setup(const gale_sim_config_t *c)
{
    gale_sim_config_t n = { 1, GALE_SIM_DETERMINISTIC, 0, false };
    if (c != NULL)
        n = *c;
    if (n.cpus == 0)
        n.cpus = 1;
    if (n.cpus > GALE_ARCH_MAX_CPUS) {
        fprintf(stderr, "gale sim: setup: %u cores asked, the posix port simulates at most %u\n", n.cpus,
                (unsigned int)GALE_ARCH_MAX_CPUS);
        return GALE_EINVAL;
    }
    if (n.mode != GALE_SIM_DETERMINISTIC && n.mode != GALE_SIM_REALTIME) {
        fprintf(stderr, "gale sim: setup: unknown mode %d\n", (int)n.mode);
        return GALE_EINVAL;
    }
    if (running) {
        fprintf(stderr, "gale sim: setup: called during a run\n");
        return GALE_EBUSY;
    }
    static bool sync_init;
    if (!sync_init) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        for (unsigned int i = 0; i < GALE_ARCH_MAX_CPUS; i++) {
            pthread_mutex_init(&cpus[i].mtx, NULL);
            pthread_cond_init(&cpus[i].cond, &ca);
        }
        pthread_condattr_destroy(&ca);
        sync_init = true;
    }
    cfg = n;
    for (unsigned int i = 0; i < GALE_ARCH_MAX_CPUS; i++) {
        sim_cpu_t *p = &cpus[i];
        p->resume = NULL;
        p->parked = false;
        p->kicked = false;
        p->locked = 0;
        p->isr_depth = 0;
        p->resched_pending = false;
        p->timer_deadline = UINT64_MAX;
    }
    memset(irqs, 0, sizeof irqs);
    irq_seq = 0;
    irq_pending = 0;
    virt_ns = 0;
    switch_count = 0;
    stop_req = false;
    rt_done = false;
    rt_result = 0;
    tls_cpu = 0;
    clock_gettime(CLOCK_MONOTONIC, &rt_start);
    setup_done = true;
    return GALE_OK;
}

void gale_sim_stop(void)
{
    stop_req = true;
    for (unsigned int i = 0; i < cfg.cpus; i++)
        gale_arch_cpu_kick(i);
}

static void stack_bounds(const void **bottom, size_t *size)
{
    pthread_attr_t a;
    void *addr = NULL;
    size_t sz = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        pthread_attr_getstack(&a, &addr, &sz);
        pthread_attr_destroy(&a);
    }
    *bottom = addr;
    *size = sz;
}

static void report(const char *what)
{
    if (cfg.quiet)
        return;
    fprintf(stderr, "gale sim: %s at t=%llu ns; threads:\n", what, (unsigned long long)now_ns());
    gale_kernel_arch_dump();
}

static int det_run(void)
{
    for (unsigned int c = 0; c < cfg.cpus; c++) {
        cpus[c].loop.stack = (void *)main_stack_bottom;
        cpus[c].loop.stack_size = main_stack_size;
        tls_cpu = c;
        cpus[c].locked = 1;
        cpus[c].resume = gale_kernel_arch_cpu_start(c);
        cpus[c].kicked = true;
    }
    for (;;) {
        bool ran = false;
        for (unsigned int c = 0; c < cfg.cpus && !stop_req; c++) {
            if (!cpus[c].kicked && cpus[c].parked)
                continue;
            cpus[c].kicked = false;
            tls_cpu = c;
            cpus[c].locked = 1;
            raw_switch(&cpus[c].loop, cpus[c].resume);
            ran = true;
        }
        tls_cpu = 0;
        if (stop_req)
            return GALE_OK;
        if (ran)
            continue;
        if (gale_kernel_arch_threads_alive() == 0)
            return GALE_OK;
        uint64_t next = UINT64_MAX;
        for (unsigned int c = 0; c < cfg.cpus; c++) {
            uint64_t e = next_event(c);
            if (e < next)
                next = e;
        }
        if (next == UINT64_MAX) {
            report("deadlock: every thread is blocked and no timeout or interrupt is pending");
            return GALE_EDEADLK;
        }
        if (cfg.time_limit_ns != 0 && next > cfg.time_limit_ns) {
            virt_ns = cfg.time_limit_ns > virt_ns ? cfg.time_limit_ns : virt_ns;
            report("time limit reached");
            return GALE_ETIMEDOUT;
        }
        if (next > virt_ns)
            virt_ns = next;
        for (unsigned int c = 0; c < cfg.cpus; c++) {
            tls_cpu = c;
            cpus[c].locked = 1;
            if (take_due(c, virt_ns))
                cpus[c].kicked = true;
        }
        tls_cpu = 0;
    }
}

static void rt_finish(int result)
{
    if (!rt_done) {
        rt_result = result;
        rt_done = true;
    }
    for (unsigned int i = 0; i < cfg.cpus; i++)
        gale_arch_cpu_kick(i);
}

static void *rt_cpu_main(void *arg)
{
    unsigned int me = (unsigned int)(uintptr_t)arg;
    tls_cpu = me;
    sim_cpu_t *c = &cpus[me];
    const void *b;
    size_t sz;
    stack_bounds(&b, &sz);
    c->loop.stack = (void *)b;
    c->loop.stack_size = sz;
    gale_arch_irq_lock();
    c->resume = gale_kernel_arch_cpu_start(me);
    for (;;) {
        raw_switch(&c->loop, c->resume);   /* until the core idles; big lock held again */
        if (stop_req || gale_kernel_arch_threads_alive() == 0)
            rt_finish(GALE_OK);
        if (rt_done) {
            release_lock(c);
            break;
        }
        uint64_t next = next_event(me);
        if (cfg.time_limit_ns != 0 && next > cfg.time_limit_ns)
            next = cfg.time_limit_ns;
        release_lock(c);
        pthread_mutex_lock(&c->mtx);
        while (!c->kicked && !rt_done && now_ns() < next) {
            if (next == UINT64_MAX) {
                pthread_cond_wait(&c->cond, &c->mtx);
            } else {
                uint64_t abs_ns = (uint64_t)rt_start.tv_sec * 1000000000u + (uint64_t)rt_start.tv_nsec + next;
                struct timespec ts = { (time_t)(abs_ns / 1000000000u), (long)(abs_ns % 1000000000u) };
                pthread_cond_timedwait(&c->cond, &c->mtx, &ts);
            }
        }
        c->kicked = false;
        pthread_mutex_unlock(&c->mtx);
        gale_arch_irq_lock();
        if (!rt_done && cfg.time_limit_ns != 0 && now_ns() >= cfg.time_limit_ns) {
            if (!cfg.quiet)
                fprintf(stderr, "gale sim: time limit reached (real-time mode)\n");
            rt_finish(GALE_ETIMEDOUT);
        }
        if (rt_done) {
            release_lock(c);
            break;
        }
        take_due(me, now_ns());
    }
    return NULL;
}

int gale_sim_run(void)
{
    if (!setup_done)
        gale_sim_setup(NULL);
    if (running) {
        fprintf(stderr, "gale sim: run: already running\n");
        return GALE_EBUSY;
    }
    int rc;
    stack_bounds(&main_stack_bottom, &main_stack_size);
    cpus[0].locked = 0;
    running = true;
    if (!realtime()) {
        rc = det_run();
    } else {
        for (unsigned int i = 0; i < cfg.cpus; i++)
            pthread_create(&cpus[i].os, NULL, rt_cpu_main, (void *)(uintptr_t)i);
        for (unsigned int i = 0; i < cfg.cpus; i++)
            pthread_join(cpus[i].os, NULL);
        rc = rt_result;
    }
    running = false;
    for (unsigned int i = 0; i < GALE_ARCH_MAX_CPUS; i++) {
        cpus[i].locked = 0;
        cpus[i].isr_depth = 0;
        cpus[i].resched_pending = false;
    }
    tls_cpu = 0;
    setup_done = false;
    return rc;
}

int gale_sim_busy_ns(uint64_t ns)
{
    if (!running || gale_arch_isr_active())
        return GALE_ECONTEXT;
    if (realtime()) {
        uint64_t target = now_ns() + ns;
        while (now_ns() < target) {
            unsigned int k = gale_arch_irq_lock();
            gale_arch_irq_unlock(k);
        }
        return GALE_OK;
    }
    uint64_t remaining = ns;
    unsigned int key = gale_arch_irq_lock();
    while (remaining > 0) {
        uint64_t next = UINT64_MAX;
        for (unsigned int c = 0; c < cfg.cpus; c++) {
            uint64_t e = next_event(c);
            if (e < next)
                next = e;
        }
        if (key != 0 || next == UINT64_MAX || next - (next > virt_ns ? virt_ns : next) >= remaining) {
            virt_ns += remaining;
            break;
        }
        if (next > virt_ns) {
            remaining -= next - virt_ns;
            virt_ns = next;
        }
        unsigned int me = tls_cpu;
        for (unsigned int c = 0; c < cfg.cpus; c++)
            if (c != me && take_due(c, virt_ns))
                cpus[c].kicked = true;
        thread_irq_point(&cpus[me]);   /* own interrupts; may switch away and back */
    }
    gale_arch_irq_unlock(key);
    return GALE_OK;
}
