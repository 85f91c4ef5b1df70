/* async system (generated bindings, test world gale-test:host/all-async):
 * every blocking (`async func`) function of kernel-primitives called through
 * its async-lowered import (`_async`) and awaited with the guest SDK's task
 * loop - sem.take, mtx.lock, cv.wait, cv.wait-mutex, msgq.put, msgq.get,
 * stk.pop, pip.write, pip.read, evt.wait-any, evt.wait-all, tmr.status-sync,
 * slab.alloc - in phases:
 *   1. four calls STARTED at once and completed by others: a semaphore given,
 *      events posted and a message put by a host thread (shared objects), and
 *      a timer expiry;
 *   2. mutex locks (RETURNED at once, recursive), cv.wait-mutex and cv.wait
 *      STARTED and completed by this component's own signal / broadcast;
 *   3. stk.pop, msgq.put (full queue) and slab.alloc (exhausted) STARTED and
 *      completed by this component's push / get / free;
 *   4. pip.read (empty) and pip.write (full) STARTED and completed by the other
 *      end; evt.wait-any STARTED and completed by a post; a sem.take with a
 *      3 ms timeout STARTED and completed by the timeout; no-wait failures
 *      RETURNED at once;
 *   5. every handle dropped, task.return.
 * `checks` is the bit mask of the checks that passed (ALL_ASYNC_NCHECKS bits,
 * see test_host_kp.c), `started` how many calls were STARTED. */
#include "all_async.h"

#define T(x) pulseengine_gale_##x
typedef all_async_result_void_pulseengine_gale_types_kernel_error_t res_void_t;
typedef all_async_result_u32_pulseengine_gale_types_kernel_error_t res_u32_t;
typedef all_async_result_u64_pulseengine_gale_types_kernel_error_t res_u64_t;
typedef all_async_result_list_u8_pulseengine_gale_types_kernel_error_t res_list_t;

#define E_AGAIN PULSEENGINE_GALE_TYPES_KERNEL_ERROR_AGAIN
#define E_PERM PULSEENGINE_GALE_TYPES_KERNEL_ERROR_PERMISSION_DENIED

static const T(types_timeout_t) NO_WAIT = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};
static const T(types_timeout_t) FOREVER = {PULSEENGINE_GALE_TYPES_TIMEOUT_FOREVER, {0}};

#define ALL_ASYNC_NSTARTED 13 /* calls that must block (STARTED) */

static uint64_t passed;
static uint32_t n_started;
#define CHECK(bit, cond) do { if (cond) passed |= 1ull << (bit); } while (0)

uint64_t exports_all_async_checks(void)
{
    return passed;
}

uint32_t exports_all_async_started(void)
{
    return n_started;
}

/* results and in-memory params of pending calls must outlive the call: static */
static struct {
    gale_task_t *task;
    uint32_t outstanding;
    void (*next)(void);
    uint32_t order[4], norder;
    /* shared by the embedding */
    T(semaphore_sem_own_t) a_sem;
    T(event_evt_own_t) a_evt;
    T(message_queue_msgq_own_t) a_in;
    /* this component's own */
    T(timer_tmr_own_t) tmr;
    T(mutex_mtx_own_t) mtx;
    T(condvar_cv_own_t) cv;
    T(stack_stk_own_t) stk;
    T(message_queue_msgq_own_t) q;
    T(mem_slab_slab_own_t) slab;
    T(pipe_pip_own_t) pip;
    T(event_evt_own_t) evt;
    T(semaphore_sem_own_t) sem;
    res_void_t r_sem, r_lock, r_lock2, r_cvm, r_cv, r_put1, r_put2, r_tmo;
    res_u32_t r_tmr, r_evt_all, r_alloc1, r_alloc2, r_pw, r_pw_full, r_pw_x, r_evt_any, r_evt_none;
    res_list_t r_in, r_get1, r_get2, r_get3, r_pr, r_pr_full;
    res_u64_t r_pop;
    T(event_method_evt_wait_all_params_t) p_evt_all, p_evt_none;
    T(event_method_evt_wait_any_params_t) p_evt_any;
    T(message_queue_method_msgq_put_params_t) p_put1, p_put2;
    T(pipe_method_pip_write_params_t) p_pw, p_pw_full, p_pw_x;
    uint32_t m1, m2;
    uint8_t fill[8];
} S;

