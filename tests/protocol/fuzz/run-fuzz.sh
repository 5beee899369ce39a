#!/bin/sh
# Builds the post-authentication fuzzer (fuzz_post_auth.cpp) with clang
# -fsanitize=fuzzer,address,undefined in its own build directory (the normal build
# does not need clang) and runs it on the committed seed corpus.
# Usage: tests/protocol/fuzz/run-fuzz.sh [RUNS] [BUILD_DIR]   (default 1000000, /tmp/build-protocol-fuzz)
# Extra libFuzzer flags: FUZZ_FLAGS="-jobs=1 ..." ; the working corpus: $CORPUS (default BUILD_DIR/corpus).
set -eu
source_dir=$(cd "$(dirname "$0")/../../.." && pwd)
runs=${1:-1000000}
build_dir=${2:-/tmp/build-protocol-fuzz}
corpus=${CORPUS:-$build_dir/corpus}

CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$source_dir/tests/protocol/fuzz" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
nice -n 10 cmake --build "$build_dir" -j 1
mkdir -p "$corpus"
# Any sanitizer report or trap ends the run with a crash-* file and a non-zero status.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    nice -n 10 "$build_dir/fuzz_post_auth" -runs="$runs" -max_len=4096 -print_final_stats=1 ${FUZZ_FLAGS:-} \
    "$corpus" "$source_dir/tests/protocol/fuzz/corpus"
