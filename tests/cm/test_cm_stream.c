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
#include "gale/kernel.h"

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

/* No kernel here: when the task driver would block, the test's hook drives
 * the other side (another instance, the host's writes); without a hook, or
 * after too many rounds, it is a test failure. */
static void (*g_wait_hook)(gale_cm_instance_t *inst);
static unsigned g_waits;
static void no_wait(gale_cm_instance_t *inst, void *ctx)
{
    (void)ctx;
    if (!g_wait_hook || ++g_waits > 100000)
        fail_msg("the task driver would block: no task can progress");
    g_wait_hook(inst);
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
static const gale_cm_sched_ops_t g_sched = {no_wait, no_notify, no_offload, NULL, NULL};

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


/* ---- stream<string> ends across the boundary (canonical ABI) ---- */

static const gale_cm_type_t t_stream_str = {.kind = GALE_CM_STREAM, .elem = &gale_cm_t_string};
static const gale_cm_type_t *const p_stream_str[] = {&t_stream_str};
static uint32_t g_make_end;
static int h_make(gale_cm_call_t *call, void *env, const gale_cm_val_t *params, gale_cm_val_t *result)
{
    (void)call, (void)env, (void)params;
    result->kind = GALE_CM_STREAM;
    result->u.handle = g_make_end;
    return 0;
}
static const gale_cm_type_t t_stream_u32 = {.kind = GALE_CM_STREAM, .elem = &gale_cm_t_u32};
static const gale_cm_type_t *const p_stream_u32[] = {&t_stream_u32};
static const gale_cm_type_t t_future_u32 = {.kind = GALE_CM_FUTURE, .elem = &gale_cm_t_u32};
static const gale_cm_host_func_t pair_funcs[] = {
    {"test:s/api", "make", {0, NULL, &t_stream_str, false}, h_make, NULL},
};
static const gale_cm_export_decl_t pair_exports[] = {
    {"", "open", {0, NULL, &t_stream_str, false}},
    {"", "feed", {1, p_u32, NULL, true}},
    {"", "drain", {1, p_stream_str, &gale_cm_t_u32, true}},
    {"", "probe", {1, p_u32, &t_stream_str, false}},
    {"", "fetch", {1, p_u32, &gale_cm_t_u32, false}},
    {"", "numbers", {1, p_stream_u32, NULL, false}},
    {"", "promise", {1, p_u32, &t_future_u32, false}},
};
static const gale_cm_world_t pair_world = {"stream-pair", pair_funcs, 1, NULL, 0, pair_exports, 7};

static gale_cm_instance_t *pair_instance(gale_cm_component_t *c)
{
    gale_cm_err_t err = {0};
    gale_cm_instance_t *inst = NULL;
    if (gale_cm_instantiate(c, NULL, UINT64_MAX, &inst, &err))
        fail_msg("instantiate: %s", err.message);
    return inst;
}

static gale_cm_component_t *pair_component(void)
{
    gale_cm_component_t *c = NULL;
    gale_cm_err_t err = {0};
    if (load_rc(PAIR_WASM, &pair_world, &c, &err))
        fail_msg("load: %s", err.message);
    return c;
}

static uint32_t open_stream(gale_cm_instance_t *inst)
{
    gale_cm_val_t r;
    uint8_t buf[64];
    gale_cm_arena_t a;
    gale_cm_arena_init(&a, buf, sizeof buf);
    gale_cm_err_t err = {0};
    if (gale_cm_call_export(inst, "", "open", NULL, 0, &r, &a, &err))
        fail_msg("open: %s", err.message);
    assert_int_equal(r.kind, GALE_CM_STREAM);
    assert_true(r.u.handle != 0);
    return r.u.handle;
}

static void start_feed(gale_cm_instance_t *inst, uint32_t n)
{
    gale_cm_val_t p = {.kind = GALE_CM_U32, .u.u = n};
    gale_cm_err_t err = {0};
    if (gale_cm_task_start(inst, "", "feed", &p, 1, &err))
        fail_msg("feed: %s", err.message);
}

static gale_cm_instance_t *g_other;
static void poll_other(gale_cm_instance_t *inst)
{
    (void)inst;
    gale_cm_err_t err = {0};
    int rc = gale_cm_poll_tasks(g_other, &err);
    if (rc < 0 && rc != GALE_EAGAIN)
        fail_msg("the other instance: %s", err.message);
}

static int64_t drain(gale_cm_instance_t *inst, uint32_t end, gale_cm_err_t *err)
{
    gale_cm_val_t p = {.kind = GALE_CM_STREAM, .u.handle = end}, r;
    uint8_t buf[64];
    gale_cm_arena_t a;
    gale_cm_arena_init(&a, buf, sizeof buf);
    if (gale_cm_call_export(inst, "", "drain", &p, 1, &r, &a, err))
        return -1;
    return r.u.u;
}

/* Two instances of one component: A creates a stream<string>, its readable
 * end goes to the host (export result) and from there into B (export
 * parameter); A's task writes 10 strings in batches of 4, B's task reads 3 at
 * a time: every string is lifted from A's memory and lowered into B's with
 * B's cabi_realloc (B checks the text and that it lies in its own heap). */
static void test_pair_guest_to_guest(void **state)
{
    (void)state;
    uint32_t base = gale_cm_stream_count();
    gale_cm_component_t *c = pair_component();
    gale_cm_instance_t *a = pair_instance(c), *b = pair_instance(c);
    uint32_t end = open_stream(a);
    assert_int_equal(gale_cm_stream_count(), base + 1);
    start_feed(a, 10);
    g_other = a;
    g_wait_hook = poll_other;
    gale_cm_err_t err = {0};
    int64_t got = drain(b, end, &err);
    g_wait_hook = NULL;
    if (got < 0)
        fail_msg("drain: %s", err.message);
    assert_int_equal(got, 10);
    assert_int_equal(gale_cm_poll_tasks(a, &err), 0); /* the feed task finished too */
    assert_int_equal(gale_cm_stream_count(), base);  /* both ends dropped */
    gale_cm_instance_free(a);
    gale_cm_instance_free(b);
    gale_cm_component_free(c);
}

static unsigned g_host_notified;
static void host_notify(uint32_t end, void *arg)
{
    (void)arg;
    assert_true(end != 0);
    g_host_notified++;
}

static void check_msg(const gale_cm_val_t *v, uint32_t i)
{
    char want[16];
    snprintf(want, sizeof want, "msg-%u", (unsigned)i);
    assert_int_equal(v->kind, GALE_CM_STRING);
    assert_int_equal(v->u.str.len, strlen(want));
    assert_memory_equal(v->u.str.ptr, want, v->u.str.len);
}

/* The host reads a guest's stream: values lifted into the host's arena. */
static void test_host_reads_guest(void **state)
{
    (void)state;
    uint32_t base = gale_cm_stream_count();
    gale_cm_component_t *c = pair_component();
    gale_cm_instance_t *a = pair_instance(c);
    uint32_t end = open_stream(a);
    gale_cm_err_t err = {0};
    /* a read before any write waits; the guest's first write completes it */
    gale_cm_val_t out[5];
    uint8_t abuf[512];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, abuf, sizeof abuf);
    g_host_notified = 0;
    assert_int_equal(gale_cm_end_read(end, out, 5, &ar, host_notify, NULL, &err), GALE_EAGAIN);
    uint32_t packed = 0;
    assert_int_equal(gale_cm_end_result(end, &packed), GALE_EAGAIN);
    assert_int_equal(gale_cm_end_read(end, out, 5, &ar, host_notify, NULL, &err), GALE_EBUSY);
    start_feed(a, 7); /* writes 0..3: the host's parked read takes them at once */
    assert_int_equal(g_host_notified, 1);
    assert_int_equal(gale_cm_end_result(end, &packed), 0);
    assert_int_equal(packed, GALE_CM_COPY_COMPLETED | (4u << 4));
    for (uint32_t i = 0; i < 4; i++)
        check_msg(&out[i], i);
    uint32_t got = 4;
    for (int round = 0; round < 10; round++) {
        int rc = gale_cm_poll_tasks(a, &err); /* the guest writes its next batch */
        assert_true(rc == 0 || rc == GALE_EAGAIN);
        ar.used = 0;
        rc = gale_cm_end_read(end, out, 2, &ar, host_notify, NULL, &err);
        assert_true(rc >= 0); /* the writer is parked or gone: done at once */
        for (uint32_t i = 0; i < ((uint32_t)rc >> 4); i++)
            check_msg(&out[i], got + i);
        got += (uint32_t)rc >> 4;
        if ((rc & 0xf) == GALE_CM_COPY_DROPPED)
            break;
    }
    assert_int_equal(got, 7);
    assert_int_equal(g_host_notified, 1); /* only the read that waited was notified */
    assert_int_equal(gale_cm_end_read(end, out, 2, &ar, host_notify, NULL, &err), GALE_EINVAL); /* done */
    assert_int_equal(gale_cm_end_drop(end), 0);
    assert_int_equal(gale_cm_stream_count(), base);
    gale_cm_instance_free(a);
    gale_cm_component_free(c);
}