/* ---- a phase: a group of awaited calls; the next phase starts when all completed */
static void begin(void (*next)(void))
{
    S.next = next;
    S.outstanding = 1; /* held until end() below: a call that RETURNED runs its continuation at once */
}

static void end(void)
{
    if (--S.outstanding == 0) {
        void (*n)(void) = S.next;
        S.next = NULL;
        n();
    }
}

/* awaits an async-lowered call's packed status; checks whether it was STARTED as expected */
static void await(uint32_t status, int bit, bool want_started, gale_cont_fn fn)
{
    bool started = gale_subtask_state(status) == GALE_SUBTASK_STARTED;
    n_started += started;
    CHECK(bit, started == want_started);
    S.outstanding++;
    if (gale_task_await(S.task, status, fn, NULL))
        __builtin_trap();
}

/* every continuation: the call completed with RETURNED */
static void returned(uint32_t event, uint32_t state)
{
    if (event != GALE_EVENT_SUBTASK || state != GALE_SUBTASK_RETURNED)
        __builtin_trap();
}

#define CONT(name, body)                                                   \
    static void name(void *arg, uint32_t event, uint32_t p1, uint32_t st) \
    {                                                                      \
        (void)arg, (void)p1;                                               \
        returned(event, st);                                               \
        body;                                                              \
        end();                                                             \
    }

static bool list_eq(res_list_t *r, const void *p, size_t n)
{
    if (r->is_err)
        return false;
    bool eq = r->val.ok.len == n && memcmp(r->val.ok.ptr, p, n) == 0;
    free(r->val.ok.ptr);
    return eq;
}

static void phase2(void);
static void phase2b(void);
static void phase3(void);
static void phase4(void);
static void phase4b(void);
static void phase5(void);

/* ---- 1: completed by another thread and by a timer ---------------------- */
static void done_as(uint32_t which)
{
    S.order[S.norder++] = which;
}
CONT(c_sem, { CHECK(2, !S.r_sem.is_err); done_as(1); })
CONT(c_tmr, { CHECK(4, !S.r_tmr.is_err && S.r_tmr.val.ok >= 1); done_as(2); })
CONT(c_evt_all, { CHECK(6, !S.r_evt_all.is_err && S.r_evt_all.val.ok == 0x3); done_as(3); })
CONT(c_in, {
    CHECK(8, list_eq(&S.r_in, "feed", 4));
    done_as(4);
    /* timer 3 ms, sem given at 5 ms, events complete at 10 ms, message at 15 ms */
    CHECK(9, S.norder == 4 && S.order[0] == 2 && S.order[1] == 1 && S.order[2] == 3 && S.order[3] == 4);
})

static void phase1(void)
{
    all_async_result_own_pulseengine_gale_semaphore_sem_pulseengine_gale_types_kernel_error_t os =
        T(semaphore_static_sem_open)(gale_str("a_sem"));
    all_async_result_own_pulseengine_gale_event_evt_pulseengine_gale_types_kernel_error_t oe =
        T(event_static_evt_open)(gale_str("a_evt"));
    all_async_result_own_pulseengine_gale_message_queue_msgq_pulseengine_gale_types_kernel_error_t oq =
        T(message_queue_static_msgq_open)(gale_str("a_in"));
    if (os.is_err || oe.is_err || oq.is_err)
        __builtin_trap();
    CHECK(0, true);
    S.a_sem = os.val.ok;
    S.a_evt = oe.val.ok;
    S.a_in = oq.val.ok;
    S.tmr = T(timer_constructor_tmr)(3);
    T(timer_method_tmr_start)(T(timer_tmr_borrow)(S.tmr));
    begin(phase2);
    await(T(semaphore_method_sem_take_async)(T(semaphore_sem_borrow)(S.a_sem), FOREVER, &S.r_sem), 1, true, c_sem);
    await(T(timer_method_tmr_status_sync_async)(T(timer_tmr_borrow)(S.tmr), FOREVER, &S.r_tmr), 3, true, c_tmr);
    S.p_evt_all = (T(event_method_evt_wait_all_params_t)){T(event_evt_borrow)(S.a_evt), 0x3, false, FOREVER};
    await(T(event_method_evt_wait_all_async)(&S.p_evt_all, &S.r_evt_all), 5, true, c_evt_all);
    await(T(message_queue_method_msgq_get_async)(T(message_queue_msgq_borrow)(S.a_in), FOREVER, &S.r_in), 7, true,
          c_in);
    end();
}

