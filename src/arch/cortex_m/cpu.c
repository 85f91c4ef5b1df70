/* gale — ARMv7-M port: thread contexts, switch entry points, idle, boot.
 * The switch itself is in cm_asm.S (SVC and PendSV handlers). */
#include <stddef.h>
#include <stdint.h>

#include "gale/arch.h"
#include "cm_port.h"
#include "cm_regs.h"

_Static_assert(offsetof(gale_arch_context_t, psp) == 0, "cm_asm.S reads ctx->psp at offset 0");
_Static_assert(offsetof(gale_arch_context_t, mpu_rbar) == 4 && offsetof(gale_arch_context_t, mpu_rasr) == 8,
               "cm_asm.S reads the guard at offsets 4 and 8");

gale_arch_context_t *volatile gale_cm_current;

#define CM_EXC_RETURN_THREAD_PSP 0xFFFFFFFDu
#define CM_XPSR_THUMB            (1u << 24)
#define CM_SW_FRAME_WORDS        10u       /* BASEPRI, r4-r11, EXC_RETURN */
#define CM_HW_FRAME_WORDS        8u        /* r0-r3, r12, lr, pc, xPSR */

void cm_cpu_early_init(void)
{
    /* Trap divide by zero; keep 8-byte stack alignment on exception entry. */
    SCB_CCR |= CCR_DIV_0_TRP | CCR_STKALIGN;
    /* MemManage, BusFault and UsageFault get their own handlers (and report)
     * instead of escalating to HardFault. Highest configurable priority, so a
     * fault inside an IRQ-locked section is still taken as itself. */
    SCB_SHPR8(4) = 0;
    SCB_SHPR8(5) = 0;
    SCB_SHPR8(6) = 0;
    SCB_SHCSR |= SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA;
    SCB_SHPR8(11) = (uint8_t)GALE_CM_PRIO_SVC;
    SCB_SHPR8(14) = (uint8_t)GALE_CM_PRIO_PENDSV;
    SCB_SHPR8(15) = (uint8_t)GALE_CM_PRIO_SYSTICK;
#ifdef __ARM_FP
    /* Automatic + lazy FP state preservation (the reset values, made explicit). */
    FPU_FPCCR |= FPCCR_ASPEN | FPCCR_LSPEN;
#endif
    cm_mpu_init();
    cm_dsb_isb();
}

void cm_thread_return_trap(void)
{
    gale_arch_fatal(GALE_EINVAL, CM_TEXT("thread entry returned (the kernel's wrapper must not)", "entry returned"));
}

int gale_arch_context_init(gale_arch_context_t *ctx, void *stack, size_t size,
                           gale_arch_entry_t entry, void *arg)
{
    uintptr_t base = (uintptr_t)stack;
    if (ctx == NULL || stack == NULL || entry == NULL)
        return GALE_EINVAL;
    if ((base & 7u) != 0u || size < GALE_ARCH_STACK_MIN || base + size < base)
        return GALE_EINVAL;
    uint32_t *sp = (uint32_t *)((base + size) & ~(uintptr_t)7u);
    sp -= CM_HW_FRAME_WORDS;
    sp[0] = (uint32_t)(uintptr_t)arg;                   /* r0 */
    sp[1] = sp[2] = sp[3] = sp[4] = 0;                  /* r1-r3, r12 */
    sp[5] = (uint32_t)(uintptr_t)cm_thread_return_trap; /* lr */
    sp[6] = (uint32_t)(uintptr_t)entry & ~1u;           /* pc */
    sp[7] = CM_XPSR_THUMB;                              /* xPSR */
    sp -= CM_SW_FRAME_WORDS;
    for (unsigned int i = 0; i < CM_SW_FRAME_WORDS - 1u; i++)
        sp[i] = 0;                                      /* BASEPRI 0: unlocked */
    sp[CM_SW_FRAME_WORDS - 1u] = CM_EXC_RETURN_THREAD_PSP;
    ctx->psp = (uint32_t)(uintptr_t)sp;
    cm_mpu_guard_compute(ctx, base, size);
    ctx->stack_base = (uint32_t)base;
    ctx->stack_size = (uint32_t)size;
    ctx->entry = (uint32_t)(uintptr_t)entry;
    return GALE_OK;
}

void gale_arch_cpu_kick(unsigned int cpu)
{
    (void)cpu;   /* one kernel per core image: nothing to kick */
}

/* ------------------------------------------------------------------------- */
/* Boot and the way back                                                      */
/* ------------------------------------------------------------------------- */

static gale_arch_context_t cm_boot_ctx;
static volatile int cm_run_result;
static volatile int cm_running;
static volatile int cm_stop_requested;

void gale_cm_stop(int result)
{
    if (!cm_running)
        return;
    unsigned int key = gale_arch_irq_lock();
    cm_run_result = result;
    if (gale_arch_isr_active() || gale_cm_current == &cm_boot_ctx) {
        cm_stop_requested = 1;          /* taken at the next idle point */
    } else {
        gale_arch_context_switch(gale_cm_current, &cm_boot_ctx);
    }
    gale_arch_irq_unlock(key);
}

