#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang in build-fuzz/ and runs
# each one, bounded, from a copy of its seed corpus (tests/fuzz/corpus/<name>/ is never
# written to). Any finding (crash, sanitizer report, uncaught exception, timeout, huge
# allocation) makes the script exit non-zero and print the file that reproduces it.
#
#   scripts/fuzz.sh                      CI: --runs 150000 for each target (about 2 minutes)
#   scripts/fuzz.sh --runs 200000        a fixed number of executions per target
#   scripts/fuzz.sh --seconds 600 csv    the longer run: 10 minutes per target, here only csv
#
# docs/fuzzing.md says what each target covers and how to reproduce a finding.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh [--runs N | --seconds S] [config|idx|csv|checkpoint ...]" >&2
  exit 2
}

runs=150000
seconds=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ $# -ge 2 ] || usage; runs=$2; seconds=""; shift 2 ;;
    --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift 2 ;;
    config|idx|csv|checkpoint) targets+=("$1"); shift ;;
    -h|--help) usage ;;
    *) echo "scripts/fuzz.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(config idx csv checkpoint)
for n in ${seconds:-$runs}; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "scripts/fuzz.sh: expected a positive integer, got '$n'" >&2; exit 2; }
done

scripts/bootstrap.sh
build_dir=${MIXPREC_FUZZ_BUILD_DIR:-build-fuzz}
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -DMIXPREC_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j"${MIXPREC_BUILD_JOBS:-$(nproc)}" --target "${targets[@]/%/_fuzz}"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
summary=()
failed=0
for name in "${targets[@]}"; do
  work="$build_dir/fuzz-run/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work/corpus/"
  # -timeout: a reader that takes seconds on a 10 KB input is a finding too.
  # -malloc_limit_mb: no reader needs more than a few MB for these inputs; a header field
  # that makes one allocate more is a finding, not a slow run.
  args=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1
        -artifact_prefix="$work/artifacts/")
  [ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
  if [ -n "$seconds" ]; then args+=(-max_total_time="$seconds"); else args+=(-runs="$runs"); fi
  echo "fuzz: $name (log: $work/log)" >&2
  rc=0
  "$build_dir/${name}_fuzz" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || rc=$?
  done_line=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work/log" | tail -1 || true)
  seed=$(grep -Eo 'Seed: [0-9]+' "$work/log" | head -1 | cut -d' ' -f2 || true)
  if [ "$rc" -eq 0 ] && [ -n "$done_line" ]; then
    read -r _ count _ _ secs _ <<<"$done_line"
    summary+=("$(printf '%-16s %10s runs in %5s s, no finding (seed %s)' "${name}_fuzz" "$count" "$secs" "$seed")")
  else
    failed=1
    crash=$(grep -Eo 'Test unit written to .*' "$work/log" | tail -1 | sed 's/Test unit written to //' || true)
    executed=$(grep -Eo '^#[0-9]+' "$work/log" | tail -1 | tr -d '#' || true)
    when="after about ${executed} runs"
    [ -n "$executed" ] || when="while reading the seed corpus"
    summary+=("$(printf '%-16s FINDING %s (exit %s): %s' "${name}_fuzz" "$when" "$rc" "${crash:-no crash file, see $work/log}")")
    grep -E 'ERROR|SUMMARY|runtime error|what\(\)|terminate called' "$work/log" | head -5 >&2 || true
    [ -n "$crash" ] && echo "fuzz: reproduce with: $build_dir/${name}_fuzz $crash" >&2
  fi
done

echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit "$failed"