/* ---- 2: mutex and condition variable --------------------------------------- */
CONT(c_lock, { CHECK(10, !S.r_lock.is_err); })
CONT(c_lock2, { CHECK(11, !S.r_lock2.is_err); })
CONT(c_cvm, {
    /* woken by the signal, holding the mutex again: one unlock, then it is free */
    T(mutex_mtx_borrow_t) mb = T(mutex_mtx_borrow)(S.mtx);
    res_void_t u1 = T(mutex_method_mtx_unlock)(mb);
    res_void_t u2 = T(mutex_method_mtx_unlock)(mb);
    CHECK(13, !S.r_cvm.is_err);
    CHECK(14, !u1.is_err && u2.is_err && u2.val.err == E_PERM);
})
CONT(c_cv, { CHECK(16, !S.r_cv.is_err); })

static void phase2(void)
{
    S.mtx = T(mutex_constructor_mtx)();
    S.cv = T(condvar_constructor_cv)();
    T(mutex_mtx_borrow_t) mb = T(mutex_mtx_borrow)(S.mtx);
    T(condvar_cv_borrow_t) cb = T(condvar_cv_borrow)(S.cv);
    begin(phase2b);
    await(T(mutex_method_mtx_lock_async)(mb, FOREVER, &S.r_lock), 50, false, c_lock);    /* free: at once */
    await(T(mutex_method_mtx_lock_async)(mb, NO_WAIT, &S.r_lock2), 51, false, c_lock2); /* recursive */
    if (T(mutex_method_mtx_unlock)(mb).is_err)                                          /* held once now */
        __builtin_trap();
    /* releases the mutex while it waits (STARTED), locks it again before completing */
    await(T(condvar_method_cv_wait_mutex_async)(cb, mb, FOREVER, &S.r_cvm), 12, true, c_cvm);
    T(condvar_method_cv_signal)(cb);
    end();
}

static void phase2b(void)
{
    T(condvar_cv_borrow_t) cb = T(condvar_cv_borrow)(S.cv);
    begin(phase3);
    await(T(condvar_method_cv_wait_async)(cb, FOREVER, &S.r_cv), 15, true, c_cv);
    T(condvar_method_cv_broadcast)(cb);
    end();
}

/* ---- 3: stack, message queue, memory slab ------------------------------------ */
CONT(c_pop, { CHECK(18, !S.r_pop.is_err && S.r_pop.val.ok == 0x1122334455667788ull); })
CONT(c_put1, { CHECK(19, !S.r_put1.is_err); })
CONT(c_get1, { CHECK(21, list_eq(&S.r_get1, &S.m1, 4)); })
CONT(c_get2, { CHECK(23, list_eq(&S.r_get2, &S.m2, 4)); })
CONT(c_get3, { CHECK(24, S.r_get3.is_err && S.r_get3.val.err == E_AGAIN); })
CONT(c_put2, {
    CHECK(22, !S.r_put2.is_err);
    /* the message that waited for room is there now; then the queue is empty */
    T(message_queue_msgq_borrow_t) qb = T(message_queue_msgq_borrow)(S.q);
    await(T(message_queue_method_msgq_get_async)(qb, NO_WAIT, &S.r_get2), 40, false, c_get2);
    await(T(message_queue_method_msgq_get_async)(qb, NO_WAIT, &S.r_get3), 41, false, c_get3);
})
CONT(c_alloc1, { CHECK(25, !S.r_alloc1.is_err); })
CONT(c_alloc2, {
    T(mem_slab_slab_borrow_t) sb = T(mem_slab_slab_borrow)(S.slab);
    CHECK(27, !S.r_alloc2.is_err && S.r_alloc2.val.ok == S.r_alloc1.val.ok &&
                  T(mem_slab_method_slab_num_used)(sb) == 1);
    if (T(mem_slab_method_slab_free)(sb, S.r_alloc2.val.ok).is_err)
        __builtin_trap();
})

