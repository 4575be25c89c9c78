#!/usr/bin/env bash
# The fast core (issue 12's table): every command that reads the vault, on
# generated vaults, against one `rg -c coffee VAULT` pass measured in the same
# run, for one or two kith binaries.
#   bash bench/core.sh [SIZES...]          (default: 1000 10000 100000)
# KITH=path (default target/release/kith) is "after"; BEFORE=path adds an
# older binary's rows in the same run. WATCH=0 skips the rows with a running
# `kith watch`. RUNS (default 5) per median. Needs hyperfine, ripgrep and GNU
# time. Vaults: ${BENCH_DIR:-target/bench-vaults}/vN (kept; delete after).
# Prints one Markdown table: people, binary, command, median s, × rg, peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
setup 1000 10000 100000 -- "$@"
echo "| people | binary | command | median s | × rg | peak RSS MB |"
echo "|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  v=$dir/v$n
  [ -d "$v/people" ] || ./target/release/examples/gen_vault "$v" --people "$n" >/dev/null
  first=$(find "$v/people" -name '*.md' -print -quit)
  person=$(sed -n 's/^name: //p;T;q' "$first")
  cp "$first" /tmp/kith-core-note.md
  rg_s=$(hf -- rg -c coffee "$v")
  echo "| $n | rg | \`rg -c coffee\` | $rg_s | 1.00 | $(($(peak rg -c coffee "$v") / 1024)) |"
  for bin in $B $K; do
    name=$([ "$bin" = "$K" ] && echo after || echo before)
    # Each binary starts from no cache: the before binary may not read the
    # after binary's files (or the other way round).
    rm -rf "$v/.kith/cache"
    s0=$(date +%s.%N)
    kb=$(peak "$bin" --vault "$v" index)
    s=$(python3 -c "import time;print('%.3f' % (time.time()-$s0))")
    echo "| $n | $name | index, cold (full build) | $s | $(ratio "$s" "$rg_s") | $((kb / 1024)) |"
    s0=$(date +%s.%N)
    kb=$(peak "$bin" --vault "$v" show "$person")
    s=$(python3 -c "import time;print('%.3f' % (time.time()-$s0))")
    echo "| $n | $name | show, cold (no model) | $s | $(ratio "$s" "$rg_s") | $((kb / 1024)) |"
    row() { # label, then the command
      local label=$1; shift
      local s kb
      s=$(hf -- "$@")
      kb=$(peak "$@")
      echo "| $n | $name | $label | $s | $(ratio "$s" "$rg_s") | $((kb / 1024)) |"
    }
    row "index (no change)" "$bin" --vault "$v" index
    row "search coffee" "$bin" --vault "$v" search coffee
    row "search \"structured interviews\"" "$bin" --vault "$v" search '"structured interviews"'
    row "show" "$bin" --vault "$v" show "$person"
    row "check" "$bin" --vault "$v" check
    row "digest" "$bin" --vault "$v" digest --as-of "$AS_OF"
    row "intros --all" "$bin" --vault "$v" intros --all --as-of "$AS_OF"
    # log writes: the note is put back before each run, so every run also
    # sees one changed note, as a second `kith log` would.
    s=$(hf --prepare "cp /tmp/kith-core-note.md $first" -- "$bin" --vault "$v" log "$person" "bench entry" --date "$AS_OF")
    cp /tmp/kith-core-note.md "$first"
    echo "| $n | $name | log (one note changed) | $s | $(ratio "$s" "$rg_s") | - |"
    if [ "${WATCH:-1}" != 0 ] && [ "$bin" = "$K" ]; then
      "$bin" --vault "$v" watch --quiet >/dev/null 2>&1 &
      wpid=$!
      for _ in $(seq 300); do [ -f "$v/.kith/cache/watch.json" ] && break; sleep 0.1; done
      sleep 1
      row "search coffee, watch running" "$bin" --vault "$v" search coffee
      row "show, watch running" "$bin" --vault "$v" show "$person"
      row "digest, watch running" "$bin" --vault "$v" digest --as-of "$AS_OF"
      kill -TERM "$wpid" 2>/dev/null || true
      wait "$wpid" 2>/dev/null || true
    fi
  done
done
