#!/usr/bin/env bash
# README screenshots of every view of the studio, made by the studio itself: demo mode
# (shipped models, a local agent streaming), one run per tab with --screenshot, offscreen.
# Usage: bash packaging/make-screenshots.sh [OUT_DIR]   (default: resources/screenshots)
# Needs a build (bash packaging/build.sh aecnn aecnn-agent aecnn-studio).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}
studio=$build/app/studio/aecnn-studio
out=${1:-$here/resources/screenshots}
delay_ms=${AECNN_SCREENSHOT_DELAY_MS:-20000} # long enough for attention, example frame and ~100 live frames
[ -x "$studio" ] || { echo "make-screenshots: no studio at $studio; build it first (packaging/build.sh aecnn-studio)" >&2; exit 1; }
mkdir -p "$out"
# race: --demo --tab race runs the race preset at start (four local agents, one per mode).
for tab in attention live entropy tradeoffs features device race; do
  tab_delay_ms=$delay_ms
  # The race starts four more agents and deploys a model to each before its first frame.
  [ "$tab" = race ] && tab_delay_ms=${AECNN_RACE_SCREENSHOT_DELAY_MS:-120000}
  QT_QPA_PLATFORM=offscreen "$studio" --demo --tab "$tab" --screenshot "$out/$tab.png" --screenshot-delay "$tab_delay_ms" \
    > "$out/.$tab.log" 2>&1 || { echo "make-screenshots: the studio failed on tab $tab, see $out/.$tab.log" >&2; exit 1; }
  rm -f "$out/.$tab.log"
  echo "wrote $out/$tab.png"
done
# Presentation mode: large fonts and the tour's caption, at its first stop (the device view).
QT_QPA_PLATFORM=offscreen "$studio" --present --tour-step-ms 600000 --screenshot "$out/present.png" \
  --screenshot-delay "$delay_ms" > "$out/.present.log" 2>&1 || { echo "make-screenshots: presentation mode failed, see $out/.present.log" >&2; exit 1; }
rm -f "$out/.present.log"
echo "wrote $out/present.png"
