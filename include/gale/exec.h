/* gale — the async executor (layer src/exec, on top of src/kernel).
 *
 * An executor drives tasks on the kernel thread that hosts it. A task is a poll
 * function + a context pointer + a 16-byte intrusive header (on a 32-bit MCU)
 * in storage the caller provides: nothing is allocated. A poll returns READY
 * (the task is done) or PENDING (it is parked until something wakes it).
 *
 * Guarantees (evidence in proofs/exec/ and tests/exec/; see docs/exec.md):
 * - No lost wakeup: a wake that arrives while the task is being polled makes
 *   the executor poll it once more; a wake of a parked task queues it once.
 * - No double enqueue; waking a queued, running, done or never-spawned task is
 *   harmless (coalesced).
 * - Round fairness: the ready queue is served in rounds. A round polls exactly
 *   the tasks that were queued when it began — highest priority first, FIFO
 *   within a priority — each once; tasks queued during the round (also a task
 *   that re-readies itself) wait for the next round. So every task queued at
 *   the start of a round is polled once before any task is polled twice.
 * - Bounded poll: each poll gets a budget (C tasks: cycles of the kernel cycle
 *   counter, measured; wasm tasks: engine fuel handed to the poll); overruns
 *   are counted and reported, and an optional watchdog fires while a poll is
 *   still running past its budget.
 * - When nothing is ready, the hosting thread blocks in the kernel (a
 *   semaphore take whose timeout is the earliest executor timer: tickless; on
 *   the host simulator virtual time jumps to it).
 *
 * Contexts: [E] the executor's own thread (inside a poll too), [any] also other
 * threads, ISRs and (through the AMP layer) deliveries from other cores.
 */
#ifndef GALE_EXEC_H
#define GALE_EXEC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gale/error.h"
#include "gale/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of task priorities: 0 (most urgent) .. 3. Fixed (the proofs use 4). */
#define GALE_EXEC_PRIOS 4

/* Task states (gale_exec_task_state). The same values, one to one, are the
 * states of src/exec/exec_core.h and of the Promela model
 * proofs/exec/wake_poll.pml. */
#define GALE_EXEC_TASK_FREE    0u /* initialised, never spawned                      */
#define GALE_EXEC_TASK_IDLE    1u /* parked after a PENDING poll, waits for a wake    */
#define GALE_EXEC_TASK_QUEUED  2u /* waiting in the executor's queue (exactly once)   */
#define GALE_EXEC_TASK_RUNNING 3u /* being polled                                     */
#define GALE_EXEC_TASK_WOKEN   4u /* being polled and woken since: will be re-polled  */
#define GALE_EXEC_TASK_DONE    5u /* completed (READY) or cancelled                   */

typedef enum gale_exec_poll {
    GALE_EXEC_PENDING = 0, /* not finished: park until woken */
    GALE_EXEC_READY = 1,   /* finished: the task is DONE */
} gale_exec_poll_t;

typedef struct gale_exec gale_exec_t;
typedef struct gale_exec_task gale_exec_task_t;
typedef struct gale_exec_cx gale_exec_cx_t;

/* The poll function. cx names the executor and the task and carries the
 * budget of this poll; ctx is the task's context pointer. */
typedef gale_exec_poll_t (*gale_exec_poll_fn)(gale_exec_cx_t *cx, void *ctx);

/* Task flags (gale_exec_task_t.flags). */
#define GALE_EXEC_TASK_F_EXT  0x01u /* the task is a gale_exec_task_ext_t (stats, budget) */
#define GALE_EXEC_TASK_F_FUEL 0x02u /* wasm task: the budget is engine fuel, not cycles  */

/* The per-task header: 16 bytes on a 32-bit MCU (checked below). Fields are
 * private to the executor; set them with gale_exec_task_init(). */
