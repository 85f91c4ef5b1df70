/* gale — structure-aware fuzz target for the wasm engine's interpreter.
 *
 * Random bytes rarely make a valid module, so the plain target (fuzz_wasm.c)
 * mostly exercises the decoder and validator. This one reads the input as a
 * stream of choices and *generates* a valid module from it: one exported
 * function f(i32, i64, f32, f64) -> T whose body is a type-correct random mix of
 * constants, locals, globals, integer and float arithmetic, conversions,
 * comparisons, loads and stores, bulk memory, memory.grow, select, nested
 * blocks / loops / ifs with br_if, direct and indirect (recursive) calls, and
 * calls of a host import that sometimes re-enters the instance.
 *
 * Checks, beyond the sanitizers:
 *  - the engine accepts the module (it is valid by construction; a rejection
 *    is a validator bug, or a generator bug: replay it with `wasm-validate`);
 *  - fuel suspension is transparent: the call is run once with a budget of
 *    FUEL, and on a fresh instance again in slices of SLICE fuel, resuming after
 *    each GALE_EFUEL; if the first run finished (results or trap), the sliced
 *    run must give the same results, the same trap and the same memory
 *    contents.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gale/wasm.h"

#ifndef GALE_FUZZ_GEN_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

#define FUEL 30000u
#define SLICE 97u
#define MAX_BODY 16384
#define MAX_STACK 24
#define MAX_DEPTH 6

enum { T_I32 = 0x7f, T_I64 = 0x7e, T_F32 = 0x7d, T_F64 = 0x7c };

/* Differential mode (tests/fuzz/gen_diff.c, compared with wabt's wasm-interp):
 * f takes no parameters (its eight locals start at zero) and returns an i64
 * that folds every value left on the stack and every local, with NaNs
 * canonicalised; no host import; no operation that exposes NaN bit patterns
 * (reinterpret, float stores), since those may differ between conforming
 * engines. */
static int g_diff_mode;

typedef struct gen {
    const uint8_t *in;
    size_t n, pos;
    uint8_t body[MAX_BODY];
    size_t len;
    uint8_t stack[MAX_STACK + 8];
    int sp;
    int ctl_height[MAX_DEPTH + 1]; /* stack height at block entry */
    int depth;
    int overflow;
    uint8_t functype[5]; /* i32 i64 f32 f64 -> result */
} gen_t;

static uint8_t take(gen_t *g)
{
    return g->pos < g->n ? g->in[g->pos++] : 0;
}

static void emit(gen_t *g, uint8_t b)
{
    if (g->len < MAX_BODY)
        g->body[g->len++] = b;
    else
        g->overflow = 1;
}

static void emit_uleb(gen_t *g, uint64_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        emit(g, v ? (uint8_t)(b | 0x80) : b);
    } while (v);
}

static void emit_sleb(gen_t *g, int64_t v)
{
    for (;;) {
        uint8_t b = v & 0x7f;
        v >>= 7; /* arithmetic shift on every compiler we use */
        if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
            emit(g, b);
            return;
        }
        emit(g, (uint8_t)(b | 0x80));
    }
}

static void push(gen_t *g, uint8_t t)
{
    g->stack[g->sp++] = t;
}

static uint8_t top(const gen_t *g, int k) /* k = 0: top */
{
    return g->stack[g->sp - 1 - k];
}

static int avail(const gen_t *g) /* values above the current block's entry */
{
    return g->sp - g->ctl_height[g->depth];
}

static uint64_t take_u64(gen_t *g, int nbytes)
{
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++)
        v |= (uint64_t)take(g) << (8 * i);
    return v;
}

/* Interesting constants more often than uniform random ones. */
static void emit_const(gen_t *g, uint8_t t)
{
    static const int64_t special[] = {0, 1, -1, 2, 0x7fffffff, -0x7fffffff - 1, 0x80000000LL, 65536, 65535,
                                      INT64_MAX, INT64_MIN, 31, 32, 63, 64};
    uint8_t how = take(g);
    uint64_t v = (how & 1) ? (uint64_t)special[(how >> 1) % (sizeof special / sizeof special[0])]
                           : take_u64(g, 1 + (how >> 5));
    switch (t) {
    case T_I32: emit(g, 0x41); emit_sleb(g, (int32_t)(uint32_t)v); break;
    case T_I64: emit(g, 0x42); emit_sleb(g, (int64_t)v); break;
    case T_F32: {
        static const uint32_t fs[] = {0x7fc00000u, 0xffc00000u, 0x7f800000u, 0xff800000u, 0x80000000u,
                                      0x4f000000u, 0xcf000000u, 0x3f800000u, 0x00000001u, 0x7fa00000u};
        uint32_t b = (how & 2) ? fs[(how >> 2) % 10] : (uint32_t)v;
        emit(g, 0x43);
        for (int i = 0; i < 4; i++)
            emit(g, (uint8_t)(b >> (8 * i)));
        break;
    }
    default: {
        static const uint64_t fd[] = {0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000000ull,
                                      0x8000000000000000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
                                      0x41e0000000000000ull, 0x3ff0000000000000ull, 1ull, 0x7ff4000000000000ull};
        uint64_t b = (how & 2) ? fd[(how >> 2) % 10] : v;
        emit(g, 0x44);
        for (int i = 0; i < 8; i++)
            emit(g, (uint8_t)(b >> (8 * i)));
        break;
    }
    }
    push(g, t);
}

