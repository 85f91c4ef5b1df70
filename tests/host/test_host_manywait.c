/* More async-lowered blocked calls at once than the component host has worker
 * threads (GALE_CM_WORKERS): an async system (guests/many_wait.c) awaits
 * msgq.get on 6 shared queues, a 30 ms msgq.get on an empty queue and a
 * sem.take, all at once. A native thread feeds the queues one at a time in a
 * seed-chosen order (seed 0: reverse order of the calls) and, before feeding
 * the next one, waits (bounded, 500 ms) for the component to forward the
 * message back on `ack`. Every wait must complete with the value fed to its
 * queue, whatever the order: none may sit behind other blocked waits
 * (head-of-line blocking). Rounds over seeds and priorities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gale/cm.h"
#include "gale/host.h"
#include "gale/kernel.h"

#include "host_test.h"

#define NQ 6 /* + qt + s = 8 awaits: the guest SDK task's limit (GALE_TASK_MAX_PENDING) */

static GALE_THREAD_STACK_DEFINE(stack_sys, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_feed, 64 * 1024);

static gale_msgq_t q[NQ], qt, ack;
static _Alignas(8) uint8_t q_buf[NQ][2 * 4], qt_buf[2 * 4], ack_buf[16 * 4];
static gale_sem_t s;
static uint32_t g_order[NQ];
static char g_fail[160];
static uint32_t g_acked;
static uint64_t g_qt_after_ns;

static void on_trace(const char *line, void *user)
{
    (void)user;
    printf("%s\n", line);
}

static void feeder(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_kernel_sleep(GALE_MSEC(2)); /* the system issues its 10 calls */
    for (uint32_t k = 0; k < NQ; k++) {
        uint32_t i = g_order[k];
        uint8_t m[4] = {(uint8_t)i, (uint8_t)k, 0x5a, (uint8_t)(0xa0 + i)};
        if (gale_kernel_msgq_put(&q[i], m, GALE_NO_WAIT) != 0) {
            snprintf(g_fail, sizeof g_fail, "put q%u failed", (unsigned)i);
            return;
        }
        uint8_t back[4];
        int rc = gale_kernel_msgq_get(&ack, back, GALE_MSEC(500));
        if (rc != 0) {
            snprintf(g_fail, sizeof g_fail,
                     "q%u (fed %u-th) never completed within 500 ms (%u acked before): head-of-line blocked",
                     (unsigned)i, (unsigned)k, (unsigned)g_acked);
            return;
        }
        if (memcmp(back, m, 4) != 0) {
            snprintf(g_fail, sizeof g_fail, "q%u: forwarded %02x%02x%02x%02x, fed %02x%02x%02x%02x", (unsigned)i,
                     back[0], back[1], back[2], back[3], m[0], m[1], m[2], m[3]);
            return;
        }
        g_acked++;
    }
    gale_kernel_sem_give(&s);
}

