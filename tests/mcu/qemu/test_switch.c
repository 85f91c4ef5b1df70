/* Port test: thread switch through SVC (cooperative) and PendSV (ISR-requested
 * preemption), FPU state kept per thread (s16-s31 across calls, all of
 * s0-s31 across preemption), the 64-bit SysTick time and the one-shot timer. */
#include <stdint.h>

#include "gale/arch.h"
#include "mcu_test.h"
#include "minik.h"

#define ROUNDS 500
#define PREEMPT_IRQ 9

static _Alignas(32) uint8_t stack_a[2048], stack_b[2048], stack_c[2048];
static volatile char trace[2 * ROUNDS + 8];
static volatile unsigned int trace_n;

/* ---- ping-pong through mk_yield (SVC path) ---- */
static void pingpong(void *arg)
{
    char me = (char)(uintptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        trace[trace_n++] = me;
        mk_yield();
    }
}

/* ---- FPU ---- */
static volatile uint32_t fp_flag;
static uint32_t fp_seen_a[32], fp_seen_b[16];

static void preempt_isr(void *arg)
{
    (void)arg;
    mk_preempt_from_isr();
}

/* s0-s31 = 0x1000 + i, raise the preempting IRQ, spin until the other thread
 * ran (it sets fp_flag), then store s0-s31: all must be intact. */
static void fpu_a(void *arg)
{
    (void)arg;
#ifdef __ARM_FP
    __asm__ volatile(
        "movw r0, #0x1000\n\t"
        "vmov s0, r0\n\t  add r0, #1\n\t vmov s1, r0\n\t  add r0, #1\n\t vmov s2, r0\n\t  add r0, #1\n\t"
        "vmov s3, r0\n\t  add r0, #1\n\t vmov s4, r0\n\t  add r0, #1\n\t vmov s5, r0\n\t  add r0, #1\n\t"
        "vmov s6, r0\n\t  add r0, #1\n\t vmov s7, r0\n\t  add r0, #1\n\t vmov s8, r0\n\t  add r0, #1\n\t"
        "vmov s9, r0\n\t  add r0, #1\n\t vmov s10, r0\n\t add r0, #1\n\t vmov s11, r0\n\t add r0, #1\n\t"
        "vmov s12, r0\n\t add r0, #1\n\t vmov s13, r0\n\t add r0, #1\n\t vmov s14, r0\n\t add r0, #1\n\t"
        "vmov s15, r0\n\t add r0, #1\n\t vmov s16, r0\n\t add r0, #1\n\t vmov s17, r0\n\t add r0, #1\n\t"
        "vmov s18, r0\n\t add r0, #1\n\t vmov s19, r0\n\t add r0, #1\n\t vmov s20, r0\n\t add r0, #1\n\t"
        "vmov s21, r0\n\t add r0, #1\n\t vmov s22, r0\n\t add r0, #1\n\t vmov s23, r0\n\t add r0, #1\n\t"
        "vmov s24, r0\n\t add r0, #1\n\t vmov s25, r0\n\t add r0, #1\n\t vmov s26, r0\n\t add r0, #1\n\t"
        "vmov s27, r0\n\t add r0, #1\n\t vmov s28, r0\n\t add r0, #1\n\t vmov s29, r0\n\t add r0, #1\n\t"
        "vmov s30, r0\n\t add r0, #1\n\t vmov s31, r0\n\t"
        "str %[irq], [%[stir]]\n\t"          /* NVIC_STIR: preempt me now */
        "1: ldr r0, [%[flag]]\n\t"
        "cmp r0, #0\n\t"
        "beq 1b\n\t"
        "vstmia %[out], {s0-s31}\n\t"
        :
        : [irq] "r"(PREEMPT_IRQ), [stir] "r"(0xE000EF00u), [flag] "r"(&fp_flag), [out] "r"(fp_seen_a)
        : "r0", "memory", "cc", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
          "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22",
          "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31");
#endif
}

/* Runs when fpu_a is preempted: trash every FP register, let fpu_a go on, and
 * check its own s16-s31 across a cooperative switch. */
static void fpu_b(void *arg)
{
    (void)arg;
#ifdef __ARM_FP
    __asm__ volatile("movw r0, #0x2000\n\t"
                     "vmov s0, r0\n\t vmov s1, r0\n\t vmov s2, r0\n\t vmov s3, r0\n\t"
                     "vmov s4, r0\n\t vmov s5, r0\n\t vmov s6, r0\n\t vmov s7, r0\n\t"
                     "vmov s8, r0\n\t vmov s9, r0\n\t vmov s10, r0\n\t vmov s11, r0\n\t"
                     "vmov s12, r0\n\t vmov s13, r0\n\t vmov s14, r0\n\t vmov s15, r0\n\t"
                     "movw r0, #0x3000\n\t"
                     "vmov s16, r0\n\t add r0, #1\n\t vmov s17, r0\n\t add r0, #1\n\t vmov s18, r0\n\t add r0, #1\n\t"
                     "vmov s19, r0\n\t add r0, #1\n\t vmov s20, r0\n\t add r0, #1\n\t vmov s21, r0\n\t add r0, #1\n\t"
                     "vmov s22, r0\n\t add r0, #1\n\t vmov s23, r0\n\t add r0, #1\n\t vmov s24, r0\n\t add r0, #1\n\t"
                     "vmov s25, r0\n\t add r0, #1\n\t vmov s26, r0\n\t add r0, #1\n\t vmov s27, r0\n\t add r0, #1\n\t"
                     "vmov s28, r0\n\t add r0, #1\n\t vmov s29, r0\n\t add r0, #1\n\t vmov s30, r0\n\t add r0, #1\n\t"
                     "vmov s31, r0\n\t"
                     ::: "r0", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
                     "s11", "s12", "s13", "s14", "s15");
    fp_flag = 1;
    mk_yield();     /* fpu_a finishes and exits; s16-s31 are callee-saved across this */
    __asm__ volatile("vstmia %0, {s16-s31}" : : "r"(fp_seen_b) : "memory");
#endif
}

