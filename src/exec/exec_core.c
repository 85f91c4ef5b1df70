/* gale executor — decision core: pure task-state transitions and ready-queue
 * bookkeeping, with ACSL contracts proven by Frama-C WP (proofs/exec/).
 *
 * Each st_* function maps the task's current state byte to the next one and
 * names the action the caller must perform. exec.c applies them inside a
 * compare-and-swap loop on the task's atomic state, so every transition is
 * one atomic step — exactly the atomic steps of proofs/exec/wake_poll.pml.
 * The base state is computed with comparisons, not bit masks, to keep the
 * proofs arithmetic. */
#include "exec_core.h"

#define CANCEL_BIT ((uint8_t)GALE_EXEC_ST_CANCEL)

/*@ requires valid_state(s);
    assigns \nothing;
    ensures \result == (s >= 128 ? CANCEL : 0);
*/
static uint8_t cancel_part(uint8_t s)
{
    return s >= CANCEL_BIT ? CANCEL_BIT : (uint8_t)0;
}

/* wake: callable from any context (executor thread, other thread, ISR, core).
 * IDLE -> QUEUED (the waker enqueues, exactly once); RUNNING -> WOKEN (the
 * executor re-polls after this poll); every other state is left alone, so a
 * wake of a queued, woken, done or never-spawned task is harmless. */
/*@ requires valid_state(s);
    requires \valid(act);
    assigns *act;
    ensures valid_state(\result);
    ensures cancelled(\result) <==> cancelled(s);
    behavior idle:
      assumes base(s) == IDLE;
      ensures base(\result) == QUEUED && *act == A_ENQUEUE;
    behavior running:
      assumes base(s) == RUNNING;
      ensures base(\result) == WOKEN && *act == A_NONE;
    behavior other:
      assumes base(s) != IDLE && base(s) != RUNNING;
      ensures \result == s && *act == A_NONE;
    complete behaviors;
    disjoint behaviors;
*/
uint8_t gale_exec_st_wake(uint8_t s, int *act)
{
    uint8_t c = cancel_part(s);
    uint8_t b = (uint8_t)(s - c);
    *act = GALE_EXEC_ACT_NONE;
    if (b == GALE_EXEC_ST_IDLE) {
        *act = GALE_EXEC_ACT_ENQUEUE;
        return (uint8_t)(GALE_EXEC_ST_QUEUED + c);
    }
    if (b == GALE_EXEC_ST_RUNNING)
        return (uint8_t)(GALE_EXEC_ST_WOKEN + c);
    return s;
}

/* cancel: like wake, and sets the sticky cancel bit on a live task; the
 * executor then finishes the task at its next dequeue or poll end without
 * polling it again. FREE and DONE tasks are left alone. */
/*@ requires valid_state(s);
    requires \valid(act);
    assigns *act;
    ensures valid_state(\result);
    behavior idle:
      assumes base(s) == IDLE;
      ensures \result == QUEUED + CANCEL && *act == A_ENQUEUE;
    behavior queued:
      assumes base(s) == QUEUED;
      ensures \result == QUEUED + CANCEL && *act == A_NONE;
    behavior running:
      assumes base(s) == RUNNING || base(s) == WOKEN;
      ensures \result == WOKEN + CANCEL && *act == A_NONE;
    behavior dead:
      assumes base(s) == FREE || base(s) == DONE;
      ensures \result == s && *act == A_NONE;
    complete behaviors;
    disjoint behaviors;
*/
uint8_t gale_exec_st_cancel(uint8_t s, int *act)
{
    uint8_t b = (uint8_t)(s - cancel_part(s));
    *act = GALE_EXEC_ACT_NONE;
    switch (b) {
    case GALE_EXEC_ST_IDLE:
        *act = GALE_EXEC_ACT_ENQUEUE;
        return (uint8_t)(GALE_EXEC_ST_QUEUED + CANCEL_BIT);
    case GALE_EXEC_ST_QUEUED:
        return (uint8_t)(GALE_EXEC_ST_QUEUED + CANCEL_BIT);
    case GALE_EXEC_ST_RUNNING:
    case GALE_EXEC_ST_WOKEN:
        return (uint8_t)(GALE_EXEC_ST_WOKEN + CANCEL_BIT);
    default:
        return s;
    }
}

/* spawn: only a FREE or DONE task may be (re)spawned; it becomes QUEUED with
 * the cancel bit cleared and is enqueued once. A live task is refused. */
/*@ requires valid_state(s);
    requires \valid(act);
    assigns *act;
    ensures valid_state(\result);
    behavior dead:
      assumes base(s) == FREE || base(s) == DONE;
      ensures \result == QUEUED && *act == A_ENQUEUE;
    behavior live:
      assumes base(s) != FREE && base(s) != DONE;
      ensures \result == s && *act == A_BUSY;
    complete behaviors;
    disjoint behaviors;
*/
uint8_t gale_exec_st_spawn(uint8_t s, int *act)
{
    uint8_t b = (uint8_t)(s - cancel_part(s));
    if (b == GALE_EXEC_ST_FREE || b == GALE_EXEC_ST_DONE) {
        *act = GALE_EXEC_ACT_ENQUEUE;
        return (uint8_t)GALE_EXEC_ST_QUEUED;
    }
    *act = GALE_EXEC_ACT_BUSY;
    return s;
}

