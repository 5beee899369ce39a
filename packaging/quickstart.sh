#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job.
# With a display: the studio in demo mode on the embedded default model.
# Without a display: the headless reproduction on the default model, whose CSVs
# and PNG go to build/headless-results/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

# Only the programs this job runs; packaging/test.sh builds the tests on top of them.
programs=(aecnn aecnn-agent)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then programs+=(aecnn-studio); fi
bash "$here/packaging/build.sh" "${programs[@]}"

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
demo=$here/resources/models/demo
# A shipped AECNN split model (split 1, V = 8) through the device/edge codec path, 4-bit context coder.
"$aecnn" eval --model "$demo/split1-v8-aecnn.aecnn" --codec context,zstd-entropy --bits 4
# Fig. 5: Eq. 1-4 curves plus live points from a local aecnn-agent at shaped uplink rates.
"$aecnn" reproduce fig5 --out "$out" --models "$demo" --splits 1 --live-ratios 4,16,64 --rates 1,5,20 --frames 20
# Fig. 4 with a short CA training (0.1 epoch); `aecnn reproduce table1` is the full Table I run
# (about an hour on 2 cores, see resources/results/table1-README.md).
"$aecnn" reproduce fig4 --out "$out" --models "$out/models" --epochs-ca 0.1 --importance-limit 10000
echo "== wrote: $(cd "$out" && ls -1 | tr '\n' ' ')"
