/* A memory-copy loop: n passes copying a 64 KiB buffer word by word into
 * another with a rotating offset (two plain copy loops per pass), then swapping
 * the roles of the buffers. */
#include "bench_programs.h"

#define MC_WORDS 16384u

static uint32_t buf_a[MC_WORDS], buf_b[MC_WORDS];

static void copy_words(uint32_t *dst, const uint32_t *src, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        dst[i] = src[i];
}

BENCH_ENTRY(memcopy)
{
    uint32_t s = 0xABCDEF01u;
    for (uint32_t i = 0; i < MC_WORDS; i++)
        buf_a[i] = bench_rand(&s);
    uint32_t *src = buf_a, *dst = buf_b, h = 0;
    for (uint32_t p = 0; p < n; p++) {
        uint32_t off = (p * 7919u) % MC_WORDS;
        copy_words(dst, src + off, MC_WORDS - off);
        copy_words(dst + (MC_WORDS - off), src, off);
        dst[p % MC_WORDS] ^= p;
        h = bench_mix(h, dst[(p * 31u) % MC_WORDS]);
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    for (uint32_t i = 0; i < MC_WORDS; i += 64)
        h = bench_mix(h, src[i]);
    return h;
}
