/* gale — ARMv7-M port (Cortex-M7, Cortex-M4F): context type.
 *
 * Included through gale/arch.h when GALE_PLATFORM_CORTEX_M is defined.
 * PLACEHOLDER written by the kernel worker so the kernel compiles for the
 * cortex-m7/cortex-m4f presets; the Cortex-M worker owns and completes this file
 * (exact layout of the saved context, FPU lazy stacking, PendSV details).
 */
#ifndef GALE_ARCH_CORTEX_M_H
#define GALE_ARCH_CORTEX_M_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GALE_ARCH_STACK_ALIGN 8u
#define GALE_ARCH_STACK_MIN   512u
#define GALE_ARCH_MAX_CPUS    1u     /* AMP: one kernel image per core */

typedef struct gale_arch_context {
    uint32_t psp;           /* saved process stack pointer (r4-r11, s16-s31 below it) */
    uint32_t exc_return;    /* EXC_RETURN of the thread (FPU frame or not) */
    uint32_t basepri;       /* IRQ-lock state to restore on switch-in */
} gale_arch_context_t;

#ifdef __cplusplus
}
#endif

#endif /* GALE_ARCH_CORTEX_M_H */
