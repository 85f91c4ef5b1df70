/* gale_cm_spawn on the real kernel (posix simulator, deterministic) with the
 * mock engine: sync entry as thread body, async entry whose async-lowered host
 * call blocks a worker thread (virtual time advances, the system thread
 * sleeps), trap containment with restart/back-off, stop and escalate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gale/cm.h"
#include "gale/kernel.h"
#include "mock_engine.h"

#define I32 0x7f

static const gale_cm_type_t *p_u32[] = {&gale_cm_t_u32};
static int ticks;
static uint64_t wait_started_ns, wait_done_ns;

static int h_tick(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)c, (void)env, (void)p, (void)r;
    ticks++;
    gale_kernel_sleep(GALE_MSEC(1)); /* a sync host call may block the thread */
    return 0;
}

typedef struct {
    uint32_t ms;
} sleep_ctx_t;

static int sleep_blocking(void *ctx, gale_cm_val_t *result, gale_cm_arena_t *arena)
{
    (void)arena;
    sleep_ctx_t *s = ctx;
    wait_started_ns = gale_sim_time_ns();
    gale_kernel_sleep(GALE_MSEC(s->ms));
    wait_done_ns = gale_sim_time_ns();
    result->kind = GALE_CM_U32;
    result->u.u = s->ms + 1000;
    return 0;
}

static int h_sleep(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    sleep_ctx_t s = {(uint32_t)p[0].u.u};
    if (!c->async) {
        gale_kernel_sleep(GALE_MSEC(s.ms));
        r->kind = GALE_CM_U32;
        r->u.u = s.ms + 1000;
        return 0;
    }
    return gale_cm_call_offload(c, sleep_blocking, &s, sizeof s);
}

static const gale_cm_host_func_t funcs[] = {
    {"t:s/host", "tick", {0, NULL, NULL, false}, h_tick, NULL},
    {"t:s/host", "sleep", {1, p_u32, &gale_cm_t_u32, true}, h_sleep, NULL},
};
static const gale_cm_export_decl_t sync_exports[] = {{"", "run", {0, NULL, NULL, false}}};
static const gale_cm_export_decl_t async_exports[] = {{"", "run", {0, NULL, NULL, true}}};
static const gale_cm_world_t sync_world = {"sync-system", funcs, 2, NULL, 0, sync_exports, 1};
static const gale_cm_world_t async_world = {"async-system", funcs, 2, NULL, 0, async_exports, 1};

enum { IMP_TICK, IMP_SLEEP, IMP_WSNEW, IMP_JOIN, IMP_SUBDROP, IMP_TASKRET, N_IMP };
static const mock_sig_t imports[N_IMP] = {
    {"t:s/host", "tick", 0, 0, {0}, NULL},
    {"t:s/host", "[async-lower]sleep", 2, 1, {I32, I32, I32}, NULL},
    {"$root", "[waitable-set-new]", 0, 1, {I32}, NULL},
    {"$root", "[waitable-join]", 2, 0, {I32, I32}, NULL},
    {"$root", "[subtask-drop]", 1, 0, {I32}, NULL},
    {"[export]$root", "[task-return]run", 0, 0, {0}, NULL},
};

static int trap_runs_left; /* the sync guest traps while > 0 */
static uint32_t async_result;

static int g_run_sync(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    (void)a, (void)r;
    for (int i = 0; i < 3; i++)
        mock_call_import_i32(mi, IMP_TICK, 0);
    if (trap_runs_left > 0) {
        trap_runs_left--;
        mock_trap(mi, "integer divide by zero");
    }
    return 0;
}

static int g_run_async(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    (void)a;
    uint32_t ws = mock_call_import_i32(mi, IMP_WSNEW, 0);
    uint32_t st = mock_call_import_i32(mi, IMP_SLEEP, 2, 10, 64);
    mock_call_import_i32(mi, IMP_JOIN, 2, st >> 4, ws);
    r[0].i32 = GALE_CM_WAIT | (ws << 4);
    return 0;
}

