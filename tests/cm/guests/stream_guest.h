/* Imports of the stream test guests: meld's pulseengine:async intrinsics and
 * the canonical built-ins they need (freestanding, clang-14 -> wasm32). */
#ifndef STREAM_GUEST_H
#define STREAM_GUEST_H
#include <stdint.h>

#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

IMPORT("pulseengine:async", "stream_new") int64_t pa_stream_new(void);
IMPORT("pulseengine:async", "stream_read") int32_t pa_stream_read(int32_t h, void *p, uint32_t n, int32_t mem);
IMPORT("pulseengine:async", "stream_write") int32_t pa_stream_write(int32_t h, const void *p, uint32_t n, int32_t mem);
IMPORT("pulseengine:async", "stream_cancel_read") int32_t pa_stream_cancel_read(int32_t h);
IMPORT("pulseengine:async", "stream_cancel_write") int32_t pa_stream_cancel_write(int32_t h);
IMPORT("pulseengine:async", "stream_drop_readable") void pa_stream_drop_readable(int32_t h);
IMPORT("pulseengine:async", "stream_drop_writable") void pa_stream_drop_writable(int32_t h);
IMPORT("pulseengine:async", "future_new") int64_t pa_future_new(void);
IMPORT("pulseengine:async", "future_read") int32_t pa_future_read(int32_t h, void *p, int32_t mem);
IMPORT("pulseengine:async", "future_write") int32_t pa_future_write(int32_t h, const void *p, int32_t mem);
IMPORT("pulseengine:async", "future_cancel_read") int32_t pa_future_cancel_read(int32_t h);
IMPORT("pulseengine:async", "future_drop_readable") void pa_future_drop_readable(int32_t h);
IMPORT("pulseengine:async", "future_drop_writable") void pa_future_drop_writable(int32_t h);
IMPORT("pulseengine:async", "thread_yield") void pa_thread_yield(void);

IMPORT("$root", "[waitable-set-new]") uint32_t cm_ws_new(void);
IMPORT("$root", "[waitable-set-drop]") void cm_ws_drop(uint32_t set);
IMPORT("$root", "[waitable-join]") void cm_join(uint32_t w, uint32_t set);

enum { PA_CLOSED = -1, PA_INVALID = -2, PA_OOM = -3, PA_CANCELLED = -4, PA_PENDING = -5, PA_RUNTIME = -6 };
enum { CB_EXIT = 0, CB_YIELD = 1, CB_WAIT = 2 };
enum { EV_NONE = 0, EV_SUBTASK = 1, EV_STREAM_READ = 2, EV_STREAM_WRITE = 3, EV_FUTURE_READ = 4 };

#define LO(x) ((int32_t)(uint32_t)(uint64_t)(x))
#define HI(x) ((int32_t)(uint32_t)((uint64_t)(x) >> 32))
#endif
