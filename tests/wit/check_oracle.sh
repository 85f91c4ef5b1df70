#!/usr/bin/env bash
# Oracle test: jco (the reference WIT toolchain, wasm-tools' wit-parser) must
# accept exactly what gale accepts for every package in wit/ and in
# tests/wit/corpus/ok, and reject what gale rejects in tests/wit/corpus/err.
# Files named strict-*.wit are deliberate, documented divergences (gale
# applies a component-model validation rule that jco's parser leaves to a
# later stage): gale must reject them and jco is expected to accept them.
# Exit 77 (CTest skip) when node or jco is not installed.
set -uo pipefail
gale=${1:?usage: check_oracle.sh <gale> <root>}
root=${2:?}
oracle=$root/tools/node/wit-oracle.mjs
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed (jco oracle not run)"; exit 77
fi
if [ ! -d "$root/tools/node/node_modules/@bytecodealliance/jco-transpile" ]; then
  echo "SKIP: jco is not installed in tools/node (run scripts/setup.sh with npm present)"; exit 77
fi
accept=("$root/wit/gale" "$root/wit/hal")
for p in "$root"/tests/wit/corpus/ok/* "$root"/tests/wit/bindgen/*/ "$root"/tests/wit/contract/*/; do
  [ -e "$p" ] && accept+=("${p%/}")
done
reject=("$root"/tests/wit/corpus/err/*.wit)

gale_out=$("$gale" wit check "${accept[@]}" "${reject[@]}")
jco_out=$(node "$oracle" "${accept[@]}" "${reject[@]}")
verdict() { # <output> <path> -> ok|error
  echo "$1" | awk -v p="$2" '($1=="ok" && $2==p) {print "ok"; exit} ($1=="error" && index($2, p)==1) {print "error"; exit}'
}
bad=0; n=0
for p in "${accept[@]}"; do
  g=$(verdict "$gale_out" "$p"); j=$(verdict "$jco_out" "$p"); n=$((n+1))
  if [ "$g" != ok ] || [ "$j" != ok ]; then
    echo "MISMATCH (both should accept) $p: gale=$g jco=$j"; bad=1
    echo "$gale_out" | grep -F "$p" ; echo "$jco_out" | grep -F "$p"
  fi
done
for p in "${reject[@]}"; do
  g=$(verdict "$gale_out" "$p"); j=$(verdict "$jco_out" "$p"); n=$((n+1))
  case "$(basename "$p")" in
    strict-*) want_j=ok ;;
    *) want_j=error ;;
  esac
  if [ "$g" != error ] || [ "$j" != "$want_j" ]; then
    echo "MISMATCH $p: gale=$g (want error) jco=$j (want $want_j)"; bad=1
    echo "$jco_out" | grep -F "$p"
  fi
done
if [ $bad -ne 0 ]; then echo "wit oracle: FAILED"; exit 1; fi
echo "wit oracle: gale and jco agree on $n packages/files (${#accept[@]} accepted, ${#reject[@]} rejected)"
