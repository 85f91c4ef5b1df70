/* pulseengine:gale@0.1.0 world kernel-primitives: the host side. See gale/host.h. */
#include <stdio.h>
#include <string.h>

#include "gale/host.h"

#define IFACE(x) "pulseengine:gale/" x "@0.1.0"

/* ------------------------------------------------------------------------- */
/* Types of the package                                                       */
/* ------------------------------------------------------------------------- */

static const char *const ke_names[] = {"invalid-argument", "busy",     "again",    "no-memory",
                                       "permission-denied", "broken-pipe", "overflow", "no-message"};
static const gale_cm_type_t t_ke = {.kind = GALE_CM_ENUM, .n = 8, .names = ke_names};
static const gale_cm_type_t *timeout_cases[] = {NULL, NULL, &gale_cm_t_u32};
static const gale_cm_type_t t_timeout = {.kind = GALE_CM_VARIANT, .n = 3, .members = timeout_cases};
static const gale_cm_type_t t_bytes = {.kind = GALE_CM_LIST, .elem = &gale_cm_t_u8};
static const gale_cm_type_t *r_unit_m[] = {NULL, &t_ke};
static const gale_cm_type_t t_r_unit = {.kind = GALE_CM_RESULT, .n = 2, .members = r_unit_m};
static const gale_cm_type_t *r_bytes_m[] = {&t_bytes, &t_ke};
static const gale_cm_type_t t_r_bytes = {.kind = GALE_CM_RESULT, .n = 2, .members = r_bytes_m};
static const gale_cm_type_t *r_u32_m[] = {&gale_cm_t_u32, &t_ke};
static const gale_cm_type_t t_r_u32 = {.kind = GALE_CM_RESULT, .n = 2, .members = r_u32_m};
static const gale_cm_type_t *r_u64_m[] = {&gale_cm_t_u64, &t_ke};
static const gale_cm_type_t t_r_u64 = {.kind = GALE_CM_RESULT, .n = 2, .members = r_u64_m};

#define RES_TYPES(k)                                                                                                   \
    static const gale_cm_type_t t_own_##k = {.kind = GALE_CM_OWN, .resource = GALE_HOST_##k};                         \
    static const gale_cm_type_t t_borrow_##k = {.kind = GALE_CM_BORROW, .resource = GALE_HOST_##k};                   \
    static const gale_cm_type_t *r_own_##k##_m[] = {&t_own_##k, &t_ke};                                               \
    static const gale_cm_type_t t_r_own_##k = {.kind = GALE_CM_RESULT, .n = 2, .members = r_own_##k##_m};             \
    __attribute__((unused)) static const gale_cm_type_t *p_self_##k[] = {&t_borrow_##k};                                                    \
    __attribute__((unused)) static const gale_cm_type_t *p_self_to_##k[] = {&t_borrow_##k, &t_timeout};                                       \
    __attribute__((unused)) static const gale_cm_type_t *p_self_u32_##k[] = {&t_borrow_##k, &gale_cm_t_u32};
RES_TYPES(SEM)
RES_TYPES(MTX)
RES_TYPES(CV)
RES_TYPES(MSGQ)
RES_TYPES(STK)
RES_TYPES(PIP)
RES_TYPES(EVT)
RES_TYPES(TMR)
RES_TYPES(SLAB)

static const gale_cm_type_t *p_str[] = {&gale_cm_t_string};
static const gale_cm_type_t *p_u32[] = {&gale_cm_t_u32};
static const gale_cm_type_t *p_u32x2[] = {&gale_cm_t_u32, &gale_cm_t_u32};
static const gale_cm_type_t *p_cv_wait_mutex[] = {&t_borrow_CV, &t_borrow_MTX, &t_timeout};
static const gale_cm_type_t *p_msgq_put[] = {&t_borrow_MSGQ, &t_bytes, &t_timeout};
static const gale_cm_type_t *p_stk_push[] = {&t_borrow_STK, &gale_cm_t_u64};
static const gale_cm_type_t *p_pip_write[] = {&t_borrow_PIP, &t_bytes, &t_timeout};
static const gale_cm_type_t *p_pip_read[] = {&t_borrow_PIP, &gale_cm_t_u32, &t_timeout};
static const gale_cm_type_t *p_evt_wait[] = {&t_borrow_EVT, &gale_cm_t_u32, &gale_cm_t_bool, &t_timeout};

/* ------------------------------------------------------------------------- */
/* Objects                                                                    */
/* ------------------------------------------------------------------------- */

typedef struct host_mtx {
    gale_sem_t sem; /* binary: 1 = free */
    gale_cm_instance_t *owner;
    uint32_t depth;
} host_mtx_t;

struct op;
typedef struct host_cv {
    gale_condvar_t cv; /* sync-lowered waiters (blocked in the kernel) */
    gale_mutex_t m;
    /* async-lowered waits not signalled yet, oldest first (under m): each is
     * in the list from before its guest sees STARTED until a signal or
     * broadcast takes it out (and gives its wake semaphore), its timeout or
     * its cancel: a signal sent after STARTED is never lost */
    struct op *head, *tail;
} host_cv_t;

#define STK_MAX 64
typedef struct host_stk {
    gale_stack_t s;
    gale_stack_data_t slots_idx[STK_MAX];
    uint64_t vals[STK_MAX];
    uint64_t used; /* bitmap of vals[] */
} host_stk_t;

typedef struct host_obj {
    uint8_t kind;
    bool used, owned;
    const char *name; /* shared name, or NULL */
    void *k;          /* the kernel (or host) object */
    union {
        gale_sem_t sem;
        host_mtx_t mtx;
        host_cv_t cv;
        gale_msgq_t msgq;
        host_stk_t stk;
        gale_pipe_t pip;
        gale_event_t evt;
        gale_timer_t tmr;
        gale_mem_slab_t slab;
    } u;
    uint32_t buf_off, buf_blocks; /* storage in g_buf (owned msgq/pipe/slab) */
    uint32_t period_ms;           /* owned timers */
} host_obj_t;

static host_obj_t g_objs[GALE_HOST_MAX_OBJECTS];
static struct {
    const char *name;
    uint8_t kind;
    void *k;
    host_mtx_t mtx;
    host_cv_t cv;
} g_shared[GALE_HOST_MAX_SHARED];

#define BLK 32u
#define NBLK (GALE_HOST_BUF_BYTES / BLK)
static _Alignas(8) uint8_t g_buf[GALE_HOST_BUF_BYTES];
static uint8_t g_blk_used[NBLK];

/* String equality. Not strcmp: newlib's strcmp for ARMv7-M is 0.7 KiB of
 * word-at-a-time code, and only equality of short names is needed here. */
static bool host_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void (*g_trace)(const char *line, void *user);
static void *g_trace_user;

static const char *const kind_names[] = {"sem", "mtx", "cv", "msgq", "stk", "pip", "evt", "tmr", "slab"};

static bool g_async_workers;

void gale_host_set_async_workers(bool on)
{
    g_async_workers = on;
}

void gale_host_set_trace(void (*fn)(const char *line, void *user), void *user)
{
    g_trace = fn;
    g_trace_user = user;
}

