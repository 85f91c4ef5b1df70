/* gale guest SDK for C components compiled to wasm32 (clang --target=wasm32,
 * freestanding). Declares the component-model canonical built-ins with the
 * exact core import names wit-component expects (module "$root"), small
 * helpers for the packed codes of the async ABI, a tiny allocator, and a
 * minimal event loop for callback-lifted async exports.
 * Reference: the component-model async ABI notes (callback form), §1.1–§1.5. */
#ifndef GALE_GUEST_H
#define GALE_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gale_string {
    uint8_t *ptr;
    size_t len;
} gale_string_t;

/* A string argument from a NUL-terminated C string (not copied; the bytes must
 * be valid UTF-8 - the host traps on anything else). */
static inline gale_string_t gale_str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    gale_string_t r = {(uint8_t *)(uintptr_t)s, n};
    return r;
}

#define GALE_IMPORT(name) __attribute__((import_module("$root"), import_name(name)))

/* ---- constants (definitions.py) ------------------------------------------------ */
#define GALE_CALLBACK_EXIT 0u
#define GALE_CALLBACK_YIELD 1u
#define GALE_CALLBACK_WAIT 2u
#define GALE_EVENT_NONE 0u
#define GALE_EVENT_SUBTASK 1u
#define GALE_EVENT_STREAM_READ 2u
#define GALE_EVENT_STREAM_WRITE 3u
#define GALE_EVENT_FUTURE_READ 4u
#define GALE_EVENT_FUTURE_WRITE 5u
#define GALE_EVENT_TASK_CANCELLED 6u
#define GALE_SUBTASK_STARTING 0u
#define GALE_SUBTASK_STARTED 1u
#define GALE_SUBTASK_RETURNED 2u
#define GALE_SUBTASK_CANCELLED_BEFORE_STARTED 3u
#define GALE_SUBTASK_CANCELLED_BEFORE_RETURNED 4u
#define GALE_COPY_COMPLETED 0u
#define GALE_COPY_DROPPED 1u
#define GALE_COPY_CANCELLED 2u
#define GALE_BLOCKED 0xffffffffu

static inline uint32_t gale_callback_wait(uint32_t set) { return GALE_CALLBACK_WAIT | (set << 4); }
static inline uint32_t gale_subtask_state(uint32_t status) { return status & 0xfu; }
static inline uint32_t gale_subtask_handle(uint32_t status) { return status >> 4; }
static inline uint32_t gale_copy_result(uint32_t packed) { return packed & 0xfu; }
static inline uint32_t gale_copy_count(uint32_t packed) { return packed >> 4; }

/* ---- canonical built-ins (core imports, module "$root") ------------------------ */
GALE_IMPORT("[waitable-set-new]") extern uint32_t gale_waitable_set_new(void);
/* Blocks until an event is pending in `set`; returns its code, stores p1/p2 at out[0], out[1]. */
GALE_IMPORT("[waitable-set-wait]") extern uint32_t gale_waitable_set_wait(uint32_t set, uint32_t *out);
GALE_IMPORT("[waitable-set-poll]") extern uint32_t gale_waitable_set_poll(uint32_t set, uint32_t *out);
GALE_IMPORT("[waitable-set-drop]") extern void gale_waitable_set_drop(uint32_t set);
/* Moves `waitable` into `set` (set 0: out of any set). */
GALE_IMPORT("[waitable-join]") extern void gale_waitable_join(uint32_t waitable, uint32_t set);
GALE_IMPORT("[subtask-drop]") extern void gale_subtask_drop(uint32_t subtask);
GALE_IMPORT("[subtask-cancel]") extern uint32_t gale_subtask_cancel(uint32_t subtask);
GALE_IMPORT("[context-get-0]") extern uint32_t gale_context_get0(void);
GALE_IMPORT("[context-set-0]") extern void gale_context_set0(uint32_t value);
GALE_IMPORT("[context-get-1]") extern uint32_t gale_context_get1(void);
GALE_IMPORT("[context-set-1]") extern void gale_context_set1(uint32_t value);
GALE_IMPORT("[backpressure-inc]") extern void gale_backpressure_inc(void);
GALE_IMPORT("[backpressure-dec]") extern void gale_backpressure_dec(void);
/* Returns 1 if the task was cancelled while yielding. */
GALE_IMPORT("[thread-yield]") extern uint32_t gale_thread_yield(void);
__attribute__((import_module("[export]$root"), import_name("[task-cancel]"))) extern void gale_task_cancel(void);
/* Stream/future built-ins are per type and per function (`[stream-read-K]f`):
 * `gale bindgen` emits them for the functions that mention streams/futures. */

