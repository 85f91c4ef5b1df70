/* Component instances on a mock engine (C "guest" functions): linking against
 * a world, sync host calls with strings and retptr, async-lowered host calls
 * (offload + SUBTASK event), callback-lifted exports, context slots, resources
 * with destructors and lends, in-instance streams, and every trap path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gale/cm.h"
#include "mock_engine.h"

#define I32 0x7f
#define I64 0x7e

/* ---- scheduling for tests: offloaded jobs run when the instance waits ---- */
static void (*jobs[32])(void *);
static void *job_args[32];
static int njobs, waits_without_jobs;

static void t_wait(gale_cm_instance_t *inst, void *ctx)
{
    (void)inst, (void)ctx;
    if (njobs == 0) {
        waits_without_jobs++;
        return;
    }
    int n = njobs;
    njobs = 0;
    for (int i = 0; i < n; i++)
        jobs[i](job_args[i]);
}

static void t_notify(gale_cm_instance_t *inst, void *ctx)
{
    (void)inst, (void)ctx;
}

static int t_offload(void (*job)(void *), void *arg, void *ctx)
{
    (void)ctx;
    if (njobs >= 32)
        return GALE_ENOMEM;
    jobs[njobs] = job;
    job_args[njobs++] = arg;
    return 0;
}

static const gale_cm_sched_ops_t test_sched = {t_wait, t_notify, t_offload, NULL, NULL};
static gale_cm_load_opts_t opts = {.engine = &mock_engine, .sched = &test_sched};

/* ---- the world ---- */
static const gale_cm_type_t own_thing = {.kind = GALE_CM_OWN, .resource = 0};
static const gale_cm_type_t borrow_thing = {.kind = GALE_CM_BORROW, .resource = 0};
static const gale_cm_type_t *p_s32x2[] = {&gale_cm_t_s32, &gale_cm_t_s32};
static const gale_cm_type_t *p_str[] = {&gale_cm_t_string};
static const gale_cm_type_t *p_u32[] = {&gale_cm_t_u32};
static const gale_cm_type_t *p_borrow[] = {&borrow_thing};

static int dtor_count, last_dtor_rep;
static uint32_t thing_vals[16], next_rep = 1;

static int h_add(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)c, (void)env;
    r->kind = GALE_CM_S32;
    r->u.s = (int32_t)(p[0].u.s + p[1].u.s);
    return 0;
}

static int h_echo(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    char *buf = gale_cm_arena_alloc(c->arena, p[0].u.str.len + 6, 1);
    memcpy(buf, "ECHO:", 5);
    memcpy(buf + 5, p[0].u.str.ptr, p[0].u.str.len);
    r->kind = GALE_CM_STRING;
    r->u.str.ptr = buf;
    r->u.str.len = p[0].u.str.len + 5;
    return 0;
}

typedef struct wait_ctx {
    uint32_t x;
} wait_ctx_t;

static int wait_blocking(void *ctx, gale_cm_val_t *result, gale_cm_arena_t *arena)
{
    (void)arena;
    wait_ctx_t *w = ctx;
    result->kind = GALE_CM_U32;
    result->u.u = w->x * 2;
    return 0;
}

static int h_wait(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    if (!c->async || p[0].u.u == 0) {
        r->kind = GALE_CM_U32;
        r->u.u = p[0].u.u * 2;
        return 0;
    }
    wait_ctx_t w = {(uint32_t)p[0].u.u};
    return gale_cm_call_offload(c, wait_blocking, &w, sizeof w);
}

static int h_ctor(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)c, (void)env;
    uint32_t rep = next_rep++;
    thing_vals[rep % 16] = (uint32_t)p[0].u.u;
    r->kind = GALE_CM_OWN;
    r->u.handle = rep;
    return 0;
}

static int h_get(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)c, (void)env;
    r->kind = GALE_CM_U32;
    r->u.u = thing_vals[p[0].u.handle % 16];
    return 0;
}

