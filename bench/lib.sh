# Shared by the bench scripts (sourced, not run): medians from hyperfine,
# ratios, peak RSS. Each script sets `runs` before calling `hf`.

# Median seconds in a hyperfine JSON export.
med() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f" % d["results"][0]["median"])' "$1"; }
# $1 / $2 to two places.
ratio() { python3 -c "print('%.2f' % ($1/$2))"; }
# Peak RSS in KB of one run of a command.
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
# Median seconds of a command over $runs runs (extra hyperfine flags before --).
hf() {
  local extra=() json
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  json=$(mktemp /tmp/kith-bench.XXXXXX.json)
  hyperfine -N -w 1 -r "$runs" -i "${extra[@]}" --export-json "$json" "$(printf '%q ' "$@")" >/dev/null 2>&1 || true
  med "$json"
  rm -f "$json"
}

# The settings the scripts share, as globals: `sizes` (the script's
# arguments, or the defaults given before `--`), `dir`, `K` (KITH), `B`
# (BEFORE), `runs` (RUNS, default 5 or $RUNS_DEFAULT), `AS_OF`; builds
# gen_vault when it is missing.
#   setup 10000 100000 -- "$@"
setup() {
  local defaults=()
  while [ "$1" != "--" ]; do defaults+=("$1"); shift; done
  shift
  sizes=("$@")
  if [ $# -eq 0 ]; then sizes=("${defaults[@]}"); fi
  dir=${BENCH_DIR:-target/bench-vaults}
  K=${KITH:-$PWD/target/release/kith}
  B=${BEFORE:-}
  runs=${RUNS:-${RUNS_DEFAULT:-5}}
  AS_OF=2026-11-22
  [ -x ./target/release/examples/gen_vault ] || cargo build --release --locked --quiet --example gen_vault
}
# "user s | peak MB" of one run of a command.
used() {
  /usr/bin/time -f "%U %M" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.2f | %d", $1, $2/1024}'
}
