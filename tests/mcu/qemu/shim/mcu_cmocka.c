/* gale — runner of the cmocka-compatible layer and the simulator shim for the
 * portable tests on the Cortex-M port (see cmocka.h, gale_sim_shim.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmocka.h"
#include "gale_sim_shim.h"
#include "gale/arch.h"

/* ---- runner ---------------------------------------------------------------- */

/* Tests the MCU image does not run, with the reason: {name, reason, ..., NULL}.
 * Defined per suite (tests/mcu/qemu/<suite>/skips_*.c); none by default. */
extern const char *const mcm_skips[] __attribute__((weak));
/* Optional per-suite reset before each test (weak reference). */
extern void mcm_before_each_test(void) __attribute__((weak));

static jmp_buf mcm_jb;
static int mcm_in_test;
static const char *mcm_skip_reason;

void mcm_print(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    gale_arch_console_write(buf);
}

static int mcm_in_boot_context(void)
{
    return !gale_arch_isr_active() && gale_cm_current == NULL;
}

_Noreturn void mcm_fail(const char *file, int line, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    mcm_print("%s:%d: assertion failed: %s\n", file, line, buf);
    if (mcm_in_test && mcm_in_boot_context())
        longjmp(mcm_jb, 1);
    mcm_print("(failed inside a %s: ending the test image)\n", gale_arch_isr_active() ? "ISR" : "thread");
    gale_cm_exit(1);
}

_Noreturn void mcm_skip(const char *file, int line, const char *why)
{
    (void)file;
    (void)line;
    mcm_skip_reason = why;
    if (mcm_in_test && mcm_in_boot_context())
        longjmp(mcm_jb, 2);
    mcm_print("skip requested inside a thread or ISR: ending the test image\n");
    gale_cm_exit(1);
}

static int mcm_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int mcm_str_equal(const char *got, const char *want, const char *file, int line)
{
    if (strcmp(got, want) == 0)
        return 1;
    const char *g = got, *w = want;
    long long worst = 0;
    while (*g && *w) {
        if (mcm_is_digit(*g) && mcm_is_digit(*w) && g > got && (g[-1] == '@' || g[-1] == '=') &&
            w[-1] == g[-1]) {
            long long a = 0, b = 0;
            while (mcm_is_digit(*g)) a = a * 10 + (*g++ - '0');
            while (mcm_is_digit(*w)) b = b * 10 + (*w++ - '0');
            long long d = a > b ? a - b : b - a;
            if (d > MCM_TIME_TOLERANCE)
                return 0;
            if (d > worst)
                worst = d;
            continue;
        }
        if (*g != *w)
            return 0;
        g++;
        w++;
    }
    if (*g || *w)
        return 0;
    mcm_print("[  NOTE    ] %s:%d: equal up to timestamps (max deviation %lld us/ticks; real-core latency)\n",
              file, line, worst);
    return 1;
}

static const char *mcm_listed_skip(const char *name)
{
    if (mcm_skips == NULL)
        return NULL;
    for (const char *const *p = mcm_skips; p[0] != NULL; p += 2)
        if (strcmp(p[0], name) == 0)
            return p[1];
    return NULL;
}

