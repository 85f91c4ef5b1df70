/* subtask.cancel of a blocked host call (kernel-backed scheduling, real
 * interpreter): the worker's kernel wait is aborted (GALE_ECANCELED), the
 * guest gets CANCELLED_BEFORE_RETURNED and its result slot is not written;
 * host work that already finished is reported RETURNED with its result. The
 * same guest against host functions that wait without a worker
 * (gale_cm_call_pend + a kernel watch): the same results, the watch unhooked,
 * the semaphore untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gale/cm.h"
#include "gale/kernel.h"

static gale_sem_t never; /* nobody gives it */
static volatile int g_block_rc, g_block_runs;

static int block_job(void *ctx, gale_cm_val_t *result, gale_cm_arena_t *arena)
{
    (void)ctx, (void)arena;
    g_block_runs++;
    g_block_rc = gale_kernel_sem_take(&never, GALE_FOREVER);
    result->kind = GALE_CM_U32;
    result->u.u = 77;
    return 0;
}

static int quick_job(void *ctx, gale_cm_val_t *result, gale_cm_arena_t *arena)
{
    (void)ctx, (void)arena;
    result->kind = GALE_CM_U32;
    result->u.u = 55;
    return 0;
}

static int h_block(gale_cm_call_t *call, void *env, const gale_cm_val_t *params, gale_cm_val_t *result)
{
    (void)env, (void)params, (void)result;
    return gale_cm_call_offload(call, block_job, NULL, 0);
}

static int h_quick(gale_cm_call_t *call, void *env, const gale_cm_val_t *params, gale_cm_val_t *result)
{
    (void)env, (void)params, (void)result;
    return gale_cm_call_offload(call, quick_job, NULL, 0);
}

static const gale_cm_type_t *const p_u32[] = {&gale_cm_t_u32};
static const gale_cm_host_func_t funcs[] = {
    {"test:c/api", "block", {0, NULL, &gale_cm_t_u32, true}, h_block, NULL},
    {"test:c/api", "quick", {0, NULL, &gale_cm_t_u32, true}, h_quick, NULL},
};
static const gale_cm_export_decl_t exports[] = {{"", "run", {1, p_u32, &gale_cm_t_u32, true}}};
static const gale_cm_world_t world = {"cancel", funcs, 2, NULL, 0, exports, 1};

/* The same two functions without a worker: pended on kernel watches. */
static gale_sem_t plenty; /* always has units */
static volatile int g_tries;

static int pend_sem(void *ctx, gale_cm_pend_op_t op, struct gale_kernel_watch *w, gale_cm_val_t *result,
                    gale_cm_arena_t *arena)
{
    (void)arena;
    gale_sem_t *s = *(gale_sem_t **)ctx;
    switch (op) {
    case GALE_CM_PEND_ARM: return gale_kernel_watch(w, GALE_WATCH_SEM_TAKE, s);
    case GALE_CM_PEND_DISARM: gale_kernel_unwatch(w); return 0;
    case GALE_CM_PEND_TRY:
        g_tries++;
        if (gale_kernel_sem_take(s, GALE_NO_WAIT) != GALE_OK)
            return 0;
        result->kind = GALE_CM_U32;
        result->u.u = 55;
        return 1;
    default: return GALE_EINVAL; /* no deadline here */
    }
}

static int h_block_pend(gale_cm_call_t *call, void *env, const gale_cm_val_t *params, gale_cm_val_t *result)
{
    (void)env, (void)params, (void)result;
    gale_sem_t *s = &never;
    return gale_cm_call_pend(call, pend_sem, &s, sizeof s, GALE_CM_PEND_FOREVER);
}

static int h_quick_pend(gale_cm_call_t *call, void *env, const gale_cm_val_t *params, gale_cm_val_t *result)
{
    (void)env, (void)params, (void)result;
    gale_sem_t *s = &plenty;
    return gale_cm_call_pend(call, pend_sem, &s, sizeof s, GALE_CM_PEND_FOREVER);
}

static const gale_cm_host_func_t pend_funcs[] = {
    {"test:c/api", "block", {0, NULL, &gale_cm_t_u32, true}, h_block_pend, NULL},
    {"test:c/api", "quick", {0, NULL, &gale_cm_t_u32, true}, h_quick_pend, NULL},
};
static const gale_cm_world_t pend_world = {"cancel-pend", pend_funcs, 2, NULL, 0, exports, 1};

static gale_cm_component_t *g_comp;
static uint32_t g_res[5];
static int g_rc[5];
static char g_msg[5][192];

