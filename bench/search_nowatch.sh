#!/usr/bin/env bash
# Search without a watcher against `rg -c WORD VAULT`, in one hyperfine run
# per query (rg, then BEFORE if given, then this kith), so all three see
# the same load. Prints median ms, CPU (user + sys) ms and the ratio to rg.
#
#   BEFORE=/path/to/old/kith bash bench/search_nowatch.sh VAULT [BEFORE_VAULT]
#
# BEFORE_VAULT: a second vault for the old binary when its index format
# or stamp file differs (two binaries of different index versions on one
# vault rebuild it in turn; a binary from before KITHSTP3 rewrites the
# stamp file without the folders, so the new one walks every time).
# Generate both with gen_vault: a copy made with `cp -a` has its inodes in
# listing order, which flatters a walk in listing order. Run one search of
# each binary first, so that each vault's stamp file is its own.
set -euo pipefail
vault=$1
before_vault=${2:-$1}
kith=${KITH:-$(dirname "$0")/../target/release/kith}
runs=${RUNS:-20}
for q in coffee "structured interviews" '"structured interviews"' "coffee --json"; do
  cmds=("rg -c coffee $vault")
  if [ -n "${BEFORE:-}" ]; then cmds+=("$BEFORE --vault $before_vault search $q"); fi
  cmds+=("$kith --vault $vault search $q")
  json=$(mktemp /tmp/kith-bench.XXXXXX.json)
  hyperfine -N -w 3 -r "$runs" -i --export-json "$json" "${cmds[@]}" >/dev/null 2>&1
  python3 - "$json" "$q" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["results"]
rg = d[0]["median"]
for r in d:
    cpu = (r["user"] + r["system"]) * 1000
    print(f'{sys.argv[2]:<26} {("rg" if r["command"].startswith("rg ") else r["command"].split(" --vault")[0].split("/")[-1])[:22]:<22} '
          f'median {r["median"]*1000:8.1f} ms  cpu {cpu:7.1f} ms  x rg {rg / r["median"]:5.2f}')
PY
  rm -f "$json"
done
