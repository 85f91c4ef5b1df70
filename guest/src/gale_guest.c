/* gale guest SDK: allocator, libc basics and the async event loop for
 * freestanding wasm32 C components. */
#include "gale_guest.h"

/* ---- libc basics (clang emits calls to these for struct copies) ----------- */
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* ---- allocator: first-fit free list, blocks carry a 16-byte header --------- */
typedef struct blk {
    size_t size;        /* payload bytes */
    struct blk *next;   /* free list link (free blocks only) */
    uint32_t magic;
    uint32_t pad;
} blk_t;

#define GALE_MAGIC_USED 0x6a1e0001u
#define GALE_MAGIC_FREE 0x6a1e0002u
#define GALE_ALIGN 16u

extern unsigned char __heap_base;
static uintptr_t heap_top;
static uintptr_t heap_end;
static blk_t *free_list;
static size_t heap_used;

static uintptr_t align_up(uintptr_t x, uintptr_t a)
{
    return (x + a - 1) & ~(a - 1);
}

static int grow_to(uintptr_t want)
{
    while (heap_end < want) {
        size_t pages = (size_t)((want - heap_end + 65535u) / 65536u);
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1)
            return -1;
        heap_end += pages * 65536u;
    }
    return 0;
}

void *gale_guest_malloc(size_t size, size_t align)
{
    if (align > GALE_ALIGN || (align & (align - 1)))
        return NULL;
    if (size == 0)
        size = 1;
    size = align_up(size, GALE_ALIGN);
    if (!heap_top) {
        heap_top = align_up((uintptr_t)&__heap_base, GALE_ALIGN);
        heap_end = __builtin_wasm_memory_size(0) * 65536u;
    }
    for (blk_t **pp = &free_list; *pp; pp = &(*pp)->next) {
        blk_t *b = *pp;
        if (b->size >= size) {
            *pp = b->next;
            b->magic = GALE_MAGIC_USED;
            heap_used += b->size;
            return b + 1;
        }
    }
    uintptr_t at = heap_top;
    uintptr_t end = at + sizeof(blk_t) + size;
    if (end < at || grow_to(end) != 0)
        return NULL;
    heap_top = end;
    blk_t *b = (blk_t *)at;
    b->size = size;
    b->next = NULL;
    b->magic = GALE_MAGIC_USED;
    heap_used += size;
    return b + 1;
}

void gale_guest_free(void *ptr)
{
    if (!ptr)
        return;
    blk_t *b = (blk_t *)ptr - 1;
    if (b->magic != GALE_MAGIC_USED)
        __builtin_trap(); /* double free or wild pointer */
    b->magic = GALE_MAGIC_FREE;
    heap_used -= b->size;
    b->next = free_list;
    free_list = b;
}

void *gale_guest_realloc(void *ptr, size_t old_size, size_t align, size_t new_size)
{
    if (new_size == 0) {
        gale_guest_free(ptr);
        return NULL;
    }
    if (ptr) {
        blk_t *b = (blk_t *)ptr - 1;
        if (b->size >= new_size)
            return ptr;
    }
    void *n = gale_guest_malloc(new_size, align);
    if (!n)
        __builtin_trap(); /* cabi_realloc may not fail softly */
    if (ptr) {
        memcpy(n, ptr, old_size < new_size ? old_size : new_size);
        gale_guest_free(ptr);
    }
    return n;
}

size_t gale_guest_heap_used(void)
{
    return heap_used;
}

void *malloc(size_t size)
{
    return gale_guest_malloc(size, GALE_ALIGN);
}

void free(void *ptr)
{
    gale_guest_free(ptr);
}

/* ---- event loop -------------------------------------------------------------- */
gale_task_t *gale_task_begin(void *user)
{
    gale_task_t *t = gale_guest_malloc(sizeof *t, _Alignof(gale_task_t));
    if (!t)
        __builtin_trap();
    memset(t, 0, sizeof *t);
    t->set = gale_waitable_set_new();
    t->user = user;
    gale_context_set0((uint32_t)(uintptr_t)t);
    return t;
}

gale_task_t *gale_task_current(void)
{
    return (gale_task_t *)(uintptr_t)gale_context_get0();
}

static int park(gale_task_t *t, uint32_t waitable, gale_cont_fn fn, void *arg)
{
    if (t->npending >= GALE_TASK_MAX_PENDING)
        return -1;
    t->pending[t->npending].waitable = waitable;
    t->pending[t->npending].fn = fn;
    t->pending[t->npending].arg = arg;
    t->npending++;
    gale_waitable_join(waitable, t->set);
    return 0;
}

int gale_task_await(gale_task_t *t, uint32_t status, gale_cont_fn fn, void *arg)
{
    if (gale_subtask_state(status) == GALE_SUBTASK_RETURNED) {
        fn(arg, GALE_EVENT_SUBTASK, 0, GALE_SUBTASK_RETURNED);
        return 0;
    }
    return park(t, gale_subtask_handle(status), fn, arg);
}

int gale_task_await_waitable(gale_task_t *t, uint32_t waitable, gale_cont_fn fn, void *arg)
{
    return park(t, waitable, fn, arg);
}

uint32_t gale_task_code(gale_task_t *t)
{
    if (t->npending)
        return gale_callback_wait(t->set);
    gale_waitable_set_drop(t->set);
    gale_context_set0(0);
    gale_guest_free(t);
    return GALE_CALLBACK_EXIT;
}

uint32_t gale_task_dispatch(uint32_t event, uint32_t p1, uint32_t p2)
{
    gale_task_t *t = gale_task_current();
    if (!t)
        __builtin_trap();
    if (event == GALE_EVENT_NONE || event == GALE_EVENT_TASK_CANCELLED)
        return gale_task_code(t);
    for (uint32_t i = 0; i < t->npending; i++) {
        if (t->pending[i].waitable != p1)
            continue;
        if (event == GALE_EVENT_SUBTASK && p2 != GALE_SUBTASK_RETURNED &&
            p2 != GALE_SUBTASK_CANCELLED_BEFORE_STARTED && p2 != GALE_SUBTASK_CANCELLED_BEFORE_RETURNED)
            return gale_task_code(t); /* STARTED: keep waiting */
        gale_cont_fn fn = t->pending[i].fn;
        void *arg = t->pending[i].arg;
        t->pending[i] = t->pending[--t->npending];
        gale_waitable_join(p1, 0);
        if (event == GALE_EVENT_SUBTASK)
            gale_subtask_drop(p1);
        fn(arg, event, p1, p2);
        return gale_task_code(t);
    }
    return gale_task_code(t);
}
