/* Kernel threads and scheduler: priority order, FIFO, preemption, cooperative
 * threads, sleep, suspend/resume, abort/join, time slicing, CPU mask, deadlock
 * report, ISR rules, stack canary, determinism, real-time mode. */
#include "ktest.h"

/* ---- priority order and FIFO ---------------------------------------------- */

static void log_name(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    kt_logf("%s ", (const char *)p1);
}

static void test_priority_order(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "c", log_name, "c", NULL, 3);
    kt_spawn(1, "a", log_name, "a", NULL, 1);
    kt_spawn(2, "b", log_name, "b", NULL, 2);
    kt_spawn(3, "coop", log_name, "coop", NULL, GALE_PRIO_COOP(10));
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "coop a b c ");
}

static void yield_twice(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    kt_logf("%s ", (const char *)p1);
    gale_kernel_yield();
    kt_logf("%s ", (const char *)p1);
}

static void test_fifo_equal_priority(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "x", yield_twice, "x", NULL, 5);
    kt_spawn(1, "y", yield_twice, "y", NULL, 5);
    kt_spawn(2, "z", yield_twice, "z", NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "x y z x y z ");
}

/* ---- preemption versus cooperation ---------------------------------------- */

static void spawner(void *p1, void *p2, void *p3)
{
    (void)p3;
    int child_prio = (int)(intptr_t)p2;
    kt_logf("%s-before ", (const char *)p1);
    kt_spawn(1, "child", log_name, "child", NULL, child_prio);
    kt_logf("%s-after ", (const char *)p1);
}

static void test_preemptive_spawn_runs_urgent_child_at_once(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "p", spawner, "p", (void *)(intptr_t)2, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "p-before child p-after ");
}

static void test_cooperative_thread_is_not_preempted(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "c", spawner, "c", (void *)(intptr_t)GALE_PRIO_COOP(0), GALE_PRIO_COOP(5));
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "c-before c-after child ");
}

/* ---- sleep and virtual time ------------------------------------------------ */

static void sleeper(void *p1, void *p2, void *p3)
{
    (void)p3;
    gale_kernel_sleep(GALE_MSEC((intptr_t)p2));
    kt_logf("%s@%llu ", (const char *)p1, kt_us());
}

static void test_sleep_wakes_in_deadline_order_at_exact_virtual_time(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "ten", sleeper, "ten", (void *)(intptr_t)10, 5);
    kt_spawn(1, "three", sleeper, "three", (void *)(intptr_t)3, 5);
    kt_spawn(2, "seven", sleeper, "seven", (void *)(intptr_t)7, 1);
    kt_spawn(3, "three2", sleeper, "three2", (void *)(intptr_t)3, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "three@3000 three2@3000 seven@7000 ten@10000 ");
    assert_int_equal(gale_sim_time_ns(), 10000000u);
}

static void early_sleeper(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    int64_t left = gale_kernel_sleep(GALE_MSEC(100));
    kt_logf("left=%lld@%llu ", (long long)left, kt_us());
}

static void waker(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(30));
    assert_int_equal(gale_kernel_thread_wakeup(p1), GALE_OK);
    assert_int_equal(gale_kernel_thread_wakeup(p1), GALE_EINVAL);   /* no longer sleeping */
}

static void test_wakeup_returns_remaining_ticks(void **state)
{
    (void)state;
    kt_begin(1);
    gale_thread_t *s = kt_spawn(0, "s", early_sleeper, NULL, NULL, 5);
    kt_spawn(1, "w", waker, s, NULL, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "left=70000@30000 ");
}

/* ---- suspend / resume / abort / join --------------------------------------- */

static void counter_loop(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    int *n = p1;
    for (;;) {
        (*n)++;
        gale_kernel_sleep(GALE_MSEC(1));
    }
}

static int counter;

