#!/usr/bin/env bash
# Presentation-mode soak benchmark (not a test; issue 14 item 5, goal: RSS growth < 5 %).
# Runs `aecnn-studio --present` offscreen (the demo: shipped models, a local aecnn-agent on
# loopback, Fashion-MNIST) for MINUTES while recording every frame, samples the studio's
# resident memory every 10 s, and writes OUT (JSON): RSS after the warm-up and at the end
# (medians of 5-minute windows), the growth in %, the frames recorded and whether any frame
# number was skipped. The studio
# ends itself through --screenshot (a last picture of the tour), which closes the recording.
# Usage: bash packaging/bench-soak.sh [MINUTES] [OUT]
#   (defaults: 30, resources/results/soak-rss.json; AECNN_SOAK_STEP_MS: time per tour stop,
#    default the tour's own; AECNN_SOAK_WARMUP_S: the reference point, default 120)
# Needs a build (bash packaging/build.sh aecnn-agent aecnn-studio). It keeps a core busy for
# the whole run (the agent streams as fast as the edge finishes frames): run it niced.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${AECNN_BUILD_DIR:-$here/build}
studio=$build/app/studio/aecnn-studio
minutes=${1:-30}
out=${2:-$here/resources/results/soak-rss.json}
warm_s=${AECNN_SOAK_WARMUP_S:-120}
[ -x "$studio" ] || { echo "bench-soak: no studio at $studio; build it first" >&2; exit 1; }
work=$(mktemp -d /var/tmp/aecnn-bench-soak.XXXXXX)
export XDG_CONFIG_HOME=$work/config # no remembered settings from other sessions
export AECNN_AGENT=${AECNN_AGENT:-$build/app/agent/aecnn-agent}
args=(--present --record "$work/frames.csv" --screenshot "$work/end.png" --screenshot-delay $((minutes * 60000)))
[ -n "${AECNN_SOAK_STEP_MS:-}" ] && args+=(--tour-step-ms "$AECNN_SOAK_STEP_MS")
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git -C "$here" rev-parse --short HEAD 2> /dev/null || echo unknown)
QT_QPA_PLATFORM=offscreen "$studio" "${args[@]}" > "$work/studio.log" 2>&1 &
pid=$!
echo "bench-soak: studio pid $pid, $minutes min, work folder $work"
t0=$(date +%s)
echo "seconds,rss_kb" > "$work/rss.csv"
while kill -0 "$pid" 2> /dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2> /dev/null || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )),$rss" >> "$work/rss.csv"
  sleep 10
done
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || { echo "bench-soak: the studio exited with $status, see $work/studio.log" >&2; exit 1; }

python3 - "$work" "$out" "$minutes" "$warm_s" "$started" "${AECNN_SOAK_STEP_MS:-tour default}" "$commit" <<'PY'
import csv, json, os, platform, subprocess, sys
work, out, minutes, warm_s, started, step = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
commit = sys.argv[7]
samples = [(int(r["seconds"]), int(r["rss_kb"])) for r in csv.DictReader(open(os.path.join(work, "rss.csv")))]
# RSS moves with each stop (a redeployment, an attention run): compare the median of the
# five minutes after the warm-up with the median of the last five minutes.
window = 300
warm_window = [s[1] for s in samples if warm_s <= s[0] < warm_s + window] or [samples[0][1]]
end_window = [s[1] for s in samples if s[0] > samples[-1][0] - window]
median = lambda v: sorted(v)[len(v) // 2]
warm = (warm_s, median(warm_window))
end = (samples[-1][0], median(end_window))
rows = [line.split(",")[0] for line in open(os.path.join(work, "frames.csv")) if line and line[0].isdigit()]
frames = [int(r) for r in rows]
# Frame numbers count from 0 in each stream (each tour stop that changes the settings restarts it).
gaps = sum(1 for a, b in zip(frames, frames[1:]) if b != 0 and b != a + 1)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
result = {
    "command": "bash packaging/bench-soak.sh %g" % minutes,
    "studio_arguments": "--present --record FRAMES.csv --screenshot END.png --screenshot-delay %d" % (minutes * 60000)
                        + ("" if step == "tour default" else " --tour-step-ms %s" % step),
    "date": started,
    "commit": commit,
    "machine": "%s, %d cores (%s), %s" % (platform.machine(), os.cpu_count(), cpu,
                                          subprocess.run(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"],
                                                         capture_output=True, text=True).stdout.strip()),
    "load_note": "shared machine; RSS does not depend on load, the frame count does",
    "minutes": minutes,
    "warmup_seconds": warm[0],
    "rss_warm_kb": warm[1],
    "rss_warm_is": "median of the samples in the 300 s after the warm-up",
    "rss_end_kb": end[1],
    "rss_end_is": "median of the samples in the last 300 s",
    "rss_first_after_warmup_kb": next((s[1] for s in samples if s[0] >= warm_s), samples[0][1]),
    "rss_last_kb": samples[-1][1],
    "rss_max_kb": max(s[1] for s in samples),
    "rss_growth_percent": round(100.0 * (end[1] - warm[1]) / warm[1], 2),
    "goal_percent": 5.0,
    "frames_recorded": len(frames),
    "streams": sum(1 for f in frames if f == 0),
    "frame_number_gaps": gaps,
    "rss_samples_every_10_s": [s[1] for s in samples],
}
json.dump(result, open(out, "w"), indent=1)
print(json.dumps({k: v for k, v in result.items() if k != "rss_samples_every_10_s"}, indent=1))
PY
echo "bench-soak: wrote $out"