static void phase3(void)
{
    S.stk = T(stack_constructor_stk)(2);
    S.q = T(message_queue_constructor_msgq)(4, 1);
    S.slab = T(mem_slab_constructor_slab)(16, 1);
    T(stack_stk_borrow_t) stb = T(stack_stk_borrow)(S.stk);
    T(message_queue_msgq_borrow_t) qb = T(message_queue_msgq_borrow)(S.q);
    T(mem_slab_slab_borrow_t) sb = T(mem_slab_slab_borrow)(S.slab);
    begin(phase4);
    /* pop on an empty stack waits for this component's push */
    await(T(stack_method_stk_pop_async)(stb, FOREVER, &S.r_pop), 17, true, c_pop);
    if (T(stack_method_stk_push)(stb, 0x1122334455667788ull).is_err)
        __builtin_trap();
    /* put into a full queue waits until this component's get made room */
    S.m1 = 0x11111111u;
    S.m2 = 0x22222222u;
    S.p_put1 = (T(message_queue_method_msgq_put_params_t)){qb, {(uint8_t *)&S.m1, 4}, FOREVER};
    S.p_put2 = (T(message_queue_method_msgq_put_params_t)){qb, {(uint8_t *)&S.m2, 4}, FOREVER};
    await(T(message_queue_method_msgq_put_async)(&S.p_put1, &S.r_put1), 42, false, c_put1);
    await(T(message_queue_method_msgq_put_async)(&S.p_put2, &S.r_put2), 20, true, c_put2);
    await(T(message_queue_method_msgq_get_async)(qb, FOREVER, &S.r_get1), 43, false, c_get1);
    /* alloc from an exhausted slab waits for this component's free */
    await(T(mem_slab_method_slab_alloc_async)(sb, NO_WAIT, &S.r_alloc1), 44, false, c_alloc1);
    await(T(mem_slab_method_slab_alloc_async)(sb, FOREVER, &S.r_alloc2), 26, true, c_alloc2);
    if (S.r_alloc1.is_err || T(mem_slab_method_slab_free)(sb, S.r_alloc1.val.ok).is_err)
        __builtin_trap();
    end();
}

/* ---- 4: pipe, event, timeouts -------------------------------------------------- */
CONT(c_pr, { CHECK(30, list_eq(&S.r_pr, "ping", 4)); })
CONT(c_pw, { CHECK(29, !S.r_pw.is_err && S.r_pw.val.ok == 4); })
CONT(c_evt_any, { CHECK(35, !S.r_evt_any.is_err && S.r_evt_any.val.ok == 0x4); })
CONT(c_tmo, { CHECK(37, S.r_tmo.is_err && S.r_tmo.val.err == E_AGAIN); })
CONT(c_evt_none, { CHECK(38, S.r_evt_none.is_err && S.r_evt_none.val.err == E_AGAIN); })
CONT(c_pw_full, { CHECK(45, !S.r_pw_full.is_err && S.r_pw_full.val.ok == 8); })
CONT(c_pw_x, { CHECK(33, !S.r_pw_x.is_err && S.r_pw_x.val.ok == 1); })
CONT(c_pr_full, { CHECK(32, list_eq(&S.r_pr_full, S.fill, 8)); })

