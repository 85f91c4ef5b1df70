/* gale kernel — decision core: LIFO stack bounds (see core_stack.h). */
#include "core_stack.h"

bool gale_core_stack_push(uint32_t *top, uint32_t cap, uint32_t *slot)
{
    if (*top >= cap) {
        return false;
    }
    *slot = *top;
    *top = *top + 1u;
    return true;
}

bool gale_core_stack_pop(uint32_t *top, uint32_t cap, uint32_t *slot)
{
    (void)cap;
    if (*top == 0u) {
        return false;
    }
    *top = *top - 1u;
    *slot = *top;
    return true;
}