struct gale_exec_task {
    struct gale_exec_task *next; /* intrusive link: inbox or ready queue */
    gale_exec_poll_fn poll;
    void *ctx;
    _Atomic uint8_t state;       /* GALE_EXEC_TASK_* | 0x80 cancel requested */
    uint8_t prio;                /* 0 .. GALE_EXEC_PRIOS-1 */
    uint8_t flags;               /* GALE_EXEC_TASK_F_* */
    uint8_t exec_id;             /* executor it was spawned on (wake checks it) */
};

#if UINTPTR_MAX == 0xFFFFFFFFu
_Static_assert(sizeof(struct gale_exec_task) == 16, "gale_exec_task_t must be 16 bytes on a 32-bit MCU");
#endif

/* Per-task statistics and budget: a task whose storage is this struct (and
 * which was initialised with gale_exec_task_ext_init) gets introspection and
 * its own poll budget. The plain header stays 16 bytes. */
typedef struct gale_exec_task_ext {
    gale_exec_task_t task;        /* first: (gale_exec_task_t *) works */
    uint32_t budget;              /* per-poll budget: cycles (C) or fuel (F_FUEL); 0 = executor default */
    _Atomic uint32_t wakes;       /* wake calls received, any context */
    uint32_t polls;               /* polls started */
    uint32_t overruns;            /* polls that overran their budget */
    uint32_t max_poll_cycles;     /* longest poll (gale_kernel_cycles_get units) */
    uint32_t last_poll_cycles;
} gale_exec_task_ext_t;

typedef struct gale_exec_task_stats {
    uint32_t polls, wakes, overruns, max_poll_cycles, last_poll_cycles, budget;
} gale_exec_task_stats_t;

/* Static initialisers (state FREE). */
#define GALE_EXEC_TASK_INITIALIZER(poll_fn, ctx_ptr, prio_) \
    { NULL, (poll_fn), (ctx_ptr), 0, (prio_), 0, 0 }
#define GALE_EXEC_TASK_EXT_INITIALIZER(poll_fn, ctx_ptr, prio_, budget_) \
    { { NULL, (poll_fn), (ctx_ptr), 0, (prio_), GALE_EXEC_TASK_F_EXT, 0 }, (budget_), 0, 0, 0, 0, 0 }

/* [any] Initialise task storage (garbage is fine): state FREE. GALE_EINVAL
 * (with the reason in gale_exec_last_error()) for a NULL task or poll, or
 * prio >= GALE_EXEC_PRIOS. Never re-initialise a live (spawned, not DONE) task. */
int gale_exec_task_init(gale_exec_task_t *task, gale_exec_poll_fn poll, void *ctx, unsigned prio);
/* Same for an extended task; budget as in gale_exec_task_ext_t. flags may add
 * GALE_EXEC_TASK_F_FUEL for wasm tasks. */
int gale_exec_task_ext_init(gale_exec_task_ext_t *task, gale_exec_poll_fn poll, void *ctx,
                            unsigned prio, uint32_t budget, unsigned flags);

/* A waker names (executor, task). Copy it freely; it is valid as long as the
 * task storage lives. */
typedef struct gale_exec_waker {
    gale_exec_t *exec;
    gale_exec_task_t *task;
} gale_exec_waker_t;

/* The poll context, built by the executor for one poll. */
struct gale_exec_cx {
    gale_exec_t *exec;
    gale_exec_task_t *task;
    uint32_t budget;       /* this poll's budget: cycles (C task) or fuel (F_FUEL task); 0 = none */
    uint32_t used;         /* reported by the poll for fuel tasks (gale_exec_cx_report) */
    bool overrun;          /* set by gale_exec_cx_report when the budget ran out */
};

/* Executor timers (sleep-until / timeouts). Caller storage, usually inside
 * the task's context; armed from the task's own poll. */
typedef struct gale_exec_timer {
    struct gale_exec_timer *next;
    gale_exec_task_t *task;
    uint64_t deadline;     /* absolute kernel ticks (gale_kernel_uptime_ticks) */
    uint8_t state;         /* 0 idle, 1 armed, 2 fired */
} gale_exec_timer_t;
#define GALE_EXEC_TIMER_INITIALIZER { NULL, NULL, 0, 0 }

