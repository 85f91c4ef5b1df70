/* gale — kernel latency benchmarks on the Cortex-M port, run under QEMU with
 * -icount shift=0 (one instruction = 1 ns of virtual time, so the figures are
 * instructions executed, repeatable run to run). Time is read from SysTick on
 * the 25 MHz mps2 clock: one SysTick cycle = 40 instructions. Windows are
 * averaged over many rounds, with a varying pad outside the window so that the
 * 40-instruction quantisation averages out; the cost of reading the clock is
 * measured and subtracted. Output: lines "BENCH <name> <instructions>". */
#include <stdint.h>

#include "gale/kernel.h"

/* GALE_BENCH_HAVE_MSGQ: set by CMake when the kernel has message queues.
 * GALE_BENCH_N: rounds per benchmark (profiling builds use fewer). */
#ifndef GALE_BENCH_N
#define GALE_BENCH_N 2000
#endif
#define N GALE_BENCH_N
#define IRQ_BENCH 11

static uint32_t insn_per_cycle;

static inline uint64_t now(void)
{
    return gale_kernel_cycles_get();
}

/* Instructions spent between two back-to-back clock reads. */
static uint64_t clock_overhead_x1000(void)
{
    uint64_t sum = 0;
    for (unsigned int i = 0; i < N; i++) {
        for (volatile unsigned int p = 0; p < (i % 40u); p++) {
        }
        uint64_t a = now();
        uint64_t b = now();
        sum += b - a;
    }
    return sum * insn_per_cycle * 1000u / N;
}

static void report(const char *name, uint64_t x1000)
{
    gale_cm_printf("BENCH %s %llu.%01llu\n", name, (unsigned long long)(x1000 / 1000u),
                   (unsigned long long)((x1000 % 1000u) / 100u));
}

static GALE_THREAD_STACK_DEFINE(stack_a, 1024);
static GALE_THREAD_STACK_DEFINE(stack_b, 1024);
static gale_thread_t th_a, th_b;
static uint64_t overhead_x1000;
static uint64_t window(uint64_t sum_cycles);

/* ---- 1. thread switch: two equal-priority threads yielding to each other ---- */
static volatile uint64_t yield_t0, yield_t1;

static void yield_thread(void *p1, void *p2, void *p3)
{
    (void)p2;
    (void)p3;
    int first = p1 != NULL;
    if (first)
        yield_t0 = now();
    for (unsigned int i = 0; i < N; i++)
        gale_kernel_yield();
    if (!first)
        yield_t1 = now();
}

/* ---- 2. sem give -> take with a switch ---- */
static gale_sem_t sem_go;
static volatile uint64_t t_give, sum_give_take;

static void sem_high(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (unsigned int i = 0; i < N; i++) {
        gale_kernel_sem_take(&sem_go, GALE_FOREVER);
        sum_give_take += now() - t_give;
    }
}

static void sem_low(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (unsigned int i = 0; i < N; i++) {
        for (volatile unsigned int p = 0; p < (i % 40u); p++) {
        }
        t_give = now();
        gale_kernel_sem_give(&sem_go);
    }
}

/* ---- 3. msgq round trip: A put -> B get, B put -> A get ---- */
static uint32_t q1_buf[4], q2_buf[4];
static gale_msgq_t q1, q2;
static volatile uint64_t rt_t0, rt_t1;

static void mq_a(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    rt_t0 = now();
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v = i, r = 0;
        gale_kernel_msgq_put(&q1, &v, GALE_FOREVER);
        gale_kernel_msgq_get(&q2, &r, GALE_FOREVER);
        if (r != i + 1u)
            gale_arch_fatal(GALE_EINVAL, "msgq bench: wrong reply");
    }
    rt_t1 = now();
}

static void mq_b(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v;
        gale_kernel_msgq_get(&q1, &v, GALE_FOREVER);
        v++;
        gale_kernel_msgq_put(&q2, &v, GALE_FOREVER);
    }
}

/* ---- 4. interrupt -> thread wake: STIR write ... thread returns from take ---- */
static gale_sem_t sem_irq;
static volatile uint64_t t_irq, sum_irq;

static void bench_isr(void *arg)
{
    (void)arg;
    gale_kernel_sem_give(&sem_irq);
}

static void irq_high(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (unsigned int i = 0; i < N; i++) {
        gale_kernel_sem_take(&sem_irq, GALE_FOREVER);
        sum_irq += now() - t_irq;
    }
}

