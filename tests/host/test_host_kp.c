/* pulseengine:gale kernel-primitives with real C guests on the interpreter:
 * two sync systems ping-ponging over shared message queues in two threads; an
 * async system awaiting a semaphore, a timer and a message queue at once while
 * another thread feeds it; every resource exercised and dropped (destructors
 * run); grants; and bad guests trapping with the documented reasons. */
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

static int trace_lines;
static void on_trace(const char *line, void *user)
{
    (void)user;
    trace_lines++;
    if (getenv("GALE_TRACE"))
        printf("%s\n", line);
}

static GALE_THREAD_STACK_DEFINE(stack_a, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_b, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_c, 64 * 1024);

GALE_MSGQ_DEFINE(q_ping, 4, 2);
GALE_MSGQ_DEFINE(q_pong, 4, 2);
GALE_MSGQ_DEFINE(q_inbox, 5, 4);

static void test_ping_pong_two_systems(void **state)
{
    (void)state;
    boot();
    gale_kernel_msgq_init(&q_ping, q_ping_buffer, 4, 2);
    gale_kernel_msgq_init(&q_pong, q_pong_buffer, 4, 2);
    assert_int_equal(gale_host_share("ping", GALE_HOST_MSGQ, &q_ping), 0);
    assert_int_equal(gale_host_share("pong", GALE_HOST_MSGQ, &q_pong), 0);
    assert_int_equal(gale_host_share("ping", GALE_HOST_MSGQ, &q_ping), GALE_EEXIST);
    trace_lines = 0;
    gale_host_set_trace(on_trace, NULL);
    static const char *const grants[] = {"ping", "pong"};
    gale_host_ctx_t hping = {"ping", grants, 2}, hpong = {"pong", grants, 2};
    const gale_cm_world_t *w = gale_host_kernel_primitives(1);
    gale_cm_component_t *cping = load(PING_WASM, w), *cpong = load(PONG_WASM, w);
    gale_cm_spawn_cfg_t a = {.name = "ping", .component = cping, .host_ctx = &hping, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(5), .stack = stack_a, .stack_size = sizeof stack_a,
                             .fuel = UINT64_MAX};
    gale_cm_spawn_cfg_t b = a;
    b.name = "pong", b.component = cpong, b.host_ctx = &hpong, b.stack = stack_b, b.stack_size = sizeof stack_b;
    gale_cm_system_t *sa, *sb;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_spawn(&a, &sa, &err), 0);
    assert_int_equal(gale_cm_spawn(&b, &sb, &err), 0);
    gale_sim_run();
    if (gale_cm_system_state(sa) != GALE_CM_SYS_EXITED)
        fail_msg("ping: state %d: %s", gale_cm_system_state(sa), gale_cm_system_last_trap(sa)->reason);
    if (gale_cm_system_state(sb) != GALE_CM_SYS_EXITED)
        fail_msg("pong: state %d: %s", gale_cm_system_state(sb), gale_cm_system_last_trap(sb)->reason);
    assert_true(trace_lines >= 80); /* 20 rounds x (put+get) x 2 systems */
    assert_int_equal(gale_kernel_msgq_num_used_get(&q_ping), 0);
    assert_int_equal(gale_host_live_objects(), 0);
    gale_host_set_trace(NULL, NULL);
    gale_cm_component_free(cping);
    gale_cm_component_free(cpong);
}

static void feeder(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_kernel_sleep(GALE_MSEC(12));
    gale_kernel_msgq_put(&q_inbox, "hello", GALE_FOREVER);
}

