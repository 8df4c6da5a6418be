#!/usr/bin/env bash
# Same set-up as run.sh, then the whole test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh
cd "${MIXPREC_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
