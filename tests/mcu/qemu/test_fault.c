/* Port test: faults in threads are decoded (kind, CFSR cause, faulting PC,
 * thread) and handled by the policy hook, which ends the faulting thread; a
 * stack overflow hits the MPU guard (or is reported from the canary area). */
#include <stdint.h>

#include "gale/arch.h"
#include "mcu_test.h"
#include "minik.h"

static _Alignas(32) uint8_t stack_div[2048], stack_udf[2048], stack_ok[1024], stack_bus[1024];
/* The overflowing thread's stack sits above a pad: the guard catches the first
 * write into it, but the exception frame of that fault is stacked below the
 * faulting SP, i.e. below the guard (see docs/cortex-m.md, "Stack guards"). */
static struct {
    _Alignas(32) uint8_t pad[256];
    uint8_t stack[1024];
} ovf_mem;
#define stack_ovf ovf_mem.stack

static gale_cm_fault_t seen[5];
static volatile unsigned int nseen;
static volatile int ok_thread_done;

static void thread_end(void *arg)
{
    (void)arg;
    mk_exit();
}

static gale_cm_fault_action_t hook(const gale_cm_fault_t *f)
{
    if (nseen < 5)
        seen[nseen] = *f;
    nseen++;
    return gale_cm_fault_redirect(f, thread_end, NULL) == 0 ? GALE_CM_FAULT_ACTION_REDIRECT
                                                            : GALE_CM_FAULT_ACTION_HALT;
}

static volatile int zero;
__attribute__((noinline)) static void div_thread(void *arg)
{
    (void)arg;
    volatile int r = 100 / zero;
    (void)r;
    gale_cm_printf("div_thread resumed after the fault: WRONG\n");
}

__attribute__((noinline)) static void udf_thread(void *arg)
{
    (void)arg;
    __asm__ volatile("udf #42");
    gale_cm_printf("udf_thread resumed after the fault: WRONG\n");
}

__attribute__((noinline)) static int recurse(int n)
{
    volatile uint8_t buf[48];
    buf[0] = (uint8_t)n;
    if (n == 0)
        return buf[0];
    return recurse(n - 1) + buf[0];
}

static void ovf_thread(void *arg)
{
    (void)arg;
    gale_cm_printf("recursing: %d\n", recurse(100000));
}

static void bus_thread(void *arg)
{
    (void)arg;
    volatile uint32_t *p = (volatile uint32_t *)0xF0000000u;   /* nothing there on mps2 */
    gale_cm_printf("read %x: WRONG\n", (unsigned)*p);
}

static void ok_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++)
        mk_yield();
    ok_thread_done = 1;
}

int main(void)
{
    gale_cm_fault_hook_set(hook);
    mk_spawn(div_thread, NULL, stack_div, sizeof stack_div);
    mk_spawn(udf_thread, NULL, stack_udf, sizeof stack_udf);
    mk_spawn(ovf_thread, NULL, stack_ovf, sizeof stack_ovf);
    mk_spawn(ok_thread, NULL, stack_ok, sizeof stack_ok);
    MT_EQ(mk_run(), 0);
    MT_EQ(nseen, 3);

    MT_EQ(ok_thread_done, 1);     /* the other threads ran on */

    MT_EQ(seen[0].kind, GALE_CM_FAULT_USAGE);
    MT_CHECK(seen[0].cfsr & (1u << 25));                  /* DIVBYZERO */
    MT_CHECK(seen[0].in_thread);
    MT_CHECK(seen[0].frame_valid);
    MT_CHECK(seen[0].pc >= ((uint32_t)(uintptr_t)div_thread & ~1u));
    MT_CHECK(seen[0].pc < ((uint32_t)(uintptr_t)div_thread & ~1u) + 64u);
    MT_CHECK(seen[0].ctx != NULL && seen[0].ctx->stack_base == (uint32_t)(uintptr_t)stack_div);
    MT_CHECK(!seen[0].stack_overflow);

    MT_EQ(seen[1].kind, GALE_CM_FAULT_USAGE);
    MT_CHECK(seen[1].cfsr & (1u << 16));                  /* UNDEFINSTR */
    MT_EQ(*(const uint16_t *)(uintptr_t)seen[1].pc, 0xde2a);   /* the udf #42 itself */
    MT_CHECK(seen[1].ctx != NULL && seen[1].ctx->stack_base == (uint32_t)(uintptr_t)stack_udf);

    MT_CHECK(seen[2].stack_overflow);
    MT_CHECK(seen[2].ctx != NULL && seen[2].ctx->stack_base == (uint32_t)(uintptr_t)stack_ovf);
    if (gale_cm_mpu_present()) {
        MT_EQ(seen[2].kind, GALE_CM_FAULT_MEMMANAGE);
        MT_CHECK(seen[2].cfsr & ((1u << 1) | (1u << 4)));   /* DACCVIOL or MSTKERR */
    }
    gale_cm_printf("mpu: %s\n", gale_cm_mpu_present() ? "present (guard regions)" : "absent");

    /* a precise bus error, in a second run (after the checks above: minik reuses ctx slots) */
    mk_reset();
    mk_spawn(bus_thread, NULL, stack_bus, sizeof stack_bus);
    MT_EQ(mk_run(), 0);
    MT_EQ(nseen, 4);
    MT_EQ(seen[3].kind, GALE_CM_FAULT_BUS);
    MT_CHECK(seen[3].cfsr & (1u << 9));       /* PRECISERR */
    MT_CHECK(seen[3].cfsr & (1u << 15));      /* BFARVALID */
    MT_EQ(seen[3].bfar, 0xF0000000u);
    MT_CHECK(seen[3].ctx != NULL && seen[3].ctx->stack_base == (uint32_t)(uintptr_t)stack_bus);
    mt_done("qemu_port_fault");
}
