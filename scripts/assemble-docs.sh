#!/usr/bin/env bash
# Assembles the two documents several areas write into:
#   bench/RESULTS.md  from bench/results/<area>.md (each area's benchmark figures)
#   docs/TCB.md       from docs/tcb/<area>.md      (each area's trusted base)
# then recomputes the TCB line counts (scripts/tcb-lines.sh --update).
# Run after `make bench` or after touching trusted code; the tcb_counts test
# fails while docs/TCB.md is stale.
#   assemble-docs.sh [results|tcb]   (default: both)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
what=${1:-all}
order="kernel kernel-objects exec wasm cm host cortex-m wit"
shift_headings() { sed -e 's/^#/##/' "$1"; }
parts() { # dir -> files in the preferred order, then the rest
  local d=$1 a f
  for a in $order; do [ -f "$d/$a.md" ] && echo "$d/$a.md"; done
  for f in "$d"/*.md; do case " $order " in *" $(basename "$f" .md) "*) ;; *) echo "$f";; esac; done
}

if [ "$what" != tcb ]; then
{
  echo "# gale benchmark results"
  echo
  echo "Assembled by \`scripts/assemble-docs.sh\` from \`bench/results/*.md\`; each part names"
  echo "the command that produced its figures and the machine. \`make bench\` reruns them all"
  echo "(host-release build; the Cortex-M figures come from QEMU with \`-icount shift=0\`)."
  echo "Timings on this shared machine are medians and ratios against a baseline measured in"
  echo "the same run; instruction counts (callgrind, QEMU icount) are repeatable."
  echo
  for f in $(parts bench/results); do echo "- [$(head -n1 "$f" | sed 's/^# *//')](#$(head -n1 "$f" | sed 's/^# *//' | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 -]//g; s/ /-/g'))"; done
  for f in $(parts bench/results); do echo; shift_headings "$f"; done
} > bench/RESULTS.md
echo "bench/RESULTS.md assembled from $(ls bench/results/*.md | wc -l) parts"
fi
[ "$what" = results ] && exit 0

{
  echo "# The trusted base"
  echo
  echo "What must be trusted for isolation and for not losing data, and what is proven"
  echo "instead. Kernel, executor and component-host *bookkeeping* is written as small pure"
  echo "decision functions with ACSL contracts proven by Frama-C WP (and the executor's"
  echo "wake/poll protocol by spin), all run by \`make prove\` and by \`make test\`. The code"
  echo "that moves stacks, masks interrupts, touches registers or checks guest memory"
  echo "bounds is trusted and listed below with its size."
  echo
  echo "Line counts are code lines (blank and comment-only lines excluded) from"
  echo "\`scripts/tcb-lines.sh\`; the \`tcb_counts\` test recomputes every row of a table"
  echo "whose third column is \"lines\" and fails when this page is stale"
  echo "(\`scripts/assemble-docs.sh\` rewrites it)."
  for f in $(parts docs/tcb); do echo; shift_headings "$f"; done
} > docs/TCB.md
scripts/tcb-lines.sh --update docs/TCB.md >/dev/null
for f in docs/tcb/*.md; do scripts/tcb-lines.sh --update "$f" >/dev/null; done
scripts/tcb-lines.sh --check docs/TCB.md
