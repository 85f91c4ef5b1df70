/* gale kernel — decision core: event flags (see core_event.h). */
#include "core_event.h"

bool gale_core_event_match(uint32_t events, uint32_t want, bool all)
{
    uint32_t hit = events & want;
    return all ? hit == want : hit != 0u;
}

void gale_core_event_take(uint32_t events, uint32_t want, bool clear,
                          uint32_t *reported, uint32_t *next)
{
    uint32_t hit = events & want;
    *reported = hit;
    *next = clear ? (events & (hit ^ 0xFFFFFFFFu)) : events;
}

uint32_t gale_core_event_post(uint32_t events, uint32_t bits)
{
    return events | bits;
}

uint32_t gale_core_event_clear(uint32_t events, uint32_t bits)
{
    return events & (bits ^ 0xFFFFFFFFu);
}

uint32_t gale_core_event_set_masked(uint32_t events, uint32_t bits, uint32_t mask)
{
    return (events & (mask ^ 0xFFFFFFFFu)) | (bits & mask);
}
