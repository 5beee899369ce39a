#!/usr/bin/env bash
# Reproduces the shipped default model resources/models/default.aecnn and its
# results row resources/results/default-model.csv.
# Usage: packaging/train-default-model.sh [BUILD_DIR]   (BUILD_DIR defaults to build/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
aecnn=$build/app/cli/aecnn
[ -x "$aecnn" ] || { echo "error: $aecnn not found; build first (packaging/build.sh)" >&2; exit 1; }

out=$here/resources/models/default.aecnn
json=$("$aecnn" train --dataset fashion-mnist --stem small --stem-channels 64 --stage-planes 64,32,64,128 \
        --epochs 6 --batch-size 128 --lr 0.1 --seed 1 --threads 2 --out "$out.new" --json)
mv "$out.new" "$out"
echo "$json"
csv=$here/resources/results/default-model.csv
tmp=$csv.tmp
{
  echo "# command: packaging/train-default-model.sh (aecnn train ... --epochs 6 --threads 2)"
  echo "# machine: $(uname -srm), $(nproc) cores; date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "model,dataset,epochs,threads,test_accuracy,test_images,train_seconds,file_bytes"
  echo "$json" | python3 -c 'import json,sys,os; d=json.load(sys.stdin); print("default,fashion-mnist,6,%d,%.4f,%d,%.1f,%d" % (d["threads"], d["accuracy"], d["n"], d["train_seconds"], os.path.getsize(sys.argv[1])))' "$out"
} > "$tmp"
mv "$tmp" "$csv"
cat "$csv"