static void controller(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    gale_thread_t *w = p1;
    gale_kernel_sleep(GALE_USEC(10500));          /* worker counted at 0..10 ms: 11 */
    assert_int_equal(counter, 11);
    assert_int_equal(gale_kernel_thread_suspend(w), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(20));
    assert_int_equal(counter, 11);                  /* nothing while suspended */
    assert_true(gale_kernel_thread_state_get(w) & GALE_THREAD_SUSPENDED);
    assert_int_equal(gale_kernel_thread_resume(w), GALE_OK);
    gale_kernel_sleep(GALE_MSEC(5));
    assert_true(counter > 11 && counter <= 17);
    assert_int_equal(gale_kernel_thread_join(w, GALE_MSEC(5)), GALE_ETIMEDOUT);
    assert_int_equal(gale_kernel_thread_join(w, GALE_NO_WAIT), GALE_EBUSY);
    assert_int_equal(gale_kernel_thread_abort(w), GALE_OK);
    assert_true(gale_kernel_thread_state_get(w) & GALE_THREAD_DEAD);
    assert_int_equal(gale_kernel_thread_join(w, GALE_FOREVER), GALE_OK);
    assert_int_equal(gale_kernel_thread_join(gale_kernel_thread_self(), GALE_FOREVER), GALE_EDEADLK);
    kt_logf("done@%llu ", kt_us());
}

static void test_suspend_resume_abort_join(void **state)
{
    (void)state;
    kt_begin(1);
    counter = 0;
    gale_thread_t *w = kt_spawn(0, "worker", counter_loop, &counter, NULL, 5);
    kt_spawn(1, "ctl", controller, w, NULL, 2);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "done@40500 ");
}

static void exiter(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sleep(GALE_MSEC(3));
}

static void joiner(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    assert_int_equal(gale_kernel_thread_join(p1, GALE_FOREVER), GALE_OK);
    kt_logf("joined@%llu ", kt_us());
}

static void test_join_wakes_all_joiners_when_thread_exits(void **state)
{
    (void)state;
    kt_begin(1);
    gale_thread_t *e = kt_spawn(0, "e", exiter, NULL, NULL, 5);
    kt_spawn(1, "j1", joiner, e, NULL, 4);
    kt_spawn(2, "j2", joiner, e, NULL, 4);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "joined@3000 joined@3000 ");
}

/* ---- delayed start, bad arguments ----------------------------------------- */

static void test_delayed_and_manual_start(void **state)
{
    (void)state;
    kt_begin(1);
    gale_thread_t *t0 = &kt_threads[0], *t1 = &kt_threads[1];
    assert_int_equal(gale_kernel_thread_create(t0, kt_stacks[0], KT_STACK, sleeper, "late", (void *)(intptr_t)0,
                                               NULL, 3, 0, GALE_MSEC(4)), GALE_OK);
    assert_int_equal(gale_kernel_thread_create(t1, kt_stacks[1], KT_STACK, log_name, "never", NULL, NULL, 3, 0,
                                               GALE_FOREVER), GALE_OK);
    assert_true(gale_kernel_thread_state_get(t1) & GALE_THREAD_PRESTART);
    assert_int_equal(gale_sim_run(), GALE_OK);   /* ends: the FOREVER thread never started */
    assert_string_equal(kt_log, "late@4000 ");
    assert_int_equal(gale_kernel_thread_start(t0), GALE_EINVAL);   /* dead, not prestart */
}

static void test_create_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_begin(1);
    gale_thread_t *t = &kt_threads[0];
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[0], KT_STACK, log_name, NULL, NULL, NULL, 15, 0,
                                               GALE_NO_WAIT), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "priority 15 out of range"));
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[0], KT_STACK, log_name, NULL, NULL, NULL, -17, 0,
                                               GALE_NO_WAIT), GALE_EINVAL);
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[0], 1024, log_name, NULL, NULL, NULL, 0, 0,
                                               GALE_NO_WAIT), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "too small"));
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[0] + 1, KT_STACK - 16, log_name, NULL, NULL, NULL, 0,
                                               0, GALE_NO_WAIT), GALE_EINVAL);
    assert_non_null(strstr(gale_kernel_diag_last(), "misaligned"));
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[0], KT_STACK, NULL, NULL, NULL, NULL, 0, 0,
                                               GALE_NO_WAIT), GALE_EINVAL);
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[0], KT_STACK, log_name, "a", NULL, NULL, 0, 0,
                                               GALE_NO_WAIT), GALE_OK);
    assert_int_equal(gale_kernel_thread_create(t, kt_stacks[0], KT_STACK, log_name, "a", NULL, NULL, 0, 0,
                                               GALE_NO_WAIT), GALE_EINVAL);   /* still alive */
    assert_non_null(strstr(gale_kernel_diag_last(), "still alive"));
    assert_int_equal(gale_sim_run(), GALE_OK);
}