static void test_async_awaits_sem_timer_msgq(void **state)
{
    (void)state;
    boot();
    gale_kernel_msgq_init(&q_inbox, q_inbox_buffer, 5, 4);
    assert_int_equal(gale_host_share("inbox", GALE_HOST_MSGQ, &q_inbox), 0);
    static const char *const grants[] = {"inbox"};
    gale_host_ctx_t hc = {"async", grants, 1};
    gale_cm_component_t *c = load(ASYNC_WASM, gale_host_kernel_primitives(2));
    gale_cm_instance_t *inst = NULL;
    gale_cm_err_t err = {0};
    gale_thread_t feeder_t;
    assert_int_equal(gale_kernel_thread_create(&feeder_t, stack_c, sizeof stack_c, feeder, NULL, NULL, NULL,
                                               GALE_PRIO_PREEMPT(3), 0, GALE_NO_WAIT),
                     0);
    gale_cm_spawn_cfg_t a = {.name = "async", .component = c, .host_ctx = &hc, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(5), .stack = stack_a, .stack_size = sizeof stack_a,
                             .fuel = UINT64_MAX};
    gale_cm_system_t *sa;
    assert_int_equal(gale_cm_spawn(&a, &sa, &err), 0);
    uint64_t t0 = gale_sim_time_ns();
    gale_sim_run();
    if (gale_cm_system_state(sa) != GALE_CM_SYS_EXITED)
        fail_msg("async: %s", gale_cm_system_last_trap(sa)->reason);
    /* timer (5 ms) first, then the sem (given from the timer callback), then the
     * msgq (fed at 12 ms); the whole run took >= 12 ms of simulated time */
    assert_true(gale_sim_time_ns() - t0 >= 12ull * 1000000ull);
    /* read back the order through a second instance? the system freed its
     * instance; re-run directly with call_export to inspect state */
    (void)inst;
    assert_int_equal(gale_host_live_objects(), 0);
    gale_cm_component_free(c);
}

static uint32_t g_order;
static void direct_async(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    gale_cm_component_t *c = p1;
    static const char *const grants[] = {"inbox"};
    static gale_host_ctx_t hc = {"async", grants, 1};
    gale_cm_instance_t *inst;
    gale_cm_err_t err = {0};
    if (gale_cm_instantiate(c, &hc, UINT64_MAX, &inst, &err))
        return;
    uint8_t buf[64];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, buf, sizeof buf);
    gale_cm_val_t r;
    if (gale_cm_call_export(inst, "", "run", NULL, 0, &r, &ar, &err) == 0) {
        static const gale_cm_export_decl_t od = {"", "order", {0, NULL, &gale_cm_t_u32, false}};
        (void)od;
    }
    /* the order export is not in the world: read it through the engine-free
     * path is not possible; use the stats instead */
    const gale_cm_stats_t *s = gale_cm_instance_stats(inst);
    g_order = (uint32_t)(s->subtasks_started | (s->events_delivered << 8) | (s->callbacks << 16));
    gale_cm_instance_free(inst);
}

static void test_async_stats(void **state)
{
    (void)state;
    boot();
    gale_kernel_msgq_init(&q_inbox, q_inbox_buffer, 5, 4);
    gale_host_share("inbox", GALE_HOST_MSGQ, &q_inbox);
    gale_cm_component_t *c = load(ASYNC_WASM, gale_host_kernel_primitives(2));
    gale_thread_t t, f;
    gale_kernel_thread_create(&f, stack_c, sizeof stack_c, feeder, NULL, NULL, NULL, GALE_PRIO_PREEMPT(3), 0,
                              GALE_NO_WAIT);
    gale_kernel_thread_create(&t, stack_a, sizeof stack_a, direct_async, c, NULL, NULL, GALE_PRIO_PREEMPT(5), 0,
                              GALE_NO_WAIT);
    g_order = 0;
    gale_sim_run();
    /* 3 subtasks started (none could complete at once), 3 SUBTASK events
     * delivered, 3 callbacks */
    assert_int_equal(g_order & 0xff, 3);
    assert_int_equal((g_order >> 8) & 0xff, 3);
    assert_int_equal((g_order >> 16) & 0xff, 3);
    gale_cm_component_free(c);
}

static const gale_cm_export_decl_t all_exports[] = {
    {"", "run", {0, NULL, NULL, false}},
    {"", "checks", {0, NULL, &gale_cm_t_u64, false}},
};

