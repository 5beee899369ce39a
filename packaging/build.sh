#!/usr/bin/env bash
# Installs what is missing and builds AECNN Studio (Release) into BUILD_DIR (default: build/).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

bash "$here/packaging/install-deps.sh"

# ccache's settings for the precompiled LibTorch header are in CMakeLists.txt (the launcher).
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release ${AECNN_CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc)"
