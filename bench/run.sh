#!/usr/bin/env bash
# Benchmarks kith on generated vaults and compares with rg and grep -r.
#   bash bench/run.sh [SIZES...]        (default: 1000 10000 100000)
# Needs hyperfine, ripgrep and GNU time (apt-get install hyperfine ripgrep time).
# Prints Markdown tables (medians) for docs/performance.md. Vaults go to
# ${BENCH_DIR:-target/bench} and are kept for reruns (delete them after).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
sizes=("${@:-1000 10000 100000}")
[ $# -eq 0 ] && sizes=(1000 10000 100000)
dir=${BENCH_DIR:-target/bench}
mkdir -p "$dir"
cargo build --release --quiet --examples
cargo build --release --quiet
K=$PWD/target/release/kith
median() { # hyperfine JSON -> median of each command, in ms
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%.0f" % (r["median"]*1000) for r in d["results"]))' "$1"
}
echo "| people | vault MB | full build s | build peak MB | no-change sync ms | one-changed sync ms | digest s | digest peak MB |"
echo "|---|---|---|---|---|---|---|---|"
rows=()
for n in "${sizes[@]}"; do
  v=$dir/v$n
  [ -d "$v/people" ] || ./target/release/examples/gen_vault "$v" --people "$n" >/dev/null
  mb=$(du -sm --exclude=.kith "$v" | cut -f1)
  rm -rf "$v/.kith/cache"
  start=$(date +%s.%N)
  build_kb=$(peak "$K" --vault "$v" index)
  build_s=$(python3 -c "import time;print(f'{time.time()-$start:.1f}')")
  hyperfine -N -w 2 -r 10 --export-json /tmp/kb.json "$K --vault $v index" >/dev/null 2>&1
  nochange=$(median /tmp/kb.json)
  for f in "$v"/people/*.md; do break; done
  hyperfine -N -w 1 -r 10 --export-json /tmp/kb.json --prepare "sh -c 'echo edit >> $f'" "$K --vault $v index" >/dev/null 2>&1
  onechange=$(median /tmp/kb.json)
  start=$(date +%s.%N)
  dig_kb=$(peak "$K" --vault "$v" digest --as-of 2026-11-22)
  dig_s=$(python3 -c "import time;print(f'{time.time()-$start:.2f}')")
  echo "| $n | $mb | $build_s | $((build_kb/1024)) | $nochange | $onechange | $dig_s | $((dig_kb/1024)) |"
  rows+=("$n")
done
echo
echo "Whole-process search (median ms), freshness check included, no watcher; same words with rg and grep -r:"
echo
echo "| people | query | kith search | kith search, watcher running | rg | grep -r |"
echo "|---|---|---|---|---|---|"
for n in "${rows[@]}"; do
  v=$dir/v$n
  "$K" --vault "$v" watch --quiet & wpid=$!
  for _ in $(seq 100); do [ -f "$v/.kith/cache/watch.json" ] && break; sleep 0.1; done
  for q in coffee falconry '"structured interviews"' 'Lena Fischer'; do
    word=${q//\"/}
    hyperfine -N -w 2 -r 10 -i --export-json /tmp/ks.json "$K --vault $v search $q" >/dev/null 2>&1 || true
    hyperfine -N -w 2 -r 10 -i --export-json /tmp/kw.json "$K --vault $v search $q" >/dev/null 2>&1 || true
    # Re-measure without the watcher for the first column.
    hyperfine -w 2 -r 5 -i --export-json /tmp/rg.json "rg -F '$word' $v" "grep -rF '$word' $v" >/dev/null 2>&1 || true
    echo "| $n | $q | - | $(median /tmp/kw.json) | $(median /tmp/rg.json | tr ' ' '|') |"
  done
  kill -TERM $wpid; wait $wpid || true
  for q in coffee falconry '"structured interviews"' 'Lena Fischer'; do
    hyperfine -N -w 2 -r 10 -i --export-json /tmp/ks.json "$K --vault $v search $q" >/dev/null 2>&1 || true
    echo "| $n | $q | $(median /tmp/ks.json) | - | - | - |"
  done
done

echo
echo "The vault model (show, log, check, digest, intros) against one rg pass:"
echo
BENCH_DIR=$dir bash bench/model.sh "${rows[@]}"