/* all_sync.c: one bit per check (ALL_SYNC_NCHECKS of them) */
#define ALL_SYNC_NCHECKS 43
GALE_SEM_DEFINE(s_sem, 2, 5);
GALE_MSGQ_DEFINE(s_msgq, 4, 2);
GALE_STACK_DEFINE(s_stk, 4);
GALE_PIPE_DEFINE(s_pip, 8);
GALE_EVENT_DEFINE(s_evt);
GALE_MEM_SLAB_DEFINE(s_slab, 32, 3);
static gale_timer_t s_tmr;

/* one object of each of the 9 kinds shared by name, with known contents */
static void share_every_kind(void)
{
    gale_kernel_sem_init(&s_sem, 2, 5);
    gale_kernel_msgq_init(&s_msgq, s_msgq_buffer, 4, 2);
    uint32_t v = 0xabcd1234u;
    assert_int_equal(gale_kernel_msgq_put(&s_msgq, &v, GALE_NO_WAIT), 0);
    gale_kernel_stack_init(&s_stk, s_stk_buffer, 4);
    gale_kernel_pipe_init(&s_pip, s_pip_buffer, 8);
    gale_kernel_event_init(&s_evt);
    gale_kernel_event_post(&s_evt, 0x8);
    gale_kernel_timer_init(&s_tmr, NULL, NULL);
    gale_kernel_mem_slab_init(&s_slab, s_slab_buffer, 32, 3, s_slab_free_idx, s_slab_state);
    assert_int_equal(gale_host_share("s_sem", GALE_HOST_SEM, &s_sem), 0);
    assert_int_equal(gale_host_share("s_mtx", GALE_HOST_MTX, NULL), 0);
    assert_int_equal(gale_host_share("s_cv", GALE_HOST_CV, NULL), 0);
    assert_int_equal(gale_host_share("s_msgq", GALE_HOST_MSGQ, &s_msgq), 0);
    assert_int_equal(gale_host_share("s_stk", GALE_HOST_STK, &s_stk), 0);
    assert_int_equal(gale_host_share("s_pip", GALE_HOST_PIP, &s_pip), 0);
    assert_int_equal(gale_host_share("s_evt", GALE_HOST_EVT, &s_evt), 0);
    assert_int_equal(gale_host_share("s_tmr", GALE_HOST_TMR, &s_tmr), 0);
    assert_int_equal(gale_host_share("s_slab", GALE_HOST_SLAB, &s_slab), 0);
    assert_int_equal(gale_host_share("s_secret", GALE_HOST_SEM, &s_sem), 0); /* shared, but not granted */
}

static void run_all(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    uint64_t *out = p1;
    const gale_cm_world_t *kp = gale_host_kernel_primitives(0);
    static gale_cm_world_t w;
    w = *kp;
    w.exports = all_exports;
    w.n_exports = 2;
    size_t len;
    uint8_t *bytes = read_file(ALL_WASM, &len);
    static const char *const grants[] = {"s_sem", "s_mtx", "s_cv", "s_msgq", "s_stk", "s_pip", "s_evt", "s_tmr", "s_slab"};
    static gale_host_ctx_t hc = {"all", grants, 9};
    gale_cm_component_t *c;
    gale_cm_instance_t *inst;
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes, len, &w, &c, &err) ||
        gale_cm_instantiate(c, &hc, UINT64_MAX, &inst, &err)) {
        printf("all: %s\n", err.message);
        free(bytes);
        return;
    }
    free(bytes);
    uint8_t buf[64];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, buf, sizeof buf);
    gale_cm_val_t r;
    if (gale_cm_call_export(inst, "", "run", NULL, 0, NULL, NULL, &err))
        printf("all: run: %s\n", err.message);
    out[1] = gale_host_live_objects();
    if (gale_cm_call_export(inst, "", "checks", NULL, 0, &r, &ar, &err) == 0)
        out[0] = r.u.u;
    gale_cm_instance_free(inst);
    gale_cm_component_free(c);
}