#if GALE_CONFIG_DIAG
static void trace(gale_cm_call_t *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
#include <stdarg.h>
static void trace(gale_cm_call_t *c, const char *fmt, ...)
{
    if (!g_trace)
        return;
    char line[200];
    const gale_host_ctx_t *hc = c ? gale_cm_instance_host_ctx(c->inst) : NULL;
    uint64_t us = gale_kernel_uptime_us();
    int n = snprintf(line, sizeof line, "[%6llu.%03llu ms] %-8s ", (unsigned long long)(us / 1000),
                     (unsigned long long)(us % 1000),
                     hc && hc->system ? hc->system : (c ? gale_cm_instance_name(c->inst) : "host"));
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    g_trace(line, g_trace_user);
}
#else
/* GALE_CONFIG_DIAG=0 (gale/config.h): no trace lines (gale_host_set_trace has
 * no effect); the format strings are compiled out. */
static inline __attribute__((format(printf, 2, 3))) void trace(gale_cm_call_t *c, const char *fmt, ...)
{
    (void)c;
    (void)fmt;
}
#endif

void gale_host_reset(void)
{
    memset(g_objs, 0, sizeof g_objs);
    memset(g_shared, 0, sizeof g_shared);
    memset(g_blk_used, 0, sizeof g_blk_used);
}

uint32_t gale_host_live_objects(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < GALE_HOST_MAX_OBJECTS; i++)
        n += g_objs[i].used && g_objs[i].owned;
    return n;
}

static void *buf_alloc(host_obj_t *o, size_t bytes)
{
    uint32_t need = (uint32_t)((bytes + BLK - 1) / BLK);
    if (need == 0 || need > NBLK)
        return NULL;
    for (uint32_t s = 0; s + need <= NBLK; s++) {
        uint32_t k;
        for (k = 0; k < need && !g_blk_used[s + k]; k++)
            ;
        if (k == need) {
            memset(&g_blk_used[s], 1, need);
            o->buf_off = s;
            o->buf_blocks = need;
            return &g_buf[s * BLK];
        }
        s += k;
    }
    return NULL;
}

static void buf_free(host_obj_t *o)
{
    if (o->buf_blocks)
        memset(&g_blk_used[o->buf_off], 0, o->buf_blocks);
    o->buf_blocks = 0;
}

static host_obj_t *obj_new(uint8_t kind)
{
    for (uint32_t i = 0; i < GALE_HOST_MAX_OBJECTS; i++)
        if (!g_objs[i].used) {
            memset(&g_objs[i], 0, sizeof g_objs[i]);
            g_objs[i].used = true;
            g_objs[i].kind = kind;
            return &g_objs[i];
        }
    return NULL;
}

static uint32_t rep_of(host_obj_t *o)
{
    return (uint32_t)(o - g_objs) + 1u;
}

static host_obj_t *obj_of(uint32_t rep, uint8_t kind)
{
    if (rep == 0 || rep > GALE_HOST_MAX_OBJECTS)
        return NULL;
    host_obj_t *o = &g_objs[rep - 1];
    return (o->used && o->kind == kind) ? o : NULL;
}

int gale_host_share(const char *name, gale_host_kind_t kind, void *obj)
{
    if (!name || kind >= GALE_HOST_KIND_COUNT)
        return GALE_EINVAL;
    if ((kind == GALE_HOST_MTX || kind == GALE_HOST_CV) ? obj != NULL : obj == NULL)
        return GALE_EINVAL;
    for (uint32_t i = 0; i < GALE_HOST_MAX_SHARED; i++)
        if (g_shared[i].name && host_streq(g_shared[i].name, name))
            return GALE_EEXIST;
    for (uint32_t i = 0; i < GALE_HOST_MAX_SHARED; i++)
        if (!g_shared[i].name) {
            g_shared[i].name = name;
            g_shared[i].kind = (uint8_t)kind;
            g_shared[i].k = obj;
            if (kind == GALE_HOST_MTX) {
                gale_kernel_sem_init(&g_shared[i].mtx.sem, 1, 1);
                g_shared[i].k = &g_shared[i].mtx;
            } else if (kind == GALE_HOST_CV) {
                gale_kernel_condvar_init(&g_shared[i].cv.cv);
                gale_kernel_mutex_init(&g_shared[i].cv.m);
                g_shared[i].cv.head = g_shared[i].cv.tail = NULL;
                g_shared[i].k = &g_shared[i].cv;
            }
            return 0;
        }
    return GALE_ENOMEM;
}

/* ------------------------------------------------------------------------- */
/* Values                                                                     */
/* ------------------------------------------------------------------------- */

static uint32_t ke_of(int err)
{
    switch (err) {
    case GALE_EINVAL: return 0;
    case GALE_EBUSY: return 1;
    case GALE_EAGAIN:
    case GALE_ETIMEDOUT:
    case GALE_ECANCELED: return 2;
    case GALE_ENOMEM: return 3;
    case GALE_EPERM: return 4;
    case GALE_EPIPE: return 5;
    case GALE_EOVERFLOW: return 6;
    case GALE_ENOMSG: return 7;
    default: return 0;
    }
}

static int res_err(gale_cm_val_t *r, gale_cm_arena_t *ar, int err)
{
    gale_cm_val_t *p = gale_cm_arena_alloc(ar, sizeof *p, _Alignof(gale_cm_val_t));
    if (!p)
        return GALE_ENOMEM;
    memset(p, 0, sizeof *p);
    p->kind = GALE_CM_ENUM;
    p->u.var.disc = ke_of(err);
    r->kind = GALE_CM_RESULT;
    r->u.var.disc = 1;
    r->u.var.payload = p;
    return 0;
}

static int res_ok(gale_cm_val_t *r, gale_cm_arena_t *ar, const gale_cm_val_t *v)
{
    r->kind = GALE_CM_RESULT;
    r->u.var.disc = 0;
    r->u.var.payload = NULL;
    if (v) {
        gale_cm_val_t *p = gale_cm_arena_alloc(ar, sizeof *p, _Alignof(gale_cm_val_t));
        if (!p)
            return GALE_ENOMEM;
        *p = *v;
        r->u.var.payload = p;
    }
    return 0;
}

static int res_u32(gale_cm_val_t *r, gale_cm_arena_t *ar, int rc, uint32_t v)
{
    if (rc < 0)
        return res_err(r, ar, rc);
    gale_cm_val_t x = {.kind = GALE_CM_U32, .u.u = v};
    return res_ok(r, ar, &x);
}

static int res_bytes(gale_cm_val_t *r, gale_cm_arena_t *ar, int rc, const void *data, uint32_t len)
{
    if (rc < 0)
        return res_err(r, ar, rc);
    char *b = gale_cm_arena_alloc(ar, len ? len : 1, 1);
    if (!b)
        return res_err(r, ar, GALE_ENOMEM);
    memcpy(b, data, len);
    gale_cm_val_t x = {.kind = GALE_CM_LIST};
    x.u.str.ptr = b;
    x.u.str.len = len;
    return res_ok(r, ar, &x);
}

static gale_timeout_t timeout_of(const gale_cm_val_t *v)
{
    switch (v->u.var.disc) {
    case 0: return GALE_NO_WAIT;
    case 1: return GALE_FOREVER;
    default: return GALE_MSEC(v->u.var.payload ? v->u.var.payload->u.u : 0);
    }
}

static void set_u32(gale_cm_val_t *r, uint32_t v)
{
    r->kind = GALE_CM_U32;
    r->u.u = v;
}

/* ------------------------------------------------------------------------- */
/* Operations (blocking ones run in the caller's thread for sync calls and in  */
/* a worker thread for async calls that could not complete at once)           */
/* ------------------------------------------------------------------------- */

enum op_code {
    OP_SEM_TAKE, OP_MTX_LOCK, OP_CV_WAIT, OP_CV_WAIT_MUTEX, OP_MSGQ_PUT, OP_MSGQ_GET, OP_STK_POP, OP_PIP_WRITE,
    OP_PIP_READ, OP_EVT_WAIT, OP_TMR_SYNC, OP_SLAB_ALLOC
};

