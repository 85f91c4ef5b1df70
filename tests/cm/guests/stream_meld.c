/* A hand-written "meld output" guest: two async tasks of one instance move
 * 4 KB through a pulseengine:async stream (the producer sees partial writes
 * and Pending, the consumer reads 300 bytes at a time until EOF), plus sync
 * probes that provoke every result code of the intrinsics. */
#include "stream_guest.h"

IMPORT("[export]$root", "[task-return]produce") void tr_produce(void);
IMPORT("[export]$root", "[task-return]consume") void tr_consume(uint32_t got);

#define TOTAL 4096u
static uint8_t src[TOTAL], dst[512];
static int32_t R, W;
static uint32_t off, got, pset, cset;
static uint32_t stats[8]; /* 0 partial writes, 1 write Pending, 2 write events, 3 read Pending, 4 read events, 5 reads */

static uint8_t pat(uint32_t i)
{
    return (uint8_t)(i * 7u + 3u + (i >> 8));
}

static uint32_t produce_step(void)
{
    while (off < TOTAL) {
        int32_t k = pa_stream_write(W, src + off, TOTAL - off, 0);
        if (k == PA_PENDING) {
            stats[1]++;
            return CB_WAIT | (pset << 4);
        }
        if (k <= 0)
            __builtin_trap();
        if ((uint32_t)k < TOTAL - off)
            stats[0]++;
        off += (uint32_t)k;
    }
    cm_join((uint32_t)W, 0);
    pa_stream_drop_writable(W); /* the reader sees EOF after the buffered bytes */
    cm_ws_drop(pset);
    tr_produce();
    return CB_EXIT;
}

EXPORT("[async-lift]produce") uint32_t produce(void)
{
    for (uint32_t i = 0; i < TOTAL; i++)
        src[i] = pat(i);
    int64_t sn = pa_stream_new();
    R = LO(sn), W = HI(sn);
    if (R <= 0 || W <= 0)
        __builtin_trap();
    pset = cm_ws_new();
    cm_join((uint32_t)W, pset);
    return produce_step();
}

EXPORT("[callback][async-lift]produce") uint32_t produce_cb(uint32_t ev, uint32_t p1, uint32_t p2)
{
    (void)p2;
    if (ev != EV_STREAM_WRITE || p1 != (uint32_t)W)
        __builtin_trap();
    stats[2]++;
    return produce_step();
}

static uint32_t consume_step(void)
{
    for (;;) {
        int32_t n = pa_stream_read(R, dst, 300, 0);
        if (n == PA_PENDING) {
            stats[3]++;
            return CB_WAIT | (cset << 4);
        }
        if (n < 0)
            __builtin_trap();
        if (n == 0) { /* EOF */
            if (pa_stream_read(R, dst, 300, 0) != 0) /* sticky */
                __builtin_trap();
            cm_join((uint32_t)R, 0);
            pa_stream_drop_readable(R);
            cm_ws_drop(cset);
            tr_consume(got);
            return CB_EXIT;
        }
        stats[5]++;
        for (int32_t i = 0; i < n; i++)
            if (dst[i] != pat(got + (uint32_t)i))
                __builtin_trap();
        got += (uint32_t)n;
    }
}

EXPORT("[async-lift]consume") uint32_t consume(void)
{
    cset = cm_ws_new();
    cm_join((uint32_t)R, cset);
    return consume_step();
}

EXPORT("[callback][async-lift]consume") uint32_t consume_cb(uint32_t ev, uint32_t p1, uint32_t p2)
{
    (void)p2;
    if (ev != EV_STREAM_READ || p1 != (uint32_t)R)
        __builtin_trap();
    stats[4]++;
    return consume_step();
}

EXPORT("stat") uint32_t stat(uint32_t k)
{
    return k < 8 ? stats[k] : 0;
}

