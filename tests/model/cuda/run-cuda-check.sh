#!/usr/bin/env bash
# Builds and runs cuda_training_check.cpp against a CUDA LibTorch without Qt or CMake:
# the Qt-free sources of the model room only. LIBTORCH defaults to the one inside the
# Python torch package (python3 -c 'import torch; print(torch.__path__[0])').
#   tests/model/cuda/run-cuda-check.sh [OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:-$(mktemp -d)}"
python="${PYTHON:-python3}"
LIBTORCH="${LIBTORCH:-$("$python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')}"
abi="$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null || echo 1)"
src="$root/core/src/model"
cuda_libs=()
if [ -e "$LIBTORCH/lib/libtorch_cuda.so" ]; then
  cuda_libs=(-Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed)
fi
mkdir -p "$out"
echo "LibTorch: $LIBTORCH (cxx11 abi $abi)"
flags=(-std=c++17 -O2 -D_GLIBCXX_USE_CXX11_ABI="$abi" -I"$root/core/include"
       -isystem "$LIBTORCH/include" -isystem "$LIBTORCH/include/torch/csrc/api/include")
objects=()
for source in "$here/cuda_training_check.cpp" "$src/training.cpp" "$src/image_set.cpp" "$src/resnet.cpp" \
              "$src/resnet_config.cpp"; do
  object="$out/$(basename "$source" .cpp).o"
  ${CXX:-g++} "${flags[@]}" -c "$source" -o "$object" &
  objects+=("$object")
done
wait
${CXX:-g++} "${objects[@]}" -L"$LIBTORCH/lib" -Wl,-rpath,"$LIBTORCH/lib" "${cuda_libs[@]}" \
  -ltorch -ltorch_cpu -lc10 -o "$out/cuda_training_check"
"$out/cuda_training_check"
