#!/usr/bin/env bash
# Configures and builds mixprec in Release into build/ (or $MIXPREC_BUILD_DIR). Arguments go
# to `cmake --build`: scripts/build.sh --target mixprec builds the tool alone (run.sh);
# without them everything is built, tests and benchmarks included (test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MIXPREC_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release ${MIXPREC_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)" "$@"
