/* gale kernel — decision core: wait-queue order (proven by WP, proofs/kernel).
 * A wait queue is kept sorted by priority (lower number first); a thread that
 * arrives goes behind every queued thread of its own or more urgent priority,
 * so equal priorities are served FIFO. The list walk in wait_q.c inserts the
 * newcomer in front of the first queued thread for which this returns 1. */
#include "core.h"

/*@ assigns \nothing;
    ensures \result == 1 <==> incoming < queued;
    ensures \result == 0 || \result == 1;
*/
int gale_core_wq_goes_before(int incoming, int queued)
{
    return incoming < queued ? 1 : 0;
}
