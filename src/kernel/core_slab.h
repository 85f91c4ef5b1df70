/* gale kernel — decision core: memory-slab block bookkeeping.
 *
 * The free blocks are kept as an index array used as a stack
 * (free_idx[0 .. nfree)), and every block has a one-byte state (0 free,
 * 1 allocated). O(1) alloc and free, double frees and foreign pointers are
 * detected, and all bookkeeping lives outside the caller's blocks (a user
 * writing into a freed block cannot corrupt the allocator).
 *
 * Proven by Frama-C WP (prove_kobj_core_slab), for every possible state (no
 * global invariant is assumed): every access is in bounds, alloc only ever
 * returns a block that was free and marks it allocated, free only accepts an
 * allocated block, and nfree never exceeds n. A state that would break the
 * free-stack invariant is reported (false) instead of being trusted. */
#ifndef GALE_KERNEL_CORE_SLAB_H
#define GALE_KERNEL_CORE_SLAB_H

#include <stdbool.h>
#include <stdint.h>

#define GALE_CORE_SLAB_FREE 0u
#define GALE_CORE_SLAB_USED 1u

/*@ requires n > 0 && \valid(free_idx + (0 .. n - 1)) && \valid(state + (0 .. n - 1));
    requires \valid(nfree) && \separated(nfree, free_idx + (0 .. n - 1), state + (0 .. n - 1));
    requires \separated(free_idx + (0 .. n - 1), state + (0 .. n - 1));
    assigns *nfree, free_idx[0 .. n - 1], state[0 .. n - 1];
    ensures *nfree == n;
    ensures \forall integer k; 0 <= k < n ==> free_idx[k] == n - 1 - k;
    ensures \forall integer i; 0 <= i < n ==> state[i] == 0;
*/
static inline void gale_core_slab_init(uint32_t n, uint32_t *nfree, uint32_t *free_idx, uint8_t *state);

/* Take a free block: true and *idx set, or false when none is free (or the
 * top of the free stack is not a free block: corruption, reported). */
/*@ requires n > 0 && \valid(nfree) && \valid(idx) && *nfree <= n;
    requires \valid_read(free_idx + (0 .. n - 1)) && \valid(state + (0 .. n - 1));
    requires \separated(nfree, idx, free_idx + (0 .. n - 1), state + (0 .. n - 1));
    assigns *nfree, *idx, state[0 .. n - 1];
    ensures *nfree <= n;
    behavior empty:
      assumes *nfree == 0;
      ensures !\result && *nfree == 0;
    behavior some:
      assumes *nfree > 0;
      ensures \result ==> *idx < n && *nfree == \old(*nfree) - 1;
      ensures \result ==> \at(state[\at(*idx, Post)], Pre) == 0 && state[*idx] == 1;
      ensures \result ==> \forall integer i; 0 <= i < n && i != *idx ==> state[i] == \old(state[i]);
      ensures !\result ==> *nfree == \old(*nfree) &&
                           \forall integer i; 0 <= i < n ==> state[i] == \old(state[i]);
    complete behaviors; disjoint behaviors;
*/
static inline bool gale_core_slab_alloc(uint32_t n, uint32_t *nfree, const uint32_t *free_idx,
                          uint8_t *state, uint32_t *idx);

/* Return block idx: false (nothing changes) when idx is out of range or the
 * block is not allocated (double free). */
/*@ requires n > 0 && \valid(nfree) && *nfree <= n;
    requires \valid(free_idx + (0 .. n - 1)) && \valid(state + (0 .. n - 1));
    requires \separated(nfree, free_idx + (0 .. n - 1), state + (0 .. n - 1));
    assigns *nfree, free_idx[0 .. n - 1], state[0 .. n - 1];
    ensures *nfree <= n;
    behavior bad:
      assumes idx >= n || state[idx] != 1;
      ensures !\result && *nfree == \old(*nfree);
      ensures \forall integer i; 0 <= i < n ==> state[i] == \old(state[i]);
    behavior good:
      assumes idx < n && state[idx] == 1;
      ensures \result ==> state[idx] == 0 && *nfree == \old(*nfree) + 1 &&
                          free_idx[\old(*nfree)] == idx;
      ensures \result ==> \forall integer i; 0 <= i < n && i != idx ==> state[i] == \old(state[i]);
      ensures !\result ==> *nfree == n;
    complete behaviors; disjoint behaviors;
*/
static inline bool gale_core_slab_free(uint32_t n, uint32_t *nfree, uint32_t *free_idx,
                         uint8_t *state, uint32_t idx);

/* ---- definitions (proven against the contracts above) ---- */

/*@ requires n > 0 && \valid(state + (0 .. n - 1));
    assigns state[0 .. n - 1];
    ensures \forall integer i; 0 <= i < n ==> state[i] == 0;
*/
static inline void slab_clear_states(uint32_t n, uint8_t *state)
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
static inline void slab_fill_stack(uint32_t n, uint32_t *free_idx)
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

static inline void gale_core_slab_init(uint32_t n, uint32_t *nfree, uint32_t *free_idx, uint8_t *state)
{
    slab_clear_states(n, state);
    slab_fill_stack(n, free_idx);
    *nfree = n;
}

static inline bool gale_core_slab_alloc(uint32_t n, uint32_t *nfree, const uint32_t *free_idx,
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

static inline bool gale_core_slab_free(uint32_t n, uint32_t *nfree, uint32_t *free_idx,
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

#endif /* GALE_KERNEL_CORE_SLAB_H */