/* The host writes strings into a guest's stream (lowered with the guest's
 * cabi_realloc on the guest's thread), in batches of 2, then drops it. */
static uint32_t g_hw_end, g_hw_sent, g_hw_total, g_hw_inflight;
static gale_cm_val_t g_hw_vals[9];
static char g_hw_text[9][16];
static void host_writer(gale_cm_instance_t *inst)
{
    (void)inst;
    uint32_t packed;
    if (g_hw_inflight) {
        int rc = gale_cm_end_result(g_hw_end, &packed);
        if (rc == GALE_EAGAIN)
            fail_msg("host write still waiting while the guest waits too");
        assert_int_equal(rc, 0);
        assert_int_equal(packed & 0xf, GALE_CM_COPY_COMPLETED);
        g_hw_sent += packed >> 4;
        g_hw_inflight = 0;
    }
    if (g_hw_sent < g_hw_total) {
        gale_cm_err_t err = {0};
        uint32_t n = g_hw_total - g_hw_sent < 2 ? g_hw_total - g_hw_sent : 2;
        assert_int_equal(gale_cm_end_write(g_hw_end, &g_hw_vals[g_hw_sent], n, host_notify, NULL, &err), GALE_EAGAIN);
        g_hw_inflight = 1;
    } else if (g_hw_end) {
        assert_int_equal(gale_cm_end_drop(g_hw_end), 0);
        g_hw_end = 0;
    }
}

