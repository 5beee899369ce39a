#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole CTest suite.
# Each test's time limit is its CTest TIMEOUT (tests/CMakeLists.txt). The output ends
# with the tests that skipped themselves and why.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

# Slurm and munge for tests/sweep/slurm_localhost.sh (about 30 s to install, 40 s of test);
# only root can install and run them, elsewhere that test reports itself skipped.
[ "$(id -u)" -ne 0 ] || bash "$here/packaging/install-deps.sh" --with-slurm
bash "$here/packaging/build.sh"
cd "$build"
status=0
ctest --output-on-failure -j "$(nproc)" || status=$?
bash "$here/packaging/skipped-tests.sh" "$build/Testing/Temporary/LastTest.log"
exit $status