static void ensure(gen_t *g, uint8_t t) /* make the top value a t (push a constant) */
{
    emit_const(g, t);
}

static const uint8_t types4[4] = {T_I32, T_I64, T_F32, T_F64};

/* Locals: params 0..3 = i32 i64 f32 f64, then locals 4..7 of the same types. */
static uint32_t local_of(gen_t *g, uint8_t t)
{
    uint32_t k = 0;
    while (types4[k] != t)
        k++;
    return k + ((take(g) & 1) ? 4 : 0);
}

/* Ops by operand types: {opcode (0xfc-prefixed if >= 0x100), in1, in2 (0: unary), out}. */
typedef struct op {
    uint16_t code;
    uint8_t a, b, out;
} op_t;

static const op_t ops[] = {
    /* i32 */
    {0x45, T_I32, 0, T_I32}, {0x46, T_I32, T_I32, T_I32}, {0x47, T_I32, T_I32, T_I32},
    {0x48, T_I32, T_I32, T_I32}, {0x49, T_I32, T_I32, T_I32}, {0x4a, T_I32, T_I32, T_I32},
    {0x4b, T_I32, T_I32, T_I32}, {0x4c, T_I32, T_I32, T_I32}, {0x4d, T_I32, T_I32, T_I32},
    {0x4e, T_I32, T_I32, T_I32}, {0x4f, T_I32, T_I32, T_I32},
    {0x67, T_I32, 0, T_I32}, {0x68, T_I32, 0, T_I32}, {0x69, T_I32, 0, T_I32},
    {0x6a, T_I32, T_I32, T_I32}, {0x6b, T_I32, T_I32, T_I32}, {0x6c, T_I32, T_I32, T_I32},
    {0x6d, T_I32, T_I32, T_I32}, {0x6e, T_I32, T_I32, T_I32}, {0x6f, T_I32, T_I32, T_I32},
    {0x70, T_I32, T_I32, T_I32}, {0x71, T_I32, T_I32, T_I32}, {0x72, T_I32, T_I32, T_I32},
    {0x73, T_I32, T_I32, T_I32}, {0x74, T_I32, T_I32, T_I32}, {0x75, T_I32, T_I32, T_I32},
    {0x76, T_I32, T_I32, T_I32}, {0x77, T_I32, T_I32, T_I32}, {0x78, T_I32, T_I32, T_I32},
    /* i64 */
    {0x50, T_I64, 0, T_I32}, {0x51, T_I64, T_I64, T_I32}, {0x52, T_I64, T_I64, T_I32},
    {0x53, T_I64, T_I64, T_I32}, {0x54, T_I64, T_I64, T_I32}, {0x55, T_I64, T_I64, T_I32},
    {0x56, T_I64, T_I64, T_I32}, {0x57, T_I64, T_I64, T_I32}, {0x58, T_I64, T_I64, T_I32},
    {0x59, T_I64, T_I64, T_I32}, {0x5a, T_I64, T_I64, T_I32},
    {0x79, T_I64, 0, T_I64}, {0x7a, T_I64, 0, T_I64}, {0x7b, T_I64, 0, T_I64},
    {0x7c, T_I64, T_I64, T_I64}, {0x7d, T_I64, T_I64, T_I64}, {0x7e, T_I64, T_I64, T_I64},
    {0x7f, T_I64, T_I64, T_I64}, {0x80, T_I64, T_I64, T_I64}, {0x81, T_I64, T_I64, T_I64},
    {0x82, T_I64, T_I64, T_I64}, {0x83, T_I64, T_I64, T_I64}, {0x84, T_I64, T_I64, T_I64},
    {0x85, T_I64, T_I64, T_I64}, {0x86, T_I64, T_I64, T_I64}, {0x87, T_I64, T_I64, T_I64},
    {0x88, T_I64, T_I64, T_I64}, {0x89, T_I64, T_I64, T_I64}, {0x8a, T_I64, T_I64, T_I64},
    /* f32 */
    {0x5b, T_F32, T_F32, T_I32}, {0x5c, T_F32, T_F32, T_I32}, {0x5d, T_F32, T_F32, T_I32},
    {0x5e, T_F32, T_F32, T_I32}, {0x5f, T_F32, T_F32, T_I32}, {0x60, T_F32, T_F32, T_I32},
    {0x8b, T_F32, 0, T_F32}, {0x8c, T_F32, 0, T_F32}, {0x8d, T_F32, 0, T_F32}, {0x8e, T_F32, 0, T_F32},
    {0x8f, T_F32, 0, T_F32}, {0x90, T_F32, 0, T_F32}, {0x91, T_F32, 0, T_F32},
    {0x92, T_F32, T_F32, T_F32}, {0x93, T_F32, T_F32, T_F32}, {0x94, T_F32, T_F32, T_F32},
    {0x95, T_F32, T_F32, T_F32}, {0x96, T_F32, T_F32, T_F32}, {0x97, T_F32, T_F32, T_F32},
    {0x98, T_F32, T_F32, T_F32},
    /* f64 */
    {0x61, T_F64, T_F64, T_I32}, {0x62, T_F64, T_F64, T_I32}, {0x63, T_F64, T_F64, T_I32},
    {0x64, T_F64, T_F64, T_I32}, {0x65, T_F64, T_F64, T_I32}, {0x66, T_F64, T_F64, T_I32},
    {0x99, T_F64, 0, T_F64}, {0x9a, T_F64, 0, T_F64}, {0x9b, T_F64, 0, T_F64}, {0x9c, T_F64, 0, T_F64},
    {0x9d, T_F64, 0, T_F64}, {0x9e, T_F64, 0, T_F64}, {0x9f, T_F64, 0, T_F64},
    {0xa0, T_F64, T_F64, T_F64}, {0xa1, T_F64, T_F64, T_F64}, {0xa2, T_F64, T_F64, T_F64},
    {0xa3, T_F64, T_F64, T_F64}, {0xa4, T_F64, T_F64, T_F64}, {0xa5, T_F64, T_F64, T_F64},
    {0xa6, T_F64, T_F64, T_F64},
    /* conversions */
    {0xa7, T_I64, 0, T_I32}, {0xa8, T_F32, 0, T_I32}, {0xa9, T_F32, 0, T_I32}, {0xaa, T_F64, 0, T_I32},
    {0xab, T_F64, 0, T_I32}, {0xac, T_I32, 0, T_I64}, {0xad, T_I32, 0, T_I64}, {0xae, T_F32, 0, T_I64},
    {0xaf, T_F32, 0, T_I64}, {0xb0, T_F64, 0, T_I64}, {0xb1, T_F64, 0, T_I64}, {0xb2, T_I32, 0, T_F32},
    {0xb3, T_I32, 0, T_F32}, {0xb4, T_I64, 0, T_F32}, {0xb5, T_I64, 0, T_F32}, {0xb6, T_F64, 0, T_F32},
    {0xb7, T_I32, 0, T_F64}, {0xb8, T_I32, 0, T_F64}, {0xb9, T_I64, 0, T_F64}, {0xba, T_I64, 0, T_F64},
    {0xbb, T_F32, 0, T_F64}, {0xbc, T_F32, 0, T_I32}, {0xbd, T_F64, 0, T_I64}, {0xbe, T_I32, 0, T_F32},
    {0xbf, T_I64, 0, T_F64},
    /* sign extension */
    {0xc0, T_I32, 0, T_I32}, {0xc1, T_I32, 0, T_I32}, {0xc2, T_I64, 0, T_I64}, {0xc3, T_I64, 0, T_I64},
    {0xc4, T_I64, 0, T_I64},
    /* saturating truncation (0xfc 0..7) */
    {0x100, T_F32, 0, T_I32}, {0x101, T_F32, 0, T_I32}, {0x102, T_F64, 0, T_I32}, {0x103, T_F64, 0, T_I32},
    {0x104, T_F32, 0, T_I64}, {0x105, T_F32, 0, T_I64}, {0x106, T_F64, 0, T_I64}, {0x107, T_F64, 0, T_I64},
};
#define N_OPS (sizeof ops / sizeof ops[0])

