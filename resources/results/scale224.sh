#!/usr/bin/env bash
# The paper's scale at reduced width, recorded in scale224.md / scale224.json:
# ResNet-50 (width 0.25, ImageNet stem, 64-channel stem: split 1 = 64x56x56) on a 224x224
# RGB view of Fashion-MNIST (2000 training, 500 test images), Algorithm 1 at splits 1 and 2
# for V = 4 and 16 (no BottleNet++), eval --codec bytes per frame, and the same test images
# as PNG / WebP / JPEG. One thread, niced: about 30 minutes on a 2-core x86-64 VM.
#   resources/results/scale224.sh MODELS OUT     (models are not committed)
#   python3 resources/results/scale224-summary.py OUT > resources/results/scale224.md
set -euo pipefail
MODELS="${1:?MODELS dir}"
OUT="${2:?OUT dir}"
AECNN="${AECNN:-build/app/cli/aecnn}"
run() { nice -n 10 "$AECNN" "$@" --threads 1 --json; }
mkdir -p "$MODELS" "$OUT"
data=(--dataset fashion-mnist)
net=(--input 224x224 --channels 3 --stem imagenet --width 0.25 --stem-channels 64)

# Memory calibration: peak RSS after two steps at three batch sizes (same model and input).
for b in 8 32 64; do
  run train "${data[@]}" "${net[@]}" --epochs 1 --max-steps 2 --batch-size "$b" --train-limit 256 \
      --test-limit 16 --out "$MODELS/calibration-b$b.ckpt" > "$OUT/calibration-b$b.json"
done

# Base model (batch size chosen by the memory estimate).
run train "${data[@]}" "${net[@]}" --epochs 2 --train-limit 2000 --test-limit 500 --lr 0.05 \
    --out "$MODELS/base224.ckpt" > "$OUT/train.json"
run splits --model "$MODELS/base224.ckpt" > "$OUT/splits.json"

# Algorithm 1 (reduced budgets) and Table I from its models.
budget=(--splits 1,2 --ratios 4,16 --epochs-ca 0.5 --epochs-finetune 0.5 --epochs-fr 0.5 --no-bottlenet
        --train-limit 2000 --eval-limit 500 --importance-limit 500 --lr 0.01)
run aecnn-train --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" --out "$MODELS/a224" > "$OUT/aecnn-train.json"
run reproduce table1 --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" --models "$MODELS/a224" \
    --codec-images 100 --out "$OUT/table1" > "$OUT/table1.json"

# Bytes per frame through the codec (8-bit context coder), 500 test images.
for l in 1 2; do
  for v in 4 16; do
    run eval --model "$MODELS/a224/split$l-v$v-aecnn.aecnn" "${data[@]}" --codec context --bits 8 --limit 500 \
        > "$OUT/eval-codec-split$l-v$v.json"
  done
done

# The input image itself: the same 500 test images at 224x224 RGB as PNG, WebP, JPEG.
run baseline-input --model "$MODELS/base224.ckpt" "${data[@]}" --limit 500 --jpeg-qualities 50,90 \
    > "$OUT/baseline-input.json"
