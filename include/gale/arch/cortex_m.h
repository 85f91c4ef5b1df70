/* gale — ARMv7-M port (Cortex-M7, Cortex-M4F): context type and port API.
 *
 * Included through gale/arch.h when GALE_PLATFORM_CORTEX_M is defined.
 * Design (details in docs/cortex-m.md):
 * - Threads run privileged in thread mode on the PSP; handlers on the MSP.
 *   main() itself runs on the PSP (the reset code switches), so the boot
 *   context is an ordinary context that gale_cm_run() can return to.
 * - A thread-initiated switch (gale_arch_context_switch, called with IRQs locked)
 *   is an SVC whose priority sits above the BASEPRI lock level: it runs at once,
 *   saves {BASEPRI, r4-r11, EXC_RETURN} (+ s16-s31 only when the thread's frame
 *   is an FPU frame, EXC_RETURN bit 4 clear) on the thread's stack, and resumes
 *   the other context. An ISR-requested reschedule pends PendSV (lowest
 *   priority), which asks the kernel (gale_kernel_arch_resched) and switches.
 * - IRQ lock = BASEPRI: interrupts with a priority value below
 *   GALE_CM_BASEPRI_LOCK (the zero-latency levels) are never masked.
 * - Time: SysTick, extended to 64 bits, tickless one-shot; a board timer
 *   (e.g. the RT1176 GPT) can replace it with gale_cm_timer_use().
 */
#ifndef GALE_ARCH_CORTEX_M_H
#define GALE_ARCH_CORTEX_M_H

/* Stacks: 8-byte aligned (AAPCS). The MPU guard (32 bytes, 32-aligned) is
 * placed at the first 32-byte boundary of the stack, i.e. within its lowest 56
 * bytes, inside the kernel's 64-byte canary. */
#define GALE_ARCH_STACK_ALIGN 8u
/* Smallest stack: an FPU exception frame (104 bytes) + the saved software frame
 * (40 bytes + 64 for s16-s31) + the kernel's canary + room for the entry code. */
#define GALE_ARCH_STACK_MIN   512u
#define GALE_ARCH_MAX_CPUS    1u     /* AMP: one kernel image per core */

/* ------------------------------------------------------------------------- */
/* Interrupt priorities                                                       */
/* ------------------------------------------------------------------------- */

/* Implemented priority bits (ARMv7-M: 3..8; RT1176: 4; QEMU mps2: 8). Priority
 * values below are in "levels" (0 = highest) and are shifted into the top bits. */
#ifndef GALE_CM_PRIO_BITS
#define GALE_CM_PRIO_BITS 4
#endif
#define GALE_CM_PRIO(level) ((level) << (8 - GALE_CM_PRIO_BITS))
/* Levels 0 .. GALE_CM_ZLI_LEVELS-1 are zero-latency: never masked by the kernel's
 * IRQ lock, and must not call the kernel. Level GALE_CM_ZLI_LEVELS-1 is taken by
 * the SVC (thread switch), which must run while the kernel lock is held. */
#ifndef GALE_CM_ZLI_LEVELS
#define GALE_CM_ZLI_LEVELS 2
#endif
#define GALE_CM_BASEPRI_LOCK GALE_CM_PRIO(GALE_CM_ZLI_LEVELS)
#define GALE_CM_PRIO_SVC     GALE_CM_PRIO(GALE_CM_ZLI_LEVELS - 1)
#define GALE_CM_PRIO_LOWEST  GALE_CM_PRIO((1 << GALE_CM_PRIO_BITS) - 1)
#define GALE_CM_PRIO_PENDSV  GALE_CM_PRIO_LOWEST
#ifndef GALE_CM_PRIO_SYSTICK
#define GALE_CM_PRIO_SYSTICK GALE_CM_PRIO(GALE_CM_ZLI_LEVELS)
#endif

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Thread context                                                             */
/* ------------------------------------------------------------------------- */

typedef struct gale_arch_context {
    uint32_t psp;           /* saved PSP: {BASEPRI, r4-r11, EXC_RETURN} [s16-s31] hw frame */
    uint32_t mpu_rbar;      /* stack guard region, written to MPU_RBAR/RASR on switch-in */
    uint32_t mpu_rasr;      /* (0, 0: no guard; the region is disabled) */
    uint32_t stack_base;    /* lowest address of the stack buffer (fault reports) */
    uint32_t stack_size;
    uint32_t entry;         /* thread entry (fault reports) */
} gale_arch_context_t;


/* ------------------------------------------------------------------------- */
/* IRQ lock (inline: the kernel's hot paths use it)                           */
/* ------------------------------------------------------------------------- */

