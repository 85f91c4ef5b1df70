#!/usr/bin/env bash
# The checker must catch violations: build a tiny tree with a forbidden include
# (wasm -> kernel), a forbidden relative reach (exec -> ../wasm) and an allowed one,
# and expect exactly the two violations.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir -p "$t/src/wasm" "$t/src/exec" "$t/src/kernel" "$t/tests/layering"
cp "$here/layers.conf" "$t/tests/layering/"
printf '#include "gale/kernel.h"\n' > "$t/src/wasm/bad.c"
printf '#include "../wasm/internal.h"\n#include "gale/kernel.h"\n#include "gale/error.h"\n' > "$t/src/exec/mixed.c"
printf '#include "gale/arch.h"\n' > "$t/src/kernel/ok.c"
out=$("$here/check_layers.sh" "$t" 2>&1) && { echo "self-test: checker accepted a bad tree"; echo "$out"; exit 1; }
echo "$out"
n=$(grep -c '^src/' <<<"$out")
[ "$n" -eq 2 ] || { echo "self-test: expected 2 violations, got $n"; exit 1; }
grep -q 'src/wasm/bad.c:1: layer .wasm. may not include <gale/kernel.h>' <<<"$out"
grep -q 'src/exec/mixed.c:1: layer .exec. reaches into .src/wasm.' <<<"$out"
rm -f "$t/src/wasm/bad.c" "$t/src/exec/mixed.c"
"$here/check_layers.sh" "$t" >/dev/null
echo "self-test: ok"
