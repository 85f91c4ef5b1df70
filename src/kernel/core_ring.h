/* gale kernel — decision core: ring-buffer indices shared by the message
 * queue (slots of fixed-size messages) and the pipe (bytes).
 *
 * Pure functions over a small index state; the callers move the data. Every
 * function carries an ACSL contract proven by Frama-C WP
 * (proofs/kernel/kobj_core_ring.c: prove_kobj_core_ring). The state never stores the write
 * index: it is head + used modulo cap, which removes the classic "full or
 * empty?" ambiguity. */
#ifndef GALE_KERNEL_CORE_RING_H
#define GALE_KERNEL_CORE_RING_H

#include <stdint.h>

typedef struct gale_core_ring {
    uint32_t cap;  /* number of slots (> 0) */
    uint32_t head; /* index of the oldest element, < cap */
    uint32_t used; /* number of elements, <= cap */
} gale_core_ring_t;

/*@ predicate ring_ok(gale_core_ring_t *r) =
      \valid(r) && r->cap > 0 && r->head < r->cap && r->used <= r->cap;

    logic integer ring_tail(gale_core_ring_t *r) =
      r->head + r->used < r->cap ? r->head + r->used
                                 : r->head + r->used - r->cap;
*/

/*@ requires \valid(r) && cap > 0;
    assigns *r;
    ensures ring_ok(r) && r->cap == cap && r->used == 0 && r->head == 0;
*/
static inline void gale_core_ring_init(gale_core_ring_t *r, uint32_t cap);

/*@ requires ring_ok(r);
    assigns r->head, r->used;
    ensures ring_ok(r) && r->cap == \old(r->cap) && r->used == 0;
*/
static inline void gale_core_ring_reset(gale_core_ring_t *r);

/* Index where the next element goes (the tail). Requires used < cap. */
/*@ requires ring_ok(r) && r->used < r->cap;
    assigns \nothing;
    ensures \result < r->cap && \result == ring_tail(r);
*/
static inline uint32_t gale_core_ring_tail(const gale_core_ring_t *r);

/* Reserve the tail slot: returns its index and counts it as used. */
/*@ requires ring_ok(r) && r->used < r->cap;
    assigns r->used;
    ensures ring_ok(r);
    ensures \result == \old(ring_tail(r));
    ensures \result < r->cap;
    ensures r->used == \old(r->used) + 1 && r->head == \old(r->head);
*/
static inline uint32_t gale_core_ring_push(gale_core_ring_t *r);

/* Release the head slot: returns its index and advances the head. */
/*@ requires ring_ok(r) && r->used > 0;
    assigns r->head, r->used;
    ensures ring_ok(r);
    ensures \result == \old(r->head);
    ensures r->used == \old(r->used) - 1;
    ensures r->head == (\old(r->head) + 1 == r->cap ? 0 : \old(r->head) + 1);
*/
static inline uint32_t gale_core_ring_pop(gale_core_ring_t *r);

/* Contiguous free run starting at the tail (bytes a writer may copy in one
 * memcpy); *off receives the tail index. */
/*@ requires ring_ok(r) && \valid(off) && \separated(r, off);
    assigns *off;
    ensures *off < r->cap;
    ensures r->used < r->cap ==> *off == ring_tail(r);
    ensures \result <= r->cap - r->used;
    ensures \result + *off <= r->cap;
    ensures r->used < r->cap ==> \result > 0;
    ensures r->used == r->cap ==> \result == 0;
*/
static inline uint32_t gale_core_ring_free_run(const gale_core_ring_t *r, uint32_t *off);

/* Contiguous used run starting at the head; *off receives the head index. */
/*@ requires ring_ok(r) && \valid(off) && \separated(r, off);
    assigns *off;
    ensures *off == r->head;
    ensures \result <= r->used;
    ensures \result + *off <= r->cap;
    ensures r->used > 0 ==> \result > 0;
*/
static inline uint32_t gale_core_ring_used_run(const gale_core_ring_t *r, uint32_t *off);

/* Count n elements written at the tail. */
/*@ requires ring_ok(r) && n <= r->cap - r->used;
    assigns r->used;
    ensures ring_ok(r) && r->used == \old(r->used) + n && r->head == \old(r->head);
*/
static inline void gale_core_ring_commit_write(gale_core_ring_t *r, uint32_t n);

/* Drop n elements from the head. */
/*@ requires ring_ok(r) && n <= r->used;
    assigns r->head, r->used;
    ensures ring_ok(r) && r->used == \old(r->used) - n;
    ensures r->used == 0 ==> r->head == 0;
    ensures r->used > 0 ==> r->head == (\old(r->head) + n < r->cap
                                          ? \old(r->head) + n
                                          : \old(r->head) + n - r->cap);
*/
static inline void gale_core_ring_commit_read(gale_core_ring_t *r, uint32_t n);

/* ---- definitions (proven against the contracts above) ---- */

static inline void gale_core_ring_init(gale_core_ring_t *r, uint32_t cap)
{
    r->cap = cap;
    r->head = 0;
    r->used = 0;
}

static inline void gale_core_ring_reset(gale_core_ring_t *r)
{
    r->head = 0;
    r->used = 0;
}

static inline uint32_t gale_core_ring_tail(const gale_core_ring_t *r)
{
    /* head + used without overflow: compare against the room before cap. */
    uint32_t room = r->cap - r->head;
    if (r->used >= room) {
        return r->used - room;
    }
    return r->head + r->used;
}

static inline uint32_t gale_core_ring_push(gale_core_ring_t *r)
{
    uint32_t t = gale_core_ring_tail(r);
    r->used++;
    return t;
}

static inline uint32_t gale_core_ring_pop(gale_core_ring_t *r)
{
    uint32_t h = r->head;
    r->head = (h + 1u == r->cap) ? 0u : h + 1u;
    r->used--;
    return h;
}

static inline uint32_t gale_core_ring_free_run(const gale_core_ring_t *r, uint32_t *off)
{
    uint32_t room = r->cap - r->head; /* slots from head to the end, > 0 */
    if (r->used >= room) {
        /* the used part wraps: the free run lies between tail and head */
        *off = r->used - room;
        return r->cap - r->used;
    }
    /* the free run goes from tail to the end of the buffer */
    *off = r->head + r->used;
    return room - r->used;
}

static inline uint32_t gale_core_ring_used_run(const gale_core_ring_t *r, uint32_t *off)
{
    *off = r->head;
    uint32_t to_end = r->cap - r->head;
    return r->used < to_end ? r->used : to_end;
}

static inline void gale_core_ring_commit_write(gale_core_ring_t *r, uint32_t n)
{
    r->used += n;
}

static inline void gale_core_ring_commit_read(gale_core_ring_t *r, uint32_t n)
{
    r->used -= n;
    if (r->used == 0) {
        r->head = 0; /* keep runs long: an empty ring restarts at 0 */
        return;
    }
    uint32_t room = r->cap - r->head;
    r->head = (n >= room) ? n - room : r->head + n;
}

#endif /* GALE_KERNEL_CORE_RING_H */
