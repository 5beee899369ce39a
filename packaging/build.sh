#!/usr/bin/env bash
# Installs what is missing and builds AECNN Studio (Release) into BUILD_DIR (default: build/).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

bash "$here/packaging/install-deps.sh"

# ccache must accept the precompiled LibTorch header to be of any use.
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release ${AECNN_CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc)"
