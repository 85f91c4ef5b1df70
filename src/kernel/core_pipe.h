/* gale kernel — decision core: pipe transfer decisions (minimum byte counts).
 *
 * A pipe call asks to move `len` bytes and is satisfied once at least `min`
 * (1 <= min <= len) have moved. These functions decide how many bytes move
 * now and what happens next; the pipe code moves the bytes (buffer and direct
 * hand-off to waiting peers). Proven by Frama-C WP (prove_kobj_core_pipe). */
#ifndef GALE_KERNEL_CORE_PIPE_H
#define GALE_KERNEL_CORE_PIPE_H

#include <stdbool.h>
#include <stddef.h>

enum gale_core_pipe_verdict {
    GALE_CORE_PIPE_DONE = 0,  /* satisfied: return success with the count */
    GALE_CORE_PIPE_BLOCK = 1, /* move `*now` bytes, then wait for the rest */
    GALE_CORE_PIPE_AGAIN = 2, /* no-wait and fewer than min available: move nothing */
};

/* First decision of a call. `avail` is what can move without waiting (free
 * space plus the wants of waiting readers, for a writer; buffered bytes plus
 * waiting writers' data, for a reader). */
/*@ requires \valid(now) && 1 <= min <= len;
    assigns *now;
    ensures *now <= len && *now <= avail;
    behavior enough:
      assumes avail >= min;
      ensures \result == GALE_CORE_PIPE_DONE && *now >= min;
      ensures *now == (avail < len ? avail : len);
    behavior short_nowait:
      assumes avail < min && !may_wait;
      ensures \result == GALE_CORE_PIPE_AGAIN && *now == 0;
    behavior short_wait:
      assumes avail < min && may_wait;
      ensures \result == GALE_CORE_PIPE_BLOCK && *now == avail && *now < min;
    complete behaviors; disjoint behaviors;
*/
static inline int gale_core_pipe_start(size_t avail, size_t len, size_t min, bool may_wait, size_t *now);

/* A peer feeds a waiting call that has `done` of `len` bytes: how many move
 * (`*now`), and whether the waiter is now satisfied (done + now >= min; it is
 * then woken and takes no more). */
/*@ requires \valid(now) && 1 <= min <= len && done < min;
    assigns *now;
    ensures *now <= len - done && *now <= avail;
    ensures *now == (avail < len - done ? avail : len - done);
    ensures \result <==> done + *now >= min;
*/
static inline bool gale_core_pipe_feed(size_t done, size_t len, size_t min, size_t avail, size_t *now);

/* ---- definitions (proven against the contracts above) ---- */

static inline int gale_core_pipe_start(size_t avail, size_t len, size_t min, bool may_wait, size_t *now)
{
    if (avail >= min) {
        *now = avail < len ? avail : len;
        return GALE_CORE_PIPE_DONE;
    }
    if (!may_wait) {
        *now = 0;
        return GALE_CORE_PIPE_AGAIN;
    }
    *now = avail;
    return GALE_CORE_PIPE_BLOCK;
}

static inline bool gale_core_pipe_feed(size_t done, size_t len, size_t min, size_t avail, size_t *now)
{
    size_t rest = len - done;
    size_t n = avail < rest ? avail : rest;
    *now = n;
    return n >= min - done;
}

#endif /* GALE_KERNEL_CORE_PIPE_H */
