/* More async-lowered cv waits at once than the component host has worker
 * threads (GALE_CM_WORKERS): an async system (guests/cv_many.c) starts 6
 * FOREVER waits on one shared cv (a seed-chosen mix of cv.wait and
 * cv.wait-mutex on one shared mutex) and a 20 ms cv.wait-mutex, all at once.
 * A native thread then checks, each step bounded (500 ms):
 *  - the timed wait times out while the guest holds the mutex: it reports
 *    `again` only once the guest unlocks it, holding the mutex again (checked
 *    in the guest), while the others still wait;
 *  - `signal` (sent by the guest on the feeder's command) wakes exactly one
 *    waiter, the oldest: waits 0, 1, ... complete in order, one per signal;
 *  - then one `broadcast` wakes every remaining waiter (each wait-mutex takes
 *    the mutex back in turn, checked in the guest);
 *  - a sync system waiting on the same cv (in the kernel) is woken by the
 *    broadcast but not by the signals while async waiters are listed, and
 *    its later sync wait-mutex by a signal once none is (mutex held once);
 *  - subtask.cancel of a waiting wait-mutex leaves the mutex released and
 *    free; a wait that a signal took off the list and that is cancelled
 *    before completing passes the signal on to the next waiter.
 * On the worker-thread path the timed wait sits queued behind 4 blocked
 * workers and never reports: the test fails within its bound. Rounds over
 * seeds (mix, number of signals before the broadcast) and priority mixes of
 * component / feeder / workers. */
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

#define NW 6

static GALE_THREAD_STACK_DEFINE(stack_sys, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_feed, 64 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_sync, 256 * 1024);

static gale_msgq_t go, ack, cfg;
static _Alignas(8) uint8_t go_buf[4 * 4], ack_buf[16 * 4], cfg_buf[2 * 4];
static uint32_t g_nsig;
static char g_fail[200];
static uint32_t g_acked;

static void on_trace(const char *line, void *user)
{
    (void)user;
    printf("%s\n", line);
}

static int cmd(uint8_t c)
{
    uint8_t m[4] = {c, 0, 0, 0};
    return gale_kernel_msgq_put(&go, m, GALE_MSEC(500));
}

static bool next_ack(uint8_t *v, const char *what)
{
    uint8_t back[4];
    int rc = gale_kernel_msgq_get(&ack, back, GALE_MSEC(500));
    if (rc != 0) {
        snprintf(g_fail, sizeof g_fail, "%s: no wait completed within 500 ms (%u completed before)", what,
                 (unsigned)g_acked);
        return false;
    }
    if (back[1] != 0x5a) {
        snprintf(g_fail, sizeof g_fail, "%s: bad ack %02x%02x", what, back[0], back[1]);
        return false;
    }
    g_acked++;
    *v = back[0];
    return true;
}

