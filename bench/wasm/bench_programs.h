/* gale — the wasm engine benchmark programs (bench/wasm).
 *
 * Every program is one C file with one entry point, uint32_t run(uint32_t n):
 * it builds its input from a fixed pseudo-random sequence, does `n` units of
 * work and returns a checksum of the result. The same source is compiled
 * natively (gcc -O2, entry bench_<name>_run) and to wasm32 (clang -O2, export
 * "run"); the runner checks that both give the same checksum.
 *
 * Freestanding: no libc (only stdint.h); bench_rt.c supplies memcpy/memset for
 * the wasm build in case the compiler emits calls to them. */
#ifndef GALE_BENCH_PROGRAMS_H
#define GALE_BENCH_PROGRAMS_H

#include <stdint.h>

#ifdef __wasm__
#define BENCH_ENTRY(name) __attribute__((export_name("run"))) uint32_t bench_##name##_run(uint32_t n)
#else
#define BENCH_ENTRY(name) uint32_t bench_##name##_run(uint32_t n)
#endif

uint32_t bench_kalman_run(uint32_t n);
uint32_t bench_pid_run(uint32_t n);
uint32_t bench_matmul_run(uint32_t n);
uint32_t bench_crc32_run(uint32_t n);
uint32_t bench_sha256_run(uint32_t n);
uint32_t bench_qsort_run(uint32_t n);
uint32_t bench_fib_run(uint32_t n);
uint32_t bench_memcopy_run(uint32_t n);

/* A small xorshift generator shared by the programs (inline, so each program
 * keeps its own copy and its own state). */
static inline uint32_t bench_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* Folds a float's / double's bits into a running checksum (no type punning
 * through pointers: a union is well defined in C11). */
static inline uint32_t bench_mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}
static inline uint32_t bench_fbits(float f)
{
    union {
        float f;
        uint32_t u;
    } c;
    c.f = f;
    return c.u;
}
static inline uint32_t bench_dbits(double d)
{
    union {
        double d;
        uint64_t u;
    } c;
    c.d = d;
    return (uint32_t)c.u ^ (uint32_t)(c.u >> 32);
}

#endif
