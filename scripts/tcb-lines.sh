#!/usr/bin/env bash
# Line counts for docs/TCB.md: non-blank lines that are not only a comment.
#   tcb-lines.sh FILE...            print the count of the given files
#   tcb-lines.sh --check [TCB.md]   recompute every table row of TCB.md whose 2nd
#                                   column lists files (`a.c` `b.S`, or a glob) and
#                                   fail when the 3rd column disagrees
#   tcb-lines.sh --update [TCB.md]  rewrite the 3rd column with the recomputed counts
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

count() { # files... -> sum of code lines (C-style comments and blank lines excluded)
  local total=0 f n
  for f in "$@"; do
    [ -f "$f" ] || { echo "tcb-lines: no such file: $f" >&2; return 1; }
    n=$(sed -e 's://.*$::' "$f" | awk '
      BEGIN { inc = 0 }
      {
        line = $0; out = ""
        while (length(line) > 0) {
          if (inc) { p = index(line, "*/"); if (p == 0) { line = "" } else { line = substr(line, p + 2); inc = 0 } }
          else { p = index(line, "/*"); if (p == 0) { out = out line; line = "" } else { out = out substr(line, 1, p - 1); line = substr(line, p + 2); inc = 1 } }
        }
        if (out ~ /[^ \t]/ && out !~ /^[ \t]*[@#;][ \t]*$/) n++
      }
      END { print n + 0 }')
    total=$((total + n))
  done
  echo "$total"
}

files_of_row() { # the backticked paths of column 2, globs expanded from the root
  local col=$1 p
  for p in $(grep -o '`[^`]*`' <<<"$col" | tr -d '`'); do
    ( cd "$root" && compgen -G "$p" ) | sed "s|^|$root/|"
  done
}

mode=${1:-}
case "$mode" in
  --check|--update)
    doc=${2:-$root/docs/TCB.md}
    bad=0; tmp=$(mktemp); counted=0; prev=""
    while IFS= read -r line; do
      # A table is checked when its header's third column is "lines" (| what | where | lines | ... |).
      if [[ "$line" =~ ^\|[-:\ \|]+\|$ ]] && [[ "$prev" == \|* ]]; then
        h=$(awk -F'|' '{print tolower($4)}' <<<"$prev" | tr -d ' ')
        [[ "$h" == lines ]] && counted=1 || counted=0
      elif [[ "$line" != \|* ]]; then counted=0; fi
      prev=$line
      if [ $counted -eq 1 ] && [[ "$line" == \|* ]] && [[ $(awk -F'|' '{print NF}' <<<"$line") -ge 5 ]]; then
        col2=$(awk -F'|' '{print $3}' <<<"$line"); col3=$(awk -F'|' '{print $4}' <<<"$line" | tr -d ' ')
        if [[ "$col3" =~ ^[0-9]+$ ]]; then
          mapfile -t fs < <(files_of_row "$col2")
          if [ ${#fs[@]} -eq 0 ]; then echo "TCB.md: row lists no existing file: $line"; bad=1
          else
            n=$(count "${fs[@]}") || bad=1
            if [ "$n" != "$col3" ]; then
              if [ "$mode" = --check ]; then echo "TCB.md: ${col2// /} has $n lines, TCB.md says $col3"; bad=1; fi
              line=$(awk -F'|' -v n=" $n " 'BEGIN{OFS="|"} {$4=n; print}' <<<"$line")
            fi
          fi
        fi
      fi
      echo "$line" >> "$tmp"
    done < "$doc"
    if [ "$mode" = --update ]; then mv "$tmp" "$doc"; echo "TCB.md updated"; else rm -f "$tmp"; fi
    [ $bad -eq 0 ] && [ "$mode" = --check ] && echo "TCB.md: line counts are true"
    exit $bad ;;
  *) count "$@" ;;
esac
