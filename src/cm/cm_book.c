/* Pure bookkeeping decisions of the component host, with ACSL contracts proven by
 * Frama-C WP (proofs/cm): free handle-slot search, restart policy, the system
 * life-cycle state machine and system-slot allocation. No side effects besides
 * the documented out-parameters; the code that creates threads and switches
 * stacks is elsewhere (src/cm/cm_spawn.c, the kernel) and listed in docs/tcb/cm.md. */
#include "gale/cm.h"

/*@ logic integer SYS_FREE = 0; */

/*@ requires cap >= 1;
    requires \valid_read(slots + (0 .. cap - 1));
    assigns \nothing;
    ensures \result == 0 || (1 <= \result < cap && slots[\result].tag == 0);
    ensures \result != 0 ==> \forall integer j; 1 <= j < \result ==> slots[j].tag != 0;
    ensures \result == 0 ==> \forall integer j; 1 <= j < cap ==> slots[j].tag != 0;
*/
uint32_t gale_cm_slot_find_free(const gale_cm_handle_t *slots, uint32_t cap)
{
    /*@ loop invariant 1 <= i <= cap;
        loop invariant \forall integer j; 1 <= j < i ==> slots[j].tag != 0;
        loop assigns i;
        loop variant cap - i; */
    for (uint32_t i = 1; i < cap; i++) {
        if (slots[i].tag == 0)
            return i;
    }
    return 0;
}

/*@ requires \valid(delay_ms);
    assigns *delay_ms;
    ensures 0 <= \result <= 2;
    ensures policy == 0 ==> \result == 0;
    ensures policy == 2 ==> \result == 2;
    ensures policy == 1 && restarts_done >= max_restarts ==> \result == 0;
    ensures policy == 1 && restarts_done < max_restarts ==> \result == 1;
    ensures \result == 1 ==> *delay_ms <= max_ms || *delay_ms == base_ms;
    ensures \result == 1 ==> (base_ms <= max_ms ==> *delay_ms <= max_ms);
    ensures \result != 1 ==> *delay_ms == 0;
*/
int gale_cm_restart_decide(int policy, uint32_t restarts_done, uint32_t max_restarts, uint32_t base_ms,
                           uint32_t max_ms, uint32_t *delay_ms)
{
    *delay_ms = 0;
    if (policy == GALE_CM_RESTART_ESCALATE)
        return GALE_CM_DECIDE_ESCALATE;
    if (policy != GALE_CM_RESTART_BACKOFF || restarts_done >= max_restarts)
        return GALE_CM_DECIDE_STOP;
    uint32_t d = base_ms;
    /*@ loop invariant 0 <= k <= restarts_done;
        loop invariant base_ms <= max_ms ==> d <= max_ms;
        loop invariant d >= base_ms || d == max_ms;
        loop invariant base_ms > max_ms ==> d == base_ms;
        loop assigns k, d;
        loop variant restarts_done - k; */
    for (uint32_t k = 0; k < restarts_done; k++) {
        if (d >= max_ms)
            break;
        if (d > max_ms / 2u) {
            d = max_ms;
            break;
        }
        d = d * 2u;
    }
    if (base_ms <= max_ms && d > max_ms)
        d = max_ms;
    *delay_ms = d;
    return GALE_CM_DECIDE_RESTART;
}

/*@ assigns \nothing;
    ensures -1 <= \result <= 6;
    ensures event == 0 ==> (state == 0 ==> \result == 1);
    ensures event == 0 && state != 0 ==> \result == -1;
    ensures event == 3 && (state == 1 || state == 2) && decision == 1 ==> \result == 3;
    ensures event == 3 && (state == 1 || state == 2) && decision == 0 ==> \result == 5;
    ensures event == 3 && (state == 1 || state == 2) && decision == 2 ==> \result == 6;
    ensures event == 5 ==> (\result == 0 <==> (state == 4 || state == 5 || state == 6));
    ensures state == 0 && event != 0 ==> \result == -1;
*/
int gale_cm_sys_next(int state, int event, int decision)
{
    switch (event) {
    case GALE_CM_EV_SPAWN:
        return state == GALE_CM_SYS_FREE ? GALE_CM_SYS_STARTING : -1;
    case GALE_CM_EV_STARTED:
        return state == GALE_CM_SYS_STARTING ? GALE_CM_SYS_RUNNING : -1;
    case GALE_CM_EV_EXIT:
        return state == GALE_CM_SYS_RUNNING ? GALE_CM_SYS_EXITED : -1;
    case GALE_CM_EV_TRAP:
        if (state != GALE_CM_SYS_STARTING && state != GALE_CM_SYS_RUNNING)
            return -1;
        if (decision == GALE_CM_DECIDE_RESTART)
            return GALE_CM_SYS_BACKOFF;
        if (decision == GALE_CM_DECIDE_ESCALATE)
            return GALE_CM_SYS_ESCALATED;
        if (decision == GALE_CM_DECIDE_STOP)
            return GALE_CM_SYS_STOPPED;
        return -1;
    case GALE_CM_EV_BACKOFF_DONE:
        return state == GALE_CM_SYS_BACKOFF ? GALE_CM_SYS_STARTING : -1;
    case GALE_CM_EV_RELEASE:
        return (state == GALE_CM_SYS_EXITED || state == GALE_CM_SYS_STOPPED || state == GALE_CM_SYS_ESCALATED)
                   ? GALE_CM_SYS_FREE
                   : -1;
    default:
        return -1;
    }
}

/*@ requires n >= 0;
    requires \valid_read(states + (0 .. n - 1));
    assigns \nothing;
    ensures -1 <= \result < n;
    ensures \result >= 0 ==> states[\result] == SYS_FREE;
    ensures \result >= 0 ==> \forall integer j; 0 <= j < \result ==> states[j] != SYS_FREE;
    ensures \result == -1 ==> \forall integer j; 0 <= j < n ==> states[j] != SYS_FREE;
*/
int gale_cm_sys_slot_find(const uint8_t *states, int n)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> states[j] != SYS_FREE;
        loop assigns i;
        loop variant n - i; */
    for (int i = 0; i < n; i++) {
        if (states[i] == GALE_CM_SYS_FREE)
            return i;
    }
    return -1;
}
