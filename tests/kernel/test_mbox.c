/* Mailbox: synchronous exchange (sender returns once taken), info words
 * swapped, sizes (truncation → GALE_EOVERFLOW on both sides), target / source
 * thread matching (skipping non-matching waiters), exact timeouts, delete with
 * waiters, ISR and misuse errors. */
#include "ktest.h"

static gale_mbox_t mb;

static void test_misuse_without_threads(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_mbox_init(NULL), GALE_EINVAL);
    assert_int_equal(gale_kernel_mbox_init(&mb), GALE_OK);
    gale_mbox_msg_t m = { 0 };
    assert_int_equal(gale_kernel_mbox_put(&mb, NULL, GALE_NO_WAIT), GALE_EINVAL);
    assert_int_equal(gale_kernel_mbox_put(&mb, &m, GALE_NO_WAIT), GALE_ECONTEXT);   /* no thread yet */
    assert_non_null(strstr(gale_kernel_diag_last(), "before the kernel started"));
    assert_int_equal(gale_kernel_mbox_delete(&mb), GALE_OK);
    assert_int_equal(gale_kernel_mbox_get(&mb, &m, NULL, GALE_NO_WAIT), GALE_EINVAL);
}

typedef struct party {
    const char *name;
    bool send;
    uint32_t info;
    size_t size;            /* send: bytes; receive: capacity */
    int peer;               /* index into kt_threads, or -1 for any */
    int64_t ticks;          /* -1 forever */
    int delay_ms;
} party_t;

static void party(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    const party_t *x = p1;
    if (x->delay_ms > 0)
        gale_kernel_sleep(GALE_MSEC(x->delay_ms));
    gale_timeout_t to = x->ticks < 0 ? GALE_FOREVER : GALE_TICKS(x->ticks);
    gale_thread_t *peer = x->peer >= 0 ? &kt_threads[x->peer] : NULL;
    if (x->send) {
        static const char payload[] = "ABCDEFGHIJKLMNOP";
        gale_mbox_msg_t m = { x->info, x->size, payload, peer, NULL, NULL };
        int rc = gale_kernel_mbox_put(&mb, &m, to);
        kt_logf("%s:%d:%zu:%u:%s@%llu ", x->name, rc, m.size, (unsigned)m.info,
                (rc == 0 || rc == GALE_EOVERFLOW) && m.tx_target ? gale_kernel_thread_name_get(m.tx_target) : "-", kt_us());
    } else {
        char buf[32] = { 0 };
        gale_mbox_msg_t m = { x->info, x->size, NULL, NULL, peer, NULL };
        int rc = gale_kernel_mbox_get(&mb, &m, buf, to);
        kt_logf("%s:%d:%zu:%u:%s:%s@%llu ", x->name, rc, m.size, (unsigned)m.info, buf,
                (rc == 0 || rc == GALE_EOVERFLOW) && m.rx_source ? gale_kernel_thread_name_get(m.rx_source) : "-",
                kt_us());
    }
}

static void spawn(int i, const party_t *x, int prio)
{
    kt_spawn(i, x->name, party, (void *)x, NULL, prio);
}

static void test_sender_waits_for_receiver_and_infos_swap(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mbox_init(&mb);
    static const party_t s = { "s", true, 11, 5, -1, -1, 0 }, r = { "r", false, 22, 16, -1, -1, 2 };
    spawn(0, &s, 4);
    spawn(1, &r, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* the sender blocks until the receiver comes at 2 ms; both see 5 bytes */
    assert_string_equal(kt_log, "s:0:5:22:r@2000 r:0:5:11:ABCDE:s@2000 ");
}

static void test_truncation_reported_to_both(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mbox_init(&mb);
    static const party_t r = { "r", false, 1, 3, -1, -1, 0 }, s = { "s", true, 2, 8, -1, -1, 1 };
    spawn(0, &r, 4);
    spawn(1, &s, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "r:-8:3:2:ABC:s@1000 s:-8:3:1:r@1000 ");
}

static void test_target_and_source_matching_skips_other_waiters(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mbox_init(&mb);
    /* r1 wants only s2's messages; r2 takes any. s1 targets r2 explicitly;
     * s2 sends to anyone and must reach r1 (the only one left, and r1 wants s2). */
    static const party_t r1 = { "r1", false, 0, 8, 3, -1, 0 }, r2 = { "r2", false, 0, 8, -1, -1, 0 },
                         s1 = { "s1", true, 7, 2, 1, -1, 1 }, s2 = { "s2", true, 8, 3, -1, -1, 2 };
    spawn(0, &r1, 3);          /* most urgent: first in the receive queue */
    spawn(1, &r2, 5);
    spawn(2, &s1, 7);
    spawn(3, &s2, 7);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "r2:0:2:7:AB:s1@1000 s1:0:2:0:r2@1000 r1:0:3:8:ABC:s2@2000 s2:0:3:0:r1@2000 ");
}

static void deleter(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
    assert_int_equal(gale_kernel_mbox_delete(&mb), GALE_EBUSY);
    assert_non_null(strstr(gale_kernel_diag_last(), "still has waiters"));
    kt_logf("busy ");
}

static void isr_mbox(void *arg)
{
    (void)arg;
    gale_mbox_msg_t m = { 0 };
    assert_int_equal(gale_kernel_mbox_get(&mb, &m, NULL, GALE_NO_WAIT), GALE_ECONTEXT);
    kt_logf("isr ");
}

static void isr_wait_thread(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
}

static void test_timeouts_delete_and_isr(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mbox_init(&mb);
    static const party_t s = { "s", true, 1, 1, -1, 2500, 0 }, r = { "r", false, 1, 4, 0 /* only from s */, 3000, 0 };
    spawn(0, &s, 4);            /* no receiver ever: times out */
    spawn(1, &r, 5);            /* wants s... */
    kt_spawn(2, "z", isr_wait_thread, NULL, NULL, 6);
    gale_sim_irq_raise_at(0, 500000, isr_mbox, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* ...and s targets anyone: they match at once */
    assert_string_equal(kt_log, "s:0:1:1:r@0 r:0:1:1:A:s@0 isr ");
    kt_begin(1);
    gale_kernel_mbox_init(&mb);
    static const party_t s2 = { "s", true, 1, 1, 9 /* nobody */, 2500, 0 };
    spawn(0, &s2, 4);
    kt_spawn(2, "d", deleter, NULL, NULL, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "busy s:-4:1:1:-@2500 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misuse_without_threads),
        cmocka_unit_test(test_sender_waits_for_receiver_and_infos_swap),
        cmocka_unit_test(test_truncation_reported_to_both),
        cmocka_unit_test(test_target_and_source_matching_skips_other_waiters),
        cmocka_unit_test(test_timeouts_delete_and_isr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
