#!/usr/bin/env bash
# Fails when a source file includes a header of a layer it may not use.
#   check_layers.sh <project root> [<layers.conf>]
# Checks: (1) #include "gale/<layer>.h" / <gale/<layer>/...> against the arrows;
#         (2) relative includes that reach into another layer's folder ("../kernel/x.h");
#         (3) that cmake/GaleLayers.cmake declares the same arrows as layers.conf.
set -uo pipefail
root=${1:?usage: check_layers.sh <root> [conf]}
conf=${2:-$root/tests/layering/layers.conf}
common=" error config "
declare -A dir_of allowed
layers=()
while read -r name dir rest; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  layers+=("$name"); dir_of[$name]=$dir; allowed[$name]=" $rest "
done < "$conf"

bad=0
layer_of_header() { # gale/<x>.h or gale/<x>/... -> x
  local h=$1 x=${1#gale/}; x=${x%%/*}; x=${x%.h}; echo "$x"
}
for L in "${layers[@]}"; do
  d="$root/${dir_of[$L]}"
  [ -d "$d" ] || continue
  while IFS= read -r -d '' f; do
    lineno=0
    while IFS= read -r line; do
      lineno=$((lineno+1))
      [[ "$line" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"\<]([^\"\>]+)[\"\>] ]] || continue
      inc=${BASH_REMATCH[1]}
      rel=${f#$root/}
      if [[ "$inc" == gale/* ]]; then
        H=$(layer_of_header "$inc")
        [[ "$common" == *" $H "* || "$H" == "$L" ]] && continue
        # a public header named after a layer belongs to that layer; cli is tools/gale
        if [[ " ${layers[*]} " == *" $H "* ]]; then
          if [[ "${allowed[$L]}" != *" $H "* ]]; then
            echo "$rel:$lineno: layer '$L' may not include <$inc> (layer '$H'); allowed:${allowed[$L]}"
            bad=1
          fi
        else
          echo "$rel:$lineno: <$inc> is not a known layer header (include/gale/<layer>.h or a common header)"
          bad=1
        fi
      elif [[ "$inc" == *../* ]]; then
        target=$(realpath -m "$(dirname "$f")/$inc")
        for M in "${layers[@]}"; do
          [ "$M" == "$L" ] && continue
          md=$(realpath -m "$root/${dir_of[$M]}")
          if [[ "$target" == "$md"/* ]]; then
            mine=$(realpath -m "$root/${dir_of[$L]}")
            [[ "$md" == "$mine"/* ]] && continue   # a sub-folder of our own layer
            echo "$rel:$lineno: layer '$L' reaches into '${dir_of[$M]}' with \"$inc\": use the public header include/gale/$M.h"
            bad=1
          fi
        done
      fi
    done < "$f"
  done < <(find "$d" -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print0)
done

cm="$root/cmake/GaleLayers.cmake"
if [ -f "$cm" ]; then
  for L in "${layers[@]}"; do
    want=$(echo ${allowed[$L]} | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
    have=$(sed -n "s/^set(GALE_LAYER_ALLOWED_$L *\"\(.*\)\")/\1/p" "$cm" | tr ';' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
    if [ "$want" != "$have" ]; then
      echo "cmake/GaleLayers.cmake: arrows of '$L' are '$have', tests/layering/layers.conf says '$want'"
      bad=1
    fi
  done
fi
if [ $bad -ne 0 ]; then echo "layering: FAILED"; exit 1; fi
echo "layering: ok (${#layers[@]} layers)"
