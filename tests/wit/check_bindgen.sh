#!/usr/bin/env bash
# Bindgen test: the core imports and exports of a wasm32 guest built from
# `gale bindgen` bindings carry exactly the names and core types that gale's
# layout/naming code predicts (`gale wit abi`), read back with `wasm-objdump -x`.
# Imports from module `$root` (the guest SDK's canonical built-ins) must be
# rows of the built-in table of the reference notes (§1.5), with its core types.
#   check_bindgen.sh <gale> <wit path> <world> <module.wasm> [jco-check-script]
set -uo pipefail
gale=${1:?} wit=${2:?} world=${3:?} wasm=${4:?} jco=${5:-}
pred=$("$gale" wit abi "$wit" --world "$world" | sort -u) || { echo "gale wit abi failed"; exit 1; }
dump=$(wasm-objdump -x "$wasm") || { echo "wasm-objdump failed on $wasm"; exit 1; }

declare -A T F
imports=() exports=()
sec=
while IFS= read -r line; do
  case "$line" in
    Type\[*) sec=type; continue ;;
    Import\[*) sec=import; continue ;;
    Function\[*) sec=func; continue ;;
    Export\[*) sec=export; continue ;;
    [A-Z]*) sec=; continue ;;
  esac
  case $sec in
    type) [[ $line =~ ^\ -\ type\[([0-9]+)\]\ (.*)$ ]] && T[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} ;;
    import)
      if [[ $line =~ ^\ -\ func\[([0-9]+)\]\ sig=([0-9]+)\ (\<[^\>]*\>\ )?\<-\ (.*)$ ]]; then
        F[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
        imports+=("import ${BASH_REMATCH[4]} : ${T[${BASH_REMATCH[2]}]}")
      fi ;;
    func) [[ $line =~ ^\ -\ func\[([0-9]+)\]\ sig=([0-9]+) ]] && F[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} ;;
    export)
      if [[ $line =~ ^\ -\ func\[([0-9]+)\]\ (\<[^\>]*\>\ )?-\>\ \"(.*)\"$ ]]; then
        exports+=("export ${BASH_REMATCH[3]} : ${T[${F[${BASH_REMATCH[1]}]}]}")
      fi ;;
  esac
done <<< "$dump"

builtins='import $root.[waitable-set-new] : () -> i32
import $root.[waitable-set-wait] : (i32, i32) -> i32
import $root.[waitable-set-poll] : (i32, i32) -> i32
import $root.[waitable-set-drop] : (i32) -> nil
import $root.[waitable-join] : (i32, i32) -> nil
import $root.[subtask-drop] : (i32) -> nil
import $root.[subtask-cancel] : (i32) -> i32
import $root.[context-get-0] : () -> i32
import $root.[context-set-0] : (i32) -> nil
import $root.[context-get-1] : () -> i32
import $root.[context-set-1] : (i32) -> nil
import $root.[backpressure-inc] : () -> nil
import $root.[backpressure-dec] : () -> nil
import $root.[thread-yield] : () -> i32
import [export]$root.[task-cancel] : () -> nil'
bad=0
got=$( { printf '%s\n' "${imports[@]}"; printf '%s\n' "${exports[@]}"; } | sed '/^$/d' | sort -u)
missing=$(comm -23 <(echo "$pred") <(echo "$got"))
extra=$(comm -13 <(echo "$pred") <(echo "$got"))
if [ -n "$missing" ]; then
  echo "predicted by gale wit abi but not in the module (or with another core type):"; echo "$missing" | sed 's/^/  /'; bad=1
fi
sdk=0
while IFS= read -r l; do
  [ -z "$l" ] && continue
  if grep -qxF "$l" <<< "$builtins"; then sdk=$((sdk+1)); else echo "unexpected core import/export: $l"; bad=1; fi
done <<< "$extra"
n=$(echo "$pred" | wc -l)
if [ $bad -ne 0 ]; then echo "bindgen check: FAILED ($wasm)"; exit 1; fi
echo "bindgen check: $n core imports/exports of $(basename "$wasm") match (names and core types), $sdk SDK built-ins ok"
if [ -n "$jco" ]; then
  if command -v node >/dev/null 2>&1 && [ -d "$(dirname "$jco")/node_modules/@bytecodealliance/jco-transpile" ]; then
    node "$jco" "$wasm" "$wit" "$world" || exit 1
  else
    echo "jco cross-check skipped: node or jco not installed"
  fi
fi