static void test_host_writes_guest(void **state)
{
    (void)state;
    uint32_t base = gale_cm_stream_count();
    gale_cm_component_t *c = pair_component();
    gale_cm_instance_t *b = pair_instance(c);
    uint32_t r = 0, w = 0;
    assert_int_equal(gale_cm_stream_new(&t_stream_str, &r, &w), 0);
    for (uint32_t i = 0; i < 9; i++) {
        int n = snprintf(g_hw_text[i], sizeof g_hw_text[i], "msg-%u", (unsigned)i);
        g_hw_vals[i].kind = GALE_CM_STRING;
        g_hw_vals[i].u.str.ptr = g_hw_text[i];
        g_hw_vals[i].u.str.len = (uint32_t)n;
    }
    g_hw_end = w, g_hw_sent = 0, g_hw_total = 9, g_hw_inflight = 0;
    host_writer(NULL); /* first batch parked before the guest reads */
    g_wait_hook = host_writer;
    gale_cm_err_t err = {0};
    int64_t got = drain(b, r, &err);
    g_wait_hook = NULL;
    if (got < 0)
        fail_msg("drain: %s", err.message);
    assert_int_equal(got, 9);
    assert_int_equal(g_hw_sent, 9);
    assert_int_equal(gale_cm_stream_count(), base);
    /* a future made by the host, written before anyone reads: host to host */
    static const gale_cm_type_t fut_u32 = {.kind = GALE_CM_FUTURE, .elem = &gale_cm_t_u32};
    assert_int_equal(gale_cm_stream_new(&fut_u32, &r, &w), 0);
    gale_cm_val_t v = {.kind = GALE_CM_U32, .u.u = 42}, o;
    uint8_t ab[16];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, ab, sizeof ab);
    assert_int_equal(gale_cm_end_write(w, &v, 2, NULL, NULL, &err), GALE_EINVAL); /* a future moves one value */
    assert_int_equal(gale_cm_end_write(w, &v, 1, NULL, NULL, &err), GALE_EAGAIN);
    assert_int_equal(gale_cm_end_read(w, &o, 1, &ar, NULL, NULL, &err), GALE_EINVAL); /* wrong direction */
    assert_int_equal(gale_cm_end_read(r, &o, 1, &ar, NULL, NULL, &err), GALE_CM_COPY_COMPLETED);
    assert_int_equal(o.u.u, 42);
    uint32_t packed;
    assert_int_equal(gale_cm_end_result(w, &packed), 0);
    assert_int_equal(packed, GALE_CM_COPY_COMPLETED);
    assert_int_equal(gale_cm_end_drop(r), 0);
    assert_int_equal(gale_cm_end_drop(w), 0);
    assert_int_equal(gale_cm_end_drop(w), GALE_EINVAL);
    /* a host read cancelled */
    assert_int_equal(gale_cm_stream_new(&t_stream_str, &r, &w), 0);
    assert_int_equal(gale_cm_end_read(r, &o, 1, &ar, NULL, NULL, &err), GALE_EAGAIN);
    assert_int_equal(gale_cm_end_cancel(r, &packed), 0);
    assert_int_equal(packed, GALE_CM_COPY_CANCELLED);
    assert_int_equal(gale_cm_end_drop(r), 0);
    assert_int_equal(gale_cm_end_write(w, &v, 1, NULL, NULL, &err), GALE_CM_COPY_DROPPED);
    assert_int_equal(gale_cm_end_drop(w), 0);
    assert_int_equal(gale_cm_stream_count(), base);
    gale_cm_instance_free(b);
    gale_cm_component_free(c);
}