/* Hooks (all optional). */
typedef void (*gale_exec_overrun_fn)(gale_exec_t *exec, gale_exec_task_t *task,
                                     uint32_t used, uint32_t budget, void *arg);
typedef void (*gale_exec_done_fn)(gale_exec_t *exec, gale_exec_task_t *task, int status, void *arg);
typedef void (*gale_exec_signal_fn)(gale_exec_t *exec, void *arg);

typedef struct gale_exec_config {
    const char *name;               /* for diagnostics (may be NULL) */
    uint32_t budget_cycles;         /* default poll budget of C tasks, cycles; 0 = unbounded */
    uint32_t budget_fuel;           /* default fuel per poll of F_FUEL (wasm) tasks; 0 = unbounded */
    bool watchdog;                  /* arm a kernel timer per poll (thread executors): reports
                                       a C poll still running past its budget, from ISR context */
    bool no_timing;                 /* do not read the cycle counter around polls */
    gale_exec_overrun_fn on_overrun;/* a poll overran (after it returned; watchdog: while running,
                                       with used = elapsed so far) */
    gale_exec_done_fn on_done;      /* a task finished: status 0 (READY) or GALE_ECANCELED */
    /* NULL: a thread executor — gale_exec_run() blocks on a kernel semaphore
     * that wakes give. Non-NULL: an interrupt (or custom) executor — called
     * [any context] when work arrives for an idle executor (e.g. pend a
     * software IRQ whose handler calls gale_exec_run_once()). */
    gale_exec_signal_fn signal;
    void *arg;                      /* passed to the hooks */
} gale_exec_config_t;

typedef struct gale_exec_stats {
    uint64_t polls, rounds, sleeps /* kernel blocking calls */, wakes, effective_wakes, overruns;
    uint64_t spawns, completed, cancelled, timer_fires;
    uint32_t max_poll_cycles;
    uint32_t queued;                /* tasks in the ready queue now (not counting the inbox) */
} gale_exec_stats_t;

/* Ready-queue counts (same definition in src/exec/exec_core.h): per priority,
 * left tasks of the current round, then next tasks for the next round. */
#ifndef GALE_EXEC_RQ_COUNTS_DEFINED
#define GALE_EXEC_RQ_COUNTS_DEFINED
typedef struct gale_exec_rq_counts {
    uint16_t left[GALE_EXEC_PRIOS];
    uint16_t next[GALE_EXEC_PRIOS];
} gale_exec_rq_counts_t;
#endif

/* The executor. Storage is the caller's; fields are private. */
struct gale_exec {
    uint32_t magic;
    uint8_t id;
    _Atomic uint8_t stop;
    uint8_t in_run;                          /* run/run_once re-entrancy guard */
    _Atomic(gale_exec_task_t *) inbox;       /* lock-free MPSC stack of woken tasks */
    gale_exec_task_t *head[GALE_EXEC_PRIOS]; /* private ready queue: FIFO per priority */
    gale_exec_task_t *tail[GALE_EXEC_PRIOS];
    gale_exec_rq_counts_t rq;                /* ready-queue bookkeeping (proven core) */
    gale_exec_timer_t *timers;               /* armed timers, sorted by deadline */
    gale_exec_task_t *current;               /* task being polled, or NULL */
    uint64_t current_start;                  /* cycles when its poll began */
    gale_sem_t sem;                          /* thread executors block here */
    gale_timer_t ktimer;                     /* watchdog / interrupt-executor timer */
    gale_thread_t *thread;                   /* hosting thread while gale_exec_run() runs */
    gale_exec_config_t cfg;
    uint64_t timer_armed_for;                /* deadline ktimer is armed for (interrupt executors) */
    gale_exec_stats_t st;
    _Atomic uint32_t wakes;
    _Atomic uint32_t effective_wakes;
    _Atomic uint32_t spawns;
};

/* [any, before use] Initialise an executor (cfg may be NULL: defaults).
 * GALE_EINVAL for NULL exec. */
