/* gale wasm engine — the interpreter loop.
 *
 * Executes the slot-addressed internal code produced by load.c. One C
 * invocation runs any number of wasm-to-wasm calls (explicit frames on the
 * instance's frame stack), so running out of fuel can suspend the call and
 * gale_wasm_resume() can continue it. Host functions are called from the loop;
 * they may re-enter the engine (nested gale_wasm_call), which starts a new
 * invocation above the current frames. Dispatch is computed goto with GCC/Clang
 * and a switch elsewhere (or with -DGALE_WASM_SWITCH_DISPATCH). */
#include "fmath.h"
#include "wasm_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the gale wasm interpreter assumes a little-endian target"
#endif

#if (defined(__GNUC__) || defined(__clang__)) && !defined(GALE_WASM_SWITCH_DISPATCH)
#define GW_CGOTO 1
#endif

#if defined(__GNUC__)
#define GW_LIKELY(x) __builtin_expect(!!(x), 1)
#define GW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define GW_LIKELY(x) (x)
#define GW_UNLIKELY(x) (x)
#endif

const char *gale_wasm_trap_reason(gale_wasm_trap_code_t code)
{
    switch (code) {
    case GALE_TRAP_NONE: return "no trap";
    case GALE_TRAP_UNREACHABLE: return "unreachable";
    case GALE_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case GALE_TRAP_TABLE_OOB: return "out of bounds table access";
    case GALE_TRAP_INT_OVERFLOW: return "integer overflow";
    case GALE_TRAP_DIV_ZERO: return "integer divide by zero";
    case GALE_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case GALE_TRAP_INDIRECT_NULL: return "uninitialized element";
    case GALE_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case GALE_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case GALE_TRAP_OUT_OF_FUEL: return "out of fuel";
    case GALE_TRAP_HOST: return "host function trapped";
    case GALE_TRAP_ABORTED: return "aborted";
    default: return "unknown trap";
    }
}

void gw_trap_set(gale_wasm_trap_t *trap, gale_wasm_trap_code_t code, uint32_t func, uint32_t off)
{
    trap->code = code;
    trap->func_index = func;
    trap->code_offset = off;
    const char *r = gale_wasm_trap_reason(code);
    size_t n = strlen(r);
    if (n >= sizeof trap->message)
        n = sizeof trap->message - 1;
    memcpy(trap->message, r, n);
    trap->message[n] = 0;
}

int gw_types_equal(const gale_wasm_functype_t *a, const gale_wasm_functype_t *b)
{
    if (a == b)
        return 1;
    if (a->n_params != b->n_params || a->n_results != b->n_results)
        return 0;
    if (a->types == b->types)
        return 1;
    return memcmp(a->types, b->types, (size_t)a->n_params + a->n_results) == 0;
}

int gw_memory_grow(gale_wasm_memory_t *m, uint32_t delta, uint32_t *old_pages)
{
    uint32_t old = m->pages;
    if (old_pages)
        *old_pages = old;
    if (delta == 0)
        return 0;
    uint64_t np = (uint64_t)old + delta;
    if (np > m->max_pages || np > GW_MAX_PAGES)
        return GALE_ENOMEM;
    uint64_t bytes = np * GW_PAGE;
    uint64_t limit = m->cap_bytes ? m->cap_bytes : ((uint64_t)1 << 30);
    if (bytes > limit || bytes > SIZE_MAX)
        return GALE_ENOMEM;
    if (bytes > m->reserved) {
        uint8_t *nd;
        if (m->alloc.realloc && m->data)
            nd = (uint8_t *)m->alloc.realloc(m->alloc.ctx, m->data, (size_t)m->reserved, (size_t)bytes, 16);
        else {
            nd = m->alloc.alloc ? (uint8_t *)m->alloc.alloc(m->alloc.ctx, (size_t)bytes, 16) : NULL;
            if (nd && m->data) {
                memcpy(nd, m->data, (size_t)m->size);
                if (m->alloc.free)
                    m->alloc.free(m->alloc.ctx, m->data, (size_t)m->reserved);
            }
        }
        if (!nd)
            return GALE_ENOMEM;
        memset(nd + m->reserved, 0, (size_t)(bytes - m->reserved));
        m->data = nd;
        m->reserved = bytes;
    }
    m->pages = (uint32_t)np;
    m->size = bytes;
    return 0;
}

int gw_table_grow(gale_wasm_table_t *t, uint32_t delta, gale_wasm_ref_t init, uint32_t *old)
{
    uint32_t o = t->size;
    if (old)
        *old = o;
    uint64_t ns = (uint64_t)o + delta;
    if (ns > t->max || ns > UINT32_MAX)
        return GALE_ENOMEM;
    if (ns > t->cap) {
        gale_wasm_ref_t *ne;
        size_t nb = (size_t)ns * sizeof(gale_wasm_ref_t);
        if ((uint64_t)nb / sizeof(gale_wasm_ref_t) != ns)
            return GALE_ENOMEM;
        ne = (gale_wasm_ref_t *)gw_realloc(&t->alloc, t->elems, (size_t)t->cap * sizeof(gale_wasm_ref_t), nb);
        if (!ne)
            return GALE_ENOMEM;
        t->elems = ne;
        t->cap = (uint32_t)ns;
    }
    for (uint64_t i = o; i < ns; i++)
        t->elems[i] = init;
    t->size = (uint32_t)ns;
    return 0;
}

/* Offset in the module binary of the op at code index `at`. */
static uint32_t code_offset(const gale_wasm_func_t *fn, const uint32_t *ip)
{
    if (!fn || fn->is_host || !fn->code)
        return 0;
    const gw_code_t *c = fn->code;
    uint32_t at = (uint32_t)(ip - c->ops);
    uint32_t lo = 0, hi = c->n_traps;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c->traps[mid].ip < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n_traps && c->traps[lo].ip == at)
        return c->traps[lo].offset;
    return c->body_offset;
}

/* Calls a host function with args at `args`; results go through scratch space
 * above `scratch` and are copied back over the args. */