static int h_slow(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env, (void)r;
    wait_ctx_t w = {thing_vals[p[0].u.handle % 16]};
    return gale_cm_call_offload(c, wait_blocking, &w, sizeof w);
}

static void thing_dtor(gale_cm_instance_t *inst, void *env, uint32_t rep)
{
    (void)inst, (void)env;
    dtor_count++;
    last_dtor_rep = (int)rep;
}

static const gale_cm_host_func_t funcs[] = {
    {"test:x/api@1.0.0", "add", {2, p_s32x2, &gale_cm_t_s32, false}, h_add, NULL},
    {"test:x/api@1.0.0", "echo", {1, p_str, &gale_cm_t_string, false}, h_echo, NULL},
    {"test:x/api@1.0.0", "wait", {1, p_u32, &gale_cm_t_u32, true}, h_wait, NULL},
    {"test:x/api@1.0.0", "[constructor]thing", {1, p_u32, &own_thing, false}, h_ctor, NULL},
    {"test:x/api@1.0.0", "[method]thing.get", {1, p_borrow, &gale_cm_t_u32, false}, h_get, NULL},
    {"test:x/api@1.0.0", "[method]thing.slow", {1, p_borrow, &gale_cm_t_u32, true}, h_slow, NULL},
};
static const gale_cm_resource_type_t resources[] = {{"test:x/api@1.0.0", "thing", thing_dtor, NULL}};
static const gale_cm_type_t stream_u32 = {.kind = GALE_CM_STREAM, .elem = &gale_cm_t_u32};
static const gale_cm_type_t *p_stream[] = {&stream_u32};
static const gale_cm_export_decl_t exports[] = {
    {"", "greet", {1, p_str, &gale_cm_t_s32, false}},
    {"", "run", {0, NULL, &gale_cm_t_u32, true}},
    {"", "res-test", {0, NULL, &gale_cm_t_u32, false}},
    {"", "streamer", {1, p_stream, NULL, false}},
};
static const gale_cm_world_t world = {"test", funcs, 6, resources, 1, exports, 4};

/* ---- the guest ---- */
enum {
    IMP_ADD, IMP_ECHO, IMP_WAIT, IMP_CTOR, IMP_GET, IMP_DROP, IMP_WSNEW, IMP_JOIN, IMP_SUBDROP, IMP_TASKRET,
    IMP_CTXSET, IMP_CTXGET, IMP_WSWAIT, IMP_SLOW, IMP_SNEW, IMP_SWRITE, IMP_SREAD, IMP_SDROPR, IMP_SDROPW, N_IMP
};
static const mock_sig_t g_imports[N_IMP] = {
    {"test:x/api", "add", 2, 1, {I32, I32, I32}, NULL},
    {"test:x/api", "echo", 3, 0, {I32, I32, I32}, NULL},
    {"test:x/api", "[async-lower]wait", 2, 1, {I32, I32, I32}, NULL},
    {"test:x/api", "[constructor]thing", 1, 1, {I32, I32}, NULL},
    {"test:x/api", "[method]thing.get", 1, 1, {I32, I32}, NULL},
    {"test:x/api", "[resource-drop]thing", 1, 0, {I32}, NULL},
    {"$root", "[waitable-set-new]", 0, 1, {I32}, NULL},
    {"$root", "[waitable-join]", 2, 0, {I32, I32}, NULL},
    {"$root", "[subtask-drop]", 1, 0, {I32}, NULL},
    {"[export]$root", "[task-return]run", 1, 0, {I32}, NULL},
    {"$root", "[context-set-0]", 1, 0, {I32}, NULL},
    {"$root", "[context-get-0]", 0, 1, {I32}, NULL},
    {"$root", "[waitable-set-wait]", 2, 1, {I32, I32, I32}, NULL},
    {"test:x/api", "[async-lower][method]thing.slow", 2, 1, {I32, I32, I32}, NULL},
    {"$root", "[stream-new-0]streamer", 0, 1, {I64}, NULL},
    {"$root", "[async-lower][stream-write-0]streamer", 3, 1, {I32, I32, I32, I32}, NULL},
    {"$root", "[async-lower][stream-read-0]streamer", 3, 1, {I32, I32, I32, I32}, NULL},
    {"$root", "[stream-drop-readable-0]streamer", 1, 0, {I32}, NULL},
    {"$root", "[stream-drop-writable-0]streamer", 1, 0, {I32}, NULL},
};

