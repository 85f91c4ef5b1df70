/* gale — footprint image (c): a kernel application that uses every kernel
 * object and the thread API, so the figure is what a firmware using the whole
 * kernel carries: threads (create/start/join/suspend/resume/priority/abort/
 * wakeup/yield/sched lock/time slice/names), semaphore, mutex, condition
 * variable, event, message queue, pipe, mailbox, stack, memory slab and kernel
 * timer. Each object does one hand-over between a main thread and a helper;
 * the image exits 0 when every step gave the expected result, otherwise with
 * the number of the first failed step. Run by `qemu_fp_kernel_all`, measured
 * by bench/mcu/run-bench.sh. */
#include <stdint.h>
#include <string.h>

#include "gale/kernel.h"

static GALE_THREAD_STACK_DEFINE(stack_main, 1024);
static GALE_THREAD_STACK_DEFINE(stack_help, 768);
static gale_thread_t th_main, th_help;
static volatile int failed_step;

#define CHECK(step, cond)               \
    do {                                \
        if (!(cond) && failed_step == 0) \
            failed_step = (step);       \
    } while (0)

static gale_sem_t sem;
static gale_mutex_t mtx;
static gale_condvar_t cv;
static gale_event_t ev;
static gale_msgq_t mq;
static uint32_t mq_buf[4];
static gale_pipe_t pipe_;
static uint8_t pipe_buf[32];
static gale_mbox_t mbox;
static gale_stack_t stk;
static gale_stack_data_t stk_buf[4];
static gale_mem_slab_t slab;
static _Alignas(8) uint8_t slab_buf[4 * 32];
static uint32_t slab_idx[4];
static uint8_t slab_state[4];
static gale_timer_t tmr;
static volatile uint32_t tmr_fired;
static volatile int cv_flag;

static void tmr_expiry(gale_timer_t *t)
{
    (void)t;
    tmr_fired++;
}

/* The helper answers each object in turn. */
static void helper(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    CHECK(20, gale_kernel_sem_give(&sem) == 0);

    CHECK(21, gale_kernel_mutex_lock(&mtx, GALE_FOREVER) == 0);
    cv_flag = 1;
    CHECK(22, gale_kernel_condvar_signal(&cv) == 0);
    CHECK(23, gale_kernel_mutex_unlock(&mtx) == 0);

    CHECK(24, gale_kernel_event_post(&ev, 0x5u) == 0);

    uint32_t v = 0;
    CHECK(25, gale_kernel_msgq_get(&mq, &v, GALE_FOREVER) == 0 && v == 41u);
    v++;
    CHECK(26, gale_kernel_msgq_put(&mq, &v, GALE_FOREVER) == 0);

    CHECK(27, gale_kernel_pipe_write(&pipe_, "gale", 4, GALE_FOREVER) == 4);

    gale_mbox_msg_t m = { .info = 7, .size = 3, .tx_data = "abc" };
    CHECK(28, gale_kernel_mbox_put(&mbox, &m, GALE_FOREVER) == 0 && m.info == 9u);

    CHECK(29, gale_kernel_stack_push(&stk, 0x1234u) == 0);

    void *blk = NULL;
    CHECK(30, gale_kernel_mem_slab_alloc(&slab, &blk, GALE_NO_WAIT) == 0);
    CHECK(31, gale_kernel_mem_slab_free(&slab, blk) == 0);

    /* parked until main resumes it, then sleeps until woken */
    CHECK(32, gale_kernel_sleep(GALE_FOREVER) >= 0);
    gale_kernel_yield();
    for (;;)
        gale_kernel_sleep(GALE_MSEC(100));   /* aborted by main */
}

