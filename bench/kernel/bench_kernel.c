/* Kernel micro-benchmarks on the posix port (deterministic mode, one core):
 *   switch   two equal-priority threads yielding to each other (ns per switch)
 *   sem      give -> take handoff between two threads (ns per handoff)
 *   msgq     put -> get round trip through two queues (ns per round trip)
 * Usage: bench_kernel <switch|sem|msgq> <iterations> [runs]
 * Prints one line per run "<name> <ns per op>" and a final "median" line. With
 * runs = 1 and few iterations it is what the callgrind step measures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gale/kernel.h"

static GALE_THREAD_STACK_DEFINE(stack_a, 32768);
static GALE_THREAD_STACK_DEFINE(stack_b, 32768);
static gale_thread_t ta, tb;
static long iters;
static gale_sem_t s1, s2;
#ifdef BENCH_HAVE_MSGQ
GALE_MSGQ_DEFINE(q1, sizeof(uint32_t), 4);
GALE_MSGQ_DEFINE(q2, sizeof(uint32_t), 4);
#endif

static void yielder(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (long i = 0; i < iters; i++)
        gale_kernel_yield();
}

static void sem_a(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (long i = 0; i < iters; i++) {
        gale_kernel_sem_take(&s1, GALE_FOREVER);
        gale_kernel_sem_give(&s2);
    }
}

static void sem_b(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (long i = 0; i < iters; i++) {
        gale_kernel_sem_give(&s1);
        gale_kernel_sem_take(&s2, GALE_FOREVER);
    }
}

#ifdef BENCH_HAVE_MSGQ
static void mq_echo(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    uint32_t v;
    for (long i = 0; i < iters; i++) {
        gale_kernel_msgq_get(&q1, &v, GALE_FOREVER);
        gale_kernel_msgq_put(&q2, &v, GALE_FOREVER);
    }
}

static void mq_client(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    uint32_t v;
    for (long i = 0; i < iters; i++) {
        v = (uint32_t)i;
        gale_kernel_msgq_put(&q1, &v, GALE_FOREVER);
        gale_kernel_msgq_get(&q2, &v, GALE_FOREVER);
    }
}
#endif

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One run; returns ns per operation. */
static double run_once(const char *what)
{
    gale_sim_setup(NULL);
    gale_kernel_init();
    gale_thread_entry_t a = NULL, b = NULL;
    int pa = 5, pb = 5;
    double ops = (double)iters;
    if (strcmp(what, "switch") == 0) {
        a = yielder; b = yielder;
        ops = 2.0 * (double)iters;           /* each yield switches once */
    } else if (strcmp(what, "sem") == 0) {
        gale_kernel_sem_init(&s1, 0, 1);
        gale_kernel_sem_init(&s2, 0, 1);
        a = sem_a; b = sem_b;
        pa = 4;                              /* the taker is more urgent: give hands off at once */
        ops = 2.0 * (double)iters;           /* two handoffs per iteration */
#ifdef BENCH_HAVE_MSGQ
    } else if (strcmp(what, "msgq") == 0) {
        gale_kernel_msgq_purge(&q1);
        gale_kernel_msgq_purge(&q2);
        a = mq_echo; b = mq_client;
        pa = 4;
#endif
    } else {
        fprintf(stderr, "bench_kernel: unknown benchmark '%s' (switch, sem%s)\n", what,
#ifdef BENCH_HAVE_MSGQ
                ", msgq"
#else
                ""
#endif
        );
        exit(2);
    }
    gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, a, NULL, NULL, NULL, pa, 0, GALE_NO_WAIT);
    gale_kernel_thread_create(&tb, stack_b, sizeof stack_b, b, NULL, NULL, NULL, pb, 0, GALE_NO_WAIT);
    double t0 = now_ns();
    int rc = gale_sim_run();
    double t1 = now_ns();
    if (rc != GALE_OK) {
        fprintf(stderr, "bench_kernel: run failed: %s\n", gale_strerror(rc));
        exit(1);
    }
    return (t1 - t0) / ops;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_kernel <switch|sem|msgq> <iterations> [runs]\n");
        return 2;
    }
    iters = atol(argv[2]);
    int runs = argc > 3 ? atoi(argv[3]) : 1;
    if (iters <= 0 || runs <= 0 || runs > 1000) {
        fprintf(stderr, "bench_kernel: iterations and runs must be positive (runs <= 1000)\n");
        return 2;
    }
    double r[1000];
    for (int i = 0; i < runs; i++)
        r[i] = run_once(argv[1]);
    qsort(r, (size_t)runs, sizeof r[0], cmp_double);
    printf("%s median %.1f ns/op over %d runs of %ld iterations (min %.1f, max %.1f)\n", argv[1], r[runs / 2], runs,
           iters, r[0], r[runs - 1]);
    return 0;
}
