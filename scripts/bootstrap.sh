#!/usr/bin/env bash
# Installs the Debian 12 packages mixprec needs, if any are missing. Idempotent, and
# silent when everything is already there. Run as root (or with sudo available).
set -euo pipefail

packages=(
  cmake g++ make git ca-certificates curl
  libeigen3-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev zlib1g-dev
  libdnnl-dev libgtest-dev libbenchmark-dev
  libboost-math-dev  # header-only Boost.Math: t distributions for compare (issue 22)
  ocl-icd-opencl-dev  # only Recommended by libdnnl-dev, but its CMake config needs OpenCL
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer, ASan and UBSan runtimes
  python3 python3-jsonschema   # tests/docs/check_schemas.py: the JSON outputs against docs/schema/
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# apt's own output goes to a log, shown only if it fails: the user sees one progress line.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "bootstrap: installing ${missing[*]} failed (apt's output is above)" >&2
  exit 1
fi
