/* Port test: the board-timer hook (gale_cm_timer_use), as an RT1176 GPT driver
 * would use it, here with the mps2's two CMSDK APB timers: timer 1 free-running
 * (the 64-bit cycle count, extended in software), timer 0 as the one-shot
 * compare whose ISR calls gale_cm_timer_expired(). The waiting thread spins
 * (QEMU's -icount sleep=off delivers CMSDK interrupts late while the CPU sleeps,
 * see docs/cortex-m.md), so this checks the hook's plumbing and accuracy. */
#include <stdint.h>

#include "gale/arch.h"
#include "mcu_test.h"
#include "minik.h"

#define TMR_CTRL(b)   (*(volatile uint32_t *)((b) + 0x0u))
#define TMR_VALUE(b)  (*(volatile uint32_t *)((b) + 0x4u))
#define TMR_RELOAD(b) (*(volatile uint32_t *)((b) + 0x8u))
#define TMR_INT(b)    (*(volatile uint32_t *)((b) + 0xCu))
#define TMR0 0x40000000u
#define TMR1 0x40001000u

static uint32_t bt_last;
static uint64_t bt_high;

static uint64_t bt_cycles_get(void)
{
    unsigned int key = gale_arch_irq_lock();
    uint32_t now = 0xFFFFFFFFu - TMR_VALUE(TMR1);   /* counts up */
    if (now < bt_last)
        bt_high += 1ull << 32;
    bt_last = now;
    uint64_t c = bt_high | now;
    gale_arch_irq_unlock(key);
    return c;
}

static volatile unsigned int bt_sets;

static void bt_set(uint64_t deadline)
{
    bt_sets++;
    TMR_CTRL(TMR0) = 0;
    TMR_INT(TMR0) = 1;
    if (deadline == UINT64_MAX)
        return;
    uint64_t now = bt_cycles_get();
    uint64_t d = deadline > now ? deadline - now : 1u;
    if (d > 0xFFFFFFF0u)
        d = 0xFFFFFFF0u;
    TMR_RELOAD(TMR0) = (uint32_t)d;
    TMR_VALUE(TMR0) = (uint32_t)d;
    TMR_CTRL(TMR0) = 1u | 8u;
}

static void bt_stop(void)
{
    TMR_CTRL(TMR0) = 0;
}

static const gale_cm_timer_ops_t bt_ops = { bt_cycles_get, 25000000u, bt_set, bt_stop };

static void bt_isr(void *arg)
{
    (void)arg;
    TMR_CTRL(TMR0) = 0;
    TMR_INT(TMR0) = 1;
    gale_cm_timer_expired();
}

static _Alignas(8) uint8_t stack[2048];
static volatile uint64_t fired_at;
static volatile int fired;

static void on_timer(void)
{
    fired_at = gale_arch_cycles_get();
    fired = 1;
}

static void waiter(void *arg)
{
    (void)arg;
    for (int round = 0; round < 3; round++) {
        uint64_t deadline = gale_arch_cycles_get() + 5000u + 20000u * (uint64_t)round;
        fired = 0;
        mk_timer_at(deadline, on_timer);
        while (!fired) {
        }
        MT_CHECK(fired_at >= deadline);
        MT_CHECK(fired_at - deadline < 200u);
        gale_cm_printf("board timer: one-shot %d fired %llu cycles after its deadline\n", round,
                       (unsigned long long)(fired_at - deadline));
    }
    /* disarm: nothing fires */
    fired = 0;
    mk_timer_at(gale_arch_cycles_get() + 3000u, on_timer);
    mk_timer_at(UINT64_MAX, on_timer);
    uint64_t t0 = gale_arch_cycles_get();
    while (gale_arch_cycles_get() - t0 < 20000u) {
    }
    MT_EQ(fired, 0);
}

int main(void)
{
    TMR_RELOAD(TMR1) = 0xFFFFFFFFu;
    TMR_VALUE(TMR1) = 0xFFFFFFFFu;
    TMR_CTRL(TMR1) = 1u;
    gale_cm_timer_use(&bt_ops);
    MT_EQ(gale_arch_cycles_per_sec(), 25000000u);
    MT_EQ(gale_cm_irq_connect(8, GALE_CM_ZLI_LEVELS, bt_isr, NULL), 0);
    gale_cm_irq_enable(8);
    mk_spawn(waiter, NULL, stack, sizeof stack);
    MT_EQ(mk_run(), 0);
    MT_CHECK(bt_sets >= 5u);
    unsigned int r0 = gale_cm_systick_reloads;
    MT_EQ(r0, 0u);                     /* SysTick untouched with a board timer */
    mt_done("qemu_port_board_timer");
}
