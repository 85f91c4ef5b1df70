/* gale — a minimal round-robin "kernel" for the port's own tests: it implements
 * the gale_kernel_arch_* hooks of gale/arch.h so that the Cortex-M port can be
 * exercised (switch, PendSV, timer, idle, faults) without src/kernel. */
#ifndef GALE_MINIK_H
#define GALE_MINIK_H

#include "gale/arch.h"

#define MK_MAX_THREADS 4

typedef void (*mk_fn_t)(void *arg);

/* Create a thread (before mk_run or from a thread). Returns its index. */
int mk_spawn(mk_fn_t fn, void *arg, void *stack, size_t size);
/* Run every thread until all have exited; returns gale_cm_run()'s result. */
int mk_run(void);
/* Forget every thread (between runs). */
void mk_reset(void);
void mk_yield(void);
_Noreturn void mk_exit(void);
int mk_self(void);                  /* index of the running thread, -1 = idle */
/* From an ISR: switch to the next ready thread when the ISR returns. */
void mk_preempt_from_isr(void);
/* Timer: callback in ISR context at an absolute cycle deadline. */
void mk_timer_at(uint64_t deadline, void (*cb)(void));
extern volatile unsigned int mk_resched_calls, mk_switches;

#endif