typedef struct gstate {
    uint32_t heap;
    int mode; /* behaviour switch for trap tests */
    uint32_t ctx_seen;
    uint32_t sh, sset; /* streamer: the readable end it got, its set */
} gstate_t;
static gstate_t gs;

static uint32_t rd32(mock_inst_t *mi, uint32_t p)
{
    uint32_t v;
    memcpy(&v, mock_mem(mi) + p, 4);
    return v;
}

static int g_realloc(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    (void)mi;
    uint32_t al = a[2].i32, sz = a[3].i32;
    gs.heap = (gs.heap + al - 1) & ~(al - 1);
    r[0].i32 = gs.heap;
    gs.heap += sz;
    if (gs.mode == 9) /* misbehaving allocator: out of bounds */
        r[0].i32 = 0xfffff000u;
    return 0;
}

static int g_greet(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    uint32_t ptr = a[0].i32, len = a[1].i32;
    uint32_t sum = mock_call_import_i32(mi, IMP_ADD, 2, len, (uint32_t)mock_mem(mi)[ptr]);
    uint32_t retp = gs.mode == 1 ? 0xfffffff0u : gs.mode == 2 ? 66 : 64;
    mock_call_import_i32(mi, IMP_ECHO, 3, ptr, len, retp);
    uint32_t eptr = rd32(mi, 64), elen = rd32(mi, 68);
    if (memcmp(mock_mem(mi) + eptr, "ECHO:", 5) != 0)
        return 7; /* unreachable */
    r[0].i32 = sum + elen * 1000;
    return 0;
}

static int g_run(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    (void)a;
    mock_call_import_i32(mi, IMP_CTXSET, 1, 77);
    if (gs.mode == 3) { /* exit without task.return */
        r[0].i32 = GALE_CM_EXIT;
        return 0;
    }
    if (gs.mode == 4) { /* bad code */
        r[0].i32 = 9;
        return 0;
    }
    if (gs.mode == 5) { /* WAIT on something that is not a set */
        r[0].i32 = GALE_CM_WAIT | (33u << 4);
        return 0;
    }
    uint32_t ws = mock_call_import_i32(mi, IMP_WSNEW, 0);
    uint32_t st = mock_call_import_i32(mi, IMP_WAIT, 2, 5, 128);
    if ((st & 0xf) == GALE_CM_SUBTASK_RETURNED) {
        mock_call_import_i32(mi, IMP_TASKRET, 1, rd32(mi, 128));
        r[0].i32 = GALE_CM_EXIT;
        return 0;
    }
    mock_call_import_i32(mi, IMP_JOIN, 2, st >> 4, ws);
    r[0].i32 = GALE_CM_WAIT | (ws << 4);
    return 0;
}

static int g_run_cb(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    gs.ctx_seen = mock_call_import_i32(mi, IMP_CTXGET, 0);
    if (a[0].i32 == GALE_CM_EVENT_SUBTASK && a[2].i32 == GALE_CM_SUBTASK_RETURNED) {
        mock_call_import_i32(mi, IMP_JOIN, 2, a[1].i32, 0);
        mock_call_import_i32(mi, IMP_SUBDROP, 1, a[1].i32);
        mock_call_import_i32(mi, IMP_TASKRET, 1, rd32(mi, 128) + 1);
        r[0].i32 = GALE_CM_EXIT;
        return 0;
    }
    return 1;
}

