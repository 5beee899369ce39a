#!/usr/bin/env bash
# Reproduces the light frozen-backbone demo split models of resources/models/demo/ for
# splits 1 and 2 at V = 2 and 32 (the V of Table I without full Algorithm 1 models there):
# the AECNN model (FR trained on the frozen default model), CA_Pruned (pruned, not
# fine-tuned) and BottleNet++ (encoder/decoder trained on the frozen default model). Each
# file stores only what differs from default.aecnn. V = 4, 8, 16, 64 are full Algorithm 1
# models: packaging/train-table1-demo-models.sh (running this script with --ratios 4,...
# would overwrite them with the weaker frozen-backbone ones).
# Usage: packaging/train-demo-models.sh [BUILD_DIR [extra aecnn-train options]]   (BUILD_DIR defaults to build/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
[ $# -gt 0 ] && shift
aecnn=$build/app/cli/aecnn
[ -x "$aecnn" ] || { echo "error: $aecnn not found; build first (bash packaging/build.sh)" >&2; exit 1; }

"$aecnn" aecnn-train --model default --dataset fashion-mnist --frozen-backbone \
  --splits 1,2 --ratios "${AECNN_DEMO_RATIOS:-2,32}" \
  --epochs-fr "${AECNN_DEMO_EPOCHS_FR:-0.3}" --epochs-finetune "${AECNN_DEMO_EPOCHS_BOTTLENET:-0.3}" \
  --importance-limit 10000 --eval-limit "${AECNN_DEMO_EVAL_LIMIT:-2000}" --lr "${AECNN_DEMO_LR:-0.05}" --seed 1 --threads 2 \
  --out "$here/resources/models/demo" "$@"
