/* gale kernel — decision core: timeout arithmetic and queue order (proven by WP,
 * proofs/kernel). 64-bit absolute ticks; UINT64_MAX means "never". */
#include "core.h"

/*@ logic integer FOREVER = 18446744073709551615; */

/*@ requires now < FOREVER;
    assigns \nothing;
    behavior forever:
      assumes ticks == -1;
      ensures \result == FOREVER;
    behavior relative:
      assumes ticks >= 0;
      ensures now + ticks < FOREVER ==> \result == now + ticks;
      ensures now + ticks >= FOREVER ==> \result == FOREVER - 1;
    behavior absolute:
      assumes ticks <= -2;
      ensures -2 - ticks >= now ==> \result == -2 - ticks;
      ensures -2 - ticks < now ==> \result == now;
    complete behaviors;
    disjoint behaviors;
*/
uint64_t gale_core_timeout_deadline(int64_t ticks, uint64_t now)
{
    if (ticks == -1)
        return GALE_CORE_FOREVER;
    if (ticks >= 0) {
        uint64_t d = (uint64_t)ticks;
        if (d >= GALE_CORE_FOREVER - now)
            return GALE_CORE_FOREVER - 1u;
        return now + d;
    }
    /* ticks <= -2: absolute tick -2 - ticks, in 0 .. INT64_MAX - 1 */
    uint64_t abs_tick = (uint64_t)(-(ticks + 2));
    return abs_tick < now ? now : abs_tick;
}

/*@ assigns \nothing;
    ensures \result == 1 <==> queued <= incoming;
    ensures \result == 0 || \result == 1;
*/
int gale_core_timeout_goes_after(uint64_t incoming, uint64_t queued)
{
    return queued <= incoming ? 1 : 0;
}

/*@ assigns \nothing;
    ensures \result == 1 <==> deadline <= now;
    ensures \result == 0 || \result == 1;
*/
int gale_core_timeout_expired(uint64_t deadline, uint64_t now)
{
    return deadline <= now ? 1 : 0;
}

/*@ assigns \nothing;
    ensures deadline > now ==> \result == deadline - now;
    ensures deadline <= now ==> \result == 0;
*/
uint64_t gale_core_timeout_remaining(uint64_t deadline, uint64_t now)
{
    return deadline > now ? deadline - now : 0u;
}

/*@ assigns \nothing;
    ensures deadline + period < FOREVER ==> \result == deadline + period;
    ensures deadline + period >= FOREVER ==> \result == FOREVER - 1;
*/
uint64_t gale_core_timer_next(uint64_t deadline, uint64_t period)
{
    if (deadline >= GALE_CORE_FOREVER - 1u || period >= GALE_CORE_FOREVER - 1u - deadline)
        return GALE_CORE_FOREVER - 1u;
    return deadline + period;
}