static int g_streamer(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    (void)r;
    if (gs.mode == 13) { /* got a readable end from the host: start a read, wait later */
        gs.sh = a[0].i32;
        if (mock_call_import_i32(mi, IMP_SREAD, 3, gs.sh, 700, 8) != GALE_CM_BLOCKED)
            return 30;
        gs.sset = mock_call_import_i32(mi, IMP_WSNEW, 0);
        mock_call_import_i32(mi, IMP_JOIN, 2, gs.sh, gs.sset);
    }
    return 0;
}

static int g_res_test(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    (void)a;
    uint32_t h = mock_call_import_i32(mi, IMP_CTOR, 1, 7);
    uint32_t v = mock_call_import_i32(mi, IMP_GET, 1, h);
    if (gs.mode == 6) { /* async call lends h, then drop it: trap */
        mock_call_import_i32(mi, IMP_SLOW, 2, h, 256);
        mock_call_import_i32(mi, IMP_DROP, 1, h);
    }
    mock_call_import_i32(mi, IMP_DROP, 1, h);
    if (gs.mode == 7) /* use after drop */
        mock_call_import_i32(mi, IMP_GET, 1, h);
    if (gs.mode == 8) /* double drop */
        mock_call_import_i32(mi, IMP_DROP, 1, h);
    if (gs.mode == 10) { /* a set handle where a resource is expected */
        uint32_t ws = mock_call_import_i32(mi, IMP_WSNEW, 0);
        mock_call_import_i32(mi, IMP_GET, 1, ws);
    }
    if (gs.mode == 11) { /* wait on an empty set */
        uint32_t ws = mock_call_import_i32(mi, IMP_WSNEW, 0);
        mock_call_import_i32(mi, IMP_WSWAIT, 2, ws, 512);
    }
    if (gs.mode == 12) { /* streams: write parks, read completes both */
        gale_wasm_val_t none[1], res[1];
        memset(res, 0, sizeof res);
        mock_call_import(mi, IMP_SNEW, none, res);
        uint32_t rh = (uint32_t)res[0].i64, wh = (uint32_t)(res[0].i64 >> 32);
        static const uint32_t vals[3] = {0x11111111, 0x22222222, 0x33333333};
        memcpy(mock_mem(mi) + 600, vals, 12); /* stream<u32>: 4-byte elements */
        uint32_t w = mock_call_import_i32(mi, IMP_SWRITE, 3, wh, 600, 3);
        if (w != GALE_CM_BLOCKED)
            return 20;
        uint32_t ws = mock_call_import_i32(mi, IMP_WSNEW, 0);
        mock_call_import_i32(mi, IMP_JOIN, 2, wh, ws);
        uint32_t rr = mock_call_import_i32(mi, IMP_SREAD, 3, rh, 700, 8);
        if (rr != (GALE_CM_COPY_COMPLETED | (3u << 4)) || memcmp(mock_mem(mi) + 700, vals, 12) != 0)
            return 21;
        uint32_t code = mock_call_import_i32(mi, IMP_WSWAIT, 2, ws, 512);
        if (code != GALE_CM_EVENT_STREAM_WRITE || rd32(mi, 512) != wh || rd32(mi, 516) != (3u << 4))
            return 22;
        mock_call_import_i32(mi, IMP_JOIN, 2, wh, 0);
        mock_call_import_i32(mi, IMP_SDROPW, 1, wh);
        uint32_t r2 = mock_call_import_i32(mi, IMP_SREAD, 3, rh, 700, 8);
        if (r2 != GALE_CM_COPY_DROPPED)
            return 23;
        mock_call_import_i32(mi, IMP_SDROPR, 1, rh);
        v += 100;
    }
    if (gs.mode == 14) { /* the host wrote into the end streamer got: the event delivers the copy */
        uint32_t code = mock_call_import_i32(mi, IMP_WSWAIT, 2, gs.sset, 512);
        static const uint32_t want[3] = {5, 6, 7};
        if (code != GALE_CM_EVENT_STREAM_READ || rd32(mi, 512) != gs.sh || rd32(mi, 516) != (3u << 4) ||
            memcmp(mock_mem(mi) + 700, want, 12) != 0)
            return 31;
        mock_call_import_i32(mi, IMP_JOIN, 2, gs.sh, 0);
        mock_call_import_i32(mi, IMP_SDROPR, 1, gs.sh);
        v += 200;
    }
    r[0].i32 = v;
    return 0;
}

