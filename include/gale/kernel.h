/* gale — the real-time kernel (layer src/kernel).
 *
 * Threads with fixed priorities, a tickless 64-bit timeout queue, kernel timers
 * and the synchronisation objects, all statically allocatable (no malloc: every
 * object and stack is a caller-provided buffer; *_DEFINE macros make static ones).
 *
 * Conventions
 * - Every fallible call returns 0 (or a non-negative count) on success and a
 *   negative GALE_E* code (gale/error.h) on failure. Misuse (unlocking a mutex one
 *   does not own, a blocking call from an ISR, deleting an object that has waiters,
 *   an uninitialised object) is reported with an error code AND a one-line
 *   diagnostic naming the call, the object and the thread (printed through the
 *   port console; the last one is kept for gale_kernel_diag_last()).
 * - Every blocking call takes a gale_timeout_t: GALE_NO_WAIT (never blocks; the only
 *   form allowed in ISR context), GALE_FOREVER, or a duration (GALE_MSEC(10) ...).
 *   Expiry returns GALE_ETIMEDOUT; GALE_NO_WAIT on a busy object returns
 *   GALE_EAGAIN (GALE_EBUSY for mutexes, like Zephyr).
 * - Priorities follow Zephyr: a lower number is more urgent. Negative priorities
 *   (GALE_PRIO_COOP(i)) are cooperative: such a thread runs until it blocks, yields
 *   or sleeps. Priorities >= 0 (GALE_PRIO_PREEMPT(i)) are preemptible: a more urgent
 *   ready thread preempts them at once. Threads of equal priority run FIFO; with
 *   time slicing on, preemptible threads of equal priority rotate.
 * - A core (cpu) is one kernel instance: a thread runs on one core, chosen at
 *   creation from its CPU mask (gale_kernel_thread_cpu_mask_set before start).
 * - Upper layers (exec, cm, host, hal, amp) use this header only; they never
 *   include gale/arch.h themselves (it is included here for the context type).
 *
 * Context legend in the comments: [T] thread only, [I] ISR too, [any].
 */
#ifndef GALE_KERNEL_H
#define GALE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gale/arch.h"
#include "gale/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Configuration (override with -D at build time)                             */
/* ------------------------------------------------------------------------- */

#ifndef GALE_CONFIG_TICK_HZ
#define GALE_CONFIG_TICK_HZ 1000000u          /* kernel ticks per second (tickless) */
#endif
#define GALE_CONFIG_MAX_CPUS GALE_ARCH_MAX_CPUS
#ifndef GALE_CONFIG_NUM_COOP_PRIO
#define GALE_CONFIG_NUM_COOP_PRIO 16           /* priorities -16 .. -1 */
#endif
#ifndef GALE_CONFIG_NUM_PREEMPT_PRIO
#define GALE_CONFIG_NUM_PREEMPT_PRIO 16        /* priorities 0 .. 15; 15 = idle only */
#endif
#define GALE_NUM_PRIO (GALE_CONFIG_NUM_COOP_PRIO + GALE_CONFIG_NUM_PREEMPT_PRIO)
#ifndef GALE_CONFIG_STACK_CANARY_SIZE
#define GALE_CONFIG_STACK_CANARY_SIZE 64u      /* bytes at the stack bottom, checked on switch */
#endif
#ifndef GALE_CONFIG_IDLE_STACK_SIZE
#define GALE_CONFIG_IDLE_STACK_SIZE GALE_ARCH_STACK_MIN
#endif
#ifndef GALE_CONFIG_SWITCH_STATS
#define GALE_CONFIG_SWITCH_STATS 1             /* count gale_thread_t.switched_in (0: left 0) */
#endif

/* Priorities */
#define GALE_PRIO_COOP(x)     (-(GALE_CONFIG_NUM_COOP_PRIO) + (x))   /* x = 0 .. 15 */
#define GALE_PRIO_PREEMPT(x)  (x)                                   /* x = 0 .. 14 */
#define GALE_PRIO_HIGHEST     (-(GALE_CONFIG_NUM_COOP_PRIO))
#define GALE_PRIO_LOWEST      (GALE_CONFIG_NUM_PREEMPT_PRIO - 2)     /* lowest for users */
#define GALE_PRIO_IDLE        (GALE_CONFIG_NUM_PREEMPT_PRIO - 1)

/* ------------------------------------------------------------------------- */
/* Time and timeouts                                                          */
/* ------------------------------------------------------------------------- */

/* A timeout: ticks >= 0 is a relative duration, -1 is forever, and
 * ticks <= -2 encodes an absolute deadline (uptime tick -2 - ticks). */
typedef struct gale_timeout {
    int64_t ticks;
} gale_timeout_t;

#define GALE_TIMEOUT_FOREVER_TICKS (-1)
#define GALE_NO_WAIT     ((gale_timeout_t){ 0 })
#define GALE_FOREVER     ((gale_timeout_t){ GALE_TIMEOUT_FOREVER_TICKS })
#define GALE_TICKS(t)    ((gale_timeout_t){ (int64_t)(t) })
#define GALE_NSEC(ns)    GALE_TICKS(gale_kernel_ns_to_ticks_ceil((uint64_t)(ns)))
#define GALE_USEC(us)    GALE_TICKS(gale_kernel_us_to_ticks_ceil((uint64_t)(us)))
#define GALE_MSEC(ms)    GALE_TICKS(gale_kernel_ms_to_ticks_ceil((uint64_t)(ms)))
#define GALE_SECONDS(s)  GALE_MSEC((uint64_t)(s) * 1000u)
/* Absolute: wake at uptime tick t. */
#define GALE_TIMEOUT_ABS_TICKS(t) ((gale_timeout_t){ -2 - (int64_t)(t) })

