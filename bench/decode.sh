#!/usr/bin/env bash
# The digest right after one note was edited, where its vault is decoded:
# the KITH_TRACE decode time and resident memory after decoding, user CPU
# and peak RSS (GNU time), beside one `rg -c coffee VAULT` in the same go;
# then the digest again with only its own cache removed ("intros cached":
# the introductions come from their cache, so what is left is decoding,
# links and reminders: their times, the resident memory after the
# reminders), and `show` and `check`; then whether the digest (Markdown, JSON), `intros --all`, `check`, `show`
# and the exports are byte for byte those of BEFORE's, after the edit, with
# every cache in place.
#   BEFORE=old/kith bash bench/decode.sh [SIZES...]   (default: 10000 100000)
# KITH=path (default target/release/kith); RUNS (default 3), alternating.
# Each binary gets its own copy of the vault: the two may not read each
# other's caches (a cache of another format is rebuilt, and says so).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS_DEFAULT=3
setup 10000 100000 -- "$@"
B=${BEFORE:?BEFORE=path of the binary to compare with}
outputs() { # binary, vault, folder, person (run inside the vault: paths print alike)
  mkdir -p "$3"
  set -- "$(realpath "$1")" . "$(realpath "$3")" "$4" "$2"
  cd "$5"
  NO_COLOR=1 "$1" --vault "$2" digest --as-of $AS_OF >"$3/digest.md" 2>&1
  NO_COLOR=1 "$1" --vault "$2" --json digest --as-of $AS_OF >"$3/digest.json" 2>&1
  NO_COLOR=1 "$1" --vault "$2" intros --all --as-of $AS_OF >"$3/intros.txt" 2>&1
  NO_COLOR=1 "$1" --vault "$2" check >"$3/check.txt" 2>&1 || true
  NO_COLOR=1 "$1" --vault "$2" --json show "$4" >"$3/show.json" 2>&1
  NO_COLOR=1 "$1" --vault "$2" export vcard >"$3/export.vcf" 2>&1
}
for n in "${sizes[@]}"; do
  v=$dir/v$n
  [ -d "$v/people" ] || ./target/release/examples/gen_vault "$v" --people "$n" >/dev/null
  [ -d "$v-before/people" ] || cp -a "$v" "$v-before"
  rel=$(cd "$v" && find people -name '*.md' -print -quit)
  who=$(sed -n 's/^name: //p' "$v/$rel" | head -1)
  for w in "$v" "$v-before"; do cp "$v/$rel" "$w/$rel.orig" 2>/dev/null || true; done
  for i in $(seq 0 "$runs"); do # run 0 warms each copy's caches
    for bin in $B $K; do
      w=$([ "$bin" = "$K" ] && echo "$v" || echo "$v-before")
      name=$([ "$bin" = "$K" ] && echo after || echo before)
      echo "- edited $i" >>"$w/$rel"
      rg=$(/usr/bin/time -f "%e" rg -c coffee "$w" 2>&1 >/dev/null | tail -1)
      line=$(KITH_TRACE=1 /usr/bin/time -f "time %e s %U user %M KB" "$bin" --vault "$w" digest --as-of $AS_OF 2>&1 >/dev/null |
        sed -n 's/.*decoded \([0-9]*\) notes in \(.*\)/decoded \1 in \2/p; s/.*intros cache: miss at [^,]*, \(.*\) resident/\1 resident after decoding/p; s/^time /  /p' | tr '\n' ' ')
      [ "$i" -gt 0 ] && echo "$n $name: $line rg $rg s"
      rm -f "$w/.kith/cache/digest.bin"
      line=$(KITH_TRACE=1 /usr/bin/time -f "time %e s %U user %M KB" "$bin" --vault "$w" digest --as-of $AS_OF 2>&1 >/dev/null |
        sed -n 's/.*decoded \([0-9]*\) notes in \(.*\)/decoded in \2/p; s/.*intros cache: \(hit\|miss\).*/intros \1,/p; s/.*trace: reminders \([0-9][^,]*\), \(.*\) resident/links+reminders \1, \2 resident;/p; s/^time /  /p' | tr '\n' ' ')
      [ "$i" -gt 0 ] && echo "$n $name, intros cached: $line"
      t=$(/usr/bin/time -f "%e s %U user %M KB" "$bin" --vault "$w" show "$who" 2>&1 >/dev/null | tail -1 || true)
      [ "$i" -gt 0 ] && echo "$n $name: show $t"
      t=$(/usr/bin/time -f "%e s %U user %M KB" "$bin" --vault "$w" check 2>&1 >/dev/null | tail -1 || true)
      [ "$i" -gt 0 ] && echo "$n $name: check $t"
    done
  done
  for w in "$v" "$v-before"; do echo "- edited once" >>"$w/$rel"; done
  (outputs "$B" "$v-before" "$dir/out-before-$n" "$who")
  (outputs "$K" "$v" "$dir/out-after-$n" "$who")
  if diff -rq "$dir/out-before-$n" "$dir/out-after-$n"; then echo "$n: outputs identical"; fi
  for w in "$v" "$v-before"; do mv "$w/$rel.orig" "$w/$rel"; done
done