static void feeder(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    uint8_t v;
    gale_kernel_sleep(GALE_MSEC(40)); /* the 7 waits started; the 20 ms one timed out */
    uint8_t early[4];
    if (gale_kernel_msgq_get(&ack, early, GALE_MSEC(10)) == 0) { /* the guest holds the mutex */
        snprintf(g_fail, sizeof g_fail, "wait %u completed before any signal / unlock", (unsigned)early[0]);
        return;
    }
    if (cmd(4) != 0 || !next_ack(&v, "timed wait-mutex"))
        return;
    if (v != 0xee) {
        snprintf(g_fail, sizeof g_fail, "wait %u completed before any signal", (unsigned)v);
        return;
    }
    for (uint32_t k = 0; k < g_nsig; k++) {
        char what[48];
        snprintf(what, sizeof what, "signal %u", (unsigned)k);
        if (cmd(0) != 0 || !next_ack(&v, what))
            return;
        if (v != k) {
            snprintf(g_fail, sizeof g_fail, "signal %u woke wait %u, not the oldest (%u)", (unsigned)k, (unsigned)v,
                     (unsigned)k);
            return;
        }
        /* exactly one: nothing else completes */
        uint8_t back[4];
        if (gale_kernel_msgq_get(&ack, back, GALE_MSEC(5)) == 0) {
            snprintf(g_fail, sizeof g_fail, "signal %u woke a second wait (%u)", (unsigned)k, (unsigned)back[0]);
            return;
        }
    }
    if (cmd(1) != 0)
        return;
    uint32_t seen = 0;
    for (uint32_t k = g_nsig; k < NW + 1; k++) { /* + the sync system's wait */
        if (!next_ack(&v, "broadcast"))
            return;
        if (v == 0xbb && !(seen & (1u << NW))) {
            seen |= 1u << NW;
            continue;
        }
        if (v < g_nsig || v >= NW || (seen & (1u << v))) {
            snprintf(g_fail, sizeof g_fail, "broadcast: unexpected completion of wait %u", (unsigned)v);
            return;
        }
        seen |= 1u << v;
    }
    gale_kernel_sleep(GALE_MSEC(20)); /* the sync system is in its wait-mutex */
    /* cancels (checked in the guest); the signal a cancelled wait took is passed on */
    if (cmd(3) != 0 || !next_ack(&v, "cancel: passed-on signal"))
        return;
    if (v != 0xcc) {
        snprintf(g_fail, sizeof g_fail, "cancel: unexpected ack %u", (unsigned)v);
        return;
    }
    /* no async waiter left: a signal wakes the sync system's wait-mutex */
    if (cmd(0) != 0 || !next_ack(&v, "signal to the sync waiter"))
        return;
    if (v != 0xbc) {
        snprintf(g_fail, sizeof g_fail, "signal to the sync waiter: unexpected ack %u", (unsigned)v);
        return;
    }
    if (cmd(2) != 0)
        snprintf(g_fail, sizeof g_fail, "done command not taken");
}