/* ---- memory ---------------------------------------------------------------- */
/* A small first-fit free-list allocator over memory.grow; never returns
 * misaligned memory; align up to 16. Returns NULL when memory cannot grow. */
void *gale_guest_malloc(size_t size, size_t align);
void gale_guest_free(void *ptr);
/* cabi_realloc semantics: (NULL, 0, align, n) allocates; n == 0 frees. */
void *gale_guest_realloc(void *ptr, size_t old_size, size_t align, size_t new_size);
/* Bytes currently allocated (for tests and budgets). */
size_t gale_guest_heap_used(void);
void *malloc(size_t size);
void free(void *ptr);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

static inline uint32_t gale_f32_bits(float f) { union { float f; uint32_t u; } v; v.f = f; return v.u; }
static inline uint64_t gale_f64_bits(double d) { union { double d; uint64_t u; } v; v.d = d; return v.u; }
static inline float gale_bits_f32(uint32_t u) { union { float f; uint32_t u; } v; v.u = u; return v.f; }
static inline double gale_bits_f64(uint64_t u) { union { double d; uint64_t u; } v; v.u = u; return v.d; }

/* ---- minimal event loop for callback-lifted async exports -------------------- */
/* One gale_task per export call, kept in context slot 0 across callbacks. A
 * task owns one waitable set; `gale_task_await` parks a continuation on a
 * subtask (or stream/future end); the generated `_callback` glue forwards
 * events to `gale_task_dispatch`, which runs the continuation and returns the
 * next packed callback code (WAIT on the set while continuations are
 * pending, EXIT when none are left). */
typedef void (*gale_cont_fn)(void *arg, uint32_t event, uint32_t p1, uint32_t p2);

#define GALE_TASK_MAX_PENDING 8

typedef struct gale_task {
    uint32_t set;
    uint32_t npending;
    struct {
        uint32_t waitable;
        gale_cont_fn fn;
        void *arg;
    } pending[GALE_TASK_MAX_PENDING];
    void *user;
} gale_task_t;

/* Starts a task for the current export call (allocates it, creates its set). */
gale_task_t *gale_task_begin(void *user);
/* The current task (context slot 0), or NULL. */
gale_task_t *gale_task_current(void);
/* Awaits an async-lowered call's status: if it RETURNED, runs fn now with a
 * SUBTASK/RETURNED event; else joins the subtask to the task's set and parks
 * fn until the subtask returns (then drops it). Returns 0, or -1 if too many
 * continuations are pending. */
int gale_task_await(gale_task_t *t, uint32_t status, gale_cont_fn fn, void *arg);
/* Parks fn until `waitable` (a stream/future end already in flight) has an event. */
int gale_task_await_waitable(gale_task_t *t, uint32_t waitable, gale_cont_fn fn, void *arg);
/* The packed code to return from the entry or a callback. Frees the task on EXIT. */
uint32_t gale_task_code(gale_task_t *t);
/* Handles one event delivered to the callback; returns the next packed code. */
uint32_t gale_task_dispatch(uint32_t event, uint32_t p1, uint32_t p2);

#endif /* GALE_GUEST_H */