/* ---- timer ---- */
static volatile uint64_t fired_at;
static volatile int fired;

static void on_timer(void)
{
    fired_at = gale_arch_cycles_get();
    fired = 1;
}

static void wait_fired(void)
{
    for (;;) {
        unsigned int key = gale_arch_irq_lock();
        if (fired) {
            gale_arch_irq_unlock(key);
            return;
        }
        gale_arch_cpu_idle();
    }
}

static void timer_thread(void *arg)
{
    (void)arg;
    uint64_t prev = gale_arch_cycles_get();
    int mono = 1;
    for (int i = 0; i < 2000; i++) {
        uint64_t now = gale_arch_cycles_get();
        if (now < prev)
            mono = 0;
        prev = now;
    }
    MT_CHECK(mono);
    /* short one-shot: 1 ms */
    uint64_t deadline = gale_arch_cycles_get() + 25000u;
    fired = 0;
    mk_timer_at(deadline, on_timer);
    wait_fired();
    MT_CHECK(fired_at >= deadline);
    MT_CHECK(fired_at - deadline < 2000u);
    gale_cm_printf("timer: 1 ms one-shot fired %llu cycles late\n",
                   (unsigned long long)(fired_at - deadline));
    /* long one-shot across two SysTick wraps (2^24 cycles each) */
    deadline = gale_arch_cycles_get() + (3u << 24) + 12345u;
    fired = 0;
    mk_timer_at(deadline, on_timer);
    wait_fired();
    MT_CHECK(fired_at >= deadline);
    MT_CHECK(fired_at - deadline < 2000u);
    gale_cm_printf("timer: 2 s one-shot fired %llu cycles late (%u reloads)\n",
                   (unsigned long long)(fired_at - deadline), (unsigned)gale_cm_systick_reloads);
    /* disarm: nothing fires */
    fired = 0;
    mk_timer_at(gale_arch_cycles_get() + 50000u, on_timer);
    mk_timer_at(UINT64_MAX, on_timer);
    uint64_t t0 = gale_arch_cycles_get();
    while (gale_arch_cycles_get() - t0 < 100000u) {
    }
    MT_EQ(fired, 0);
}

int main(void)
{
    /* 1. ping-pong */
    MT_EQ(mk_spawn(pingpong, (void *)'a', stack_a, sizeof stack_a), 0);
    MT_EQ(mk_spawn(pingpong, (void *)'b', stack_b, sizeof stack_b), 1);
    MT_EQ(mk_run(), 0);
    MT_EQ(trace_n, 2 * ROUNDS);
    int alternating = 1;
    for (unsigned int i = 0; i < trace_n; i++)
        if (trace[i] != (i % 2 ? 'b' : 'a'))
            alternating = 0;
    MT_CHECK(alternating);
    gale_cm_printf("pingpong: %u switches\n", mk_switches);
    MT_CHECK(mk_switches >= 2 * ROUNDS);
    MT_CHECK(!gale_arch_irq_is_locked());

    /* bad arguments to context_init */
    gale_arch_context_t c;
    MT_EQ(gale_arch_context_init(&c, stack_c, 64, pingpong, NULL), GALE_EINVAL);
    MT_EQ(gale_arch_context_init(&c, stack_c + 4, 1024, pingpong, NULL), GALE_EINVAL);
    MT_EQ(gale_arch_context_init(&c, stack_c, sizeof stack_c, NULL, NULL), GALE_EINVAL);

    /* 2. FPU state across preemption (PendSV) and cooperative switches (SVC) */
    mk_reset();
    MT_EQ(gale_cm_irq_connect(PREEMPT_IRQ, GALE_CM_ZLI_LEVELS + 2, preempt_isr, NULL), 0);
    gale_cm_irq_enable(PREEMPT_IRQ);
    mk_spawn(fpu_a, NULL, stack_a, sizeof stack_a);
    mk_spawn(fpu_b, NULL, stack_b, sizeof stack_b);
    MT_EQ(mk_run(), 0);
    gale_cm_irq_disable(PREEMPT_IRQ);
    MT_CHECK(mk_resched_calls >= 1);
#ifdef __ARM_FP
    int a_ok = 1, b_ok = 1;
    for (unsigned int i = 0; i < 32; i++)
        if (fp_seen_a[i] != 0x1000u + i) {
            a_ok = 0;
            gale_cm_printf("fpu_a: s%u = %08x, expected %08x\n", i, (unsigned)fp_seen_a[i], 0x1000u + i);
        }
    for (unsigned int i = 0; i < 16; i++)
        if (fp_seen_b[i] != 0x3000u + i) {
            b_ok = 0;
            gale_cm_printf("fpu_b: s%u = %08x, expected %08x\n", 16 + i, (unsigned)fp_seen_b[i], 0x3000u + i);
        }
    MT_CHECK(a_ok);
    MT_CHECK(b_ok);
#endif

    /* 3. time and the tickless one-shot timer */
    mk_reset();
    mk_spawn(timer_thread, NULL, stack_c, sizeof stack_c);
    MT_EQ(mk_run(), 0);
    MT_CHECK(!gale_arch_irq_is_locked());
    mt_done("qemu_port_switch");
}
