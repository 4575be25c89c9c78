#!/usr/bin/env bash
# The persisted vault model: commands that need people, against one rg pass.
#   bash bench/model.sh [SIZES...]      (default: 10000 100000)
# BEFORE=path/to/older/kith adds its figures in the same run. Needs hyperfine,
# ripgrep and GNU time. Vaults: ${BENCH_DIR:-target/bench-vaults}/vN.
# Prints Markdown rows: command, median s, ratio to rg, peak RSS MB.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
setup 10000 100000 -- "$@"
echo "| people | binary | command | median s | × rg | peak RSS MB |"
echo "|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  v=$dir/v$n
  [ -d "$v/people" ] || ./target/release/examples/gen_vault "$v" --people "$n" >/dev/null
  first=$(find "$v/people" -name "*.md" -print -quit)
  person=$(sed -n 's/^name: //p;T;q' "$first")
  note=$first
  cp "$note" /tmp/kith-bench-note.md
  hyperfine -N -w 2 -r "$runs" --export-json /tmp/kb-rg.json "rg -c coffee $v" >/dev/null 2>&1 || true
  rg=$(med /tmp/kb-rg.json)
  echo "| $n | rg | rg -c coffee | $rg | 1.0 | $(( $(peak rg -c coffee "$v") / 1024 )) |"
  for bin in $B $K; do
    name=$([ "$bin" = "$K" ] && echo after || echo before)
    "$bin" --vault "$v" show "$person" >/dev/null 2>&1 || true  # warm the caches
    row() { # label, then the command
      local label=$1; shift
      hyperfine -N -w 1 -r "$runs" -i --export-json /tmp/kb.json "$(printf "%q " "$@")" >/dev/null 2>&1 || true
      local s; s=$(med /tmp/kb.json)
      local kb; kb=$(peak "$@")
      echo "| $n | $name | $label | $s | $(python3 -c "print('%.1f' % ($s/$rg))") | $((kb/1024)) |"
    }
    row "show" "$bin" --vault "$v" show "$person"
    row "digest" "$bin" --vault "$v" digest --as-of 2026-11-22
    row "intros --all" "$bin" --vault "$v" intros --all --as-of 2026-11-22
    row "check" "$bin" --vault "$v" check
    # log writes: put the note back before each run (so each run also sees
    # one changed note, as a second `kith log` would).
    hyperfine -N -w 1 -r "$runs" -i --export-json /tmp/kb.json \
      --prepare "cp /tmp/kith-bench-note.md $note" \
      "$bin --vault $v log '$person' 'bench entry' --date 2026-11-22" >/dev/null 2>&1 || true
    s=$(med /tmp/kb.json)
    echo "| $n | $name | log (one note changed) | $s | $(python3 -c "print('%.1f' % ($s/$rg))") | - |"
    cp /tmp/kith-bench-note.md "$note"
    if [ "$bin" = "$K" ]; then
      rm -f "$v/.kith/cache/model.bin"
      start=$(date +%s.%N)
      kb=$(peak "$bin" --vault "$v" digest --as-of 2026-11-22)
      s=$(python3 -c "import time;print('%.3f' % (time.time()-$start))")
      echo "| $n | $name | digest, cold (no model) | $s | $(python3 -c "print('%.1f' % ($s/$rg))") | $((kb/1024)) |"
    fi
  done
done
