#!/usr/bin/env bash
# show, digest and search with and without a running `kith watch`, against
# one rg pass in the same run.
#   bash bench/watch_model.sh [SIZES...]      (default: 10000 100000)
# Needs hyperfine and ripgrep. Vaults: ${BENCH_DIR:-target/bench-vaults}/vN.
# Prints Markdown rows: people, command, without watcher s, × rg, with
# `kith watch` s, × rg.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
setup 10000 100000 -- "$@"
time_of() { hf -- "$@"; }
echo "| people | command | no watcher s | × rg | \`kith watch\` running s | × rg |"
echo "|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  v=$dir/v$n
  [ -d "$v/people" ] || ./target/release/examples/gen_vault "$v" --people "$n" >/dev/null
  first=$(find "$v/people" -name "*.md" -print -quit)
  person=$(sed -n 's/^name: //p;T;q' "$first")
  "$K" --vault "$v" index >/dev/null 2>&1
  "$K" --vault "$v" show "$person" >/dev/null 2>&1 || true
  rg=$(time_of rg -c coffee "$v")
  echo "| $n | rg -c coffee | $rg | 1.00 | | |"
  declare -A without
  for c in show digest search; do
    case $c in
      show) without[$c]=$(time_of "$K" --vault "$v" show "$person") ;;
      digest) without[$c]=$(time_of "$K" --vault "$v" digest --as-of 2026-11-22) ;;
      search) without[$c]=$(time_of "$K" --vault "$v" search coffee) ;;
    esac
  done
  "$K" --vault "$v" watch --quiet & wpid=$!
  for _ in $(seq 600); do [ -f "$v/.kith/cache/watch.json" ] && break; sleep 0.1; done
  sleep 1
  for c in show digest search; do
    case $c in
      show) with=$(time_of "$K" --vault "$v" show "$person") ;;
      digest) with=$(time_of "$K" --vault "$v" digest --as-of 2026-11-22) ;;
      search) with=$(time_of "$K" --vault "$v" search coffee) ;;
    esac
    echo "| $n | $c | ${without[$c]} | $(ratio "${without[$c]}" "$rg") | $with | $(ratio "$with" "$rg") |"
  done
  kill -TERM "$wpid"; wait "$wpid" || true
done