#define OP_DATA_MAX 160
typedef struct op {
    uint8_t code;
    host_obj_t *o, *o2;
    gale_cm_instance_t *inst;
    int64_t timeout_ticks;
    uint32_t a;
    uint8_t flag;
    uint32_t len;
    const uint8_t *data;          /* sync: points into the call arena */
    union {
        uint8_t copy[OP_DATA_MAX]; /* async: a copy */
        struct {                   /* async cv.wait / cv.wait-mutex (cv_pend) */
            gale_sem_t wake;       /* given by the signal that takes it off the list */
            struct op *next;       /* host_cv_t list */
            uint32_t depth;        /* wait-mutex: the recursion depth to restore */
            int rc;                /* the wait's outcome (0 or GALE_EAGAIN) */
            uint8_t phase;         /* CVW_* */
            uint8_t linked;        /* on the cv's list (under cv->m) */
        } cvw;
    } u;
} op_t;

static int mtx_lock(host_mtx_t *m, gale_cm_instance_t *inst, gale_timeout_t t)
{
    if (m->owner == inst) {
        m->depth++;
        return 0;
    }
    int rc = gale_kernel_sem_take(&m->sem, t);
    if (rc)
        return rc == GALE_EAGAIN && GALE_TIMEOUT_IS_NO_WAIT(t) ? GALE_EBUSY : rc;
    m->owner = inst;
    m->depth = 1;
    return 0;
}

static int mtx_unlock(host_mtx_t *m, gale_cm_instance_t *inst)
{
    if (m->owner != inst)
        return GALE_EPERM;
    if (--m->depth == 0) {
        m->owner = NULL;
        gale_kernel_sem_give(&m->sem);
    }
    return 0;
}

static uint32_t slab_index(gale_mem_slab_t *s, void *p)
{
    return (uint32_t)(((uint8_t *)p - s->buffer) / s->block_size);
}

/* Runs the operation with timeout t; builds the result. */
static int op_run(op_t *op, gale_timeout_t t, gale_cm_val_t *r, gale_cm_arena_t *ar)
{
    host_obj_t *o = op->o;
    int rc;
    switch (op->code) {
    case OP_SEM_TAKE:
        rc = gale_kernel_sem_take(o->k, t);
        return rc ? res_err(r, ar, rc) : res_ok(r, ar, NULL);
    case OP_MTX_LOCK:
        rc = mtx_lock(o->k, op->inst, t);
        return rc ? res_err(r, ar, rc) : res_ok(r, ar, NULL);
    case OP_CV_WAIT: {
        host_cv_t *cv = o->k;
        gale_kernel_mutex_lock(&cv->m, GALE_FOREVER);
        rc = gale_kernel_condvar_wait(&cv->cv, &cv->m, t);
        gale_kernel_mutex_unlock(&cv->m);
        return rc ? res_err(r, ar, rc) : res_ok(r, ar, NULL);
    }
    case OP_CV_WAIT_MUTEX: {
        host_cv_t *cv = o->k;
        host_mtx_t *m = op->o2->k;
        if (m->owner != op->inst)
            return res_err(r, ar, GALE_EPERM);
        uint32_t depth = m->depth;
        gale_kernel_mutex_lock(&cv->m, GALE_FOREVER);
        m->depth = 0;
        m->owner = NULL;
        gale_kernel_sem_give(&m->sem);
        rc = gale_kernel_condvar_wait(&cv->cv, &cv->m, t);
        gale_kernel_mutex_unlock(&cv->m);
        gale_kernel_sem_take(&m->sem, GALE_FOREVER);
        m->owner = op->inst;
        m->depth = depth;
        return rc ? res_err(r, ar, rc) : res_ok(r, ar, NULL);
    }
    case OP_MSGQ_PUT: {
        gale_msgq_t *q = o->k;
        if (op->len != q->msg_size)
            return res_err(r, ar, GALE_EINVAL);
        rc = gale_kernel_msgq_put(q, op->data, t);
        return rc ? res_err(r, ar, rc) : res_ok(r, ar, NULL);
    }
    case OP_MSGQ_GET: {
        gale_msgq_t *q = o->k;
        uint8_t *b = gale_cm_arena_alloc(ar, q->msg_size, 8);
        if (!b)
            return res_err(r, ar, GALE_ENOMEM);
        rc = gale_kernel_msgq_get(q, b, t);
        if (rc)
            return res_err(r, ar, rc);
        gale_cm_val_t x = {.kind = GALE_CM_LIST};
        x.u.str.ptr = (const char *)b;
        x.u.str.len = (uint32_t)q->msg_size;
        return res_ok(r, ar, &x);
    }
    case OP_STK_POP: {
        host_stk_t *s = o->k;
        gale_stack_data_t slot;
        rc = gale_kernel_stack_pop(&s->s, &slot, t);
        if (rc)
            return res_err(r, ar, rc);
        uint64_t v = s->vals[slot];
        s->used &= ~(1ull << slot);
        gale_cm_val_t x = {.kind = GALE_CM_U64, .u.u = v};
        return res_ok(r, ar, &x);
    }
    case OP_PIP_WRITE:
        rc = gale_kernel_pipe_write(o->k, op->data, op->len, t);
        return res_u32(r, ar, rc, rc < 0 ? 0 : (uint32_t)rc);
    case OP_PIP_READ: {
        uint8_t *b = gale_cm_arena_alloc(ar, op->a ? op->a : 1, 1);
        if (!b)
            return res_err(r, ar, GALE_ENOMEM);
        rc = op->a ? gale_kernel_pipe_read(o->k, b, op->a, t) : 0;
        if (rc < 0)
            return res_err(r, ar, rc);
        gale_cm_val_t x = {.kind = GALE_CM_LIST};
        x.u.str.ptr = (const char *)b;
        x.u.str.len = (uint32_t)rc;
        return res_ok(r, ar, &x);
    }
    case OP_EVT_WAIT: {
        uint32_t matched = 0;
        uint32_t opt = (op->flag & 1 ? GALE_EVENT_WAIT_ALL : GALE_EVENT_WAIT_ANY) | (op->flag & 2 ? GALE_EVENT_RESET : 0);
        rc = gale_kernel_event_wait(o->k, op->a, opt, &matched, t);
        return res_u32(r, ar, rc, matched);
    }
    case OP_TMR_SYNC:
        rc = gale_kernel_timer_status_sync(o->k, t);
        return res_u32(r, ar, rc, rc < 0 ? 0 : (uint32_t)rc);
    case OP_SLAB_ALLOC: {
        void *p = NULL;
        rc = gale_kernel_mem_slab_alloc(o->k, &p, t);
        return res_u32(r, ar, rc, rc < 0 ? 0 : slab_index(o->k, p));
    }
    default: return GALE_EINVAL;
    }
}

static bool op_would_block(const op_t *op, const gale_cm_val_t *r)
{
    if (r->kind != GALE_CM_RESULT || r->u.var.disc != 1 || !r->u.var.payload)
        return false;
    /* result error `again` (or `busy` from a mutex try); a slab with no free
     * block reports `no-memory` to a no-wait try (the kernel's GALE_ENOMEM) */
    uint32_t e = r->u.var.payload->u.var.disc;
    return e == 2 || e == 1 || (op->code == OP_SLAB_ALLOC && e == 3);
}

static int op_blocking(void *ctx, gale_cm_val_t *result, gale_cm_arena_t *arena)
{
    op_t *op = ctx;
    op->data = op->u.copy;
    return op_run(op, (gale_timeout_t){op->timeout_ticks}, result, arena);
}

/* Async-lowered waits without a worker thread (gale_cm_call_pend): the watch
 * each operation's object offers. */
