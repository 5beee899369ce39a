#!/usr/bin/env bash
# Installs what is missing and builds AECNN Studio (Release) into BUILD_DIR (default: build/).
#   bash packaging/build.sh            everything, tests included
#   bash packaging/build.sh T1 T2 ...  only these targets (and what they need), e.g. the
#                                      programs the quick start runs: aecnn aecnn-agent aecnn-studio
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

bash "$here/packaging/install-deps.sh"

# ccache's settings for the precompiled LibTorch header are in CMakeLists.txt (the launcher).
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release ${AECNN_CMAKE_ARGS:-}
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build" -j "$(nproc)" "${targets[@]}"