/* Sync probes: each returns the code under test (or 100+ on an unexpected step). */
EXPORT("probe") int32_t probe(uint32_t k)
{
    static uint8_t buf[2048];
    int64_t sn;
    int32_t r, w, x;
    switch (k) {
    case 0: /* InvalidHandle: no such handle / a writable end read */
        sn = pa_stream_new();
        x = pa_stream_read(HI(sn), buf, 4, 0);
        pa_stream_drop_readable(LO(sn));
        pa_stream_drop_writable(HI(sn));
        return x == PA_INVALID ? pa_stream_read(999, buf, 4, 0) : 100;
    case 1: /* Closed: write after the reader dropped */
        sn = pa_stream_new();
        r = LO(sn), w = HI(sn);
        pa_stream_drop_readable(r);
        x = pa_stream_write(w, buf, 4, 0);
        pa_stream_drop_writable(w);
        return x;
    case 2: { /* Oom: streams until the ring pool is exhausted */
        int32_t ends[64];
        uint32_t n = 0;
        for (;;) {
            sn = pa_stream_new();
            if (LO(sn) < 0 || n >= 64)
                break;
            if (HI(sn) == 0)
                return 101;
            ends[n++] = LO(sn);
            ends[n++] = HI(sn);
        }
        for (uint32_t i = 0; i + 1 < n; i += 2) {
            pa_stream_drop_readable(ends[i]);
            pa_stream_drop_writable(ends[i + 1]);
        }
        if (HI(sn) != 0)
            return 102;
        stats[6] = n / 2; /* streams created before Oom */
        return LO(sn);
    }
    case 3: /* Cancelled: a Pending read cancelled, its re-call reports Cancelled once */
        sn = pa_stream_new();
        r = LO(sn), w = HI(sn);
        if (pa_stream_read(r, buf, 8, 0) != PA_PENDING)
            return 104;
        if (pa_stream_cancel_read(r) != 1)
            return 105;
        x = pa_stream_read(r, buf, 8, 0);
        if (pa_stream_cancel_read(r) != 0) /* nothing pending any more */
            return 106;
        if (pa_stream_read(r, buf, 8, 0) != PA_PENDING)
            return 107;
        pa_stream_drop_readable(r);
        pa_stream_drop_writable(w);
        return x;
    case 4: /* Pending */
        sn = pa_stream_new();
        x = pa_stream_read(LO(sn), buf, 8, 0);
        pa_stream_drop_readable(LO(sn));
        pa_stream_drop_writable(HI(sn));
        return x;
    case 5: /* Runtime: memory index other than 0 */
        sn = pa_stream_new();
        x = pa_stream_read(LO(sn), buf, 8, 1);
        pa_stream_drop_readable(LO(sn));
        pa_stream_drop_writable(HI(sn));
        return x;
    case 6: { /* future resolved once, read (sticky), written twice = Runtime */
        uint32_t v = 0x12345678u, out = 0, out2 = 0;
        sn = pa_future_new();
        r = LO(sn), w = HI(sn);
        if (pa_future_read(r, &out, 0) != 0)
            return 110;
        if (pa_future_write(w, &v, 0) != 1)
            return 111;
        if (pa_future_read(r, &out, 0) != 1 || pa_future_read(r, &out2, 0) != 1 || out2 != out)
            return 112;
        if (pa_future_write(w, &v, 0) != PA_RUNTIME)
            return 113;
        pa_future_drop_writable(w);
        pa_future_drop_readable(r);
        return (int32_t)out;
    }
    case 7: /* future: writer dropped unresolved -> Closed; cancel of a pending future read */
        sn = pa_future_new();
        r = LO(sn), w = HI(sn);
        if (pa_future_read(r, buf, 0) != 0 || pa_future_cancel_read(r) != 1 || pa_future_read(r, buf, 0) != PA_CANCELLED)
            return 114;
        pa_future_drop_writable(w);
        x = pa_future_read(r, buf, 0);
        pa_future_drop_readable(r);
        return x;
    case 8: /* EOF: buffered bytes first, then 0, sticky */
        sn = pa_stream_new();
        r = LO(sn), w = HI(sn);
        if (pa_stream_write(w, "abc", 3, 0) != 3)
            return 115;
        pa_stream_drop_writable(w);
        if (pa_stream_read(r, buf, 100, 0) != 3 || buf[0] != 'a' || buf[2] != 'c')
            return 116;
        x = pa_stream_read(r, buf, 100, 0);
        if (pa_stream_read(r, buf, 100, 0) != x)
            return 117;
        pa_stream_drop_readable(r);
        return x;
    case 9: /* partial write, then Pending, cancel of the backpressured write */
        sn = pa_stream_new();
        r = LO(sn), w = HI(sn);
        x = pa_stream_write(w, buf, sizeof buf, 0); /* ring smaller than buf: partial */
        if (x <= 0 || x >= (int32_t)sizeof buf)
            return 118;
        if (pa_stream_write(w, buf, 1, 0) != PA_PENDING)
            return 119;
        if (pa_stream_cancel_write(w) != 1 || pa_stream_write(w, buf, 1, 0) != PA_CANCELLED)
            return 120;
        pa_thread_yield();
        pa_stream_drop_readable(r);
        pa_stream_drop_writable(w);
        return x;
    case 10: /* out-of-bounds buffer: traps */
        sn = pa_stream_new();
        return pa_stream_read(LO(sn), (void *)0xfffff000u, 0x2000, 0);
    case 11: /* drop of a handle that is no stream end: traps */
        pa_stream_drop_readable(77);
        return 0;
    default: return 199;
    }
}
