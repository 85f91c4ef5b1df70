/* gale — the port contract between src/kernel and src/arch/<port> (layer arch).
 *
 * A port (src/arch/posix: host simulator; src/arch/cortex_m: ARMv7-M) implements
 * the gale_arch_* functions below. The kernel implements the gale_kernel_arch_*
 * hooks (declared here, defined in src/kernel): they are the only upward calls a
 * port makes, and the only way the port learns what the kernel decided.
 *
 * Model
 * -----
 * - A *core* (cpu) runs one kernel instance. GALE_CONFIG_MAX_CPUS bounds how many
 *   the kernel keeps state for (1 on an AMP MCU image; up to N simulated on posix).
 *   Every gale_arch_* call below acts on the calling core unless it takes a cpu.
 * - "IRQs locked" means: no interrupt handler (simulated or real) can run on this
 *   core and, on a port that runs cores in parallel (posix real-time mode), no other
 *   core is inside a locked section either (the posix port uses one big lock).
 *   The lock nests through its key: key = lock(); ...; unlock(key) restores the
 *   state that lock() found. Locking is allowed in every context.
 * - The IRQ-lock state belongs to the running thread: a context switch is always
 *   made with IRQs locked, the switched-in thread later restores its own key.
 * - Time: the port owns one free-running 64-bit cycle counter per core (posix:
 *   virtual or real nanoseconds; Cortex-M: an extended SysTick/GPT/DWT count) and
 *   one one-shot compare (the tickless timer). The kernel converts cycles to its
 *   own tick rate (GALE_CONFIG_TICK_HZ, see gale/kernel.h).
 *
 * Context rules, per function:  [T] thread context, [I] ISR context,
 * [L] IRQs must be locked by the caller, [any] no restriction.
 */
#ifndef GALE_ARCH_H
#define GALE_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gale/config.h"
#include "gale/error.h"

