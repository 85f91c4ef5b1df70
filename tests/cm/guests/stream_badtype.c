/* Wrong core type for a pulseengine:async intrinsic: load error naming it. */
#include <stdint.h>
__attribute__((import_module("pulseengine:async"), import_name("stream_read"))) int32_t bad_read(int32_t h, int32_t p,
                                                                                               int32_t n);
__attribute__((export_name("probe"))) int32_t probe(uint32_t k)
{
    return bad_read((int32_t)k, 0, 0);
}
