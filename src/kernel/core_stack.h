/* gale kernel — decision core: LIFO stack bounds (prove_kobj_core_stack). */
#ifndef GALE_KERNEL_CORE_STACK_H
#define GALE_KERNEL_CORE_STACK_H

#include <stdbool.h>
#include <stdint.h>

/* Push: on success *slot is the index to store into and *top grows by one.
 * Pop: on success *slot is the index to load from and *top shrinks by one. */
/*@ requires \valid(top) && \valid(slot) && \separated(top, slot) && *top <= cap;
    assigns *top, *slot;
    behavior full:
      assumes *top == cap;
      ensures !\result && *top == cap;
    behavior room:
      assumes *top < cap;
      ensures \result && *slot == \old(*top) && *slot < cap && *top == \old(*top) + 1;
    complete behaviors; disjoint behaviors;
*/
static inline bool gale_core_stack_push(uint32_t *top, uint32_t cap, uint32_t *slot);

/*@ requires \valid(top) && \valid(slot) && \separated(top, slot) && *top <= cap;
    assigns *top, *slot;
    behavior empty:
      assumes *top == 0;
      ensures !\result && *top == 0;
    behavior some:
      assumes *top > 0;
      ensures \result && *slot == \old(*top) - 1 && *slot < cap && *top == *slot;
    complete behaviors; disjoint behaviors;
*/
static inline bool gale_core_stack_pop(uint32_t *top, uint32_t cap, uint32_t *slot);

/* ---- definitions (proven against the contracts above) ---- */

static inline bool gale_core_stack_push(uint32_t *top, uint32_t cap, uint32_t *slot)
{
    if (*top >= cap) {
        return false;
    }
    *slot = *top;
    *top = *top + 1u;
    return true;
}

static inline bool gale_core_stack_pop(uint32_t *top, uint32_t cap, uint32_t *slot)
{
    (void)cap;
    if (*top == 0u) {
        return false;
    }
    *top = *top - 1u;
    *slot = *top;
    return true;
}

#endif /* GALE_KERNEL_CORE_STACK_H */