/* ---- priority change ------------------------------------------------------ */

static void prio_changer(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    kt_logf("chg ");
    assert_int_equal(gale_kernel_thread_priority_set(p1, 1), GALE_OK);   /* boost: runs at once */
    kt_logf("chg2 ");
    assert_int_equal(gale_kernel_thread_priority_get(p1), 1);
    assert_int_equal(gale_kernel_thread_priority_set(p1, 99), GALE_EINVAL);
}

static void test_priority_set_preempts(void **state)
{
    (void)state;
    kt_begin(1);
    gale_thread_t *low = kt_spawn(0, "low", log_name, "low", NULL, 9);
    kt_spawn(1, "chg", prio_changer, low, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "chg low chg2 ");
}

/* ---- time slicing (needs simulated CPU work: gale_sim_busy_ns) ------------ */

static void busy_worker(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(gale_sim_busy_ns(1000000), GALE_OK);   /* 1 ms of work */
        kt_logf("%s%d ", (const char *)p1, i);
    }
}

static void test_time_slicing_rotates_equal_priorities(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "a", busy_worker, "a", NULL, 5);
    kt_spawn(1, "b", busy_worker, "b", NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "a0 a1 a2 a3 b0 b1 b2 b3 ");   /* no slicing: FIFO */
    assert_int_equal(gale_sim_time_ns(), 8000000u);

    kt_begin(1);
    gale_kernel_sched_time_slice_set((uint32_t)gale_kernel_ms_to_ticks_ceil(2), 0);
    kt_spawn(0, "a", busy_worker, "a", NULL, 5);
    kt_spawn(1, "b", busy_worker, "b", NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* 2 ms slices; a work unit that ends exactly at a slice boundary is logged
     * when its thread runs again. */
    assert_string_equal(kt_log, "a0 b0 a1 a2 b1 b2 a3 b3 ");
    assert_int_equal(gale_sim_time_ns(), 8000000u);
}

static void hi_periodic(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (int i = 0; i < 3; i++) {
        gale_kernel_sleep(GALE_USEC(1500));
        kt_logf("hi@%llu ", kt_us());
    }
}

static void test_busy_thread_is_preempted_by_timeout(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "a", busy_worker, "a", NULL, 5);
    kt_spawn(1, "hi", hi_periodic, NULL, NULL, 1);
    assert_int_equal(gale_sim_run(), GALE_OK);
    /* hi wakes at 1.5, 3.0, 4.5 ms; at 3.0 it preempts a just as a2's work ends. */
    assert_string_equal(kt_log, "a0 hi@1500 a1 hi@3000 a2 a3 hi@4500 ");
}

/* ---- multi-core: CPU mask / pinning ------------------------------------- */

static void report_cpu(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    kt_logf("%s:cpu%u ", (const char *)p1, gale_kernel_cpu_id());
}

static void test_cpu_mask_pins_threads(void **state)
{
    (void)state;
    kt_begin(2);
    gale_thread_t *a = &kt_threads[0], *b = &kt_threads[1];
    assert_int_equal(gale_kernel_thread_create(a, kt_stacks[0], KT_STACK, report_cpu, "a", NULL, NULL, 3, 0,
                                               GALE_FOREVER), GALE_OK);
    assert_int_equal(gale_kernel_thread_create(b, kt_stacks[1], KT_STACK, report_cpu, "b", NULL, NULL, 3, 0,
                                               GALE_FOREVER), GALE_OK);
    assert_int_equal(gale_kernel_thread_cpu_mask_set(a, 0), GALE_EINVAL);
    assert_int_equal(gale_kernel_thread_cpu_mask_set(a, 0x4), GALE_EINVAL);   /* core 2 does not exist */
    assert_non_null(strstr(gale_kernel_diag_last(), "names no core"));
    assert_int_equal(gale_kernel_thread_cpu_pin(a, 5), GALE_EINVAL);
    assert_int_equal(gale_kernel_thread_cpu_pin(a, 1), GALE_OK);
    assert_int_equal(gale_kernel_thread_cpu_mask_set(b, 0x3), GALE_OK);       /* creator's core 0 allowed */
    assert_int_equal(gale_kernel_thread_cpu_get(a), 1);
    assert_int_equal(gale_kernel_thread_cpu_get(b), 0);
    assert_int_equal(gale_kernel_thread_start(a), GALE_OK);
    assert_int_equal(gale_kernel_thread_start(b), GALE_OK);
    assert_int_equal(gale_kernel_thread_cpu_pin(a, 0), GALE_EBUSY);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "b:cpu0 a:cpu1 ");
}

