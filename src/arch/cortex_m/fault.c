/* gale — ARMv7-M port: fault decoding, report and policy.
 * Entered from gale_cm_fault_handler (cm_asm.S) for HardFault, MemManage,
 * BusFault and UsageFault. */
#include <stdint.h>

#include "gale/arch.h"
#include "cm_port.h"
#include "cm_regs.h"

void gale_cm_fault_c(uint32_t *frame, uint32_t exc_return, uint32_t *saved);

/* Optional kernel hook (weak reference): when the kernel defines it and no
 * policy hook is installed, a fault in a thread ends that thread through the
 * kernel (its fatal handler runs, the thread is aborted, the others go on):
 * the port resumes the faulting thread in cm_fault_to_kernel, which calls
 * gale_kernel_arch_thread_fault(reason, msg) from the thread's own context. */
extern void gale_kernel_arch_thread_fault(int reason, const char *msg) __attribute__((weak));

static int cm_fault_reason_code;
static const char *cm_fault_msg;

static void cm_fault_to_kernel(void *arg)
{
    (void)arg;
    gale_kernel_arch_thread_fault(cm_fault_reason_code, cm_fault_msg);
    gale_arch_fatal(cm_fault_reason_code, CM_TEXT("the kernel resumed a faulted thread", "fault resumed"));
}

static gale_cm_fault_hook_t cm_fault_hook;
static uint32_t *cm_fault_saved;    /* the handler's saved registers while in the hook */
static int cm_fault_redirected;

void gale_cm_fault_hook_set(gale_cm_fault_hook_t hook)
{
    cm_fault_hook = hook;
}

#if GALE_CONFIG_FAULT_TEXT
static const char *cm_fault_reason(const gale_cm_fault_t *f)
{
    uint32_t c = f->cfsr;
    if (c & CFSR_MSTKERR)   return "stacking for an exception entry hit a protected region (stack overflow into the MPU guard)";
    if (c & CFSR_MLSPERR)   return "lazy FP state save hit a protected region (stack overflow into the MPU guard)";
    if (c & CFSR_MUNSTKERR) return "unstacking on exception return hit a protected region";
    if (c & CFSR_DACCVIOL)  return f->stack_overflow ? "data access inside the stack guard (stack overflow)"
                                                     : "data access violation (MPU)";
    if (c & CFSR_IACCVIOL)  return "instruction fetch from a no-execute or protected region";
    if (c & CFSR_STKERR)    return "bus error while stacking for an exception entry";
    if (c & CFSR_UNSTKERR)  return "bus error while unstacking on exception return";
    if (c & CFSR_LSPERR)    return "bus error during lazy FP state save";
    if (c & CFSR_PRECISERR) return "precise data bus error";
    if (c & CFSR_IMPRECISERR) return "imprecise data bus error";
    if (c & CFSR_IBUSERR)   return "instruction bus error";
    if (c & CFSR_DIVBYZERO) return "integer divide by zero";
    if (c & CFSR_UNALIGNED) return "unaligned access";
    if (c & CFSR_UNDEFINSTR) return "undefined instruction";
    if (c & CFSR_INVSTATE)  return "invalid state (Thumb bit clear: call through a bad function pointer?)";
    if (c & CFSR_INVPC)     return "invalid PC load on exception return (bad EXC_RETURN)";
    if (c & CFSR_NOCP)      return "coprocessor (FPU) access while disabled";
    if (f->hfsr & HFSR_VECTTBL) return "bus fault on a vector table read";
    if (f->hfsr & HFSR_DEBUGEVT) return "debug event (bkpt without a debugger?)";
    if (f->hfsr & HFSR_FORCED) return "escalated fault (fault handler disabled or masked)";
    return "unknown fault";
}

static const char *cm_fault_name(gale_cm_fault_kind_t k)
{
    switch (k) {
    case GALE_CM_FAULT_HARD:      return "HardFault";
    case GALE_CM_FAULT_MEMMANAGE: return "MemManage";
    case GALE_CM_FAULT_BUS:       return "BusFault";
    case GALE_CM_FAULT_USAGE:     return "UsageFault";
    }
    return "fault";
}

void gale_cm_fault_print(const gale_cm_fault_t *f)
{
    gale_cm_printf("gale: *** %s: %s\n", cm_fault_name(f->kind), f->reason);
    gale_cm_printf("gale:   CFSR=%08x HFSR=%08x", (unsigned)f->cfsr, (unsigned)f->hfsr);
    if (f->cfsr & CFSR_MMARVALID)
        gale_cm_printf(" MMFAR=%08x", (unsigned)f->mmfar);
    if (f->cfsr & CFSR_BFARVALID)
        gale_cm_printf(" BFAR=%08x", (unsigned)f->bfar);
    gale_cm_printf(" EXC_RETURN=%08x SP=%08x\n", (unsigned)f->exc_return, (unsigned)f->sp);
    if (f->frame_valid) {
        gale_cm_printf("gale:   PC=%08x LR=%08x xPSR=%08x\n", (unsigned)f->pc, (unsigned)f->lr,
                       (unsigned)f->xpsr);
        gale_cm_printf("gale:   r0=%08x r1=%08x r2=%08x r3=%08x r12=%08x\n", (unsigned)f->r0,
                       (unsigned)f->r1, (unsigned)f->r2, (unsigned)f->r3, (unsigned)f->r12);
    } else {
        gale_cm_printf("gale:   (stacked registers unavailable: the stacking itself failed)\n");
    }
    if (f->ctx)
        gale_cm_printf("gale:   in thread ctx %p (entry %08x, stack %08x..%08x)\n", (void *)f->ctx,
                       (unsigned)f->ctx->entry, (unsigned)f->ctx->stack_base,
                       (unsigned)(f->ctx->stack_base + f->ctx->stack_size));
    else
        gale_cm_printf("gale:   in %s\n", f->in_thread ? "the boot context" : "an exception handler");
}
#else
/* GALE_CONFIG_FAULT_TEXT=0 (gale/config.h): no decoded text, one line of raw
 * registers written without printf. */