/* Loads / stores: {opcode, value type, natural alignment log2}. */
static const struct {
    uint8_t code, t, align;
} loads[] = {{0x28, T_I32, 2}, {0x29, T_I64, 3}, {0x2a, T_F32, 2}, {0x2b, T_F64, 3}, {0x2c, T_I32, 0},
             {0x2d, T_I32, 0}, {0x2e, T_I32, 1}, {0x2f, T_I32, 1}, {0x30, T_I64, 0}, {0x31, T_I64, 0},
             {0x32, T_I64, 1}, {0x33, T_I64, 1}, {0x34, T_I64, 2}, {0x35, T_I64, 2}},
  stores[] = {{0x36, T_I32, 2}, {0x37, T_I64, 3}, {0x38, T_F32, 2}, {0x39, T_F64, 3}, {0x3a, T_I32, 0},
              {0x3b, T_I32, 1}, {0x3c, T_I64, 0}, {0x3d, T_I64, 1}, {0x3e, T_I64, 2}};

static void emit_addr(gen_t *g)
{
    /* Mostly in bounds (one page), sometimes near or past the end. */
    uint8_t k = take(g);
    if (g_diff_mode && k >= 200)
        k = (uint8_t)(k < 247 ? k - 100 : k); /* fewer traps: more runs reach the end */
    uint32_t a = (k < 200) ? take(g) * 64u + take(g) : (k < 250 ? 65536u - (k - 200u) : (uint32_t)take_u64(g, 4));
    emit(g, 0x41);
    emit_sleb(g, (int32_t)a);
    push(g, T_I32);
}

