#!/usr/bin/env bash
# Checks the tiny guest module built by gale_add_wasm_guest: a wasm binary with
# the export `add` : (i32, i32) -> i32 and the import gale:test.note : (i32) -> nil.
set -euo pipefail
wasm=${1:?usage: check_tiny.sh tiny.wasm}
[ "$(head -c 4 "$wasm" | od -An -tx1 | tr -d ' \n')" = "0061736d" ] || { echo "not a wasm binary: $wasm"; exit 1; }
dump=$(wasm-objdump -x "$wasm")
sig_of() { echo "$dump" | sed -n "s/.*func\[[0-9]*\] sig=\([0-9]*\) <$1>.*/\1/p" | head -n1; }
isig=$(sig_of note); esig=$(sig_of add)
[ -n "$isig" ] && echo "$dump" | grep -q "<note> <- gale:test.note" || { echo "missing import gale:test.note"; echo "$dump"; exit 1; }
[ -n "$esig" ] && echo "$dump" | grep -q -- '<add> -> "add"' || { echo "missing export add"; echo "$dump"; exit 1; }
echo "$dump" | grep -q "type\[$isig\] (i32) -> nil" || { echo "note has the wrong type"; exit 1; }
echo "$dump" | grep -q "type\[$esig\] (i32, i32) -> i32" || { echo "add has the wrong type"; exit 1; }
echo "tiny guest: ok"
