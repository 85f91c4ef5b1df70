/* gale — ARMv7-M port: every assembly routine of the port (TCB, see
 * docs/tcb/cortex-m.md). Reset entry, thread switch (SVC), ISR-requested
 * reschedule (PendSV) and the fault entry.
 *
 * Saved thread frame on the thread's own stack (PSP), lowest address first:
 *   BASEPRI, r4-r11, EXC_RETURN        (software, 10 words)
 *   s16-s31                             (only when EXC_RETURN bit 4 is 0: the
 *                                        thread has an FPU frame; lazy stacking
 *                                        saves s0-s15/FPSCR in the hw frame)
 *   r0-r3, r12, lr, pc, xPSR [s0-s15, FPSCR, pad]   (hardware frame)
 * gale_arch_context_t.psp (offset 0) points at the software frame. */
#include "gale/arch/cortex_m.h"

    .syntax unified
    .thumb

/* Reset: enable the FPU (CPACR CP10/CP11 full access) before any C code, run
 * main on the PSP (its stack is __gale_psp_top) so that the boot context is an
 * ordinary thread context, keep the MSP (vector 0) for handlers. */
    .section .text.gale_cm_reset, "ax", %progbits
    .global gale_cm_reset
    .type gale_cm_reset, %function
    .thumb_func
gale_cm_reset:
#ifdef __ARM_FP
    ldr     r0, =0xE000ED88
    ldr     r1, [r0]
    orr     r1, r1, #(0xF << 20)
    str     r1, [r0]
    dsb
    isb
#endif
    ldr     r0, =__gale_psp_top
    msr     psp, r0
    movs    r0, #2                  /* CONTROL.SPSEL = 1: thread mode uses PSP */
    msr     control, r0
    isb
    bl      gale_cm_startup         /* never returns */
    b       .
    .size gale_cm_reset, . - gale_cm_reset

/* SVC #0 from gale_arch_context_switch(from, to), IRQs locked (BASEPRI set):
 * the SVC's priority is above the lock level, so it is taken at once. from/to
 * are read from the stacked r0/r1 (a late-arriving higher-priority exception
 * may have clobbered the live registers). */
    .section .text.gale_cm_svc_handler, "ax", %progbits
    .global gale_cm_svc_handler
    .type gale_cm_svc_handler, %function
    .thumb_func
gale_cm_svc_handler:
    mrs     r12, psp
    ldrd    r2, r3, [r12]           /* r2 = from, r3 = to */
    mrs     r1, basepri             /* caller's lock state, restored on resume */
    /* fall through */

/* The switch proper. In: r12 = PSP of from, r1 = BASEPRI to save for from,
 * r2 = from, r3 = to, lr = EXC_RETURN of from. */
    .global gale_cm_switch
    .thumb_func
gale_cm_switch:
#ifdef __ARM_FP
    tst     lr, #0x10               /* bit 4 clear: FPU frame, save s16-s31 */
    it      eq
    vstmdbeq r12!, {s16-s31}
#endif
    stmdb   r12!, {r1, r4-r11, lr}
    str     r12, [r2]               /* from->psp */
    ldr     r0, =gale_cm_current
    str     r3, [r0]
    ldrd    r0, r1, [r3, #4]        /* to's stack guard: MPU RBAR (region + VALID), RASR */
    ldr     r2, =0xE000ED9C
    str     r0, [r2]                /* RBAR first: it selects the region */
    str     r1, [r2, #4]
    dsb
    isb
    ldr     r12, [r3]               /* to->psp */
    ldmia   r12!, {r1, r4-r11, lr}
#ifdef __ARM_FP
    tst     lr, #0x10
    it      eq
    vldmiaeq r12!, {s16-s31}
#endif
    msr     psp, r12
    msr     basepri, r1
    bx      lr
    .size gale_cm_svc_handler, . - gale_cm_svc_handler

/* PendSV: an ISR asked for a reschedule (gale_arch_isr_resched_request). Lowest
 * priority, so it only runs when returning to a thread that had IRQs unlocked
 * (BASEPRI = 0). Lock, ask the kernel, switch if it says so. */
    .section .text.gale_cm_pendsv_handler, "ax", %progbits
    .global gale_cm_pendsv_handler
    .type gale_cm_pendsv_handler, %function
    .thumb_func
gale_cm_pendsv_handler:
    movs    r0, #GALE_CM_BASEPRI_LOCK
#if GALE_CM7_ERRATUM_837070
    cpsid   i                       /* erratum 837070: raise BASEPRI masked */
    msr     basepri, r0
    cpsie   i                       /* PendSV never runs with PRIMASK set */
#else
    msr     basepri, r0
#endif
    push    {r0, lr}                /* keep EXC_RETURN; 8-byte aligned */
    sub     sp, #8                  /* from, to (out parameters) */
    mov     r0, sp
    add     r1, sp, #4
    bl      gale_kernel_arch_resched
    pop     {r2, r3}                /* r2 = from, r3 = to */
    pop     {r1, lr}
    cbz     r0, 1f
    mrs     r12, psp
    movs    r1, #0                  /* the preempted thread ran unlocked */
    b       gale_cm_switch
1:  movs    r0, #0
    msr     basepri, r0
    bx      lr
    .size gale_cm_pendsv_handler, . - gale_cm_pendsv_handler

/* HardFault / MemManage / BusFault / UsageFault: hand the stacked frame, the
 * EXC_RETURN and the callee-saved registers to gale_cm_fault_c (fault.c). It
 * halts, or rewrites the saved EXC_RETURN / PSP to resume the thread elsewhere. */
    .section .text.gale_cm_fault_handler, "ax", %progbits
    .global gale_cm_fault_handler
    .type gale_cm_fault_handler, %function
    .thumb_func
gale_cm_fault_handler:
    tst     lr, #4
    ite     eq
    mrseq   r0, msp
    mrsne   r0, psp
    mov     r1, lr
    push    {r1, r4-r11, lr}        /* saved[0] = EXC_RETURN ... saved[9] = lr */
    mov     r2, sp
    bl      gale_cm_fault_c
    pop     {r1, r4-r11, lr}
    bx      lr
    .size gale_cm_fault_handler, . - gale_cm_fault_handler
