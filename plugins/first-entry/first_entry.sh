#!/bin/sh
# kith plugin in plain POSIX sh: a digest section listing person notes that
# have no dated log heading yet. It reads only the vault path from the request
# and answers with a JSON object.
set -eu
req=$(cat)
vault=$(printf '%s' "$req" | sed -n 's/.*"vault":"\([^"]*\)".*/\1/p')
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
items=""
count=0
for f in "$vault"/people/*.md; do
  [ -f "$f" ] || continue
  if ! grep -Eq '^#{1,6} +[0-9]{4}-[0-9]{2}-[0-9]{2}' "$f"; then
    name=$(sed -n 's/^name: *//p' "$f" | head -n 1 | sed 's/^"\(.*\)"$/\1/')
    [ -n "$name" ] || name=$(basename "$f" .md)
    rel=${f#"$vault"/}
    [ $count -gt 0 ] && items="$items,"
    items="$items{\"text\":\"$(esc "$name"): no conversation logged yet — what could you do for them?\",\"path\":\"$(esc "$rel")\",\"line\":1}"
    count=$((count + 1))
    [ $count -ge 5 ] && break
  fi
done
if [ $count -gt 0 ]; then
  printf '{"sections":[{"title":"No first entry yet","items":[%s]}]}' "$items"
else
  printf '{"sections":[]}'
fi