static void test_every_resource(void **state)
{
    (void)state;
    boot();
    share_every_kind();
    gale_thread_t t;
    uint64_t out[2] = {0, 99};
    gale_kernel_thread_create(&t, stack_a, sizeof stack_a, run_all, out, NULL, NULL, GALE_PRIO_PREEMPT(5), 0,
                              GALE_NO_WAIT);
    gale_sim_run();
    const uint64_t all = (1ull << ALL_SYNC_NCHECKS) - 1;
    if (out[0] != all)
        fail_msg("checks passed: 0x%llx (missing 0x%llx)", (unsigned long long)out[0],
                 (unsigned long long)(~out[0] & all));
    assert_int_equal(out[1], 0); /* every object destroyed when dropped */
    /* the guest reached the shared objects themselves */
    assert_int_equal(gale_kernel_msgq_num_used_get(&s_msgq), 0);   /* it got the message */
    gale_stack_data_t top = 0;
    assert_int_equal(gale_kernel_stack_pop(&s_stk, &top, GALE_NO_WAIT), 0); /* it pushed 77 */
    assert_int_equal(top, 77);
    char x = 0;
    assert_int_equal(gale_kernel_pipe_read_avail(&s_pip), 1); /* it wrote "x" */
    gale_kernel_pipe_read(&s_pip, &x, 1, GALE_NO_WAIT);
    assert_int_equal(x, 'x');
    assert_int_equal(gale_kernel_sem_count_get(&s_sem), 2);
}

/* all_async.c: every blocking function async-lowered (ALL_ASYNC_NCHECKS checks,
 * ALL_ASYNC_NSTARTED of the calls must block and complete later) */
#define ALL_ASYNC_NCHECKS 52
#define ALL_ASYNC_NSTARTED 13
static const gale_cm_export_decl_t all_async_exports[] = {
    {"", "run", {0, NULL, NULL, true}},
    {"", "checks", {0, NULL, &gale_cm_t_u64, false}},
    {"", "started", {0, NULL, &gale_cm_t_u32, false}},
};
GALE_SEM_DEFINE(a_sem, 0, 1);
GALE_EVENT_DEFINE(a_evt);
GALE_MSGQ_DEFINE(a_in, 4, 2);

/* completes the guest's first four STARTED calls from another thread; p1 =
 * time scale (the guest's timer fires at 3 ms, before all of these) */
static void async_feeder(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    uint32_t k = (uint32_t)(uintptr_t)p1;
    gale_kernel_sleep(GALE_MSEC(5 * k));
    gale_kernel_sem_give(&a_sem);
    gale_kernel_sleep(GALE_MSEC(3 * k));
    gale_kernel_event_post(&a_evt, 0x1); /* wait-all 0x3: not yet */
    gale_kernel_sleep(GALE_MSEC(2 * k));
    gale_kernel_event_post(&a_evt, 0x2);
    gale_kernel_sleep(GALE_MSEC(5 * k));
    gale_kernel_msgq_put(&a_in, "feed", GALE_FOREVER);
}

struct async_all_out {
    uint64_t checks;
    uint32_t started, live, subtasks_started, events;
    uint64_t ns;
    int rc;
    char msg[256];
};

