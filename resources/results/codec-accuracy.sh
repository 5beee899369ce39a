#!/bin/sh
# Accuracy vs bytes of the trained split models through SplitTransport (aecnn eval --codec):
# every coder at BITS (per-channel uint; default 2,3,4,6,8), plus lossless float32 frames.
# Usage: [BITS=2,3,4,6,8] codec-accuracy.sh AECNN_BINARY MODELS_DIR OUT_DIR [VARIANT] [MODELS...]
# MODELS are split<L>-v<V> names, default: the high ratios first (the >= 512x question), then the rest.
# The committed runs (see codec-accuracy.md; the tables come from codec-accuracy-summary.py):
#   codec-accuracy.sh build/app/cli/aecnn MODELS OUT_TABLE1 aecnn
#   BITS=2,3,4,5,6,7,8 codec-accuracy.sh build/app/cli/aecnn S1V64 OUT_LONG aecnn split1-v64
#   python3 codec-accuracy-summary.py resources/results table1=OUT_TABLE1 long=OUT_LONG
set -eu
aecnn=$1 models=$2 out=$3 variant=${4:-aecnn} bits=${BITS:-2,3,4,6,8}
shift 3; [ $# -gt 0 ] && shift
list=${*:-split1-v64 split1-v32 split1-v16 split2-v64 split2-v32 split2-v16 split1-v8 split2-v8 split1-v4 split2-v4 split1-v2 split2-v2}
mkdir -p "$out"
for name in $list; do
  m="$models/$name-$variant.aecnn"
  stem="$out/$name-$variant"
  [ -s "$stem.uint.json" ] || "$aecnn" eval --model "$m" --dataset fashion-mnist --threads 1 --json \
      --codec store,zstd,zstd-entropy,context --bits "$bits" > "$stem.uint.json"
  [ -s "$stem.float32.json" ] || "$aecnn" eval --model "$m" --dataset fashion-mnist --threads 1 --json \
      --codec zstd,zstd-entropy --repr float32 > "$stem.float32.json"
done