static gale_sem_t ping, pong;

static void pinger(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (int i = 0; i < 3; i++) {
        gale_kernel_sleep(GALE_MSEC(1));
        kt_logf("ping%d:cpu%u@%llu ", i, gale_kernel_cpu_id(), kt_us());
        gale_kernel_sem_give(&ping);
        assert_int_equal(gale_kernel_sem_take(&pong, GALE_FOREVER), GALE_OK);
    }
}

static void ponger(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(gale_kernel_sem_take(&ping, GALE_FOREVER), GALE_OK);
        kt_logf("pong%d:cpu%u@%llu ", i, gale_kernel_cpu_id(), kt_us());
        gale_kernel_sem_give(&pong);
    }
}

static void test_two_cores_trade_through_semaphores(void **state)
{
    (void)state;
    kt_begin(2);
    gale_kernel_sem_init(&ping, 0, 1);
    gale_kernel_sem_init(&pong, 0, 1);
    gale_thread_t *a = &kt_threads[0], *b = &kt_threads[1];
    gale_kernel_thread_create(a, kt_stacks[0], KT_STACK, pinger, NULL, NULL, NULL, 3, 0, GALE_FOREVER);
    gale_kernel_thread_create(b, kt_stacks[1], KT_STACK, ponger, NULL, NULL, NULL, 3, 0, GALE_FOREVER);
    gale_kernel_thread_cpu_pin(a, 0);
    gale_kernel_thread_cpu_pin(b, 1);
    gale_kernel_thread_start(a);
    gale_kernel_thread_start(b);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "ping0:cpu0@1000 pong0:cpu1@1000 ping1:cpu0@2000 pong1:cpu1@2000 "
                                "ping2:cpu0@3000 pong2:cpu1@3000 ");
}

static void rt_pinger(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(gale_kernel_sem_give(&ping), GALE_OK);
        assert_int_equal(gale_kernel_sem_take(&pong, GALE_FOREVER), GALE_OK);
    }
    kt_logf("pinger done ");
}

static void rt_ponger(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(gale_kernel_sem_take(&ping, GALE_FOREVER), GALE_OK);
        assert_int_equal(gale_kernel_sem_give(&pong), GALE_OK);
    }
}

static void test_realtime_mode_two_cores_ping_pong(void **state)
{
    (void)state;
    kt_begin_cfg(2, GALE_SIM_REALTIME, 20ull * 1000000000ull, false);
    gale_kernel_sem_init(&ping, 0, 1);
    gale_kernel_sem_init(&pong, 0, 1);
    gale_thread_t *a = &kt_threads[0], *b = &kt_threads[1];
    gale_kernel_thread_create(a, kt_stacks[0], KT_STACK, rt_pinger, NULL, NULL, NULL, 3, 0, GALE_FOREVER);
    gale_kernel_thread_create(b, kt_stacks[1], KT_STACK, rt_ponger, NULL, NULL, NULL, 3, 0, GALE_FOREVER);
    gale_kernel_thread_cpu_pin(a, 0);
    gale_kernel_thread_cpu_pin(b, 1);
    gale_kernel_thread_start(a);
    gale_kernel_thread_start(b);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "pinger done ");
}

