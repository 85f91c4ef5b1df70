/* gale — posix port (host simulator): context type and simulator API.
 *
 * Included through gale/arch.h when GALE_PLATFORM_POSIX is defined. Each kernel
 * thread is a fiber (ucontext) on the OS thread of its simulated core.
 *
 * Modes
 * - GALE_SIM_DETERMINISTIC (default): every simulated core runs on the calling OS
 *   thread. A core runs until it idles; when every core is idle, virtual time jumps
 *   to the earliest timer deadline or raised IRQ, whose handlers then run. Virtual
 *   time never advances while a thread runs, so a thread that spins without
 *   blocking stalls the run (use sleep/yield). Same inputs => bit-identical run.
 * - GALE_SIM_REALTIME: one OS thread per core, real (monotonic) nanoseconds, one
 *   big lock behind gale_arch_irq_lock; for stress tests of wake paths.
 */
#ifndef GALE_ARCH_POSIX_H
#define GALE_ARCH_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GALE_ARCH_STACK_ALIGN 16u
#define GALE_ARCH_STACK_MIN   (16u * 1024u)   /* ucontext + ASan + printf need room */
#define GALE_ARCH_MAX_CPUS    4u

typedef struct gale_arch_context {
    ucontext_t uc;
    void *stack;            /* lowest address of the fiber stack (ASan annotation) */
    size_t stack_size;
    void (*entry)(void *);
    void *arg;
} gale_arch_context_t;

/* ------------------------------------------------------------------------- */
/* Simulator                                                                  */
/* ------------------------------------------------------------------------- */

typedef enum gale_sim_mode {
    GALE_SIM_DETERMINISTIC = 0,
    GALE_SIM_REALTIME = 1,
} gale_sim_mode_t;

typedef struct gale_sim_config {
    unsigned int cpus;          /* simulated cores, 1 .. GALE_ARCH_MAX_CPUS (0 = 1) */
    gale_sim_mode_t mode;
    uint64_t time_limit_ns;     /* stop once time reaches this (0 = no limit) */
    bool quiet;                 /* do not print the deadlock / limit report */
} gale_sim_config_t;

/* Reset the simulator (time 0, no pending IRQs) with cfg (NULL = defaults).
 * Call before gale_kernel_init(); GALE_EINVAL on a bad core count. */
int gale_sim_setup(const gale_sim_config_t *cfg);

/* Boot every simulated core and run until:
 *   every thread has exited                       -> 0
 *   gale_sim_stop() was called                    -> 0
 *   all threads blocked, nothing pending          -> GALE_EDEADLK (report printed:
 *                                                     each thread and what it waits on)
 *   the time limit was reached                    -> GALE_ETIMEDOUT
 * Returns to the caller in all cases; call gale_sim_setup + gale_kernel_init
 * again before the next run. */
int gale_sim_run(void);

/* From a thread or ISR: end gale_sim_run() at the next idle point (deterministic)
 * or as soon as every core notices (real-time). */
void gale_sim_stop(void);

/* Current simulated time in ns (virtual or real, depending on the mode). */
uint64_t gale_sim_time_ns(void);

typedef void (*gale_sim_irq_handler_t)(void *arg);

/* Device models: run handler(arg) in ISR context on core `cpu` once the time
 * reaches at_ns (absolute, ns). An IRQ that is already due runs at the next point
 * where that core has IRQs unlocked (like a pending line on real hardware).
 * Returns GALE_OK, GALE_EINVAL (bad cpu / NULL handler), GALE_ENOMEM (the queue
 * of GALE_SIM_MAX_PENDING_IRQS is full). Callable from any context. */
#define GALE_SIM_MAX_PENDING_IRQS 64u
int gale_sim_irq_raise_at(unsigned int cpu, uint64_t at_ns,
                          gale_sim_irq_handler_t handler, void *arg);

/* From a thread: compute for ns of simulated time. Deterministic mode: virtual
 * time advances by ns while this thread runs; timers and IRQs that fall due
 * meanwhile interrupt it (and may preempt it; the remaining work continues when
 * it runs again). Other cores' interrupts that fall due are taken but those
 * cores only run at the next idle point. Real-time mode: spins for ns of real
 * time, taking due interrupts. From an ISR or outside a run: GALE_ECONTEXT. */
int gale_sim_busy_ns(uint64_t ns);

/* Number of context switches the port made since gale_sim_setup (all cores). */
uint64_t gale_sim_switch_count(void);

#ifdef __cplusplus
}
#endif

#endif /* GALE_ARCH_POSIX_H */
