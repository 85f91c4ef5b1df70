/* Streams and futures on the real interpreter: meld's pulseengine:async
 * intrinsics (hand-written "meld output" C guests, clang-14 -> wasm32). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gale/cm.h"

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

/* No kernel here: a task driver that would block is a test failure. */
static void no_wait(gale_cm_instance_t *inst, void *ctx)
{
    (void)inst, (void)ctx;
    fail_msg("the task driver would block: no task can progress");
}
static void no_notify(gale_cm_instance_t *inst, void *ctx)
{
    (void)inst, (void)ctx;
}
static int no_offload(void (*job)(void *), void *arg, void *ctx)
{
    (void)job, (void)arg, (void)ctx;
    return GALE_ENOSYS;
}
static const gale_cm_sched_ops_t g_sched = {no_wait, no_notify, no_offload, NULL};

static int load_rc(const char *path, const gale_cm_world_t *w, gale_cm_component_t **c, gale_cm_err_t *err)
{
    size_t len = 0;
    uint8_t *b = read_file(path, &len);
    if (!b)
        fail_msg("cannot read %s", path);
    gale_cm_load_opts_t o = {.sched = &g_sched};
    int rc = gale_cm_component_load(&o, b, len, w, c, err);
    free(b);
    return rc;
}

static const gale_cm_type_t *const p_u32[] = {&gale_cm_t_u32};
static const gale_cm_export_decl_t meld_exports[] = {
    {"", "produce", {0, NULL, NULL, true}},
    {"", "consume", {0, NULL, &gale_cm_t_u32, true}},
    {"", "probe", {1, p_u32, &gale_cm_t_s32, false}},
    {"", "stat", {1, p_u32, &gale_cm_t_u32, false}},
};
static const gale_cm_world_t meld_world = {"stream-meld", NULL, 0, NULL, 0, meld_exports, 4};

static gale_cm_instance_t *meld_instance(gale_cm_component_t **c)
{
    gale_cm_err_t err = {0};
    if (load_rc(MELD_WASM, &meld_world, c, &err))
        fail_msg("load: %s", err.message);
    gale_cm_instance_t *inst = NULL;
    if (gale_cm_instantiate(*c, NULL, UINT64_MAX, &inst, &err))
        fail_msg("instantiate: %s", err.message);
    return inst;
}

static int64_t call_u32(gale_cm_instance_t *inst, const char *name, uint32_t k, gale_cm_err_t *err)
{
    gale_cm_val_t p = {.kind = GALE_CM_U32, .u.u = k}, r;
    uint8_t buf[64];
    gale_cm_arena_t a;
    gale_cm_arena_init(&a, buf, sizeof buf);
    int rc = gale_cm_call_export(inst, "", name, &p, 1, &r, &a, err);
    if (rc)
        return INT64_MIN;
    return r.kind == GALE_CM_S32 ? r.u.s : (int64_t)r.u.u;
}

static int64_t probe(gale_cm_instance_t *inst, uint32_t k)
{
    gale_cm_err_t err = {0};
    int64_t v = call_u32(inst, "probe", k, &err);
    if (v == INT64_MIN)
        fail_msg("probe %u: %s", (unsigned)k, err.message);
    return v;
}

/* Two async tasks of one instance: the producer writes 4 KB into a stream
 * whose ring holds GALE_CM_MELD_RING_BYTES (partial writes, Pending, events
 * when the consumer drains), the consumer reads 300 bytes at a time, checks
 * every byte, and sees EOF once the producer dropped its end. */
static void test_meld_producer_consumer(void **state)
{
    (void)state;
    gale_cm_component_t *c;
    gale_cm_instance_t *inst = meld_instance(&c);
    gale_cm_err_t err = {0};
    assert_int_equal(gale_cm_task_start(inst, "", "produce", NULL, 0, &err), 0);
    gale_cm_val_t r;
    uint8_t buf[64];
    gale_cm_arena_t a;
    gale_cm_arena_init(&a, buf, sizeof buf);
    int rc = gale_cm_call_export(inst, "", "consume", NULL, 0, &r, &a, &err);
    if (rc)
        fail_msg("consume: %s", err.message);
    assert_int_equal(r.u.u, 4096);
    int64_t partial = call_u32(inst, "stat", 0, &err), wpend = call_u32(inst, "stat", 1, &err),
            wev = call_u32(inst, "stat", 2, &err), rpend = call_u32(inst, "stat", 3, &err),
            rev = call_u32(inst, "stat", 4, &err), reads = call_u32(inst, "stat", 5, &err);
    print_message("partial %lld wpend %lld wev %lld rpend %lld rev %lld reads %lld\n", (long long)partial, (long long)wpend, (long long)wev, (long long)rpend, (long long)rev, (long long)reads);
    assert_true(partial >= 4096 / GALE_CM_MELD_RING_BYTES - 1); /* the ring never takes 4 KB at once */
    assert_true(wpend >= 1);
    assert_int_equal(wev, wpend); /* every Pending write was followed by exactly one event */
    assert_true(rpend >= 1);
    assert_int_equal(rev, rpend);
    assert_true(reads >= 4096 / 300);
    gale_cm_instance_free(inst);
    gale_cm_component_free(c);
}

