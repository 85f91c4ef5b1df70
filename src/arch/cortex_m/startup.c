/* gale — ARMv7-M port: vector table, C startup, external interrupt dispatch.
 * The reset entry itself (FPU enable, PSP for main) is gale_cm_reset in
 * cm_asm.S; it calls gale_cm_startup() below. */
#include <stdint.h>
#include <string.h>

#include "gale/arch.h"
#include "cm_port.h"
#include "cm_regs.h"

#ifndef GALE_CM_NUM_IRQS
#define GALE_CM_NUM_IRQS 32
#endif

typedef void (*cm_vector_t)(void);

/* Linker-script symbols (ld/gale-sections.ld). */
extern uint32_t __gale_msp_top[];
extern uint32_t __gale_data_load[], __gale_data_start[], __gale_data_end[];
extern uint32_t __gale_bss_start[], __gale_bss_end[];

extern int main(void);

void gale_cm_reset(void);
void gale_cm_svc_handler(void);
void gale_cm_pendsv_handler(void);
void gale_cm_fault_handler(void);
void gale_cm_startup(void);

static void cm_nmi_handler(void);
static void cm_unused_handler(void);
static void cm_irq_dispatch(void);

#define IRQ1 (cm_vector_t)cm_irq_dispatch
#define IRQ4 IRQ1, IRQ1, IRQ1, IRQ1
#define IRQ16 IRQ4, IRQ4, IRQ4, IRQ4

/* The vector table: 16 system exceptions, then GALE_CM_NUM_IRQS external
 * interrupts that all go through cm_irq_dispatch (table below). */
__attribute__((section(".vectors"), used))
const cm_vector_t gale_cm_vectors[16 + GALE_CM_NUM_IRQS] = {
    (cm_vector_t)(uintptr_t)__gale_msp_top,
    gale_cm_reset,
    cm_nmi_handler,
    gale_cm_fault_handler,          /* HardFault */
    gale_cm_fault_handler,          /* MemManage */
    gale_cm_fault_handler,          /* BusFault */
    gale_cm_fault_handler,          /* UsageFault */
    0, 0, 0, 0,
    gale_cm_svc_handler,
    cm_unused_handler,              /* DebugMonitor */
    0,
    gale_cm_pendsv_handler,
    gale_cm_systick_handler,
#if GALE_CM_NUM_IRQS == 32
    IRQ16, IRQ16,
#else
    [16 ... 16 + GALE_CM_NUM_IRQS - 1] = IRQ1,
#endif
};

_Static_assert(GALE_CM_NUM_IRQS > 0 && GALE_CM_NUM_IRQS <= 496, "GALE_CM_NUM_IRQS");

struct cm_isr_entry {
    gale_cm_isr_t fn;
    void *arg;
};
static struct cm_isr_entry cm_isr_table[GALE_CM_NUM_IRQS];
static unsigned int cm_irqs_enabled;

/* Plain word loops: keep GCC from turning them into memcpy/memset calls
 * (startup must not depend on the C library; memcpy alone is 308 bytes). */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void gale_cm_startup(void)
{
    uint32_t *src = __gale_data_load, *dst = __gale_data_start;
    while (dst < __gale_data_end)
        *dst++ = *src++;
    for (dst = __gale_bss_start; dst < __gale_bss_end; dst++)
        *dst = 0;
    SCB_VTOR = (uint32_t)(uintptr_t)gale_cm_vectors;
    cm_cpu_early_init();
    gale_cm_board_init();
    gale_cm_exit(main());
}

__attribute__((weak)) void gale_cm_board_init(void)
{
}

unsigned int gale_cm_irq_count(void)
{
    return GALE_CM_NUM_IRQS;
}

int gale_cm_irq_connect(unsigned int irq, unsigned int level, gale_cm_isr_t fn, void *arg)
{
    if (irq >= GALE_CM_NUM_IRQS || fn == NULL)
        return GALE_EINVAL;
    if (level >= (1u << GALE_CM_PRIO_BITS))
        return GALE_ERANGE;   /* levels < GALE_CM_ZLI_LEVELS are never masked: no kernel calls there */
    unsigned int key = gale_arch_irq_lock();
    cm_isr_table[irq].fn = fn;
    cm_isr_table[irq].arg = arg;
    NVIC_IPR8(irq) = (uint8_t)GALE_CM_PRIO(level);
    gale_arch_irq_unlock(key);
    return GALE_OK;
}

void gale_cm_irq_enable(unsigned int irq)
{
    if (irq >= GALE_CM_NUM_IRQS)
        return;
    unsigned int key = gale_arch_irq_lock();
    if ((NVIC_ISER(irq / 32u) & (1u << (irq % 32u))) == 0u)
        cm_irqs_enabled++;
    NVIC_ISER(irq / 32u) = 1u << (irq % 32u);
    gale_arch_irq_unlock(key);
}

void gale_cm_irq_disable(unsigned int irq)
{
    if (irq >= GALE_CM_NUM_IRQS)
        return;
    unsigned int key = gale_arch_irq_lock();
    if ((NVIC_ISER(irq / 32u) & (1u << (irq % 32u))) != 0u)
        cm_irqs_enabled--;
    NVIC_ICER(irq / 32u) = 1u << (irq % 32u);
    cm_dsb_isb();
    gale_arch_irq_unlock(key);
}

void gale_cm_irq_pend(unsigned int irq)
{
    if (irq < GALE_CM_NUM_IRQS)
        NVIC_STIR = irq;
}

unsigned int cm_irq_enabled_count(void)
{
    return cm_irqs_enabled;
}

static void cm_irq_dispatch(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    unsigned int irq = (ipsr & 0x1ffu) - 16u;
    const struct cm_isr_entry *e = &cm_isr_table[irq];
    if (e->fn == NULL) {
#if GALE_CONFIG_FAULT_TEXT
        gale_cm_printf("gale: interrupt %u fired with no handler connected\n", irq);
#else
        cm_console_puts("gale: irq ");
        cm_console_put_int((int)irq);
        cm_console_puts("\n");
#endif
        gale_arch_fatal(GALE_EINVAL, "spurious interrupt");
    }
    e->fn(e->arg);
}

static void cm_nmi_handler(void)
{
    gale_arch_fatal(GALE_EIO, "NMI");
}

static void cm_unused_handler(void)
{
    gale_arch_fatal(GALE_EINVAL, CM_TEXT("unexpected exception (DebugMonitor)", "DebugMonitor"));
}
