/* meld's pulseengine:async streams against a reference model: random
 * sequences of stream_new / read / write / cancel / drop (and wrong handles,
 * wrong memory index) driven by a mock guest, 200 seeds x 400 steps; every
 * result code and every byte read is compared with the model (a byte FIFO of
 * GALE_CM_MELD_RING_BYTES per stream, armed / cancelled flags per end, the
 * Oom limit of the ring pool), and the pool is whole again at the end. */
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

static void t_wait(gale_cm_instance_t *inst, void *ctx)
{
    (void)inst, (void)ctx;
    fail_msg("unexpected wait");
}
static void t_notify(gale_cm_instance_t *inst, void *ctx)
{
    (void)inst, (void)ctx;
}
static int t_offload(void (*job)(void *), void *arg, void *ctx)
{
    (void)job, (void)arg, (void)ctx;
    return GALE_ENOSYS;
}
static const gale_cm_sched_ops_t sched = {t_wait, t_notify, t_offload, NULL, NULL};

enum { IMP_NEW, IMP_READ, IMP_WRITE, IMP_CREAD, IMP_CWRITE, IMP_DROPR, IMP_DROPW, N_IMP };
static const mock_sig_t imports[N_IMP] = {
    {"pulseengine:async", "stream_new", 0, 1, {I64}, NULL},
    {"pulseengine:async", "stream_read", 4, 1, {I32, I32, I32, I32, I32}, NULL},
    {"pulseengine:async", "stream_write", 4, 1, {I32, I32, I32, I32, I32}, NULL},
    {"pulseengine:async", "stream_cancel_read", 1, 1, {I32, I32}, NULL},
    {"pulseengine:async", "stream_cancel_write", 1, 1, {I32, I32}, NULL},
    {"pulseengine:async", "stream_drop_readable", 1, 0, {I32}, NULL},
    {"pulseengine:async", "stream_drop_writable", 1, 0, {I32}, NULL},
};

#define CAP GALE_CM_MELD_RING_BYTES
#define MAXS 4 /* streams the model keeps live at once (<= the ring pool) */
#define SRC 1024u  /* guest buffers */
#define DST 40000u

typedef struct {
    bool live, r_alive, w_alive;
    int32_t rh, wh;
    uint8_t q[CAP];
    uint32_t head, count;
    bool armed[2], cancelled[2];
} mstream_t;

static mstream_t ms[MAXS];
static uint64_t rng;
static unsigned g_seed, g_step;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

#define EXPECT(got, want)                                                                                             \
    do {                                                                                                              \
        int64_t g_ = (int64_t)(got), w_ = (int64_t)(want);                                                            \
        if (g_ != w_)                                                                                                 \
            fail_msg("seed %u step %u line %d: got %lld, want %lld", g_seed, g_step, __LINE__, (long long)g_,          \
                     (long long)w_);                                                                                  \
    } while (0)

static int32_t call_rw(mock_inst_t *mi, int imp, int32_t h, uint32_t ptr, uint32_t len, uint32_t mem)
{
    return (int32_t)mock_call_import_i32(mi, (uint32_t)imp, 4, (uint32_t)h, ptr, len, mem);
}

static void step(mock_inst_t *mi, uint8_t *mem)
{
    mstream_t *s = &ms[rnd(MAXS)];
    if (!s->live) { /* make one */
        gale_wasm_val_t none[1], res[1];
        memset(res, 0, sizeof res);
        mock_call_import(mi, IMP_NEW, none, res);
        int32_t lo = (int32_t)(uint32_t)res[0].i64, hi = (int32_t)(uint32_t)((uint64_t)res[0].i64 >> 32);
        EXPECT(lo > 0 && hi > 0, 1);
        memset(s, 0, sizeof *s);
        s->live = s->r_alive = s->w_alive = true;
        s->rh = lo, s->wh = hi;
        return;
    }
    switch (rnd(10)) {
    case 0:
    case 1:
    case 2: { /* write */
        if (!s->w_alive)
            return;
        uint32_t len = rnd(4) == 0 ? 0 : rnd(SRC);
        for (uint32_t i = 0; i < len; i++)
            mem[SRC + i] = (uint8_t)rnd(256);
        int32_t r = call_rw(mi, IMP_WRITE, s->wh, SRC, len, 0);
        s->armed[1] = false;
        if (s->cancelled[1]) {
            s->cancelled[1] = false;
            EXPECT(r, GALE_CM_MELD_CANCELLED);
            return;
        }
        if (!s->r_alive) {
            EXPECT(r, GALE_CM_MELD_CLOSED);
            return;
        }
        uint32_t k = len < CAP - s->count ? len : CAP - s->count;
        for (uint32_t i = 0; i < k; i++)
            s->q[(s->head + s->count + i) % CAP] = mem[SRC + i];
        s->count += k;
        if (k < len)
            s->armed[1] = true;
        EXPECT(r, (k == 0 && len > 0) ? GALE_CM_MELD_PENDING : (int32_t)k);
        return;
    }
    case 3:
    case 4:
    case 5: { /* read */
        if (!s->r_alive)
            return;
        uint32_t len = rnd(4) == 0 ? 0 : rnd(CAP + 200);
        int32_t r = call_rw(mi, IMP_READ, s->rh, DST, len, 0);
        s->armed[0] = false;
        if (s->cancelled[0]) {
            s->cancelled[0] = false;
            EXPECT(r, GALE_CM_MELD_CANCELLED);
            return;
        }
        uint32_t k = len < s->count ? len : s->count;
        if (k > 0) {
            EXPECT(r, (int32_t)k);
            for (uint32_t i = 0; i < k; i++)
                EXPECT(mem[DST + i], s->q[(s->head + i) % CAP]);
            s->head = (s->head + k) % CAP;
            s->count -= k;
        } else if (!s->w_alive) {
            EXPECT(r, 0);
        } else {
            s->armed[0] = true;
            EXPECT(r, GALE_CM_MELD_PENDING);
        }
        return;
    }
    case 6: { /* cancel */
        int e = (int)rnd(2);
        if (e == 0 ? !s->r_alive : !s->w_alive)
            return;
        int32_t r = (int32_t)mock_call_import_i32(mi, e == 0 ? IMP_CREAD : IMP_CWRITE, 1, (uint32_t)(e == 0 ? s->rh : s->wh));
        EXPECT(r, s->armed[e] ? 1 : 0);
        if (s->armed[e])
            s->cancelled[e] = true;
        s->armed[e] = false;
        return;
    }
    case 7: { /* wrong end, wrong memory */
        if (s->r_alive && s->w_alive) {
            EXPECT(call_rw(mi, IMP_READ, s->wh, DST, 4, 0), GALE_CM_MELD_INVALID_HANDLE);
            EXPECT(call_rw(mi, IMP_WRITE, s->rh, SRC, 4, 0), GALE_CM_MELD_INVALID_HANDLE);
            EXPECT(call_rw(mi, IMP_READ, s->rh, DST, 4, 1 + rnd(3)), GALE_CM_MELD_RUNTIME);
            /* a rejected call leaves the end's state alone (checked by the next ops) */
        }
        return;
    }
    default: { /* drop one end */
        int e = (int)rnd(2);
        if (e == 0 && s->r_alive) {
            mock_call_import_i32(mi, IMP_DROPR, 1, (uint32_t)s->rh);
            s->r_alive = false;
            EXPECT(call_rw(mi, IMP_READ, s->rh, DST, 4, 0), GALE_CM_MELD_INVALID_HANDLE); /* gone */
        } else if (e == 1 && s->w_alive) {
            mock_call_import_i32(mi, IMP_DROPW, 1, (uint32_t)s->wh);
            s->w_alive = false;
        }
        if (!s->r_alive && !s->w_alive)
            s->live = false;
        return;
    }
    }
}