static void emit_memarg(gen_t *g, uint8_t natural)
{
    emit_uleb(g, take(g) % (natural + 1u));
    uint8_t o = take(g);
    emit_uleb(g, o < 240 ? o : (uint32_t)take_u64(g, 2));
}

static void gen_call_args(gen_t *g)
{
    if (g_diff_mode)
        return;
    for (int i = 0; i < 4; i++) {
        emit(g, 0x20);
        emit_uleb(g, (uint32_t)i); /* pass the params through */
        push(g, types4[i]);
    }
    g->sp -= 4;
}

static void close_block(gen_t *g)
{
    while (avail(g) > 0) {
        emit(g, 0x1a);
        g->sp--;
    }
    emit(g, 0x0b);
    g->depth--;
}

static void gen_instr(gen_t *g, uint8_t result_type)
{
    uint8_t c = take(g);
    if (g->sp >= MAX_STACK) {
        emit(g, 0x1a);
        g->sp--;
        return;
    }
    switch (c % 24) {
    case 0:
    case 1:
        emit_const(g, types4[take(g) & 3]);
        return;
    case 2: { /* local.get */
        uint8_t t = types4[take(g) & 3];
        emit(g, 0x20);
        emit_uleb(g, local_of(g, t));
        push(g, t);
        return;
    }
    case 3: { /* local.set / tee of the top value */
        if (avail(g) < 1)
            break;
        uint8_t t = top(g, 0);
        int set = take(g) & 1;
        emit(g, set ? 0x21 : 0x22);
        emit_uleb(g, local_of(g, t));
        if (set)
            g->sp--;
        return;
    }
    case 4: /* global.get / set: global 0 is a mutable i32, global 1 a mutable f64 */
        if (avail(g) >= 1 && (top(g, 0) == T_I32 || top(g, 0) == T_F64) && (take(g) & 1)) {
            emit(g, 0x24);
            emit_uleb(g, top(g, 0) == T_I32 ? 0 : 1);
            g->sp--;
        } else {
            uint8_t gi = take(g) & 1;
            emit(g, 0x23);
            emit_uleb(g, gi);
            push(g, gi ? T_F64 : T_I32);
        }
        return;
    case 5:
    case 6:
    case 7:
    case 8:
    case 9: { /* an operator whose operands are on top (or made so) */
        const op_t *o = &ops[take(g) % N_OPS];
        if (g_diff_mode && o->code >= 0xbc && o->code <= 0xbf)
            break; /* reinterpret: NaN bits are not portable */
        int need = o->b ? 2 : 1;
        int ok = avail(g) >= need && top(g, 0) == (o->b ? o->b : o->a) && (!o->b || top(g, 1) == o->a);
        if (!ok) {
            if (o->b && avail(g) >= 1 && top(g, 0) == o->a) {
                ensure(g, o->b);
            } else if (!o->b) {
                ensure(g, o->a);
            } else {
                ensure(g, o->a);
                ensure(g, o->b);
            }
        }
        if (o->code >= 0x100) {
            emit(g, 0xfc);
            emit_uleb(g, o->code - 0x100u);
        } else {
            emit(g, (uint8_t)o->code);
        }
        g->sp -= need;
        push(g, o->out);
        return;
    }
    case 10:
    case 11: { /* load */
        int k = take(g) % (int)(sizeof loads / sizeof loads[0]);
        emit_addr(g);
        emit(g, loads[k].code);
        emit_memarg(g, loads[k].align);
        g->sp--;
        push(g, loads[k].t);
        return;
    }
    case 12:
    case 13: { /* store */
        int k = take(g) % (int)(sizeof stores / sizeof stores[0]);
        if (g_diff_mode && (stores[k].t == T_F32 || stores[k].t == T_F64))
            break; /* float stores expose NaN bits */
        emit_addr(g);
        ensure(g, stores[k].t);
        emit(g, stores[k].code);
        emit_memarg(g, stores[k].align);
        g->sp -= 2;
        return;
    }
    case 14: { /* memory.size / memory.grow / fill / copy */
        uint8_t k = take(g) % 4;
        if (k == 0) {
            emit(g, 0x3f);
            emit(g, 0x00);
            push(g, T_I32);
        } else if (k == 1) {
            emit(g, 0x41);
            emit_sleb(g, take(g) % 3);
            emit(g, 0x40);
            emit(g, 0x00);
            push(g, T_I32);
        } else {
            emit_addr(g);
            emit_addr(g);
            emit(g, 0x41);
            emit_sleb(g, take(g) * 4);
            emit(g, 0xfc);
            emit_uleb(g, k == 2 ? 11 : 10);
            emit(g, 0x00);
            if (k == 3)
                emit(g, 0x00);
            g->sp -= 2;
        }
        return;
    }
    case 15: /* select (typed for floats half of the time) */
        if (avail(g) >= 2 && top(g, 0) == top(g, 1)) {
            uint8_t t = top(g, 0);
            emit_const(g, T_I32);
            if (take(g) & 1) {
                emit(g, 0x1c);
                emit(g, 0x01);
                emit(g, t);
            } else {
                emit(g, 0x1b);
            }
            g->sp -= 2;
            return;
        }
        break;
    case 16: /* drop */
        if (avail(g) >= 1) {
            emit(g, 0x1a);
            g->sp--;
            return;
        }
        break;
    case 17:
    case 18: { /* block / loop / if with an empty block type */
        if (g->depth >= MAX_DEPTH)
            break;
        uint8_t k = take(g) % 3;
        if (k == 2) {
            emit_const(g, T_I32);
            g->sp--;
            emit(g, 0x04);
        } else {
            emit(g, k == 0 ? 0x02 : 0x03);
        }
        emit(g, 0x40);
        g->depth++;
        g->ctl_height[g->depth] = g->sp;
        return;
    }
    case 19: /* end of the innermost block */
        if (g->depth > 0) {
            close_block(g);
            return;
        }
        break;
    case 20: /* br_if to an enclosing label (labels carry no values) */
        if (g->depth > 0) {
            /* A counter in local 4 (i32) keeps loops short: br_if only while
             * (++local4 & 15) != 0. */
            emit(g, 0x20);
            emit_uleb(g, 4);
            emit(g, 0x41);
            emit_sleb(g, 1);
            emit(g, 0x6a);
            emit(g, 0x22);
            emit_uleb(g, 4);
            emit(g, 0x41);
            emit_sleb(g, 15);
            emit(g, 0x71);
            emit(g, 0x0d);
            emit_uleb(g, take(g) % (uint32_t)g->depth);
            return;
        }
        break;
    case 21: /* direct call (recursion: bounded by fuel or stack exhaustion) */
        if (take(g) < 64) {
            gen_call_args(g);
            emit(g, 0x10);
            /* 0: the host import h, 1: f itself, 2: the helper (diff mode: 0 f, 1 helper) */
            emit_uleb(g, g_diff_mode ? 1u : take(g) % 3u); /* diff mode: no recursion (depth limits differ) */
            push(g, result_type);
            return;
        }
        break;
    case 22: /* call_indirect: slots 0..2 = h, f, helper; 3..4 null */
        if (take(g) < 64) {
            gen_call_args(g);
            emit(g, 0x41);
            emit_sleb(g, g_diff_mode ? ((take(g) & 7) ? 1 : 1 + take(g) % 5) : take(g) % 5);
            emit(g, 0x11);
            emit_uleb(g, 0); /* type 0 */
            emit_uleb(g, 0); /* table 0 */
            push(g, result_type);
            return;
        }
        break;
    default: /* nop / unreachable (rarely) */
        emit(g, (take(g) < 8) ? 0x00 : 0x01);
        if (g->body[g->len - 1] == 0x00) {
            /* Unreachable code follows: close the block (or the function)
             * right away so the stack model stays simple. */
            if (g->depth > 0) {
                emit(g, 0x0b);
                g->sp = g->ctl_height[g->depth];
                g->depth--;
            } else {
                g->sp = 0;
                emit_const(g, result_type);
            }
        }
        return;
    }
    emit(g, 0x01); /* nop when the chosen instruction does not fit */
}

