#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job.
# With a display: the studio in demo mode on the embedded default model.
# Without a display: the headless reproduction on the default model, whose CSVs
# and PNG go to build/headless-results/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

bash "$here/packaging/build.sh"

studio=$build/app/studio/aecnn-studio
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$studio" ]; then
  exec "$studio" --demo
fi

aecnn=$build/app/cli/aecnn
out=$build/headless-results
mkdir -p "$out"
echo "== no display: headless reproduction on the default model, results in $out =="
"$aecnn" eval --model default --dataset fashion-mnist
"$aecnn" splits --model default
"$aecnn" latency --profile pi4 --split 1 --deadline-ms 100 --csv "$out/fig5-model.csv"
# Fig. 4 with a short CA training (0.1 epoch); `aecnn reproduce table1` is the full Table I run
# (about an hour on 2 cores, see resources/results/table1-README.md).
"$aecnn" reproduce fig4 --out "$out" --models "$out/models" --epochs-ca 0.1 --importance-limit 10000
echo "== wrote: $(cd "$out" && ls -1 | tr '\n' ' ')"
