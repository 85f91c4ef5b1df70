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
 * Round-fairness bound. Per priority p the queue is one FIFO list whose first
 * left[p] tasks form the current round and whose next[p] tasks after them wait
 * for the next round. A round starts (only when the previous one is over)
 * by moving every queued task into it: left[p] = next[p], next[p] = 0. Polls
 * take tasks of the current round only, highest priority first; every push
 * during the round (a wake, a re-poll, a spawn) joins next[p]. Since a task is
 * in the queue at most once (no double enqueue, the st_* functions above),
 * every task queued when a round starts is polled exactly once in that round
 * and no task is polled twice in one round: a task that re-readies itself on
 * every poll is polled once per round and cannot starve any other task,
 * whatever the priorities. A task queued at time t is polled before the end of
 * the round after the one running at t.
 * ------------------------------------------------------------------------- */

/*@ requires \valid(c);
    assigns *c;
    ensures c->left[0] == 0 && c->left[1] == 0 && c->left[2] == 0 && c->left[3] == 0;
    ensures c->next[0] == 0 && c->next[1] == 0 && c->next[2] == 0 && c->next[3] == 0;
*/
void gale_exec_rq_reset(gale_exec_rq_counts_t *c)
{
    c->left[0] = 0; c->left[1] = 0; c->left[2] = 0; c->left[3] = 0;
    c->next[0] = 0; c->next[1] = 0; c->next[2] = 0; c->next[3] = 0;
}

/* A push joins the back of its priority list, in the next round. Returns 0,
 * or -1 when the count would overflow (impossible with fewer than 65535 tasks
 * per priority; checked anyway). The current round is untouched. */
/*@ requires \valid(c);
    requires 0 <= prio < PRIOS;
    assigns c->next[prio];
    behavior ok:
      assumes c->next[prio] < 65535;
      ensures c->next[prio] == \old(c->next[prio]) + 1 && \result == 0;
    behavior full:
      assumes c->next[prio] >= 65535;
      ensures c->next[prio] == \old(c->next[prio]) && \result == -1;
    complete behaviors;
    disjoint behaviors;
*/
int gale_exec_rq_push(gale_exec_rq_counts_t *c, int prio)
{
    uint16_t n = c->next[prio];
    if (n >= 65535u)
        return -1;
    c->next[prio] = (uint16_t)(n + 1u);
    return 0;
}

/* The priority to poll next in this round: the most urgent (lowest index)
 * with round work left; -1 when the round is over. */
/*@ requires \valid_read(c);
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

/* Pop the head of list prio: it belongs to the current round. The next
 * round's counts are untouched. */
/*@ requires \valid(c);
    requires 0 <= prio < PRIOS && c->left[prio] > 0;
    assigns c->left[prio];
    ensures c->left[prio] == \old(c->left[prio]) - 1;
*/
void gale_exec_rq_pop(gale_exec_rq_counts_t *c, int prio)
{
    uint16_t l = c->left[prio];
    c->left[prio] = (uint16_t)(l - 1u);
}

/* Start a round once the previous one is over: every queued task joins it.
 * Returns the number of tasks in the new round. */
/*@ requires \valid(c);
    requires c->left[0] == 0 && c->left[1] == 0 && c->left[2] == 0 && c->left[3] == 0;
    assigns *c;
    ensures c->left[0] == \old(c->next[0]) && c->left[1] == \old(c->next[1]);
    ensures c->left[2] == \old(c->next[2]) && c->left[3] == \old(c->next[3]);
    ensures c->next[0] == 0 && c->next[1] == 0 && c->next[2] == 0 && c->next[3] == 0;
    ensures \result == c->left[0] + c->left[1] + c->left[2] + c->left[3];
*/
int gale_exec_rq_round_start(gale_exec_rq_counts_t *c)
{
    int n = 0;
    c->left[0] = c->next[0]; n += c->left[0]; c->next[0] = 0;
    c->left[1] = c->next[1]; n += c->left[1]; c->next[1] = 0;
    c->left[2] = c->next[2]; n += c->left[2]; c->next[2] = 0;
    c->left[3] = c->next[3]; n += c->left[3]; c->next[3] = 0;
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
