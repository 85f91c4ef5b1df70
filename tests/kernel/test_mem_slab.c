/* Memory slab: init errors, alloc/free accounting, distinct aligned blocks,
 * double free / foreign / misaligned pointers refused, hand-off of a freed
 * block to a waiting allocator (priority order), exact timeout, delete with
 * waiters, lazily built static slab, ISR rules. */
#include "ktest.h"

#define NB 4
#define BS 24
static gale_mem_slab_t slab;
static _Alignas(8) uint8_t sbuf[NB * BS];
static uint32_t sidx[NB];
static uint8_t sstate[NB];

static void test_alloc_free_accounting_and_misuse(void **state)
{
    (void)state;
    kt_begin(1);
    assert_int_equal(gale_kernel_mem_slab_init(NULL, sbuf, BS, NB, sidx, sstate), GALE_EINVAL);
    assert_int_equal(gale_kernel_mem_slab_init(&slab, sbuf, BS, NB, NULL, sstate), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "free_idx pointer is NULL"));
    assert_int_equal(gale_kernel_mem_slab_init(&slab, sbuf, 0, NB, sidx, sstate), GALE_EINVAL);
    assert_int_equal(gale_kernel_mem_slab_init(&slab, sbuf, BS, NB, sidx, sstate), GALE_OK);
    void *b[NB + 1];
    for (int i = 0; i < NB; i++) {
        assert_int_equal(gale_kernel_mem_slab_alloc(&slab, &b[i], GALE_NO_WAIT), GALE_OK);
        assert_ptr_equal(b[i], sbuf + (size_t)i * BS);   /* lowest block first */
        memset(b[i], 0xA5, BS);                            /* writing a block harms nothing */
    }
    assert_int_equal(gale_kernel_mem_slab_num_used_get(&slab), NB);
    assert_int_equal(gale_kernel_mem_slab_num_free_get(&slab), 0);
    assert_int_equal(gale_kernel_mem_slab_alloc(&slab, &b[NB], GALE_NO_WAIT), GALE_ENOMEM);
    assert_null(b[NB]);
    assert_int_equal(gale_kernel_mem_slab_alloc(&slab, NULL, GALE_NO_WAIT), GALE_EINVAL);
    /* misaligned, foreign, NULL */
    assert_int_equal(gale_kernel_mem_slab_free(&slab, (uint8_t *)b[1] + 4), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "is not a block of this slab"));
    uint8_t other[BS];
    assert_int_equal(gale_kernel_mem_slab_free(&slab, other), GALE_EINVAL);
    assert_int_equal(gale_kernel_mem_slab_free(&slab, sbuf + NB * BS), GALE_EINVAL);
    assert_int_equal(gale_kernel_mem_slab_free(&slab, NULL), GALE_EINVAL);
    /* free, then double free */
    assert_int_equal(gale_kernel_mem_slab_free(&slab, b[2]), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_free(&slab, b[2]), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "double free"));
    assert_int_equal(gale_kernel_mem_slab_num_used_get(&slab), NB - 1);
    /* the freed block comes back first (LIFO) */
    void *again = NULL;
    assert_int_equal(gale_kernel_mem_slab_alloc(&slab, &again, GALE_NO_WAIT), GALE_OK);
    assert_ptr_equal(again, b[2]);
    for (int i = 0; i < NB; i++)
        assert_int_equal(gale_kernel_mem_slab_free(&slab, b[i]), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_num_free_get(&slab), NB);
    assert_int_equal(gale_kernel_mem_slab_delete(&slab), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_alloc(&slab, &again, GALE_NO_WAIT), GALE_EINVAL);
}

GALE_MEM_SLAB_DEFINE(static_slab, 16, 3);

static void test_static_slab_builds_lazily(void **state)
{
    (void)state;
    kt_begin(1);
    void *a = NULL, *b = NULL;
    assert_int_equal(gale_kernel_mem_slab_num_free_get(&static_slab), 3);
    assert_int_equal(gale_kernel_mem_slab_alloc(&static_slab, &a, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_alloc(&static_slab, &b, GALE_NO_WAIT), GALE_OK);
    assert_true(a != b);
    assert_int_equal(gale_kernel_mem_slab_free(&static_slab, a), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_free(&static_slab, b), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_free(&static_slab, b), GALE_EINVAL);
}

static void allocator(void *p1, void *p2, void *p3)
{
    (void)p3;
    void *m = NULL;
    int64_t t = (int64_t)(intptr_t)p2;
    int rc = gale_kernel_mem_slab_alloc(&slab, &m, t < 0 ? GALE_FOREVER : GALE_TICKS(t));
    kt_logf("%s:%d:%d@%llu ", (const char *)p1, rc, m ? (int)(((uint8_t *)m - sbuf) / BS) : -1, kt_us());
}

static void freer(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    void **blocks = p1;
    for (int i = 0; i < 2; i++) {
        gale_kernel_sleep(GALE_MSEC(1));
        if (i == 0)
            assert_int_equal(gale_kernel_mem_slab_delete(&slab), GALE_EBUSY);
        assert_int_equal(gale_kernel_mem_slab_free(&slab, blocks[3 - i]), GALE_OK);
    }
}

static void test_freed_block_goes_to_waiters_in_priority_order(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mem_slab_init(&slab, sbuf, BS, NB, sidx, sstate);
    static void *blocks[NB];
    for (int i = 0; i < NB; i++)
        gale_kernel_mem_slab_alloc(&slab, &blocks[i], GALE_NO_WAIT);
    kt_spawn(0, "lo", allocator, "lo", (void *)(intptr_t)-1, 7);
    kt_spawn(1, "hi", allocator, "hi", (void *)(intptr_t)-1, 3);
    kt_spawn(2, "to", allocator, "to", (void *)(intptr_t)500, 2);
    kt_spawn(3, "f", freer, blocks, NULL, 9);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "to:-4:-1@500 hi:0:3@1000 lo:0:2@2000 ");
    assert_int_equal(gale_kernel_mem_slab_num_used_get(&slab), NB);   /* blocks changed hands */
}

static void isr_slab(void *arg)
{
    (void)arg;
    void *m = NULL;
    assert_int_equal(gale_kernel_mem_slab_alloc(&slab, &m, GALE_MSEC(1)), GALE_ECONTEXT);
    assert_int_equal(gale_kernel_mem_slab_alloc(&slab, &m, GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_mem_slab_free(&slab, m), GALE_OK);
    kt_logf("isr ");
}

static void sleeper(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(1));
}

static void test_isr_rules(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_mem_slab_init(&slab, sbuf, BS, NB, sidx, sstate);
    kt_spawn(0, "z", sleeper, NULL, NULL, 5);
    gale_sim_irq_raise_at(0, 1000, isr_slab, NULL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "isr ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_free_accounting_and_misuse),
        cmocka_unit_test(test_static_slab_builds_lazily),
        cmocka_unit_test(test_freed_block_goes_to_waiters_in_priority_order),
        cmocka_unit_test(test_isr_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
