#!/bin/sh
set -eu
cd "$(dirname "$0")"
v=$(mktemp -d)
trap 'rm -rf "$v"' EXIT
mkdir -p "$v/people"
printf -- '---\nname: "Ann \\"Nan\\" Lee"\n---\nNo log.\n' > "$v/people/ann.md"
printf -- '---\nname: Bo\n---\n## Log\n### 2026-11-01 · tea\n' > "$v/people/bo.md"
out=$(printf '{"protocol":1,"hook":"digest","vault":"%s","as_of":"2026-11-22","settings":null,"notes":[]}' "$v" | sh first_entry.sh)
printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); items=d["sections"][0]["items"]; assert len(items)==1 and items[0]["path"]=="people/ann.md", d' || { echo "FAIL: $out"; exit 1; }
echo "first-entry: ok"
