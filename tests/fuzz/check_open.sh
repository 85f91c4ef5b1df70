#!/usr/bin/env bash
# check_open.sh <fuzz_replay> <folder of open regression inputs>
#
# Inputs in tests/fuzz/regressions/open/ reproduce engine bugs that are not
# fixed yet (the spec worker does not touch src/wasm). Each must still fail
# (crash or sanitizer report) under fuzz_replay; one that passes means the bug
# is fixed: move it to tests/fuzz/regressions/ (git mv), where fuzz_regressions
# keeps it passing. So main stays green and this folder stays true.
set -u
replay=$1 dir=$2
status=0 n=0
for f in "$dir"/*.wasm; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  if "$replay" "$f" >/dev/null 2>&1; then
    echo "FIXED: $(basename "$f") no longer fails: git mv $f $(dirname "$dir")/"
    status=1
  else
    echo "still open: $(basename "$f")"
  fi
done
echo "check_open: $n open regression inputs"
exit $status
