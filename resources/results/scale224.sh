#!/usr/bin/env bash
# The paper's scale at reduced width, recorded in scale224.md:
# ResNet-50 (width 0.25, ImageNet stem, 64-channel stem: split 1 = 64x56x56) on a 224x224
# RGB view of Fashion-MNIST (1000 training images; 200 test images for the base model, 100
# for the rest), Algorithm 1 at split 1 for V = 4 and 16 (no BottleNet++), eval --codec bytes
# per frame, and the same test images as PNG / WebP / JPEG. One thread, niced: about 35 minutes
# on a 2-core VM loaded by other builds. A rerun skips finished steps.
#   resources/results/scale224.sh MODELS OUT     (models are not committed)
#   python3 resources/results/scale224-summary.py OUT [BINARY-NOTE] > resources/results/scale224.md
set -euo pipefail
MODELS="${1:?MODELS dir}"
OUT="${2:?OUT dir}"
AECNN="${AECNN:-build/app/cli/aecnn}"
run() { nice -n 10 "$AECNN" "$@" --threads 1 --json; }
# step FILE COMMAND...: runs the command into FILE unless FILE already holds its result.
step() { local f="$1"; shift; [ -s "$f" ] || { run "$@" > "$f.partial" && mv "$f.partial" "$f"; }; }
mkdir -p "$MODELS" "$OUT"
data=(--dataset fashion-mnist)
net=(--input 224x224 --channels 3 --stem imagenet --width 0.25 --stem-channels 64)

# Memory calibration: peak RSS after two steps at three batch sizes (same model and input).
for b in 8 32 64; do
  step "$OUT/calibration-b$b.json" train "${data[@]}" "${net[@]}" --epochs 1 --max-steps 2 --batch-size "$b" \
      --train-limit 256 --test-limit 16 --out "$MODELS/calibration-b$b.ckpt"
done

# Base model (an explicit batch, checked against the memory estimate).
step "$OUT/train.json" train "${data[@]}" "${net[@]}" --epochs 2 --batch-size 32 --train-limit 1000 --test-limit 200 --lr 0.05 \
    --out "$MODELS/base224.ckpt"
step "$OUT/splits.json" splits --model "$MODELS/base224.ckpt"

# Algorithm 1 (reduced budgets) and Table I from its models.
budget=(--splits 1 --ratios 4,16 --batch-size 32 --epochs-ca 0.25 --epochs-finetune 0.25 --epochs-fr 0.25 --no-bottlenet
        --train-limit 1000 --eval-limit 100 --importance-limit 100 --lr 0.01)
step "$OUT/aecnn-train.json" aecnn-train --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" --out "$MODELS/a224"
step "$OUT/table1.json" reproduce table1 --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" \
    --models "$MODELS/a224" --codec-images 50 --out "$OUT/table1"

# Bytes per frame through the codec (8-bit context coder), the first 100 test images.
for v in 4 16; do
  step "$OUT/eval-codec-split1-v$v.json" eval --model "$MODELS/a224/split1-v$v-aecnn.aecnn" "${data[@]}" \
      --codec context --bits 8 --limit 100
done

# The input image itself: the same 100 test images at 224x224 RGB as PNG, WebP, JPEG.
step "$OUT/baseline-input.json" baseline-input --model "$MODELS/base224.ckpt" "${data[@]}" --limit 100 \
    --jpeg-qualities 50,90

# Peak RSS of training + evaluating 200 test images once evaluation batches are capped by
# pixels (added after the run above; scale224.md says which binary ran which step).
step "$OUT/eval-batch-check.json" train "${data[@]}" "${net[@]}" --epochs 1 --max-steps 2 --batch-size 32 \
    --train-limit 256 --test-limit 200 --out "$MODELS/eval-batch-check.ckpt"