static void one_round(uint32_t seed, int sys_prio, int feed_prio, int worker_prio)
{
    boot_workers(worker_prio);
    if (getenv("GALE_TRACE"))
        gale_host_set_trace(on_trace, NULL);
    static char names[NQ][4];
    for (uint32_t i = 0; i < NQ; i++) {
        assert_int_equal(gale_kernel_msgq_init(&q[i], q_buf[i], 4, 2), 0);
        snprintf(names[i], sizeof names[i], "q%u", (unsigned)i);
        assert_int_equal(gale_host_share(names[i], GALE_HOST_MSGQ, &q[i]), 0);
    }
    assert_int_equal(gale_kernel_msgq_init(&qt, qt_buf, 4, 2), 0);
    assert_int_equal(gale_kernel_msgq_init(&ack, ack_buf, 4, 16), 0);
    assert_int_equal(gale_kernel_sem_init(&s, 0, 1), 0);
    assert_int_equal(gale_host_share("qt", GALE_HOST_MSGQ, &qt), 0);
    assert_int_equal(gale_host_share("ack", GALE_HOST_MSGQ, &ack), 0);
    assert_int_equal(gale_host_share("s", GALE_HOST_SEM, &s), 0);
    /* feed order: seed 0 = reverse of the calls; others a seeded shuffle */
    for (uint32_t i = 0; i < NQ; i++)
        g_order[i] = NQ - 1 - i;
    uint32_t x = seed * 2654435761u + 12345u;
    for (uint32_t i = NQ - 1; seed && i > 0; i--) {
        x = x * 1103515245u + 12345u;
        uint32_t j = (x >> 16) % (i + 1);
        uint32_t t = g_order[i];
        g_order[i] = g_order[j];
        g_order[j] = t;
    }
    g_fail[0] = 0;
    g_acked = 0;
    static const char *const grants[] = {"q0", "q1", "q2", "q3", "q4", "q5", "qt", "ack", "s"};
    gale_host_ctx_t hc = {"many", grants, 9};
    gale_cm_component_t *c = load(MANY_WAIT_WASM, gale_host_kernel_primitives(2));
    gale_thread_t ft;
    assert_int_equal(gale_kernel_thread_create(&ft, stack_feed, sizeof stack_feed, feeder, NULL, NULL, NULL,
                                               GALE_PRIO_PREEMPT(feed_prio), 0, GALE_NO_WAIT),
                     0);
    gale_cm_spawn_cfg_t a = {.name = "many", .component = c, .host_ctx = &hc, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(sys_prio), .stack = stack_sys, .stack_size = sizeof stack_sys,
                             .fuel = UINT64_MAX};
    gale_cm_system_t *sys;
    gale_cm_err_t err = {0};
    if (gale_cm_spawn(&a, &sys, &err))
        fail_msg("spawn: %s", err.message);
    uint64_t t0 = gale_sim_time_ns();
    gale_sim_run(); /* bounded: 60 s of simulated time (boot_workers) */
    g_qt_after_ns = gale_sim_time_ns() - t0;
    if (g_fail[0])
        fail_msg("seed %u prio sys %d feeder %d workers %d: %s (system state %d%s%s)", (unsigned)seed, sys_prio,
                 feed_prio, worker_prio, g_fail, gale_cm_system_state(sys),
                 gale_cm_system_last_trap(sys)->trapped ? ": trap: " : "",
                 gale_cm_system_last_trap(sys)->trapped ? gale_cm_system_last_trap(sys)->reason : "");
    if (gale_cm_system_state(sys) != GALE_CM_SYS_EXITED)
        fail_msg("seed %u: system state %d (not exited): %s", (unsigned)seed, gale_cm_system_state(sys),
                 gale_cm_system_last_trap(sys)->reason);
    assert_int_equal(g_acked, NQ);
    /* the 30 ms get on qt timed out (the guest checked `again`) */
    assert_true(g_qt_after_ns >= 30ull * 1000000ull);
    for (uint32_t i = 0; i < NQ; i++)
        assert_int_equal(gale_kernel_msgq_num_used_get(&q[i]), 0);
    assert_int_equal(gale_kernel_msgq_num_used_get(&ack), 0);
    assert_int_equal(gale_host_live_objects(), 0);
    assert_int_equal(gale_cm_system_release(sys), 0);
    gale_cm_component_free(c);
}

static void test_many_waits_reverse_order(void **state)
{
    (void)state;
    one_round(0, 5, 3, 0); /* feeder higher priority than the system */
    one_round(0, 3, 5, 0); /* ... lower */
}

static void test_many_waits_seeds(void **state)
{
    (void)state;
    static const int prios[][3] = {{5, 3, 0}, {3, 5, 0}, {4, 4, 2}, {2, 6, 7}, {6, 2, 1}};
    for (uint32_t seed = 1; seed <= 10; seed++) {
        const int *p = prios[seed % 5];
        one_round(seed, p[0], p[1], p[2]);
    }
}

int main(void)
{
    (void)boot; /* host_test.h */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_waits_reverse_order),
        cmocka_unit_test(test_many_waits_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
