/* Canonical-ABI stream<string> across the boundary (instantiated twice):
 *   open() -> stream<string>   creates a stream, keeps the writable end and
 *                              returns the readable one (it moves to the host);
 *   feed(n: u32)               async: writes "msg-0" .. "msg-<n-1>" in
 *                              batches of 4 (each write waits for the reader),
 *                              then drops the writable end;
 *   drain(s: stream<string>) -> u32   async: reads 3 strings at a time until
 *                              DROPPED, checks each one (allocated in this
 *                              instance by the host with cabi_realloc),
 *                              returns how many it got;
 *   probe(k: u32) -> u32       transfer rules that trap (sync). */
#include <stdint.h>

#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

IMPORT("$root", "[stream-new-0]open") int64_t s_new(void);
IMPORT("$root", "[async-lower][stream-write-0]open") uint32_t s_write(uint32_t h, const void *p, uint32_t n);
IMPORT("$root", "[stream-drop-writable-0]open") void s_drop_w(uint32_t h);
IMPORT("$root", "[stream-drop-readable-0]open") void s_drop_r_open(uint32_t h);
IMPORT("$root", "[async-lower][stream-read-0]drain") uint32_t s_read(uint32_t h, void *p, uint32_t n);
IMPORT("$root", "[stream-drop-readable-0]drain") void s_drop_r(uint32_t h);
IMPORT("$root", "[waitable-set-new]") uint32_t ws_new(void);
IMPORT("$root", "[waitable-set-drop]") void ws_drop(uint32_t s);
IMPORT("$root", "[waitable-join]") void ws_join(uint32_t w, uint32_t s);
IMPORT("[export]$root", "[task-return]feed") void tr_feed(void);
IMPORT("test:s/api", "make") uint32_t host_make(void); /* -> stream<string> from the host */
IMPORT("$root", "[async-lower][stream-read-0]numbers") uint32_t n_read(uint32_t h, void *p, uint32_t n);
IMPORT("[export]$root", "[task-return]drain") void tr_drain(uint32_t n);

enum { EXIT = 0, WAIT = 2, EV_STREAM_READ = 2, EV_STREAM_WRITE = 3, COMPLETED = 0, DROPPED = 1 };
#define BLOCKED 0xffffffffu

/* bump allocator for the canonical ABI */
static uint8_t heap[16384];
static uint32_t heap_top;
EXPORT("cabi_realloc") void *cabi_realloc(void *old, uint32_t old_size, uint32_t align, uint32_t size)
{
    (void)old, (void)old_size;
    uint32_t p = (heap_top + align - 1) & ~(align - 1);
    if (p + size > sizeof heap)
        __builtin_trap();
    heap_top = p + size;
    return heap + p;
}

typedef struct {
    const char *ptr;
    uint32_t len;
} str_t;

static uint32_t W, wset, n_total, n_sent, batch_n;
static str_t batch[4];
static char text[4][16];