int mcm_run_group(const char *group, const struct CMUnitTest *tests, size_t n,
                  CMFixtureFunction setup, CMFixtureFunction teardown)
{
    static unsigned int passed, failed, skipped;   /* static: kept across longjmp */
    passed = failed = skipped = 0;
    void *gstate = NULL;
    mcm_print("[==========] Running %u test(s) of %s on the Cortex-M port.\n", (unsigned)n, group);
    if (setup && setup(&gstate) != 0) {
        mcm_print("[  ERROR   ] group setup failed\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct CMUnitTest *t = &tests[i];
        const char *why = mcm_listed_skip(t->name);
        if (why != NULL) {
            mcm_print("[  SKIPPED ] %s: %s\n", t->name, why);
            skipped++;
            continue;
        }
        mcm_print("[ RUN      ] %s\n", t->name);
        void *state = t->initial_state ? t->initial_state : gstate;
        int r = setjmp(mcm_jb);
        if (r == 0) {
            mcm_in_test = 1;
            if (mcm_before_each_test)
                mcm_before_each_test();
            if (t->setup_func && t->setup_func(&state) != 0)
                mcm_fail(__FILE__, __LINE__, "setup of %s failed", t->name);
            t->test_func(&state);
            if (t->teardown_func)
                t->teardown_func(&state);
            mcm_in_test = 0;
            mcm_print("[       OK ] %s\n", t->name);
            passed++;
        } else if (r == 1) {
            mcm_in_test = 0;
            mcm_print("[  FAILED  ] %s\n", t->name);
            failed++;
        } else {
            mcm_in_test = 0;
            mcm_print("[  SKIPPED ] %s: %s\n", t->name, mcm_skip_reason);
            skipped++;
        }
    }
    if (teardown)
        teardown(&gstate);
    mcm_print("[==========] %s: %u passed, %u failed, %u skipped (Cortex-M, QEMU)\n", group, passed,
              failed, skipped);
    if (passed == 0u)
        mcm_print("[  ERROR   ] no test ran\n");
    return (int)failed + (passed == 0u ? 1 : 0);
}

/* ---- simulator shim ---------------------------------------------------------- */

/* CMSDK APB timers of the QEMU mps2 boards (25 MHz, count down, IRQ 8 / 9). */
#define TMR_CTRL(b)   (*(volatile uint32_t *)((b) + 0x0u))
#define TMR_VALUE(b)  (*(volatile uint32_t *)((b) + 0x4u))
#define TMR_RELOAD(b) (*(volatile uint32_t *)((b) + 0x8u))
#define TMR_INT(b)    (*(volatile uint32_t *)((b) + 0xCu))
#define TMR0 0x40000000u
#define TMR1 0x40001000u
#define TMR0_IRQ 8u
#define TMR1_IRQ 9u

#define NVIC_CLEAR_TMR0() (*(volatile uint32_t *)0xE000E280u = 1u << TMR0_IRQ)
#define SIM_MAX_IRQS 16
struct sim_irq {
    uint64_t at_ns;
    gale_sim_irq_handler_t fn;
    void *arg;
};
static struct sim_irq sim_irqs[SIM_MAX_IRQS];
static uint32_t sim_tmr_num = 0, sim_tmr_den = 1;   /* timer ticks per CPU cycle */
static unsigned int sim_nirqs;
static uint64_t sim_limit_ns;

uint64_t gale_sim_time_ns(void)
{
    uint64_t c = gale_arch_cycles_get(), hz = gale_arch_cycles_per_sec();
    return c / hz * 1000000000ull + c % hz * 1000000000ull / hz;
}

/* ns -> ticks of the CMSDK timers (their clock is measured against the CPU
 * clock once, see sim_tmr_calibrate). */
static uint32_t sim_ns_to_cycles(uint64_t ns)
{
    uint64_t c = ns * gale_arch_cycles_per_sec() / 1000000000ull * sim_tmr_num / sim_tmr_den;
    return c > 0xFFFFFFF0ull ? 0xFFFFFFF0u : (uint32_t)c;
}

static void sim_tmr_calibrate(void)
{
    if (sim_tmr_num != 0u)
        return;
    /* Between runs SysTick is free: run it on the CPU clock next to timer 0. */
    volatile uint32_t *syst = (volatile uint32_t *)0xE000E010u;
    syst[0] = 0;
    syst[1] = 0xFFFFFFu;
    syst[2] = 0;
    /* time one timer period to its interrupt flag (the NVIC line stays off) */
    TMR_CTRL(TMR0) = 0;
    TMR_INT(TMR0) = 1;
    TMR_RELOAD(TMR0) = 20000u;
    TMR_VALUE(TMR0) = 20000u;
    syst[0] = 5u;                   /* enable, processor clock, no interrupt */
    uint32_t s0 = syst[2];
    TMR_CTRL(TMR0) = 1u | 8u;
    while ((TMR_INT(TMR0) & 1u) == 0u) {
    }
    uint32_t s1 = syst[2];
    TMR_CTRL(TMR0) = 0;
    TMR_INT(TMR0) = 1;
    syst[0] = 0;
    uint32_t ds = (s0 - s1) & 0xFFFFFFu, dt = 20000u;
    NVIC_CLEAR_TMR0();
    /* reduce to a small ratio (the clocks are simple multiples) */
    uint32_t num = (uint32_t)(((uint64_t)dt * 64u + ds / 2u) / ds);
    sim_tmr_num = num ? num : 64u;
    sim_tmr_den = 64u;
    mcm_print("sim shim: CMSDK timer ticks per CPU cycle = %u/64\n", (unsigned)sim_tmr_num);
}

/* Program timer 0 for the earliest pending IRQ (or stop it). IRQs locked. */
static void sim_irq_program(void)
{
    TMR_CTRL(TMR0) = 0;
    TMR_INT(TMR0) = 1;
    if (sim_nirqs == 0u) {
        gale_cm_irq_disable(TMR0_IRQ);
        return;
    }
    gale_cm_irq_enable(TMR0_IRQ);
    uint64_t now = gale_sim_time_ns();
    uint64_t at = sim_irqs[0].at_ns;
    if (at <= now) {
        gale_cm_irq_pend(TMR0_IRQ);
        return;
    }
    uint32_t c = sim_ns_to_cycles(at - now);
    TMR_RELOAD(TMR0) = c ? c : 1u;
    TMR_VALUE(TMR0) = c ? c : 1u;
    TMR_CTRL(TMR0) = 1u | 8u;      /* enable, interrupt enable */
}

static void sim_irq_isr(void *arg)
{
    (void)arg;
    TMR_INT(TMR0) = 1;
    for (;;) {
        unsigned int key = gale_arch_irq_lock();
        if (sim_nirqs == 0u || sim_irqs[0].at_ns > gale_sim_time_ns()) {
            sim_irq_program();
            gale_arch_irq_unlock(key);
            return;
        }
        struct sim_irq e = sim_irqs[0];
        memmove(&sim_irqs[0], &sim_irqs[1], (sim_nirqs - 1u) * sizeof sim_irqs[0]);
        sim_nirqs--;
        gale_arch_irq_unlock(key);
        e.fn(e.arg);
    }
}

static void sim_limit_isr(void *arg)
{
    (void)arg;
    TMR_INT(TMR1) = 1;
    if (gale_sim_time_ns() >= sim_limit_ns) {
        TMR_CTRL(TMR1) = 0;
        gale_cm_irq_disable(TMR1_IRQ);
        gale_cm_stop(GALE_ETIMEDOUT);
    }
}

int gale_sim_setup(const gale_sim_config_t *cfg)
{
    if (cfg != NULL && cfg->cpus > 1u)
        mcm_skip(__FILE__, __LINE__, "needs more than one simulated core (the MCU image runs one core)");
    if (cfg != NULL && cfg->mode == GALE_SIM_REALTIME)
        mcm_skip(__FILE__, __LINE__, "needs the simulator's real-time (parallel) mode");
    sim_tmr_calibrate();
    sim_nirqs = 0;
    sim_limit_ns = cfg ? cfg->time_limit_ns : 0;
    TMR_CTRL(TMR0) = 0;
    TMR_CTRL(TMR1) = 0;
    gale_cm_irq_disable(TMR0_IRQ);
    gale_cm_irq_disable(TMR1_IRQ);
    gale_cm_irq_connect(TMR0_IRQ, GALE_CM_ZLI_LEVELS + 1, sim_irq_isr, NULL);
    gale_cm_irq_connect(TMR1_IRQ, GALE_CM_ZLI_LEVELS, sim_limit_isr, NULL);
    return gale_cm_time_reset();
}

int gale_sim_run(void)
{
    if (sim_limit_ns != 0u) {
        uint32_t c = sim_ns_to_cycles(sim_limit_ns);
        TMR_RELOAD(TMR1) = c;
        TMR_VALUE(TMR1) = c;
        TMR_INT(TMR1) = 1;
        TMR_CTRL(TMR1) = 1u | 8u;
        gale_cm_irq_enable(TMR1_IRQ);
    }
    unsigned int key = gale_arch_irq_lock();
    sim_irq_program();
    gale_arch_irq_unlock(key);
    int rc = gale_cm_run();
    TMR_CTRL(TMR0) = 0;
    TMR_CTRL(TMR1) = 0;
    gale_cm_irq_disable(TMR0_IRQ);
    gale_cm_irq_disable(TMR1_IRQ);
    sim_nirqs = 0;
    return rc;
}

void gale_sim_stop(void)
{
    gale_cm_stop(GALE_OK);
}

int gale_sim_irq_raise_at(unsigned int cpu, uint64_t at_ns, gale_sim_irq_handler_t handler, void *arg)
{
    if (cpu != 0u || handler == NULL)
        return GALE_EINVAL;
    unsigned int key = gale_arch_irq_lock();
    if (sim_nirqs == SIM_MAX_IRQS) {
        gale_arch_irq_unlock(key);
        return GALE_ENOMEM;
    }
    unsigned int i = sim_nirqs;
    while (i > 0u && sim_irqs[i - 1u].at_ns > at_ns) {
        sim_irqs[i] = sim_irqs[i - 1u];
        i--;
    }
    sim_irqs[i] = (struct sim_irq){ at_ns, handler, arg };
    sim_nirqs++;
    if (gale_cm_current != NULL)   /* during a run: arm now; else at gale_sim_run */
        sim_irq_program();
    gale_arch_irq_unlock(key);
    return GALE_OK;
}

int gale_sim_busy_ns(uint64_t ns)
{
    if (gale_arch_isr_active() || gale_cm_current == NULL)
        return GALE_ECONTEXT;
    uint64_t end = gale_sim_time_ns() + ns;
    while (gale_sim_time_ns() < end) {
    }
    return GALE_OK;
}

uint64_t gale_sim_switch_count(void)
{
    return 0;
}

/* The kernel's fatal path for a thread that faulted (the port calls this hook
 * in the faulting thread, see src/arch/cortex_m/fault.c). Weak: the kernel's
 * own definition wins once it has one. */
struct gale_thread;
void gale_kernel_fatal(int reason, struct gale_thread *t, const char *msg);
struct gale_thread *gale_kernel_thread_self(void);
__attribute__((weak)) void gale_kernel_arch_thread_fault(int reason, const char *msg);
__attribute__((weak)) void gale_kernel_arch_thread_fault(int reason, const char *msg)
{
    gale_kernel_fatal(reason, gale_kernel_thread_self(), msg);
}