static int call_host(gale_wasm_instance_t *ex, gale_wasm_func_t *callee, gale_wasm_instance_t *caller_inst,
                     gale_wasm_val_t *args, gale_wasm_val_t *scratch, gale_wasm_trap_t *trap)
{
    uint32_t nr = callee->type.n_results;
    if (scratch + nr > ex->stack_end)
        return GALE_TRAP_STACK_EXHAUSTED;
    gale_wasm_val_t *saved_top = ex->top;
    ex->top = scratch + nr;
    gale_wasm_caller_t caller = {caller_inst};
    gale_wasm_trap_t ht;
    memset(&ht, 0, sizeof ht);
    int rc = callee->fn(&caller, callee->env, args, scratch, &ht);
    ex->top = saved_top;
    if (rc < 0) {
        if (ht.code == GALE_TRAP_NONE)
            ht.code = GALE_TRAP_HOST;
        if (!ht.message[0]) {
            const char *r = gale_wasm_trap_reason(ht.code);
            size_t n = strlen(r);
            memcpy(ht.message, r, n + 1);
        }
        *trap = ht;
        return -1;
    }
    memcpy(args, scratch, (size_t)nr * sizeof(gale_wasm_val_t));
    return 0;
}

#define S(k) fp[ip[k]]
/* 32-bit results: on 64-bit hosts the whole slot is written (zero-extended),
 * so that a later 8-byte read of the slot (MOV, SELECT) can forward from the
 * store instead of stalling; 32-bit targets write 4 bytes. */
#if UINTPTR_MAX > 0xffffffffu
#define W32(k, v) (S(k).i64 = (uint32_t)(v))
#else
#define W32(k, v) (S(k).i32 = (uint32_t)(v))
#endif
#define RF32(k) gw_f32(S(k).f32_bits)
#define RF64(k) gw_f64(S(k).f64_bits)
#define WF32(k, v) W32(k, gw_b32(v))
#define WF64(k, v) (S(k).f64_bits = gw_b64(v))

#ifdef GW_CGOTO
/* Direct threading: each op word holds its handler's offset from L_UNREACHABLE
 * (gw_code_finalize rewrites the translated code once). */
#define CASE(name) L_##name:
#define NEXT() goto *(const void *)((const char *)&&L_UNREACHABLE + (int32_t)*ip)
#else
#define CASE(name) case GW_OP_##name:
#define NEXT() goto dispatch
#endif

#define TRAP(c)                                                                                                        \
    do {                                                                                                               \
        tcode = (c);                                                                                                   \
        goto trap_out;                                                                                                 \
    } while (0)

#define LOAD_MEM()                                                                                                     \
    do {                                                                                                               \
        if (inst->mem) {                                                                                               \
            mem = inst->mem->data;                                                                                     \
            msz = inst->mem->size;                                                                                     \
        } else {                                                                                                       \
            mem = NULL;                                                                                                \
            msz = 0;                                                                                                   \
        }                                                                                                              \
    } while (0)

#define BIN_I32(name, expr)                                                                                            \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint32_t x = S(2).i32, y = S(3).i32;                                                                           \
        W32(1, (expr));                                                                                             \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define BIN_I32I(name, expr)                                                                                           \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint32_t x = S(2).i32, y = ip[3];                                                                              \
        W32(1, (expr));                                                                                             \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define BIN_I64(name, expr)                                                                                            \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint64_t x = S(2).i64, y = S(3).i64;                                                                           \
        S(1).i64 = (expr);                                                                                             \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define CMP_I64(name, expr)                                                                                            \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint64_t x = S(2).i64, y = S(3).i64;                                                                           \
        W32(1, (expr));                                                                                             \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define UN_I32(name, expr)                                                                                             \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint32_t x = S(2).i32;                                                                                         \
        W32(1, (expr));                                                                                             \
        ip += 3;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define UN_I64(name, expr)                                                                                             \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint64_t x = S(2).i64;                                                                                         \
        S(1).i64 = (expr);                                                                                             \
        ip += 3;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define BRC(name, expr)                                                                                                \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint32_t x = S(1).i32, y = S(2).i32;                                                                           \
        if (expr)                                                                                                      \
            ip = code + ip[3];                                                                                         \
        else                                                                                                           \
            ip += 4;                                                                                                   \
        NEXT();                                                                                                        \
    }
#define BRCI(name, expr)                                                                                               \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint32_t x = S(1).i32, y = ip[2];                                                                              \
        if (expr)                                                                                                      \
            ip = code + ip[3];                                                                                         \
        else                                                                                                           \
            ip += 4;                                                                                                   \
        NEXT();                                                                                                        \
    }
#define CMP_F32(name, expr)                                                                                            \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        float x = RF32(2), y = RF32(3);                                                                                \
        W32(1, (expr));                                                                                             \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define CMP_F64(name, expr)                                                                                            \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        double x = RF64(2), y = RF64(3);                                                                               \
        W32(1, (expr));                                                                                             \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define BIN_F32(name, expr)                                                                                            \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        float x = RF32(2), y = RF32(3);                                                                                \
        WF32(1, expr);                                                                                                 \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define BIN_F64(name, expr)                                                                                            \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        double x = RF64(2), y = RF64(3);                                                                               \
        WF64(1, expr);                                                                                                 \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define BITS32(name, expr)                                                                                             \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint32_t x = S(2).f32_bits;                                                                                    \
        W32(1, expr);                                                                                        \
        ip += 3;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define BITS64(name, expr)                                                                                             \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint64_t x = S(2).f64_bits;                                                                                    \
        S(1).f64_bits = (expr);                                                                                        \
        ip += 3;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define LOAD(name, T, N, conv)                                                                                         \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint64_t ea = (uint64_t)S(2).i32 + ip[3];                                                                      \
        if (GW_UNLIKELY(ea + N > msz))                                                                                 \
            TRAP(GALE_TRAP_MEMORY_OOB);                                                                                \
        T v;                                                                                                           \
        memcpy(&v, mem + ea, N);                                                                                       \
        conv;                                                                                                          \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define STORE(name, T, N, val)                                                                                         \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        uint64_t ea = (uint64_t)S(1).i32 + ip[3];                                                                      \
        if (GW_UNLIKELY(ea + N > msz))                                                                                 \
            TRAP(GALE_TRAP_MEMORY_OOB);                                                                                \
        T v = (T)(val);                                                                                                \
        memcpy(mem + ea, &v, N);                                                                                       \
        ip += 4;                                                                                                       \
        NEXT();                                                                                                        \
    }
#define CONV(name, expr)                                                                                               \
    CASE(name)                                                                                                         \
    {                                                                                                                  \
        expr;                                                                                                          \
        ip += 3;                                                                                                       \
        NEXT();                                                                                                        \
    }

static inline uint32_t rotl32(uint32_t x, uint32_t n)
{
    n &= 31;
    return n ? (x << n) | (x >> (32 - n)) : x;
}
static inline uint32_t rotr32(uint32_t x, uint32_t n)
{
    n &= 31;
    return n ? (x >> n) | (x << (32 - n)) : x;
}
static inline uint64_t rotl64(uint64_t x, uint64_t n)
{
    n &= 63;
    return n ? (x << n) | (x >> (64 - n)) : x;
}
static inline uint64_t rotr64(uint64_t x, uint64_t n)
{
    n &= 63;
    return n ? (x >> n) | (x << (64 - n)) : x;
}
static inline uint32_t popcnt32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}
static inline uint64_t popcnt64(uint64_t x) { return popcnt32((uint32_t)x) + popcnt32((uint32_t)(x >> 32)); }

