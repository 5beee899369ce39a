#!/usr/bin/env bash
# Reproduces the shipped default model resources/models/default.aecnn and its
# record resources/results/default-model.csv (accuracy, training time, command, machine).
# Usage: packaging/train-default-model.sh [BUILD_DIR]   (BUILD_DIR defaults to build/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
aecnn=$build/app/cli/aecnn
[ -x "$aecnn" ] || { echo "error: $aecnn not found; build first (bash packaging/build.sh)" >&2; exit 1; }

"$aecnn" train --dataset fashion-mnist --stem small --stem-channels 64 --stage-planes 64,32,64,128 \
  --epochs 6 --batch-size 128 --lr 0.1 --seed 1 --threads 2 \
  --out "$here/resources/models/default.aecnn" \
  --results-csv "$here/resources/results/default-model.csv"
