/* gale — ARMv7-M port: time source and tickless one-shot timer.
 *
 * Default: SysTick on the processor clock, extended to 64 bits in software.
 * The counter free-runs with the longest period (2^24 cycles) and is only
 * shortened when a deadline falls before the next wrap. Reprogramming folds the
 * cycles elapsed in the current period into cm_base (read VAL, write LOAD, clear
 * VAL); the few cycles between the read and the clear are not counted, so time
 * runs slightly slow by at most CM_REPROGRAM_GAP cycles per reprogramming (see
 * docs/cortex-m.md; gale_cm_systick_reloads counts them). A board with a
 * free-running timer (RT1176: GPT) installs it with gale_cm_timer_use().
 *
 * Every function runs with IRQs locked (callers lock, or the SysTick ISR runs
 * at the kernel's lock level). */
#include <stdint.h>

#include "gale/arch.h"
#include "cm_port.h"
#include "cm_regs.h"

#ifndef GALE_CM_CPU_HZ
#define GALE_CM_CPU_HZ 25000000u
#endif
#define CM_SYSTICK_MAX    (1u << 24)   /* longest period, cycles */
#define CM_SYSTICK_MIN    256u         /* shortest one-shot, cycles */

uint32_t gale_cm_cpu_hz = GALE_CM_CPU_HZ;
volatile uint32_t gale_cm_systick_reloads;

static const gale_cm_timer_ops_t *cm_board_timer;
static uint64_t cm_base;        /* cycles at the start of the current period */
static uint32_t cm_period;      /* current SysTick period (LOAD + 1) */
static uint64_t cm_deadline = UINT64_MAX;
static int cm_started;

void gale_cm_timer_use(const gale_cm_timer_ops_t *ops)
{
    cm_board_timer = ops;
}

/* cm_base is the cycle count at the current epoch: the moment the counter
 * last reached 0 (when SysTick pends its exception; it reloads LOAD one clock
 * later) or was restarted by a write to VAL. Counter value v then means
 * period - v cycles since the epoch (v = 0: the epoch itself).
 * Returns the cycles since cm_base, counting a zero-crossing that is pending
 * but not yet handled (*wrapped = 1). IRQs locked. */
static uint32_t cm_systick_elapsed(int *wrapped)
{
    uint32_t v = SYST_CVR;
    if ((SCB_ICSR & ICSR_PENDSTSET) != 0u) {
        v = SYST_CVR;               /* after the crossing: read again */
        *wrapped = 1;
        return cm_period + (v == 0u ? 0u : cm_period - v);
    }
    *wrapped = 0;
    return v == 0u ? 0u : cm_period - v;
}

static void cm_systick_program(uint32_t cycles)
{
    int wrapped;
    uint32_t el = cm_systick_elapsed(&wrapped);
    SYST_RVR = cycles - 1u;
    SYST_CVR = 0;                   /* restart: reloads LOAD on the next clock */
    if (wrapped)
        SCB_ICSR = ICSR_PENDSTCLR;  /* that wrap is folded into cm_base here */
    cm_base += el;
    cm_period = cycles;
    gale_cm_systick_reloads++;
}

uint64_t gale_arch_cycles_get(void)
{
    if (cm_board_timer)
        return cm_board_timer->cycles_get();
    unsigned int key = gale_arch_irq_lock();
    uint64_t now;
    if (!cm_started) {
        now = cm_base;
    } else {
        int wrapped;
        now = cm_base + cm_systick_elapsed(&wrapped);
    }
    gale_arch_irq_unlock(key);
    return now;
}

uint64_t gale_arch_cycles_per_sec(void)
{
    return cm_board_timer ? cm_board_timer->hz : gale_cm_cpu_hz;
}

/* Choose the SysTick period for the armed deadline: the time left when it is
 * before the next natural wrap, else the longest period. */
static void cm_systick_retune(void)
{
    int wrapped;
    uint64_t now = cm_base + cm_systick_elapsed(&wrapped);
    if (cm_deadline == UINT64_MAX)
        return;                     /* a short period runs out; the ISR restores the long one */
    uint64_t left = cm_deadline > now ? cm_deadline - now : 0u;
    uint64_t to_wrap = wrapped ? 0u : (uint64_t)(cm_base + cm_period - now);
    if (wrapped || left >= to_wrap)
        return;                     /* the next wrap comes first: ISR decides */
    if (left < CM_SYSTICK_MIN)
        left = CM_SYSTICK_MIN;
    cm_systick_program((uint32_t)left);
}

void gale_arch_timer_set(uint64_t deadline)
{
    cm_deadline = deadline;
    if (cm_board_timer) {
        cm_board_timer->set(deadline);
        return;
    }
    if (cm_started)
        cm_systick_retune();
}

int gale_cm_time_reset(void)
{
    if (cm_started || cm_board_timer)
        return GALE_EBUSY;
    cm_base = 0;
    return GALE_OK;
}

int cm_timer_armed(void)
{
    return cm_deadline != UINT64_MAX;
}

void cm_timer_start(void)
{
    if (cm_board_timer || cm_started)
        return;
    cm_period = CM_SYSTICK_MAX;
    SYST_RVR = CM_SYSTICK_MAX - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
    cm_started = 1;
    cm_systick_retune();
}

void cm_timer_stop(void)
{
    if (cm_board_timer) {
        if (cm_board_timer->stop)
            cm_board_timer->stop();
        return;
    }
    if (!cm_started)
        return;
    int wrapped;
    cm_base += cm_systick_elapsed(&wrapped);
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    cm_started = 0;
    cm_deadline = UINT64_MAX;
}

void gale_cm_timer_expired(void)
{
    unsigned int key = gale_arch_irq_lock();
    cm_deadline = UINT64_MAX;
    gale_kernel_arch_timer_isr();   /* re-arms through gale_arch_timer_set */
    gale_arch_irq_unlock(key);
}

void gale_cm_systick_handler(void)
{
    unsigned int key = gale_arch_irq_lock();
    cm_base += cm_period;           /* the zero-crossing that raised this interrupt */
    uint32_t v = SYST_CVR;
    uint64_t now = cm_base + (v == 0u ? 0u : cm_period - v);
    if (cm_deadline != UINT64_MAX && now >= cm_deadline) {
        cm_deadline = UINT64_MAX;
        if (cm_period != CM_SYSTICK_MAX)
            cm_systick_program(CM_SYSTICK_MAX);
        gale_kernel_arch_timer_isr();   /* re-arms through gale_arch_timer_set */
    } else if (cm_deadline == UINT64_MAX) {
        if (cm_period != CM_SYSTICK_MAX)
            cm_systick_program(CM_SYSTICK_MAX);
    } else {
        uint64_t left = cm_deadline - now;
        if (left < CM_SYSTICK_MAX) {
            cm_systick_program(left < CM_SYSTICK_MIN ? CM_SYSTICK_MIN : (uint32_t)left);
        } else if (cm_period != CM_SYSTICK_MAX) {
            cm_systick_program(CM_SYSTICK_MAX);
        }
    }
    gale_arch_irq_unlock(key);
}