static int op_watch(op_t *op, gale_kernel_watch_t *w)
{
    void *k = op->o->k;
    switch (op->code) {
    case OP_SEM_TAKE: return gale_kernel_watch(w, GALE_WATCH_SEM_TAKE, k);
    case OP_MTX_LOCK: return gale_kernel_watch(w, GALE_WATCH_SEM_TAKE, &((host_mtx_t *)k)->sem);
    case OP_MSGQ_PUT: return gale_kernel_watch(w, GALE_WATCH_MSGQ_PUT, k);
    case OP_MSGQ_GET: return gale_kernel_watch(w, GALE_WATCH_MSGQ_GET, k);
    case OP_STK_POP: return gale_kernel_watch(w, GALE_WATCH_STACK_POP, &((host_stk_t *)k)->s);
    case OP_PIP_WRITE: return gale_kernel_watch(w, GALE_WATCH_PIPE_WRITE, k);
    case OP_PIP_READ: return gale_kernel_watch(w, GALE_WATCH_PIPE_READ, k);
    case OP_EVT_WAIT: return gale_kernel_watch(w, GALE_WATCH_EVENT, k);
    case OP_TMR_SYNC: return gale_kernel_watch(w, GALE_WATCH_TIMER, k);
    case OP_SLAB_ALLOC: return gale_kernel_watch(w, GALE_WATCH_SLAB_ALLOC, k);
    default: return GALE_ENOSYS;
    }
}

static void trace_result(gale_cm_call_t *c, op_t *op, const gale_cm_val_t *r, const char *how);

/* The timeline line of a pended call that completes later (on the instance's thread). */
static void trace_later(op_t *op, const gale_cm_val_t *r, const char *how)
{
    gale_cm_call_t c = {.inst = op->inst};
    trace_result(&c, op, r, how);
}

static int op_pend(void *ctx, gale_cm_pend_op_t step, gale_kernel_watch_t *w, gale_cm_val_t *r, gale_cm_arena_t *ar)
{
    op_t *op = ctx;
    switch (step) {
    case GALE_CM_PEND_ARM: return op_watch(op, w);
    case GALE_CM_PEND_DISARM: gale_kernel_unwatch(w); return 0;
    case GALE_CM_PEND_TRY: {
        op->data = op->u.copy;
        int rc = op_run(op, GALE_NO_WAIT, r, ar);
        if (rc < 0)
            return rc;
        /* a timer that is not running: status-sync reports `again` at once
         * (as the sync call does); otherwise retry when the object changes */
        if (!(op->code == OP_TMR_SYNC && !((gale_timer_t *)op->o->k)->node.linked) && op_would_block(op, r))
            return 0;
        trace_later(op, r, " (async) completed");
        return 1;
    }
    case GALE_CM_PEND_TIMEOUT: {
        /* what the sync call reports when its wait times out: `again` */
        int rc = res_err(r, ar, GALE_EAGAIN);
        if (rc < 0)
            return rc;
        trace_later(op, r, " (async) timed out");
        return 1;
    }
    default: return GALE_EINVAL;
    }
}

/* Async-lowered cv.wait / cv.wait-mutex without a worker thread (cv_pend):
 * the wait is on its cv's list from the ARM inside gale_cm_call_pend (before
 * the guest sees STARTED); signal / broadcast take waiters off the list
 * (oldest first) and give their wake semaphore, which fires the watch; the
 * TRY on the instance's thread takes it. wait-mutex releases the component
 * mutex when it joins the list (under cv->m, so no signal falls in between)
 * and, once woken or timed out, watches the mutex's semaphore and takes it
 * again (owner and depth restored as the sync path does) before it reports. */
enum { CVW_NEW, CVW_WAIT, CVW_RELOCK, CVW_DONE };

/* cv->m held */
static void cvw_unlink(host_cv_t *cv, op_t *op)
{
    op_t *prev = NULL;
    for (op_t **pp = &cv->head; *pp; prev = *pp, pp = &(*pp)->u.cvw.next)
        if (*pp == op) {
            *pp = op->u.cvw.next;
            if (cv->tail == op)
                cv->tail = prev;
            break;
        }
    op->u.cvw.next = NULL;
    op->u.cvw.linked = 0;
}

/* cv->m held: wakes the oldest async waiter; false if there is none. */
static bool cvw_wake_one(host_cv_t *cv)
{
    op_t *w = cv->head;
    if (!w)
        return false;
    cv->head = w->u.cvw.next;
    if (!cv->head)
        cv->tail = NULL;
    w->u.cvw.next = NULL;
    w->u.cvw.linked = 0;
    gale_kernel_sem_give(&w->u.cvw.wake);
    return true;
}

static int cvw_result(op_t *op, gale_cm_val_t *r, gale_cm_arena_t *ar)
{
    op->u.cvw.phase = CVW_DONE;
    int rc = op->u.cvw.rc ? res_err(r, ar, op->u.cvw.rc) : res_ok(r, ar, NULL);
    return rc < 0 ? rc : 1;
}

/* wait-mutex: take the component mutex back without waiting (0: still taken) */
static int cvw_relock_try(op_t *op, gale_cm_val_t *r, gale_cm_arena_t *ar)
{
    host_mtx_t *m = op->o2->k;
    if (gale_kernel_sem_take(&m->sem, GALE_NO_WAIT) != 0)
        return 0;
    m->owner = op->inst;
    m->depth = op->u.cvw.depth;
    return cvw_result(op, r, ar);
}

/* Woken (rc 0) or timed out (GALE_EAGAIN): cv.wait is done; wait-mutex goes on
 * to take the mutex back (watch, then try). */
static int cvw_woken(op_t *op, int rc, gale_kernel_watch_t *w, gale_cm_val_t *r, gale_cm_arena_t *ar)
{
    op->u.cvw.rc = rc;
    if (op->code == OP_CV_WAIT)
        return cvw_result(op, r, ar);
    op->u.cvw.phase = CVW_RELOCK;
    gale_kernel_unwatch(w);
    int e = gale_kernel_watch(w, GALE_WATCH_SEM_TAKE, &((host_mtx_t *)op->o2->k)->sem);
    return e ? e : cvw_relock_try(op, r, ar);
}

static int cv_pend(void *ctx, gale_cm_pend_op_t step, gale_kernel_watch_t *w, gale_cm_val_t *r, gale_cm_arena_t *ar)
{
    op_t *op = ctx;
    host_cv_t *cv = op->o->k;
    switch (step) {
    case GALE_CM_PEND_ARM:
        if (op->u.cvw.phase == CVW_NEW) {
            gale_kernel_sem_init(&op->u.cvw.wake, 0, 1);
            op->u.cvw.next = NULL;
            gale_kernel_mutex_lock(&cv->m, GALE_FOREVER);
            if (cv->tail)
                cv->tail->u.cvw.next = op;
            else
                cv->head = op;
            cv->tail = op;
            op->u.cvw.linked = 1;
            if (op->code == OP_CV_WAIT_MUTEX) { /* checked owned by op->inst in op_dispatch */
                host_mtx_t *m = op->o2->k;
                op->u.cvw.depth = m->depth;
                m->depth = 0;
                m->owner = NULL;
                gale_kernel_sem_give(&m->sem);
            }
            gale_kernel_mutex_unlock(&cv->m);
            op->u.cvw.phase = CVW_WAIT;
        }
        return gale_kernel_watch(w, GALE_WATCH_SEM_TAKE,
                                 op->u.cvw.phase == CVW_WAIT ? &op->u.cvw.wake : &((host_mtx_t *)op->o2->k)->sem);
    case GALE_CM_PEND_TRY:
        if (op->u.cvw.phase == CVW_WAIT)
            return gale_kernel_sem_take(&op->u.cvw.wake, GALE_NO_WAIT) ? 0 : cvw_woken(op, 0, w, r, ar);
        return cvw_relock_try(op, r, ar);
    case GALE_CM_PEND_TIMEOUT:
        if (op->u.cvw.phase == CVW_WAIT) {
            /* off the list, unless a signal took it off first (then it was woken) */
            int rc = GALE_EAGAIN;
            gale_kernel_mutex_lock(&cv->m, GALE_FOREVER);
            if (op->u.cvw.linked)
                cvw_unlink(cv, op);
            else if (gale_kernel_sem_take(&op->u.cvw.wake, GALE_NO_WAIT) == 0)
                rc = 0;
            gale_kernel_mutex_unlock(&cv->m);
            return cvw_woken(op, rc, w, r, ar); /* 0: wait-mutex waits for the mutex, no deadline */
        }
        return cvw_relock_try(op, r, ar);
    case GALE_CM_PEND_DISARM:
        gale_kernel_unwatch(w);
        if (op->u.cvw.phase == CVW_WAIT) { /* cancelled while waiting for a signal */
            gale_kernel_mutex_lock(&cv->m, GALE_FOREVER);
            if (op->u.cvw.linked)
                cvw_unlink(cv, op);
            else if (gale_kernel_sem_take(&op->u.cvw.wake, GALE_NO_WAIT) == 0 && !cvw_wake_one(cv))
                gale_kernel_condvar_signal(&cv->cv); /* a signal it took but never used: pass it on */
            gale_kernel_mutex_unlock(&cv->m);
            op->u.cvw.phase = CVW_DONE;
        }
        return 0;
    default: return GALE_EINVAL;
    }
}