static uint32_t fmt(char *b, uint32_t i)
{
    char d[10];
    uint32_t k = 0, n = 0;
    b[n++] = 'm', b[n++] = 's', b[n++] = 'g', b[n++] = '-';
    do {
        d[k++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    while (k)
        b[n++] = d[--k];
    return n;
}

EXPORT("open") uint32_t open_(void)
{
    int64_t x = s_new();
    W = (uint32_t)((uint64_t)x >> 32);
    return (uint32_t)x;
}

static uint32_t feed_step(void)
{
    for (;;) {
        if (n_sent >= n_total) {
            ws_join(W, 0);
            s_drop_w(W);
            ws_drop(wset);
            tr_feed();
            return EXIT;
        }
        batch_n = 0;
        for (uint32_t i = 0; i < 4 && n_sent + i < n_total; i++) {
            batch[i].ptr = text[i];
            batch[i].len = fmt(text[i], n_sent + i);
            batch_n++;
        }
        uint32_t r = s_write(W, batch, batch_n);
        if (r == BLOCKED)
            return WAIT | (wset << 4);
        if ((r & 0xf) != COMPLETED)
            __builtin_trap();
        n_sent += r >> 4;
    }
}

EXPORT("[async-lift]feed") uint32_t feed(uint32_t n)
{
    n_total = n;
    n_sent = 0;
    wset = ws_new();
    ws_join(W, wset);
    return feed_step();
}

EXPORT("[callback][async-lift]feed") uint32_t feed_cb(uint32_t ev, uint32_t p1, uint32_t p2)
{
    if (ev != EV_STREAM_WRITE || p1 != W)
        __builtin_trap();
    if ((p2 & 0xf) != COMPLETED) /* the reader went away */
        __builtin_trap();
    n_sent += p2 >> 4; /* partial: the rest of the batch is written again */
    return feed_step();
}

static uint32_t R, rset, n_got;
static str_t in[3];

static uint32_t check(uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        char want[16];
        uint32_t n = fmt(want, n_got + i);
        if (in[i].len != n)
            __builtin_trap();
        for (uint32_t k = 0; k < n; k++)
            if (in[i].ptr[k] != want[k])
                __builtin_trap();
        /* the string lives in this instance's heap (cabi_realloc) */
        if ((const uint8_t *)in[i].ptr < heap || (const uint8_t *)in[i].ptr >= heap + sizeof heap)
            __builtin_trap();
    }
    n_got += count;
    return 0;
}

static uint32_t drain_step(void)
{
    for (;;) {
        uint32_t r = s_read(R, in, 3);
        if (r == BLOCKED)
            return WAIT | (rset << 4);
        check(r >> 4);
        if ((r & 0xf) == DROPPED) {
            ws_join(R, 0);
            s_drop_r(R);
            ws_drop(rset);
            tr_drain(n_got);
            return EXIT;
        }
    }
}

EXPORT("[async-lift]drain") uint32_t drain(uint32_t s)
{
    R = s;
    n_got = 0;
    rset = ws_new();
    ws_join(R, rset);
    return drain_step();
}

EXPORT("[callback][async-lift]drain") uint32_t drain_cb(uint32_t ev, uint32_t p1, uint32_t p2)
{
    if (ev != EV_STREAM_READ || p1 != R)
        __builtin_trap();
    check(p2 >> 4);
    if ((p2 & 0xf) == DROPPED) {
        ws_join(R, 0);
        s_drop_r(R);
        ws_drop(rset);
        tr_drain(n_got);
        return EXIT;
    }
    return drain_step();
}

/* A stream<string> the host returns from an import: lowered into this
 * instance's table; the host's parked write is copied by this read. */
EXPORT("fetch") uint32_t fetch(uint32_t k)
{
    uint32_t h = host_make();
    if (k == 1) { /* a stream<string> end read by a stream<u32> built-in: traps */
        uint32_t nums[2];
        n_read(h, nums, 2);
    }
    uint32_t r = s_read(h, in, 3);
    if ((r & 0xf) != COMPLETED)
        __builtin_trap();
    n_got = 0;
    check(r >> 4);
    s_drop_r(h);
    return n_got;
}

/* Transfer rules (each traps when its export result is lifted). */
static uint32_t keep;
EXPORT("probe") uint32_t probe(uint32_t k)
{
    int64_t x = s_new();
    uint32_t r = (uint32_t)x, w = (uint32_t)((uint64_t)x >> 32);
    switch (k) {
    case 0: return w; /* a writable end */
    case 1: /* a readable end in a waitable set */
        keep = ws_new();
        ws_join(r, keep);
        return r;
    case 2: s_drop_r_open(r); return r; /* dropped */
    case 3: /* a read in flight */
        if (s_read(r, in, 3) != BLOCKED)
            __builtin_trap();
        return r;
    case 5: /* both ends in this instance: strings may not be copied (spec) */
        batch[0].ptr = "x";
        batch[0].len = 1;
        if (s_write(w, batch, 1) != BLOCKED)
            __builtin_trap();
        s_read(r, in, 1); /* traps */
        return r;
    default: return r; /* fine */
    }
}

/* promise(v) -> future<u32>: writes v (parked until the host reads) and
 * returns the readable end. */
IMPORT("$root", "[future-new-0]promise") int64_t f_new(void);
IMPORT("$root", "[async-lower][future-write-0]promise") uint32_t f_write(uint32_t h, const void *p);
static uint32_t fval;
EXPORT("promise") uint32_t promise(uint32_t v)
{
    int64_t x = f_new();
    fval = v;
    if (f_write((uint32_t)((uint64_t)x >> 32), &fval) != BLOCKED)
        __builtin_trap();
    return (uint32_t)x;
}

/* only declares the stream<u32> type of [stream-read-0]numbers (not called) */
EXPORT("numbers") void numbers(uint32_t h)
{
    (void)h;
    __builtin_trap();
}
