/* gale kernel — decision core: semaphore counting (proven by WP, proofs/kernel). */
#include "core.h"

/*@ requires \valid(count);
    requires *count <= limit;
    assigns *count;
    ensures *count <= limit;
    behavior wake:
      assumes has_waiter != 0;
      ensures \result == GALE_CORE_SEM_WAKE && *count == \old(*count);
    behavior counted:
      assumes has_waiter == 0 && *count < limit;
      ensures \result == GALE_CORE_SEM_COUNTED && *count == \old(*count) + 1;
    behavior full:
      assumes has_waiter == 0 && *count >= limit;
      ensures \result == GALE_CORE_SEM_FULL && *count == \old(*count);
    complete behaviors;
    disjoint behaviors;
*/
int gale_core_sem_give(uint32_t *count, uint32_t limit, int has_waiter)
{
    if (has_waiter != 0)
        return GALE_CORE_SEM_WAKE;
    if (*count < limit) {
        *count = *count + 1u;
        return GALE_CORE_SEM_COUNTED;
    }
    return GALE_CORE_SEM_FULL;
}

/*@ requires \valid(count);
    assigns *count;
    behavior taken:
      assumes *count > 0;
      ensures \result == GALE_CORE_SEM_TAKEN && *count == \old(*count) - 1;
    behavior block:
      assumes *count == 0 && may_wait != 0;
      ensures \result == GALE_CORE_SEM_BLOCK && *count == 0;
    behavior again:
      assumes *count == 0 && may_wait == 0;
      ensures \result == GALE_CORE_SEM_AGAIN && *count == 0;
    complete behaviors;
    disjoint behaviors;
*/
int gale_core_sem_take(uint32_t *count, int may_wait)
{
    if (*count > 0u) {
        *count = *count - 1u;
        return GALE_CORE_SEM_TAKEN;
    }
    return may_wait != 0 ? GALE_CORE_SEM_BLOCK : GALE_CORE_SEM_AGAIN;
}