/* begin: the executor dequeued the task (QUEUED). It is polled (RUNNING), or,
 * when cancel was requested, finished without a poll (DONE + cancel bit). */
/*@ requires valid_state(s) && base(s) == QUEUED;
    requires \valid(act);
    assigns *act;
    ensures valid_state(\result);
    behavior poll:
      assumes !cancelled(s);
      ensures \result == RUNNING && *act == A_POLL;
    behavior cancel:
      assumes cancelled(s);
      ensures \result == DONE + CANCEL && *act == A_CANCELED;
    complete behaviors;
    disjoint behaviors;
*/
uint8_t gale_exec_st_begin(uint8_t s, int *act)
{
    if (cancel_part(s)) {
        *act = GALE_EXEC_ACT_CANCELED;
        return (uint8_t)(GALE_EXEC_ST_DONE + CANCEL_BIT);
    }
    *act = GALE_EXEC_ACT_POLL;
    return (uint8_t)GALE_EXEC_ST_RUNNING;
}

/* end: the poll returned. READY -> DONE. PENDING: cancel requested -> DONE +
 * cancel bit; no wake during the poll (RUNNING) -> IDLE (parked); woken during
 * the poll (WOKEN) -> QUEUED and enqueued once more, so that wake is not lost. */
/*@ requires valid_state(s) && (base(s) == RUNNING || base(s) == WOKEN);
    requires \valid(act);
    assigns *act;
    ensures valid_state(\result);
    behavior ready:
      assumes ready != 0;
      ensures \result == DONE && *act == A_COMPLETE;
    behavior cancel:
      assumes ready == 0 && cancelled(s);
      ensures \result == DONE + CANCEL && *act == A_CANCELED;
    behavior park:
      assumes ready == 0 && !cancelled(s) && base(s) == RUNNING;
      ensures \result == IDLE && *act == A_PARK;
    behavior repoll:
      assumes ready == 0 && !cancelled(s) && base(s) == WOKEN;
      ensures \result == QUEUED && *act == A_ENQUEUE;
    complete behaviors;
    disjoint behaviors;
*/
uint8_t gale_exec_st_end(uint8_t s, int ready, int *act)
{
    if (ready) {
        *act = GALE_EXEC_ACT_COMPLETE;
        return (uint8_t)GALE_EXEC_ST_DONE;
    }
    if (cancel_part(s)) {
        *act = GALE_EXEC_ACT_CANCELED;
        return (uint8_t)(GALE_EXEC_ST_DONE + CANCEL_BIT);
    }
    if (s == GALE_EXEC_ST_RUNNING) {
        *act = GALE_EXEC_ACT_PARK;
        return (uint8_t)GALE_EXEC_ST_IDLE;
    }
    *act = GALE_EXEC_ACT_ENQUEUE;
    return (uint8_t)GALE_EXEC_ST_QUEUED;
}

/* ---------------------------------------------------------------------------
 * Ready-queue bookkeeping (executor thread only).
 *
 * Round-fairness bound. A round starts with left[p] = cnt[p]; it polls only
 * the first left[p] tasks of each priority list (highest priority first) and
 * ends when every left[p] is 0. Pushes during the round (wakes, re-polls,
 * spawns) go behind them (FIFO) and count only in cnt[p]. Since a task is in
 * the queue at most once (no double enqueue, the st_* functions above), every
 * task queued when a round starts is polled exactly once in that round, and no
 * task is polled twice in one round — a task that re-readies itself every poll
 * is polled once per round, so it cannot starve any other task, whatever the
 * priorities. A task queued at time t is polled before the end of the round
 * after the one running at t.
 * ------------------------------------------------------------------------- */

/*@ requires \valid(c);
    assigns *c;
    ensures rq_inv(c);
    ensures \forall integer p; 0 <= p < PRIOS ==> c->cnt[p] == 0 && c->left[p] == 0;
*/
void gale_exec_rq_reset(gale_exec_rq_counts_t *c)
{
    c->cnt[0] = 0; c->cnt[1] = 0; c->cnt[2] = 0; c->cnt[3] = 0;
    c->left[0] = 0; c->left[1] = 0; c->left[2] = 0; c->left[3] = 0;
}

/* A push joins the back of its priority list: it counts in cnt but not in the
 * current round. Returns 0, or -1 when the count would overflow (never with
 * fewer than 65535 tasks; checked anyway). */