static void main_thread(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_thread_name_set(&th_main, "main");
    CHECK(1, gale_kernel_thread_create(&th_help, stack_help, sizeof stack_help, helper, NULL, NULL, NULL,
                                       GALE_PRIO_PREEMPT(6), GALE_THREAD_OPT_NONE, GALE_FOREVER) == 0);
    CHECK(2, gale_kernel_thread_start(&th_help) == 0);

    CHECK(3, gale_kernel_sem_take(&sem, GALE_FOREVER) == 0);

    CHECK(4, gale_kernel_mutex_lock(&mtx, GALE_FOREVER) == 0);
    while (!cv_flag)
        CHECK(5, gale_kernel_condvar_wait(&cv, &mtx, GALE_FOREVER) == 0);
    CHECK(6, gale_kernel_mutex_unlock(&mtx) == 0);

    uint32_t matched = 0;
    CHECK(7, gale_kernel_event_wait(&ev, 0x5u, GALE_EVENT_WAIT_ALL | GALE_EVENT_CLEAR, &matched,
                                    GALE_FOREVER) == 0 && matched == 0x5u);

    uint32_t v = 41;
    CHECK(8, gale_kernel_msgq_put(&mq, &v, GALE_FOREVER) == 0);
    gale_kernel_sleep(GALE_MSEC(1));        /* let the helper take it and answer */
    CHECK(9, gale_kernel_msgq_get(&mq, &v, GALE_FOREVER) == 0 && v == 42u);

    char pb[8] = { 0 };
    CHECK(10, gale_kernel_pipe_read(&pipe_, pb, 4, GALE_FOREVER) == 4 && memcmp(pb, "gale", 4) == 0);

    char mb[8] = { 0 };
    gale_mbox_msg_t m = { .info = 9, .size = sizeof mb };
    CHECK(11, gale_kernel_mbox_get(&mbox, &m, mb, GALE_FOREVER) == 0 && m.size == 3u &&
                  memcmp(mb, "abc", 3) == 0);

    gale_stack_data_t sd = 0;
    CHECK(12, gale_kernel_stack_pop(&stk, &sd, GALE_FOREVER) == 0 && sd == 0x1234u);

    gale_kernel_sleep(GALE_MSEC(1));        /* the helper uses the slab, then sleeps */
    CHECK(13, gale_kernel_mem_slab_num_used_get(&slab) == 0u);

    CHECK(14, gale_kernel_timer_start(&tmr, GALE_MSEC(1), GALE_MSEC(1)) == 0);
    CHECK(15, gale_kernel_timer_status_sync(&tmr, GALE_FOREVER) >= 1);
    CHECK(16, gale_kernel_timer_stop(&tmr) == 0 && tmr_fired >= 1u);

    gale_kernel_sched_lock();
    CHECK(17, gale_kernel_thread_suspend(&th_help) == 0 && gale_kernel_thread_resume(&th_help) == 0);
    gale_kernel_sched_unlock();
    CHECK(18, gale_kernel_thread_priority_set(&th_help, GALE_PRIO_PREEMPT(4)) == 0);
    CHECK(19, gale_kernel_thread_wakeup(&th_help) == 0);
    gale_kernel_sched_time_slice_set(0, 0);
    gale_kernel_yield();
    CHECK(33, gale_kernel_thread_abort(&th_help) == 0);
    CHECK(34, gale_kernel_thread_join(&th_help, GALE_FOREVER) == 0);
    CHECK(35, gale_kernel_thread_name_get(&th_main) != NULL);
}

int main(void)
{
    gale_kernel_init();
    if (gale_kernel_sem_init(&sem, 0, 1) || gale_kernel_mutex_init(&mtx) || gale_kernel_condvar_init(&cv) ||
        gale_kernel_event_init(&ev) || gale_kernel_msgq_init(&mq, mq_buf, sizeof(uint32_t), 4) ||
        gale_kernel_pipe_init(&pipe_, pipe_buf, sizeof pipe_buf) || gale_kernel_mbox_init(&mbox) ||
        gale_kernel_stack_init(&stk, stk_buf, 4) ||
        gale_kernel_mem_slab_init(&slab, slab_buf, 32, 4, slab_idx, slab_state) ||
        gale_kernel_timer_init(&tmr, tmr_expiry, NULL))
        return 100;
    gale_kernel_thread_create(&th_main, stack_main, sizeof stack_main, main_thread, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(5), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    if (gale_cm_run() != 0)
        return 101;
    return failed_step;
}
