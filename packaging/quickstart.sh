#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job.
# With a display and the studio built: the studio in demo mode on the embedded
# default model. Without a display: the headless pipeline on the default model.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}

bash "$here/packaging/build.sh"

studio=$build/app/studio/aecnn-studio
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$studio" ]; then
  exec "$studio" --demo
fi

aecnn=$build/app/cli/aecnn
echo "== headless pipeline on the default model (no display found) =="
"$aecnn" eval --model default --dataset fashion-mnist
"$aecnn" splits --model default
