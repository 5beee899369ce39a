#!/usr/bin/env bash
# The paper's scale at reduced width, recorded in scale224.md:
# ResNet-50 (width 0.125, ImageNet stem, 64-channel stem: split 1 = 64x56x56) on a 224x224
# RGB view of Fashion-MNIST (the first 2000 training images; the first 1000 test images for every
# accuracy), Algorithm 1 at split 1 for V = 4, 8, 16, 32, 64 and at split 2 (32 channels) for V = 4, 8,
# 16, 32 (one epoch of CA training, one of CA_Pruned fine-tuning, two of FR fine-tuning distilled from
# the unsplit model; no BottleNet++), eval --codec bytes per frame at 2/3/4/8 bits against a
# per-session layout with calibrated ranges, and the same test images as PNG / WebP / JPEG.
# THREADS LibTorch threads (default 1), niced: about an hour with 2 threads on a 2-core VM. A rerun
# skips finished steps (and a step interrupted mid-training continues from its .resume state).
#   [THREADS=2] resources/results/scale224.sh MODELS OUT     (models are not committed)
#   python3 resources/results/scale224-summary.py OUT [BINARY-NOTE] > resources/results/scale224.md
set -euo pipefail
MODELS="${1:?MODELS dir}"
OUT="${2:?OUT dir}"
AECNN="${AECNN:-build/app/cli/aecnn}"
AGENT="${AGENT:-build/app/agent/aecnn-agent}"
THREADS="${THREADS:-1}"
run() { nice -n 10 "$AECNN" "$@" --threads "$THREADS" --json; }
mkdir -p "$MODELS" "$OUT"
# The machine, and the load average before each step that runs (so scale224.md can say how busy
# the machine was); "end" once the last step of a run that did something has finished.
[ -s "$OUT/uname.txt" ] || echo "$(date -u +%FT%TZ) $(uname -a)" > "$OUT/uname.txt"
echo "$THREADS" > "$OUT/threads.txt"
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
step "$OUT/train.json" train "${data[@]}" "${net[@]}" --epochs 6 --batch-size 32 --train-limit 2000 --test-limit 1000 \
    --lr 0.1 --out "$MODELS/base224.ckpt"
step "$OUT/splits.json" splits --model "$MODELS/base224.ckpt"

# Algorithm 1 at splits 1 and 2, one epoch (63 steps of batch 32) of CA training and of CA_Pruned
# fine-tuning, two of FR fine-tuning distilled from the unsplit model, and Table I from its models.
# Split 2 has 32 channels at this width, so its largest V is 32 (one channel kept).
ratios1=4,8,16,32,64
ratios2=4,8,16,32
budget=(--batch-size 32 --epochs-ca 1 --epochs-finetune 1 --epochs-fr 2 --distill 0.7 --no-bottlenet
        --train-limit 2000 --eval-limit 1000 --importance-limit 500 --lr 0.03)
for split in 1 2; do
  ratios=ratios$split
  step "$OUT/aecnn-train-split$split.json" aecnn-train --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" \
      --splits $split --ratios "${!ratios}" --out "$MODELS/a224-split$split"
  step "$OUT/table1-split$split.json" reproduce table1 --model "$MODELS/base224.ckpt" "${data[@]}" "${budget[@]}" \
      --splits $split --ratios "${!ratios}" --models "$MODELS/a224-split$split" --codec-images 100 \
      --out "$OUT/table1-split$split"
done

# Split 1, V = 64 (one of 64 channels kept) is the one cell more than a point below the unsplit model
# after Algorithm 1 (-1.2 points in float). As at 28 x 28 (frontier.sh qat-v64-8bit-long), it gets
# quantization-aware fine-tuning from that model: 3 epochs through the 4-bit quantizer with the ranges
# the edge calibrates (MSE, the first 500 training images), the head trained too with the ranges
# recalibrated every 50 steps, distilled from the unsplit model.
step "$OUT/qat4-split1-v64.json" aecnn-train --model "$MODELS/base224.ckpt" "${data[@]}" --splits 1 --ratios 64 \
    --qat-from "$MODELS/a224-split1/split1-v64-aecnn.aecnn" --qat-bits 4 --qat-ranges calibrated --qat-range mse \
    --qat-calibrate 500 --qat-recalibrate-every 50 --distill 0.7 --epochs-fr 3 --batch-size 32 --lr 0.01 \
    --train-limit 2000 --eval-limit 1000 --out "$MODELS/qat4-split1-v64"