static void rt_sleeper(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    uint64_t t0 = gale_sim_time_ns();
    gale_kernel_sleep(GALE_MSEC(20));
    uint64_t dt = gale_sim_time_ns() - t0;
    assert_true(dt >= 20000000u);
    kt_logf("slept ");
}

static void test_realtime_mode_sleep_uses_real_clock(void **state)
{
    (void)state;
    kt_begin_cfg(1, GALE_SIM_REALTIME, 20ull * 1000000000ull, false);
    kt_spawn(0, "s", rt_sleeper, NULL, NULL, 3);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "slept ");
}

/* ---- deadlock report, ISR rules, canary ---------------------------------- */

static gale_sem_t never;

static void stuck(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sem_take(&never, GALE_FOREVER);
}

static void test_deadlock_is_reported(void **state)
{
    (void)state;
    kt_begin_cfg(1, GALE_SIM_DETERMINISTIC, 0, true);
    gale_kernel_sem_init(&never, 0, 1);
    kt_spawn(0, "stuck", stuck, NULL, NULL, 3);
    assert_int_equal(gale_sim_run(), GALE_EDEADLK);
    assert_true(gale_kernel_thread_state_get(&kt_threads[0]) & GALE_THREAD_PENDING);
}

static void test_time_limit_is_reported(void **state)
{
    (void)state;
    kt_begin_cfg(1, GALE_SIM_DETERMINISTIC, 50000000u, true);
    counter = 0;
    kt_spawn(0, "w", counter_loop, &counter, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_ETIMEDOUT);
    assert_int_equal(counter, 51);   /* t = 0, 1, ..., 50 ms */
    assert_int_equal(gale_sim_time_ns(), 50000000u);
}

static gale_sem_t isr_sem;
static int isr_rc_forever, isr_rc_nowait;

static void isr_handler(void *arg)
{
    (void)arg;
    assert_true(gale_kernel_isr_active());
    assert_null(gale_kernel_thread_self());
    isr_rc_forever = gale_kernel_sem_take(&isr_sem, GALE_FOREVER);
    isr_rc_nowait = gale_kernel_sem_take(&isr_sem, GALE_NO_WAIT);
    assert_int_equal(gale_kernel_sleep(GALE_MSEC(1)), GALE_ECONTEXT);
    gale_kernel_sem_give(&isr_sem);
}

static void isr_waiter(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    assert_false(gale_kernel_isr_active());
    assert_int_equal(gale_kernel_sem_take(&isr_sem, GALE_FOREVER), GALE_OK);
    kt_logf("woken@%llu ", kt_us());
}

static void test_isr_may_not_block_and_its_give_wakes_a_thread(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&isr_sem, 0, 1);
    kt_spawn(0, "w", isr_waiter, NULL, NULL, 3);
    assert_int_equal(gale_sim_irq_raise_at(0, 2500000, isr_handler, NULL), GALE_OK);
    assert_int_equal(gale_sim_irq_raise_at(7, 0, isr_handler, NULL), GALE_EINVAL);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_int_equal(isr_rc_forever, GALE_ECONTEXT);
    assert_int_equal(isr_rc_nowait, GALE_EAGAIN);
    assert_string_equal(kt_log, "woken@2500 ");
}

static void irq_from_thread(void *arg)
{
    (void)arg;
    kt_logf("irq ");
    gale_kernel_sem_give(&isr_sem);
}

static void raiser(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    unsigned int key = gale_kernel_irq_lock();
    gale_sim_irq_raise_at(0, 0, irq_from_thread, NULL);   /* due now, but masked */
    kt_logf("masked ");
    gale_kernel_irq_unlock(key);                          /* taken here */
    kt_logf("unmasked ");
}

static void test_due_irq_is_taken_when_unmasked_and_preempts(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&isr_sem, 0, 1);
    kt_spawn(0, "hi", isr_waiter, NULL, NULL, 1);
    kt_spawn(1, "raiser", raiser, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "masked irq woken@0 unmasked ");
}

static int fatal_reason;
static gale_thread_t *fatal_thread;

static void record_fatal(int reason, gale_thread_t *t, const char *msg)
{
    fatal_reason = reason;
    fatal_thread = t;
    kt_logf("fatal(%s) ", strstr(msg, "stack overflow") != NULL ? "overflow" : msg);
}