static void run_async_all(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    struct async_all_out *out = p1;
    static gale_cm_world_t w;
    w = *gale_host_kernel_primitives(0);
    w.exports = all_async_exports;
    w.n_exports = 3;
    size_t len;
    uint8_t *bytes = read_file(ALL_ASYNC_WASM, &len);
    static const char *const grants[] = {"a_sem", "a_evt", "a_in"};
    static gale_host_ctx_t hc = {"all-async", grants, 3};
    gale_cm_component_t *c;
    gale_cm_instance_t *inst;
    gale_cm_err_t err = {0};
    out->rc = gale_cm_component_load(NULL, bytes, len, &w, &c, &err);
    free(bytes);
    if (out->rc || (out->rc = gale_cm_instantiate(c, &hc, UINT64_MAX, &inst, &err)) != 0) {
        snprintf(out->msg, sizeof out->msg, "%s", err.message);
        return;
    }
    uint64_t t0 = gale_sim_time_ns();
    out->rc = gale_cm_call_export(inst, "", "run", NULL, 0, NULL, NULL, &err);
    out->ns = gale_sim_time_ns() - t0;
    if (out->rc)
        snprintf(out->msg, sizeof out->msg, "run: %s", gale_cm_instance_trap(inst)->reason);
    out->live = gale_host_live_objects();
    const gale_cm_stats_t *st = gale_cm_instance_stats(inst);
    out->subtasks_started = (uint32_t)st->subtasks_started;
    out->events = (uint32_t)st->events_delivered;
    uint8_t buf[64];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, buf, sizeof buf);
    gale_cm_val_t r;
    if (gale_cm_call_export(inst, "", "checks", NULL, 0, &r, &ar, &err) == 0)
        out->checks = r.u.u;
    if (gale_cm_call_export(inst, "", "started", NULL, 0, &r, &ar, &err) == 0)
        out->started = (uint32_t)r.u.u;
    gale_cm_instance_free(inst);
    gale_cm_component_free(c);
}

/* the same guest under several interleavings: priorities of the component's
 * thread, of the feeding thread and of the host workers, and the feeder's time
 * scale. With workers less urgent than the component, an async cv wait has
 * returned STARTED before its worker waits: the signal the guest sends next
 * must not be lost (host_kp.c counts such waiters). */
static const struct {
    int guest_prio, feeder_prio, worker_prio;
    uint32_t scale;
} async_variants[] = {{5, 3, 0, 1}, {5, 8, 0, 1}, {1, 3, 0, 1}, {9, 2, 13, 2}, {3, 12, 13, 2}, {12, 1, 6, 3}};

static void test_every_blocking_function_async(void **state)
{
    (void)state;
    for (size_t v = 0; v < sizeof async_variants / sizeof async_variants[0]; v++) {
        boot_workers(async_variants[v].worker_prio);
        gale_kernel_sem_init(&a_sem, 0, 1);
        gale_kernel_event_init(&a_evt);
        gale_kernel_msgq_init(&a_in, a_in_buffer, 4, 2);
        assert_int_equal(gale_host_share("a_sem", GALE_HOST_SEM, &a_sem), 0);
        assert_int_equal(gale_host_share("a_evt", GALE_HOST_EVT, &a_evt), 0);
        assert_int_equal(gale_host_share("a_in", GALE_HOST_MSGQ, &a_in), 0);
        gale_host_set_trace(on_trace, NULL); /* GALE_TRACE=1 prints the timeline */
        gale_thread_t t, f;
        static struct async_all_out out;
        memset(&out, 0, sizeof out);
        out.live = 99;
        uint32_t k = async_variants[v].scale;
        gale_kernel_thread_create(&f, stack_c, sizeof stack_c, async_feeder, (void *)(uintptr_t)k, NULL, NULL,
                                  GALE_PRIO_PREEMPT(async_variants[v].feeder_prio), 0, GALE_NO_WAIT);
        gale_kernel_thread_create(&t, stack_a, sizeof stack_a, run_async_all, &out, NULL, NULL,
                                  GALE_PRIO_PREEMPT(async_variants[v].guest_prio), 0, GALE_NO_WAIT);
        gale_sim_run();
        gale_host_set_trace(NULL, NULL);
        if (out.rc)
            fail_msg("variant %zu: all-async: rc %d: %s", v, out.rc, out.msg);
        const uint64_t all = (1ull << ALL_ASYNC_NCHECKS) - 1;
        if (out.checks != all)
            fail_msg("variant %zu: checks passed: 0x%llx (missing 0x%llx)", v, (unsigned long long)out.checks,
                     (unsigned long long)(~out.checks & all));
        /* the guest's count of blocked calls is the host's count of subtasks, and
         * each of them was completed by a SUBTASK event */
        assert_int_equal(out.started, ALL_ASYNC_NSTARTED);
        assert_int_equal(out.subtasks_started, ALL_ASYNC_NSTARTED);
        assert_int_equal(out.events, ALL_ASYNC_NSTARTED);
        assert_int_equal(out.live, 0); /* every object the guest created was destroyed when dropped */
        assert_true(out.ns >= 15ull * k * 1000000ull); /* it waited for the feeder's last message */
        assert_int_equal(gale_kernel_sem_count_get(&a_sem), 0); /* the guest took the give */
        assert_int_equal(gale_kernel_msgq_num_used_get(&a_in), 0); /* ... and got the message */
    }
}

