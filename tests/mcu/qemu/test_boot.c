/* Port test: reset code, semihosting, IRQ lock (BASEPRI) semantics, NVIC. */
#include <stdint.h>

#include "gale/arch.h"
#include "mcu_test.h"

static volatile int data_var = 1234;
static volatile int bss_var;
static volatile float fpu_var = 1.5f;
extern const void *const gale_cm_vectors[];

static volatile unsigned int irq_hits, irq_in_isr, zli_hits, zli_saw_locked;

static void masked_isr(void *arg)
{
    (void)arg;
    irq_hits++;
    irq_in_isr = gale_arch_isr_active();
}

static void zli_isr(void *arg)
{
    (void)arg;
    zli_hits++;
    zli_saw_locked = gale_arch_irq_is_locked();
}

int main(void)
{
    uint32_t control, msp, psp, vtor;
    __asm__ volatile("mrs %0, control\n\tmrs %1, msp\n\tmrs %2, psp"
                     : "=r"(control), "=r"(msp), "=r"(psp));
    vtor = *(volatile uint32_t *)0xE000ED08u;

    /* reset: .data copied, .bss zeroed, FPU on, main on the PSP */
    MT_EQ(data_var, 1234);
    MT_EQ(bss_var, 0);
    fpu_var = fpu_var * 3.0f;
    MT_CHECK(fpu_var == 4.5f);
    MT_CHECK((control & 2u) != 0u);          /* SPSEL: thread mode on PSP */
    MT_CHECK(msp != psp);
    MT_EQ(vtor, (uint32_t)(uintptr_t)gale_cm_vectors);
    MT_CHECK(!gale_arch_isr_active());
    MT_EQ(gale_arch_cpu_id(), 0);
    MT_EQ(gale_arch_cycles_per_sec(), 25000000);

    /* lock nesting */
    MT_CHECK(!gale_arch_irq_is_locked());
    unsigned int k1 = gale_arch_irq_lock();
    MT_CHECK(gale_arch_irq_is_locked());
    unsigned int k2 = gale_arch_irq_lock();
    MT_EQ(k1, 0);
    MT_EQ(k2, GALE_CM_BASEPRI_LOCK);
    gale_arch_irq_unlock(k2);
    MT_CHECK(gale_arch_irq_is_locked());
    gale_arch_irq_unlock(k1);
    MT_CHECK(!gale_arch_irq_is_locked());

    /* a maskable interrupt waits for the unlock; a zero-latency one does not */
    MT_EQ(gale_cm_irq_connect(5, GALE_CM_ZLI_LEVELS + 1, masked_isr, NULL), 0);
    MT_EQ(gale_cm_irq_connect(6, 0, zli_isr, NULL), 0);
    MT_EQ(gale_cm_irq_connect(gale_cm_irq_count(), 3, masked_isr, NULL), GALE_EINVAL);
    MT_EQ(gale_cm_irq_connect(7, 99, masked_isr, NULL), GALE_ERANGE);
    gale_cm_irq_enable(5);
    gale_cm_irq_enable(6);
    unsigned int key = gale_arch_irq_lock();
    gale_cm_irq_pend(5);
    __asm__ volatile("dsb\n\tisb");
    for (volatile int i = 0; i < 100; i++) {
    }
    MT_EQ(irq_hits, 0);
    gale_cm_irq_pend(6);
    __asm__ volatile("dsb\n\tisb");
    MT_EQ(zli_hits, 1);
    MT_EQ(zli_saw_locked, 1);
    gale_arch_irq_unlock(key);
    __asm__ volatile("dsb\n\tisb");
    MT_EQ(irq_hits, 1);
    MT_EQ(irq_in_isr, 1);
    gale_cm_irq_pend(5);
    __asm__ volatile("dsb\n\tisb");
    MT_EQ(irq_hits, 2);
    gale_cm_irq_disable(5);
    gale_cm_irq_pend(5);
    __asm__ volatile("dsb\n\tisb");
    MT_EQ(irq_hits, 2);

    /* erratum 837070: Cortex-M7 r0p0/r0p1 only; the lock with PRIMASK kept */
    MT_CHECK(gale_cm_cpuid_has_erratum_837070(0x410FC270u));   /* M7 r0p0 */
    MT_CHECK(gale_cm_cpuid_has_erratum_837070(0x410FC271u));   /* M7 r0p1 */
    MT_CHECK(!gale_cm_cpuid_has_erratum_837070(0x410FC272u));  /* M7 r0p2 */
    MT_CHECK(!gale_cm_cpuid_has_erratum_837070(0x411FC270u));  /* M7 r1p0 */
    MT_CHECK(!gale_cm_cpuid_has_erratum_837070(0x411FC272u));  /* M7 r1p2 */
    MT_CHECK(!gale_cm_cpuid_has_erratum_837070(0x410FC241u));  /* M4 r0p1 */
    MT_CHECK(!gale_cm_cpuid_has_erratum_837070(*(volatile uint32_t *)0xE000ED00u)); /* this core */
    {
        uint32_t pm;
        __asm__ volatile("cpsid i" ::: "memory");
        unsigned int k = gale_arch_irq_lock();
        __asm__ volatile("mrs %0, primask" : "=r"(pm));
        MT_EQ(pm & 1u, 1);   /* a lock taken with PRIMASK set leaves it set */
        gale_arch_irq_unlock(k);
        __asm__ volatile("cpsie i" ::: "memory");
        k = gale_arch_irq_lock();
        __asm__ volatile("mrs %0, primask" : "=r"(pm));
        MT_EQ(pm & 1u, 0);   /* and clear when it was clear */
        gale_arch_irq_unlock(k);
    }
    gale_cm_printf("erratum 837070 workaround: %s\n", GALE_CM7_ERRATUM_837070 ? "on" : "off");

    /* the console's formatter (checked by the test's expected output) */
    gale_cm_printf("fmt: [%d] [%05x] [%X] [%llu] [%-4s]\n", -42, 0xab, 255u,
                   (unsigned long long)UINT64_MAX, "ok");
    mt_done("qemu_port_boot");
}
