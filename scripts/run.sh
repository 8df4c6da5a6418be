#!/usr/bin/env bash
# Fresh machine to a trained model: install what is missing, build the mixprec tool in
# Release (the tests and benchmarks are built by scripts/test.sh), and train the default
# config on the dataset shipped in data/. Extra arguments go to `mixprec train` (e.g.
# scripts/run.sh --set precision=bf16-mixed). Prints the run directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
build_dir=${MIXPREC_BUILD_DIR:-build}
[ -x "$build_dir/mixprec" ] || echo "run.sh: building mixprec (a few minutes on a fresh machine)" >&2
if ! log=$(scripts/build.sh --target mixprec 2>&1); then
  printf '%s\n' "$log" >&2
  echo "run.sh: the build failed (its output is above)" >&2
  exit 1
fi
exec "$build_dir/mixprec" train configs/default.json "$@"
