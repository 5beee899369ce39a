#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole CTest suite.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

bash "$here/packaging/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