static const char *cm_fault_reason(const gale_cm_fault_t *f)
{
    return f->stack_overflow ? "CPU fault: stack overflow" : "CPU fault";
}

void gale_cm_fault_print(const gale_cm_fault_t *f)
{
    cm_console_puts("gale: fault ");
    cm_console_put_int((int)f->kind);
    cm_console_puts(" CFSR=");
    cm_console_put_hex(f->cfsr);
    cm_console_puts(" PC=");
    cm_console_put_hex(f->pc);
    cm_console_puts(f->stack_overflow ? " stack overflow\n" : "\n");
}
#endif

void gale_cm_fault_c(uint32_t *frame, uint32_t exc_return, uint32_t *saved)
{
    gale_cm_fault_t f = { 0 };
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    f.kind = (gale_cm_fault_kind_t)(ipsr & 0x1ffu);
    f.cfsr = SCB_CFSR;
    f.hfsr = SCB_HFSR;
    f.mmfar = SCB_MMFAR;
    f.bfar = SCB_BFAR;
    f.exc_return = exc_return;
    f.sp = (uint32_t)(uintptr_t)frame;
    f.in_thread = (exc_return & 0xfu) == 0xdu || (exc_return & 0xfu) == 0x9u;
    f.ctx = f.in_thread ? gale_cm_current : NULL;
    f.frame_valid = (f.cfsr & (CFSR_MSTKERR | CFSR_STKERR)) == 0u;
    uint32_t gb, gs;
    gale_cm_mpu_guard_get(&gb, &gs);
    if (f.cfsr & (CFSR_MSTKERR | CFSR_MLSPERR))
        f.stack_overflow = true;
    if ((f.cfsr & CFSR_MMARVALID) && gs != 0u && f.mmfar >= gb && f.mmfar < gb + gs)
        f.stack_overflow = true;
    if (f.ctx && f.sp < f.ctx->stack_base + 32u)
        f.stack_overflow = true;
    if (f.frame_valid) {
        f.r0 = frame[0]; f.r1 = frame[1]; f.r2 = frame[2]; f.r3 = frame[3];
        f.r12 = frame[4]; f.lr = frame[5]; f.pc = frame[6]; f.xpsr = frame[7];
    }
    f.reason = cm_fault_reason(&f);
    gale_cm_fault_print(&f);
    /* Clear the sticky status bits so the next fault is decoded afresh. */
    SCB_CFSR = f.cfsr;
    SCB_HFSR = f.hfsr;
    gale_cm_fault_action_t act = GALE_CM_FAULT_ACTION_HALT;
    if (cm_fault_hook) {
        cm_fault_saved = saved;
        cm_fault_redirected = 0;
        act = cm_fault_hook(&f);
        cm_fault_saved = NULL;
    }
    if (act == GALE_CM_FAULT_ACTION_REDIRECT && cm_fault_redirected)
        return;   /* gale_cm_fault_redirect rewrote PSP and EXC_RETURN */
    if (cm_fault_hook == NULL && gale_kernel_arch_thread_fault != NULL && f.in_thread && f.ctx != NULL) {
        cm_fault_reason_code = f.stack_overflow ? GALE_ESTACK : GALE_EFAULT;
        cm_fault_msg = f.stack_overflow ? CM_TEXT("CPU fault: stack overflow (write into the MPU stack guard)", f.reason)
                                        : f.reason;
        cm_fault_saved = saved;
        int rc = gale_cm_fault_redirect(&f, cm_fault_to_kernel, NULL);
        cm_fault_saved = NULL;
        if (rc == GALE_OK)
            return;
    }
    gale_arch_fatal(f.stack_overflow ? GALE_ESTACK : GALE_EFAULT,
                    CM_TEXT("unrecoverable CPU fault (see report above)", f.reason));
}

int gale_cm_fault_redirect(const gale_cm_fault_t *f, void (*fn)(void *), void *arg)
{
    if (cm_fault_saved == NULL || f == NULL || fn == NULL || !f->in_thread || f->ctx == NULL)
        return GALE_EINVAL;
    uint32_t top = (f->ctx->stack_base + f->ctx->stack_size) & ~7u;
    uint32_t *frame = (uint32_t *)(uintptr_t)(top - 32u);
    frame[0] = (uint32_t)(uintptr_t)arg;
    frame[1] = frame[2] = frame[3] = frame[4] = 0;
    frame[5] = (uint32_t)(uintptr_t)cm_thread_return_trap;
    frame[6] = (uint32_t)(uintptr_t)fn & ~1u;
    frame[7] = 1u << 24;
    __asm__ volatile("msr psp, %0" : : "r"(frame) : "memory");
#ifdef __ARM_FP
    FPU_FPCCR &= ~FPCCR_LSPACT;   /* forget a pending lazy save into the dead frame */
#endif
    __asm__ volatile("msr basepri, %0" : : "r"(0) : "memory");
    cm_fault_saved[9] = 0xFFFFFFFDu;   /* thread mode, PSP, basic frame */
    cm_fault_saved[0] = 0xFFFFFFFDu;
    cm_fault_redirected = 1;
    return GALE_OK;
}