/* A real overflow, as a deep call chain makes it: noinline recursion, each
 * frame keeping a volatile buffer live and the result depending on every frame
 * (no optimiser, LTO included, can fold, shorten or drop the chain), until the
 * stack is within 512 bytes of the canary area at its bottom; the deepest frame
 * then runs the stack on through the canary area, from its top down to
 * bottom + 5, the way its next callees would (not through its own frame, whose
 * spilled locals lie below its buffer). Downwards like a growing stack, so a
 * hardware guard anywhere in the canary area (the Cortex-M MPU guard: 32 bytes
 * at the first 32-byte boundary in it, wherever the linker put the stack) is
 * hit first: the fault ends the thread. Without a guard the canary is smashed
 * and the next switch (the yield) ends it. Not instrumented by ASan: writing
 * outside its own frame is the point. */
static __attribute__((noinline, no_sanitize_address)) unsigned int smash_down(uintptr_t bottom, unsigned int depth)
{
    volatile uint8_t frame[32];
    for (unsigned int i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(depth + i);
    unsigned int sum;
    if ((uintptr_t)frame > bottom + GALE_CONFIG_STACK_CANARY_SIZE + 512u) {
        sum = smash_down(bottom, depth + 1u);
    } else {
        for (uintptr_t a = bottom + GALE_CONFIG_STACK_CANARY_SIZE; a > bottom + 5u;) {
            a--;
            volatile uint8_t *p = (volatile uint8_t *)a;
            *p = (uint8_t)(*p ^ 0xFFu);
        }
        sum = depth;
    }
    return sum + frame[depth % sizeof frame];
}

static volatile unsigned int smash_sum;

static void smasher(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    smash_sum = smash_down((uintptr_t)p1, 0);
    gale_kernel_yield();
    kt_logf("unreachable ");
}

static void test_stack_canary_catches_overflow(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_fatal_handler_set(record_fatal);
    kt_spawn(0, "smasher", smasher, kt_stacks[0], NULL, 5);
    kt_spawn(1, "other", log_name, "other", NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "fatal(overflow) other ");
    assert_int_equal(fatal_reason, GALE_ESTACK);
    assert_ptr_equal(fatal_thread, &kt_threads[0]);
    assert_true(gale_kernel_thread_state_get(&kt_threads[0]) & GALE_THREAD_DEAD);
}

/* ---- determinism ----------------------------------------------------------- */

static void chatty(void *p1, void *p2, void *p3)
{
    (void)p3;
    int id = (int)(intptr_t)p2;
    for (int i = 0; i < 20; i++) {
        gale_kernel_sleep(GALE_USEC(100 + 37 * id + (i * 13) % 50));
        if (i % 3 == 0)
            gale_kernel_sem_give(&ping);
        else
            gale_kernel_sem_take(&ping, GALE_USEC(70));
        gale_sim_busy_ns(5000u * (unsigned int)id);
        kt_logf("%s%d@%llu ", (const char *)p1, i, (unsigned long long)gale_sim_time_ns());
    }
}

static void run_chatty(char *out, size_t n)
{
    kt_begin(2);
    gale_kernel_sem_init(&ping, 0, 3);
    gale_kernel_sched_time_slice_set(50, 0);
    static const char *names[4] = { "a", "b", "c", "d" };
    for (int i = 0; i < 4; i++) {
        gale_thread_t *t = &kt_threads[i];
        gale_kernel_thread_create(t, kt_stacks[i], KT_STACK, chatty, (void *)names[i], (void *)(intptr_t)i, NULL,
                                  3 + (i & 1), 0, GALE_FOREVER);
        gale_kernel_thread_cpu_pin(t, (unsigned int)i % 2);
        gale_kernel_thread_start(t);
    }
    assert_int_equal(gale_sim_run(), GALE_OK);
    snprintf(out, n, "%s|%llu", kt_log, (unsigned long long)gale_sim_switch_count());
}

static void test_deterministic_mode_is_repeatable(void **state)
{
    (void)state;
    static char first[16384], second[16384];
    run_chatty(first, sizeof first);
    run_chatty(second, sizeof second);
    assert_true(strlen(first) > 200);
    assert_string_equal(first, second);
}


/* ---- sched lock, abort/suspend of blocked threads, abort from an ISR ------- */

static void locker(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_sched_lock();
    kt_spawn(1, "urgent", log_name, "urgent", NULL, 1);   /* would preempt at once */
    kt_logf("still-me ");
    gale_kernel_sched_unlock();                            /* now it runs */
    kt_logf("after-unlock ");
    gale_kernel_sched_unlock();                            /* unbalanced: diagnostic only */
    assert_non_null(strstr(gale_kernel_diag_last(), "has not locked the scheduler"));
}

static void test_sched_lock_defers_preemption(void **state)
{
    (void)state;
    kt_begin(1);
    kt_spawn(0, "locker", locker, NULL, NULL, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "still-me urgent after-unlock ");
}

static gale_sem_t blk;

static void blocked_taker(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    int rc = gale_kernel_sem_take(&blk, GALE_MSEC(50));
    kt_logf("%s:%d@%llu ", (const char *)p1, rc, kt_us());
}

static void manager(void *p1, void *p2, void *p3)
{
    (void)p3;
    gale_thread_t *victim = p1, *sleeper_t = p2;
    gale_kernel_sleep(GALE_MSEC(1));
    /* abort a pending thread: it leaves the wait queue and its timeout */
    assert_int_equal(gale_kernel_thread_abort(victim), GALE_OK);
    assert_ptr_equal(blk.wq.head, sleeper_t);
    /* suspend a pending thread; it gets the unit while suspended, runs on resume */
    assert_int_equal(gale_kernel_thread_suspend(sleeper_t), GALE_OK);
    assert_int_equal(gale_kernel_sem_give(&blk), GALE_OK);
    assert_int_equal(gale_kernel_sem_count_get(&blk), 0);
    gale_kernel_sleep(GALE_MSEC(2));
    kt_logf("resume@%llu ", kt_us());
    assert_int_equal(gale_kernel_thread_resume(sleeper_t), GALE_OK);
    assert_int_equal(gale_kernel_thread_resume(sleeper_t), GALE_EINVAL);
}

static void test_abort_and_suspend_of_pending_threads(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&blk, 0, 1);
    gale_thread_t *v = kt_spawn(0, "victim", blocked_taker, "victim", NULL, 3);
    gale_thread_t *w = kt_spawn(1, "sleepy", blocked_taker, "sleepy", NULL, 4);
    kt_spawn(2, "mgr", manager, v, w, 6);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "resume@3000 sleepy:0@3000 ");
    assert_true(gale_kernel_thread_state_get(v) & GALE_THREAD_DEAD);
}