static void runner(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_cm_instance_t *inst = NULL;
    gale_cm_err_t err = {0};
    if (gale_cm_instantiate(g_comp, NULL, UINT64_MAX, &inst, &err)) {
        g_rc[0] = -1000;
        return;
    }
    /* 6 > GALE_CM_WORKERS (4): two calls wait in the job queue */
    static const uint32_t ks[5] = {0, 1, 0, 1, 6};
    for (int i = 0; i < 5; i++) {
        gale_cm_val_t p = {.kind = GALE_CM_U32, .u.u = ks[i]}, r;
        uint8_t buf[64];
        gale_cm_arena_t a;
        gale_cm_arena_init(&a, buf, sizeof buf);
        g_rc[i] = gale_cm_call_export(inst, "", "run", &p, 1, &r, &a, &err);
        snprintf(g_msg[i], sizeof g_msg[i], "%s", err.message);
        g_res[i] = g_rc[i] ? 0 : (uint32_t)r.u.u;
    }
    gale_cm_instance_free(inst);
}

/* One deterministic simulated core with the kernel and the component host. */
static void boot(void)
{
    gale_sim_config_t sc = {.cpus = 1, .mode = GALE_SIM_DETERMINISTIC, .time_limit_ns = 60ull * 1000000000ull,
                            .quiet = true};
    assert_int_equal(gale_sim_setup(&sc), 0);
    assert_int_equal(gale_kernel_init(), 0);
    assert_int_equal(gale_cm_kernel_init(GALE_PRIO_PREEMPT(0)), 0);
    assert_int_equal(gale_kernel_sem_init(&never, 0, 1), 0);
}

/* Loads the guest against `w`, runs `runner` in a thread until the
 * simulation ends, and fails on any export call that did not succeed. */
static void run_guest(const gale_cm_world_t *w)
{
    static _Alignas(16) uint8_t stack[256 * 1024];
    FILE *f = fopen(CANCEL_WASM, "rb");
    assert_non_null(f);
    static uint8_t bytes[65536];
    size_t len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes, len, w, &g_comp, &err))
        fail_msg("load: %s", err.message);
    gale_thread_t t;
    memset(&t, 0, sizeof t);
    assert_int_equal(gale_kernel_thread_create(&t, stack, sizeof stack, runner, NULL, NULL, NULL, GALE_PRIO_PREEMPT(5),
                                               0, GALE_NO_WAIT),
                     0);
    gale_sim_run();
    for (int i = 0; i < 5; i++)
        if (g_rc[i])
            fail_msg("run %d: %s", i, g_msg[i]);
}

static void test_cancel_blocked_host_call(void **state)
{
    (void)state;
    boot();
    g_block_runs = 0;
    g_block_rc = 0;
    run_guest(&world);
    /* blocked in the kernel: cancelled, result slot untouched */
    assert_int_equal(g_res[0], GALE_CM_SUBTASK_CANCELLED_BEFORE_RETURNED | 0x100u | (0xefu << 16));
    assert_int_equal(g_res[2], g_res[0]);
    assert_int_equal(g_block_rc, GALE_ECANCELED); /* the worker's wait really ended early */
    /* already finished in its worker: RETURNED, result written */
    assert_int_equal(g_res[1], GALE_CM_SUBTASK_RETURNED | (55u << 16));
    assert_int_equal(g_res[3], g_res[1]);
    /* six blocked calls at once: the two still queued never ran, the four
     * running ones had their waits aborted; all six CANCELLED_BEFORE_RETURNED */
    assert_int_equal(g_res[4], 6);
    assert_int_equal(g_block_runs, 2 + GALE_CM_WORKERS);
    assert_int_equal(gale_kernel_sem_count_get(&never), 0);
    gale_cm_component_free(g_comp);
}

static void test_cancel_pended_host_call(void **state)
{
    (void)state;
    boot();
    assert_int_equal(gale_kernel_sem_init(&plenty, 100, 100), 0);
    g_tries = 0;
    memset(g_rc, 0, sizeof g_rc);
    memset(g_res, 0, sizeof g_res);
    run_guest(&pend_world);
    /* waiting on a watch: cancelled, result slot untouched */
    assert_int_equal(g_res[0], GALE_CM_SUBTASK_CANCELLED_BEFORE_RETURNED | 0x100u | (0xefu << 16));
    assert_int_equal(g_res[2], g_res[0]);
    /* its TRY succeeded at once (a unit was there): RETURNED, result written */
    assert_int_equal(g_res[1], GALE_CM_SUBTASK_RETURNED | (55u << 16));
    assert_int_equal(g_res[3], g_res[1]);
    /* six waiting at once (more than GALE_CM_WORKERS, no worker involved): all
     * CANCELLED_BEFORE_RETURNED; each was tried once when pended, never again */
    assert_int_equal(g_res[4], 6);
    assert_int_equal(g_tries, 2 + 2 + 6);
    assert_null(never.watch); /* every watch unhooked */
    assert_int_equal(gale_kernel_sem_count_get(&never), 0);
    assert_int_equal(gale_kernel_sem_count_get(&plenty), 98); /* the two quick calls took one each */
    gale_cm_component_free(g_comp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel_blocked_host_call),
        cmocka_unit_test(test_cancel_pended_host_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
