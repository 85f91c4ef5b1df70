/* meld's stackful fiber intrinsic: refused at load with a clear message. */
#include <stdint.h>
__attribute__((import_module("pulseengine:async"), import_name("thread_new"))) int32_t thread_new(int32_t f, int32_t a);
__attribute__((export_name("probe"))) int32_t probe(uint32_t k)
{
    return thread_new((int32_t)k, 0);
}