static void sec(uint8_t *m, size_t *len, uint8_t id, const uint8_t *payload, size_t n)
{
    m[(*len)++] = id;
    size_t v = n;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        m[(*len)++] = v ? (uint8_t)(b | 0x80) : b;
    } while (v);
    memcpy(m + *len, payload, n);
    *len += n;
}

/* Builds the module into `m` (capacity MAX_BODY + 256); returns its length. */
static size_t build_module(gen_t *g, uint8_t *m, uint8_t *result_type_out)
{
    uint8_t result_type = g_diff_mode ? T_I64 : types4[take(g) & 3];
    *result_type_out = result_type;
    size_t n_instrs = 1 + (g->n > 8 ? (g->n - 8) / 2 : 4);
    if (n_instrs > 2000)
        n_instrs = 2000;
    if (g_diff_mode) /* locals start from input values, not zero (fewer divisions by zero) */
        for (uint32_t l = 0; l < 8; l++) {
            emit_const(g, types4[l & 3]);
            emit(g, 0x21);
            emit_uleb(g, l);
            g->sp--;
        }
    for (size_t i = 0; i < n_instrs && g->pos < g->n && !g->overflow; i++)
        gen_instr(g, result_type);
    while (g->depth > 0)
        close_block(g);
    if (g_diff_mode) {
        /* Fold the stack and the locals into an i64 accumulator kept in
         * local 5 (floats: NaN canonicalised first, in locals 6 and 7). */
        for (int l = 0; l < 8; l++)
            if (l != 5) {
                emit(g, 0x20);
                emit_uleb(g, (uint32_t)l);
                push(g, types4[l & 3]);
            }
        while (g->sp > 0) {
            uint8_t t = top(g, 0);
            if (t == T_I32) {
                emit(g, 0xad); /* i64.extend_i32_u */
            } else if (t == T_F32) {
                static const uint8_t c[] = {0x22, 6, 0x20, 6, 0x5c, 0x04, 0x7e, 0x42, 0x80, 0x80, 0x80, 0xfe, 0x07,
                                            0x05, 0x20, 6, 0xbc, 0xad, 0x0b};
                for (size_t i = 0; i < sizeof c; i++)
                    emit(g, c[i]);
            } else if (t == T_F64) {
                static const uint8_t c[] = {0x22, 7, 0x20, 7, 0x62, 0x04, 0x7e, 0x42, 0x80, 0x80, 0x80, 0x80,
                                            0x80, 0x80, 0x80, 0xfc, 0xff, 0x00, 0x05, 0x20, 7, 0xbd, 0x0b};
                for (size_t i = 0; i < sizeof c; i++)
                    emit(g, c[i]);
            }
            static const uint8_t fold[] = {0x20, 5, 0x7c, 0x42, 0xb3, 0x83, 0x80, 0x80, 0x80, 0x20, 0x7e, 0x21, 5};
            for (size_t i = 0; i < sizeof fold; i++)
                emit(g, fold[i]);
            g->sp--;
        }
        emit(g, 0x20);
        emit_uleb(g, 5);
        emit(g, 0x0b);
    } else {
        while (g->sp > 0) {
            emit(g, 0x1a);
            g->sp--;
        }
        emit(g, 0x20); /* return the param of the result type */
        emit_uleb(g, local_of(g, result_type) & 3u);
        emit(g, 0x0b);
    }

    size_t len = 0;
    static const uint8_t hdr[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    memcpy(m, hdr, 8);
    len = 8;
    uint8_t type[] = {1, 0x60, 4, T_I32, T_I64, T_F32, T_F64, 1, result_type};
    memcpy(g->functype, type + 3, 4);
    g->functype[4] = result_type;
    static const uint8_t type_diff[] = {1, 0x60, 0, 1, T_I64};
    if (g_diff_mode)
        sec(m, &len, 1, type_diff, sizeof type_diff);
    else
        sec(m, &len, 1, type, sizeof type);
    uint8_t imp[] = {1, 3, 'e', 'n', 'v', 1, 'h', 0x00, 0};
    if (!g_diff_mode)
        sec(m, &len, 2, imp, sizeof imp);
    uint8_t funcs[] = {2, 0, 0};
    sec(m, &len, 3, funcs, sizeof funcs);
    uint8_t table[] = {1, 0x70, 0x00, 5};
    sec(m, &len, 4, table, sizeof table);
    uint8_t mem[] = {1, 0x01, 1, 2};
    sec(m, &len, 5, mem, sizeof mem);
    uint8_t glob[] = {2, T_I32, 1, 0x41, 0x07, 0x0b, T_F64, 1, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b};
    sec(m, &len, 6, glob, sizeof glob);
    uint8_t exp[] = {1, 1, 'f', 0x00, (uint8_t)(g_diff_mode ? 0 : 1)};
    sec(m, &len, 7, exp, sizeof exp);
    uint8_t elem[] = {1, 0x00, 0x41, 0x00, 0x0b, 3, 0, 1, 2};
    static const uint8_t elem_diff[] = {1, 0x00, 0x41, 0x00, 0x0b, 2, 0, 1};
    if (g_diff_mode)
        sec(m, &len, 9, elem_diff, sizeof elem_diff);
    else
        sec(m, &len, 9, elem, sizeof elem);
    /* Code: f (generated) and the helper (returns its param of the result type). */
    uint8_t *code = malloc(g->len + 64);
    if (!code)
        return 0;
    size_t cl = 0;
    code[cl++] = 2;
    uint8_t locals[] = {4, 1, T_I32, 1, T_I64, 1, T_F32, 1, T_F64};
    static const uint8_t locals_diff[] = {8, 1, T_I32, 1, T_I64, 1, T_F32, 1, T_F64,
                                          1, T_I32, 1, T_I64, 1, T_F32, 1, T_F64};
    const uint8_t *lp = g_diff_mode ? locals_diff : locals;
    size_t lsz = g_diff_mode ? sizeof locals_diff : sizeof locals;
    size_t fsz = lsz + g->len;
    size_t v = fsz;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        code[cl++] = v ? (uint8_t)(b | 0x80) : b;
    } while (v);
    memcpy(code + cl, lp, lsz);
    cl += lsz;
    memcpy(code + cl, g->body, g->len);
    cl += g->len;
    uint8_t k = 0;
    while (types4[k] != result_type)
        k++;
    uint8_t helper[] = {4, 0, 0x20, k, 0x0b};
    static const uint8_t helper_diff[] = {4, 0, 0x42, 42, 0x0b}; /* i64.const 42 */
    memcpy(code + cl, g_diff_mode ? helper_diff : helper, sizeof helper);
    cl += sizeof helper;
    sec(m, &len, 10, code, cl);
    free(code);
    uint8_t data[] = {1, 0x00, 0x41, 0x10, 0x0b, 4, 'g', 'a', 'l', 'e'};
    sec(m, &len, 11, data, sizeof data);
    return len;
}