static void test_meld_codes(void **state)
{
    (void)state;
    gale_cm_component_t *c;
    gale_cm_instance_t *inst = meld_instance(&c);
    gale_cm_err_t err = {0};
    assert_int_equal(probe(inst, 0), GALE_CM_MELD_INVALID_HANDLE);
    assert_int_equal(probe(inst, 1), GALE_CM_MELD_CLOSED);
    assert_int_equal(probe(inst, 2), GALE_CM_MELD_OOM);
    assert_int_equal(call_u32(inst, "stat", 6, &err), GALE_CM_MELD_RINGS);
    assert_int_equal(probe(inst, 3), GALE_CM_MELD_CANCELLED);
    assert_int_equal(probe(inst, 4), GALE_CM_MELD_PENDING);
    assert_int_equal(probe(inst, 5), GALE_CM_MELD_RUNTIME);
    assert_int_equal(probe(inst, 6), 0x12345678);
    assert_int_equal(probe(inst, 7), GALE_CM_MELD_CLOSED);
    assert_int_equal(probe(inst, 8), 0); /* EOF after the buffered bytes */
    assert_int_equal(probe(inst, 9), GALE_CM_MELD_RING_BYTES);
    /* every stream was dropped: the pool is whole again */
    assert_int_equal(probe(inst, 2), GALE_CM_MELD_OOM);
    assert_int_equal(call_u32(inst, "stat", 6, &err), GALE_CM_MELD_RINGS);

    /* out-of-bounds buffer: trap naming the intrinsic */
    assert_int_equal(call_u32(inst, "probe", 10, &err), INT64_MIN);
    assert_int_equal(err.code, GALE_ETRAP);
    const gale_cm_trap_info_t *ti = gale_cm_instance_trap(inst);
    assert_true(ti->trapped);
    assert_non_null(strstr(ti->reason, "stream_read"));
    assert_non_null(strstr(ti->reason, "out of bounds"));
    gale_cm_instance_free(inst); /* releases the stream it left open */

    gale_cm_instance_t *i2 = NULL;
    assert_int_equal(gale_cm_instantiate(c, NULL, UINT64_MAX, &i2, &err), 0);
    assert_int_equal(probe(i2, 2), GALE_CM_MELD_OOM);
    assert_int_equal(call_u32(i2, "stat", 6, &err), GALE_CM_MELD_RINGS);
    assert_int_equal(call_u32(i2, "probe", 11, &err), INT64_MIN);
    assert_non_null(strstr(gale_cm_instance_trap(i2)->reason, "not a live pulseengine:async"));
    gale_cm_instance_free(i2);
    gale_cm_component_free(c);
}

static void test_meld_load_errors(void **state)
{
    (void)state;
    static const gale_cm_export_decl_t ex[] = {{"", "probe", {1, p_u32, &gale_cm_t_s32, false}}};
    static const gale_cm_world_t w = {"probe-only", NULL, 0, NULL, 0, ex, 1};
    gale_cm_component_t *c = NULL;
    gale_cm_err_t err = {0};
    assert_int_equal(load_rc(BADTYPE_WASM, &w, &c, &err), GALE_ELINK);
    assert_non_null(strstr(err.message, "\"pulseengine:async\" \"stream_read\""));
    assert_non_null(strstr(err.message, "wrong core type"));
    assert_non_null(strstr(err.message, "expected (i32 i32 i32 i32) -> (i32), found (i32 i32 i32) -> (i32)"));
    memset(&err, 0, sizeof err);
    assert_int_equal(load_rc(FIBER_WASM, &w, &c, &err), GALE_ELINK);
    assert_non_null(strstr(err.message, "\"thread_new\""));
    assert_non_null(strstr(err.message, "stackful"));
    /* the future value size is bounded */
    size_t len = 0;
    uint8_t *b = read_file(MELD_WASM, &len);
    gale_cm_load_opts_t o = {.sched = &g_sched, .meld_future_bytes = GALE_CM_MELD_FUTURE_MAX + 1};
    assert_int_equal(gale_cm_component_load(&o, b, len, &meld_world, &c, &err), GALE_EINVAL);
    assert_non_null(strstr(err.message, "meld_future_bytes"));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meld_producer_consumer),
        cmocka_unit_test(test_meld_codes),
        cmocka_unit_test(test_meld_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
