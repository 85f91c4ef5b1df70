/* gale wasm engine — allocators (libc on the host, bump arena everywhere). */
#include "wasm_internal.h"

#ifndef GALE_PROFILE_MCU
#include <stdlib.h>

static void *libc_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx;
    if (size == 0)
        size = 1;
    if (align <= 16)
        return malloc(size);
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    return p;
}

static void *libc_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    (void)ctx;
    (void)old_size;
    if (align > 16)
        return NULL;
    return realloc(ptr, new_size ? new_size : 1);
}

static void libc_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

const gale_wasm_alloc_t gale_wasm_alloc_libc = {libc_alloc, libc_realloc, libc_free, NULL};
#endif

void gale_wasm_arena_init(gale_wasm_arena_t *arena, void *buffer, size_t size)
{
    arena->base = (uint8_t *)buffer;
    arena->size = buffer ? size : 0;
    arena->used = 0;
    arena->high_water = 0;
}

static void *arena_alloc(void *ctx, size_t size, size_t align)
{
    gale_wasm_arena_t *a = (gale_wasm_arena_t *)ctx;
    if (align < 8)
        align = 8;
    uintptr_t cur = (uintptr_t)a->base + a->used;
    uintptr_t aligned = (cur + (align - 1)) & ~(uintptr_t)(align - 1);
    size_t pad = (size_t)(aligned - cur);
    if (pad > a->size - a->used || size > a->size - a->used - pad)
        return NULL;
    a->used += pad + size;
    if (a->used > a->high_water)
        a->high_water = a->used;
    return (void *)aligned;
}

static void *arena_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    gale_wasm_arena_t *a = (gale_wasm_arena_t *)ctx;
    if (ptr && (uint8_t *)ptr + old_size == a->base + a->used) {
        /* the most recent block: grow or shrink in place */
        size_t start = (size_t)((uint8_t *)ptr - a->base);
        if (new_size > a->size - start)
            return NULL;
        a->used = start + new_size;
        if (a->used > a->high_water)
            a->high_water = a->used;
        return ptr;
    }
    void *n = arena_alloc(ctx, new_size, align);
    if (n && ptr)
        memcpy(n, ptr, old_size < new_size ? old_size : new_size);
    return n;
}

static void arena_free(void *ctx, void *ptr, size_t size)
{
    gale_wasm_arena_t *a = (gale_wasm_arena_t *)ctx;
    /* give back the most recent block; anything else stays until the arena is reset */
    if (ptr && (uint8_t *)ptr + size == a->base + a->used)
        a->used = (size_t)((uint8_t *)ptr - a->base);
}

gale_wasm_alloc_t gale_wasm_arena_alloc(gale_wasm_arena_t *arena)
{
    gale_wasm_alloc_t al = {arena_alloc, arena_realloc, arena_free, arena};
    return al;
}

void *gw_alloc(const gale_wasm_alloc_t *a, size_t size)
{
    if (!a->alloc)
        return NULL;
    void *p = a->alloc(a->ctx, size ? size : 1, 8);
    if (p)
        memset(p, 0, size);
    return p;
}

void *gw_realloc(const gale_wasm_alloc_t *a, void *p, size_t old_size, size_t new_size)
{
    if (a->realloc)
        return a->realloc(a->ctx, p, old_size, new_size ? new_size : 1, 8);
    void *n = gw_alloc(a, new_size);
    if (!n)
        return NULL;
    if (p) {
        memcpy(n, p, old_size < new_size ? old_size : new_size);
        gw_free(a, p, old_size);
    }
    return n;
}

void gw_free(const gale_wasm_alloc_t *a, void *p, size_t size)
{
    if (p && a->free)
        a->free(a->ctx, p, size);
}