#define GALE_TIMEOUT_IS_NO_WAIT(t)  ((t).ticks == 0)
#define GALE_TIMEOUT_IS_FOREVER(t)  ((t).ticks == GALE_TIMEOUT_FOREVER_TICKS)

/* Conversions (round up so a timeout never ends early; saturate on overflow). */
static inline uint64_t gale_kernel_unit_to_ticks_ceil(uint64_t v, uint64_t unit_hz)
{
    if (unit_hz <= GALE_CONFIG_TICK_HZ && GALE_CONFIG_TICK_HZ % unit_hz == 0u) {
        /* exact multiple (ms, us with the default 1 MHz tick): no division */
        uint64_t m = GALE_CONFIG_TICK_HZ / unit_hz;
        return v > (uint64_t)INT64_MAX / m ? (uint64_t)INT64_MAX : v * m;
    }
    uint64_t whole = v / unit_hz, rest = v % unit_hz;
    if (whole > UINT64_MAX / GALE_CONFIG_TICK_HZ / 2u)
        return INT64_MAX;
    return whole * GALE_CONFIG_TICK_HZ + (rest * GALE_CONFIG_TICK_HZ + unit_hz - 1u) / unit_hz;
}
static inline uint64_t gale_kernel_ns_to_ticks_ceil(uint64_t ns) { return gale_kernel_unit_to_ticks_ceil(ns, 1000000000u); }
static inline uint64_t gale_kernel_us_to_ticks_ceil(uint64_t us) { return gale_kernel_unit_to_ticks_ceil(us, 1000000u); }
static inline uint64_t gale_kernel_ms_to_ticks_ceil(uint64_t ms) { return gale_kernel_unit_to_ticks_ceil(ms, 1000u); }
static inline uint64_t gale_kernel_ticks_to_us(uint64_t t)
{
    return t / GALE_CONFIG_TICK_HZ * 1000000u + t % GALE_CONFIG_TICK_HZ * 1000000u / GALE_CONFIG_TICK_HZ;
}
static inline uint64_t gale_kernel_ticks_to_ms(uint64_t t)
{
    return t / GALE_CONFIG_TICK_HZ * 1000u + t % GALE_CONFIG_TICK_HZ * 1000u / GALE_CONFIG_TICK_HZ;
}

/* [any] A span of the cycle counter (gale_kernel_cycles_get) in ticks, rounded down. */
uint64_t gale_kernel_cycles_to_ticks(uint64_t cycles);
/* [any] Ticks since gale_kernel_init() on this core's clock (64-bit, no wrap). */
uint64_t gale_kernel_uptime_ticks(void);
/* [any] Milliseconds / microseconds since init (from the tick count). */
uint64_t gale_kernel_uptime_ms(void);
uint64_t gale_kernel_uptime_us(void);
/* [any] The port's cycle counter and its rate (posix: nanoseconds). */
uint64_t gale_kernel_cycles_get(void);
uint64_t gale_kernel_cycles_per_sec(void);

/* ------------------------------------------------------------------------- */
/* Internal building blocks that appear inside public structs                 */
/* (fields are private to the kernel: do not touch)                           */
/* ------------------------------------------------------------------------- */

struct gale_thread;
struct gale_mutex;

/* Wait queue: threads ordered by priority, FIFO among equal priority. */
typedef struct gale_wait_q {
    struct gale_thread *head;
    struct gale_thread *tail;
} gale_wait_q_t;
#define GALE_WAIT_Q_INIT { NULL, NULL }

/* A node of a core's timeout queue (sorted by absolute deadline, FIFO on ties). */
typedef struct gale_timeout_node {
    struct gale_timeout_node *next;
    struct gale_timeout_node *prev;
    uint64_t deadline;                               /* absolute ticks */
    void (*fn)(struct gale_timeout_node *node);      /* runs in ISR context */
    uint8_t cpu;
    uint8_t linked;
} gale_timeout_node_t;

/* Object magic numbers (detect use of an uninitialised or deleted object). */
#define GALE_MAGIC_THREAD  0x47546864u
#define GALE_MAGIC_SEM     0x4753656du
#define GALE_MAGIC_MUTEX   0x474d7478u
#define GALE_MAGIC_CONDVAR 0x47437664u
#define GALE_MAGIC_EVENT   0x47457674u
#define GALE_MAGIC_MSGQ    0x474d7367u
#define GALE_MAGIC_PIPE    0x47506970u
#define GALE_MAGIC_MBOX    0x474d6278u
#define GALE_MAGIC_STACK   0x4753746bu
#define GALE_MAGIC_SLAB    0x47536c62u
#define GALE_MAGIC_TIMER   0x47546d72u

/* ------------------------------------------------------------------------- */
/* Kernel                                                                     */
/* ------------------------------------------------------------------------- */

/* [T, before boot] (Re)initialise every core's kernel state: ready queues,
 * timeout queues, idle threads, uptime 0. Forgets all threads of a previous run
 * (host tests call it once per simulated run), then creates the statically
 * defined threads (GALE_THREAD_DEFINE). On posix call gale_sim_setup() first and
 * gale_sim_run() after creating the threads. */
int gale_kernel_init(void);

/* [any] IRQ masking for upper layers (wraps the port). Nests through the key. */
unsigned int gale_kernel_irq_lock(void);
void gale_kernel_irq_unlock(unsigned int key);
/* [any] True in ISR context (blocking calls are refused there). */
bool gale_kernel_isr_active(void);
/* [any] Index of the calling core / number of cores in this run. */
unsigned int gale_kernel_cpu_id(void);
unsigned int gale_kernel_cpu_count(void);

/* Diagnostics: the last misuse message (thread-agnostic, overwritten each time). */
const char *gale_kernel_diag_last(void);
/* Stop printing misuse diagnostics (tests of error paths); still recorded. */
void gale_kernel_diag_quiet(bool quiet);