static int g_run_async_cb(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    if (a[0].i32 != GALE_CM_EVENT_SUBTASK)
        return 3;
    uint32_t v;
    memcpy(&v, mock_mem(mi) + 64, 4);
    async_result = v;
    mock_call_import_i32(mi, IMP_JOIN, 2, a[1].i32, 0);
    mock_call_import_i32(mi, IMP_SUBDROP, 1, a[1].i32);
    mock_call_import_i32(mi, IMP_TASKRET, 0);
    r[0].i32 = GALE_CM_EXIT;
    return 0;
}

static const mock_sig_t sync_exp[] = {{NULL, "run", 0, 0, {0}, g_run_sync}};
static const mock_sig_t async_exp[] = {
    {NULL, "[async-lift]run", 0, 1, {I32}, g_run_async},
    {NULL, "[callback][async-lift]run", 3, 1, {I32, I32, I32, I32}, g_run_async_cb},
};
static const mock_module_def_t sync_mod = {imports, 1, sync_exp, 1, 4096};
static const mock_module_def_t async_mod = {imports, N_IMP, async_exp, 2, 4096};

static GALE_THREAD_STACK_DEFINE(stack_a, 128 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_b, 128 * 1024);

static int reports[8];
static char last_trap_msg[600];

static void on_report(gale_cm_system_t *sys, gale_cm_sys_report_t what, const char *msg, void *user)
{
    (void)sys, (void)user;
    reports[what]++;
    if (what == GALE_CM_REPORT_TRAP)
        snprintf(last_trap_msg, sizeof last_trap_msg, "%s", msg);
}

static void boot(void)
{
    gale_sim_config_t sc = {.cpus = 1, .mode = GALE_SIM_DETERMINISTIC, .time_limit_ns = 10ull * 1000000000ull,
                            .quiet = true};
    assert_int_equal(gale_sim_setup(&sc), 0);
    assert_int_equal(gale_kernel_init(), 0);
    assert_int_equal(gale_cm_kernel_init(GALE_PRIO_PREEMPT(0)), 0);
    memset(reports, 0, sizeof reports);
}

static gale_cm_component_t *load(const mock_module_def_t *m, const gale_cm_world_t *w)
{
    gale_cm_load_opts_t o = {.engine = &mock_engine};
    gale_cm_component_t *c;
    gale_cm_err_t err = {0};
    int rc = gale_cm_component_load(&o, (const uint8_t *)m, sizeof *m, w, &c, &err);
    if (rc)
        fail_msg("load: %s", err.message);
    return c;
}

static void test_sync_and_async_systems(void **state)
{
    (void)state;
    boot();
    ticks = 0;
    trap_runs_left = 0;
    async_result = 0;
    gale_cm_component_t *ca = load(&sync_mod, &sync_world), *cb = load(&async_mod, &async_world);
    gale_cm_spawn_cfg_t a = {.name = "sync-sys", .component = ca, .entry_name = "run", .prio = GALE_PRIO_PREEMPT(5),
                             .stack = stack_a, .stack_size = sizeof stack_a, .fuel = UINT64_MAX, .report = on_report};
    gale_cm_spawn_cfg_t b = a;
    b.name = "async-sys";
    b.component = cb;
    b.stack = stack_b;
    gale_cm_system_t *sa, *sb;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_spawn(&a, &sa, &err), 0);
    assert_int_equal(gale_cm_spawn(&b, &sb, &err), 0);
    gale_sim_run();
    assert_int_equal(ticks, 3);
    assert_int_equal(gale_cm_system_state(sa), GALE_CM_SYS_EXITED);
    assert_int_equal(gale_cm_system_state(sb), GALE_CM_SYS_EXITED);
    assert_int_equal(async_result, 1010);
    assert_true(wait_done_ns - wait_started_ns >= 10ull * 1000000ull);
    assert_int_equal(reports[GALE_CM_REPORT_EXITED], 2);
    assert_int_equal(gale_cm_system_release(sa), 0);
    assert_int_equal(gale_cm_system_release(sb), 0);
    gale_cm_component_free(ca);
    gale_cm_component_free(cb);
}

