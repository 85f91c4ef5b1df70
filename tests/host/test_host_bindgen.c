/* Guests written against the bindings `gale bindgen --lang c` generates at
 * build time (not the hand-written kp_guest.h), compiled with clang-14 to
 * wasm32, loaded by the component host against the same kernel-primitives
 * worlds and run as systems in kernel threads (gale_cm_spawn):
 *  - sync-system: sync-lowered sem take + msgq get/put on objects shared by
 *    name, served to a native thread that checks every reply;
 *  - async-system: async-lowered sem take + msgq get awaited together, then
 *    an async-lowered msgq put (params in memory), checked natively. */
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

static GALE_THREAD_STACK_DEFINE(stack_sys, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_drv, 64 * 1024);

#define ROUNDS 16 /* as in guests/bg_sync.c */

GALE_MSGQ_DEFINE(q_req, 4, 2);
GALE_MSGQ_DEFINE(q_rsp, 4, 2);
GALE_MSGQ_DEFINE(q_secret, 4, 1);
GALE_SEM_DEFINE(s_go, 0, 4);

static uint32_t replies[ROUNDS];
static int nreplies;
static int drv_errors;

static void sync_driver(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        uint32_t v = i * 1000u + 3u;
        drv_errors += gale_kernel_msgq_put(&q_req, &v, GALE_FOREVER) != 0;
        drv_errors += gale_kernel_sem_give(&s_go) != 0;
        uint32_t r = 0;
        drv_errors += gale_kernel_msgq_get(&q_rsp, &r, GALE_FOREVER) != 0;
        replies[nreplies++] = r;
    }
}

static void test_generated_sync_guest(void **state)
{
    (void)state;
    boot();
    gale_kernel_msgq_init(&q_req, q_req_buffer, 4, 2);
    gale_kernel_msgq_init(&q_rsp, q_rsp_buffer, 4, 2);
    gale_kernel_msgq_init(&q_secret, q_secret_buffer, 4, 1);
    gale_kernel_sem_init(&s_go, 0, 4);
    assert_int_equal(gale_host_share("bg_sem", GALE_HOST_SEM, &s_go), 0);
    assert_int_equal(gale_host_share("bg_req", GALE_HOST_MSGQ, &q_req), 0);
    assert_int_equal(gale_host_share("bg_rsp", GALE_HOST_MSGQ, &q_rsp), 0);
    assert_int_equal(gale_host_share("bg_secret", GALE_HOST_MSGQ, &q_secret), 0);
    static const char *const grants[] = {"bg_sem", "bg_req", "bg_rsp"}; /* not bg_secret */
    gale_host_ctx_t hc = {"bgsync", grants, 3};
    gale_cm_component_t *c = load(BG_SYNC_WASM, gale_host_kernel_primitives(1));
    nreplies = 0, drv_errors = 0;
    memset(replies, 0, sizeof replies);
    gale_thread_t drv;
    assert_int_equal(gale_kernel_thread_create(&drv, stack_drv, sizeof stack_drv, sync_driver, NULL, NULL, NULL,
                                               GALE_PRIO_PREEMPT(4), 0, GALE_NO_WAIT),
                     0);
    gale_cm_spawn_cfg_t a = {.name = "bgsync", .component = c, .host_ctx = &hc, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(5), .stack = stack_sys, .stack_size = sizeof stack_sys,
                             .fuel = UINT64_MAX};
    gale_cm_system_t *sys;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_spawn(&a, &sys, &err), 0);
    gale_sim_run();
    if (gale_cm_system_state(sys) != GALE_CM_SYS_EXITED)
        fail_msg("bgsync: state %d: %s", gale_cm_system_state(sys), gale_cm_system_last_trap(sys)->reason);
    assert_int_equal(drv_errors, 0);
    assert_int_equal(nreplies, ROUNDS);
    for (uint32_t i = 1; i <= ROUNDS; i++)
        assert_int_equal(replies[i - 1], (i * 1000u + 3u) * 2u + 1u);
    assert_int_equal(gale_kernel_sem_count_get(&s_go), 0);
    assert_int_equal(gale_kernel_msgq_num_used_get(&q_req), 0);
    assert_int_equal(gale_kernel_msgq_num_used_get(&q_rsp), 0);
    assert_int_equal(gale_host_live_objects(), 0); /* the guest dropped its handles */
    gale_cm_component_free(c);
}