static void one_round(uint32_t seed, int sys_prio, int feed_prio, int worker_prio)
{
    int sync_prio = (int)(seed % 3u) * 3; /* 0, 3, 6: around the others */
    boot_workers(worker_prio);
    if (getenv("GALE_TRACE"))
        gale_host_set_trace(on_trace, NULL);
    assert_int_equal(gale_kernel_msgq_init(&go, go_buf, 4, 4), 0);
    assert_int_equal(gale_kernel_msgq_init(&ack, ack_buf, 4, 16), 0);
    assert_int_equal(gale_kernel_msgq_init(&cfg, cfg_buf, 4, 2), 0);
    assert_int_equal(gale_host_share("go", GALE_HOST_MSGQ, &go), 0);
    assert_int_equal(gale_host_share("ack", GALE_HOST_MSGQ, &ack), 0);
    assert_int_equal(gale_host_share("cfg", GALE_HOST_MSGQ, &cfg), 0);
    assert_int_equal(gale_host_share("cv", GALE_HOST_CV, NULL), 0);
    assert_int_equal(gale_host_share("m", GALE_HOST_MTX, NULL), 0);
    /* seed 0: alternate wait / wait-mutex, 3 signals; others seeded */
    uint32_t x = seed * 2654435761u + 12345u;
    x = x * 1103515245u + 12345u;
    uint8_t mask = seed ? (uint8_t)((x >> 16) & 0x3f) : 0x2a;
    g_nsig = seed ? 1u + (x >> 24) % 5u : 3u;
    uint8_t m[4] = {mask, 0, 0, 0};
    assert_int_equal(gale_kernel_msgq_put(&cfg, m, GALE_NO_WAIT), 0);
    g_fail[0] = 0;
    g_acked = 0;
    static const char *const grants[] = {"go", "ack", "cfg", "cv", "m"};
    gale_host_ctx_t hc = {"cvmany", grants, 5};
    gale_cm_component_t *c = load(CV_MANY_WASM, gale_host_kernel_primitives(2));
    gale_thread_t ft;
    assert_int_equal(gale_kernel_thread_create(&ft, stack_feed, sizeof stack_feed, feeder, NULL, NULL, NULL,
                                               GALE_PRIO_PREEMPT(feed_prio), 0, GALE_NO_WAIT),
                     0);
    gale_cm_spawn_cfg_t a = {.name = "cvmany", .component = c, .host_ctx = &hc, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(sys_prio), .stack = stack_sys, .stack_size = sizeof stack_sys,
                             .fuel = UINT64_MAX};
    gale_cm_system_t *sys, *sys2;
    gale_cm_err_t err = {0};
    if (gale_cm_spawn(&a, &sys, &err))
        fail_msg("spawn: %s", err.message);
    static const char *const grants2[] = {"ack", "cv", "m"};
    gale_host_ctx_t hc2 = {"cvsync", grants2, 3};
    gale_cm_component_t *c2 = load(CV_SYNC_WASM, gale_host_kernel_primitives(1));
    gale_cm_spawn_cfg_t a2 = {.name = "cvsync", .component = c2, .host_ctx = &hc2, .entry_name = "run",
                              .prio = GALE_PRIO_PREEMPT(sync_prio), .stack = stack_sync,
                              .stack_size = sizeof stack_sync, .fuel = UINT64_MAX};
    if (gale_cm_spawn(&a2, &sys2, &err))
        fail_msg("spawn: %s", err.message);
    gale_sim_run(); /* bounded: 60 s of simulated time (boot_workers) */
    if (g_fail[0])
        fail_msg("seed %u (mask %02x, %u signals) prio sys %d feeder %d workers %d: %s (system state %d%s%s)",
                 (unsigned)seed, mask, (unsigned)g_nsig, sys_prio, feed_prio, worker_prio, g_fail,
                 gale_cm_system_state(sys), gale_cm_system_last_trap(sys)->trapped ? ": trap: " : "",
                 gale_cm_system_last_trap(sys)->trapped ? gale_cm_system_last_trap(sys)->reason : "");
    if (gale_cm_system_state(sys) != GALE_CM_SYS_EXITED)
        fail_msg("seed %u: system state %d (not exited): %s", (unsigned)seed, gale_cm_system_state(sys),
                 gale_cm_system_last_trap(sys)->reason);
    if (gale_cm_system_state(sys2) != GALE_CM_SYS_EXITED)
        fail_msg("seed %u: sync system state %d (not exited): %s", (unsigned)seed, gale_cm_system_state(sys2),
                 gale_cm_system_last_trap(sys2)->reason);
    assert_int_equal(g_acked, NW + 4);
    assert_int_equal(gale_kernel_msgq_num_used_get(&ack), 0);
    assert_int_equal(gale_kernel_msgq_num_used_get(&go), 0);
    assert_int_equal(gale_host_live_objects(), 0);
    assert_int_equal(gale_cm_system_release(sys), 0);
    assert_int_equal(gale_cm_system_release(sys2), 0);
    gale_cm_component_free(c);
    gale_cm_component_free(c2);
}

static void test_cv_waits_signal_then_broadcast(void **state)
{
    (void)state;
    one_round(0, 5, 3, 0); /* feeder more urgent than the system */
    one_round(0, 3, 5, 0); /* ... less */
}

static void test_cv_waits_seeds(void **state)
{
    (void)state;
    static const int prios[][3] = {{5, 3, 0}, {3, 5, 0}, {4, 4, 2}, {2, 6, 7}, {6, 2, 1}};
    for (uint32_t seed = 1; seed <= 12; seed++) {
        const int *p = prios[seed % 5];
        one_round(seed, p[0], p[1], p[2]);
    }
}

int main(void)
{
    (void)boot; /* host_test.h */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cv_waits_signal_then_broadcast),
        cmocka_unit_test(test_cv_waits_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
