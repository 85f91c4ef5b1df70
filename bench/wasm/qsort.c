/* Quicksort (median of three, insertion sort below 16 elements, recursion on
 * the smaller part) of n pseudo-random 32-bit keys (n at most 262144). */
#include "bench_programs.h"

#define QS_MAX 262144u

static uint32_t keys[QS_MAX];

static void insertion(uint32_t *a, int32_t lo, int32_t hi)
{
    for (int32_t i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int32_t j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void swap(uint32_t *a, int32_t i, int32_t j)
{
    uint32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void quicksort(uint32_t *a, int32_t lo, int32_t hi)
{
    while (hi - lo >= 16) {
        int32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo])
            swap(a, mid, lo);
        if (a[hi] < a[lo])
            swap(a, hi, lo);
        if (a[hi] < a[mid])
            swap(a, hi, mid);
        uint32_t pivot = a[mid];
        int32_t i = lo - 1, j = hi + 1;
        for (;;) {
            do
                i++;
            while (a[i] < pivot);
            do
                j--;
            while (a[j] > pivot);
            if (i >= j)
                break;
            swap(a, i, j);
        }
        if (j - lo < hi - j) {
            quicksort(a, lo, j);
            lo = j + 1;
        } else {
            quicksort(a, j + 1, hi);
            hi = j;
        }
    }
    insertion(a, lo, hi);
}

BENCH_ENTRY(qsort)
{
    if (n > QS_MAX)
        n = QS_MAX;
    uint32_t s = 0x9E3779B9u;
    for (uint32_t i = 0; i < n; i++)
        keys[i] = bench_rand(&s);
    if (n > 1)
        quicksort(keys, 0, (int32_t)n - 1);
    uint32_t h = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i && keys[i - 1] > keys[i])
            return 0xBAD0BAD0u; /* not sorted */
        h = h * 31u + keys[i] * (i + 1u);
    }
    return h;
}
