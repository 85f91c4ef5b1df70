/* gale executor — the wake / poll / park protocol (Promela, checked by spin).
 *
 * Processes: one executor (its thread: src/exec/exec.c, gale_exec_run and
 * run_round) and NW wakers, each standing for another thread, an ISR, a
 * timer expiry or a cross-core delivery (all call gale_exec_wake; which
 * context does not matter to the protocol: a waker is any process that can
 * interleave with the executor at every atomic step). Every atomic block
 * below is one successful compare-and-swap or one atomic exchange of the C
 * code; steps outside atomic blocks are separate instructions there too.
 *
 * Task states — one to one with src/exec/exec_core.h (GALE_EXEC_ST_*) and
 * include/gale/exec.h (GALE_EXEC_TASK_*):                                   */
#define FREE    0  /* GALE_EXEC_ST_FREE:    never spawned                            */
#define IDLE    1  /* GALE_EXEC_ST_IDLE:    parked after a PENDING poll              */
#define QUEUED  2  /* GALE_EXEC_ST_QUEUED:  in the inbox or the ready queue, once    */
#define RUNNING 3  /* GALE_EXEC_ST_RUNNING: being polled, not woken since it began   */
#define WOKEN   4  /* GALE_EXEC_ST_WOKEN:   being polled, woken since: re-poll       */
#define DONE    5  /* GALE_EXEC_ST_DONE:    completed or cancelled                   */
/* cxl[t] is GALE_EXEC_ST_CANCEL, the sticky cancel bit of the same state byte. */

#define NT 2   /* tasks    */
#define NW 2   /* wakers (one of them may also cancel) */
#define K  2   /* wakes (or cancels) per waker */

#define A_NONE 0
#define A_ENQ  1
#define A_POLL 2

byte st[NT];          /* task->state base (atomic byte in C)                */
bool cxl[NT];         /* task->state & GALE_EXEC_ST_CANCEL                   */
byte inq[NT];         /* ghost: how many times t sits in inbox + ready queue */
bool pend[NT];        /* ghost: t was woken and no poll has begun since      */
chan inbox = [NT] of { byte };  /* exec->inbox: lock-free MPSC stack (order irrelevant here) */
chan rq    = [NT] of { byte };  /* exec->rq: the executor's private ready queue */
byte sem = 0;         /* exec->signal: kernel semaphore, limit 1             */
byte wakers_done = 0;
bool spawned = false;  /* ghost: the spawner (init) has pushed and signalled every task */
bool exec_idle = false;

/* push: task_push() in exec.c — one CAS of the inbox head (Treiber push);
 * the semaphore is given afterwards, only when the inbox was empty. */
inline push(t, wasempty) {
  atomic {
    assert(inq[t] == 0);            /* no double enqueue */
    wasempty = (len(inbox) == 0);
    inbox!t;
    inq[t]++
  };
  if
  :: wasempty -> sem = 1            /* gale_k_sem_give, limit 1 */
  :: else -> skip
  fi
}

/* wake: gale_exec_wake() = CAS loop applying gale_exec_st_wake(). */
inline wake(t, act, wasempty) {
  atomic {
    pend[t] = (pend[t] || (st[t] != DONE && st[t] != FREE));
    if
    :: st[t] == IDLE    -> st[t] = QUEUED; act = A_ENQ
    :: st[t] == RUNNING -> st[t] = WOKEN;  act = A_NONE
    :: else             -> act = A_NONE   /* QUEUED, WOKEN, DONE, FREE: harmless */
    fi
  };
  if :: act == A_ENQ -> push(t, wasempty) :: else -> skip fi
}

/* cancel: gale_exec_cancel() = CAS loop applying gale_exec_st_cancel(). */
inline cancel(t, act, wasempty) {
  atomic {
    pend[t] = (pend[t] || (st[t] != DONE && st[t] != FREE));
    if
    :: st[t] == IDLE -> st[t] = QUEUED; cxl[t] = true; act = A_ENQ
    :: st[t] == QUEUED || st[t] == RUNNING || st[t] == WOKEN ->
         if :: st[t] == RUNNING -> st[t] = WOKEN :: else -> skip fi;
         cxl[t] = true; act = A_NONE
    :: else -> act = A_NONE
    fi
  };
  if :: act == A_ENQ -> push(t, wasempty) :: else -> skip fi
}

proctype waker(bool may_cancel) {
  byte i = 0, t, act;
  bool wasempty;
  do
  :: i < K ->
     if :: t = 0 :: t = 1 fi;
     if
     :: wake(t, act, wasempty)
     :: may_cancel -> cancel(t, act, wasempty)   /* one waker may cancel */
     fi;
     i++
  :: i == K -> break
  od;
  wakers_done++
}

proctype executor() {
  byte t, act;
  bool ready, wasempty;
  do
  :: /* drain: atomic exchange of the inbox head, then into the ready queue */
     atomic {
       do
       :: nempty(inbox) -> inbox?t; rq!t
       :: empty(inbox) -> break
       od
     };
     if
     :: nempty(rq) ->
        rq?t; inq[t]--;
        atomic {                    /* gale_exec_st_begin() */
          assert(st[t] == QUEUED);
          pend[t] = false;          /* this poll observes every earlier wake */
          if
          :: cxl[t] -> st[t] = DONE; act = A_NONE
          :: else   -> st[t] = RUNNING; act = A_POLL
          fi
        };
        if
        :: act == A_POLL ->
           ready = false;
           if                       /* the task's poll function */
           :: skip                  /* PENDING, waits for someone else's wake */
           :: wake(t, act, wasempty) /* yield: wakes itself during the poll */
           :: ready = true          /* READY */
           fi;
           atomic {                 /* gale_exec_st_end() */
             assert(st[t] == RUNNING || st[t] == WOKEN);
             act = A_NONE;
             if
             :: ready             -> st[t] = DONE; pend[t] = false
             :: !ready && cxl[t]  -> st[t] = DONE; pend[t] = false
             :: !ready && !cxl[t] && st[t] == RUNNING -> st[t] = IDLE
             :: !ready && !cxl[t] && st[t] == WOKEN   -> st[t] = QUEUED; act = A_ENQ
             fi
           };
           if                       /* poll_task(): straight into its own ready queue, no signal */
           :: act == A_ENQ -> atomic { assert(inq[t] == 0); rq!t; inq[t]++ }
           :: else -> skip
           fi
        :: else -> skip
        fi
     :: empty(rq) ->
        exec_idle = true;
end_block:
        atomic { sem > 0 -> sem = 0; exec_idle = false }   /* gale_k_sem_take(FOREVER) */
     fi
  od
}

/* Safety: when every waker has finished and the executor sleeps with no
 * semaphore token, no task may have an unobserved wake (no lost wakeup). */
active proctype monitor() {
end_mon:
  atomic {
    (spawned && wakers_done == NW && exec_idle && sem == 0) ->
      assert(!pend[0] && !pend[1]);
      assert(empty(inbox) && empty(rq))
  }
}

init {
  byte t;
  bool wasempty;
  atomic {
    run waker(true); run waker(false);
    run executor()
  };
  /* gale_exec_spawn: FREE -> QUEUED, pushed once */
  t = 0;
  do
  :: t < NT -> st[t] = QUEUED; pend[t] = true; push(t, wasempty); t++
  :: t == NT -> break
  od;
  spawned = true
}

/* Liveness: every woken task is eventually polled (or finished). */
ltl polled0 { [] (pend[0] -> <> !pend[0]) }
ltl polled1 { [] (pend[1] -> <> !pend[1]) }
