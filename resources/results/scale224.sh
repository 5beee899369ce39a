#!/usr/bin/env bash
# The paper's scale at reduced width, recorded in scale224.md:
# ResNet-50 (width 0.125, ImageNet stem, 64-channel stem: split 1 = 64x56x56) on a 224x224
# RGB view of Fashion-MNIST (the first 2000 training images; the first 500 test images for the
# base model, 300 for the rest), Algorithm 1 at split 1 for V = 4 and 16 (one epoch per stage,
# no BottleNet++), eval --codec bytes per frame (8-bit self-describing frames; 2/3/4/8 bits against a
# per-session layout with calibrated ranges), and the same test images as PNG / WebP / JPEG.
# One thread, niced: about 30 minutes on a 2-core VM shared with other builds. A rerun skips
# finished steps (and a step interrupted mid-training continues from its .resume state).
#   resources/results/scale224.sh MODELS OUT     (models are not committed)
#   python3 resources/results/scale224-summary.py OUT [BINARY-NOTE] > resources/results/scale224.md
set -euo pipefail
MODELS="${1:?MODELS dir}"
OUT="${2:?OUT dir}"
AECNN="${AECNN:-build/app/cli/aecnn}"
run() { nice -n 10 "$AECNN" "$@" --threads 1 --json; }
mkdir -p "$MODELS" "$OUT"
# The machine, and the load average before each step that runs (so scale224.md can say how busy
# the machine was); "end" once the last step of a run that did something has finished.
[ -s "$OUT/uname.txt" ] || echo "$(date -u +%FT%TZ) $(uname -a)" > "$OUT/uname.txt"
ran=0
load() { echo "$1 $(date -u +%FT%TZ) $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"; }
# step FILE COMMAND...: runs the command into FILE unless FILE already holds its result.
step() {
  local f="$1"; shift
  [ -s "$f" ] && return 0
  load "$(basename "$f" .json)"; ran=1
  run "$@" > "$f.partial" && mv "$f.partial" "$f"
}
data=(--dataset fashion-mnist)
net=(--input 224x224 --channels 3 --stem imagenet --width 0.125 --stem-channels 64)

# Memory calibration: peak RSS after two steps at three batch sizes (same model and input).
for b in 8 32 64; do
  step "$OUT/calibration-b$b.json" train "${data[@]}" "${net[@]}" --epochs 1 --max-steps 2 --batch-size "$b" \
      --train-limit 256 --test-limit 16 --out "$MODELS/calibration-b$b.ckpt"
done

# Base model: 6 epochs of 2000 images (378 steps of batch 32).
step "$OUT/train.json" train "${data[@]}" "${net[@]}" --epochs 6 --batch-size 32 --train-limit 2000 --test-limit 500 \
    --lr 0.1 --out "$MODELS/base224.ckpt"
step "$OUT/splits.json" splits --model "$MODELS/base224.ckpt"

# Algorithm 1 at split 1, one epoch (63 steps of batch 32) per stage, and Table I from its models.
budget=(--splits 1 --ratios 4,16 --batch-size 32 --epochs-ca 1 --epochs-finetune 1 --epochs-fr 1 --no-bottlenet
        --train-limit 2000 --eval-limit 300 --importance-limit 500 --lr 0.03)
step "$OUT/aecnn-train.json" aecnn-train --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" --out "$MODELS/a224"
step "$OUT/table1.json" reproduce table1 --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" \
    --models "$MODELS/a224" --codec-images 100 --out "$OUT/table1"

# Bytes per frame through the codec (8-bit context coder), the first 300 test images.
for v in 4 16; do
  step "$OUT/eval-codec-split1-v$v.json" eval --model "$MODELS/a224/split1-v$v-aecnn.aecnn" "${data[@]}" \
      --codec context --bits 8 --limit 300
done

# The same at 2, 3, 4 and 8 bits against a per-session layout with ranges calibrated once (MSE-chosen,
# on the first 500 training images) as `aecnn edge --framing session --calibrate` sends them (session 10).
for v in 4 16; do
  step "$OUT/eval-codec-session-split1-v$v.json" eval --model "$MODELS/a224/split1-v$v-aecnn.aecnn" "${data[@]}" \
      --codec context --bits 2,3,4,8 --framing session --range mse --calibrate 500 --limit 300
done

# The input image itself: the same 300 test images at 224x224 RGB as PNG, WebP, JPEG.
step "$OUT/baseline-input.json" baseline-input --model "$MODELS/base224.ckpt" "${data[@]}" --limit 300 \
    --jpeg-qualities 50,90
[ "$ran" = 0 ] || load end
