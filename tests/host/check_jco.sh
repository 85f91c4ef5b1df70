#!/usr/bin/env bash
# Wraps a gale C guest into a real component with jco (wit-component, the
# reference toolchain) and runs that component under gale. Exit 77 (CTest skip)
# when node or jco is not installed.
set -uo pipefail
root=${1:?usage: check_jco.sh <root> <guest.wasm> <run_component> <out.wasm> [world]}
guest=${2:?}; runner=${3:?}; out=${4:?}; world=${5:-sync-system}
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed (jco component round trip not run)"; exit 77
fi
if [ ! -d "$root/tools/node/node_modules/@bytecodealliance/jco-transpile" ]; then
  echo "SKIP: jco is not installed in tools/node (run scripts/setup.sh with npm present)"; exit 77
fi
node "$root/tools/node/component-check.mjs" "$guest" "$root/wit/gale" "$world" "$out" || exit 1
mode=sync; [ "$world" = async-system ] && mode=async
"$runner" "$out" "$mode"