static const gale_cm_type_t *p_u32[] = {&gale_cm_t_u32};
static const gale_cm_export_decl_t bad_exports[] = {
    {"", "oob-retptr", {0, NULL, NULL, false}},     {"", "misaligned-retptr", {0, NULL, NULL, false}},
    {"", "bad-utf8", {0, NULL, NULL, false}},       {"", "bad-discriminant", {0, NULL, NULL, false}},
    {"", "use-after-drop", {0, NULL, NULL, false}}, {"", "wrong-type", {0, NULL, NULL, false}},
    {"", "div-zero", {1, p_u32, &gale_cm_t_u32, false}}, {"", "oob-list", {0, NULL, NULL, false}},
};
static const gale_cm_export_decl_t spin_exports[] = {
    {"", "spin", {1, p_u32, &gale_cm_t_u32, false}},
    {"", "spin-async", {0, NULL, NULL, true}},
};

static void run_spin(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    int *fails = p1;
    static gale_cm_world_t w;
    w = *gale_host_kernel_primitives(0);
    w.exports = spin_exports;
    w.n_exports = 2;
    size_t len;
    uint8_t *bytes = read_file(BAD_WASM, &len);
    gale_cm_component_t *c;
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes, len, &w, &c, &err)) {
        printf("spin: load: %s\n", err.message);
        (*fails)++;
        free(bytes);
        return;
    }
    free(bytes);
    for (int i = 0; i < 2; i++) {
        gale_cm_instance_t *inst;
        if (gale_cm_instantiate(c, NULL, UINT64_MAX, &inst, &err)) {
            (*fails)++;
            continue;
        }
        gale_cm_instance_set_call_fuel(inst, 200000);
        uint8_t buf[64];
        gale_cm_arena_t ar;
        gale_cm_arena_init(&ar, buf, sizeof buf);
        gale_cm_val_t r, zero = {.kind = GALE_CM_U32, .u.u = 1};
        int rc = gale_cm_call_export(inst, "", spin_exports[i].name, &zero, spin_exports[i].type.n_params, &r, &ar, &err);
        const gale_cm_trap_info_t *ti = gale_cm_instance_trap(inst);
        if (rc != GALE_ETRAP || !strstr(ti->reason, "fuel budget of 200000 per call exhausted")) {
            printf("spin %s: rc %d reason '%s'\n", spin_exports[i].name, rc, ti->reason);
            (*fails)++;
        }
        gale_cm_instance_free(inst);
    }
    gale_cm_component_free(c);
}

static void test_runaway_guest_bounded_by_fuel(void **state)
{
    (void)state;
    boot();
    gale_thread_t t;
    int fails = 0;
    gale_kernel_thread_create(&t, stack_a, sizeof stack_a, run_spin, &fails, NULL, NULL, GALE_PRIO_PREEMPT(5), 0,
                              GALE_NO_WAIT);
    gale_sim_run();
    assert_int_equal(fails, 0);
}

static const char *const bad_expect[] = {
    "out of bounds", "misaligned", "invalid UTF-8", "discriminant 7 out of range",
    "not a live resource handle", "has resource type 1, expected 0", "divide by zero", "out of bounds",
};

