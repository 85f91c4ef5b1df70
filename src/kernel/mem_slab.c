/* gale kernel — memory slab: fixed-size blocks over a caller buffer. The free
 * blocks are an index stack outside the blocks with one state byte per block
 * (the proven core core_slab.c): O(1) alloc / free, double frees and foreign
 * pointers are refused with a diagnostic. A free with a waiting allocator hands
 * the block straight to it. */
#include "core_slab.h"
#include "kernel_internal.h"

int gale_kernel_mem_slab_init(gale_mem_slab_t *slab, void *buffer, size_t block_size, uint32_t num_blocks,
                              uint32_t *free_idx, uint8_t *state)
{
    if (slab == NULL || buffer == NULL || free_idx == NULL || state == NULL) {
        gale_kernel_diag("mem_slab_init: %s pointer is NULL",
                         slab == NULL ? "slab" : buffer == NULL ? "buffer" : free_idx == NULL ? "free_idx" : "state");
        return GALE_EINVAL;
    }
    if (block_size == 0u || num_blocks == 0u) {
        gale_kernel_diag("mem_slab_init: slab %p: block size %zu and count %u must both be > 0",
                         (void *)slab, block_size, (unsigned int)num_blocks);
        return GALE_EINVAL;
    }
    if (block_size > SIZE_MAX / num_blocks) {
        gale_kernel_diag("mem_slab_init: slab %p: %u blocks of %zu bytes overflow the address space",
                         (void *)slab, (unsigned int)num_blocks, block_size);
        return GALE_EOVERFLOW;
    }
    gale_kernel_wait_q_init(&slab->wq);
    slab->buffer = buffer;
    slab->block_size = block_size;
    slab->num_blocks = num_blocks;
    slab->num_used = 0;
    slab->free_idx = free_idx;
    slab->state = state;
    gale_core_slab_init(num_blocks, &slab->nfree, free_idx, state);
    slab->watch = NULL;
    slab->magic = GALE_MAGIC_SLAB;
    return GALE_OK;
}

/* [L] Statically defined slabs build their free stack on first use. */
static void lazy_build(gale_mem_slab_t *slab)
{
    if (slab->nfree == UINT32_MAX)
        gale_core_slab_init(slab->num_blocks, &slab->nfree, slab->free_idx, slab->state);
}

int gale_kernel_mem_slab_alloc(gale_mem_slab_t *slab, void **mem, gale_timeout_t timeout)
{
    int rc = GALE_OBJ_CHECK(slab, GALE_MAGIC_SLAB, "mem_slab_alloc");
    if (rc != GALE_OK)
        return rc;
    if (mem == NULL) {
        gale_kernel_diag("mem_slab_alloc: slab %p: result pointer is NULL", (void *)slab);
        return GALE_EINVAL;
    }
    *mem = NULL;
    rc = gale_kernel_check_may_block("mem_slab_alloc", timeout);
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    lazy_build(slab);
    uint32_t idx;
    if (slab->nfree > 0u) {
        if (!gale_core_slab_alloc(slab->num_blocks, &slab->nfree, slab->free_idx, slab->state, &idx)) {
            gale_kernel_unlock(key);
            gale_kernel_diag("mem_slab_alloc: slab %p: free list corrupted (bookkeeping overwritten?)",
                             (void *)slab);
            return GALE_EFAULT;
        }
        slab->num_used++;
        gale_kernel_unlock(key);
        *mem = slab->buffer + (size_t)idx * slab->block_size;
        return GALE_OK;
    }
    if (GALE_TIMEOUT_IS_NO_WAIT(timeout)) {
        gale_kernel_unlock(key);
        return GALE_ENOMEM;
    }
    gale_kernel_thread_self()->wait_data = mem;
    return gale_kernel_pend(&slab->wq, key, timeout);
}

int gale_kernel_mem_slab_free(gale_mem_slab_t *slab, void *mem)
{
    int rc = GALE_OBJ_CHECK(slab, GALE_MAGIC_SLAB, "mem_slab_free");
    if (rc != GALE_OK)
        return rc;
    uintptr_t base = (uintptr_t)slab->buffer, p = (uintptr_t)mem;
    size_t span = slab->block_size * slab->num_blocks;
    if (mem == NULL || p < base || p - base >= span || (p - base) % slab->block_size != 0u) {
        gale_kernel_diag("mem_slab_free: slab %p: %p is not a block of this slab", (void *)slab, mem);
        return GALE_EINVAL;
    }
    uint32_t idx = (uint32_t)((p - base) / slab->block_size);
    unsigned int key = gale_kernel_lock();
    lazy_build(slab);
    if (slab->state[idx] != GALE_CORE_SLAB_USED) {
        gale_kernel_unlock(key);
        gale_kernel_diag("mem_slab_free: slab %p: block %u (%p) is not allocated (double free?)",
                         (void *)slab, (unsigned int)idx, mem);
        return GALE_EINVAL;
    }
    gale_thread_t *w = gale_kernel_unpend_first(&slab->wq);
    if (w != NULL) {
        /* the block stays allocated: it changes hands */
        *(void **)w->wait_data = mem;
        gale_kernel_ready(w, GALE_OK);
        gale_kernel_reschedule(key);
        return GALE_OK;
    }
    if (!gale_core_slab_free(slab->num_blocks, &slab->nfree, slab->free_idx, slab->state, idx)) {
        gale_kernel_unlock(key);
        gale_kernel_diag("mem_slab_free: slab %p: free list corrupted (bookkeeping overwritten?)", (void *)slab);
        return GALE_EFAULT;
    }
    slab->num_used--;
    GALE_WATCH_FIRE(slab->watch);
    gale_kernel_unlock(key);
    return GALE_OK;
}

uint32_t gale_kernel_mem_slab_num_used_get(const gale_mem_slab_t *slab)
{
    return slab != NULL ? slab->num_used : 0u;
}

uint32_t gale_kernel_mem_slab_num_free_get(const gale_mem_slab_t *slab)
{
    return slab != NULL ? slab->num_blocks - slab->num_used : 0u;
}

int gale_kernel_mem_slab_delete(gale_mem_slab_t *slab)
{
    int rc = GALE_OBJ_CHECK(slab, GALE_MAGIC_SLAB, "mem_slab_delete");
    if (rc != GALE_OK)
        return rc;
    unsigned int key = gale_kernel_lock();
    if (!gale_kernel_wait_q_empty(&slab->wq)) {
        gale_thread_t *w = gale_kernel_wait_q_first(&slab->wq);
        gale_kernel_unlock(key);
        gale_kernel_diag("mem_slab_delete: slab %p still has waiters (first: '%s')", (void *)slab,
                         gale_kernel_thread_label(w));
        return GALE_EBUSY;
    }
    slab->magic = 0;
    gale_kernel_unlock(key);
    return GALE_OK;
}