/* The libFuzzer target (gen_diff.c includes this file without it). */
#ifndef GALE_FUZZ_GEN_NO_ENTRY
static void fail(const char *what, const uint8_t *m, size_t len)
{
    fprintf(stderr, "fuzz_wasm_gen: %s\n", what);
    FILE *f = fopen("fuzz_wasm_gen-failed.wasm", "wb");
    if (f) {
        fwrite(m, 1, len, f);
        fclose(f);
        fprintf(stderr, "fuzz_wasm_gen: module written to fuzz_wasm_gen-failed.wasm\n");
    }
    abort();
}

/* The import env.h: returns its parameter of the result type, and sometimes
 * (first argument & 3 == 0, at most 3 deep) calls back into the instance's f
 * first, as the component layer does with cabi_realloc. */
typedef struct host_env {
    int depth;
    unsigned calls, reentries;
    uint8_t result_type;
} host_env_t;

static int host_h(gale_wasm_caller_t *caller, void *envp, const gale_wasm_val_t *args, gale_wasm_val_t *results,
                  gale_wasm_trap_t *trap)
{
    host_env_t *env = envp;
    env->calls++;
    int k = 0;
    while (types4[k] != env->result_type)
        k++;
    results[0] = args[k];
    if (caller && caller->instance && (args[0].i32 & 3u) == 0 && env->depth < 3) {
        gale_wasm_extern_t f;
        if (gale_wasm_instance_export(caller->instance, "f", &f) != 0) {
            snprintf(trap->message, sizeof trap->message, "no export f");
            return -1;
        }
        gale_wasm_val_t a2[4];
        memcpy(a2, args, sizeof a2);
        a2[0].i32 = args[0].i32 + 1u; /* different path next time */
        gale_wasm_trap_t t2;
        memset(&t2, 0, sizeof t2);
        env->depth++;
        env->reentries++;
        int rc = gale_wasm_call(caller->instance, f.u.func, a2, 4, results, 1, &t2);
        env->depth--;
        if (rc != 0) {
            snprintf(trap->message, sizeof trap->message, "nested call: %.80s", t2.message);
            return -1;
        }
    }
    return 0;
}

