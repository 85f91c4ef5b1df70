/* Two async component instances driven by ONE executor thread: a msgq
 * ping-pong between them (async-lowered gets parked on host workers) only
 * completes if the thread keeps serving one instance while the other waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gale/cm.h"
#include "gale/exec.h"
#include "gale/host.h"
#include "gale/kernel.h"

static const gale_cm_type_t *p_u32[] = {&gale_cm_t_u32};
static const gale_cm_export_decl_t exports[] = {
    {"", "pinger", {1, p_u32, NULL, true}},
    {"", "ponger", {1, p_u32, NULL, true}},
};
static GALE_THREAD_STACK_DEFINE(stack, 256 * 1024);
GALE_MSGQ_DEFINE(q1, 4, 1);
GALE_MSGQ_DEFINE(q2, 4, 1);
static gale_exec_t exec;
static gale_cm_exec_task_t ta, tb;
static int done_count;
static gale_cm_component_t *comp;

static void on_done(gale_exec_t *e, gale_exec_task_t *task, int status, void *arg)
{
    (void)task, (void)status, (void)arg;
    if (++done_count == 2)
        gale_exec_stop(e);
}

static void exec_thread(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    static const char *const grants[] = {"q1", "q2"};
    static gale_host_ctx_t hc = {"exec", grants, 2};
    gale_cm_instance_t *a, *b;
    gale_cm_err_t err = {0};
    if (gale_cm_instantiate(comp, &hc, UINT64_MAX, &a, &err) || gale_cm_instantiate(comp, &hc, UINT64_MAX, &b, &err))
        return;
    gale_exec_config_t cfg = {.name = "cm-exec", .on_done = on_done};
    gale_exec_init(&exec, &cfg);
    static gale_cm_val_t n = {.kind = GALE_CM_U32, .u.u = 50};
    gale_cm_exec_spawn(&exec, &ta, a, "", "pinger", &n, 1);
    gale_cm_exec_spawn(&exec, &tb, b, "", "ponger", &n, 1);
    gale_exec_run(&exec);
    gale_cm_instance_free(a);
    gale_cm_instance_free(b);
}

static void test_one_executor_two_instances(void **state)
{
    (void)state;
    gale_sim_config_t sc = {.cpus = 1, .quiet = true};
    gale_sim_setup(&sc);
    gale_kernel_init();
    gale_cm_kernel_init(GALE_PRIO_PREEMPT(0));
    gale_host_reset();
    gale_kernel_msgq_init(&q1, q1_buffer, 4, 1);
    gale_kernel_msgq_init(&q2, q2_buffer, 4, 1);
    gale_host_share("q1", GALE_HOST_MSGQ, &q1);
    gale_host_share("q2", GALE_HOST_MSGQ, &q2);
    FILE *f = fopen(EXEC_GUEST_WASM, "rb");
    assert_non_null(f);
    static uint8_t bytes[1 << 18];
    size_t len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    static gale_cm_world_t w;
    w = *gale_host_kernel_primitives(0);
    w.exports = exports;
    w.n_exports = 2;
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes, len, &w, &comp, &err))
        fail_msg("%s", err.message);
    gale_thread_t t;
    done_count = 0;
    gale_kernel_thread_create(&t, stack, sizeof stack, exec_thread, NULL, NULL, NULL, GALE_PRIO_PREEMPT(5), 0,
                              GALE_NO_WAIT);
    gale_sim_run();
    assert_int_equal(done_count, 2);
    if (ta.status || tb.status)
        fail_msg("pinger %d (%s), ponger %d (%s)", ta.status, ta.err.message, tb.status, tb.err.message);
    assert_true(ta.done && tb.done);
    gale_exec_stats_t st;
    gale_exec_stats_get(&exec, &st);
    assert_true(st.polls >= 100); /* parked and re-polled on every event */
    assert_int_equal(gale_host_live_objects(), 0);
    gale_cm_component_free(comp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_one_executor_two_instances)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