static void run_bad(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    int *fails = p1;
    static gale_cm_world_t w;
    w = *gale_host_kernel_primitives(0);
    w.exports = bad_exports;
    w.n_exports = 8;
    size_t len;
    FILE *f = fopen(BAD_WASM, "rb");
    static uint8_t bytes[262144];
    len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    gale_cm_component_t *c;
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes, len, &w, &c, &err)) {
        printf("bad: load: %s\n", err.message);
        (*fails)++;
        return;
    }
    for (int i = 0; i < 8; i++) {
        gale_cm_instance_t *inst;
        if (gale_cm_instantiate(c, NULL, UINT64_MAX, &inst, &err)) {
            (*fails)++;
            continue;
        }
        uint8_t buf[64];
        gale_cm_arena_t ar;
        gale_cm_arena_init(&ar, buf, sizeof buf);
        gale_cm_val_t r, zero = {.kind = GALE_CM_U32, .u.u = 0};
        int rc = gale_cm_call_export(inst, "", bad_exports[i].name, &zero, bad_exports[i].type.n_params, &r, &ar, &err);
        const gale_cm_trap_info_t *ti = gale_cm_instance_trap(inst);
        if (rc != GALE_ETRAP || !strstr(ti->reason, bad_expect[i]) || strcmp(ti->export_name, bad_exports[i].name)) {
            printf("bad %s: rc %d reason '%s' export '%s'\n", bad_exports[i].name, rc, ti->reason, ti->export_name);
            (*fails)++;
        }
        gale_cm_instance_free(inst);
    }
    gale_cm_component_free(c);
}

static void test_bad_guests(void **state)
{
    (void)state;
    boot();
    gale_thread_t t;
    int fails = 0;
    gale_kernel_thread_create(&t, stack_a, sizeof stack_a, run_bad, &fails, NULL, NULL, GALE_PRIO_PREEMPT(5), 0,
                              GALE_NO_WAIT);
    gale_sim_run();
    assert_int_equal(fails, 0);
    assert_int_equal(gale_host_live_objects(), 0); /* instance free dropped what the traps left */
}

static void test_grants(void **state)
{
    (void)state;
    boot();
    gale_kernel_msgq_init(&q_ping, q_ping_buffer, 4, 2);
    gale_kernel_msgq_init(&q_pong, q_pong_buffer, 4, 2);
    gale_host_share("ping", GALE_HOST_MSGQ, &q_ping);
    gale_host_share("pong", GALE_HOST_MSGQ, &q_pong);
    static const char *const only_ping[] = {"ping"};
    gale_host_ctx_t h = {"ping", only_ping, 1}; /* "pong" not granted: open fails, guest traps */
    gale_cm_component_t *c = load(PING_WASM, gale_host_kernel_primitives(1));
    gale_cm_spawn_cfg_t a = {.name = "ping", .component = c, .host_ctx = &h, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(5), .stack = stack_a, .stack_size = sizeof stack_a,
                             .fuel = UINT64_MAX};
    gale_cm_system_t *sa;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_spawn(&a, &sa, &err), 0);
    gale_sim_run();
    assert_int_equal(gale_cm_system_state(sa), GALE_CM_SYS_STOPPED);
    assert_non_null(strstr(gale_cm_system_last_trap(sa)->reason, "unreachable"));
    gale_cm_component_free(c);
    /* a world without the interface: load error naming the import */
    static const gale_cm_world_t empty = {"empty", NULL, 0, NULL, 0, NULL, 0};
    size_t len;
    uint8_t *b = read_file(PING_WASM, &len);
    assert_int_equal(gale_cm_component_load(NULL, b, len, &empty, &c, &err), GALE_ELINK);
    assert_non_null(strstr(err.message, "pulseengine:gale/message-queue@0.1.0"));
    assert_non_null(strstr(err.message, "not in the world"));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_pong_two_systems),
        cmocka_unit_test(test_async_awaits_sem_timer_msgq),
        cmocka_unit_test(test_async_stats),
        cmocka_unit_test(test_every_resource),
        cmocka_unit_test(test_every_blocking_function_async),
        cmocka_unit_test(test_bad_guests),
        cmocka_unit_test(test_runaway_guest_bounded_by_fuel),
        cmocka_unit_test(test_grants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