# Every split model packed as resources/models/scale224 ships them: 16-bit weight differences to the
# base model, which is copied beside them (a packed file names its base by relative path).
ship="$MODELS/ship"
mkdir -p "$ship"
[ -s "$ship/base224.ckpt" ] || cp "$MODELS/base224.ckpt" "$ship/base224.ckpt"
for split in 1 2; do
  ratios=ratios$split
  for v in ${!ratios//,/ }; do
    step "$OUT/pack-split$split-v$v.json" pack-model --base "$ship/base224.ckpt" --bits 16 \
        "$MODELS/a224-split$split/split$split-v$v-aecnn.aecnn" "$ship/split$split-v$v-aecnn.aecnn"
  done
done
step "$OUT/pack-split1-v64-qat4.json" pack-model --base "$ship/base224.ckpt" --bits 16 \
    "$MODELS/qat4-split1-v64/split1-v64-aecnn.aecnn" "$ship/split1-v64-qat4-aecnn.aecnn"

# Bytes per frame of the packed (shipped) models through the context coder at 2, 3, 4 and 8 bits
# against a per-session layout with ranges calibrated once (MSE-chosen, on the first 500 training
# images) as `aecnn edge --framing session --calibrate` sends them; the first 1000 test images.
for split in 1 2; do
  ratios=ratios$split
  for v in ${!ratios//,/ }; do
    step "$OUT/eval-codec-session-split$split-v$v.json" eval --model "$ship/split$split-v$v-aecnn.aecnn" \
        "${data[@]}" --codec context --bits 2,3,4,8 --framing session --range mse --calibrate 500 --limit 1000
  done
done

step "$OUT/eval-codec-session-split1-v64-qat4.json" eval --model "$ship/split1-v64-qat4-aecnn.aecnn" "${data[@]}" \
    --codec context --bits 2,3,4,8 --framing session --range mse --calibrate 500 --limit 1000

# Live, through a local aecnn-agent (the head runs there) and the edge, on the same 1000 test images:
# each cell at the bit depth where it meets the input-codec goal offline with the fewest bytes
# (scale224.md), and the QAT model also at the 4 bits it was trained for; session layout with the
# same calibration, compact frames without device times.
live_cells=(1:4::3 1:8::3 1:16::3 1:32::4 1:64:-qat4:2 1:64:-qat4:4 2:4::2 2:8::2 2:16::2 2:32::4) # split:V:tag:bits
need_live=0
for cell in "${live_cells[@]}"; do
  IFS=: read -r split v tag bits <<< "$cell"
  [ -s "$OUT/live-split$split-v$v$tag-context$bits-compact.json" ] || need_live=1
done
if [ "$need_live" = 1 ]; then
  token="$(mktemp)"
  head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 48 > "$token"
  port="${PORT:-7941}"
  nice -n 10 "$AGENT" --port "$port" --token-file "$token" --dataset fashion-mnist --threads "$THREADS" \
      > "$OUT/agent.log" 2>&1 &
  agent=$!
  trap 'kill $agent 2>/dev/null; rm -f "$token"' EXIT
  sleep 3
  for cell in "${live_cells[@]}"; do
    IFS=: read -r split v tag bits <<< "$cell"
    step "$OUT/live-split$split-v$v$tag-context$bits-compact.json" edge --connect "127.0.0.1:$port" --token-file "$token" \
        --model "$ship/split$split-v$v$tag-aecnn.aecnn" --dataset fashion-mnist --frames 1000 --window 0 \
        --timeout-s 3600 --codec context --bits "$bits" --framing session --range mse --calibrate 500 \
        --frame-header compact --frame-timing off
  done
fi

# The input image itself: the same 1000 test images at 224x224 RGB as PNG, WebP, JPEG.
step "$OUT/baseline-input.json" baseline-input --model "$MODELS/base224.ckpt" "${data[@]}" --limit 1000 \
    --jpeg-qualities 50,75,90 --csv "$OUT/input-codec-baseline.csv"
[ "$ran" = 0 ] || load end