/* GALE_CM7_ERRATUM_837070 (CMake option, default off; only for Cortex-M7
 * r0p0/r0p1): a write that raises BASEPRI may not yet mask an interrupt on the
 * instruction after it, so the raise is done with PRIMASK set (and PRIMASK
 * restored after). gale_cm_run() refuses such a core without the option. */
#ifndef GALE_CM7_ERRATUM_837070
#define GALE_CM7_ERRATUM_837070 0
#endif

static inline __attribute__((always_inline)) unsigned int gale_arch_irq_lock(void)
{
    unsigned int key;
#if GALE_CM7_ERRATUM_837070
    unsigned int pm;
    __asm__ volatile("mrs %0, basepri\n\t"
                     "mrs %1, primask\n\t"
                     "cpsid i\n\t"
                     "msr basepri_max, %2\n\t"
                     "msr primask, %1"
                     : "=&r"(key), "=&r"(pm) : "r"(GALE_CM_BASEPRI_LOCK) : "memory");
#else
    __asm__ volatile("mrs %0, basepri\n\t"
                     "msr basepri_max, %1"
                     : "=&r"(key) : "r"(GALE_CM_BASEPRI_LOCK) : "memory");
#endif
    return key;
}

static inline void gale_arch_irq_unlock(unsigned int key)
{
    __asm__ volatile("msr basepri, %0\n\tisb" : : "r"(key) : "memory");
}

static inline bool gale_arch_irq_is_locked(void)
{
    uint32_t b, p;
    __asm__ volatile("mrs %0, basepri\n\tmrs %1, primask" : "=r"(b), "=r"(p));
    return b != 0u || (p & 1u) != 0u;
}

static inline bool gale_arch_isr_active(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    return (ipsr & 0x1ffu) != 0u;
}

static inline unsigned int gale_arch_cpu_id(void)
{
    return 0u;
}

static inline unsigned int gale_arch_cpu_count(void)
{
    return 1u;
}

/* ------------------------------------------------------------------------- */
/* Switch entry points (inline: on every kernel switch path)                  */
/* ------------------------------------------------------------------------- */

/* SVC #0 with from/to in r0/r1 (gale_cm_svc_handler in cm_asm.S). The SVC
 * preserves every register for the caller (hardware frame + the software frame
 * of the switch); only memory changes behind its back. */
static inline void gale_arch_context_switch(struct gale_arch_context *from,
                                            struct gale_arch_context *to)
{
    if (from == to)
        return;
    register struct gale_arch_context *r0 __asm__("r0") = from;
    register struct gale_arch_context *r1 __asm__("r1") = to;
    __asm__ volatile("svc #0" : "+r"(r0), "+r"(r1) : : "memory", "cc");
}

/* Pend PendSV (ICSR.PENDSVSET). */
static inline void gale_arch_isr_resched_request(void)
{
    *(volatile uint32_t *)0xE000ED04u = 1u << 28;
}

/* The MPU guard travels with each context (set by gale_arch_context_init,
 * written by the switch), so there is nothing to do here. */
static inline void gale_arch_stack_guard_set(void *stack_base, size_t guard_size)
{
    (void)stack_base;
    (void)guard_size;
}

static inline bool gale_arch_stack_guarded(const gale_arch_context_t *ctx)
{
    return ctx->mpu_rasr != 0u;
}

/* ------------------------------------------------------------------------- */
/* Port API beyond the contract (boards, tests, benchmarks)                   */
/* ------------------------------------------------------------------------- */

/* Boot the kernel on this core: locks IRQs, asks the kernel for the first
 * thread (gale_kernel_arch_cpu_start(0)) and switches to it from the boot
 * context (main). Returns 0 once every thread has exited (the idle thread
 * switches back to the boot context), with SysTick stopped and IRQs unlocked. */
int gale_cm_run(void);

/* End the current gale_cm_run() with `result` (its return value). From a thread:
 * at once (the caller is not resumed until a later run switches to it). From an
 * ISR: at the next idle point. (Tests; the posix simulator's gale_sim_stop.) */
void gale_cm_stop(int result);

/* Between runs only: restart the cycle count at 0 (GALE_EBUSY while running or
 * with a board timer). */
int gale_cm_time_reset(void);

/* The context running now (NULL before gale_cm_run / in the boot context). */
extern gale_arch_context_t *volatile gale_cm_current;

/* Cycle counter frequency (Hz) of the CPU clock; set by the board before
 * gale_cm_run (default GALE_CM_CPU_HZ: 25 MHz, the QEMU mps2 clock). */