static const char *const op_names[] = {"sem.take",  "mtx.lock", "cv.wait",   "cv.wait-mutex", "msgq.put",
                                       "msgq.get",  "stk.pop",  "pip.write", "pip.read",      "evt.wait",
                                       "tmr.status-sync", "slab.alloc"};

static void trace_result(gale_cm_call_t *c, op_t *op, const gale_cm_val_t *r, const char *how)
{
    if (!g_trace)
        return;
    if (r->u.var.disc == 0)
        trace(c, "%s%s -> ok%s", op_names[op->code], how, "");
    else
        trace(c, "%s%s -> %s", op_names[op->code], how, ke_names[r->u.var.payload->u.var.disc]);
}

/* Sync call: run with the timeout (the thread blocks). Async: try without
 * waiting; if that would block and waiting is allowed, pend on the object's
 * watch (or offload to a worker: gale_host_set_async_workers); cv waits pend
 * on the cv's own list (cv_pend). */
static int op_dispatch(gale_cm_call_t *c, op_t *op, gale_timeout_t t, gale_cm_val_t *r)
{
    op->inst = c->inst;
    op->timeout_ticks = t.ticks;
    if (!c->async) {
        int rc = op_run(op, t, r, c->arena);
        trace_result(c, op, r, "");
        return rc;
    }
    bool must_wait = op->code == OP_CV_WAIT || op->code == OP_CV_WAIT_MUTEX;
    if (!must_wait || GALE_TIMEOUT_IS_NO_WAIT(t)) {
        int rc = op_run(op, GALE_NO_WAIT, r, c->arena);
        if (rc || !op_would_block(op, r) || GALE_TIMEOUT_IS_NO_WAIT(t)) {
            trace_result(c, op, r, " (async, at once)");
            return rc;
        }
        /* a mutex try reports busy; an untimed wait reports again */
    }
    if (op->code == OP_CV_WAIT_MUTEX && ((host_mtx_t *)op->o2->k)->owner != c->inst) {
        int rc = res_err(r, c->arena, GALE_EPERM); /* as the sync path: the caller must hold it */
        trace_result(c, op, r, " (async, at once)");
        return rc;
    }
    if (op->data && op->len) {
        if (op->len > OP_DATA_MAX)
            return gale_cm_err_set(c->err, GALE_ENOMEM, "%s: %u bytes exceed the async buffer (%d)",
                                   op_names[op->code], (unsigned)op->len, OP_DATA_MAX);
        memcpy(op->u.copy, op->data, op->len);
    }
    op->data = NULL;
    trace(c, "%s (async) -> waits, task continues", op_names[op->code]);
    if (!must_wait && g_async_workers)
        return gale_cm_call_offload(c, op_blocking, op, sizeof *op);
    if (!must_wait) /* waits on a kernel object: watched, no worker thread */
        return gale_cm_call_pend(c, op_pend, op, sizeof *op,
                                 GALE_TIMEOUT_IS_FOREVER(t) ? GALE_CM_PEND_FOREVER : t.ticks);
    /* cv.wait / cv.wait-mutex: on the cv's list from the first ARM (before
     * the guest sees STARTED), woken by signal / broadcast: no worker */
    op->u.cvw.phase = CVW_NEW;
    return gale_cm_call_pend(c, cv_pend, op, sizeof *op, GALE_TIMEOUT_IS_FOREVER(t) ? GALE_CM_PEND_FOREVER : t.ticks);
}

/* ------------------------------------------------------------------------- */
/* Host functions                                                             */
/* ------------------------------------------------------------------------- */

#define SELF(kind, var)                                                                                                \
    host_obj_t *var = obj_of(p[0].u.handle, kind);                                                                     \
    if (!var)                                                                                                          \
        return gale_cm_err_set(c->err, GALE_EINVAL, "%s: stale %s rep %u", c->func->name, kind_names[kind],            \
                               (unsigned)p[0].u.handle);

static int own_result(gale_cm_call_t *c, gale_cm_val_t *r, host_obj_t *o)
{
    r->kind = GALE_CM_OWN;
    r->u.handle = rep_of(o);
    (void)c;
    return 0;
}

static int h_ctor(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    uint8_t kind = (uint8_t)(uintptr_t)env;
    host_obj_t *o = obj_new(kind);
    if (!o)
        return gale_cm_err_set(c->err, GALE_ENOMEM, "%s: no-memory: host object pool exhausted (%d)", c->func->name,
                               GALE_HOST_MAX_OBJECTS);
    o->owned = true;
    o->k = &o->u;
    int rc = 0;
    switch (kind) {
    case GALE_HOST_SEM: rc = gale_kernel_sem_init(&o->u.sem, (uint32_t)p[0].u.u, (uint32_t)p[1].u.u); break;
    case GALE_HOST_MTX: rc = gale_kernel_sem_init(&o->u.mtx.sem, 1, 1); break;
    case GALE_HOST_CV:
        rc = gale_kernel_condvar_init(&o->u.cv.cv);
        if (!rc)
            rc = gale_kernel_mutex_init(&o->u.cv.m);
        o->u.cv.head = o->u.cv.tail = NULL;
        break;
    case GALE_HOST_MSGQ: {
        uint64_t bytes = p[0].u.u * p[1].u.u;
        void *b = (p[0].u.u && p[1].u.u && bytes <= GALE_HOST_BUF_BYTES) ? buf_alloc(o, (size_t)bytes) : NULL;
        rc = b ? gale_kernel_msgq_init(&o->u.msgq, b, (size_t)p[0].u.u, (uint32_t)p[1].u.u) : GALE_ENOMEM;
        break;
    }
    case GALE_HOST_STK:
        rc = (p[0].u.u == 0 || p[0].u.u > STK_MAX)
                 ? GALE_EINVAL
                 : gale_kernel_stack_init(&o->u.stk.s, o->u.stk.slots_idx, (uint32_t)p[0].u.u);
        break;
    case GALE_HOST_PIP: {
        void *b = (p[0].u.u && p[0].u.u <= GALE_HOST_BUF_BYTES) ? buf_alloc(o, (size_t)p[0].u.u) : NULL;
        rc = b ? gale_kernel_pipe_init(&o->u.pip, b, (size_t)p[0].u.u) : GALE_ENOMEM;
        break;
    }
    case GALE_HOST_EVT: rc = gale_kernel_event_init(&o->u.evt); break;
    case GALE_HOST_TMR:
        rc = p[0].u.u ? gale_kernel_timer_init(&o->u.tmr, NULL, NULL) : GALE_EINVAL;
        o->period_ms = (uint32_t)p[0].u.u;
        break;
    case GALE_HOST_SLAB: {
        uint64_t n = p[1].u.u, bs = (p[0].u.u + 7u) & ~7ull, bytes = bs * n + 5u * n;
        uint8_t *b = (bs && n && bytes <= GALE_HOST_BUF_BYTES) ? buf_alloc(o, (size_t)bytes) : NULL;
        rc = b ? gale_kernel_mem_slab_init(&o->u.slab, b, (size_t)bs, (uint32_t)n, (uint32_t *)(void *)(b + bs * n),
                                           b + bs * n + 4u * n)
               : GALE_ENOMEM;
        break;
    }
    default: rc = GALE_EINVAL;
    }
    if (rc) {
        buf_free(o);
        o->used = false;
        return gale_cm_err_set(c->err, rc, "%s: %s (%s)", c->func->name, ke_names[ke_of(rc)], gale_strerror(rc));
    }
    trace(c, "%s created (rep %u)", kind_names[kind], (unsigned)rep_of(o));
    return own_result(c, r, o);
}