int gale_exec_init(gale_exec_t *exec, const gale_exec_config_t *cfg);

/* [any] Spawn a FREE or DONE task on exec: it becomes QUEUED and is polled
 * soon. GALE_EBUSY if it is live; GALE_EINVAL for bad arguments. */
int gale_exec_spawn(gale_exec_t *exec, gale_exec_task_t *task);

/* [any, lock-free] Wake a task: returns 1 when this wake scheduled a poll (the
 * task was parked, or is being polled and will be polled again), 0 when it was
 * coalesced (already queued / already woken / done / never spawned), or
 * GALE_EINVAL (NULL, or the task was spawned on another executor). */
int gale_exec_wake(gale_exec_t *exec, gale_exec_task_t *task);
static inline int gale_exec_waker_wake(gale_exec_waker_t w) { return gale_exec_wake(w.exec, w.task); }

/* [any, lock-free] Cancel: the task is never polled again; it becomes DONE at
 * its next dequeue (or at the end of the poll running now) and on_done gets
 * GALE_ECANCELED. A DONE or FREE task is left alone. Returns 0 or GALE_EINVAL. */
int gale_exec_cancel(gale_exec_t *exec, gale_exec_task_t *task);

/* [E] Run the executor on the calling kernel thread until gale_exec_stop():
 * poll rounds while tasks are ready, fire due timers, block in the kernel when
 * nothing is ready. GALE_ECONTEXT outside a kernel thread or in an ISR;
 * GALE_EINVAL for an interrupt executor (cfg.signal set) or re-entry. */
int gale_exec_run(gale_exec_t *exec);
/* [E or the interrupt executor's ISR] Fire due timers, take the woken tasks and
 * poll at most one round without blocking. Returns the number of polls made
 * (0: nothing was ready) or GALE_EINVAL. */
int gale_exec_run_once(gale_exec_t *exec);
/* [any] Make gale_exec_run() return after the poll running now. */
void gale_exec_stop(gale_exec_t *exec);

/* Poll context helpers. [E, inside the poll] */
static inline gale_exec_waker_t gale_exec_cx_waker(const gale_exec_cx_t *cx)
{
    gale_exec_waker_t w = { cx->exec, cx->task };
    return w;
}
static inline uint32_t gale_exec_cx_budget(const gale_exec_cx_t *cx) { return cx->budget; }
/* A fuel task reports what this poll used; used >= budget (fuel ran out) or
 * exhausted marks the poll as an overrun. */
void gale_exec_cx_report(gale_exec_cx_t *cx, uint32_t used, bool exhausted);
/* Yield: wake self, so the task is polled again in the next round. */
static inline void gale_exec_cx_yield(gale_exec_cx_t *cx) { (void)gale_exec_wake(cx->exec, cx->task); }

/* Timers. [E, inside the poll of cx->task] Returns true once uptime has
 * reached deadline_ticks (the timer is then disarmed); otherwise arms timer
 * for cx->task (re-arms it if the deadline changed) and returns false: the
 * task should return PENDING and will be woken at the deadline. */
bool gale_exec_sleep_until(gale_exec_cx_t *cx, gale_exec_timer_t *timer, uint64_t deadline_ticks);
/* [E] Disarm (no-op when not armed). */
void gale_exec_timer_cancel(gale_exec_t *exec, gale_exec_timer_t *timer);

/* Introspection. [any; values read without locking] */
unsigned gale_exec_task_state(const gale_exec_task_t *task);          /* GALE_EXEC_TASK_* */
bool gale_exec_task_cancelled(const gale_exec_task_t *task);
int gale_exec_task_stats_get(const gale_exec_task_t *task, gale_exec_task_stats_t *out); /* GALE_ENOSYS w/o ext */
void gale_exec_stats_get(const gale_exec_t *exec, gale_exec_stats_t *out);
gale_exec_task_t *gale_exec_current(const gale_exec_t *exec);
/* The reason of the last GALE_EINVAL / GALE_EBUSY returned by this layer. */
const char *gale_exec_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* GALE_EXEC_H */
