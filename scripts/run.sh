#!/usr/bin/env bash
# Fresh machine to a trained model: install what is missing, build in Release, and train
# the default config on the dataset shipped in data/. Extra arguments go to `mixprec train`
# (e.g. scripts/run.sh --set precision=bf16-mixed). Prints the run directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh >/dev/null
exec "${MIXPREC_BUILD_DIR:-build}/mixprec" train configs/default.json "$@"
