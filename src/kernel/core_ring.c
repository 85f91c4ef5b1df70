/* gale kernel — decision core: ring-buffer indices (see core_ring.h).
 * Proven by Frama-C WP: proofs/kernel/CMakeLists.txt, prove_kobj_core_ring. */
#include "core_ring.h"

void gale_core_ring_init(gale_core_ring_t *r, uint32_t cap)
{
    r->cap = cap;
    r->head = 0;
    r->used = 0;
}

void gale_core_ring_reset(gale_core_ring_t *r)
{
    r->head = 0;
    r->used = 0;
}

uint32_t gale_core_ring_tail(const gale_core_ring_t *r)
{
    /* head + used without overflow: compare against the room before cap. */
    uint32_t room = r->cap - r->head;
    if (r->used >= room) {
        return r->used - room;
    }
    return r->head + r->used;
}

uint32_t gale_core_ring_push(gale_core_ring_t *r)
{
    uint32_t t = gale_core_ring_tail(r);
    r->used++;
    return t;
}

uint32_t gale_core_ring_pop(gale_core_ring_t *r)
{
    uint32_t h = r->head;
    r->head = (h + 1u == r->cap) ? 0u : h + 1u;
    r->used--;
    return h;
}

uint32_t gale_core_ring_free_run(const gale_core_ring_t *r, uint32_t *off)
{
    if (r->used == r->cap) {
        *off = r->head;
        return 0;
    }
    uint32_t t = gale_core_ring_tail(r);
    *off = t;
    uint32_t free = r->cap - r->used;
    uint32_t to_end = r->cap - t;
    return free < to_end ? free : to_end;
}

uint32_t gale_core_ring_used_run(const gale_core_ring_t *r, uint32_t *off)
{
    *off = r->head;
    uint32_t to_end = r->cap - r->head;
    return r->used < to_end ? r->used : to_end;
}

void gale_core_ring_commit_write(gale_core_ring_t *r, uint32_t n)
{
    r->used += n;
}

void gale_core_ring_commit_read(gale_core_ring_t *r, uint32_t n)
{
    r->used -= n;
    if (r->used == 0) {
        r->head = 0; /* keep runs long: an empty ring restarts at 0 */
        return;
    }
    uint32_t room = r->cap - r->head;
    r->head = (n >= room) ? n - room : r->head + n;
}