/* i32/i64 from float with wasm's trapping rules: 0 ok, else trap code. */
#define F2I_CHECK(v, lo_ok, hi_ok)                                                                                     \
    do {                                                                                                               \
        if ((v) != (v))                                                                                                \
            TRAP(GALE_TRAP_INVALID_CONVERSION);                                                                        \
        if (!(lo_ok) || !(hi_ok))                                                                                      \
            TRAP(GALE_TRAP_INT_OVERFLOW);                                                                              \
    } while (0)

static inline uint32_t sat_f2i32s(double v)
{
    if (v != v)
        return 0;
    if (v <= -2147483649.0)
        return 0x80000000u;
    if (v >= 2147483648.0)
        return 0x7fffffffu;
    return (uint32_t)(int32_t)v;
}
static inline uint32_t sat_f2i32u(double v)
{
    if (v != v || v <= -1.0)
        return 0;
    if (v >= 4294967296.0)
        return 0xffffffffu;
    return (uint32_t)v;
}
static inline uint64_t sat_f2i64s(double v)
{
    if (v != v)
        return 0;
    if (v < -9223372036854775808.0)
        return 0x8000000000000000ull;
    if (v >= 9223372036854775808.0)
        return 0x7fffffffffffffffull;
    return (uint64_t)(int64_t)v;
}
static inline uint64_t sat_f2i64u(double v)
{
    if (v != v || v <= -1.0)
        return 0;
    if (v >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)v;
}

/* Runs from (fn, ip, fp) until the frame count drops back to base_frames.
 * Returns 0 (results at the entry frame's fp[0..]), GALE_ETRAP or GALE_EFUEL. */