typedef struct outcome {
    int rc;
    gale_wasm_val_t result;
    gale_wasm_trap_code_t trap;
    uint8_t *mem;
    uint64_t mem_size;
    unsigned reentries; /* nested calls never suspend (they trap out of fuel) */
} outcome_t;

static void run_once(const gale_wasm_module_t *mod, const gale_wasm_functype_t *ft, const gale_wasm_val_t *args,
                     int sliced, outcome_t *o, const uint8_t *m, size_t len)
{
    memset(o, 0, sizeof *o);
    gale_wasm_error_t err;
    memset(&err, 0, sizeof err);
    host_env_t env = {0, 0, 0, ft->types[4]};
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    gale_wasm_extern_t imp;
    imp.kind = GALE_WASM_EXTERN_FUNC;
    imp.u.func = gale_wasm_func_new_host(&cfg, ft, host_h, &env);
    if (!imp.u.func)
        fail("cannot create the host function", m, len);
    gale_wasm_instance_t *inst = gale_wasm_instantiate(mod, &imp, 1, &err);
    if (!inst)
        fail("a generated module does not instantiate", m, len);
    gale_wasm_extern_t f;
    if (gale_wasm_instance_export(inst, "f", &f) != 0 || f.kind != GALE_WASM_EXTERN_FUNC)
        fail("export f missing", m, len);
    gale_wasm_trap_t trap;
    memset(&trap, 0, sizeof trap);
    if (!sliced) {
        gale_wasm_set_fuel(inst, FUEL);
        o->rc = gale_wasm_call(inst, f.u.func, args, 4, &o->result, 1, &trap);
        if (o->rc == GALE_EFUEL)
            gale_wasm_abort(inst);
    } else {
        /* Leftover fuel is kept (docs/wasm.md: fuel is charged per block in
         * advance, and a resume retries the charge), so the total added here
         * is what the single run used, plus less than one slice. */
        uint64_t added = SLICE;
        gale_wasm_set_fuel(inst, SLICE);
        o->rc = gale_wasm_call(inst, f.u.func, args, 4, &o->result, 1, &trap);
        while (o->rc == GALE_EFUEL && added < FUEL + SLICE) {
            added += SLICE;
            gale_wasm_set_fuel(inst, gale_wasm_get_fuel(inst) + SLICE);
            memset(&trap, 0, sizeof trap);
            o->rc = gale_wasm_resume(inst, &o->result, 1, &trap);
        }
        if (o->rc == GALE_EFUEL)
            gale_wasm_abort(inst);
    }
    if (o->rc == GALE_ETRAP)
        o->trap = trap.code;
    else if (o->rc != 0 && o->rc != GALE_EFUEL)
        fail("gale_wasm_call returned an unexpected code", m, len);
    uint8_t *p = gale_wasm_memory_data(gale_wasm_instance_memory(inst, 0), &o->mem_size);
    o->mem = malloc(o->mem_size ? o->mem_size : 1);
    if (o->mem && o->mem_size)
        memcpy(o->mem, p, o->mem_size);
    o->reentries = env.reentries;
    gale_wasm_instance_free(inst);
    gale_wasm_extern_free(imp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gen_t *g = calloc(1, sizeof *g);
    uint8_t *m = malloc(MAX_BODY + 512);
    if (!g || !m) {
        free(g);
        free(m);
        return 0;
    }
    g->in = data;
    g->n = size;
    uint8_t rt;
    size_t len = build_module(g, m, &rt);
    if (len == 0 || g->overflow) {
        free(g);
        free(m);
        return 0;
    }
    const char *dump = getenv("GALE_FUZZ_GEN_DUMP"); /* a folder: keep every module (debugging) */
    if (dump) {
        static unsigned count;
        char path[4096];
        snprintf(path, sizeof path, "%s/gen-%06u.wasm", dump, count++);
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(m, 1, len, f);
            fclose(f);
        }
    }
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    cfg.call_depth = 100;
    cfg.value_stack_slots = 8192;
    gale_wasm_error_t err;
    memset(&err, 0, sizeof err);
    gale_wasm_module_t *mod = gale_wasm_module_load(&cfg, m, len, &err);
    if (!mod) {
        fprintf(stderr, "fuzz_wasm_gen: rejected: %s\n", err.message);
        fail("the engine rejects a generated (valid) module", m, len);
    }
    gale_wasm_val_t args[4];
    memset(args, 0, sizeof args);
    args[0].i32 = 0x12345678u ^ (uint32_t)size;
    args[1].i64 = 0x0123456789abcdefull;
    args[2].f32_bits = 0x3fc00000u;
    args[3].f64_bits = 0xc000000000000000ull;

    outcome_t a, b;
    gale_wasm_functype_t ft = {4, 1, g->functype};
    run_once(mod, &ft, args, 0, &a, m, len);
    if (a.rc != GALE_EFUEL) {
        run_once(mod, &ft, args, 1, &b, m, len);
        if (a.reentries || b.reentries) {
            /* A nested call runs out of fuel with a trap rather than a
             * suspension (docs/wasm.md), so slicing is not transparent. */
            free(b.mem);
            goto done;
        }
        if (b.rc != a.rc)
            fail("sliced-fuel run ends differently from the single run", m, len);
        if (a.rc == GALE_ETRAP && a.trap != b.trap)
            fail("sliced-fuel run traps differently", m, len);
        if (a.rc == 0 && memcmp(&a.result, &b.result, sizeof a.result) != 0) {
            /* NaN results may differ only if the engine is nondeterministic. */
            fail("sliced-fuel run returns a different result", m, len);
        }
        if (a.mem_size != b.mem_size || (a.mem && b.mem && memcmp(a.mem, b.mem, a.mem_size) != 0))
            fail("sliced-fuel run leaves different memory", m, len);
        free(b.mem);
    }
done:
    free(a.mem);
    gale_wasm_module_free(mod);
    free(g);
    free(m);
    return 0;
}
#endif /* GALE_FUZZ_GEN_NO_ENTRY */
