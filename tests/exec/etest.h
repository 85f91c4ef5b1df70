/* Helpers for the executor tests: a deterministic (or real-time) simulation
 * run inside a cmocka test, threads on static stacks, a seeded PRNG. */
#ifndef GALE_ETEST_H
#define GALE_ETEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "gale/exec.h"
#include "gale/kernel.h"

#define ET_STACK 32768u
#define ET_MAX_THREADS 10

static _Alignas(16) uint8_t et_stacks[ET_MAX_THREADS][ET_STACK];
static gale_thread_t et_threads[ET_MAX_THREADS];

static inline void et_begin(unsigned cpus, gale_sim_mode_t mode)
{
    gale_sim_config_t c = { cpus, mode, 3600ull * 1000000000ull, true };
    assert_int_equal(gale_sim_setup(&c), GALE_OK);
    assert_int_equal(gale_kernel_init(), GALE_OK);
    gale_kernel_diag_quiet(true);
}

static inline gale_thread_t *et_thread(int i, gale_thread_entry_t fn, void *p1, void *p2, int prio)
{
    gale_thread_t *t = &et_threads[i];
    assert_int_equal(gale_kernel_thread_create(t, et_stacks[i], ET_STACK, fn, p1, p2, NULL, prio,
                                               GALE_THREAD_OPT_NONE, GALE_FOREVER), GALE_OK);
    return t;
}

static inline void et_start(gale_thread_t *t) { assert_int_equal(gale_kernel_thread_start(t), GALE_OK); }

/* The executor thread body: p1 = gale_exec_t *. */
static inline void et_exec_main(void *p1, void *p2, void *p3)
{
    (void)p2;
    (void)p3;
    int rc = gale_exec_run((gale_exec_t *)p1);
    if (rc != GALE_OK)
        fprintf(stderr, "gale_exec_run: %s (%s)\n", gale_strerror(rc), gale_exec_last_error());
}

/* xorshift64* */
static inline uint64_t et_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}
static inline uint32_t et_below(uint64_t *s, uint32_t n) { return (uint32_t)(et_rand(s) % n); }

#endif