/* Fatal errors (stack canary smashed, corrupted object). The handler gets the
 * reason (GALE_E*), the thread at fault (may be NULL) and a message. If it returns,
 * the faulting thread is aborted and the system keeps running; the default handler
 * calls gale_arch_fatal() (posix: print + abort()). */
typedef void (*gale_kernel_fatal_handler_t)(int reason, struct gale_thread *thread, const char *msg);
void gale_kernel_fatal_handler_set(gale_kernel_fatal_handler_t handler);

/* ------------------------------------------------------------------------- */
/* Threads                                                                    */
/* ------------------------------------------------------------------------- */

typedef void (*gale_thread_entry_t)(void *p1, void *p2, void *p3);

/* Thread states (bit set; a thread may be e.g. PENDING|SUSPENDED). */
#define GALE_THREAD_PRESTART  0x01u   /* created, not started */
#define GALE_THREAD_READY     0x02u   /* in its core's ready queue (running or runnable) */
#define GALE_THREAD_PENDING   0x04u   /* on a wait queue */
#define GALE_THREAD_SLEEPING  0x08u   /* in gale_kernel_sleep */
#define GALE_THREAD_SUSPENDED 0x10u
#define GALE_THREAD_DEAD      0x20u   /* returned, aborted or faulted */

typedef struct gale_thread {
    gale_arch_context_t ctx;             /* port-saved CPU context */
    uint32_t magic;
    uint32_t state;
    struct gale_thread *q_next;          /* ready queue or wait queue links */
    struct gale_thread *q_prev;
    gale_wait_q_t *pended_on;            /* wait queue it is on (PENDING) */
    gale_timeout_node_t timeout;         /* sleep / pend timeout */
    int8_t prio;                         /* effective (priority inheritance) */
    int8_t base_prio;                    /* as set by the user */
    uint8_t cpu;                         /* core it runs on */
    uint8_t sched_locked;                /* gale_kernel_sched_lock depth */
    uint32_t cpu_mask;                   /* cores it may run on */
    int wait_result;                     /* result of the last pend (set by the waker) */
    void *wait_data;                     /* object-specific: the waiter's request/buffer */
    uintptr_t wait_value;                /* object-specific: a value handed over */
    struct gale_mutex *owned_mutexes;    /* mutexes it holds (priority inheritance) */
    struct gale_mutex *blocked_mutex;    /* mutex it waits for (PI chain), or NULL */
    gale_wait_q_t join_q;                /* threads in gale_kernel_thread_join */
    uint8_t *stack;                      /* lowest address */
    size_t stack_size;
    gale_thread_entry_t entry;
    void *p1, *p2, *p3;
    const char *name;
    struct gale_thread *all_next;        /* list of every thread (diagnostics) */
    uint64_t switched_in;                /* times switched in (GALE_CONFIG_SWITCH_STATS) */
    const char *pend_what;               /* the blocking call it is in (diagnostics) */
    uint32_t gen;                        /* kernel generation it was created in */
} gale_thread_t;

/* Stacks: a suitably aligned byte array; size includes the canary. */
#define GALE_THREAD_STACK_DEFINE(name, size) \
    _Alignas(GALE_ARCH_STACK_ALIGN) uint8_t name[(size) < GALE_ARCH_STACK_MIN ? GALE_ARCH_STACK_MIN : (size)]
#define GALE_THREAD_STACK_SIZEOF(name) sizeof(name)

/* [T or before boot] Create a thread on the caller's buffers and ready it after
 * `delay` (GALE_NO_WAIT: now; GALE_FOREVER: only when gale_kernel_thread_start()
 * is called). prio: GALE_PRIO_HIGHEST .. GALE_PRIO_LOWEST. The new thread runs on
 * the caller's core (core 0 before boot) unless gale_kernel_thread_cpu_mask_set()
 * changes it before start. Returns GALE_EINVAL (NULL thread/entry, bad priority,
 * stack too small or misaligned, thread already live) or GALE_OK. */
int gale_kernel_thread_create(gale_thread_t *t, void *stack, size_t stack_size,
                              gale_thread_entry_t entry, void *p1, void *p2, void *p3,
                              int prio, uint32_t options, gale_timeout_t delay);
#define GALE_THREAD_OPT_NONE 0u

/* [any] Start a thread created with delay GALE_FOREVER. GALE_EINVAL if not PRESTART. */
int gale_kernel_thread_start(gale_thread_t *t);
/* [any] Name for diagnostics (the string must outlive the thread). */
int gale_kernel_thread_name_set(gale_thread_t *t, const char *name);
const char *gale_kernel_thread_name_get(const gale_thread_t *t);
/* [T] The calling thread (NULL in ISR or before boot). */
gale_thread_t *gale_kernel_thread_self(void);

/* [T] Sleep for the timeout. Returns 0 when it elapsed, or the remaining ticks
 * (> 0) when woken early by gale_kernel_thread_wakeup(). GALE_FOREVER sleeps until
 * woken. GALE_ECONTEXT from an ISR. */
int64_t gale_kernel_sleep(gale_timeout_t timeout);
/* [any] Wake a sleeping thread early. GALE_EINVAL if it is not sleeping. */
int gale_kernel_thread_wakeup(gale_thread_t *t);
/* [any] End the wait of a thread pended on a kernel object (sem, mutex, msgq,
 * ...) early: it leaves the wait queue and its timeout, and the blocking call
 * returns GALE_ECANCELED (priority inheritance is undone as on a timeout).
 * GALE_EINVAL if it is not pending. */
int gale_kernel_thread_wait_abort(gale_thread_t *t);
/* [T] Let other ready threads of the same priority run first. */
void gale_kernel_yield(void);
/* [any] Suspend / resume (suspending self switches away at once). A suspended
 * thread that was pending keeps its place in the wait queue and its timeout; it
 * runs again only once resumed. */
