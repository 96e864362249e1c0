#!/usr/bin/env bash
# The components of libcore/src depend one way (docs/architecture.md): a
# folder includes headers only of the folders before it in this list, and
# base/ nothing of the project. An include against the order fails here,
# naming the file and the line.
set -u
src=${1:?usage: layers_test.sh LIBCORE_SRC}
order=(base config state store monitor plugin/isolation plugin recovery build top)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && echo "$i" && return; done; echo -1; }
folder_of() { # the component a path below src/ (or an include) belongs to
  case "$1" in
    plugin/isolation/*) echo plugin/isolation ;;
    */*) echo "${1%%/*}" ;;
    *) echo top ;;
  esac
}
bad=0 checked=0
while IFS= read -r file; do
  relative=${file#"$src"/}
  from=$(folder_of "$relative")
  from_rank=$(rank "$from")
  [ "$from_rank" -ge 0 ] || { echo "FAIL: $relative is in no known component (add it to docs/architecture.md and this list)"; bad=1; continue; }
  while IFS=: read -r line text; do
    header=$(sed -E 's/#include "([^"]+)".*/\1/' <<<"$text")
    to=$(folder_of "$header")
    [ "$to" = "$from" ] && continue
    checked=$((checked + 1))
    to_rank=$(rank "$to")
    if [ "$to_rank" -lt 0 ] || [ "$to_rank" -ge "$from_rank" ]; then
      echo "FAIL: $relative:$line: $from/ includes $header ($to/), which comes after it"
      bad=1
    fi
  done < <(grep -n '^#include "' "$file")
done < <(find "$src" -name '*.h' -o -name '*.cpp' | sort)
[ "$checked" -gt 50 ] || { echo "FAIL: only $checked includes across components found: is $src right?"; exit 1; }
[ "$bad" -eq 0 ] && echo "ok: $checked includes across components, all in order"
exit "$bad"