/* A host import returns a stream<string>: the host-held readable end is
 * lowered into the guest (host-call result) and the host's parked write is
 * copied by the guest's read; a built-in of another element type traps. */
static void test_host_call_returns_stream(void **state)
{
    (void)state;
    uint32_t base = gale_cm_stream_count();
    gale_cm_component_t *c = pair_component();
    gale_cm_instance_t *inst = pair_instance(c);
    uint32_t r, w;
    assert_int_equal(gale_cm_stream_new(&t_stream_str, &r, &w), 0);
    static const gale_cm_val_t vals[2] = {{.kind = GALE_CM_STRING, .u.str = {"msg-0", 5}},
                                          {.kind = GALE_CM_STRING, .u.str = {"msg-1", 5}}};
    gale_cm_err_t err = {0};
    g_host_notified = 0;
    assert_int_equal(gale_cm_end_write(w, vals, 2, host_notify, NULL, &err), GALE_EAGAIN);
    g_make_end = r;
    assert_int_equal(call_u32(inst, "fetch", 0, &err), 2);
    assert_int_equal(g_host_notified, 1);
    uint32_t packed;
    assert_int_equal(gale_cm_end_result(w, &packed), 0);
    assert_int_equal(packed, GALE_CM_COPY_COMPLETED | (2u << 4));
    assert_int_equal(gale_cm_end_write(w, vals, 1, NULL, NULL, &err), GALE_CM_COPY_DROPPED);
    assert_int_equal(gale_cm_end_drop(w), 0);
    assert_int_equal(gale_cm_stream_count(), base);
    /* the same end read by a stream<u32> built-in */
    assert_int_equal(gale_cm_stream_new(&t_stream_str, &r, &w), 0);
    g_make_end = r;
    assert_int_equal(call_u32(inst, "fetch", 1, &err), INT64_MIN);
    assert_non_null(strstr(gale_cm_instance_trap(inst)->reason, "carries string elements, this built-in u32"));
    gale_cm_instance_t *i2 = pair_instance(c);
    /* a guest's future<u32> returned to the host: its parked write is read */
    gale_cm_val_t p = {.kind = GALE_CM_U32, .u.u = 99}, fr, o;
    uint8_t fb[32];
    gale_cm_arena_t far;
    gale_cm_arena_init(&far, fb, sizeof fb);
    assert_int_equal(gale_cm_call_export(i2, "", "promise", &p, 1, &fr, &far, &err), 0);
    assert_int_equal(fr.kind, GALE_CM_FUTURE);
    assert_int_equal(gale_cm_end_read(fr.u.handle, &o, 1, &far, NULL, NULL, &err), GALE_CM_COPY_COMPLETED);
    assert_int_equal(o.kind, GALE_CM_U32);
    assert_int_equal(o.u.u, 99);
    assert_int_equal(gale_cm_end_read(fr.u.handle, &o, 1, &far, NULL, NULL, &err), GALE_EINVAL); /* done */
    assert_int_equal(gale_cm_end_drop(fr.u.handle), 0);
    gale_cm_instance_free(i2);
    gale_cm_instance_free(inst);
    assert_int_equal(gale_cm_end_write(w, vals, 1, NULL, NULL, &err), GALE_CM_COPY_DROPPED);
    assert_int_equal(gale_cm_end_drop(w), 0);
    assert_int_equal(gale_cm_stream_count(), base);
    gale_cm_component_free(c);
}

