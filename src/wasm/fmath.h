/* gale wasm engine — IEEE-754 helpers with WebAssembly semantics, libm-free.
 * Values travel as bit patterns; rounding functions work on the bits. */
#ifndef GALE_WASM_FMATH_H
#define GALE_WASM_FMATH_H

#include <stdint.h>
#include <string.h>

static inline float gw_f32(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static inline uint32_t gw_b32(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}
static inline double gw_f64(uint64_t b)
{
    double f;
    memcpy(&f, &b, 8);
    return f;
}
static inline uint64_t gw_b64(double f)
{
    uint64_t b;
    memcpy(&b, &f, 8);
    return b;
}

/* NaN in -> quiet NaN out (arithmetic NaN). */
static inline uint32_t gw_quiet32(uint32_t b) { return b | 0x00400000u; }
static inline uint64_t gw_quiet64(uint64_t b) { return b | 0x0008000000000000ull; }

static inline uint32_t gw_trunc32(uint32_t u)
{
    int e = (int)((u >> 23) & 0xff) - 127;
    if (e >= 23)
        return e == 128 && (u & 0x7fffff) ? gw_quiet32(u) : u;
    if (e < 0)
        return u & 0x80000000u;
    return u & ~(0x007fffffu >> e);
}

static inline uint32_t gw_floor32(uint32_t u)
{
    int e = (int)((u >> 23) & 0xff) - 127;
    if (e >= 23)
        return e == 128 && (u & 0x7fffff) ? gw_quiet32(u) : u;
    if (e >= 0) {
        uint32_t m = 0x007fffffu >> e;
        if ((u & m) == 0)
            return u;
        if (u >> 31)
            u += m;
        return u & ~m;
    }
    if ((u >> 31) == 0)
        return 0;
    return (u << 1) ? 0xbf800000u : u;
}

static inline uint32_t gw_ceil32(uint32_t u)
{
    int e = (int)((u >> 23) & 0xff) - 127;
    if (e >= 23)
        return e == 128 && (u & 0x7fffff) ? gw_quiet32(u) : u;
    if (e >= 0) {
        uint32_t m = 0x007fffffu >> e;
        if ((u & m) == 0)
            return u;
        if ((u >> 31) == 0)
            u += m;
        return u & ~m;
    }
    if (u >> 31)
        return 0x80000000u;
    return (u << 1) ? 0x3f800000u : u;
}

static inline uint32_t gw_nearest32(uint32_t u)
{
    int e = (int)((u >> 23) & 0xff) - 127;
    if (e >= 23)
        return e == 128 && (u & 0x7fffff) ? gw_quiet32(u) : u;
    volatile float big = 8388608.0f; /* 2^23: keeps the compiler from folding */
    float a = gw_f32(u & 0x7fffffffu);
    float r = (a + big) - big;
    return gw_b32(r) | (u & 0x80000000u);
}

static inline uint64_t gw_trunc64(uint64_t u)
{
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    if (e >= 52)
        return e == 1024 && (u & 0xfffffffffffffull) ? gw_quiet64(u) : u;
    if (e < 0)
        return u & 0x8000000000000000ull;
    return u & ~(0x000fffffffffffffull >> e);
}

static inline uint64_t gw_floor64(uint64_t u)
{
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    if (e >= 52)
        return e == 1024 && (u & 0xfffffffffffffull) ? gw_quiet64(u) : u;
    if (e >= 0) {
        uint64_t m = 0x000fffffffffffffull >> e;
        if ((u & m) == 0)
            return u;
        if (u >> 63)
            u += m;
        return u & ~m;
    }
    if ((u >> 63) == 0)
        return 0;
    return (u << 1) ? 0xbff0000000000000ull : u;
}

static inline uint64_t gw_ceil64(uint64_t u)
{
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    if (e >= 52)
        return e == 1024 && (u & 0xfffffffffffffull) ? gw_quiet64(u) : u;
    if (e >= 0) {
        uint64_t m = 0x000fffffffffffffull >> e;
        if ((u & m) == 0)
            return u;
        if ((u >> 63) == 0)
            u += m;
        return u & ~m;
    }
    if (u >> 63)
        return 0x8000000000000000ull;
    return (u << 1) ? 0x3ff0000000000000ull : u;
}

static inline uint64_t gw_nearest64(uint64_t u)
{
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    if (e >= 52)
        return e == 1024 && (u & 0xfffffffffffffull) ? gw_quiet64(u) : u;
    volatile double big = 4503599627370496.0; /* 2^52 */
    double a = gw_f64(u & 0x7fffffffffffffffull);
    double r = (a + big) - big;
    return gw_b64(r) | (u & 0x8000000000000000ull);
}

/* Correctly rounded f64 square root on the bits (restoring, two bits per step),
 * for cores without a double-precision FPU (Cortex-M4F): no libm needed. */
static inline uint64_t gw_sqrt64_soft(uint64_t u)
{
    uint64_t sign = u >> 63, expo = (u >> 52) & 0x7ff, frac = u & 0xfffffffffffffull;
    if (expo == 0x7ff)
        return frac ? gw_quiet64(u) : (sign ? 0x7ff8000000000000ull : u); /* NaN, +inf, -inf */
    if (expo == 0 && frac == 0)
        return u; /* +-0 */
    if (sign)
        return 0x7ff8000000000000ull;
    int64_t e;
    uint64_t mant;
    if (expo == 0) { /* subnormal: normalize */
        e = 1 - 1023 - 52;
        mant = frac;
        while (!(mant & (1ull << 52))) {
            mant <<= 1;
            e--;
        }
    } else {
        e = (int64_t)expo - 1023 - 52;
        mant = frac | (1ull << 52);
    }
    if (e & 1) {
        mant <<= 1;
        e--;
    }
    /* q = floor(sqrt(mant * 2^54)), 54 bits */
    uint64_t q = 0, rem = 0;
    for (int i = 0; i < 54; i++) {
        uint64_t pair = (i <= 26) ? (mant >> (52 - 2 * i)) & 3u : 0;
        rem = (rem << 2) | pair;
        uint64_t t = (q << 2) | 1u;
        if (rem >= t) {
            rem -= t;
            q = (q << 1) | 1u;
        } else {
            q <<= 1;
        }
    }
    uint64_t guard = q & 1u;
    q >>= 1;
    int64_t re = e / 2 - 26;
    if (guard && (rem != 0 || (q & 1u)))
        q++;
    if (q >> 53) {
        q >>= 1;
        re++;
    }
    return ((uint64_t)(re + 52 + 1023) << 52) | (q & 0xfffffffffffffull);
}

static inline float gw_fmin32(float a, float b)
{
    if (a != a || b != b)
        return a + b; /* propagates a quiet NaN */
    if (a == b)
        return gw_f32(gw_b32(a) | gw_b32(b)); /* min(-0, +0) = -0 */
    return a < b ? a : b;
}
static inline float gw_fmax32(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return gw_f32(gw_b32(a) & gw_b32(b));
    return a > b ? a : b;
}
static inline double gw_fmin64(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return gw_f64(gw_b64(a) | gw_b64(b));
    return a < b ? a : b;
}
static inline double gw_fmax64(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return gw_f64(gw_b64(a) & gw_b64(b));
    return a > b ? a : b;
}

/* 64-bit integer -> float conversions from 32-bit ones, correctly rounded
 * (round to nearest even, as the FPU's own). On a Cortex-M the compiler's
 * casts call libgcc's __aeabi_ul2f / __aeabi_ul2d, which drag in libgcc's
 * whole soft-float add/sub objects (~1.4 KiB) on cores whose FPU converts
 * 32-bit integers itself; these helpers use only 32-bit conversions, a
 * multiplication by a power of two and, for f64, one addition. Used on every
 * platform, so the spec tests on the host check them too.
 * f64: hi * 2^32 and lo are exact doubles, their sum is rounded once.
 * f32: x >= 2^32 is shifted right by n into exactly 32 significant bits with
 * the shifted-out bits ORed into bit 0 (sticky): bit 0 lies below the rounding
 * position (24 bits kept, guard bit 7), so rounding y equals rounding x; the
 * scaling by 2^n is exact. */
static inline double gw_u64_to_f64(uint64_t x)
{
    return (double)(uint32_t)(x >> 32) * 4294967296.0 + (double)(uint32_t)x;
}
static inline double gw_s64_to_f64(int64_t x)
{
    return x < 0 ? -gw_u64_to_f64(0u - (uint64_t)x) : gw_u64_to_f64((uint64_t)x);
}
static inline float gw_u64_to_f32(uint64_t x)
{
    uint32_t hi = (uint32_t)(x >> 32);
    if (hi == 0)
        return (float)(uint32_t)x;
    unsigned n = 32u - (unsigned)__builtin_clz(hi); /* 1..32 */
    uint64_t y = x >> n;
    if (x & ((1ull << n) - 1u))
        y |= 1u;
    return (float)(uint32_t)y * gw_f32((127u + n) << 23);
}
static inline float gw_s64_to_f32(int64_t x)
{
    return x < 0 ? -gw_u64_to_f32(0u - (uint64_t)x) : gw_u64_to_f32((uint64_t)x);
}

#endif
