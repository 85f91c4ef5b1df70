/* gale kernel — the tickless timeout queue of each core: absolute 64-bit
 * deadlines in kernel ticks, sorted (FIFO on ties); the port's one-shot timer is
 * set for the head. Arithmetic and order come from core_timeout.c. */
#include "core.h"
#include "kernel_internal.h"

_Static_assert(GALE_CONFIG_TICK_HZ > 0u && GALE_CONFIG_TICK_HZ <= UINT32_MAX, "GALE_CONFIG_TICK_HZ must fit 32 bits");

/* Cycles per tick when the cycle clock is a whole multiple of the tick rate
 * with fewer than 2^16 cycles per tick (the usual case: 25 MHz / 1 MHz = 25,
 * the RT1176's 996 MHz = 996, posix's 1 GHz = 1000), else 0. */
static uint32_t cycles_per_tick(void)
{
    uint64_t cps = gale_arch_cycles_per_sec();
    if ((cps >> 32) != 0u)
        return 0;
    uint32_t c = (uint32_t)cps, cpt = c / (uint32_t)GALE_CONFIG_TICK_HZ;
    return (cpt != 0u && cpt < 0x10000u && cpt * (uint32_t)GALE_CONFIG_TICK_HZ == c) ? cpt : 0u;
}

/* n / d for d < 2^16 with three 32-bit divides (no libgcc 64-bit division:
 * smaller and faster on ARMv7-M, which has a 32-bit UDIV only). */
static uint64_t div64_small(uint64_t n, uint32_t d)
{
    uint32_t hi = (uint32_t)(n >> 32);
    uint32_t qh = hi / d, r = hi % d;
    uint32_t mid = (r << 16) | (uint32_t)((n >> 16) & 0xffffu);
    uint32_t qm = mid / d;
    r = mid % d;
    uint32_t lo = (r << 16) | (uint32_t)(n & 0xffffu);
    return ((uint64_t)qh << 32) | ((uint64_t)qm << 16) | (lo / d);
}

#if !GALE_CONFIG_TIME_ANY_RATE
static _Noreturn void clock_rate_unsupported(void)
{
    gale_arch_fatal(GALE_EINVAL, "clock rate needs GALE_CONFIG_TIME_ANY_RATE=1");
}
#endif

/* cycles -> ticks (floor) and ticks -> cycles (ceil), without 64-bit overflow
 * for any realistic uptime. */
static uint64_t cycles_to_ticks(uint64_t cyc)
{
    uint32_t cpt = cycles_per_tick();
    if (cpt != 0u)
        return div64_small(cyc, cpt);
#if GALE_CONFIG_TIME_ANY_RATE
    uint64_t cps = gale_arch_cycles_per_sec();
    return cyc / cps * GALE_CONFIG_TICK_HZ + cyc % cps * GALE_CONFIG_TICK_HZ / cps;
#else
    clock_rate_unsupported();
#endif
}

uint64_t gale_kernel_cycles_to_ticks(uint64_t cycles) { return cycles_to_ticks(cycles); }

static uint64_t ticks_to_cycles(uint64_t t)
{
    uint32_t cpt = cycles_per_tick();
    if (cpt != 0u)   /* exact; saturates near 2^63 cycles like the general case */
        return t > div64_small(UINT64_MAX / 2u, cpt) ? UINT64_MAX - 1u : t * cpt;
#if GALE_CONFIG_TIME_ANY_RATE
    uint64_t cps = gale_arch_cycles_per_sec();
    uint64_t whole = t / GALE_CONFIG_TICK_HZ;
    if (whole > UINT64_MAX / cps / 2u)
        return UINT64_MAX - 1u;
    return whole * cps + (t % GALE_CONFIG_TICK_HZ * cps + GALE_CONFIG_TICK_HZ - 1u) / GALE_CONFIG_TICK_HZ;
#else
    clock_rate_unsupported();
#endif
}

uint64_t gale_kernel_ticks_now(void)
{
    return cycles_to_ticks(gale_arch_cycles_get());
}

