/* gale kernel — decision core: event flags (wait any / all, clear on exit).
 * Pure functions over 32-bit flag words, ACSL contracts proven by Frama-C WP
 * (prove_kobj_core_event). */
#ifndef GALE_KERNEL_CORE_EVENT_H
#define GALE_KERNEL_CORE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* Does `events` satisfy a wait for `want` (all bits, or any bit)? */
/*@ assigns \nothing;
    behavior all:
      assumes all;
      ensures \result <==> (events & want) == want;
    behavior any:
      assumes !all;
      ensures \result <==> (events & want) != 0;
    complete behaviors; disjoint behaviors;
*/
static inline bool gale_core_event_match(uint32_t events, uint32_t want, bool all);

/* Outcome of a satisfied wait: the bits reported to the waiter and the flag
 * word after it leaves (clear on exit consumes exactly the reported bits). */
/*@ requires \valid(reported) && \valid(next) && \separated(reported, next);
    assigns *reported, *next;
    ensures *reported == (events & want);
    ensures clear ==> *next == (events & ((events & want) ^ 0xFFFFFFFF));
    ensures !clear ==> *next == events;
*/
static inline void gale_core_event_take(uint32_t events, uint32_t want, bool clear,
                          uint32_t *reported, uint32_t *next);

/* post: OR in bits; set: replace; clear: drop bits; masked set: replace
 * only the bits of mask. */
/*@ assigns \nothing; ensures \result == (events | bits); */
static inline uint32_t gale_core_event_post(uint32_t events, uint32_t bits);
/*@ assigns \nothing; ensures \result == (events & (bits ^ 0xFFFFFFFF)); */
static inline uint32_t gale_core_event_clear(uint32_t events, uint32_t bits);
/*@ assigns \nothing; ensures \result == ((events & (mask ^ 0xFFFFFFFF)) | (bits & mask)); */
static inline uint32_t gale_core_event_set_masked(uint32_t events, uint32_t bits, uint32_t mask);

/* ---- definitions (proven against the contracts above) ---- */

static inline bool gale_core_event_match(uint32_t events, uint32_t want, bool all)
{
    uint32_t hit = events & want;
    return all ? hit == want : hit != 0u;
}

static inline void gale_core_event_take(uint32_t events, uint32_t want, bool clear,
                          uint32_t *reported, uint32_t *next)
{
    uint32_t hit = events & want;
    *reported = hit;
    *next = clear ? (events & (hit ^ 0xFFFFFFFFu)) : events;
}

static inline uint32_t gale_core_event_post(uint32_t events, uint32_t bits)
{
    return events | bits;
}

static inline uint32_t gale_core_event_clear(uint32_t events, uint32_t bits)
{
    return events & (bits ^ 0xFFFFFFFFu);
}

static inline uint32_t gale_core_event_set_masked(uint32_t events, uint32_t bits, uint32_t mask)
{
    return (events & (mask ^ 0xFFFFFFFFu)) | (bits & mask);
}

#endif /* GALE_KERNEL_CORE_EVENT_H */
