/* Recursive Fibonacci: call-heavy (n = the Fibonacci index). */
#include "bench_programs.h"

static uint32_t fib(uint32_t k)
{
    return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

BENCH_ENTRY(fib)
{
    return fib(n);
}
