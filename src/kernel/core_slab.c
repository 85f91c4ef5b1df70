/* gale kernel — decision core: memory-slab bookkeeping (see core_slab.h). */
#include "core_slab.h"

/*@ requires n > 0 && \valid(state + (0 .. n - 1));
    assigns state[0 .. n - 1];
    ensures \forall integer i; 0 <= i < n ==> state[i] == 0;
*/
static void slab_clear_states(uint32_t n, uint8_t *state)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> state[j] == 0;
        loop assigns i, state[0 .. n - 1];
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        state[i] = GALE_CORE_SLAB_FREE;
    }
}

/*@ requires n > 0 && \valid(free_idx + (0 .. n - 1));
    assigns free_idx[0 .. n - 1];
    ensures \forall integer k; 0 <= k < n ==> free_idx[k] == n - 1 - k;
*/
static void slab_fill_stack(uint32_t n, uint32_t *free_idx)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer k; 0 <= k < i ==> free_idx[k] == n - 1 - k;
        loop assigns i, free_idx[0 .. n - 1];
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        /* block 0 on top of the free stack: it is handed out first */
        free_idx[i] = n - 1u - i;
    }
}

void gale_core_slab_init(uint32_t n, uint32_t *nfree, uint32_t *free_idx, uint8_t *state)
{
    slab_clear_states(n, state);
    slab_fill_stack(n, free_idx);
    *nfree = n;
}

bool gale_core_slab_alloc(uint32_t n, uint32_t *nfree, const uint32_t *free_idx,
                          uint8_t *state, uint32_t *idx)
{
    if (*nfree == 0u) {
        return false;
    }
    uint32_t k = *nfree - 1u;
    uint32_t b = free_idx[k];
    if (b >= n || state[b] != GALE_CORE_SLAB_FREE) {
        return false; /* corrupted free stack: refuse rather than double-hand */
    }
    state[b] = GALE_CORE_SLAB_USED;
    *nfree = k;
    *idx = b;
    return true;
}

bool gale_core_slab_free(uint32_t n, uint32_t *nfree, uint32_t *free_idx,
                         uint8_t *state, uint32_t idx)
{
    if (idx >= n || state[idx] != GALE_CORE_SLAB_USED) {
        return false;
    }
    if (*nfree >= n) {
        return false; /* unreachable while the free stack is consistent */
    }
    state[idx] = GALE_CORE_SLAB_FREE;
    free_idx[*nfree] = idx;
    *nfree = *nfree + 1u;
    return true;
}