static int h_open(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    uint8_t kind = (uint8_t)(uintptr_t)env;
    const gale_host_ctx_t *hc = gale_cm_instance_host_ctx(c->inst);
    const char *name = p[0].u.str.ptr;
    bool granted = false;
    for (uint32_t i = 0; hc && i < hc->n_grants; i++)
        if (host_streq(hc->grants[i], name))
            granted = true;
    int found = -1;
    for (uint32_t i = 0; i < GALE_HOST_MAX_SHARED; i++)
        if (g_shared[i].name && g_shared[i].kind == kind && host_streq(g_shared[i].name, name))
            found = (int)i;
    if (!granted || found < 0) {
        trace(c, "%s.open(\"%s\") -> invalid-argument (%s)", kind_names[kind], name,
              !granted ? "not granted to this system" : "no such shared object");
        return res_err(r, c->arena, GALE_EINVAL);
    }
    host_obj_t *o = obj_new(kind);
    if (!o)
        return res_err(r, c->arena, GALE_ENOMEM);
    o->owned = false;
    o->name = g_shared[found].name;
    o->k = g_shared[found].k;
    trace(c, "%s.open(\"%s\") -> ok (rep %u)", kind_names[kind], name, (unsigned)rep_of(o));
    gale_cm_val_t x = {.kind = GALE_CM_OWN, .u.handle = rep_of(o)};
    return res_ok(r, c->arena, &x);
}

static void h_dtor(gale_cm_instance_t *inst, void *env, uint32_t rep)
{
    (void)inst;
    uint8_t kind = (uint8_t)(uintptr_t)env;
    host_obj_t *o = obj_of(rep, kind);
    if (!o)
        return;
    if (o->owned) {
        switch (kind) {
        case GALE_HOST_SEM: gale_kernel_sem_delete(&o->u.sem); break;
        case GALE_HOST_MTX: gale_kernel_sem_delete(&o->u.mtx.sem); break;
        case GALE_HOST_CV:
            gale_kernel_condvar_delete(&o->u.cv.cv);
            gale_kernel_mutex_delete(&o->u.cv.m);
            break;
        case GALE_HOST_MSGQ: gale_kernel_msgq_delete(&o->u.msgq); break;
        case GALE_HOST_STK: gale_kernel_stack_delete(&o->u.stk.s); break;
        case GALE_HOST_PIP: gale_kernel_pipe_delete(&o->u.pip); break;
        case GALE_HOST_EVT: gale_kernel_event_delete(&o->u.evt); break;
        case GALE_HOST_TMR: gale_kernel_timer_stop(&o->u.tmr); break;
        case GALE_HOST_SLAB: gale_kernel_mem_slab_delete(&o->u.slab); break;
        default: break;
        }
        buf_free(o);
    } else if (kind == GALE_HOST_MTX) {
        host_mtx_t *m = o->k; /* a shared mutex held by the dying instance is released */
        if (m->owner == inst) {
            m->owner = NULL;
            m->depth = 0;
            gale_kernel_sem_give(&m->sem);
        }
    }
    if (g_trace) {
        char line[64];
        snprintf(line, sizeof line, "%s rep %u dropped%s", kind_names[kind], (unsigned)rep,
                 o->owned ? " (destroyed)" : "");
        trace(NULL, "%s", line);
    }
    o->used = false;
}