#if defined(GALE_PLATFORM_POSIX)
#include "gale/arch/posix.h"
#elif defined(GALE_PLATFORM_CORTEX_M)
#include "gale/arch/cortex_m.h"
#else
#error "gale/arch.h: define GALE_PLATFORM_POSIX or GALE_PLATFORM_CORTEX_M (the build does)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The port header above defines:
 *   typedef struct gale_arch_context { ... } gale_arch_context_t;
 *       the per-thread saved CPU context (lives inside gale_thread_t; the kernel
 *       never looks inside).
 *   GALE_ARCH_STACK_ALIGN      required alignment of a thread stack buffer (bytes)
 *   GALE_ARCH_STACK_MIN        smallest stack the port accepts (bytes, incl. the
 *                              kernel's canary, see GALE_CONFIG_STACK_CANARY_SIZE)
 *   GALE_ARCH_MAX_CPUS         how many cores the port can run (posix: >1)
 */

/* ------------------------------------------------------------------------- */
/* Interrupt masking and context queries                                      */
/* ------------------------------------------------------------------------- */

/* [any] Lock IRQs on this core; returns the key that restores the previous state.
 * Nests. Cortex-M: PRIMASK (or BASEPRI) based; posix: a per-core flag, plus one
 * global lock in real-time (parallel) mode. */
unsigned int gale_arch_irq_lock(void);

/* [any] Restore the state saved in key. When this re-enables IRQs in thread
 * context and an ISR requested a reschedule (gale_arch_isr_resched_request), the
 * port performs it now (see gale_kernel_arch_resched). On posix this is also the
 * point where simulated IRQs that became due are delivered. */
void gale_arch_irq_unlock(unsigned int key);

/* [any] True when IRQs are locked on this core. */
bool gale_arch_irq_is_locked(void);

/* [any] True while executing an interrupt handler (Cortex-M: IPSR != 0; posix:
 * inside a simulated IRQ or the timer hook). Blocking kernel calls check this and
 * return GALE_ECONTEXT. */
bool gale_arch_isr_active(void);

/* [any] Index of the calling core, 0 .. gale_arch_cpu_count()-1. */
unsigned int gale_arch_cpu_id(void);

/* [any] Number of cores this run uses, 1 .. GALE_ARCH_MAX_CPUS (posix: from
 * gale_sim_setup; a single-core MCU image: 1). Fixed before gale_kernel_init(). */
unsigned int gale_arch_cpu_count(void);

/* ------------------------------------------------------------------------- */
/* Thread contexts                                                            */
/* ------------------------------------------------------------------------- */

typedef void (*gale_arch_entry_t)(void *arg);

/* [any] Prepare ctx so that the first switch into it runs entry(arg) on the stack
 * [stack, stack + size) (stack is its lowest address; the stack grows down on both
 * ports). The thread starts with IRQs UNLOCKED and not in ISR context. entry must
 * never return (the kernel's entry wrapper ends the thread by switching away for
 * good). Returns GALE_EINVAL when the stack is too small or misaligned. The port
 * must not write below stack + GALE_CONFIG_STACK_CANARY_SIZE (the kernel's canary). */
int gale_arch_context_init(gale_arch_context_t *ctx, void *stack, size_t size,
                           gale_arch_entry_t entry, void *arg);

/* [T][L] Save the running thread's context into from and resume to. Returns when
 * from is switched back in, with IRQs still locked (the caller then restores its
 * key). from == to is allowed and returns at once. from may be a context that will
 * never be resumed (a thread that exits). Cortex-M: records from/to, pends PendSV
 * and opens the IRQ mask briefly so PendSV runs; posix: swapcontext (with the ASan
 * fiber annotations). */
void gale_arch_context_switch(gale_arch_context_t *from, gale_arch_context_t *to);

/* [I] From an ISR: ask for a reschedule when the outermost ISR returns to thread
 * context (Cortex-M: pend PendSV; posix: set a flag checked on ISR exit and on
 * IRQ unlock). At that point the port calls gale_kernel_arch_resched(). */
void gale_arch_isr_resched_request(void);

/* [any] Ask core `cpu` to reconsider its ready queue (a thread was made ready
 * there from another core). posix deterministic: marks the core runnable; posix
 * real-time: wakes its OS thread; a single-core port may do nothing. */
void gale_arch_cpu_kick(unsigned int cpu);

/* [T][L] Called by a core's idle thread with IRQs locked when nothing is ready.
 * Waits for an interrupt (which may run handlers and request a reschedule) and
 * returns with IRQs UNLOCKED. Cortex-M: cpsie + wfi. posix deterministic: gives
 * control back to the simulator loop, which advances virtual time to the next
 * deadline (or simulated IRQ) of any core, runs its handlers, and resumes the cores
 * that have work; posix real-time: sleeps until the deadline or a kick. */
void gale_arch_cpu_idle(void);

/* ------------------------------------------------------------------------- */
/* Time                                                                       */
/* ------------------------------------------------------------------------- */

/* [any] Free-running 64-bit cycle counter of this core (monotonic, never wraps in
 * practice). posix: nanoseconds of virtual (deterministic) or real time. */
uint64_t gale_arch_cycles_get(void);

/* [any] Frequency of gale_arch_cycles_get() in Hz (constant after boot). */
uint64_t gale_arch_cycles_per_sec(void);

/* [L] Program this core's one-shot timer: call gale_kernel_arch_timer_isr() (in
 * ISR context on this core) once gale_arch_cycles_get() >= deadline. A deadline in
 * the past fires as soon as possible; UINT64_MAX disarms. Each call replaces the
 * previous deadline. */
void gale_arch_timer_set(uint64_t deadline);

/* ------------------------------------------------------------------------- */
/* Stacks and fatal errors                                                    */
/* ------------------------------------------------------------------------- */

/* [T][L] Hook called when a thread is created and on every switch into it: the
 * port may protect the lowest guard_size bytes of the stack (Cortex-M: an MPU
 * region). The kernel always writes and checks its own canary there as well; posix
 * does nothing here. */
void gale_arch_stack_guard_set(void *stack_base, size_t guard_size);

/* [any] True when a hardware guard (Cortex-M: the context's MPU region) protects
 * the bottom of this thread's stack, so an overflow faults at once. The kernel then
 * skips its canary scan on every switch away from the thread ("MPU guard region
 * where present, canary otherwise"); posix has no guard and returns false. */
bool gale_arch_stack_guarded(const gale_arch_context_t *ctx);

/* [any] The last stop: the kernel found an unrecoverable state (reason is a
 * GALE_E* code, msg says what and where). Does not return. posix: prints to stderr
 * and abort()s; Cortex-M: prints over the debug channel (semihosting) and halts. */
_Noreturn void gale_arch_fatal(int reason, const char *msg);

/* [any] Write a diagnostic line (no formatting; the kernel formats). posix:
 * stderr; Cortex-M: semihosting or a UART, may be a no-op. */
void gale_arch_console_write(const char *s);

/* ------------------------------------------------------------------------- */
/* Hooks the port calls; defined by the kernel (src/kernel)                   */
/* ------------------------------------------------------------------------- */

/* [T-or-boot][L] Boot of core `cpu`: the kernel picks the first thread to run on
 * that core (its idle thread if nothing else is ready), records it as current, and
 * returns its context. The port then switches to it from its boot context; the
 * boot context is never resumed by the kernel (posix keeps it as the simulator
 * loop that gale_arch_cpu_idle returns to). Called once per core after
 * gale_kernel_init(). */
gale_arch_context_t *gale_kernel_arch_cpu_start(unsigned int cpu);

/* [I] The one-shot timer set by gale_arch_timer_set expired on this core. The
 * kernel expires timeouts, re-arms the timer and requests a reschedule if needed. */
void gale_kernel_arch_timer_isr(void);

/* [L] The reschedule point after an ISR asked for one (Cortex-M: inside PendSV;
 * posix: on ISR exit back to a thread, or on IRQ unlock). The kernel commits its
 * choice of the next thread on this core as current. Returns true and sets
 * *from (the context to save) and *to (the context to resume) when a switch is
 * needed; false when the current thread keeps running. */
bool gale_kernel_arch_resched(gale_arch_context_t **from, gale_arch_context_t **to);

/* [T] A fault (MPU stack guard, bus/usage fault) hit the current thread; the
 * port resumes that thread's context and calls this from it (Cortex-M; the port
 * references it weakly). The kernel runs its fatal handler (reason = GALE_E*,
 * msg = the port's description) and, if the handler returns, ends the thread
 * and switches away: it does not return. */
void gale_kernel_arch_thread_fault(int reason, const char *msg);

/* [any] Number of threads of all cores that have been started and have not yet
 * exited, excluding the idle threads (the posix simulator stops when it is 0). */
unsigned int gale_kernel_arch_threads_alive(void);

/* [L] Print, through gale_arch_console_write, every live thread of every core with
 * its state and what it waits on (the posix simulator calls it on deadlock). */
void gale_kernel_arch_dump(void);

#ifdef __cplusplus
}
#endif

#endif /* GALE_ARCH_H */