extern uint32_t gale_cm_cpu_hz;

/* NVIC. irq is the external interrupt number (0 = first after SysTick). */
typedef void (*gale_cm_isr_t)(void *arg);
int  gale_cm_irq_connect(unsigned int irq, unsigned int level, gale_cm_isr_t fn, void *arg);
void gale_cm_irq_enable(unsigned int irq);
void gale_cm_irq_disable(unsigned int irq);
void gale_cm_irq_pend(unsigned int irq);     /* software-trigger (tests, IPIs) */
unsigned int gale_cm_irq_count(void);        /* external IRQs in the vector table */

/* Board timer hook: replace SysTick as the time source + one-shot timer. The
 * board's timer ISR calls gale_cm_timer_expired() when the deadline is reached. */
typedef struct gale_cm_timer_ops {
    uint64_t (*cycles_get)(void);           /* free-running, monotonic */
    uint64_t hz;
    void (*set)(uint64_t deadline);         /* one-shot; UINT64_MAX disarms */
    void (*stop)(void);
} gale_cm_timer_ops_t;
void gale_cm_timer_use(const gale_cm_timer_ops_t *ops);   /* NULL = SysTick */
void gale_cm_timer_expired(void);
/* SysTick reprogramming count (each costs a bounded drift, see docs). */
extern volatile uint32_t gale_cm_systick_reloads;

/* Console and exit (semihosting under QEMU; a board may override the weak
 * gale_cm_board_console_write / gale_cm_board_exit). */
void gale_cm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void gale_cm_exit(int code);

/* ------------------------------------------------------------------------- */
/* Faults                                                                     */
/* ------------------------------------------------------------------------- */

typedef enum gale_cm_fault_kind {
    GALE_CM_FAULT_HARD = 3,
    GALE_CM_FAULT_MEMMANAGE = 4,
    GALE_CM_FAULT_BUS = 5,
    GALE_CM_FAULT_USAGE = 6,
} gale_cm_fault_kind_t;

typedef struct gale_cm_fault {
    gale_cm_fault_kind_t kind;
    uint32_t cfsr, hfsr, mmfar, bfar;
    uint32_t exc_return;
    uint32_t sp;                 /* stack pointer at the fault (frame address) */
    bool frame_valid;            /* stacked registers could be read */
    bool in_thread;              /* the fault interrupted thread mode */
    bool stack_overflow;         /* stacking error or access inside the MPU guard */
    uint32_t r0, r1, r2, r3, r12, lr, pc, xpsr;
    gale_arch_context_t *ctx;    /* the thread (NULL in the boot context / ISR) */
    const char *reason;          /* the most specific cause, in words */
} gale_cm_fault_t;

typedef enum gale_cm_fault_action {
    GALE_CM_FAULT_ACTION_HALT = 0,     /* print and stop (gale_arch_fatal) */
    GALE_CM_FAULT_ACTION_REDIRECT = 1, /* resume the thread in redirect_fn (below) */
} gale_cm_fault_action_t;

/* Policy hook: called with the decoded report (already printed). Return HALT, or
 * REDIRECT after gale_cm_fault_redirect() to end the faulting thread in a
 * function of your choice (e.g. the kernel's thread exit) on a fresh frame at the
 * top of its own stack. NULL hook = HALT. */
typedef gale_cm_fault_action_t (*gale_cm_fault_hook_t)(const gale_cm_fault_t *f);
void gale_cm_fault_hook_set(gale_cm_fault_hook_t hook);
/* Only valid inside the hook, for a fault in thread mode with a known ctx. */
int gale_cm_fault_redirect(const gale_cm_fault_t *f, void (*fn)(void *), void *arg);
/* Print a report (also used by gale_arch_fatal). */
void gale_cm_fault_print(const gale_cm_fault_t *f);

/* True when a core with this CPUID (SCB->CPUID) has erratum 837070: Cortex-M7
 * r0p0 or r0p1. gale_cm_run() returns GALE_ENOSYS on such a core unless the
 * port was built with GALE_CM7_ERRATUM_837070. */
bool gale_cm_cpuid_has_erratum_837070(uint32_t cpuid);

/* MPU: true when the core has one (then stack guards use it). */
bool gale_cm_mpu_present(void);
/* The guard region in force now (0,0 when none). */
void gale_cm_mpu_guard_get(uint32_t *base, uint32_t *size);

#ifdef __cplusplus
}
#endif
#endif /* !__ASSEMBLER__ */

#endif /* GALE_ARCH_CORTEX_M_H */