/* sem */
static int h_sem_give(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env, (void)r;
    SELF(GALE_HOST_SEM, o);
    (void)gale_kernel_sem_give(o->k); /* saturates at the limit */
    trace(c, "sem.give -> count %u", (unsigned)gale_kernel_sem_count_get(o->k));
    return 0;
}
static int h_sem_take(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_SEM, o);
    op_t op = {.code = OP_SEM_TAKE, .o = o};
    return op_dispatch(c, &op, timeout_of(&p[1]), r);
}
static int h_sem_reset(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env, (void)r;
    SELF(GALE_HOST_SEM, o);
    gale_kernel_sem_reset(o->k);
    return 0;
}
static int h_sem_count(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_SEM, o);
    set_u32(r, gale_kernel_sem_count_get(o->k));
    return 0;
}
/* mtx */
static int h_mtx_lock(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_MTX, o);
    op_t op = {.code = OP_MTX_LOCK, .o = o};
    return op_dispatch(c, &op, timeout_of(&p[1]), r);
}
static int h_mtx_unlock(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_MTX, o);
    int rc = mtx_unlock(o->k, c->inst);
    return rc ? res_err(r, c->arena, rc) : res_ok(r, c->arena, NULL);
}
/* cv */
static int h_cv_wait(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_CV, o);
    op_t op = {.code = OP_CV_WAIT, .o = o};
    return op_dispatch(c, &op, timeout_of(&p[1]), r);
}
static int h_cv_wait_mutex(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_CV, o);
    host_obj_t *m = obj_of(p[1].u.handle, GALE_HOST_MTX);
    if (!m)
        return gale_cm_err_set(c->err, GALE_EINVAL, "cv.wait-mutex: stale mtx");
    op_t op = {.code = OP_CV_WAIT_MUTEX, .o = o, .o2 = m};
    return op_dispatch(c, &op, timeout_of(&p[2]), r);
}
static int h_cv_signal(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)r;
    SELF(GALE_HOST_CV, o);
    host_cv_t *cv = o->k;
    gale_kernel_mutex_lock(&cv->m, GALE_FOREVER);
    if (env) { /* every async waiter on the list now, and every sync one */
        while (cvw_wake_one(cv))
            ;
        gale_kernel_condvar_broadcast(&cv->cv);
    } else if (!cvw_wake_one(cv)) { /* the oldest async waiter first */
        gale_kernel_condvar_signal(&cv->cv);
    }
    gale_kernel_mutex_unlock(&cv->m);
    return 0;
}
/* msgq */
static int h_msgq_put(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_MSGQ, o);
    op_t op = {.code = OP_MSGQ_PUT, .o = o, .data = (const uint8_t *)p[1].u.str.ptr, .len = p[1].u.str.len};
    return op_dispatch(c, &op, timeout_of(&p[2]), r);
}
static int h_msgq_get(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_MSGQ, o);
    op_t op = {.code = OP_MSGQ_GET, .o = o};
    return op_dispatch(c, &op, timeout_of(&p[1]), r);
}
static int h_msgq_peek(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_MSGQ, o);
    gale_msgq_t *q = o->k;
    uint8_t *b = gale_cm_arena_alloc(c->arena, q->msg_size, 8);
    if (!b)
        return res_err(r, c->arena, GALE_ENOMEM);
    int rc = gale_kernel_msgq_peek(q, b);
    return res_bytes(r, c->arena, rc, b, (uint32_t)q->msg_size);
}
static int h_msgq_num_used(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_MSGQ, o);
    set_u32(r, gale_kernel_msgq_num_used_get(o->k));
    return 0;
}
static int h_msgq_purge(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env, (void)r;
    SELF(GALE_HOST_MSGQ, o);
    gale_kernel_msgq_purge(o->k);
    return 0;
}
/* stk */
static int h_stk_push(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_STK, o);
    host_stk_t *s = o->k;
    if (!o->owned) /* a shared gale_stack_t holds words directly */
        return gale_kernel_stack_push((gale_stack_t *)o->k, (gale_stack_data_t)p[1].u.u) ? res_err(r, c->arena, GALE_ENOMEM)
                                                                                           : res_ok(r, c->arena, NULL);
    uint32_t slot = 0;
    while (slot < STK_MAX && (s->used >> slot) & 1)
        slot++;
    if (slot >= s->s.capacity)
        return res_err(r, c->arena, GALE_ENOMEM);
    s->vals[slot] = p[1].u.u;
    s->used |= 1ull << slot;
    int rc = gale_kernel_stack_push(&s->s, slot);
    if (rc)
        s->used &= ~(1ull << slot);
    return rc ? res_err(r, c->arena, rc) : res_ok(r, c->arena, NULL);
}
static int h_stk_pop(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_STK, o);
    if (!o->owned) {
        gale_stack_data_t v;
        int rc = gale_kernel_stack_pop((gale_stack_t *)o->k, &v, c->async ? GALE_NO_WAIT : timeout_of(&p[1]));
        if (rc)
            return res_err(r, c->arena, rc);
        gale_cm_val_t x = {.kind = GALE_CM_U64, .u.u = v};
        return res_ok(r, c->arena, &x);
    }
    op_t op = {.code = OP_STK_POP, .o = o};
    return op_dispatch(c, &op, timeout_of(&p[1]), r);
}
/* pip */
static int h_pip_write(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_PIP, o);
    op_t op = {.code = OP_PIP_WRITE, .o = o, .data = (const uint8_t *)p[1].u.str.ptr, .len = p[1].u.str.len};
    return op_dispatch(c, &op, timeout_of(&p[2]), r);
}
static int h_pip_read(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_PIP, o);
    uint32_t max = (uint32_t)p[1].u.u;
    uint32_t cap = c->async ? GALE_CM_SUBTASK_ARENA_BYTES / 2 : GALE_CM_ARENA_BYTES / 2;
    op_t op = {.code = OP_PIP_READ, .o = o, .a = max < cap ? max : cap};
    return op_dispatch(c, &op, timeout_of(&p[2]), r);
}
static int h_pip_flush(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)r;
    SELF(GALE_HOST_PIP, o);
    if (env)
        gale_kernel_pipe_close(o->k);
    else
        gale_kernel_pipe_reset(o->k);
    return 0;
}
/* evt */
static int h_evt_set(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)r;
    SELF(GALE_HOST_EVT, o);
    uint32_t which = (uint32_t)(uintptr_t)env, v = (uint32_t)p[1].u.u;
    if (which == 0)
        gale_kernel_event_post(o->k, v);
    else if (which == 1)
        gale_kernel_event_set(o->k, v);
    else
        gale_kernel_event_clear(o->k, v);
    trace(c, "evt.%s(0x%x)", which == 0 ? "post" : which == 1 ? "set" : "clear", (unsigned)v);
    return 0;
}
static int h_evt_wait(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    SELF(GALE_HOST_EVT, o);
    op_t op = {.code = OP_EVT_WAIT, .o = o, .a = (uint32_t)p[1].u.u,
               .flag = (uint8_t)((env ? 1 : 0) | (p[2].u.b ? 2 : 0))};
    return op_dispatch(c, &op, timeout_of(&p[3]), r);
}
/* tmr */
static int h_tmr_ctl(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    SELF(GALE_HOST_TMR, o);
    uint32_t which = (uint32_t)(uintptr_t)env;
    gale_timer_t *t = o->k;
    if (which == 0) {
        uint32_t period_ms = o->owned ? o->period_ms : (uint32_t)gale_kernel_ticks_to_ms(t->period);
        if (period_ms == 0)
            period_ms = 1;
        gale_kernel_timer_start(t, GALE_MSEC(period_ms), GALE_MSEC(period_ms));
        trace(c, "tmr.start(%u ms)", (unsigned)period_ms);
    } else if (which == 1) {
        gale_kernel_timer_stop(t);
    } else {
        set_u32(r, gale_kernel_timer_status_get(t));
    }
    return 0;
}
static int h_tmr_sync(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_TMR, o);
    op_t op = {.code = OP_TMR_SYNC, .o = o};
    return op_dispatch(c, &op, timeout_of(&p[1]), r);
}
/* slab */
static int h_slab_alloc(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_SLAB, o);
    op_t op = {.code = OP_SLAB_ALLOC, .o = o};
    return op_dispatch(c, &op, timeout_of(&p[1]), r);
}
static int h_slab_free(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    (void)env;
    SELF(GALE_HOST_SLAB, o);
    gale_mem_slab_t *s = o->k;
    uint64_t idx = p[1].u.u;
    if (idx >= s->num_blocks)
        return res_err(r, c->arena, GALE_EINVAL);
    int rc = gale_kernel_mem_slab_free(s, s->buffer + idx * s->block_size);
    return rc ? res_err(r, c->arena, rc) : res_ok(r, c->arena, NULL);
}
static int h_slab_count(gale_cm_call_t *c, void *env, const gale_cm_val_t *p, gale_cm_val_t *r)
{
    SELF(GALE_HOST_SLAB, o);
    set_u32(r, env ? gale_kernel_mem_slab_num_free_get(o->k) : gale_kernel_mem_slab_num_used_get(o->k));
    return 0;
}

/* ------------------------------------------------------------------------- */
/* The world                                                                  */
/* ------------------------------------------------------------------------- */

#define K(kind) ((void *)(uintptr_t)(kind))
#define SYNC false
#define ASYNC true
#define F(iface, name, np, params, result, async, fn, env) {IFACE(iface), name, {np, params, result, async}, fn, env}

