/* The smallest guest: proves the wasm32 guest build (clang-14 + wasm-ld).
 * One import, one export, one memory; tests/guest checks the module's shape. */
#include <stdint.h>

__attribute__((import_module("gale:test"), import_name("note")))
extern void note(int32_t value);

__attribute__((export_name("add")))
int32_t add(int32_t a, int32_t b)
{
    note(a);
    return a + b;
}