static int g_drive(mock_inst_t *mi, const gale_wasm_val_t *a, gale_wasm_val_t *r)
{
    (void)a, (void)r;
    uint8_t *mem = mock_mem(mi);
    memset(ms, 0, sizeof ms);
    for (g_step = 0; g_step < 400; g_step++)
        step(mi, mem);
    /* the pool limit: more streams than rings give Oom */
    uint32_t live = 0;
    for (int i = 0; i < MAXS; i++)
        live += ms[i].live ? 1u : 0u;
    int32_t extra[2 * GALE_CM_MELD_RINGS];
    uint32_t n = 0;
    for (;;) {
        gale_wasm_val_t none[1], res[1];
        memset(res, 0, sizeof res);
        mock_call_import(mi, IMP_NEW, none, res);
        int32_t lo = (int32_t)(uint32_t)res[0].i64;
        if (lo < 0) {
            EXPECT(lo, GALE_CM_MELD_OOM);
            EXPECT((uint64_t)res[0].i64 >> 32, 0);
            break;
        }
        extra[n++] = lo;
        extra[n++] = (int32_t)(uint32_t)((uint64_t)res[0].i64 >> 32);
        EXPECT(n <= 2 * GALE_CM_MELD_RINGS, 1);
    }
    EXPECT(n / 2 + live, GALE_CM_MELD_RINGS);
    for (uint32_t i = 0; i < n; i += 2) {
        mock_call_import_i32(mi, IMP_DROPR, 1, (uint32_t)extra[i]);
        mock_call_import_i32(mi, IMP_DROPW, 1, (uint32_t)extra[i + 1]);
    }
    return 0; /* the model's own streams are released when the instance is freed */
}

static const mock_sig_t exports[] = {{NULL, "drive", 0, 0, {0}, g_drive}};
static const mock_module_def_t mod = {imports, N_IMP, exports, 1, 65536};
static const gale_cm_export_decl_t decl[] = {{"", "drive", {0, NULL, NULL, false}}};
static const gale_cm_world_t world = {"meld-model", NULL, 0, NULL, 0, decl, 1};

static void test_meld_streams_against_model(void **state)
{
    (void)state;
    gale_cm_load_opts_t o = {.engine = &mock_engine, .sched = &sched};
    uint32_t base = gale_cm_stream_count();
    for (g_seed = 1; g_seed <= 200; g_seed++) {
        rng = 0x9e3779b97f4a7c15ull * g_seed;
        gale_cm_component_t *c = NULL;
        gale_cm_err_t err = {0};
        if (gale_cm_component_load(&o, (const uint8_t *)&mod, sizeof mod, &world, &c, &err))
            fail_msg("load: %s", err.message);
        gale_cm_instance_t *inst = NULL;
        assert_int_equal(gale_cm_instantiate(c, NULL, UINT64_MAX, &inst, &err), 0);
        if (gale_cm_call_export(inst, "", "drive", NULL, 0, NULL, NULL, &err))
            fail_msg("seed %u: %s", g_seed, err.message);
        gale_cm_instance_free(inst);
        assert_int_equal(gale_cm_stream_count(), base);
        gale_cm_component_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meld_streams_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