static const mock_sig_t g_exports[] = {
    {NULL, "cabi_realloc", 4, 1, {I32, I32, I32, I32, I32}, g_realloc},
    {NULL, "greet", 2, 1, {I32, I32, I32}, g_greet},
    {NULL, "[async-lift]run", 0, 1, {I32}, g_run},
    {NULL, "[callback][async-lift]run", 3, 1, {I32, I32, I32, I32}, g_run_cb},
    {NULL, "res-test", 0, 1, {I32}, g_res_test},
    {NULL, "streamer", 1, 0, {I32}, g_streamer},
};
static const mock_module_def_t g_mod = {g_imports, N_IMP, g_exports, 6, 65536};

static gale_cm_component_t *last_comp;

static gale_cm_instance_t *setup_inst(int mode)
{
    memset(&gs, 0, sizeof gs);
    gs.heap = 8192;
    gs.mode = mode;
    njobs = 0;
    gale_cm_component_t *c;
    gale_cm_err_t err = {0};
    int rc = gale_cm_component_load(&opts, (const uint8_t *)&g_mod, sizeof g_mod, &world, &c, &err);
    if (rc)
        fail_msg("load: %s", err.message);
    last_comp = c;
    gale_cm_instance_t *inst;
    rc = gale_cm_instantiate(c, NULL, UINT64_MAX, &inst, &err);
    if (rc)
        fail_msg("instantiate: %s", err.message);
    gale_cm_instance_set_name(inst, "tester");
    return inst;
}

static void teardown_inst(gale_cm_instance_t *inst)
{
    gale_cm_component_t *c = NULL;
    (void)c;
    gale_cm_instance_free(inst);
}

static void free_all_components(void);

static void test_sync_call(void **state)
{
    (void)state;
    gale_cm_instance_t *inst = setup_inst(0);
    uint8_t buf[512];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, buf, sizeof buf);
    gale_cm_val_t p = {.kind = GALE_CM_STRING, .u.str = {"hi", 2}}, r;
    gale_cm_err_t err = {0};
    int rc = gale_cm_call_export(inst, "", "greet", &p, 1, &r, &ar, &err);
    if (rc)
        fail_msg("%s", err.message);
    assert_int_equal(r.kind, GALE_CM_S32);
    assert_int_equal(r.u.s, 2 + 'h' + 7 * 1000);
    assert_int_equal(gale_cm_instance_stats(inst)->host_calls, 2);
    teardown_inst(inst);
    free_all_components();
}

static void test_sync_call_bad_retptr(void **state)
{
    (void)state;
    for (int mode = 1; mode <= 2; mode++) {
        gale_cm_instance_t *inst = setup_inst(mode);
        uint8_t buf[512];
        gale_cm_arena_t ar;
        gale_cm_arena_init(&ar, buf, sizeof buf);
        gale_cm_val_t p = {.kind = GALE_CM_STRING, .u.str = {"hi", 2}}, r;
        gale_cm_err_t err = {0};
        assert_int_equal(gale_cm_call_export(inst, "", "greet", &p, 1, &r, &ar, &err), GALE_ETRAP);
        const gale_cm_trap_info_t *ti = gale_cm_instance_trap(inst);
        assert_true(ti->trapped);
        assert_string_equal(ti->export_name, "greet");
        assert_non_null(strstr(ti->reason, mode == 1 ? "out of bounds" : "misaligned"));
        assert_non_null(strstr(ti->reason, "\"test:x/api\" \"echo\""));
        /* a trapped instance cannot be entered again */
        assert_int_equal(gale_cm_call_export(inst, "", "greet", &p, 1, &r, &ar, &err), GALE_ETRAP);
        assert_non_null(strstr(err.message, "has trapped"));
        teardown_inst(inst);
        free_all_components();
    }
    /* a misbehaving cabi_realloc (out-of-bounds result) traps before any write */
    gale_cm_instance_t *inst = setup_inst(9);
    uint8_t buf[512];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, buf, sizeof buf);
    gale_cm_val_t p = {.kind = GALE_CM_STRING, .u.str = {"hi", 2}}, r;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_call_export(inst, "", "greet", &p, 1, &r, &ar, &err), GALE_ETRAP);
    assert_non_null(strstr(err.message, "cabi_realloc result"));
    teardown_inst(inst);
    free_all_components();
}