/* The transfer rules: only idle readable ends outside waitable sets move. */
static void test_transfer_rules(void **state)
{
    (void)state;
    uint32_t base = gale_cm_stream_count();
    gale_cm_component_t *c = pair_component();
    static const struct {
        uint32_t k;
        const char *msg;
    } cases[] = {
        {0, "is a writable stream end (only readable ends are passed)"},
        {1, "is in waitable set"},
        {2, "is not live"},
        {3, "cannot be transferred while a read is in flight"},
        {5, "string with both ends in one instance"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gale_cm_instance_t *inst = pair_instance(c);
        gale_cm_err_t err = {0};
        assert_int_equal(call_u32(inst, "probe", cases[i].k, &err), INT64_MIN);
        assert_int_equal(err.code, GALE_ETRAP);
        if (!strstr(gale_cm_instance_trap(inst)->reason, cases[i].msg))
            fail_msg("case %u: '%s' lacks '%s'", (unsigned)cases[i].k, gale_cm_instance_trap(inst)->reason,
                     cases[i].msg);
        gale_cm_instance_free(inst);
        assert_int_equal(gale_cm_stream_count(), base); /* freeing the instance released its ends */
    }
    /* a good one: the readable end is the host's; the writable stays in the guest */
    gale_cm_instance_t *inst = pair_instance(c);
    gale_cm_err_t err = {0};
    int64_t id = call_u32(inst, "probe", 7, &err);
    assert_true(id > 0);
    assert_int_equal(gale_cm_stream_count(), base + 1);
    /* lowering something that is not a host-held readable end fails */
    assert_int_equal(drain(inst, (uint32_t)id + 1, &err), -1);
    assert_non_null(strstr(err.message, "not a host-held readable stream end"));
    assert_int_equal(gale_cm_poll_tasks(inst, &err), 0); /* the task that could not start is gone */
    gale_cm_instance_free(inst); /* the writer goes: the host end sees DROPPED */
    gale_cm_val_t o;
    uint8_t ab[64];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, ab, sizeof ab);
    assert_int_equal(gale_cm_end_read((uint32_t)id, &o, 1, &ar, NULL, NULL, &err), GALE_CM_COPY_DROPPED);
    assert_int_equal(gale_cm_end_drop((uint32_t)id), 0);
    assert_int_equal(gale_cm_stream_count(), base);
    gale_cm_component_free(c);
}

/* ---- the same across two kernel threads (kernel-backed scheduling) ----
 * A's thread opens the stream and feeds it, B's thread drains it; the ends
 * meet through the host. Many runs: priorities A>B, B>A, equal; batch counts;
 * one core (deterministic) and two cores in real time (two OS threads run
 * the two instances in parallel). */
static gale_cm_instance_t *g_ta, *g_tb;
static gale_sem_t g_opened;
static volatile uint32_t g_end, g_n;
static volatile int64_t g_drained;
static volatile int g_feed_rc;
static char g_thread_msg[256];
static volatile int g_threads_done;

static void thread_done(void)
{
    unsigned int key = gale_kernel_irq_lock();
    int n = ++g_threads_done;
    gale_kernel_irq_unlock(key);
    if (n == 2)
        gale_sim_stop(); /* the worker threads wait forever: end the run here */
}

