#!/usr/bin/env bash
# The digest and `intros --all` right after one note is edited, in two ways:
# a line appended to its last log entry (everyone's matcher fields stay the
# same: the matcher's kept answers serve) and its first need changed to a
# new text (asked for the first time: the matcher's index is built), against
# one `rg -c coffee VAULT` pass timed in the same run.
#   bash bench/answers.sh [SIZES...]          (default: 10000 100000)
# KITH=path (default target/release/kith); BEFORE=path adds an older
# binary's rows. RUNS (default 5) per median. Needs hyperfine, ripgrep, GNU
# time and perl. Prints one Markdown table (user s and peak RSS from one
# more run under /usr/bin/time) and, per row, one run's KITH_TRACE phases.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
setup 10000 100000 -- "$@"
phases() { # the matcher's and the digest's phases of one traced run
  KITH_TRACE=1 "$@" 2>&1 >/dev/null | grep -E "matcher (key|built)|needs matched|topics paired|^trace: load" |
    sed -E 's/^trace: //; s/, [0-9]+ MB resident//; s/([0-9]+\.[0-9]{2})[0-9]*(ms|s)/\1\2/g' | paste -sd ';' -
}
traces=()
echo "| people | binary | edit | command | median s | × rg | user s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  v=$dir/v$n
  [ -d "$v/people" ] || ./target/release/examples/gen_vault "$v" --people "$n" >/dev/null
  log_note=$(find "$v/people" -name '*.md' -print -quit)
  need_note=$(grep -l '^needs:' -r "$v/people" | head -1 || true)
  rg_s=$(hf -- rg -c coffee "$v")
  echo "| $n | rg | | \`rg -c coffee\` | $rg_s | 1.00 | | $(used rg -c coffee "$v") |"
  # The edits as scripts: hyperfine -N runs a prepare command without a shell.
  log=$(mktemp /tmp/kith-bench-log.XXXXXX.sh)
  need=$(mktemp /tmp/kith-bench-need.XXXXXX.sh)
  echo "echo '- x' >> '$log_note'" >"$log"
  echo "perl -0pi -e '\$r=time().\$\$; s/^needs:\\n  - .*\$/needs:\\n  - a ceramics teacher \$r/m' '$need_note'" >"$need"
  for bin in $B $K; do
    name=$([ "$bin" = "$K" ] && echo after || echo before)
    "$bin" --vault "$v" digest --as-of "$AS_OF" >/dev/null 2>&1
    for edit in log need; do
      prep="sh ${!edit}"
      for cmd in "digest" "intros --all"; do
        # shellcheck disable=SC2206
        args=($bin --vault "$v" $cmd --as-of "$AS_OF")
        s=$(hf --prepare "$prep" -- "${args[@]}")
        $prep
        u=$(used "${args[@]}")
        $prep
        traces+=("$n $name $edit $cmd: $(phases "${args[@]}")")
        echo "| $n | $name | $edit | $cmd | $s | $(ratio "$s" "$rg_s") | $u |"
      done
    done
  done
  rm -f "$log" "$need"
done
echo
printf '%s\n' "${traces[@]}"