int gale_kernel_thread_suspend(gale_thread_t *t);
int gale_kernel_thread_resume(gale_thread_t *t);
/* [any] End a thread: it is removed from every queue, its joiners are woken.
 * A thread aborting itself does not return. Aborting a thread that holds mutexes
 * is refused with GALE_EBUSY (and a diagnostic): it would leave them locked. */
int gale_kernel_thread_abort(gale_thread_t *t);
/* [T] Wait until t has ended (GALE_OK), or timeout (GALE_EBUSY with GALE_NO_WAIT
 * on a live thread). GALE_EDEADLK for self or for a thread joining the caller. */
int gale_kernel_thread_join(gale_thread_t *t, gale_timeout_t timeout);
/* [any] Base priority. Setting it re-sorts the thread in its ready or wait queue
 * and re-computes priority inheritance. */
int gale_kernel_thread_priority_get(const gale_thread_t *t);
int gale_kernel_thread_priority_set(gale_thread_t *t, int prio);
/* [any] Thread state bits (GALE_THREAD_*). */
uint32_t gale_kernel_thread_state_get(const gale_thread_t *t);
/* [any, before start] CPU mask (bit i = core i). Must name a core of this run;
 * the thread runs on the lowest allowed core, or the caller's core if allowed.
 * GALE_EINVAL for an empty mask or one naming no existing core, GALE_EBUSY once
 * the thread has started. */
int gale_kernel_thread_cpu_mask_set(gale_thread_t *t, uint32_t mask);
int gale_kernel_thread_cpu_pin(gale_thread_t *t, unsigned int cpu);
/* [any] Core the thread runs on. */
unsigned int gale_kernel_thread_cpu_get(const gale_thread_t *t);

/* [T] Scheduler lock: the caller is not preempted (ISRs still run) until unlock. */
void gale_kernel_sched_lock(void);
void gale_kernel_sched_unlock(void);
/* [any] Time slicing for preemptible threads with priority >= prio_floor
 * (numerically): after slice_ticks of running, the thread goes behind the other
 * ready threads of its priority. slice_ticks 0 turns it off (default). Applies to
 * every core. */
void gale_kernel_sched_time_slice_set(uint32_t slice_ticks, int prio_floor);

/* Static threads: defined at file scope, created (and started after
 * delay_ms, or not if delay_ms < 0) by gale_kernel_init(). */
