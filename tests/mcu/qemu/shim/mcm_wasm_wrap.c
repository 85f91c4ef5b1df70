/* gale — on the MCU profile gale_wasm_config_default() leaves the allocator
 * empty (no malloc); the portable engine tests rely on the host default. The
 * test image links with -Wl,--wrap=gale_wasm_config_default and this wrapper
 * gives every configuration a bump arena over one static buffer instead. */
#include <stdint.h>

#include "gale/wasm.h"

void __real_gale_wasm_config_default(gale_wasm_config_t *cfg);
void __wrap_gale_wasm_config_default(gale_wasm_config_t *cfg);

#ifndef MCM_WASM_ARENA_SIZE
#define MCM_WASM_ARENA_SIZE (2u * 1024u * 1024u)
#endif
static _Alignas(16) uint8_t mcm_arena_buf[MCM_WASM_ARENA_SIZE];
static gale_wasm_arena_t mcm_arena;
static int mcm_arena_ready;

/* Called by the runner before each test: nothing outlives a test, so the
 * arena starts empty every time. */
void mcm_before_each_test(void);
void mcm_before_each_test(void)
{
    gale_wasm_arena_init(&mcm_arena, mcm_arena_buf, sizeof mcm_arena_buf);
    mcm_arena_ready = 1;
}

void __wrap_gale_wasm_config_default(gale_wasm_config_t *cfg)
{
    __real_gale_wasm_config_default(cfg);
    if (!mcm_arena_ready) {
        gale_wasm_arena_init(&mcm_arena, mcm_arena_buf, sizeof mcm_arena_buf);
        mcm_arena_ready = 1;
    }
    cfg->alloc = gale_wasm_arena_alloc(&mcm_arena);
}
