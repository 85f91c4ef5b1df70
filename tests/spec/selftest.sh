#!/usr/bin/env bash
# selftest.sh <spec_runner built with the stub engine> <selftest.json>
# Checks the runner's counting and its expected-failures bookkeeping.
set -u
runner=$1 json=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check <name> <want exit> <args...>
  local name=$1 want=$2; shift 2
  "$runner" "$@" > "$tmp/out" 2>&1
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "selftest: $name: exit $got, want $want"; cat "$tmp/out"; fails=1
  else
    echo "selftest: $name: ok (exit $got)"
  fi
}
# No expectations: the stub fails module, assert_return and assert_trap.
check "no expectations" 1 "$json"
grep -q '^selftest.wast: 1 passed, 3 failed, 1 skipped' "$tmp/out" \
  || { echo "selftest: wrong counts:"; cat "$tmp/out"; fails=1; }
lines=$(grep -o 'FAIL selftest.wast:[0-9]*' "$tmp/out" | sed 's/FAIL //')
[ "$(echo "$lines" | wc -l)" = 3 ] || { echo "selftest: expected 3 FAIL lines"; fails=1; }
# All failures listed: passes.
{ echo "# comment"; for l in $lines; do echo "$l  stub engine rejects everything"; done; } > "$tmp/all.txt"
check "all failures listed" 0 --expect "$tmp/all.txt" "$json"
grep -q 'XFAIL' "$tmp/out" || { echo "selftest: no XFAIL lines"; fails=1; }
# One failure not listed: fails.
head -n 3 "$tmp/all.txt" > "$tmp/partial.txt"
check "one failure unlisted" 1 --expect "$tmp/partial.txt" "$json"
# A passing command (the binary assert_invalid) listed: fails.
inv=$(grep -o '"assert_invalid", "line": [0-9]*' "$json" | grep -o '[0-9]*$')
{ cat "$tmp/all.txt"; echo "selftest.wast:$inv  wrongly listed"; } > "$tmp/extra.txt"
check "passing command listed" 1 --expect "$tmp/extra.txt" "$json"
grep -q 'UNEXPECTED PASS' "$tmp/out" || { echo "selftest: no UNEXPECTED PASS line"; fails=1; }
# A line with no command listed: fails.
{ cat "$tmp/all.txt"; echo "selftest.wast:9999  no such command"; } > "$tmp/bogus.txt"
check "listed line without a command" 1 --expect "$tmp/bogus.txt" "$json"
# An entry without a reason is rejected.
echo "selftest.wast:5" > "$tmp/noreason.txt"
check "entry without reason" 2 --expect "$tmp/noreason.txt" "$json"
exit $fails
