/* Pipe: byte order through the ring wrap, partial writes/reads (min = 1),
 * minimum byte counts (all-or-nothing with no-wait, blocking until min),
 * direct hand-off to waiting readers, timeouts keeping partial progress,
 * close (EPIPE for writers, drain then EPIPE for readers), reset, delete with
 * waiters, ISR rules, misuse. */
#include "ktest.h"

static gale_pipe_t p;
static uint8_t pbuf[8];

static void test_single_thread_stream_and_misuse(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_pipe_init(&p, pbuf, 0), GALE_EINVAL);
    assert_int_equal(gale_kernel_pipe_init(&p, NULL, 8), GALE_EINVAL);
    assert_int_equal(gale_kernel_pipe_init(&p, pbuf, sizeof pbuf), GALE_OK);
    uint8_t out[16];
    size_t done = 77;
    assert_int_equal(gale_kernel_pipe_read(&p, out, 4, GALE_NO_WAIT), GALE_EAGAIN);
    assert_int_equal(gale_kernel_pipe_write(&p, NULL, 4, GALE_NO_WAIT), GALE_EINVAL);
    assert_int_equal(gale_kernel_pipe_write_min(&p, "abc", 3, 4, &done, GALE_NO_WAIT), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "minimum 4 out of range"));
    assert_int_equal(done, 0);
    assert_int_equal(gale_kernel_pipe_write(&p, "x", 0, GALE_NO_WAIT), 0);
    /* stream many bytes through the 8-byte ring in odd chunks */
    uint8_t next_w = 0, next_r = 0;
    for (int round = 0; round < 50; round++) {
        uint8_t chunk[5];
        size_t n = 1 + (size_t)(round % 5);
        for (size_t i = 0; i < n; i++) chunk[i] = (uint8_t)(next_w + i);
        int w = gale_kernel_pipe_write(&p, chunk, n, GALE_NO_WAIT);
        assert_true(w > 0 || w == GALE_EAGAIN);
        if (w > 0) next_w = (uint8_t)(next_w + w);
        assert_int_equal(gale_kernel_pipe_read_avail(&p) + gale_kernel_pipe_write_avail(&p), sizeof pbuf);
        int r = gale_kernel_pipe_read(&p, out, 1 + (size_t)(round % 3), GALE_NO_WAIT);
        assert_true(r > 0);
        for (int i = 0; i < r; i++) assert_int_equal(out[i], (uint8_t)(next_r + i));
        next_r = (uint8_t)(next_r + r);
    }
    /* fill it; a partial write takes what fits */
    while (gale_kernel_pipe_read(&p, out, sizeof out, GALE_NO_WAIT) > 0) { }
    assert_int_equal(gale_kernel_pipe_write(&p, "0123456789", 10, GALE_NO_WAIT), 8);
    assert_int_equal(gale_kernel_pipe_write(&p, "z", 1, GALE_NO_WAIT), GALE_EAGAIN);
    /* all-or-nothing with a minimum and no-wait */
    assert_int_equal(gale_kernel_pipe_read(&p, out, 3, GALE_NO_WAIT), 3);
    assert_int_equal(gale_kernel_pipe_write_min(&p, "abcd", 4, 4, &done, GALE_NO_WAIT), GALE_EAGAIN);
    assert_int_equal(done, 0);
    assert_int_equal(gale_kernel_pipe_write_min(&p, "abcd", 4, 2, &done, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(done, 3);
    assert_int_equal(gale_kernel_pipe_read_min(&p, out, 16, 9, &done, GALE_NO_WAIT), GALE_EAGAIN);
    assert_int_equal(gale_kernel_pipe_read_min(&p, out, 16, 8, &done, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(done, 8);
    assert_memory_equal(out, "34567abc", 8);
    /* close: writes fail, reads drain then report the end */
    gale_kernel_pipe_write(&p, "qr", 2, GALE_NO_WAIT);
    gale_kernel_pipe_close(&p);
    assert_int_equal(gale_kernel_pipe_write(&p, "s", 1, GALE_NO_WAIT), GALE_EPIPE);
    assert_int_equal(gale_kernel_pipe_write_avail(&p), 0);
    assert_int_equal(gale_kernel_pipe_read_min(&p, out, 8, 8, &done, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(done, 2);
    assert_int_equal(gale_kernel_pipe_read(&p, out, 8, GALE_NO_WAIT), GALE_EPIPE);
    assert_int_equal(gale_kernel_pipe_delete(&p), GALE_OK);
    assert_int_equal(gale_kernel_pipe_read(&p, out, 8, GALE_NO_WAIT), GALE_EINVAL);
}

GALE_PIPE_DEFINE(static_pipe, 4);

static void test_static_definition(void **state)
{
    (void)state;
    kt_begin(1);
    uint8_t b[4];
    assert_int_equal(gale_kernel_pipe_write(&static_pipe, "hello", 5, GALE_NO_WAIT), 4);
    assert_int_equal(gale_kernel_pipe_read(&static_pipe, b, 4, GALE_NO_WAIT), 4);
    assert_memory_equal(b, "hell", 4);
}

typedef struct xfer {
    const char *name;
    const char *data;     /* writer: bytes; reader: NULL */
    size_t len, min;
    int64_t ticks;        /* -1 forever */
} xfer_t;

static void writer(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    const xfer_t *x = p1;
    size_t done = 0;
    int rc = gale_kernel_pipe_write_min(&p, x->data, x->len, x->min, &done,
                                        x->ticks < 0 ? GALE_FOREVER : GALE_TICKS(x->ticks));
    kt_logf("%s:%d:%zu@%llu ", x->name, rc, done, kt_us());
}

static void reader(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    const xfer_t *x = p1;
    char buf[32] = { 0 };
    size_t done = 0;
    int rc = gale_kernel_pipe_read_min(&p, buf, x->len, x->min, &done,
                                       x->ticks < 0 ? GALE_FOREVER : GALE_TICKS(x->ticks));
    kt_logf("%s:%d:%zu:%s@%llu ", x->name, rc, done, buf, kt_us());
}

static void slow_reader(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    char buf[8];
    for (int i = 0; i < 3; i++) {
        gale_kernel_sleep(GALE_MSEC(1));
        if (i == 0)
            assert_int_equal(gale_kernel_pipe_delete(&p), GALE_EBUSY);
        int n = gale_kernel_pipe_read(&p, buf, 4, GALE_NO_WAIT);
        kt_logf("r%d:%.*s ", n, n > 0 ? n : 0, buf);
    }
}

static void test_writer_blocks_until_minimum_moved(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_pipe_init(&p, pbuf, 4);
    static const xfer_t w = { "w", "ABCDEFGHIJ", 10, 10, -1 };
    kt_spawn(0, "w", writer, (void *)&w, NULL, 4);
    kt_spawn(1, "r", slow_reader, NULL, NULL, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* 4 bytes fit at once; each read of 4 lets 4 more in; the writer is
     * satisfied once all 10 moved (at the second read) */
    assert_string_equal(kt_log, "r4:ABCD w:0:10@2000 r4:EFGH r2:IJ ");
}

static void test_waiting_readers_fed_directly_in_priority_order(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_pipe_init(&p, pbuf, 4);
    static const xfer_t ra = { "ra", NULL, 3, 3, -1 }, rb = { "rb", NULL, 4, 1, -1 },
                        w = { "w", "0123456", 7, 7, -1 };
    kt_spawn(0, "ra", reader, (void *)&ra, NULL, 5);
    kt_spawn(1, "rb", reader, (void *)&rb, NULL, 3);
    assert_int_equal(gale_kernel_thread_create(&kt_threads[2], kt_stacks[2], KT_STACK, writer, (void *)&w, NULL,
                                               NULL, 7, GALE_THREAD_OPT_NONE, GALE_TICKS(1000)), GALE_OK);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* rb (more urgent) takes 4, ra takes 3: the writer never touches the ring */
    assert_string_equal(kt_log, "rb:0:4:0123@1000 ra:0:3:456@1000 w:0:7@1000 ");
    assert_int_equal(gale_kernel_pipe_read_avail(&p), 0);
}

static void test_timeout_keeps_partial_progress(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_pipe_init(&p, pbuf, 4);
    static const xfer_t w = { "w", "abcdef", 6, 6, 1500 }, r = { "r", NULL, 8, 5, 2500 };
    kt_spawn(0, "w", writer, (void *)&w, NULL, 4);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "w:-4:4@1500 ");          /* 4 bytes went in and stay */
    assert_int_equal(gale_kernel_pipe_read_avail(&p), 4);
    kt_begin(1);
    gale_kernel_pipe_init(&p, pbuf, 4);
    gale_kernel_pipe_write(&p, "xyz", 3, GALE_NO_WAIT);
    kt_spawn(0, "r", reader, (void *)&r, NULL, 4);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "r:-4:3:xyz@2500 ");       /* 3 of min 5: consumed, reported */
}

static void closer(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    gale_kernel_pipe_close(&p);
    kt_logf("closed ");
}

static void test_close_wakes_waiters_with_epipe(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_pipe_init(&p, pbuf, 4);
    static const xfer_t r = { "r", NULL, 4, 2, -1 };
    kt_spawn(0, "r", reader, (void *)&r, NULL, 4);
    kt_spawn(1, "c", closer, NULL, NULL, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "r:-7:0:@1000 closed ");
    kt_begin(1);
    gale_kernel_pipe_init(&p, pbuf, 4);
    static const xfer_t w = { "w", "123456", 6, 6, -1 };
    kt_spawn(0, "w", writer, (void *)&w, NULL, 4);
    kt_spawn(1, "c", closer, NULL, NULL, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "w:-7:4@1000 closed ");
    uint8_t b[8];
    assert_int_equal(gale_kernel_pipe_read(&p, b, 8, GALE_NO_WAIT), 4);  /* what went in drains */
    assert_int_equal(gale_kernel_pipe_read(&p, b, 8, GALE_NO_WAIT), GALE_EPIPE);
}

static void isr_pipe(void *arg)
{
    (void)arg;
    uint8_t b[2];
    assert_int_equal(gale_kernel_pipe_read(&p, b, 2, GALE_FOREVER), GALE_ECONTEXT);
    assert_int_equal(gale_kernel_pipe_write(&p, "!?", 2, GALE_NO_WAIT), 2);
}

static void test_isr_write_feeds_waiting_reader(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_pipe_init(&p, pbuf, 4);
    static const xfer_t r = { "r", NULL, 4, 1, -1 };
    kt_spawn(0, "r", reader, (void *)&r, NULL, 4);
    gale_sim_irq_raise_at(0, 3000000, isr_pipe, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "r:0:2:!?@3000 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_thread_stream_and_misuse),
        cmocka_unit_test(test_static_definition),
        cmocka_unit_test(test_writer_blocks_until_minimum_moved),
        cmocka_unit_test(test_waiting_readers_fed_directly_in_priority_order),
        cmocka_unit_test(test_timeout_keeps_partial_progress),
        cmocka_unit_test(test_close_wakes_waiters_with_epipe),
        cmocka_unit_test(test_isr_write_feeds_waiting_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