void gale_arch_cpu_idle(void)
{
    if (cm_running && cm_stop_requested) {
        cm_stop_requested = 0;
        gale_arch_context_switch(gale_cm_current, &cm_boot_ctx);
    } else if (cm_running && gale_kernel_arch_threads_alive() == 0u) {
        cm_run_result = GALE_OK;
        gale_arch_context_switch(gale_cm_current, &cm_boot_ctx);
        /* resumed only if a later gale_cm_run reuses this idle context */
    } else if (cm_running && !cm_timer_armed() && cm_irq_enabled_count() == 0u &&
               (SCB_ICSR & ICSR_PENDSVSET) == 0u) {
        /* Nothing can ever wake a thread: no deadline, no interrupt source.
         * Report from the boot context (the idle stack is small). */
        cm_run_result = GALE_EDEADLK;
        gale_arch_context_switch(gale_cm_current, &cm_boot_ctx);
    }
    /* Open the lock and sleep without a window: with PRIMASK set, WFI still
     * wakes on a pending interrupt, which runs once PRIMASK is cleared. */
    __asm__ volatile("cpsid i\n\t"
                     "msr basepri, %0\n\t"
                     "dsb\n\t"
                     "wfi\n\t"
                     "cpsie i\n\t"
                     "isb" : : "r"(0) : "memory");
}

bool gale_cm_cpuid_has_erratum_837070(uint32_t cpuid)
{
    /* implementer ARM (0x41), part number 0xC27 (Cortex-M7), variant 0, revision 0 or 1 */
    return (cpuid & 0xFFFFFFF0u) == 0x410FC270u && (cpuid & 0xFu) <= 1u;
}

int gale_cm_run(void)
{
    if (!GALE_CM7_ERRATUM_837070 && gale_cm_cpuid_has_erratum_837070(SCB_CPUID)) {
#if GALE_CONFIG_FAULT_TEXT
        gale_cm_printf("gale: Cortex-M7 r0p%u has erratum 837070: build with -DGALE_CM7_ERRATUM_837070=ON\n",
                       (unsigned)(SCB_CPUID & 0xFu));
#else
        cm_console_puts("gale: erratum 837070\n");
#endif
        return GALE_ENOSYS;
    }
    unsigned int key = gale_arch_irq_lock();
    gale_arch_context_t *first = gale_kernel_arch_cpu_start(0);
    if (first == NULL) {
        gale_arch_irq_unlock(key);
        return GALE_EINVAL;
    }
    extern uint32_t __gale_psp_limit[], __gale_psp_top[];
    cm_mpu_guard_compute(&cm_boot_ctx, (uintptr_t)__gale_psp_limit,
                         (size_t)((uintptr_t)__gale_psp_top - (uintptr_t)__gale_psp_limit));
    cm_boot_ctx.stack_base = (uint32_t)(uintptr_t)__gale_psp_limit;
    cm_boot_ctx.stack_size = (uint32_t)((uintptr_t)__gale_psp_top - (uintptr_t)__gale_psp_limit);
    cm_run_result = GALE_OK;
    cm_stop_requested = 0;
    cm_running = 1;
    gale_cm_current = &cm_boot_ctx;
    cm_timer_start();
    gale_arch_context_switch(&cm_boot_ctx, first);
    /* Back in the boot context: every thread exited (or deadlock). */
    if (cm_run_result == GALE_EDEADLK) {
        cm_console_puts(CM_TEXT("gale: deadlock: every thread is blocked and nothing can wake one\n", "gale: deadlock\n"));
        gale_kernel_arch_dump();
    }
    cm_running = 0;
    cm_timer_stop();
    gale_cm_current = NULL;
    SCB_ICSR = 1u << 27;   /* PENDSVCLR: no stale reschedule into a dead run */
    gale_arch_irq_unlock(key);
    return cm_run_result;
}

/* ------------------------------------------------------------------------- */
/* Fatal errors and console                                                   */
/* ------------------------------------------------------------------------- */

_Noreturn void gale_arch_fatal(int reason, const char *msg)
{
    __asm__ volatile("cpsid i" ::: "memory");
#if GALE_CONFIG_FAULT_TEXT
    const gale_arch_context_t *c = gale_cm_current;
    gale_cm_printf("gale: FATAL %d (%s): %s [thread ctx %p, entry %p, %s]\n", reason,
                   gale_strerror(reason), msg ? msg : "", (const void *)c,
                   c ? (const void *)(uintptr_t)c->entry : NULL,
                   gale_arch_isr_active() ? "in ISR" : "in thread");
#else
    cm_console_puts("gale: FATAL ");
    cm_console_put_int(reason);
    cm_console_puts(": ");
    cm_console_puts(msg ? msg : "");
    cm_console_puts("\n");
#endif
    gale_cm_exit(128 + (reason < 0 ? -reason : reason));
}

void gale_arch_console_write(const char *s)
{
    cm_console_puts(s);
}