static void thread_a(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_cm_val_t r, p = {.kind = GALE_CM_U32, .u.u = g_n};
    uint8_t buf[64];
    gale_cm_arena_t a;
    gale_cm_arena_init(&a, buf, sizeof buf);
    gale_cm_err_t err = {0};
    if (gale_cm_call_export(g_ta, "", "open", NULL, 0, &r, &a, &err)) {
        snprintf(g_thread_msg, sizeof g_thread_msg, "open: %s", err.message);
        g_feed_rc = -1;
        gale_kernel_sem_give(&g_opened);
        thread_done();
        return;
    }
    g_end = r.u.handle;
    gale_kernel_sem_give(&g_opened);
    g_feed_rc = gale_cm_call_export(g_ta, "", "feed", &p, 1, NULL, NULL, &err);
    if (g_feed_rc)
        snprintf(g_thread_msg, sizeof g_thread_msg, "feed: %s", err.message);
    thread_done();
}

static void thread_b(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_kernel_sem_take(&g_opened, GALE_FOREVER);
    if (g_end) {
        gale_cm_err_t err = {0};
        g_drained = drain(g_tb, g_end, &err);
        if (g_drained < 0)
            snprintf(g_thread_msg, sizeof g_thread_msg, "drain: %s", err.message);
    }
    thread_done();
}

static void test_pair_two_threads(void **state)
{
    (void)state;
    static _Alignas(16) uint8_t stack_a[256 * 1024], stack_b[256 * 1024];
    uint32_t base = gale_cm_stream_count();
    for (int run = 0; run < 18; run++) {
        bool rt = run >= 9;
        gale_sim_config_t sc = {.cpus = rt ? 2 : 1, .mode = rt ? GALE_SIM_REALTIME : GALE_SIM_DETERMINISTIC,
                                .time_limit_ns = 20ull * 1000000000ull, .quiet = true};
        assert_int_equal(gale_sim_setup(&sc), 0);
        assert_int_equal(gale_kernel_init(), 0);
        assert_int_equal(gale_cm_kernel_init(GALE_PRIO_PREEMPT(0)), 0);
        gale_cm_component_t *c = NULL;
        gale_cm_err_t err = {0};
        size_t len = 0;
        uint8_t *bytes = read_file(PAIR_WASM, &len);
        assert_int_equal(gale_cm_component_load(NULL, bytes, len, &pair_world, &c, &err), 0); /* kernel sched */
        free(bytes);
        g_ta = pair_instance(c);
        g_tb = pair_instance(c);
        gale_kernel_sem_init(&g_opened, 0, 1);
        g_threads_done = 0;
        g_end = 0, g_n = 3u + (uint32_t)run * 7u, g_drained = -2, g_feed_rc = -2, g_thread_msg[0] = 0;
        static const int prios[3][2] = {{4, 6}, {6, 4}, {5, 5}};
        gale_thread_t ta, tb;
        memset(&ta, 0, sizeof ta);
        memset(&tb, 0, sizeof tb);
        assert_int_equal(gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, thread_a, NULL, NULL, NULL,
                                                   GALE_PRIO_PREEMPT(prios[run % 3][0]), 0, GALE_FOREVER), 0);
        assert_int_equal(gale_kernel_thread_create(&tb, stack_b, sizeof stack_b, thread_b, NULL, NULL, NULL,
                                                   GALE_PRIO_PREEMPT(prios[run % 3][1]), 0, GALE_FOREVER), 0);
        if (rt) {
            gale_kernel_thread_cpu_pin(&ta, 0);
            gale_kernel_thread_cpu_pin(&tb, 1);
        }
        gale_kernel_thread_start(&ta);
        gale_kernel_thread_start(&tb);
        int sim = gale_sim_run();
        if (sim != 0 || g_feed_rc != 0 || g_drained != (int64_t)g_n)
            fail_msg("run %d (n %u): sim %d, feed %d, drained %lld: %s", run, (unsigned)g_n, sim, g_feed_rc,
                     (long long)g_drained, g_thread_msg);
        assert_int_equal(gale_cm_stream_count(), base);
        gale_cm_instance_free(g_ta);
        gale_cm_instance_free(g_tb);
        gale_cm_component_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meld_producer_consumer),
        cmocka_unit_test(test_meld_codes),
        cmocka_unit_test(test_meld_load_errors),
        cmocka_unit_test(test_pair_guest_to_guest),
        cmocka_unit_test(test_host_reads_guest),
        cmocka_unit_test(test_host_writes_guest),
        cmocka_unit_test(test_host_call_returns_stream),
        cmocka_unit_test(test_transfer_rules),
        cmocka_unit_test(test_pair_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
