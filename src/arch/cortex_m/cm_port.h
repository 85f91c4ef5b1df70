/* gale — ARMv7-M port: internals shared between the port's files (private). */
#ifndef GALE_CM_PORT_H
#define GALE_CM_PORT_H

#include <stdint.h>

#include "gale/arch.h"

void cm_cpu_early_init(void);
void gale_cm_board_init(void);           /* weak: board clocks, pins, console */
void gale_cm_systick_handler(void);
unsigned int cm_irq_enabled_count(void);
void cm_timer_start(void);
void cm_timer_stop(void);
int cm_timer_armed(void);
void cm_console_puts(const char *s);
/* A port message: the full text, or the brief one with GALE_CONFIG_FAULT_TEXT=0. */
#if GALE_CONFIG_FAULT_TEXT
#define CM_TEXT(full, brief) (full)
#else
#define CM_TEXT(full, brief) (brief)
#endif
void cm_console_put_hex(uint32_t v);   /* 8 hex digits */
void cm_console_put_int(int v);
void cm_mpu_init(void);
void cm_mpu_guard_compute(gale_arch_context_t *ctx, uintptr_t base, size_t size);
/* Thread entry returned (must never happen: the kernel's wrapper never returns). */
void cm_thread_return_trap(void);

#endif /* GALE_CM_PORT_H */