static void test_async_export(void **state)
{
    (void)state;
    gale_cm_instance_t *inst = setup_inst(0);
    uint8_t buf[256];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, buf, sizeof buf);
    gale_cm_val_t r;
    gale_cm_err_t err = {0};
    int rc = gale_cm_call_export(inst, "", "run", NULL, 0, &r, &ar, &err);
    if (rc)
        fail_msg("%s", err.message);
    assert_int_equal(r.u.u, 5 * 2 + 1);
    assert_int_equal(gs.ctx_seen, 77); /* context slot saved across callbacks */
    const gale_cm_stats_t *s = gale_cm_instance_stats(inst);
    assert_int_equal(s->subtasks_started, 1);
    assert_int_equal(s->events_delivered, 1);
    assert_int_equal(s->callbacks, 1);
    /* the subtask and the set are gone or idle: only the set remains */
    assert_int_equal(gale_cm_instance_table(inst)->count, 1);
    teardown_inst(inst);
    free_all_components();
}

static void test_async_traps(void **state)
{
    (void)state;
    const char *want[] = {"task exited without calling task.return", "unknown code 9", "not a waitable set"};
    for (int mode = 3; mode <= 5; mode++) {
        gale_cm_instance_t *inst = setup_inst(mode);
        uint8_t buf[256];
        gale_cm_arena_t ar;
        gale_cm_arena_init(&ar, buf, sizeof buf);
        gale_cm_val_t r;
        gale_cm_err_t err = {0};
        assert_int_equal(gale_cm_call_export(inst, "", "run", NULL, 0, &r, &ar, &err), GALE_ETRAP);
        assert_non_null(strstr(gale_cm_instance_trap(inst)->reason, want[mode - 3]));
        assert_string_equal(gale_cm_instance_trap(inst)->export_name, "[async-lift]run");
        teardown_inst(inst);
        free_all_components();
    }
}