static void irq_low(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (unsigned int i = 0; i < N; i++) {
        for (volatile unsigned int p = 0; p < (i % 40u); p++) {
        }
        t_irq = now();
        gale_cm_irq_pend(IRQ_BENCH);
    }
}

static void run2(gale_thread_entry_t a, void *pa, int prio_a, gale_thread_entry_t b, void *pb, int prio_b)
{
    gale_kernel_init();
    gale_kernel_thread_create(&th_a, stack_a, sizeof stack_a, a, pa, NULL, NULL, prio_a,
                              GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    if (b != NULL)
        gale_kernel_thread_create(&th_b, stack_b, sizeof stack_b, b, pb, NULL, NULL, prio_b,
                                  GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    int rc = gale_cm_run();
    if (rc != 0)
        gale_arch_fatal(rc, "bench run failed");
}

/* ---- 0. the port's switch alone (SVC path, no kernel decision) ---- */
static gale_arch_context_t raw_main, raw_ctx;
static GALE_THREAD_STACK_DEFINE(raw_stack, 1024);
static volatile uint64_t raw_x1000;

static void raw_thread(void *arg)
{
    (void)arg;
    for (;;)
        gale_arch_context_switch(&raw_ctx, &raw_main);
}

static void t_setup(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    overhead_x1000 = clock_overhead_x1000();
    gale_arch_context_init(&raw_ctx, raw_stack, sizeof raw_stack, raw_thread, NULL);
    unsigned int key = gale_kernel_irq_lock();
    gale_arch_context_switch(&raw_main, &raw_ctx);   /* first entry */
    uint64_t t0 = now();
    for (unsigned int i = 0; i < N; i++)
        gale_arch_context_switch(&raw_main, &raw_ctx);
    uint64_t t1 = now();
    gale_kernel_irq_unlock(key);
    /* per switch (two per round), loop and call overhead included */
    raw_x1000 = (t1 - t0) * insn_per_cycle * 1000u / (2u * N);
}

static uint64_t window(uint64_t sum_cycles)
{
    uint64_t x = sum_cycles * insn_per_cycle * 1000u / N;
    return x > overhead_x1000 ? x - overhead_x1000 : 0;
}

int main(void)
{
    insn_per_cycle = (uint32_t)(1000000000u / gale_kernel_cycles_per_sec());
    gale_cm_printf("BENCH sizeof_thread %u\n", (unsigned)sizeof(gale_thread_t));
    gale_cm_printf("BENCH stack_min %u\n", (unsigned)GALE_ARCH_STACK_MIN);

    run2(t_setup, NULL, GALE_PRIO_PREEMPT(5), NULL, NULL, 0);
    report("clock_read_overhead", overhead_x1000);
    report("port_switch_svc", raw_x1000);

    run2(yield_thread, (void *)1, GALE_PRIO_PREEMPT(5), yield_thread, NULL, GALE_PRIO_PREEMPT(5));
    report("thread_switch_yield", (yield_t1 - yield_t0) * insn_per_cycle * 1000u / (2u * N));

    gale_kernel_sem_init(&sem_go, 0, 1);
    run2(sem_high, NULL, GALE_PRIO_PREEMPT(3), sem_low, NULL, GALE_PRIO_PREEMPT(5));
    report("sem_give_to_take_switch", window(sum_give_take));

#if GALE_BENCH_HAVE_MSGQ
    {
        gale_kernel_msgq_init(&q1, q1_buf, sizeof(uint32_t), 4);
        gale_kernel_msgq_init(&q2, q2_buf, sizeof(uint32_t), 4);
        run2(mq_a, NULL, GALE_PRIO_PREEMPT(5), mq_b, NULL, GALE_PRIO_PREEMPT(5));
        report("msgq_round_trip", (rt_t1 - rt_t0) * insn_per_cycle * 1000u / N);
    }
#else
    gale_cm_printf("BENCH msgq_round_trip n/a(no-msgq-yet)\n");
#endif

    gale_kernel_sem_init(&sem_irq, 0, 1);
    gale_cm_irq_connect(IRQ_BENCH, GALE_CM_ZLI_LEVELS + 1, bench_isr, NULL);
    gale_cm_irq_enable(IRQ_BENCH);
    run2(irq_high, NULL, GALE_PRIO_PREEMPT(3), irq_low, NULL, GALE_PRIO_PREEMPT(5));
    gale_cm_irq_disable(IRQ_BENCH);
    report("irq_to_thread_wake", window(sum_irq));
    gale_cm_printf("BENCH done\n");
    return 0;
}
