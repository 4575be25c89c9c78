#!/bin/sh
set -eu
cd "$(dirname "$0")"
req='{"protocol":1,"hook":"digest","vault":"/v","as_of":"2026-11-22","settings":{"days":60},"notes":[
 {"path":"people/a.md","person":{"name":"Ann","needs":["a flat"]},"entries":[{"date":"2026-08-01","line":5,"text":""}]},
 {"path":"people/b.md","person":{"name":"Bo","needs":["a job"]},"entries":[{"date":"2026-11-01","line":5,"text":""}]},
 {"path":"people/c.md","person":{"name":"Cy","needs":[]},"entries":[{"date":"2020-01-01","line":5,"text":""}]}]}'
out=$(printf '%s' "$req" | python3 stale_needs.py)
printf '%s' "$out" | python3 -c '
import json, sys
items = json.load(sys.stdin)["sections"][0]["items"]
assert [i["text"] for i in items] == ["Ann needs “a flat” — 113 days since you last talked"], items
assert items[0]["path"] == "people/a.md"
' || { echo "FAIL: $out"; exit 1; }
echo "stale-needs: ok"