static void test_resources(void **state)
{
    (void)state;
    struct {
        int mode;
        int rc;
        const char *msg;
        int dtors;
    } cases[] = {
        {0, 0, NULL, 1},
        {6, GALE_ETRAP, "lent to 1 pending call", 1}, /* dtor runs at instance free */
        {7, GALE_ETRAP, "not a live resource handle", 1},
        {8, GALE_ETRAP, "not a live resource handle", 1},
        {10, GALE_ETRAP, "not a live resource handle (waitable set)", 1},
        {11, GALE_ETRAP, "has no waitables", 1},
        {12, 0, NULL, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dtor_count = 0;
        gale_cm_instance_t *inst = setup_inst(cases[i].mode);
        uint8_t buf[256];
        gale_cm_arena_t ar;
        gale_cm_arena_init(&ar, buf, sizeof buf);
        gale_cm_val_t r;
        gale_cm_err_t err = {0};
        int rc = gale_cm_call_export(inst, "", "res-test", NULL, 0, &r, &ar, &err);
        if (rc != cases[i].rc)
            fail_msg("mode %d: rc %d: %s", cases[i].mode, rc, err.message);
        if (cases[i].msg && !strstr(gale_cm_instance_trap(inst)->reason, cases[i].msg))
            fail_msg("mode %d: reason '%s'", cases[i].mode, gale_cm_instance_trap(inst)->reason);
        if (rc == 0)
            assert_int_equal(r.u.u, cases[i].mode == 12 ? 107 : 7);
        teardown_inst(inst);
        assert_int_equal(dtor_count, cases[i].dtors);
        free_all_components();
    }
}

static unsigned host_end_notified;
static void on_host_end(uint32_t end, void *arg)
{
    (void)arg;
    assert_true(end != 0);
    host_end_notified++;
}

/* A host-held stream<u32>: its readable end is lowered into the guest (export
 * parameter), the host's write parks, the copy runs on the guest's side when
 * it waits on its set; the host sees the result and then the guest's drop. */
static void test_host_end_into_guest(void **state)
{
    (void)state;
    uint32_t base = gale_cm_stream_count();
    gale_cm_instance_t *inst = setup_inst(13);
    uint32_t r = 0, w = 0, r1 = 0, w1 = 0;
    assert_int_equal(gale_cm_stream_new(&stream_u32, &r1, &w1), 0);
    assert_int_equal(gale_cm_stream_new(&gale_cm_t_u32, &r, &w), GALE_EINVAL);
    assert_int_equal(gale_cm_stream_new(&stream_u32, &r, &w), 0);
    assert_int_equal(gale_cm_stream_count(), base + 2);
    gale_cm_err_t err = {0};
    gale_cm_val_t p = {.kind = GALE_CM_STREAM, .u.handle = w}; /* a writable end does not move */
    assert_true(gale_cm_call_export(inst, "", "streamer", &p, 1, NULL, NULL, &err) != 0);
    assert_non_null(strstr(err.message, "not a host-held readable stream end"));
    p.u.handle = r;
    assert_int_equal(gale_cm_call_export(inst, "", "streamer", &p, 1, NULL, NULL, &err), 0);
    assert_int_equal(gs.sh != 0, 1);
    /* the end moved: it is no longer the host's */
    assert_int_equal(gale_cm_end_drop(r), GALE_EINVAL);
    static const gale_cm_val_t vals[3] = {{.kind = GALE_CM_U32, .u.u = 5}, {.kind = GALE_CM_U32, .u.u = 6},
                                          {.kind = GALE_CM_U32, .u.u = 7}};
    host_end_notified = 0;
    assert_int_equal(gale_cm_end_write(w, vals, 3, on_host_end, NULL, &err), GALE_EAGAIN);
    uint32_t packed = 0;
    assert_int_equal(gale_cm_end_result(w, &packed), GALE_EAGAIN); /* the guest has not looked yet */
    gs.mode = 14;
    gale_cm_val_t res;
    gale_cm_arena_t ar;
    uint8_t ab[64];
    gale_cm_arena_init(&ar, ab, sizeof ab);
    int rc = gale_cm_call_export(inst, "", "res-test", NULL, 0, &res, &ar, &err);
    if (rc)
        fail_msg("res-test: %s", err.message);
    assert_int_equal(res.u.u, 207);
    assert_int_equal(host_end_notified, 1);
    assert_int_equal(gale_cm_end_result(w, &packed), 0);
    assert_int_equal(packed, GALE_CM_COPY_COMPLETED | (3u << 4));
    /* the guest dropped its readable end: the next write sees DROPPED */
    assert_int_equal(gale_cm_end_write(w, vals, 1, on_host_end, NULL, &err), GALE_CM_COPY_DROPPED);
    assert_int_equal(gale_cm_end_write(w, vals, 1, on_host_end, NULL, &err), GALE_EINVAL); /* done */
    assert_int_equal(gale_cm_end_drop(w), 0);
    assert_int_equal(gale_cm_stream_count(), base + 1);
    teardown_inst(inst);
    free_all_components();
    /* the other host stream: both ends still the host's */
    assert_int_equal(gale_cm_end_drop(r1), 0);
    assert_int_equal(gale_cm_stream_count(), base + 1);
    assert_int_equal(gale_cm_end_drop(w1), 0);
    assert_int_equal(gale_cm_stream_count(), base);
}

static void test_link_errors(void **state)
{
    (void)state;
    struct {
        mock_sig_t imp;
        const char *msg;
    } cases[] = {
        {{"test:x/api", "add", 2, 1, {I32, I64, I32}, NULL}, "import 0 \"test:x/api\" \"add\": type mismatch: expected (i32 i32) -> (i32), found (i32 i64) -> (i32)"},
        {{"test:x/api", "sub", 2, 1, {I32, I32, I32}, NULL}, "no such function in this interface"},
        {{"test:y/api", "add", 2, 1, {I32, I32, I32}, NULL}, "unknown interface"},
        {{"$root", "[frob]", 0, 0, {0}, NULL}, "unknown marker [frob]"},
        {{"$root", "[waitable-set-new]", 0, 1, {I64}, NULL}, "wrong core type for waitable-set.new"},
        {{"test:x/api", "[async-lower]add", 3, 1, {I32, I32, I32, I32}, NULL}, "not async"},
        {{"test:x/api", "wait", 2, 1, {I32, I32, I64}, NULL}, "(sync) or"},
        {{"[export]$root", "[task-return]greet", 1, 0, {I32}, NULL}, "not async"},
        {{"[export]$root", "[task-return]run", 2, 0, {I32, I32}, NULL}, "does not match the result type"},
        {{"$root", "[context-get-2]", 0, 1, {I32}, NULL}, "context slot"},
        {{"test:x/api", "[resource-drop]nothing", 1, 0, {I32}, NULL}, "unknown resource type"},
        {{"pulseengine:async", "stream_read", 3, 1, {I32, I32, I32, I32}, NULL}, "wrong core type for pulseengine:async stream_read"},
        {{"pulseengine:async", "thread_switch_to", 1, 0, {I32}, NULL}, "stackful fiber intrinsic thread_switch_to"},
        {{"$root", "[stream-new-1]streamer", 0, 1, {I64}, NULL}, "no stream/future number 1"},
        {{"$root", "[future-new-0]streamer", 0, 1, {I64}, NULL}, "is a stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mock_module_def_t m = {&cases[i].imp, 1, g_exports, 6, 65536};
        gale_cm_component_t *c = NULL;
        gale_cm_err_t err = {0};
        int rc = gale_cm_component_load(&opts, (const uint8_t *)&m, sizeof m, &world, &c, &err);
        assert_true(rc == GALE_ELINK || rc == GALE_EINVALID);
        if (!strstr(err.message, cases[i].msg))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.message, cases[i].msg);
        assert_null(c);
    }
    /* a missing export */
    mock_module_def_t m = {g_imports, N_IMP, g_exports, 2, 65536};
    gale_cm_component_t *c = NULL;
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_component_load(&opts, (const uint8_t *)&m, sizeof m, &world, &c, &err), GALE_ELINK);
    assert_non_null(strstr(err.message, "\"[async-lift]run\" missing"));
    /* meld spelling: async-lowered import without the marker, bound by core type */
    mock_sig_t meld_imp[] = {{"test:x/api", "wait", 2, 1, {I32, I32, I32}, NULL}};
    mock_module_def_t m2 = {meld_imp, 1, g_exports, 6, 65536};
    assert_int_equal(gale_cm_component_load(&opts, (const uint8_t *)&m2, sizeof m2, &world, &c, &err), 0);
    gale_cm_component_free(c);
}

static void free_all_components(void)
{
    gale_cm_component_free(last_comp);
    last_comp = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_call),   cmocka_unit_test(test_sync_call_bad_retptr),
        cmocka_unit_test(test_async_export), cmocka_unit_test(test_async_traps),
        cmocka_unit_test(test_resources),   cmocka_unit_test(test_link_errors),
        cmocka_unit_test(test_host_end_into_guest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
