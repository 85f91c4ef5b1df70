/* Helpers shared by the kernel tests: run a deterministic simulation inside a
 * cmocka test, an event log with virtual timestamps, stacks. */
#ifndef GALE_KTEST_H
#define GALE_KTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "gale/kernel.h"

#define KT_STACK 32768u
#define KT_MAX_THREADS 12

static _Alignas(16) uint8_t kt_stacks[KT_MAX_THREADS][KT_STACK];
static gale_thread_t kt_threads[KT_MAX_THREADS];

/* The log: a string of short records "name@us " for comparisons. */
static char kt_log[16384];
static size_t kt_log_len;

static inline void kt_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void kt_logf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(kt_log + kt_log_len, sizeof kt_log - kt_log_len, fmt, ap);
    va_end(ap);
    if (n > 0 && kt_log_len + (size_t)n < sizeof kt_log)
        kt_log_len += (size_t)n;
}

static inline void kt_begin_cfg(unsigned int cpus, gale_sim_mode_t mode, uint64_t limit_ns, bool quiet)
{
    gale_sim_config_t c = { cpus, mode, limit_ns, quiet };
    assert_int_equal(gale_sim_setup(&c), GALE_OK);
    assert_int_equal(gale_kernel_init(), GALE_OK);
    kt_log_len = 0;
    kt_log[0] = '\0';
    gale_kernel_fatal_handler_set(NULL);
    gale_kernel_diag_quiet(true);
}

static inline void kt_begin(unsigned int cpus)
{
    kt_begin_cfg(cpus, GALE_SIM_DETERMINISTIC, 3600ull * 1000000000ull, false);
}

/* Create thread i at prio, started now; names it. */
static inline gale_thread_t *kt_spawn(int i, const char *name, gale_thread_entry_t fn, void *p1, void *p2, int prio)
{
    gale_thread_t *t = &kt_threads[i];
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[i], KT_STACK, fn, p1, p2, NULL, prio,
                                               GALE_THREAD_OPT_NONE, GALE_NO_WAIT), GALE_OK);
    gale_kernel_thread_name_set(t, name);
    return t;
}

/* Current uptime in microseconds (virtual). */
static inline unsigned long long kt_us(void) { return (unsigned long long)gale_kernel_uptime_us(); }

#endif