typedef struct gale_thread_static {
    gale_thread_t *thread;
    uint8_t *stack;
    size_t stack_size;
    gale_thread_entry_t entry;
    void *p1, *p2, *p3;
    int prio;
    int32_t delay_ms;
    const char *name;
} gale_thread_static_t;
#define GALE_THREAD_DEFINE(name, stack_size, entry, p1, p2, p3, prio, delay_ms)     \
    GALE_THREAD_STACK_DEFINE(name##_stack, stack_size);                              \
    gale_thread_t name;                                                              \
    __attribute__((used, section("gale_static_threads")))                            \
    static const gale_thread_static_t name##_static = {                             \
        &name, name##_stack, sizeof(name##_stack), (entry), (p1), (p2), (p3),        \
        (prio), (delay_ms), #name }

/* ------------------------------------------------------------------------- */
/* Watches: learn, without a thread, that an object may let an op succeed    */
/* ------------------------------------------------------------------------- */

/* A watch is a caller-owned node hooked on one object (and one direction of
 * it). Whenever the object's state changes so that a waiting operation of that
 * kind could now succeed (a sem given, a message queued or a slot freed, a word
 * pushed, pipe bytes or room, events posted or set, a slab block freed, a timer
 * expiry or stop, a pipe closed or reset, a msgq purged), the object calls
 * fn(w, arg) -- after the threads blocked in the kernel on it were served (they
 * keep their FIFO/priority hand-off; a watcher retries level-triggered after
 * them, and may find nothing left: then it watches again).
 *
 * One-shot: the watch is unhooked before fn runs; watch again to keep
 * watching. fn runs under the kernel lock, in thread or ISR context, on the
 * core that changed the object: keep it short; it may give a semaphore or wake
 * an executor task (such a wake takes effect when the kernel lock is released,
 * or switches right away on a nested give), but must not block, and must not
 * watch or unwatch objects itself.
 *
 * No lost wakeup: watch first, then try the operation with GALE_NO_WAIT. Both
 * take the kernel lock, so any change after the watch fires it, and any change
 * before it is seen by the try. Hot paths pay one predictable branch when
 * nobody watches. [any] */
typedef struct gale_kernel_watch gale_kernel_watch_t;
typedef void (*gale_kernel_watch_fn)(gale_kernel_watch_t *w, void *arg);
struct gale_kernel_watch {
    gale_kernel_watch_t *next;  /* kernel-owned while hooked */
    gale_kernel_watch_t **list; /* the list it is on; NULL when not hooked */
    gale_kernel_watch_fn fn;
    void *arg;
};
typedef enum gale_watch_kind {
    GALE_WATCH_SEM_TAKE = 0,  /* gale_sem_t: count may be > 0 */
    GALE_WATCH_MSGQ_GET,      /* gale_msgq_t: a message may be queued */
    GALE_WATCH_MSGQ_PUT,      /* gale_msgq_t: a slot may be free */
    GALE_WATCH_STACK_POP,     /* gale_stack_t: a word may be there */
    GALE_WATCH_PIPE_READ,     /* gale_pipe_t: bytes (or closed) */
    GALE_WATCH_PIPE_WRITE,    /* gale_pipe_t: room (or closed) */
    GALE_WATCH_EVENT,         /* gale_event_t: bits posted or set */
    GALE_WATCH_SLAB_ALLOC,    /* gale_mem_slab_t: a block may be free */
    GALE_WATCH_TIMER,         /* gale_timer_t: expired or stopped */
    GALE_WATCH_KIND_COUNT
} gale_watch_kind_t;
/* Prepare a watch (not hooked). */
void gale_kernel_watch_init(gale_kernel_watch_t *w, gale_kernel_watch_fn fn, void *arg);
/* Hook w on obj for `kind`. GALE_EINVAL: NULL, bad kind, obj not initialised as
 * that kind; GALE_EBUSY: w is already hooked (unwatch it first). */
int gale_kernel_watch(gale_kernel_watch_t *w, gale_watch_kind_t kind, void *obj);
/* Unhook w if hooked (fired or never hooked: nothing). After it returns fn will
 * not be called for w (unless watched again). */
void gale_kernel_unwatch(gale_kernel_watch_t *w);
/* Whether w is hooked (not fired, not unwatched). */
bool gale_kernel_watch_armed(const gale_kernel_watch_t *w);

/* ------------------------------------------------------------------------- */
/* Kernel timers (expiry callbacks run in ISR context on the starting core)   */
/* ------------------------------------------------------------------------- */

typedef struct gale_timer gale_timer_t;
typedef void (*gale_timer_fn_t)(gale_timer_t *timer);

struct gale_timer {
    uint32_t magic;
    gale_timeout_node_t node;
    gale_timer_fn_t expiry;        /* may be NULL */
    gale_timer_fn_t stop_fn;       /* called by gale_kernel_timer_stop if running; may be NULL */
    gale_wait_q_t wq;              /* threads in gale_kernel_timer_status_sync */
    uint64_t period;               /* ticks; 0 = one-shot */
    uint32_t status;               /* expiries since last read */
    void *user_data;
    gale_kernel_watch_t *watch;    /* GALE_WATCH_TIMER */
};
#define GALE_TIMER_INITIALIZER(obj, expiry_fn, stop_fn_)                          \
    { GALE_MAGIC_TIMER, { NULL, NULL, 0, NULL, 0, 0 }, (expiry_fn), (stop_fn_),    \
      GALE_WAIT_Q_INIT, 0, 0, NULL, NULL }
#define GALE_TIMER_DEFINE(name, expiry_fn, stop_fn_) \
    gale_timer_t name = GALE_TIMER_INITIALIZER(name, expiry_fn, stop_fn_)

/* [any] */
int gale_kernel_timer_init(gale_timer_t *timer, gale_timer_fn_t expiry, gale_timer_fn_t stop_fn);
/* [any] (Re)start: first expiry after duration, then every period (GALE_NO_WAIT
 * or a zero period: one-shot). Restarting resets the status count. duration
 * GALE_FOREVER is GALE_EINVAL. The timer runs on the caller's core. */
int gale_kernel_timer_start(gale_timer_t *timer, gale_timeout_t duration, gale_timeout_t period);
/* [any] Stop; calls stop_fn if it was running; wakes status_sync waiters with
 * GALE_ECANCELED. */
int gale_kernel_timer_stop(gale_timer_t *timer);
/* [any] Expiries since the last status read (reads reset it). */
uint32_t gale_kernel_timer_status_get(gale_timer_t *timer);
/* [T] Wait for the next expiry if none happened since the last read; returns the
 * count (>= 1), GALE_ECANCELED when stopped, GALE_EAGAIN when not running, or a
 * timeout error. */
int gale_kernel_timer_status_sync(gale_timer_t *timer, gale_timeout_t timeout);
/* [any] Ticks until the next expiry (0 if not running). */
uint64_t gale_kernel_timer_remaining_ticks(const gale_timer_t *timer);
static inline void gale_kernel_timer_user_data_set(gale_timer_t *timer, void *d) { timer->user_data = d; }
static inline void *gale_kernel_timer_user_data_get(const gale_timer_t *timer) { return timer->user_data; }

/* ------------------------------------------------------------------------- */
/* Semaphore (counting, with a limit)                                         */
/* ------------------------------------------------------------------------- */

typedef struct gale_sem {
    uint32_t magic;
    gale_wait_q_t wq;
    uint32_t count;
    uint32_t limit;
    gale_kernel_watch_t *watch;    /* GALE_WATCH_SEM_TAKE */
} gale_sem_t;
#define GALE_SEM_INITIALIZER(obj, initial, lim) { GALE_MAGIC_SEM, GALE_WAIT_Q_INIT, (initial), (lim), NULL }
#define GALE_SEM_DEFINE(name, initial, lim) gale_sem_t name = GALE_SEM_INITIALIZER(name, initial, lim)
#define GALE_SEM_MAX_LIMIT UINT32_MAX

/* [any] GALE_EINVAL if limit == 0 or initial > limit. */
int gale_kernel_sem_init(gale_sem_t *sem, uint32_t initial, uint32_t limit);
/* [T; I with GALE_NO_WAIT] Take one unit. */
int gale_kernel_sem_take(gale_sem_t *sem, gale_timeout_t timeout);
/* [I] Give one unit: hands it to the most urgent waiter (FIFO among equals) or
 * counts it. GALE_EOVERFLOW (count unchanged) when the count is at the limit. */
int gale_kernel_sem_give(gale_sem_t *sem);
/* [I] Count to 0; every waiter returns GALE_EAGAIN. */
void gale_kernel_sem_reset(gale_sem_t *sem);
uint32_t gale_kernel_sem_count_get(const gale_sem_t *sem);
/* [any] Invalidate: GALE_EBUSY (nothing changed) while threads wait on it. */
int gale_kernel_sem_delete(gale_sem_t *sem);

/* ------------------------------------------------------------------------- */
/* Mutex (recursive, priority inheritance, owner-checked)                     */
/* ------------------------------------------------------------------------- */

typedef struct gale_mutex {
    uint32_t magic;
    gale_wait_q_t wq;
    struct gale_thread *owner;
    uint32_t lock_count;
    struct gale_mutex *owned_next;      /* in owner->owned_mutexes */
} gale_mutex_t;
#define GALE_MUTEX_INITIALIZER(obj) { GALE_MAGIC_MUTEX, GALE_WAIT_Q_INIT, NULL, 0, NULL }
#define GALE_MUTEX_DEFINE(name) gale_mutex_t name = GALE_MUTEX_INITIALIZER(name)
#define GALE_MUTEX_MAX_RECURSION 0xFFFFu

int gale_kernel_mutex_init(gale_mutex_t *mutex);
/* [T] Lock (recursively for the owner). While a more urgent thread waits, the
 * owner runs at the waiter's priority; this propagates along chains (owner blocked
 * on another mutex). GALE_EBUSY with GALE_NO_WAIT when held by another thread;
 * GALE_EDEADLK when waiting would close a cycle of owners; GALE_EOVERFLOW past
 * GALE_MUTEX_MAX_RECURSION; GALE_ECONTEXT from an ISR. */
int gale_kernel_mutex_lock(gale_mutex_t *mutex, gale_timeout_t timeout);
/* [T] Unlock one level. GALE_EPERM (with a diagnostic naming the owner) when the
 * caller does not own it; GALE_EINVAL when it is not locked. The last unlock hands
 * the mutex to the most urgent waiter and drops any inherited priority. */
int gale_kernel_mutex_unlock(gale_mutex_t *mutex);
/* [any] Owner (NULL if free) and recursion depth. */
gale_thread_t *gale_kernel_mutex_owner_get(const gale_mutex_t *mutex);
int gale_kernel_mutex_delete(gale_mutex_t *mutex);   /* GALE_EBUSY while locked or waited on */

/* ------------------------------------------------------------------------- */
/* Condition variable (implemented by kernel-objects)                         */
/* ------------------------------------------------------------------------- */

typedef struct gale_condvar {
    uint32_t magic;
    gale_wait_q_t wq;
} gale_condvar_t;
#define GALE_CONDVAR_INITIALIZER(obj) { GALE_MAGIC_CONDVAR, GALE_WAIT_Q_INIT }
#define GALE_CONDVAR_DEFINE(name) gale_condvar_t name = GALE_CONDVAR_INITIALIZER(name)

int gale_kernel_condvar_init(gale_condvar_t *cv);
/* [I] Wake the most urgent waiter. GALE_OK whether or not one waited. */
int gale_kernel_condvar_signal(gale_condvar_t *cv);
/* [I] Wake all waiters; returns how many. */
int gale_kernel_condvar_broadcast(gale_condvar_t *cv);
/* [T] Atomically unlock mutex (which the caller must own, once: else GALE_EPERM)
 * and wait; re-locks before returning, also on timeout. */
int gale_kernel_condvar_wait(gale_condvar_t *cv, gale_mutex_t *mutex, gale_timeout_t timeout);
int gale_kernel_condvar_delete(gale_condvar_t *cv);

/* ------------------------------------------------------------------------- */
/* Event flags (implemented by kernel-objects)                                */
/* ------------------------------------------------------------------------- */

typedef struct gale_event {
    uint32_t magic;
    gale_wait_q_t wq;
    uint32_t events;
    gale_kernel_watch_t *watch;    /* GALE_WATCH_EVENT */
} gale_event_t;
#define GALE_EVENT_INITIALIZER(obj) { GALE_MAGIC_EVENT, GALE_WAIT_Q_INIT, 0, NULL }
#define GALE_EVENT_DEFINE(name) gale_event_t name = GALE_EVENT_INITIALIZER(name)

#define GALE_EVENT_WAIT_ANY   0x0u   /* any of the requested bits */
#define GALE_EVENT_WAIT_ALL   0x1u   /* all of the requested bits */
#define GALE_EVENT_CLEAR      0x2u   /* clear the matched bits on exit */
#define GALE_EVENT_RESET      0x4u   /* clear the requested bits before waiting */

int gale_kernel_event_init(gale_event_t *ev);
/* [I] OR events in and wake the waiters whose condition now holds. */
int gale_kernel_event_post(gale_event_t *ev, uint32_t events);
/* [I] Replace the value, then wake as post does. */
int gale_kernel_event_set(gale_event_t *ev, uint32_t events);
/* [I] Clear bits. */
int gale_kernel_event_clear(gale_event_t *ev, uint32_t events);
/* [T; I with GALE_NO_WAIT] Wait until any/all of `events` are set (options
 * above); *matched (if non-NULL) gets the matched bits. GALE_EINVAL for events 0. */
int gale_kernel_event_wait(gale_event_t *ev, uint32_t events, uint32_t options,
                           uint32_t *matched, gale_timeout_t timeout);
uint32_t gale_kernel_event_get(const gale_event_t *ev);
int gale_kernel_event_delete(gale_event_t *ev);

/* ------------------------------------------------------------------------- */
/* Message queue: fixed-size messages in a caller ring (kernel-objects)       */
/* ------------------------------------------------------------------------- */

typedef struct gale_msgq {
    uint32_t magic;
    gale_wait_q_t wq_get;          /* readers waiting for a message */
    gale_wait_q_t wq_put;          /* writers waiting for room */
    uint8_t *buffer;
    size_t msg_size;
    uint32_t max_msgs;
    uint32_t read_idx;
    uint32_t write_idx;
    uint32_t used;
    gale_kernel_watch_t *watch_get; /* GALE_WATCH_MSGQ_GET */
    gale_kernel_watch_t *watch_put; /* GALE_WATCH_MSGQ_PUT */
} gale_msgq_t;
#define GALE_MSGQ_INITIALIZER(obj, buf, msize, nmax) \
    { GALE_MAGIC_MSGQ, GALE_WAIT_Q_INIT, GALE_WAIT_Q_INIT, (uint8_t *)(buf), (msize), (nmax), 0, 0, 0, NULL, NULL }
#define GALE_MSGQ_DEFINE(name, msize, nmax)                                         \
    static _Alignas(8) uint8_t name##_buffer[(size_t)(msize) * (nmax)];            \
    gale_msgq_t name = GALE_MSGQ_INITIALIZER(name, name##_buffer, msize, nmax)

/* [any] buffer holds max_msgs * msg_size bytes. */
int gale_kernel_msgq_init(gale_msgq_t *q, void *buffer, size_t msg_size, uint32_t max_msgs);
/* [T; I with GALE_NO_WAIT] Copy one message in (FIFO); GALE_EAGAIN when full and
 * no-wait. A waiting reader gets it directly. */
int gale_kernel_msgq_put(gale_msgq_t *q, const void *data, gale_timeout_t timeout);
/* [T; I with GALE_NO_WAIT] Copy the oldest message out; GALE_EAGAIN when empty
 * and no-wait. A waiting writer's message moves into the freed slot. */
int gale_kernel_msgq_get(gale_msgq_t *q, void *data, gale_timeout_t timeout);
/* [any] Copy the oldest message without removing it; GALE_ENOMSG when empty. */
int gale_kernel_msgq_peek(gale_msgq_t *q, void *data);
/* [any] Drop every message; writers waiting for room return GALE_ECANCELED
 * (their message is not queued). */
void gale_kernel_msgq_purge(gale_msgq_t *q);
uint32_t gale_kernel_msgq_num_used_get(const gale_msgq_t *q);
uint32_t gale_kernel_msgq_num_free_get(const gale_msgq_t *q);
int gale_kernel_msgq_delete(gale_msgq_t *q);

/* ------------------------------------------------------------------------- */
/* Pipe: byte stream with partial reads / writes (kernel-objects)             */
/* ------------------------------------------------------------------------- */

typedef struct gale_pipe {
    uint32_t magic;
    gale_wait_q_t wq_read;
    gale_wait_q_t wq_write;
    uint8_t *buffer;
    size_t size;
    size_t read_idx;
    size_t write_idx;
    size_t used;
    uint32_t flags;                /* GALE_PIPE_CLOSED ... */
    gale_kernel_watch_t *watch_read;  /* GALE_WATCH_PIPE_READ */
    gale_kernel_watch_t *watch_write; /* GALE_WATCH_PIPE_WRITE */
} gale_pipe_t;
#define GALE_PIPE_CLOSED 0x1u
#define GALE_PIPE_INITIALIZER(obj, buf, sz) \
    { GALE_MAGIC_PIPE, GALE_WAIT_Q_INIT, GALE_WAIT_Q_INIT, (uint8_t *)(buf), (sz), 0, 0, 0, 0, NULL, NULL }
#define GALE_PIPE_DEFINE(name, sz)                                                  \
    static uint8_t name##_buffer[(sz)];                                              \
    gale_pipe_t name = GALE_PIPE_INITIALIZER(name, name##_buffer, sz)

int gale_kernel_pipe_init(gale_pipe_t *p, void *buffer, size_t size);
/* [T; I with GALE_NO_WAIT] Write up to len bytes; waits (up to timeout) only while
 * no byte fits. Returns the number of bytes written (> 0 when len > 0),
 * GALE_EAGAIN / GALE_ETIMEDOUT when none could be, GALE_EPIPE when closed. */
int gale_kernel_pipe_write(gale_pipe_t *p, const void *data, size_t len, gale_timeout_t timeout);
/* [T; I with GALE_NO_WAIT] Read up to len bytes; waits only while none is there.
 * Returns the count (> 0), GALE_EAGAIN / GALE_ETIMEDOUT, or GALE_EPIPE when closed
 * and drained. */
int gale_kernel_pipe_read(gale_pipe_t *p, void *data, size_t len, gale_timeout_t timeout);
/* [any] Drop buffered bytes. */
void gale_kernel_pipe_reset(gale_pipe_t *p);
/* [any] Close: waiters return GALE_EPIPE; reads drain what is left. */
void gale_kernel_pipe_close(gale_pipe_t *p);
/* [T; I with GALE_NO_WAIT] Write / read with a minimum: move up to len bytes; the
 * call is satisfied once at least min (1 <= min <= len) bytes moved. With
 * GALE_NO_WAIT nothing moves unless min bytes can move at once (GALE_EAGAIN).
 * *done (always set) is the count moved, also on GALE_ETIMEDOUT / GALE_EPIPE
 * (bytes moved stay moved). Returns GALE_OK when satisfied; a read of a closed
 * pipe is satisfied by whatever is left (GALE_EPIPE once drained). */
int gale_kernel_pipe_write_min(gale_pipe_t *p, const void *data, size_t len, size_t min,
                               size_t *done, gale_timeout_t timeout);
int gale_kernel_pipe_read_min(gale_pipe_t *p, void *data, size_t len, size_t min,
                              size_t *done, gale_timeout_t timeout);
size_t gale_kernel_pipe_read_avail(const gale_pipe_t *p);
size_t gale_kernel_pipe_write_avail(const gale_pipe_t *p);
int gale_kernel_pipe_delete(gale_pipe_t *p);

/* ------------------------------------------------------------------------- */
/* Mailbox: synchronous send/receive with descriptors (kernel-objects)        */
/* ------------------------------------------------------------------------- */

typedef struct gale_mbox_msg {
    uint32_t info;                 /* app-defined word, exchanged both ways */
    size_t size;                   /* tx: bytes in tx_data; rx: capacity in, bytes received out */
    const void *tx_data;           /* sender's data */
    gale_thread_t *tx_target;      /* sender: receiver wanted (NULL = any) */
    gale_thread_t *rx_source;      /* receiver: sender wanted (NULL = any); out: actual sender */
    gale_thread_t *tx_thread;      /* (internal) the sending thread */
} gale_mbox_msg_t;

typedef struct gale_mbox {
    uint32_t magic;
    gale_wait_q_t wq_tx;
    gale_wait_q_t wq_rx;
} gale_mbox_t;
#define GALE_MBOX_INITIALIZER(obj) { GALE_MAGIC_MBOX, GALE_WAIT_Q_INIT, GALE_WAIT_Q_INIT }
#define GALE_MBOX_DEFINE(name) gale_mbox_t name = GALE_MBOX_INITIALIZER(name)

int gale_kernel_mbox_init(gale_mbox_t *mb);
/* [T] Send and wait until a matching receiver has taken the message (or
 * timeout). The receiver's info is written back into msg->info. */
int gale_kernel_mbox_put(gale_mbox_t *mb, gale_mbox_msg_t *msg, gale_timeout_t timeout);
/* [T] Receive a matching message into buffer (msg->size = capacity in, bytes
 * out); GALE_EOVERFLOW (message truncated to capacity, sender sees it too) when
 * larger. */
int gale_kernel_mbox_get(gale_mbox_t *mb, gale_mbox_msg_t *msg, void *buffer, gale_timeout_t timeout);
int gale_kernel_mbox_delete(gale_mbox_t *mb);

/* ------------------------------------------------------------------------- */
/* Stack: LIFO of words (kernel-objects)                                       */
/* ------------------------------------------------------------------------- */

typedef uintptr_t gale_stack_data_t;
typedef struct gale_stack {
    uint32_t magic;
    gale_wait_q_t wq;
    gale_stack_data_t *base;
    uint32_t capacity;
    uint32_t count;
    gale_kernel_watch_t *watch;    /* GALE_WATCH_STACK_POP */
} gale_stack_t;
#define GALE_STACK_INITIALIZER(obj, buf, n) { GALE_MAGIC_STACK, GALE_WAIT_Q_INIT, (buf), (n), 0, NULL }
#define GALE_STACK_DEFINE(name, n)                                                  \
    static gale_stack_data_t name##_buffer[(n)];                                     \
    gale_stack_t name = GALE_STACK_INITIALIZER(name, name##_buffer, n)

int gale_kernel_stack_init(gale_stack_t *s, gale_stack_data_t *buffer, uint32_t capacity);
/* [I] GALE_ENOMEM when full. A waiting popper gets the word directly. */
int gale_kernel_stack_push(gale_stack_t *s, gale_stack_data_t data);
/* [T; I with GALE_NO_WAIT] */
int gale_kernel_stack_pop(gale_stack_t *s, gale_stack_data_t *data, gale_timeout_t timeout);
int gale_kernel_stack_delete(gale_stack_t *s);

/* ------------------------------------------------------------------------- */
/* Memory slab: fixed-size blocks from a caller buffer (kernel-objects)        */
/* ------------------------------------------------------------------------- */

typedef struct gale_mem_slab {
    uint32_t magic;
    gale_wait_q_t wq;
    uint8_t *buffer;
    size_t block_size;
    uint32_t num_blocks;
    uint32_t num_used;
    uint32_t nfree;                /* free blocks: free_idx[0 .. nfree); UINT32_MAX: not built yet */
    uint32_t *free_idx;            /* num_blocks entries: stack of free block indices */
    uint8_t *state;                /* num_blocks entries: 0 free, 1 allocated */
    gale_kernel_watch_t *watch;    /* GALE_WATCH_SLAB_ALLOC */
} gale_mem_slab_t;
/* Bookkeeping lives outside the blocks (index stack + one state byte per block):
 * double frees and foreign pointers are detected, and a user writing into a freed
 * block cannot corrupt the allocator. */
#define GALE_MEM_SLAB_INITIALIZER(obj, buf, bsize, n, idx_arr, state_arr) \
    { GALE_MAGIC_SLAB, GALE_WAIT_Q_INIT, (uint8_t *)(buf), (bsize), (n), 0, UINT32_MAX, \
      (idx_arr), (state_arr), NULL }
/* Statically defined slabs build their free stack lazily on first use. */
#define GALE_MEM_SLAB_DEFINE(name, bsize, n)                                        \
    static _Alignas(8) uint8_t name##_buffer[(size_t)(bsize) * (n)];               \
    static uint32_t name##_free_idx[(n)];                                            \
    static uint8_t name##_state[(n)];                                                \
    gale_mem_slab_t name = GALE_MEM_SLAB_INITIALIZER(name, name##_buffer, bsize, n,  \
                                                     name##_free_idx, name##_state)

/* [any] num_blocks >= 1 blocks of block_size (>= 1) bytes in buffer; free_idx and
 * state hold num_blocks entries each (the bookkeeping). Blocks are aligned as
 * buffer + i * block_size. */
int gale_kernel_mem_slab_init(gale_mem_slab_t *slab, void *buffer, size_t block_size, uint32_t num_blocks,
                              uint32_t *free_idx, uint8_t *state);
/* [T; I with GALE_NO_WAIT] GALE_ENOMEM when none is free and no-wait. */
int gale_kernel_mem_slab_alloc(gale_mem_slab_t *slab, void **mem, gale_timeout_t timeout);
/* [I] GALE_EINVAL for a pointer that is not a block of this slab. */
int gale_kernel_mem_slab_free(gale_mem_slab_t *slab, void *mem);
uint32_t gale_kernel_mem_slab_num_used_get(const gale_mem_slab_t *slab);
uint32_t gale_kernel_mem_slab_num_free_get(const gale_mem_slab_t *slab);
int gale_kernel_mem_slab_delete(gale_mem_slab_t *slab);

#ifdef __cplusplus
}
#endif

#endif /* GALE_KERNEL_H */
