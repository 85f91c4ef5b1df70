/* gale kernel — decision core: mutex ownership, recursion and priority
 * inheritance (proven by WP, proofs/kernel). */
#include "core.h"

/*@ requires \valid(count);
    requires is_free != 0 ==> *count == 0;
    requires is_free == 0 ==> *count >= 1;
    requires max >= 1;
    requires !(is_free != 0 && is_owner != 0);
    assigns *count;
    behavior acquire:
      assumes is_free != 0;
      ensures \result == GALE_CORE_MTX_ACQUIRED && *count == 1;
    behavior recurse:
      assumes is_free == 0 && is_owner != 0 && *count < max;
      ensures \result == GALE_CORE_MTX_RECURSED && *count == \old(*count) + 1;
    behavior overflow:
      assumes is_free == 0 && is_owner != 0 && *count >= max;
      ensures \result == GALE_CORE_MTX_OVERFLOW && *count == \old(*count);
    behavior busy:
      assumes is_free == 0 && is_owner == 0 && may_wait == 0;
      ensures \result == GALE_CORE_MTX_BUSY && *count == \old(*count);
    behavior block:
      assumes is_free == 0 && is_owner == 0 && may_wait != 0;
      ensures \result == GALE_CORE_MTX_BLOCK && *count == \old(*count);
    complete behaviors;
    disjoint behaviors;
*/
int gale_core_mutex_lock(int is_free, int is_owner, uint32_t *count, uint32_t max, int may_wait)
{
    if (is_free != 0) {
        *count = 1u;
        return GALE_CORE_MTX_ACQUIRED;
    }
    if (is_owner != 0) {
        if (*count >= max)
            return GALE_CORE_MTX_OVERFLOW;
        *count = *count + 1u;
        return GALE_CORE_MTX_RECURSED;
    }
    return may_wait != 0 ? GALE_CORE_MTX_BLOCK : GALE_CORE_MTX_BUSY;
}

/*@ requires \valid(count);
    requires is_free != 0 ==> *count == 0;
    requires is_free == 0 ==> *count >= 1;
    assigns *count;
    behavior not_locked:
      assumes is_free != 0;
      ensures \result == GALE_CORE_MTX_NOT_LOCKED && *count == \old(*count);
    behavior not_owner:
      assumes is_free == 0 && is_owner == 0;
      ensures \result == GALE_CORE_MTX_NOT_OWNER && *count == \old(*count);
    behavior decrement:
      assumes is_free == 0 && is_owner != 0 && *count > 1;
      ensures \result == GALE_CORE_MTX_DECREMENTED && *count == \old(*count) - 1;
    behavior release:
      assumes is_free == 0 && is_owner != 0 && *count == 1;
      ensures \result == GALE_CORE_MTX_RELEASED && *count == 0;
    complete behaviors;
    disjoint behaviors;
*/
int gale_core_mutex_unlock(int is_free, int is_owner, uint32_t *count)
{
    if (is_free != 0)
        return GALE_CORE_MTX_NOT_LOCKED;
    if (is_owner == 0)
        return GALE_CORE_MTX_NOT_OWNER;
    if (*count > 1u) {
        *count = *count - 1u;
        return GALE_CORE_MTX_DECREMENTED;
    }
    *count = 0u;
    return GALE_CORE_MTX_RELEASED;
}

/*@ assigns \nothing;
    ensures \result <= eff;
    ensures has_waiter != 0 ==> \result <= waiter_prio;
    ensures \result == eff || (has_waiter != 0 && \result == waiter_prio);
*/
int gale_core_pi_fold(int eff, int has_waiter, int waiter_prio)
{
    if (has_waiter != 0 && waiter_prio < eff)
        return waiter_prio;
    return eff;
}
