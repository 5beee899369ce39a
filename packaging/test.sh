#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole CTest suite.
# Each test's time limit is its CTest TIMEOUT (tests/CMakeLists.txt). The output ends
# with the tests that skipped themselves and why.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

bash "$here/packaging/build.sh"
cd "$build"
status=0
ctest --output-on-failure -j "$(nproc)" || status=$?
bash "$here/packaging/skipped-tests.sh" "$build/Testing/Temporary/LastTest.log"
exit $status
