/* gale — ARMv7-M port: stack guard with the MPU (PMSAv7).
 *
 * One region (the highest-numbered, so it wins over any other) covers the
 * lowest 32-byte-aligned block of the running thread's stack with no access at
 * all: a push, an exception stacking or a lazy FP save into it raises a
 * MemManage fault (DACCVIOL / MSTKERR / MLSPERR) which fault.c reports as a
 * stack overflow. Everything else uses the default memory map (PRIVDEFENA).
 * Without an MPU (TYPE.DREGION = 0) the kernel's canary is the only check. */
#include <stdint.h>

#include "gale/arch.h"
#include "cm_port.h"
#include "cm_regs.h"

#define CM_GUARD_MIN 32u

static uint32_t cm_mpu_regions;
static uint32_t cm_guard_base, cm_guard_size;

bool gale_cm_mpu_present(void)
{
    return cm_mpu_regions != 0u;
}

void cm_mpu_init(void)
{
    cm_mpu_regions = (MPU_TYPE >> 8) & 0xffu;
    if (cm_mpu_regions == 0u)
        return;
    MPU_CTRL = 0;
    for (uint32_t r = 0; r < cm_mpu_regions; r++) {
        MPU_RNR = r;
        MPU_RASR = 0;
    }
    MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
    cm_dsb_isb();
}

void gale_arch_stack_guard_set(void *stack_base, size_t guard_size)
{
    if (cm_mpu_regions == 0u)
        return;
    uintptr_t lo = (uintptr_t)stack_base;
    uintptr_t b = (lo + CM_GUARD_MIN - 1u) & ~(uintptr_t)(CM_GUARD_MIN - 1u);
    uint32_t region = cm_mpu_regions - 1u;
    if (stack_base == NULL || guard_size < CM_GUARD_MIN || b + CM_GUARD_MIN > lo + guard_size) {
        /* no room for an aligned 32-byte block inside the guard: no MPU guard */
        MPU_RNR = region;
        MPU_RASR = 0;
        cm_guard_base = cm_guard_size = 0;
    } else {
        /* RASR.SIZE = log2(32) - 1 = 4, AP = 000 (no access), XN. */
        MPU_RBAR = (uint32_t)b | MPU_RBAR_VALID | region;
        MPU_RASR = MPU_RASR_XN | (4u << 1) | MPU_RASR_ENABLE;
        cm_guard_base = (uint32_t)b;
        cm_guard_size = CM_GUARD_MIN;
    }
    cm_dsb_isb();
}

void gale_cm_mpu_guard_get(uint32_t *base, uint32_t *size)
{
    *base = cm_guard_base;
    *size = cm_guard_size;
}