static void test_trap_restart_policies(void **state)
{
    (void)state;
    struct {
        int policy;
        int traps;
        uint32_t max_restarts;
        int final_state;
        uint32_t restarts;
    } cases[] = {
        {GALE_CM_RESTART_NONE, 1, 0, GALE_CM_SYS_STOPPED, 0},
        {GALE_CM_RESTART_BACKOFF, 2, 5, GALE_CM_SYS_EXITED, 2},   /* recovers on the 3rd run */
        {GALE_CM_RESTART_BACKOFF, 9, 2, GALE_CM_SYS_STOPPED, 2},  /* gives up */
        {GALE_CM_RESTART_ESCALATE, 1, 0, GALE_CM_SYS_ESCALATED, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        boot();
        ticks = 0;
        trap_runs_left = cases[i].traps;
        gale_cm_component_t *ca = load(&sync_mod, &sync_world);
        gale_cm_spawn_cfg_t a = {.name = "flaky", .component = ca, .entry_name = "run", .prio = GALE_PRIO_PREEMPT(5),
                                 .stack = stack_a, .stack_size = sizeof stack_a, .fuel = UINT64_MAX,
                                 .restart_policy = cases[i].policy, .max_restarts = cases[i].max_restarts,
                                 .backoff_base_ms = 10, .backoff_max_ms = 1000, .report = on_report};
        gale_cm_system_t *sa;
        gale_cm_err_t err = {0};
        assert_int_equal(gale_cm_spawn(&a, &sa, &err), 0);
        uint64_t t0 = gale_sim_time_ns();
        gale_sim_run();
        assert_int_equal(gale_cm_system_state(sa), cases[i].final_state);
        assert_int_equal(gale_cm_system_restarts(sa), cases[i].restarts);
        assert_non_null(strstr(last_trap_msg, "flaky: trap in export run"));
        assert_non_null(strstr(last_trap_msg, "integer divide by zero"));
        assert_non_null(strstr(gale_cm_system_last_trap(sa)->reason, "integer divide by zero"));
        if (cases[i].restarts >= 2) /* back-off 10 ms then 20 ms */
            assert_true(gale_sim_time_ns() - t0 >= 30ull * 1000000ull);
        if (cases[i].policy == GALE_CM_RESTART_ESCALATE)
            assert_int_equal(reports[GALE_CM_REPORT_ESCALATE], 1);
        gale_cm_system_release(sa);
        gale_cm_component_free(ca);
    }
}

static void test_spawn_errors(void **state)
{
    (void)state;
    boot();
    gale_cm_component_t *ca = load(&sync_mod, &sync_world);
    gale_cm_spawn_cfg_t a = {.name = "x", .component = ca, .entry_name = "run", .prio = GALE_PRIO_PREEMPT(5)};
    gale_cm_system_t *sa;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_spawn(&a, &sa, &err), GALE_EINVAL);
    assert_non_null(strstr(err.message, "no stack"));
    a.stack = stack_a, a.stack_size = sizeof stack_a;
    a.restart_policy = 7;
    assert_int_equal(gale_cm_spawn(&a, &sa, &err), GALE_EINVAL);
    a.restart_policy = 0;
    a.cpu_mask = 0x8;
    assert_true(gale_cm_spawn(&a, &sa, &err) < 0);
    assert_non_null(strstr(err.message, "cpu mask"));
    gale_cm_component_free(ca);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_and_async_systems),
        cmocka_unit_test(test_trap_restart_policies),
        cmocka_unit_test(test_spawn_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
