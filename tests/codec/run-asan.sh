#!/bin/sh
# Builds the project with AddressSanitizer + UBSan (CMake option AECNN_SANITIZE) in a
# separate build directory and runs the codec tests (ctest -R test_codec) there.
# Usage: tests/codec/run-asan.sh [BUILD_DIR]   (default /tmp/build-aecnn-asan)
# Needs the normal build dependencies; takes as long as a full build of core + CLI.
set -eu
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:-/tmp/build-aecnn-asan}
jobs=${JOBS:-2}

cmake -S "$source_dir" -B "$build_dir" -DAECNN_SANITIZE=ON -DAECNN_BUILD_STUDIO=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
targets=$(sed -n 's/^aecnn_add_test(\(test_codec_[a-z_]*\).*/\1/p' "$source_dir/tests/codec/CMakeLists.txt")
# shellcheck disable=SC2086 # one target per word
cmake --build "$build_dir" -j "$jobs" --target aecnn $targets

# Any sanitizer report fails the test that triggered it. LibTorch and Qt are not
# instrumented and keep process-lifetime allocations, so leak checking is off here;
# tests/codec/standalone (codec sources only) runs with LeakSanitizer on.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    ctest --test-dir "$build_dir" -R test_codec --output-on-failure
