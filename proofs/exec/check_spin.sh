#!/usr/bin/env bash
# Exhaustive spin check of a Promela model: safety (assertions, invalid end
# states) and every `ltl` claim in it (acceptance cycles, weak fairness).
# Fails on any error. Usage: check_spin.sh <model.pml> [workdir]
set -euo pipefail
model=$(readlink -f "${1:?usage: check_spin.sh model.pml [workdir]}")
work=${2:-$(mktemp -d)}
mkdir -p "$work"; cd "$work"
spin -a "$model" >spin.out 2>&1 || { cat spin.out; echo "spin: cannot generate a verifier for $model"; exit 1; }
gcc -O2 -w -DNFAIR=3 -o pan pan.c
# 1) safety: assertions + invalid end states, no never claim
gcc -O2 -w -DSAFETY -DNOCLAIM -o pan_safe pan.c
./pan_safe -m100000 >safe.out 2>&1 || true
grep -E 'errors:|states, stored|unreached' safe.out | head -3
if ! grep -q 'errors: 0' safe.out; then cat safe.out; echo "spin: safety FAILED for $model"; exit 1; fi
if grep -q 'max search depth too small' safe.out; then echo "spin: search truncated"; exit 1; fi
# 2) every LTL claim, acceptance cycles under weak fairness
for claim in $(sed -n 's/^ltl \([A-Za-z0-9_]*\).*/\1/p' "$model"); do
  ./pan -a -f -m100000 -N "$claim" >"ltl_$claim.out" 2>&1 || true
  if ! grep -q 'errors: 0' "ltl_$claim.out"; then cat "ltl_$claim.out"; echo "spin: ltl $claim FAILED"; exit 1; fi
  if grep -q 'max search depth too small' "ltl_$claim.out"; then echo "spin: search truncated ($claim)"; exit 1; fi
  echo "ltl $claim: $(grep -E 'states, stored' "ltl_$claim.out" | head -1 | xargs) errors: 0"
done
echo "spin: $model verified (safety + $(grep -c '^ltl ' "$model") ltl claims)"