static void spinner(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (int i = 0; i < 100; i++) {
        gale_sim_busy_ns(100000);
        kt_logf("w%d ", i);
    }
}

static void abort_isr(void *arg)
{
    assert_int_equal(gale_kernel_thread_abort(arg), GALE_OK);
}

static void test_abort_running_thread_from_isr(void **state)
{
    (void)state;
    kt_begin(1);
    gale_thread_t *t = kt_spawn(0, "spinner", spinner, NULL, NULL, 5);
    gale_sim_irq_raise_at(0, 250000, abort_isr, t);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "w0 w1 ");
    assert_true(gale_kernel_thread_state_get(t) & GALE_THREAD_DEAD);
}

static void isr_diag(void *arg)
{
    (void)arg;
    assert_int_equal(gale_kernel_sem_take(&blk, GALE_MSEC(1)), GALE_ECONTEXT);
    kt_logf("[%s] ", gale_kernel_diag_last());
}

static void test_isr_blocking_message_names_the_call(void **state)
{
    (void)state;
    kt_begin(1);
    gale_kernel_sem_init(&blk, 0, 1);
    gale_sim_irq_raise_at(0, 0, isr_diag, NULL);
    kt_spawn(0, "s", sleeper, "s", (void *)(intptr_t)1, 5);
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_string_equal(kt_log, "[sem_take: blocking call from ISR context (only GALE_NO_WAIT is allowed there)] s@1000 ");
}

/* ---- real-time mode stress: mutual exclusion across OS threads ------------ */