static void phase4(void)
{
    S.pip = T(pipe_constructor_pip)(8);
    S.evt = T(event_constructor_evt)();
    S.sem = T(semaphore_constructor_sem)(0, 1);
    T(pipe_pip_borrow_t) pb = T(pipe_pip_borrow)(S.pip);
    T(event_evt_borrow_t) eb = T(event_evt_borrow)(S.evt);
    begin(phase4b);
    /* read on an empty pipe waits for this component's write */
    await(T(pipe_method_pip_read_async)(pb, 16, FOREVER, &S.r_pr), 28, true, c_pr);
    S.p_pw = (T(pipe_method_pip_write_params_t)){pb, {(uint8_t *)(uintptr_t)"ping", 4}, FOREVER};
    await(T(pipe_method_pip_write_async)(&S.p_pw, &S.r_pw), 46, false, c_pw);
    /* wait-any waits for this component's post */
    S.p_evt_any = (T(event_method_evt_wait_any_params_t)){eb, 0x4, false, FOREVER};
    await(T(event_method_evt_wait_any_async)(&S.p_evt_any, &S.r_evt_any), 34, true, c_evt_any);
    T(event_method_evt_post)(eb, 0x4 | 0x1);
    /* a take nobody gives: completed by its 3 ms timeout */
    T(types_timeout_t) ms3 = {PULSEENGINE_GALE_TYPES_TIMEOUT_MILLIS, {3}};
    await(T(semaphore_method_sem_take_async)(T(semaphore_sem_borrow)(S.sem), ms3, &S.r_tmo), 36, true, c_tmo);
    /* would block, no-wait: fails at once */
    S.p_evt_none = (T(event_method_evt_wait_all_params_t)){eb, 0x30, false, NO_WAIT};
    await(T(event_method_evt_wait_all_async)(&S.p_evt_none, &S.r_evt_none), 47, false, c_evt_none);
    end();
}

static void phase4b(void)
{
    T(pipe_pip_borrow_t) pb = T(pipe_pip_borrow)(S.pip);
    for (int i = 0; i < 8; i++)
        S.fill[i] = (uint8_t)('a' + i);
    begin(phase5);
    S.p_pw_full = (T(pipe_method_pip_write_params_t)){pb, {S.fill, 8}, FOREVER};
    await(T(pipe_method_pip_write_async)(&S.p_pw_full, &S.r_pw_full), 48, false, c_pw_full); /* fills it */
    /* write into the full pipe waits until this component's read made room */
    S.p_pw_x = (T(pipe_method_pip_write_params_t)){pb, {(uint8_t *)(uintptr_t)"x", 1}, FOREVER};
    await(T(pipe_method_pip_write_async)(&S.p_pw_x, &S.r_pw_x), 31, true, c_pw_x);
    await(T(pipe_method_pip_read_async)(pb, 8, NO_WAIT, &S.r_pr_full), 49, false, c_pr_full);
    end();
}

/* ---- 5: drops --------------------------------------------------------------- */
static void phase5(void)
{
    T(timer_method_tmr_stop)(T(timer_tmr_borrow)(S.tmr));
    T(semaphore_sem_drop_own)(S.a_sem);
    T(event_evt_drop_own)(S.a_evt);
    T(message_queue_msgq_drop_own)(S.a_in);
    T(timer_tmr_drop_own)(S.tmr);
    T(mutex_mtx_drop_own)(S.mtx);
    T(condvar_cv_drop_own)(S.cv);
    T(stack_stk_drop_own)(S.stk);
    T(message_queue_msgq_drop_own)(S.q);
    T(mem_slab_slab_drop_own)(S.slab);
    T(pipe_pip_drop_own)(S.pip);
    T(event_evt_drop_own)(S.evt);
    T(semaphore_sem_drop_own)(S.sem);
    CHECK(39, n_started == ALL_ASYNC_NSTARTED);
    exports_all_async_run_return();
}

uint32_t exports_all_async_run(void)
{
    S.task = gale_task_begin(NULL);
    phase1();
    return gale_task_code(S.task);
}

uint32_t exports_all_async_run_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}