static int run(gale_wasm_instance_t *ex, gale_wasm_func_t *fn, const uint32_t *ip, gale_wasm_val_t *fp,
               uint32_t base_frames, int nested, gale_wasm_trap_t *trap)
{
#ifdef GW_CGOTO
    static const int32_t offsets[] = {
#define OP(name, n) (int32_t)((const char *)&&L_##name - (const char *)&&L_UNREACHABLE),
#include "ops.def"
#undef OP
    };
    if (!fn) { /* gw_code_finalize asks for the handler offsets */
        *(const int32_t **)(void *)fp = offsets;
        return 0;
    }
#endif
    gale_wasm_instance_t *inst = fn->inst;
    const uint32_t *code = fn->code->ops;
    uint8_t *mem;
    uint64_t msz;
    gw_frame_t *frames = ex->frames;
    uint32_t nfr = ex->n_frames;
    const int metering = ex->fuel != UINT64_MAX;
    uint64_t fuel = ex->fuel;
    gale_wasm_trap_code_t tcode = GALE_TRAP_NONE;
    const char *tmsg = NULL;
    gale_wasm_func_t *callee;
    gale_wasm_val_t *nfp;
    uint32_t call_len;
    LOAD_MEM();

#ifdef GW_CGOTO
    NEXT();
#else
dispatch:
    switch (*ip) {
#endif

    CASE(UNREACHABLE) TRAP(GALE_TRAP_UNREACHABLE);
    CASE(BR) ip = code + ip[1];
    NEXT();
    CASE(BR_IF)
    {
        if (S(1).i32)
            ip = code + ip[2];
        else
            ip += 3;
        NEXT();
    }
    CASE(BR_IFNOT)
    {
        if (!S(1).i32)
            ip = code + ip[2];
        else
            ip += 3;
        NEXT();
    }
    CASE(BR_TABLE)
    {
        uint32_t i = S(1).i32, n = ip[2];
        if (i > n)
            i = n;
        ip = code + ip[3 + i];
        NEXT();
    }
    CASE(FUEL)
    {
        uint32_t n = ip[1];
        if (GW_UNLIKELY(fuel < n)) {
            if (metering) {
                if (nested)
                    TRAP(GALE_TRAP_OUT_OF_FUEL);
                ex->s_ip = ip;
                ex->s_fp = fp;
                ex->s_fn = fn;
                ex->n_frames = nfr;
                ex->fuel = fuel;
                return GALE_EFUEL;
            }
            fuel = UINT64_MAX;
        }
        fuel -= n;
        ip += 2;
        NEXT();
    }
    CASE(RET)
    {
        if (nfr == base_frames) {
            ex->n_frames = nfr;
            if (metering)
                ex->fuel = fuel;
            return 0;
        }
        gw_frame_t *f = &frames[--nfr];
        ip = f->ip;
        fp = f->fp;
        fn = f->fn;
        code = fn->code->ops;
        if (fn->inst != inst) {
            inst = fn->inst;
            LOAD_MEM();
        }
        NEXT();
    }
    CASE(CALL)
    {
        callee = inst->funcs[ip[1]];
        nfp = fp + ip[2];
        call_len = 3;
        goto do_call;
    }
    CASE(CALL_INDIRECT)
    {
        gale_wasm_table_t *t = inst->tables[ip[2]];
        uint32_t i = S(4).i32;
        if (i >= t->size) {
            tmsg = "undefined element";
            TRAP(GALE_TRAP_TABLE_OOB);
        }
        callee = (gale_wasm_func_t *)t->elems[i];
        if (!callee)
            TRAP(GALE_TRAP_INDIRECT_NULL);
        if (!gw_types_equal(&callee->type, &inst->mod->types[ip[1]]))
            TRAP(GALE_TRAP_INDIRECT_TYPE);
        nfp = fp + ip[3];
        call_len = 5;
        goto do_call;
    }
    CASE(SELECT)
    {
        S(1) = S(4).i32 ? S(2) : S(3);
        ip += 5;
        NEXT();
    }
    CASE(MOV)
    {
        S(1) = S(2);
        ip += 3;
        NEXT();
    }
    CASE(MOV2)
    {
        S(1) = S(2);
        S(3) = S(4);
        ip += 5;
        NEXT();
    }
    CASE(CONST32)
    {
        S(1).i64 = ip[2];
        ip += 3;
        NEXT();
    }
    CASE(CONST64)
    {
        S(1).i64 = (uint64_t)ip[2] | (uint64_t)ip[3] << 32;
        ip += 4;
        NEXT();
    }
    CASE(GLOBAL_GET)
    {
        S(1) = inst->globals[ip[2]]->val;
        ip += 3;
        NEXT();
    }
    CASE(GLOBAL_SET)
    {
        inst->globals[ip[1]]->val = S(2);
        ip += 3;
        NEXT();
    }
    BRC(BRC_I32_EQ, x == y)
    BRC(BRC_I32_NE, x != y)
    BRC(BRC_I32_LT_S, (int32_t)x < (int32_t)y)
    BRC(BRC_I32_LT_U, x < y)
    BRC(BRC_I32_GT_S, (int32_t)x > (int32_t)y)
    BRC(BRC_I32_GT_U, x > y)
    BRC(BRC_I32_LE_S, (int32_t)x <= (int32_t)y)
    BRC(BRC_I32_LE_U, x <= y)
    BRC(BRC_I32_GE_S, (int32_t)x >= (int32_t)y)
    BRC(BRC_I32_GE_U, x >= y)
    BRCI(BRCI_I32_EQ, x == y)
    BRCI(BRCI_I32_NE, x != y)
    BRCI(BRCI_I32_LT_S, (int32_t)x < (int32_t)y)
    BRCI(BRCI_I32_LT_U, x < y)
    BRCI(BRCI_I32_GT_S, (int32_t)x > (int32_t)y)
    BRCI(BRCI_I32_GT_U, x > y)
    BRCI(BRCI_I32_LE_S, (int32_t)x <= (int32_t)y)
    BRCI(BRCI_I32_LE_U, x <= y)
    BRCI(BRCI_I32_GE_S, (int32_t)x >= (int32_t)y)
    BRCI(BRCI_I32_GE_U, x >= y)

    LOAD(LD32, uint32_t, 4, W32(1, v))
    LOAD(LD64, uint64_t, 8, S(1).i64 = v)
    LOAD(LD8S32, int8_t, 1, W32(1, (int32_t)v))
    LOAD(LD8U32, uint8_t, 1, W32(1, v))
    LOAD(LD16S32, int16_t, 2, W32(1, (int32_t)v))
    LOAD(LD16U32, uint16_t, 2, W32(1, v))
    LOAD(LD8S64, int8_t, 1, S(1).i64 = (uint64_t)(int64_t)v)
    LOAD(LD8U64, uint8_t, 1, S(1).i64 = v)
    LOAD(LD16S64, int16_t, 2, S(1).i64 = (uint64_t)(int64_t)v)
    LOAD(LD16U64, uint16_t, 2, S(1).i64 = v)
    LOAD(LD32S64, int32_t, 4, S(1).i64 = (uint64_t)(int64_t)v)
    LOAD(LD32U64, uint32_t, 4, S(1).i64 = v)
    STORE(ST8, uint8_t, 1, S(2).i32)
    STORE(ST16, uint16_t, 2, S(2).i32)
    STORE(ST32, uint32_t, 4, S(2).i32)
    STORE(ST64, uint64_t, 8, S(2).i64)

    CASE(MEMORY_SIZE)
    {
        W32(1, inst->mem->pages);
        ip += 2;
        NEXT();
    }
    CASE(MEMORY_GROW)
    {
        uint32_t old;
        if (gw_memory_grow(inst->mem, S(2).i32, &old) == 0)
            W32(1, old);
        else
            W32(1, UINT32_MAX);
        LOAD_MEM();
        ip += 3;
        NEXT();
    }
    CASE(MEMORY_FILL)
    {
        uint64_t d = S(1).i32, n = S(3).i32;
        if (d + n > msz)
            TRAP(GALE_TRAP_MEMORY_OOB);
        if (n)   /* a zero-size memory has a NULL base: no pointer arithmetic on it */
            memset(mem + d, (int)(S(2).i32 & 0xff), (size_t)n);
        ip += 4;
        NEXT();
    }
    CASE(MEMORY_COPY)
    {
        uint64_t d = S(1).i32, s = S(2).i32, n = S(3).i32;
        if (d + n > msz || s + n > msz)
            TRAP(GALE_TRAP_MEMORY_OOB);
        if (n)
            memmove(mem + d, mem + s, (size_t)n);
        ip += 4;
        NEXT();
    }
    CASE(MEMORY_INIT)
    {
        uint32_t seg = ip[1];
        uint64_t d = S(2).i32, s = S(3).i32, n = S(4).i32;
        uint64_t len = inst->data_dropped[seg] ? 0 : inst->mod->datas[seg].len;
        if (s + n > len || d + n > msz)
            TRAP(GALE_TRAP_MEMORY_OOB);
        if (n)
            memcpy(mem + d, inst->mod->datas[seg].bytes + s, (size_t)n);
        ip += 5;
        NEXT();
    }
    CASE(DATA_DROP)
    {
        inst->data_dropped[ip[1]] = 1;
        ip += 2;
        NEXT();
    }
    CASE(TABLE_GET)
    {
        gale_wasm_table_t *t = inst->tables[ip[3]];
        uint32_t i = S(2).i32;
        if (i >= t->size)
            TRAP(GALE_TRAP_TABLE_OOB);
        S(1).i64 = 0;
        S(1).ref = t->elems[i];
        ip += 4;
        NEXT();
    }
    CASE(TABLE_SET)
    {
        gale_wasm_table_t *t = inst->tables[ip[1]];
        uint32_t i = S(2).i32;
        if (i >= t->size)
            TRAP(GALE_TRAP_TABLE_OOB);
        t->elems[i] = S(3).ref;
        ip += 4;
        NEXT();
    }
    CASE(TABLE_SIZE)
    {
        W32(1, inst->tables[ip[2]]->size);
        ip += 3;
        NEXT();
    }
    CASE(TABLE_GROW)
    {
        uint32_t old;
        gale_wasm_table_t *t = inst->tables[ip[4]];
        if (gw_table_grow(t, S(3).i32, S(2).ref, &old) == 0)
            W32(1, old);
        else
            W32(1, UINT32_MAX);
        ip += 5;
        NEXT();
    }
    CASE(TABLE_FILL)
    {
        gale_wasm_table_t *t = inst->tables[ip[1]];
        uint64_t i = S(2).i32, n = S(4).i32;
        gale_wasm_ref_t v = S(3).ref;
        if (i + n > t->size)
            TRAP(GALE_TRAP_TABLE_OOB);
        for (uint64_t k = 0; k < n; k++)
            t->elems[i + k] = v;
        ip += 5;
        NEXT();
    }
    CASE(TABLE_COPY)
    {
        gale_wasm_table_t *td = inst->tables[ip[1]], *ts = inst->tables[ip[2]];
        uint64_t d = S(3).i32, s = S(4).i32, n = S(5).i32;
        if (d + n > td->size || s + n > ts->size)
            TRAP(GALE_TRAP_TABLE_OOB);
        if (n)
            memmove(td->elems + d, ts->elems + s, (size_t)n * sizeof(gale_wasm_ref_t));
        ip += 6;
        NEXT();
    }
    CASE(TABLE_INIT)
    {
        gale_wasm_table_t *t = inst->tables[ip[1]];
        uint32_t seg = ip[2];
        uint64_t d = S(3).i32, s = S(4).i32, n = S(5).i32;
        if (s + n > inst->elem_len[seg] || d + n > t->size)
            TRAP(GALE_TRAP_TABLE_OOB);
        if (n)
            memcpy(t->elems + d, inst->elem_refs[seg] + s, (size_t)n * sizeof(gale_wasm_ref_t));
        ip += 6;
        NEXT();
    }
    CASE(ELEM_DROP)
    {
        inst->elem_len[ip[1]] = 0;
        ip += 2;
        NEXT();
    }
    CASE(REF_FUNC)
    {
        S(1).i64 = 0;
        S(1).ref = inst->funcs[ip[2]];
        ip += 3;
        NEXT();
    }
    CASE(REF_IS_NULL)
    {
        W32(1, S(2).ref == NULL);
        ip += 3;
        NEXT();
    }

    UN_I32(I32_EQZ, x == 0)
    BIN_I32(I32_EQ, x == y)
    BIN_I32(I32_NE, x != y)
    BIN_I32(I32_LT_S, (int32_t)x < (int32_t)y)
    BIN_I32(I32_LT_U, x < y)
    BIN_I32(I32_GT_S, (int32_t)x > (int32_t)y)
    BIN_I32(I32_GT_U, x > y)
    BIN_I32(I32_LE_S, (int32_t)x <= (int32_t)y)
    BIN_I32(I32_LE_U, x <= y)
    BIN_I32(I32_GE_S, (int32_t)x >= (int32_t)y)
    BIN_I32(I32_GE_U, x >= y)
    UN_I32(I32_CLZ, x ? (uint32_t)__builtin_clz(x) : 32u)
    UN_I32(I32_CTZ, x ? (uint32_t)__builtin_ctz(x) : 32u)
    UN_I32(I32_POPCNT, popcnt32(x))
    BIN_I32(I32_ADD, x + y)
    BIN_I32(I32_SUB, x - y)
    BIN_I32(I32_MUL, x * y)
    CASE(I32_DIV_S)
    {
        int32_t x = (int32_t)S(2).i32, y = (int32_t)S(3).i32;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        if (x == INT32_MIN && y == -1)
            TRAP(GALE_TRAP_INT_OVERFLOW);
        W32(1, (uint32_t)(x / y));
        ip += 4;
        NEXT();
    }
    CASE(I32_DIV_U)
    {
        uint32_t x = S(2).i32, y = S(3).i32;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        W32(1, x / y);
        ip += 4;
        NEXT();
    }
    CASE(I32_REM_S)
    {
        int32_t x = (int32_t)S(2).i32, y = (int32_t)S(3).i32;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        W32(1, (y == -1) ? 0 : (uint32_t)(x % y));
        ip += 4;
        NEXT();
    }
    CASE(I32_REM_U)
    {
        uint32_t x = S(2).i32, y = S(3).i32;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        W32(1, x % y);
        ip += 4;
        NEXT();
    }
    BIN_I32(I32_AND, x & y)
    BIN_I32(I32_OR, x | y)
    BIN_I32(I32_XOR, x ^ y)
    BIN_I32(I32_SHL, x << (y & 31))
    BIN_I32(I32_SHR_S, (uint32_t)((int32_t)x >> (y & 31)))
    BIN_I32(I32_SHR_U, x >> (y & 31))
    BIN_I32(I32_ROTL, rotl32(x, y))
    BIN_I32(I32_ROTR, rotr32(x, y))
    BIN_I32I(I32_EQ_I, x == y)
    BIN_I32I(I32_NE_I, x != y)
    BIN_I32I(I32_LT_S_I, (int32_t)x < (int32_t)y)
    BIN_I32I(I32_LT_U_I, x < y)
    BIN_I32I(I32_GT_S_I, (int32_t)x > (int32_t)y)
    BIN_I32I(I32_GT_U_I, x > y)
    BIN_I32I(I32_LE_S_I, (int32_t)x <= (int32_t)y)
    BIN_I32I(I32_LE_U_I, x <= y)
    BIN_I32I(I32_GE_S_I, (int32_t)x >= (int32_t)y)
    BIN_I32I(I32_GE_U_I, x >= y)
    BIN_I32I(I32_ADD_I, x + y)
    BIN_I32I(I32_SUB_I, x - y)
    BIN_I32I(I32_MUL_I, x * y)
    BIN_I32I(I32_AND_I, x & y)
    BIN_I32I(I32_OR_I, x | y)
    BIN_I32I(I32_XOR_I, x ^ y)
    BIN_I32I(I32_SHL_I, x << (y & 31))
    BIN_I32I(I32_SHR_S_I, (uint32_t)((int32_t)x >> (y & 31)))
    BIN_I32I(I32_SHR_U_I, x >> (y & 31))
    BIN_I32I(I32_ROTL_I, rotl32(x, y))
    BIN_I32I(I32_ROTR_I, rotr32(x, y))
    CASE(F32_ADD_I)
    {
        WF32(1, RF32(2) + gw_f32(ip[3]));
        ip += 4;
        NEXT();
    }
    CASE(F32_SUB_I)
    {
        WF32(1, RF32(2) - gw_f32(ip[3]));
        ip += 4;
        NEXT();
    }
    CASE(F32_MUL_I)
    {
        WF32(1, RF32(2) * gw_f32(ip[3]));
        ip += 4;
        NEXT();
    }
    CASE(F32_DIV_I)
    {
        WF32(1, RF32(2) / gw_f32(ip[3]));
        ip += 4;
        NEXT();
    }
    CASE(F32_MUL_LL)
    {
        uint64_t e1 = (uint64_t)(uint32_t)(S(2).i32 + ip[4]) + ip[3];
        uint64_t e2 = (uint64_t)(uint32_t)(S(5).i32 + ip[7]) + ip[6];
        if (GW_UNLIKELY(e1 + 4 > msz || e2 + 4 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint32_t x, y;
        memcpy(&x, mem + e1, 4);
        memcpy(&y, mem + e2, 4);
        WF32(1, gw_f32(x) * gw_f32(y));
        ip += 8;
        NEXT();
    }
    CASE(F64_MUL_LL)
    {
        uint64_t e1 = (uint64_t)(uint32_t)(S(2).i32 + ip[4]) + ip[3];
        uint64_t e2 = (uint64_t)(uint32_t)(S(5).i32 + ip[7]) + ip[6];
        if (GW_UNLIKELY(e1 + 8 > msz || e2 + 8 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint64_t x, y;
        memcpy(&x, mem + e1, 8);
        memcpy(&y, mem + e2, 8);
        WF64(1, gw_f64(x) * gw_f64(y));
        ip += 8;
        NEXT();
    }
    CASE(F32_MUL_RL)
    {
        uint64_t ea = (uint64_t)(uint32_t)(S(3).i32 + ip[5]) + ip[4];
        if (GW_UNLIKELY(ea + 4 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint32_t v;
        memcpy(&v, mem + ea, 4);
        WF32(1, RF32(2) * gw_f32(v));
        ip += 6;
        NEXT();
    }
    CASE(F64_MUL_RL)
    {
        uint64_t ea = (uint64_t)(uint32_t)(S(3).i32 + ip[5]) + ip[4];
        if (GW_UNLIKELY(ea + 8 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint64_t v;
        memcpy(&v, mem + ea, 8);
        WF64(1, RF64(2) * gw_f64(v));
        ip += 6;
        NEXT();
    }
    CASE(F32_ADD_RL)
    {
        uint64_t ea = (uint64_t)(uint32_t)(S(3).i32 + ip[5]) + ip[4];
        if (GW_UNLIKELY(ea + 4 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint32_t v;
        memcpy(&v, mem + ea, 4);
        WF32(1, RF32(2) + gw_f32(v));
        ip += 6;
        NEXT();
    }
    CASE(F64_ADD_RL)
    {
        uint64_t ea = (uint64_t)(uint32_t)(S(3).i32 + ip[5]) + ip[4];
        if (GW_UNLIKELY(ea + 8 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint64_t v;
        memcpy(&v, mem + ea, 8);
        WF64(1, RF64(2) + gw_f64(v));
        ip += 6;
        NEXT();
    }
    CASE(LD32_A)
    {
        uint64_t ea = (uint64_t)(uint32_t)(S(2).i32 + ip[4]) + ip[3];
        if (GW_UNLIKELY(ea + 4 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint32_t v;
        memcpy(&v, mem + ea, 4);
        W32(1, v);
        ip += 5;
        NEXT();
    }
    CASE(LD64_A)
    {
        uint64_t ea = (uint64_t)(uint32_t)(S(2).i32 + ip[4]) + ip[3];
        if (GW_UNLIKELY(ea + 8 > msz))
            TRAP(GALE_TRAP_MEMORY_OOB);
        uint64_t v;
        memcpy(&v, mem + ea, 8);
        S(1).i64 = v;
        ip += 5;
        NEXT();
    }

    CASE(I64_EQZ)
    {
        W32(1, S(2).i64 == 0);
        ip += 3;
        NEXT();
    }
    CMP_I64(I64_EQ, x == y)
    CMP_I64(I64_NE, x != y)
    CMP_I64(I64_LT_S, (int64_t)x < (int64_t)y)
    CMP_I64(I64_LT_U, x < y)
    CMP_I64(I64_GT_S, (int64_t)x > (int64_t)y)
    CMP_I64(I64_GT_U, x > y)
    CMP_I64(I64_LE_S, (int64_t)x <= (int64_t)y)
    CMP_I64(I64_LE_U, x <= y)
    CMP_I64(I64_GE_S, (int64_t)x >= (int64_t)y)
    CMP_I64(I64_GE_U, x >= y)
    UN_I64(I64_CLZ, x ? (uint64_t)__builtin_clzll(x) : 64u)
    UN_I64(I64_CTZ, x ? (uint64_t)__builtin_ctzll(x) : 64u)
    UN_I64(I64_POPCNT, popcnt64(x))
    BIN_I64(I64_ADD, x + y)
    BIN_I64(I64_SUB, x - y)
    BIN_I64(I64_MUL, x * y)
    CASE(I64_DIV_S)
    {
        int64_t x = (int64_t)S(2).i64, y = (int64_t)S(3).i64;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        if (x == INT64_MIN && y == -1)
            TRAP(GALE_TRAP_INT_OVERFLOW);
        S(1).i64 = (uint64_t)(x / y);
        ip += 4;
        NEXT();
    }
    CASE(I64_DIV_U)
    {
        uint64_t x = S(2).i64, y = S(3).i64;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        S(1).i64 = x / y;
        ip += 4;
        NEXT();
    }
    CASE(I64_REM_S)
    {
        int64_t x = (int64_t)S(2).i64, y = (int64_t)S(3).i64;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        S(1).i64 = (y == -1) ? 0 : (uint64_t)(x % y);
        ip += 4;
        NEXT();
    }
    CASE(I64_REM_U)
    {
        uint64_t x = S(2).i64, y = S(3).i64;
        if (y == 0)
            TRAP(GALE_TRAP_DIV_ZERO);
        S(1).i64 = x % y;
        ip += 4;
        NEXT();
    }
    BIN_I64(I64_AND, x & y)
    BIN_I64(I64_OR, x | y)
    BIN_I64(I64_XOR, x ^ y)
    BIN_I64(I64_SHL, x << (y & 63))
    BIN_I64(I64_SHR_S, (uint64_t)((int64_t)x >> (y & 63)))
    BIN_I64(I64_SHR_U, x >> (y & 63))
    BIN_I64(I64_ROTL, rotl64(x, y))
    BIN_I64(I64_ROTR, rotr64(x, y))
    CASE(I64_ADD_I)
    {
        S(1).i64 = S(2).i64 + (uint64_t)(int64_t)(int32_t)ip[3];
        ip += 4;
        NEXT();
    }

    CMP_F32(F32_EQ, x == y)
    CMP_F32(F32_NE, x != y)
    CMP_F32(F32_LT, x < y)
    CMP_F32(F32_GT, x > y)
    CMP_F32(F32_LE, x <= y)
    CMP_F32(F32_GE, x >= y)
    BITS32(F32_ABS, x & 0x7fffffffu)
    BITS32(F32_NEG, x ^ 0x80000000u)
    BITS32(F32_CEIL, gw_ceil32(x))
    BITS32(F32_FLOOR, gw_floor32(x))
    BITS32(F32_TRUNC, gw_trunc32(x))
    BITS32(F32_NEAREST, gw_nearest32(x))
    CASE(F32_SQRT)
    {
        WF32(1, __builtin_sqrtf(RF32(2)));
        ip += 3;
        NEXT();
    }
    BIN_F32(F32_ADD, x + y)
    BIN_F32(F32_SUB, x - y)
    BIN_F32(F32_MUL, x * y)
    BIN_F32(F32_DIV, x / y)
    BIN_F32(F32_MIN, gw_fmin32(x, y))
    BIN_F32(F32_MAX, gw_fmax32(x, y))
    CASE(F32_COPYSIGN)
    {
        W32(1, (S(2).f32_bits & 0x7fffffffu) | (S(3).f32_bits & 0x80000000u));
        ip += 4;
        NEXT();
    }
    CMP_F64(F64_EQ, x == y)
    CMP_F64(F64_NE, x != y)
    CMP_F64(F64_LT, x < y)
    CMP_F64(F64_GT, x > y)
    CMP_F64(F64_LE, x <= y)
    CMP_F64(F64_GE, x >= y)
    BITS64(F64_ABS, x & 0x7fffffffffffffffull)
    BITS64(F64_NEG, x ^ 0x8000000000000000ull)
    BITS64(F64_CEIL, gw_ceil64(x))
    BITS64(F64_FLOOR, gw_floor64(x))
    BITS64(F64_TRUNC, gw_trunc64(x))
    BITS64(F64_NEAREST, gw_nearest64(x))
    CASE(F64_SQRT)
    {
#if defined(__arm__) && (!defined(__ARM_FP) || !(__ARM_FP & 8))
        S(1).f64_bits = gw_sqrt64_soft(S(2).f64_bits); /* no double-precision FPU */
#else
        WF64(1, __builtin_sqrt(RF64(2)));
#endif
        ip += 3;
        NEXT();
    }
    BIN_F64(F64_ADD, x + y)
    BIN_F64(F64_SUB, x - y)
    BIN_F64(F64_MUL, x * y)
    BIN_F64(F64_DIV, x / y)
    BIN_F64(F64_MIN, gw_fmin64(x, y))
    BIN_F64(F64_MAX, gw_fmax64(x, y))
    CASE(F64_COPYSIGN)
    {
        S(1).f64_bits = (S(2).f64_bits & 0x7fffffffffffffffull) | (S(3).f64_bits & 0x8000000000000000ull);
        ip += 4;
        NEXT();
    }

    CONV(I64_EXTEND_I32_S, S(1).i64 = (uint64_t)(int64_t)(int32_t)S(2).i32)
    CONV(I64_EXTEND_I32_U, S(1).i64 = S(2).i32)
    CONV(I32_TRUNC_F32_S, {
        float v = RF32(2);
        F2I_CHECK(v, v >= -2147483648.0f, v < 2147483648.0f);
        W32(1, (uint32_t)(int32_t)v);
    })
    CONV(I32_TRUNC_F32_U, {
        float v = RF32(2);
        F2I_CHECK(v, v > -1.0f, v < 4294967296.0f);
        W32(1, (uint32_t)v);
    })
    CONV(I32_TRUNC_F64_S, {
        double v = RF64(2);
        F2I_CHECK(v, v > -2147483649.0, v < 2147483648.0);
        W32(1, (uint32_t)(int32_t)v);
    })
    CONV(I32_TRUNC_F64_U, {
        double v = RF64(2);
        F2I_CHECK(v, v > -1.0, v < 4294967296.0);
        W32(1, (uint32_t)v);
    })
    CONV(I64_TRUNC_F32_S, {
        float v = RF32(2);
        F2I_CHECK(v, v >= -9223372036854775808.0f, v < 9223372036854775808.0f);
        S(1).i64 = (uint64_t)(int64_t)v;
    })
    CONV(I64_TRUNC_F32_U, {
        float v = RF32(2);
        F2I_CHECK(v, v > -1.0f, v < 18446744073709551616.0f);
        S(1).i64 = (uint64_t)v;
    })
    CONV(I64_TRUNC_F64_S, {
        double v = RF64(2);
        F2I_CHECK(v, v >= -9223372036854775808.0, v < 9223372036854775808.0);
        S(1).i64 = (uint64_t)(int64_t)v;
    })
    CONV(I64_TRUNC_F64_U, {
        double v = RF64(2);
        F2I_CHECK(v, v > -1.0, v < 18446744073709551616.0);
        S(1).i64 = (uint64_t)v;
    })
    CONV(I32_TRUNC_SAT_F32_S, W32(1, sat_f2i32s(RF32(2))))
    CONV(I32_TRUNC_SAT_F32_U, W32(1, sat_f2i32u(RF32(2))))
    CONV(I32_TRUNC_SAT_F64_S, W32(1, sat_f2i32s(RF64(2))))
    CONV(I32_TRUNC_SAT_F64_U, W32(1, sat_f2i32u(RF64(2))))
    CONV(I64_TRUNC_SAT_F32_S, S(1).i64 = sat_f2i64s(RF32(2)))
    CONV(I64_TRUNC_SAT_F32_U, S(1).i64 = sat_f2i64u(RF32(2)))
    CONV(I64_TRUNC_SAT_F64_S, S(1).i64 = sat_f2i64s(RF64(2)))
    CONV(I64_TRUNC_SAT_F64_U, S(1).i64 = sat_f2i64u(RF64(2)))
    CONV(F32_CONVERT_I32_S, WF32(1, (float)(int32_t)S(2).i32))
    CONV(F32_CONVERT_I32_U, WF32(1, (float)S(2).i32))
    CONV(F32_CONVERT_I64_S, WF32(1, gw_s64_to_f32((int64_t)S(2).i64)))
    CONV(F32_CONVERT_I64_U, WF32(1, gw_u64_to_f32(S(2).i64)))
    CONV(F64_CONVERT_I32_S, WF64(1, (double)(int32_t)S(2).i32))
    CONV(F64_CONVERT_I32_U, WF64(1, (double)S(2).i32))
    CONV(F64_CONVERT_I64_S, WF64(1, gw_s64_to_f64((int64_t)S(2).i64)))
    CONV(F64_CONVERT_I64_U, WF64(1, gw_u64_to_f64(S(2).i64)))
    CONV(F32_DEMOTE_F64, WF32(1, (float)RF64(2)))
    CONV(F64_PROMOTE_F32, WF64(1, (double)RF32(2)))
    CONV(I32_EXTEND8_S, W32(1, (uint32_t)(int32_t)(int8_t)S(2).i32))
    CONV(I32_EXTEND16_S, W32(1, (uint32_t)(int32_t)(int16_t)S(2).i32))
    CONV(I64_EXTEND8_S, S(1).i64 = (uint64_t)(int64_t)(int8_t)S(2).i64)
    CONV(I64_EXTEND16_S, S(1).i64 = (uint64_t)(int64_t)(int16_t)S(2).i64)
    CONV(I64_EXTEND32_S, S(1).i64 = (uint64_t)(int64_t)(int32_t)S(2).i64)

#ifndef GW_CGOTO
    default:
        TRAP(GALE_TRAP_UNREACHABLE);
    }
#endif

do_call:
    /* ip points at the CALL / CALL_INDIRECT op; callee and nfp are set */
    {
        const uint32_t len = call_len;
        if (callee->is_host) {
            gale_wasm_val_t *scratch = fp + fn->code->n_slots;
            ex->n_frames = nfr;
            if (metering)
                ex->fuel = fuel;
            int rc = call_host(ex, callee, inst, nfp, scratch, trap);
            if (metering)
                fuel = ex->fuel;
            if (rc != 0) {
                if (rc > 0)
                    TRAP((gale_wasm_trap_code_t)rc);
                /* host trap: keep the host's message, add the location */
                trap->func_index = fn->index;
                trap->code_offset = code_offset(fn, ip);
                ex->n_frames = base_frames;
                return GALE_ETRAP;
            }
            /* the memory may have grown or moved during the host call */
            LOAD_MEM();
            ip += len;
            NEXT();
        }
        const gw_code_t *c = callee->code;
        if (GW_UNLIKELY(nfr >= ex->max_frames || nfp + c->n_slots > ex->stack_end))
            TRAP(GALE_TRAP_STACK_EXHAUSTED);
        frames[nfr].ip = ip + len;
        frames[nfr].fp = fp;
        frames[nfr].fn = fn;
        nfr++;
        for (uint32_t k = c->n_params; k < c->n_locals; k++)
            nfp[k].i64 = 0;
        fp = nfp;
        fn = callee;
        code = c->ops;
        ip = code;
        if (callee->inst != inst) {
            inst = callee->inst;
            LOAD_MEM();
        }
        NEXT();
    }

trap_out:
    gw_trap_set(trap, tcode, fn->index, code_offset(fn, ip));
    if (tmsg) {
        size_t n = strlen(tmsg);
        memcpy(trap->message, tmsg, n + 1);
    }
    ex->n_frames = base_frames;
    if (metering)
        ex->fuel = fuel;
    return GALE_ETRAP;
}

/* Rewrites translated code for the dispatch in use (direct threading). */
void gw_code_finalize(uint32_t *ops, uint32_t n)
{
#ifdef GW_CGOTO
    static const uint8_t lens[] = {
#define OP(name, w) w,
#include "ops.def"
#undef OP
    };
    const int32_t *offsets = NULL;
    run(NULL, NULL, NULL, (gale_wasm_val_t *)(void *)&offsets, 0, 0, NULL);
    uint32_t i = 0;
    while (i < n) {
        uint32_t op = ops[i];
        uint32_t len = lens[op] ? lens[op] : 4 + ops[i + 2]; /* BR_TABLE: op c n t0..tn */
        ops[i] = (uint32_t)offsets[op];
        i += len;
    }
#else
    (void)ops;
    (void)n;
#endif
}

/* Entry from the API: call f with args; handles host functions, nesting,
 * suspension for fuel. */
int gw_invoke(gale_wasm_instance_t *inst, gale_wasm_func_t *f, const gale_wasm_val_t *args, uint32_t n_args,
              gale_wasm_val_t *results, uint32_t n_results, gale_wasm_trap_t *trap)
{
    const gale_wasm_functype_t *ft = &f->type;
    if (n_args != ft->n_params || n_results != ft->n_results || (n_args && !args) || (n_results && !results))
        return GALE_EINVAL;
    if (inst->suspended)
        return GALE_EINVAL;
    gale_wasm_val_t *fp = inst->top;
    uint32_t need = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
    if (!f->is_host && f->code->n_slots > need)
        need = f->code->n_slots;
    if (fp + need + ft->n_results > inst->stack_end) {
        gw_trap_set(trap, GALE_TRAP_STACK_EXHAUSTED, f->index, 0);
        return GALE_ETRAP;
    }
    if (n_args)
        memcpy(fp, args, (size_t)n_args * sizeof(gale_wasm_val_t));
    gale_wasm_val_t *saved_top = inst->top;
    uint32_t base = inst->n_frames;
    int nested = inst->active > 0;
    int rc;
    inst->active++;
    if (f->is_host) {
        inst->top = fp + need;
        rc = call_host(inst, f, NULL, fp, fp + need, trap);
        if (rc > 0) {
            gw_trap_set(trap, (gale_wasm_trap_code_t)rc, f->index, 0);
            rc = GALE_ETRAP;
        } else if (rc < 0)
            rc = GALE_ETRAP;
    } else {
        const gw_code_t *c = f->code;
        if (c->n_locals > c->n_params)
            memset(fp + c->n_params, 0, (size_t)(c->n_locals - c->n_params) * sizeof(gale_wasm_val_t));
        rc = run(inst, f, c->ops, fp, base, nested, trap);
    }
    inst->active--;
    if (rc == GALE_EFUEL) {
        inst->suspended = 1;
        inst->s_res = fp;
        inst->s_base_frames = base;
        inst->s_n_results = n_results;
        /* keep the stack in use: top stays where the suspended frames live */
        return rc;
    }
    inst->top = saved_top;
    if (rc == 0 && n_results)
        memcpy(results, fp, (size_t)n_results * sizeof(gale_wasm_val_t));
    return rc;
}

int gale_wasm_resume(gale_wasm_instance_t *inst, gale_wasm_val_t *results, uint32_t n_results,
                     gale_wasm_trap_t *trap)
{
    gale_wasm_trap_t local;
    if (!trap)
        trap = &local;
    memset(trap, 0, sizeof *trap);
    if (!inst || !inst->suspended || n_results != inst->s_n_results || (n_results && !results))
        return GALE_EINVAL;
    inst->suspended = 0;
    inst->active++;
    int rc = run(inst, inst->s_fn, inst->s_ip, inst->s_fp, inst->s_base_frames, 0, trap);
    inst->active--;
    if (rc == GALE_EFUEL) {
        inst->suspended = 1;
        return rc;
    }
    if (rc == 0 && n_results)
        memcpy(results, inst->s_res, (size_t)n_results * sizeof(gale_wasm_val_t));
    inst->top = inst->stack;
    return rc;
}

void gale_wasm_abort(gale_wasm_instance_t *inst)
{
    if (!inst || !inst->suspended)
        return;
    inst->suspended = 0;
    inst->n_frames = inst->s_base_frames;
    inst->top = inst->stack;
}