static gale_mutex_t rt_mtx;
static volatile int rt_in_cs, rt_violations;
static long rt_total;

static void rt_contender(void *p1, void *p2, void *p3)
{
    (void)p2; (void)p3;
    unsigned int seed = (unsigned int)(uintptr_t)p1;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        int rc = gale_kernel_mutex_lock(&rt_mtx, (seed >> 16) % 4 == 0 ? GALE_USEC(20) : GALE_FOREVER);
        if (rc == GALE_ETIMEDOUT)
            continue;
        assert_int_equal(rc, GALE_OK);
        if (rt_in_cs++ != 0)
            rt_violations++;
        rt_total++;
        if ((seed >> 20) % 8 == 0)
            gale_kernel_sleep(GALE_USEC(10));   /* block while holding it */
        rt_in_cs--;
        assert_int_equal(gale_kernel_mutex_unlock(&rt_mtx), GALE_OK);
        if ((seed >> 18) % 3 == 0)
            gale_kernel_yield();
    }
}

static void test_realtime_mode_mutex_stress_across_cores(void **state)
{
    (void)state;
    kt_begin_cfg(3, GALE_SIM_REALTIME, 60ull * 1000000000ull, false);
    gale_kernel_mutex_init(&rt_mtx);
    rt_in_cs = rt_violations = 0;
    rt_total = 0;
    for (int i = 0; i < 6; i++) {
        gale_thread_t *t = &kt_threads[i];
        assert_int_equal(gale_kernel_thread_create(t, kt_stacks[i], KT_STACK, rt_contender, (void *)(uintptr_t)(i + 1),
                                                   NULL, NULL, 3 + i % 3, 0, GALE_FOREVER), GALE_OK);
        gale_kernel_thread_cpu_pin(t, (unsigned int)i % 3);
        gale_kernel_thread_start(t);
    }
    assert_int_equal(gale_sim_run(), GALE_OK);
    assert_int_equal(rt_violations, 0);
    assert_true(rt_total > 6 * 300 / 2);
    assert_null(gale_kernel_mutex_owner_get(&rt_mtx));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priority_order),
        cmocka_unit_test(test_fifo_equal_priority),
        cmocka_unit_test(test_preemptive_spawn_runs_urgent_child_at_once),
        cmocka_unit_test(test_cooperative_thread_is_not_preempted),
        cmocka_unit_test(test_sleep_wakes_in_deadline_order_at_exact_virtual_time),
        cmocka_unit_test(test_wakeup_returns_remaining_ticks),
        cmocka_unit_test(test_suspend_resume_abort_join),
        cmocka_unit_test(test_join_wakes_all_joiners_when_thread_exits),
        cmocka_unit_test(test_delayed_and_manual_start),
        cmocka_unit_test(test_create_rejects_bad_arguments),
        cmocka_unit_test(test_priority_set_preempts),
        cmocka_unit_test(test_time_slicing_rotates_equal_priorities),
        cmocka_unit_test(test_busy_thread_is_preempted_by_timeout),
        cmocka_unit_test(test_cpu_mask_pins_threads),
        cmocka_unit_test(test_two_cores_trade_through_semaphores),
        cmocka_unit_test(test_realtime_mode_two_cores_ping_pong),
        cmocka_unit_test(test_realtime_mode_sleep_uses_real_clock),
        cmocka_unit_test(test_deadlock_is_reported),
        cmocka_unit_test(test_time_limit_is_reported),
        cmocka_unit_test(test_isr_may_not_block_and_its_give_wakes_a_thread),
        cmocka_unit_test(test_due_irq_is_taken_when_unmasked_and_preempts),
        cmocka_unit_test(test_stack_canary_catches_overflow),
        cmocka_unit_test(test_deterministic_mode_is_repeatable),
        cmocka_unit_test(test_sched_lock_defers_preemption),
        cmocka_unit_test(test_abort_and_suspend_of_pending_threads),
        cmocka_unit_test(test_abort_running_thread_from_isr),
        cmocka_unit_test(test_isr_blocking_message_names_the_call),
        cmocka_unit_test(test_realtime_mode_mutex_stress_across_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
