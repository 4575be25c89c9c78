#!/usr/bin/env bash
# The digest and `intros --all` on generated vaults, against one
# `rg -c coffee VAULT` pass timed in the same run: with nothing changed since
# the last run (the digest cache hit), right after one note was edited
# (`echo >> note` before each run: the caches miss, one note is parsed
# again, what the matcher reads is unchanged), right after an offer was
# added to one person (the matcher's answers miss too), right after a
# `kith log` entry linking nobody (the introductions' key holds) or linking
# another person (it moves: the introductions are computed again), and with a
# `kith watch` running.
#   bash bench/digest.sh [SIZES...]          (default: 10000 100000)
# KITH=path (default target/release/kith); BEFORE=path adds an older
# binary's rows (run first: the two may not read each other's caches).
# RUNS (default 5) per median. Needs hyperfine, ripgrep and GNU time.
# Prints one Markdown table: people, binary, command, median s, × rg, user s,
# peak RSS MB (user and RSS from one more run under /usr/bin/time). rg is
# timed before and after each size's rows; the ratios are to the faster of
# the two (a noisy moment at either end must not flatter the ratios).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
setup 10000 100000 -- "$@"
echo "| people | binary | command | median s | × rg | user s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  v=$dir/v$n
  [ -d "$v/people" ] || ./target/release/examples/gen_vault "$v" --people "$n" >/dev/null
  note=$(find "$v/people" -name '*.md' -print -quit)
  onote=$(grep -rl -m1 '^offers:' "$v/people" | head -1 || true)
  pname=$(sed -n 's/^name: //p' "$note" | head -1)
  other=$(find "$v/people" -name '*.md' -print | sed -n 2p)
  oname=$(sed -n 's/^name: //p' "$other" | head -1)
  rg_first=$(hf -- rg -c coffee "$v")
  rg_used=$(used rg -c coffee "$v")
  rows=()
  for bin in $B $K; do
    name=$([ "$bin" = "$K" ] && echo after || echo before)
    row() { # label, prepare command ("" for none), then the command
      local label=$1 prep=$2; shift 2
      local s
      if [ -n "$prep" ]; then s=$(hf --prepare "$prep" -- "$@"); sh -c "$prep" >/dev/null 2>&1; else s=$(hf -- "$@"); fi
      rows+=("$name|$label|$s|$(used "$@")")
    }
    touch1="sh -c 'echo >> $note'"
    "$bin" --vault "$v" digest --as-of "$AS_OF" >/dev/null 2>&1
    row "digest (nothing changed)" "" "$bin" --vault "$v" digest --as-of "$AS_OF"
    row "digest (one note edited)" "$touch1" "$bin" --vault "$v" digest --as-of "$AS_OF"
    # A dated entry by `kith log`: one linking nobody keeps the
    # introductions' key, one linking another person moves it.
    log1="$bin --vault $v log '$pname' 'coffee' --date $AS_OF"
    row "digest (a log entry added)" "$log1" "$bin" --vault "$v" digest --as-of "$AS_OF"
    log2="$bin --vault $v log '$pname' 'coffee with [[$oname]]' --date $AS_OF"
    row "digest (a log entry linking someone)" "$log2" "$bin" --vault "$v" digest --as-of "$AS_OF"
    offer1="sed -i '0,/^offers:$/s//offers:\\n  - bench offer/' $onote"
    row "digest (an offer added)" "$offer1" "$bin" --vault "$v" digest --as-of "$AS_OF"
    "$bin" --vault "$v" intros --all --as-of "$AS_OF" >/dev/null 2>&1
    row "intros --all (nothing changed)" "" "$bin" --vault "$v" intros --all --as-of "$AS_OF"
    row "intros --all (one note edited)" "$touch1" "$bin" --vault "$v" intros --all --as-of "$AS_OF"
    row "intros --all (a log entry added)" "$log1" "$bin" --vault "$v" intros --all --as-of "$AS_OF"
    if [ "${WATCH:-1}" != 0 ]; then
      "$bin" --vault "$v" watch --quiet >/dev/null 2>&1 &
      wpid=$!
      for _ in $(seq 300); do [ -f "$v/.kith/cache/watch.json" ] && break; sleep 0.1; done
      sleep 2
      "$bin" --vault "$v" digest --as-of "$AS_OF" >/dev/null 2>&1
      row "digest, watch running" "" "$bin" --vault "$v" digest --as-of "$AS_OF"
      kill "$wpid"; wait "$wpid" 2>/dev/null || true
    fi
  done
  rg_last=$(hf -- rg -c coffee "$v")
  rg_s=$(python3 -c "print(min($rg_first, $rg_last))")
  echo "| $n | rg | \`rg -c coffee\` (before the rows) | $rg_first | $(ratio "$rg_first" "$rg_s") | $rg_used |"
  echo "| $n | rg | \`rg -c coffee\` (after them) | $rg_last | $(ratio "$rg_last" "$rg_s") | $rg_used |"
  for r in "${rows[@]}"; do
    IFS='|' read -r name label s u <<<"$r"
    echo "| $n | $name | $label | $s | $(ratio "$s" "$rg_s") | $u |"
  done
done