/*@ requires \valid(c) && rq_inv(c);
    requires 0 <= prio < PRIOS;
    assigns c->cnt[prio];
    ensures rq_inv(c);
    ensures \forall integer p; 0 <= p < PRIOS ==> c->left[p] == \old(c->left[p]);
    behavior ok:
      assumes c->cnt[prio] < 65535;
      ensures c->cnt[prio] == \old(c->cnt[prio]) + 1 && \result == 0;
    behavior full:
      assumes c->cnt[prio] >= 65535;
      ensures c->cnt[prio] == \old(c->cnt[prio]) && \result == -1;
    complete behaviors;
    disjoint behaviors;
*/
int gale_exec_rq_push(gale_exec_rq_counts_t *c, int prio)
{
    if (c->cnt[prio] >= 65535u)
        return -1;
    c->cnt[prio] = (uint16_t)(c->cnt[prio] + 1u);
    return 0;
}

/* The priority to poll next in this round: the highest (lowest index) with
 * round work left; -1 when the round is over. */
/*@ requires \valid_read(c) && rq_inv(c);
    assigns \nothing;
    behavior some:
      assumes \exists integer p; 0 <= p < PRIOS && c->left[p] > 0;
      ensures 0 <= \result < PRIOS && c->left[\result] > 0;
      ensures \forall integer q; 0 <= q < \result ==> c->left[q] == 0;
    behavior none:
      assumes \forall integer p; 0 <= p < PRIOS ==> c->left[p] == 0;
      ensures \result == -1;
    complete behaviors;
    disjoint behaviors;
*/
int gale_exec_rq_pick(const gale_exec_rq_counts_t *c)
{
    /*@ loop invariant 0 <= i <= PRIOS;
        loop invariant \forall integer q; 0 <= q < i ==> c->left[q] == 0;
        loop assigns i;
        loop variant PRIOS - i;
    */
    for (int i = 0; i < GALE_EXEC_PRIOS; i++)
        if (c->left[i] > 0)
            return i;
    return -1;
}

/* Pop the head of list prio: it belongs to the current round. */
/*@ requires \valid(c) && rq_inv(c);
    requires 0 <= prio < PRIOS && c->left[prio] > 0;
    assigns c->cnt[prio], c->left[prio];
    ensures rq_inv(c);
    ensures c->cnt[prio] == \old(c->cnt[prio]) - 1;
    ensures c->left[prio] == \old(c->left[prio]) - 1;
*/
void gale_exec_rq_pop(gale_exec_rq_counts_t *c, int prio)
{
    c->cnt[prio] = (uint16_t)(c->cnt[prio] - 1u);
    c->left[prio] = (uint16_t)(c->left[prio] - 1u);
}

/* Start a round when the previous one is over: every task queued now belongs
 * to it. Returns the number of tasks in the round. */
/*@ requires \valid(c) && rq_inv(c);
    requires \forall integer p; 0 <= p < PRIOS ==> c->left[p] == 0;
    assigns c->left[0 .. PRIOS-1];
    ensures rq_inv(c);
    ensures \forall integer p; 0 <= p < PRIOS ==> c->left[p] == c->cnt[p];
    ensures \result == c->cnt[0] + c->cnt[1] + c->cnt[2] + c->cnt[3];
*/
int gale_exec_rq_round_start(gale_exec_rq_counts_t *c)
{
    int n = 0;
    /*@ loop invariant 0 <= i <= PRIOS;
        loop invariant \forall integer p; 0 <= p < i ==> c->left[p] == c->cnt[p];
        loop invariant \forall integer p; i <= p < PRIOS ==> c->left[p] == 0;
        loop invariant n == (i > 0 ? c->cnt[0] : 0) + (i > 1 ? c->cnt[1] : 0)
                          + (i > 2 ? c->cnt[2] : 0) + (i > 3 ? c->cnt[3] : 0);
        loop invariant 0 <= n <= 65535 * i;
        loop assigns i, n, c->left[0 .. PRIOS-1];
        loop variant PRIOS - i;
    */
    for (int i = 0; i < GALE_EXEC_PRIOS; i++) {
        c->left[i] = c->cnt[i];
        n += c->cnt[i];
    }
    return n;
}

/* How long the executor thread may block for the earliest timer: 0 when it
 * is due (deadline <= now), else deadline - now. */
/*@ assigns \nothing;
    ensures deadline <= now ==> \result == 0;
    ensures deadline > now ==> \result == deadline - now && \result > 0;
*/
uint64_t gale_exec_timer_wait(uint64_t now, uint64_t deadline)
{
    return deadline <= now ? 0u : deadline - now;
}

/* A poll overran its budget when it took strictly longer; budget 0 = none. */
/*@ assigns \nothing;
    ensures \result == (budget != 0 && elapsed > budget ? 1 : 0);
*/
int gale_exec_budget_overrun(uint32_t elapsed, uint32_t budget)
{
    return budget != 0u && elapsed > budget;
}
