#!/usr/bin/env bash
# Reproduces the shipped demo split models resources/models/demo/: for splits 1 and 2
# and every V of Table I, the AECNN model (FR trained on the frozen default model),
# CA_Pruned (pruned, not fine-tuned) and BottleNet++ (encoder/decoder trained on the
# frozen default model). Each file stores only what differs from default.aecnn.
# These are for live demos without training; Table I's numbers come from full
# Algorithm 1 runs (aecnn reproduce table1).
# Usage: packaging/train-demo-models.sh [BUILD_DIR [extra aecnn-train options]]   (BUILD_DIR defaults to build/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
[ $# -gt 0 ] && shift
aecnn=$build/app/cli/aecnn
[ -x "$aecnn" ] || { echo "error: $aecnn not found; build first (bash packaging/build.sh)" >&2; exit 1; }

"$aecnn" aecnn-train --model default --dataset fashion-mnist --frozen-backbone \
  --splits 1,2 --ratios 2,4,8,16,32,64 \
  --epochs-fr "${AECNN_DEMO_EPOCHS_FR:-0.3}" --epochs-finetune "${AECNN_DEMO_EPOCHS_BOTTLENET:-0.3}" \
  --importance-limit 10000 --eval-limit "${AECNN_DEMO_EVAL_LIMIT:-2000}" --lr "${AECNN_DEMO_LR:-0.05}" --seed 1 --threads 2 \
  --out "$here/resources/models/demo" "$@"
