/* gale executor — decision core (internal header).
 *
 * The pure functions that decide every state change of a task and every
 * ready-queue bookkeeping step. They touch no shared memory and no kernel:
 * exec.c applies them inside compare-and-swap loops (task state) or on the
 * executor thread's private ready queue. Their ACSL contracts are proven by
 * Frama-C WP (proofs/exec/, `make prove`); the Promela model
 * proofs/exec/wake_poll.pml models the same states one to one.
 *
 * Task state byte = base state (low 3 bits) | GALE_EXEC_ST_CANCEL (bit 7).
 * This header includes only <stdint.h> so that Frama-C parses it alone. */
#ifndef GALE_EXEC_CORE_H
#define GALE_EXEC_CORE_H

#include <stdint.h>

/* Base states (must equal the GALE_EXEC_TASK_* values of include/gale/exec.h). */
#define GALE_EXEC_ST_FREE    0u /* never spawned: not in any queue, never polled   */
#define GALE_EXEC_ST_IDLE    1u /* parked after a PENDING poll; waits for a wake    */
#define GALE_EXEC_ST_QUEUED  2u /* in the inbox or the ready queue, exactly once    */
#define GALE_EXEC_ST_RUNNING 3u /* being polled; no wake since the poll began       */
#define GALE_EXEC_ST_WOKEN   4u /* being polled; woken since the poll began: re-poll */
#define GALE_EXEC_ST_DONE    5u /* completed (READY) or cancelled; never polled again */
#define GALE_EXEC_ST_MASK    7u
#define GALE_EXEC_ST_CANCEL  0x80u /* cancel requested (sticky until DONE, kept on DONE) */

/* Actions a transition asks the caller to perform. */
#define GALE_EXEC_ACT_NONE     0 /* nothing (the wake was coalesced, or refused)     */
#define GALE_EXEC_ACT_ENQUEUE  1 /* push the task into the executor's inbox, once    */
#define GALE_EXEC_ACT_POLL     2 /* call the task's poll function                     */
#define GALE_EXEC_ACT_PARK     3 /* the task is parked (IDLE)                         */
#define GALE_EXEC_ACT_COMPLETE 4 /* the task finished (READY)                         */
#define GALE_EXEC_ACT_CANCELED 5 /* the task was cancelled (never polled again)       */
#define GALE_EXEC_ACT_BUSY     6 /* spawn refused: the task is live                    */

/* Number of task priorities (0 = highest). Fixed: the proofs are about 4. */
#define GALE_EXEC_PRIOS 4

/*@ logic integer PRIOS = 4;
    logic integer FREE = 0;  logic integer IDLE = 1; logic integer QUEUED = 2;
    logic integer RUNNING = 3; logic integer WOKEN = 4; logic integer DONE = 5;
    logic integer CANCEL = 128;
    logic integer A_NONE = 0; logic integer A_ENQUEUE = 1; logic integer A_POLL = 2;
    logic integer A_PARK = 3; logic integer A_COMPLETE = 4; logic integer A_CANCELED = 5;
    logic integer A_BUSY = 6;
    predicate valid_state(integer s) = (0 <= s <= 5) || (128 <= s <= 133);
    logic integer base(integer s) = s >= 128 ? s - 128 : s;
    predicate cancelled(integer s) = s >= 128;
*/

/* Ready-queue bookkeeping of one executor: for each priority p the queued
 * tasks form one intrusive FIFO list (exec.c); its first left[p] tasks belong
 * to the current round and the next[p] after them wait for the next round. */
#ifndef GALE_EXEC_RQ_COUNTS_DEFINED   /* also defined, identically, in gale/exec.h */
#define GALE_EXEC_RQ_COUNTS_DEFINED
typedef struct gale_exec_rq_counts {
    uint16_t left[GALE_EXEC_PRIOS];
    uint16_t next[GALE_EXEC_PRIOS];
} gale_exec_rq_counts_t;
#endif


uint8_t gale_exec_st_wake(uint8_t s, int *act);
uint8_t gale_exec_st_cancel(uint8_t s, int *act);
uint8_t gale_exec_st_spawn(uint8_t s, int *act);
uint8_t gale_exec_st_begin(uint8_t s, int *act);
uint8_t gale_exec_st_end(uint8_t s, int ready, int *act);

void gale_exec_rq_reset(gale_exec_rq_counts_t *c);
int  gale_exec_rq_push(gale_exec_rq_counts_t *c, int prio);
int  gale_exec_rq_pick(const gale_exec_rq_counts_t *c);
void gale_exec_rq_pop(gale_exec_rq_counts_t *c, int prio);
int  gale_exec_rq_round_start(gale_exec_rq_counts_t *c);

uint64_t gale_exec_timer_wait(uint64_t now, uint64_t deadline);
int gale_exec_budget_overrun(uint32_t elapsed, uint32_t budget);

#endif /* GALE_EXEC_CORE_H */
