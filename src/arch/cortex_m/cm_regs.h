/* gale — ARMv7-M system registers used by the Cortex-M port (private).
 * Addresses from the ARMv7-M Architecture Reference Manual (System Control
 * Space). Every register access of the port goes through these names. */
#ifndef GALE_CM_REGS_H
#define GALE_CM_REGS_H

#include <stdint.h>

#define CM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define CM_REG8(addr) (*(volatile uint8_t *)(uintptr_t)(addr))

/* SysTick */
#define SYST_CSR   CM_REG(0xE000E010u)
#define SYST_RVR   CM_REG(0xE000E014u)
#define SYST_CVR   CM_REG(0xE000E018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)
#define SYST_CSR_COUNTFLAG (1u << 16)

/* NVIC */
#define NVIC_ISER(n) CM_REG(0xE000E100u + 4u * (n))
#define NVIC_ICER(n) CM_REG(0xE000E180u + 4u * (n))
#define NVIC_ISPR(n) CM_REG(0xE000E200u + 4u * (n))
#define NVIC_ICPR(n) CM_REG(0xE000E280u + 4u * (n))
#define NVIC_IPR8(n) CM_REG8(0xE000E400u + (n))
#define NVIC_STIR    CM_REG(0xE000EF00u)

/* System control block */
#define SCB_CPUID  CM_REG(0xE000ED00u)
#define SCB_ICSR   CM_REG(0xE000ED04u)
#define SCB_VTOR   CM_REG(0xE000ED08u)
#define SCB_AIRCR  CM_REG(0xE000ED0Cu)
#define SCB_SCR    CM_REG(0xE000ED10u)
#define SCB_CCR    CM_REG(0xE000ED14u)
#define SCB_SHPR8(exc) CM_REG8(0xE000ED18u + (exc) - 4u)   /* exc = 4..15 */
#define SCB_SHCSR  CM_REG(0xE000ED24u)
#define SCB_CFSR   CM_REG(0xE000ED28u)
#define SCB_HFSR   CM_REG(0xE000ED2Cu)
#define SCB_MMFAR  CM_REG(0xE000ED34u)
#define SCB_BFAR   CM_REG(0xE000ED38u)
#define SCB_CPACR  CM_REG(0xE000ED88u)

#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)
#define CCR_DIV_0_TRP  (1u << 4)
#define CCR_STKALIGN   (1u << 9)
#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)

/* FPU */
#define FPU_FPCCR  CM_REG(0xE000EF34u)
#define FPU_FPCAR  CM_REG(0xE000EF38u)
#define FPCCR_LSPACT (1u << 0)
#define FPCCR_LSPEN  (1u << 30)
#define FPCCR_ASPEN  (1u << 31)

/* MPU (PMSAv7) */
#define MPU_TYPE   CM_REG(0xE000ED90u)
#define MPU_CTRL   CM_REG(0xE000ED94u)
#define MPU_RNR    CM_REG(0xE000ED98u)
#define MPU_RBAR   CM_REG(0xE000ED9Cu)
#define MPU_RASR   CM_REG(0xE000EDA0u)
#define MPU_CTRL_ENABLE     (1u << 0)
#define MPU_CTRL_PRIVDEFENA (1u << 2)
#define MPU_RBAR_VALID      (1u << 4)
#define MPU_RASR_ENABLE     (1u << 0)
#define MPU_RASR_XN         (1u << 28)

/* Configurable fault status bits (CFSR = UFSR:BFSR:MMFSR) */
#define CFSR_IACCVIOL   (1u << 0)
#define CFSR_DACCVIOL   (1u << 1)
#define CFSR_MUNSTKERR  (1u << 3)
#define CFSR_MSTKERR    (1u << 4)
#define CFSR_MLSPERR    (1u << 5)
#define CFSR_MMARVALID  (1u << 7)
#define CFSR_IBUSERR    (1u << 8)
#define CFSR_PRECISERR  (1u << 9)
#define CFSR_IMPRECISERR (1u << 10)
#define CFSR_UNSTKERR   (1u << 11)
#define CFSR_STKERR     (1u << 12)
#define CFSR_LSPERR     (1u << 13)
#define CFSR_BFARVALID  (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE   (1u << 17)
#define CFSR_INVPC      (1u << 18)
#define CFSR_NOCP       (1u << 19)
#define CFSR_UNALIGNED  (1u << 24)
#define CFSR_DIVBYZERO  (1u << 25)
#define HFSR_VECTTBL    (1u << 1)
#define HFSR_FORCED     (1u << 30)
#define HFSR_DEBUGEVT   (1u << 31)

static inline void cm_dsb_isb(void)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

#endif /* GALE_CM_REGS_H */