static const gale_cm_host_func_t g_funcs[] = {
    /* semaphore */
    F("semaphore", "[constructor]sem", 2, p_u32x2, &t_own_SEM, SYNC, h_ctor, K(GALE_HOST_SEM)),
    F("semaphore", "[static]sem.open", 1, p_str, &t_r_own_SEM, SYNC, h_open, K(GALE_HOST_SEM)),
    F("semaphore", "[method]sem.give", 1, p_self_SEM, NULL, SYNC, h_sem_give, NULL),
    F("semaphore", "[method]sem.take", 2, p_self_to_SEM, &t_r_unit, ASYNC, h_sem_take, NULL),
    F("semaphore", "[method]sem.reset", 1, p_self_SEM, NULL, SYNC, h_sem_reset, NULL),
    F("semaphore", "[method]sem.count", 1, p_self_SEM, &gale_cm_t_u32, SYNC, h_sem_count, NULL),
    /* mutex */
    F("mutex", "[constructor]mtx", 0, NULL, &t_own_MTX, SYNC, h_ctor, K(GALE_HOST_MTX)),
    F("mutex", "[static]mtx.open", 1, p_str, &t_r_own_MTX, SYNC, h_open, K(GALE_HOST_MTX)),
    F("mutex", "[method]mtx.lock", 2, p_self_to_MTX, &t_r_unit, ASYNC, h_mtx_lock, NULL),
    F("mutex", "[method]mtx.unlock", 1, p_self_MTX, &t_r_unit, SYNC, h_mtx_unlock, NULL),
    /* condvar */
    F("condvar", "[constructor]cv", 0, NULL, &t_own_CV, SYNC, h_ctor, K(GALE_HOST_CV)),
    F("condvar", "[static]cv.open", 1, p_str, &t_r_own_CV, SYNC, h_open, K(GALE_HOST_CV)),
    F("condvar", "[method]cv.wait", 2, p_self_to_CV, &t_r_unit, ASYNC, h_cv_wait, NULL),
    F("condvar", "[method]cv.wait-mutex", 3, p_cv_wait_mutex, &t_r_unit, ASYNC, h_cv_wait_mutex, NULL),
    F("condvar", "[method]cv.signal", 1, p_self_CV, NULL, SYNC, h_cv_signal, NULL),
    F("condvar", "[method]cv.broadcast", 1, p_self_CV, NULL, SYNC, h_cv_signal, K(1)),
    /* message-queue */
    F("message-queue", "[constructor]msgq", 2, p_u32x2, &t_own_MSGQ, SYNC, h_ctor, K(GALE_HOST_MSGQ)),
    F("message-queue", "[static]msgq.open", 1, p_str, &t_r_own_MSGQ, SYNC, h_open, K(GALE_HOST_MSGQ)),
    F("message-queue", "[method]msgq.put", 3, p_msgq_put, &t_r_unit, ASYNC, h_msgq_put, NULL),
    F("message-queue", "[method]msgq.get", 2, p_self_to_MSGQ, &t_r_bytes, ASYNC, h_msgq_get, NULL),
    F("message-queue", "[method]msgq.peek", 1, p_self_MSGQ, &t_r_bytes, SYNC, h_msgq_peek, NULL),
    F("message-queue", "[method]msgq.num-used", 1, p_self_MSGQ, &gale_cm_t_u32, SYNC, h_msgq_num_used, NULL),
    F("message-queue", "[method]msgq.purge", 1, p_self_MSGQ, NULL, SYNC, h_msgq_purge, NULL),
    /* stack */
    F("stack", "[constructor]stk", 1, p_u32, &t_own_STK, SYNC, h_ctor, K(GALE_HOST_STK)),
    F("stack", "[static]stk.open", 1, p_str, &t_r_own_STK, SYNC, h_open, K(GALE_HOST_STK)),
    F("stack", "[method]stk.push", 2, p_stk_push, &t_r_unit, SYNC, h_stk_push, NULL),
    F("stack", "[method]stk.pop", 2, p_self_to_STK, &t_r_u64, ASYNC, h_stk_pop, NULL),
    /* pipe */
    F("pipe", "[constructor]pip", 1, p_u32, &t_own_PIP, SYNC, h_ctor, K(GALE_HOST_PIP)),
    F("pipe", "[static]pip.open", 1, p_str, &t_r_own_PIP, SYNC, h_open, K(GALE_HOST_PIP)),
    F("pipe", "[method]pip.write", 3, p_pip_write, &t_r_u32, ASYNC, h_pip_write, NULL),
    F("pipe", "[method]pip.read", 3, p_pip_read, &t_r_bytes, ASYNC, h_pip_read, NULL),
    F("pipe", "[method]pip.flush", 1, p_self_PIP, NULL, SYNC, h_pip_flush, NULL),
    F("pipe", "[method]pip.close", 1, p_self_PIP, NULL, SYNC, h_pip_flush, K(1)),
    /* event */
    F("event", "[constructor]evt", 0, NULL, &t_own_EVT, SYNC, h_ctor, K(GALE_HOST_EVT)),
    F("event", "[static]evt.open", 1, p_str, &t_r_own_EVT, SYNC, h_open, K(GALE_HOST_EVT)),
    F("event", "[method]evt.post", 2, p_self_u32_EVT, NULL, SYNC, h_evt_set, K(0)),
    F("event", "[method]evt.set", 2, p_self_u32_EVT, NULL, SYNC, h_evt_set, K(1)),
    F("event", "[method]evt.clear", 2, p_self_u32_EVT, NULL, SYNC, h_evt_set, K(2)),
    F("event", "[method]evt.wait-any", 4, p_evt_wait, &t_r_u32, ASYNC, h_evt_wait, NULL),
    F("event", "[method]evt.wait-all", 4, p_evt_wait, &t_r_u32, ASYNC, h_evt_wait, K(1)),
    /* timer */
    F("timer", "[constructor]tmr", 1, p_u32, &t_own_TMR, SYNC, h_ctor, K(GALE_HOST_TMR)),
    F("timer", "[static]tmr.open", 1, p_str, &t_r_own_TMR, SYNC, h_open, K(GALE_HOST_TMR)),
    F("timer", "[method]tmr.start", 1, p_self_TMR, NULL, SYNC, h_tmr_ctl, K(0)),
    F("timer", "[method]tmr.stop", 1, p_self_TMR, NULL, SYNC, h_tmr_ctl, K(1)),
    F("timer", "[method]tmr.status-get", 1, p_self_TMR, &gale_cm_t_u32, SYNC, h_tmr_ctl, K(2)),
    F("timer", "[method]tmr.status-sync", 2, p_self_to_TMR, &t_r_u32, ASYNC, h_tmr_sync, NULL),
    /* mem-slab */
    F("mem-slab", "[constructor]slab", 2, p_u32x2, &t_own_SLAB, SYNC, h_ctor, K(GALE_HOST_SLAB)),
    F("mem-slab", "[static]slab.open", 1, p_str, &t_r_own_SLAB, SYNC, h_open, K(GALE_HOST_SLAB)),
    F("mem-slab", "[method]slab.alloc", 2, p_self_to_SLAB, &t_r_u32, ASYNC, h_slab_alloc, NULL),
    F("mem-slab", "[method]slab.free", 2, p_self_u32_SLAB, &t_r_unit, SYNC, h_slab_free, NULL),
    F("mem-slab", "[method]slab.num-used", 1, p_self_SLAB, &gale_cm_t_u32, SYNC, h_slab_count, NULL),
    F("mem-slab", "[method]slab.num-free", 1, p_self_SLAB, &gale_cm_t_u32, SYNC, h_slab_count, K(1)),
};

static const gale_cm_resource_type_t g_res[GALE_HOST_KIND_COUNT] = {
    {IFACE("semaphore"), "sem", h_dtor, K(GALE_HOST_SEM)},   {IFACE("mutex"), "mtx", h_dtor, K(GALE_HOST_MTX)},
    {IFACE("condvar"), "cv", h_dtor, K(GALE_HOST_CV)},       {IFACE("message-queue"), "msgq", h_dtor, K(GALE_HOST_MSGQ)},
    {IFACE("stack"), "stk", h_dtor, K(GALE_HOST_STK)},       {IFACE("pipe"), "pip", h_dtor, K(GALE_HOST_PIP)},
    {IFACE("event"), "evt", h_dtor, K(GALE_HOST_EVT)},       {IFACE("timer"), "tmr", h_dtor, K(GALE_HOST_TMR)},
    {IFACE("mem-slab"), "slab", h_dtor, K(GALE_HOST_SLAB)},
};

static const gale_cm_export_decl_t g_run_sync[] = {{"", "run", {0, NULL, NULL, false}}};
static const gale_cm_export_decl_t g_run_async[] = {{"", "run", {0, NULL, NULL, true}}};

#define NFUNCS (sizeof g_funcs / sizeof g_funcs[0])
static const gale_cm_world_t g_worlds[3] = {
    {"pulseengine:gale/kernel-primitives@0.1.0", g_funcs, NFUNCS, g_res, GALE_HOST_KIND_COUNT, NULL, 0},
    {"pulseengine:gale/sync-system@0.1.0", g_funcs, NFUNCS, g_res, GALE_HOST_KIND_COUNT, g_run_sync, 1},
    {"pulseengine:gale/async-system@0.1.0", g_funcs, NFUNCS, g_res, GALE_HOST_KIND_COUNT, g_run_async, 1},
};

const gale_cm_world_t *gale_host_kernel_primitives(int entry)
{
    return (entry >= 0 && entry <= 2) ? &g_worlds[entry] : NULL;
}