uint64_t gale_kernel_timeout_deadline(gale_timeout_t timeout, uint64_t now)
{
    /* A relative timeout of n ticks taken part-way through a tick counts from the
     * next tick boundary, so that it never ends early: a 10 ms sleep begun 1 us
     * into a tick would otherwise last 10 ms - 1 us on a port whose cycle clock is
     * finer than the tick (Cortex-M). On the simulator time stands on tick
     * boundaries unless gale_sim_busy_ns() moved it into a tick. */
    if (timeout.ticks > 0) {
        /* The clock may have moved into a later tick since the caller read `now`
         * (on Cortex-M a reading and its conversion take a good part of a 1 us
         * tick): count from the tick boundary after this fresh reading, never
         * from the older `now` (that made a 10 ms sleep 0.5 us short). */
        uint64_t cyc = gale_arch_cycles_get();
        uint64_t t = cycles_to_ticks(cyc);
        if (ticks_to_cycles(t) < cyc)
            t++;
        if (t > now)
            now = t;
    }
    return gale_core_timeout_deadline(timeout.ticks, now);
}

void gale_kernel_timeout_program(gale_kernel_cpu_t *cpu)
{
    uint64_t d = cpu->to_head != NULL ? cpu->to_head->deadline : UINT64_MAX;
    cpu->armed_deadline = d;
    gale_arch_timer_set(d == UINT64_MAX ? UINT64_MAX : ticks_to_cycles(d));
}

static void unlink_node(gale_kernel_cpu_t *cpu, gale_timeout_node_t *node)
{
    if (node->prev != NULL)
        node->prev->next = node->next;
    else
        cpu->to_head = node->next;
    if (node->next != NULL)
        node->next->prev = node->prev;
    node->next = node->prev = NULL;
    node->linked = 0;
}

bool gale_kernel_timeout_abort(gale_timeout_node_t *node)
{
    if (!node->linked)
        return false;
    gale_kernel_cpu_t *cpu = &gale_kernel_cpus[node->cpu];
    bool was_head = cpu->to_head == node;
    unlink_node(cpu, node);
    if (was_head && node->cpu == gale_arch_cpu_id())
        gale_kernel_timeout_program(cpu);
    /* A node of another core: its timer may fire early and find nothing due; it
     * then re-arms itself. */
    return true;
}

void gale_kernel_timeout_add(gale_timeout_node_t *node, void (*fn)(gale_timeout_node_t *),
                             uint64_t deadline)
{
    if (node->linked)
        gale_kernel_timeout_abort(node);
    unsigned int c = gale_arch_cpu_id();
    gale_kernel_cpu_t *cpu = &gale_kernel_cpus[c];
    node->fn = fn;
    node->deadline = deadline;
    node->cpu = (uint8_t)c;
    node->linked = 1;
    gale_timeout_node_t *prev = NULL, *pos = cpu->to_head;
    while (pos != NULL && gale_core_timeout_goes_after(deadline, pos->deadline) != 0) {
        prev = pos;
        pos = pos->next;
    }
    node->prev = prev;
    node->next = pos;
    if (prev != NULL)
        prev->next = node;
    else
        cpu->to_head = node;
    if (pos != NULL)
        pos->prev = node;
    if (cpu->to_head == node && cpu->started)
        gale_kernel_timeout_program(cpu);
}

void gale_kernel_arch_timer_isr(void)
{
    gale_kernel_cpu_t *cpu = gale_kernel_cpu_self();
    unsigned int key = gale_kernel_lock();
    uint64_t now = gale_kernel_ticks_now();
    while (cpu->to_head != NULL && gale_core_timeout_expired(cpu->to_head->deadline, now) != 0) {
        gale_timeout_node_t *node = cpu->to_head;
        unlink_node(cpu, node);
        node->fn(node);
    }
    gale_kernel_timeout_program(cpu);
    gale_kernel_reschedule(key);   /* in ISR: requests the switch if one is due */
}