GALE_MSGQ_DEFINE(q_in, 4, 1);
GALE_MSGQ_DEFINE(q_out, 4, 1);
GALE_SEM_DEFINE(s_async, 0, 1);
static uint32_t async_reply;
static uint64_t async_reply_at, async_sent_at;

static void async_driver(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_kernel_sleep(GALE_MSEC(3));
    uint32_t v = 0xBEEF;
    async_sent_at = gale_sim_time_ns();
    drv_errors += gale_kernel_msgq_put(&q_in, &v, GALE_FOREVER) != 0;
    gale_kernel_sleep(GALE_MSEC(4));
    drv_errors += gale_kernel_sem_give(&s_async) != 0;
    drv_errors += gale_kernel_msgq_get(&q_out, &async_reply, GALE_FOREVER) != 0;
    async_reply_at = gale_sim_time_ns();
}

static void test_generated_async_guest(void **state)
{
    (void)state;
    boot();
    gale_kernel_msgq_init(&q_in, q_in_buffer, 4, 1);
    gale_kernel_msgq_init(&q_out, q_out_buffer, 4, 1);
    gale_kernel_sem_init(&s_async, 0, 1);
    assert_int_equal(gale_host_share("bg_asem", GALE_HOST_SEM, &s_async), 0);
    assert_int_equal(gale_host_share("bg_in", GALE_HOST_MSGQ, &q_in), 0);
    assert_int_equal(gale_host_share("bg_out", GALE_HOST_MSGQ, &q_out), 0);
    static const char *const grants[] = {"bg_asem", "bg_in", "bg_out"};
    gale_host_ctx_t hc = {"bgasync", grants, 3};
    gale_cm_component_t *c = load(BG_ASYNC_WASM, gale_host_kernel_primitives(2));
    drv_errors = 0, async_reply = 0, async_reply_at = async_sent_at = 0;
    gale_thread_t drv;
    assert_int_equal(gale_kernel_thread_create(&drv, stack_drv, sizeof stack_drv, async_driver, NULL, NULL, NULL,
                                               GALE_PRIO_PREEMPT(4), 0, GALE_NO_WAIT),
                     0);
    gale_cm_spawn_cfg_t a = {.name = "bgasync", .component = c, .host_ctx = &hc, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(5), .stack = stack_sys, .stack_size = sizeof stack_sys,
                             .fuel = UINT64_MAX};
    gale_cm_system_t *sys;
    gale_cm_err_t err = {0};
    uint64_t t0 = gale_sim_time_ns();
    assert_int_equal(gale_cm_spawn(&a, &sys, &err), 0);
    gale_sim_run();
    if (gale_cm_system_state(sys) != GALE_CM_SYS_EXITED)
        fail_msg("bgasync: state %d: %s", gale_cm_system_state(sys), gale_cm_system_last_trap(sys)->reason);
    assert_int_equal(drv_errors, 0);
    assert_int_equal(async_reply, 0xBEEFu + 7u);
    /* the reply needed both the message (3 ms) and the semaphore (7 ms) */
    assert_true(async_sent_at - t0 >= 3ull * 1000000ull);
    assert_true(async_reply_at - t0 >= 7ull * 1000000ull);
    assert_int_equal(gale_kernel_sem_count_get(&s_async), 0);
    assert_int_equal(gale_kernel_msgq_num_used_get(&q_in), 0);
    assert_int_equal(gale_host_live_objects(), 0);
    gale_cm_component_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_sync_guest),
        cmocka_unit_test(test_generated_async_guest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
