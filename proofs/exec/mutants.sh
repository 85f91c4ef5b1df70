#!/usr/bin/env bash
# Shows that the spin checks of wake_poll.pml can fail: each mutant breaks the
# protocol in one known way and must be rejected by check_spin.sh.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail=0
mutant() { # name, sed expression
  sed "$2" "$here/wake_poll.pml" >"$work/$1.pml"
  if cmp -s "$here/wake_poll.pml" "$work/$1.pml"; then echo "mutant $1: sed did not apply"; fail=1; return; fi
  if bash "$here/check_spin.sh" "$work/$1.pml" "$work/$1" >"$work/$1.log" 2>&1; then
    echo "mutant $1: NOT detected"; fail=1
  elif why=$(grep -m1 -oE 'assertion violated|acceptance cycle|invalid end state' "$work/$1.log"); then
    echo "mutant $1: detected ($why)"
  else
    echo "mutant $1: the check failed for another reason:"; tail -5 "$work/$1.log"; fail=1
  fi
}
# a wake during the poll is dropped: WOKEN parks like RUNNING (lost wakeup)
mutant lost_wake_in_poll 's/st\[t\] == WOKEN   -> st\[t\] = QUEUED; act = A_ENQ/st[t] == WOKEN -> st[t] = IDLE/'
# a wake of a running task is ignored instead of marking it WOKEN
mutant ignore_running 's/:: st\[t\] == RUNNING -> st\[t\] = WOKEN;  act = A_NONE/:: st[t] == RUNNING -> act = A_NONE/'
# a wake of a queued task enqueues it again (double enqueue)
mutant double_enqueue 's/:: st\[t\] == IDLE    -> st\[t\] = QUEUED; act = A_ENQ/:: st[t] == IDLE || st[t] == QUEUED -> st[t] = QUEUED; act = A_ENQ/'
# the semaphore is never given when pushing (executor sleeps through a wake)
mutant no_signal 's/:: wasempty -> sem = 1 /:: wasempty -> skip /'
# signal only when the inbox was NOT empty (wrong condition)
mutant wrong_signal 's/wasempty = (len(inbox) == 0);/wasempty = (len(inbox) != 0);/'
exit $fail
