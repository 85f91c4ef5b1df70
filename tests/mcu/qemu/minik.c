#include "minik.h"

struct mk_thread {
    gale_arch_context_t ctx;
    mk_fn_t fn;
    void *arg;
    int alive;
};

static struct mk_thread mk_th[MK_MAX_THREADS];
static int mk_n, mk_cur = -1, mk_alive;
static gale_arch_context_t mk_idle_ctx;
static _Alignas(32) uint8_t mk_idle_stack[1024];
static void (*mk_timer_cb)(void);
volatile unsigned int mk_resched_calls, mk_switches;

static gale_arch_context_t *mk_ctx(int i)
{
    return i < 0 ? &mk_idle_ctx : &mk_th[i].ctx;
}

static int mk_next_after(int i)
{
    for (int k = 1; k <= mk_n; k++) {
        int j = (i + k + mk_n) % mk_n;
        if (i < 0)
            j = k - 1;
        if (mk_th[j].alive)
            return j;
    }
    return -1;
}

static void mk_entry(void *arg)
{
    struct mk_thread *t = arg;
    t->fn(t->arg);
    mk_exit();
}

static void mk_idle(void *arg)
{
    (void)arg;
    for (;;) {
        unsigned int key = gale_arch_irq_lock();
        int n = mk_next_after(-1);
        if (n >= 0) {
            mk_cur = n;
            mk_switches++;
            gale_arch_context_switch(&mk_idle_ctx, mk_ctx(n));
            gale_arch_irq_unlock(key);
        } else {
            gale_arch_cpu_idle();   /* returns unlocked */
        }
    }
}

int mk_spawn(mk_fn_t fn, void *arg, void *stack, size_t size)
{
    if (mk_n >= MK_MAX_THREADS)
        return GALE_ENOMEM;
    unsigned int key = gale_arch_irq_lock();
    int i = mk_n++;
    mk_th[i].fn = fn;
    mk_th[i].arg = arg;
    mk_th[i].alive = 1;
    mk_alive++;
    int rc = gale_arch_context_init(&mk_th[i].ctx, stack, size, mk_entry, &mk_th[i]);
    gale_arch_irq_unlock(key);
    return rc < 0 ? rc : i;
}

int mk_run(void)
{
    gale_arch_context_init(&mk_idle_ctx, mk_idle_stack, sizeof mk_idle_stack, mk_idle, NULL);
    return gale_cm_run();
}

void mk_reset(void)
{
    for (int i = 0; i < MK_MAX_THREADS; i++)
        mk_th[i].alive = 0;
    mk_n = 0;
    mk_cur = -1;
    mk_alive = 0;
    mk_timer_cb = NULL;
    mk_resched_calls = mk_switches = 0;
}

int mk_self(void)
{
    return mk_cur;
}

void mk_yield(void)
{
    unsigned int key = gale_arch_irq_lock();
    int from = mk_cur, to = mk_next_after(mk_cur);
    if (to >= 0 && to != from) {
        mk_cur = to;
        mk_switches++;
        gale_arch_context_switch(mk_ctx(from), mk_ctx(to));
    }
    gale_arch_irq_unlock(key);
}

_Noreturn void mk_exit(void)
{
    (void)gale_arch_irq_lock();
    int from = mk_cur;
    mk_th[from].alive = 0;
    mk_alive--;
    int to = mk_next_after(from);
    mk_cur = to;
    mk_switches++;
    gale_arch_context_switch(mk_ctx(from), mk_ctx(to));
    gale_arch_fatal(GALE_EINVAL, "exited thread resumed");
}

void mk_preempt_from_isr(void)
{
    gale_arch_isr_resched_request();
}

void mk_timer_at(uint64_t deadline, void (*cb)(void))
{
    unsigned int key = gale_arch_irq_lock();
    mk_timer_cb = cb;
    gale_arch_timer_set(deadline);
    gale_arch_irq_unlock(key);
}

/* ---- the hooks of gale/arch.h ---- */

gale_arch_context_t *gale_kernel_arch_cpu_start(unsigned int cpu)
{
    (void)cpu;
    mk_cur = mk_next_after(-1);
    return mk_ctx(mk_cur);
}

void gale_kernel_arch_timer_isr(void)
{
    void (*cb)(void) = mk_timer_cb;
    mk_timer_cb = NULL;
    if (cb)
        cb();
}

bool gale_kernel_arch_resched(gale_arch_context_t **from, gale_arch_context_t **to)
{
    mk_resched_calls++;
    int f = mk_cur, t = mk_next_after(mk_cur);
    if (t < 0 || t == f)
        return false;
    mk_cur = t;
    mk_switches++;
    *from = mk_ctx(f);
    *to = mk_ctx(t);
    return true;
}

unsigned int gale_kernel_arch_threads_alive(void)
{
    return (unsigned int)mk_alive;
}

void gale_kernel_arch_dump(void)
{
    for (int i = 0; i < mk_n; i++)
        gale_cm_printf("minik: thread %d %s\n", i, mk_th[i].alive ? "alive" : "exited");
}
