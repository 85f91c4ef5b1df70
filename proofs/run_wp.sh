#!/usr/bin/env bash
# Runs Frama-C WP (with RTE checks) on one file with z3 through why3 and fails
# unless every goal is proven. Usage: run_wp.sh <file.c> [frama-c args...]
set -uo pipefail
file=${1:?usage: run_wp.sh file.c [args]}; shift
[ -f "$HOME/.why3.conf" ] || why3 config detect >/dev/null 2>&1
# frama-c has no -I option: pass include directories to its preprocessor.
args=()
for a in "$@"; do
  case "$a" in -I*) args+=("-cpp-extra-args=$a") ;; *) args+=("$a") ;; esac
done
run() { out=$(frama-c -wp -wp-rte -wp-prover z3 -wp-timeout "$1" -wp-par "$2" ${args[@]+"${args[@]}"} "$file" 2>&1); rc=$?; }
all_proven() { echo "$out" | grep -Eq 'Proved goals: *([0-9]+) */ *\1( |$)'; }
run 30 2
# A goal that fails under a loaded machine (prover time or memory limit) is not a
# disproof: retry once, alone and with a longer limit, before reporting it.
if [ $rc -eq 0 ] && ! all_proven; then
  echo "WP: not every goal proven at 30 s; retrying with 120 s, one prover at a time"
  run 120 1
fi
echo "$out" | grep -E '\[wp\] (Proved goals|.*Timeout|.*Unknown|.*Failed)|\[kernel\].*(error|warning)|Goal .*: (Unknown|Timeout|Failed)' || true
proved=$(echo "$out" | sed -n 's/.*Proved goals: *\([0-9]*\) *\/ *\([0-9]*\).*/\1 \2/p' | tail -n1)
if [ $rc -ne 0 ] || [ -z "$proved" ]; then echo "$out" | tail -n 40; echo "WP: frama-c failed on $file"; exit 1; fi
read -r p t <<<"$proved"
if [ "$p" != "$t" ]; then echo "$out" | grep -B2 -A8 -E 'Unknown|Timeout|Failed' | head -n 80; echo "WP: $p / $t goals proven in $file"; exit 1; fi
echo "WP: all $t goals proven in $file"
