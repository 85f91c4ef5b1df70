/* gale — ARMv7-M port: stack guards with the MPU (PMSAv7).
 *
 * Each thread context carries one guard region (computed by
 * gale_arch_context_init, written to the MPU by the switch in cm_asm.S): the
 * lowest 32-byte-aligned 32-byte block of its stack, read-only and
 * execute-never. The block lies inside the kernel's canary area (the lowest
 * GALE_CONFIG_STACK_CANARY_SIZE bytes), so the kernel can still read its canary
 * while a push, an exception stacking or a lazy FP save into the block raises a
 * MemManage fault (DACCVIOL / MSTKERR / MLSPERR) that fault.c reports as a stack
 * overflow. The thread region is the highest-numbered (it wins over others);
 * the one below guards the handler (MSP) stack; everything else uses the
 * default memory map (PRIVDEFENA). Without an MPU (TYPE.DREGION = 0) the
 * kernel's canary is the only check. */
#include <stdint.h>

#include "gale/arch.h"
#include "cm_port.h"
#include "cm_regs.h"

#define CM_GUARD_SIZE 32u
/* RASR: XN, AP = 110 (read-only, privileged and unprivileged), SIZE = log2(32)-1. */
#define CM_GUARD_RASR (MPU_RASR_XN | (6u << 24) | (4u << 1) | MPU_RASR_ENABLE)

extern uint32_t __gale_msp_limit[], __gale_psp_limit[];

static uint32_t cm_mpu_regions;

bool gale_cm_mpu_present(void)
{
    return cm_mpu_regions != 0u;
}

void cm_mpu_guard_compute(gale_arch_context_t *ctx, uintptr_t base, size_t size)
{
    ctx->mpu_rbar = 0;
    ctx->mpu_rasr = 0;
    if (cm_mpu_regions == 0u)
        return;
    uintptr_t b = (base + CM_GUARD_SIZE - 1u) & ~(uintptr_t)(CM_GUARD_SIZE - 1u);
    ctx->mpu_rbar = MPU_RBAR_VALID | (cm_mpu_regions - 1u);
    if (b + CM_GUARD_SIZE <= base + size / 4u) {   /* never more than a quarter of the stack */
        ctx->mpu_rbar |= (uint32_t)b;
        ctx->mpu_rasr = CM_GUARD_RASR;
    }
}

void cm_mpu_init(void)
{
    cm_mpu_regions = (MPU_TYPE >> 8) & 0xffu;
    if (cm_mpu_regions < 2u) {
        cm_mpu_regions = 0;
        return;
    }
    MPU_CTRL = 0;
    for (uint32_t r = 0; r < cm_mpu_regions; r++) {
        MPU_RNR = r;
        MPU_RASR = 0;
    }
    /* Handler stack guard: the 32 bytes below __gale_msp_limit. */
    MPU_RBAR = ((uint32_t)(uintptr_t)__gale_msp_limit - CM_GUARD_SIZE) | MPU_RBAR_VALID |
               (cm_mpu_regions - 2u);
    MPU_RASR = CM_GUARD_RASR;
    /* Boot (main) stack guard until the first switch: the 32 bytes at its limit. */
    MPU_RBAR = (((uint32_t)(uintptr_t)__gale_psp_limit + 31u) & ~31u) | MPU_RBAR_VALID |
               (cm_mpu_regions - 1u);
    MPU_RASR = CM_GUARD_RASR;
    MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
    cm_dsb_isb();
}

void gale_cm_mpu_guard_get(uint32_t *base, uint32_t *size)
{
    const gale_arch_context_t *c = gale_cm_current;
    *base = 0;
    *size = 0;
    if (c != NULL && c->mpu_rasr != 0u) {
        *base = c->mpu_rbar & ~31u;
        *size = CM_GUARD_SIZE;
    }
}
