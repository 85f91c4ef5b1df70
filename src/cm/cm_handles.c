/* Per-instance handle tables: index 0 is never used, freed slots are reused
 * (lowest free index first), bounded by caller-provided storage. */
#include <string.h>

#include "gale/cm.h"

void gale_cm_table_init(gale_cm_table_t *t, gale_cm_handle_t *slots, uint32_t cap)
{
    t->slots = slots;
    t->cap = cap > GALE_CM_MAX_LENGTH ? GALE_CM_MAX_LENGTH : cap;
    t->count = 0;
    if (slots)
        memset(slots, 0, sizeof(*slots) * cap);
}

uint32_t gale_cm_table_add(gale_cm_table_t *t, const gale_cm_handle_t *h)
{
    if (!t->slots || t->cap < 2 || h->tag == GALE_CM_H_FREE)
        return 0;
    uint32_t i = gale_cm_slot_find_free(t->slots, t->cap);
    if (i == 0)
        return 0;
    t->slots[i] = *h;
    t->count++;
    return i;
}

gale_cm_handle_t *gale_cm_table_get(gale_cm_table_t *t, uint32_t idx)
{
    if (!t || idx == 0 || idx >= t->cap || t->slots[idx].tag == GALE_CM_H_FREE)
        return NULL;
    return &t->slots[idx];
}

const char *gale_cm_handle_tag_name(uint8_t tag)
{
    switch (tag) {
    case GALE_CM_H_FREE: return "free slot";
    case GALE_CM_H_OWN: return "own resource handle";
    case GALE_CM_H_BORROW: return "borrow resource handle";
    case GALE_CM_H_SUBTASK: return "subtask";
    case GALE_CM_H_WAITABLE_SET: return "waitable set";
    case GALE_CM_H_STREAM_READ: return "readable stream end";
    case GALE_CM_H_STREAM_WRITE: return "writable stream end";
    case GALE_CM_H_FUTURE_READ: return "readable future end";
    case GALE_CM_H_FUTURE_WRITE: return "writable future end";
    case GALE_CM_H_ERROR_CONTEXT: return "error-context";
    default: return "?";
    }
}

gale_cm_handle_t *gale_cm_table_get_tag(gale_cm_table_t *t, uint32_t idx, uint8_t tag, const char *what,
                                        gale_cm_err_t *err)
{
    gale_cm_handle_t *h = gale_cm_table_get(t, idx);
    if (!h) {
        gale_cm_err_set(err, GALE_ETRAP, "%s: handle %u is not live (expected a %s)", what ? what : "handle",
                        (unsigned)idx, gale_cm_handle_tag_name(tag));
        return NULL;
    }
    if (h->tag != tag) {
        gale_cm_err_set(err, GALE_ETRAP, "%s: handle %u is a %s, expected a %s", what ? what : "handle", (unsigned)idx,
                        gale_cm_handle_tag_name(h->tag), gale_cm_handle_tag_name(tag));
        return NULL;
    }
    return h;
}

int gale_cm_table_remove(gale_cm_table_t *t, uint32_t idx)
{
    gale_cm_handle_t *h = gale_cm_table_get(t, idx);
    if (!h)
        return GALE_EINVAL;
    memset(h, 0, sizeof *h);
    t->count--;
    return 0;
}
