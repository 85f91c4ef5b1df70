#!/usr/bin/env bash
# `gale wit contract`: equal interfaces from two packages are compatible; a
# changed field type, a missing function or a sync/async change is not, and
# the message names the difference.
set -uo pipefail
gale=${1:?} dir=${2:?}
fail=0
expect() { # <want-exit> <want-substring> args...
  local want=$1 sub=$2; shift 2
  out=$("$gale" wit contract "$@" 2>&1); rc=$?
  if [ $rc -ne "$want" ] || ! grep -qF -- "$sub" <<< "$out"; then
    echo "FAIL: gale wit contract $* -> exit $rc: $out (want exit $want, \`$sub\`)"; fail=1
  else
    echo "ok: $out"
  fi
}
expect 0 "compatible: test:sensor/imu@0.1.0 == test:sensor/imu@0.2.0" "$dir/v1" imu "$dir/v2" imu
expect 1 "f32 vs f64" "$dir/v1" imu "$dir/v2" imu-f64
expect 1 "incompatible" "$dir/../../../wit/gale" semaphore "$dir/../../../wit/gale" mutex
expect 0 "compatible" "$dir/../../../wit/gale" pulseengine:gale/semaphore@0.1.0 "$dir/../../../wit/gale" semaphore
expect 2 "no interface" "$dir/v1" nope "$dir/v2" imu
exit $fail
