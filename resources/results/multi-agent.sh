#!/usr/bin/env bash
# Many devices, one edge: frames/s and p95 completion time with 1, 2, 4 and 8 local
# aecnn-agent processes, each shaped by its own uplink token bucket (rate_mbps), the
# edge's tail batched across them (aecnn edge --connect A,B,...) and unbatched
# (--no-batching). One edge process, one LibTorch thread (--threads 1), window 1 (the
# paper's setting: an agent's next frame starts when the edge has finished the last).
# Writes OUT/multi-agent.csv, OUT/multi-agent.md and every run's JSON under OUT/multi-agent-runs/.
# Usage: [FRAMES=40] [RATE=0.1] [AGENTS="1 2 4 8"] [SPLIT=1] [RATIO=8] \
#        bash resources/results/multi-agent.sh AECNN_BINARY AGENT_BINARY OUT_DIR
# The committed run: bash resources/results/multi-agent.sh build/app/cli/aecnn build/app/agent/aecnn-agent resources/results
set -euo pipefail
aecnn=$(realpath "$1") agent=$(realpath "$2") out=$3
frames=${FRAMES:-40} rate=${RATE:-0.1} counts=${AGENTS:-1 2 4 8} split=${SPLIT:-1} ratio=${RATIO:-8}
base_port=${BASE_PORT:-18700}
mkdir -p "$out/multi-agent-runs"
work=$(mktemp -d)
pids=()
stop_agents() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
  pids=()
}
trap 'stop_agents; rm -rf "$work"' EXIT

start_agents() { # n
  local n=$1 i port
  for ((i = 0; i < n; ++i)); do
    port=$((base_port + i))
    nice -n 10 "$agent" --listen 127.0.0.1 --port "$port" --threads 1 > "$work/agent$i.log" 2>&1 &
    pids+=($!)
  done
  for ((i = 0; i < n; ++i)); do
    for _ in $(seq 600); do grep -q "listening on" "$work/agent$i.log" && break; sleep 0.1; done
    grep -q "listening on" "$work/agent$i.log" || { cat "$work/agent$i.log"; exit 1; }
  done
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" > "$work/load.txt"
for n in $counts; do
  connect=$(for ((i = 0; i < n; ++i)); do printf '%s127.0.0.1:%d' "$([ $i -gt 0 ] && echo ,)" $((base_port + i)); done)
  # Every agent its own shaped uplink at RATE Mbps; each starts at another image.
  python3 -c "import json,sys; print(json.dumps([{'rate_mbps': float(sys.argv[2]), 'window': 1, 'first_image': 1000 * i} for i in range(int(sys.argv[1]))]))" \
    "$n" "$rate" > "$work/agents-$n.json"
  for mode in batched unbatched; do
    start_agents "$n" # fresh agents for every run
    extra=(); [ "$mode" = unbatched ] && extra=(--no-batching)
    cmd=(nice -n 10 "$aecnn" edge --connect "$connect" --agent-settings "$work/agents-$n.json" --split "$split" \
         --ratio "$ratio" --frames "$frames" --threads 1 --batch-max-size 8 --batch-max-delay-ms 2 "${extra[@]}" --json)
    echo "agents $n, $mode: load $(cut -d' ' -f1 /proc/loadavg)" >&2
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    "${cmd[@]}" > "$out/multi-agent-runs/multi-agent-$n-$mode.json"
    printf '%s\n' "$load" > "$out/multi-agent-runs/multi-agent-$n-$mode.load"
    stop_agents
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/load.txt"

python3 - "$out" "$frames" "$rate" "$split" "$ratio" "$counts" "$work/load.txt" <<'PY'
import json, os, platform, subprocess, sys, datetime
out, frames, rate, split, ratio, counts, loadfile = sys.argv[1:8]
counts = [int(c) for c in counts.split()]
rows = []
for n in counts:
    for mode in ("batched", "unbatched"):
        stem = f"{out}/multi-agent-runs/multi-agent-{n}-{mode}"
        r = json.load(open(stem + ".json"))
        load = open(stem + ".load").read().split()[0]
        agents = r["agents"]
        rows.append(dict(agents=n, mode=mode, frames=r["frames"], wall_ms=r["wall_ms"], fps=r["frames_per_second"],
                         p50=r["completion_ms"]["median"], p95=r["completion_ms"]["p95"],
                         queue_p95=max(a["queue_ms"]["p95"] for a in agents),
                         mean_batch=r["batching"]["mean_batch"], largest=r["batching"]["largest_batch"],
                         failed=r["agents_failed"], load=load,
                         per_agent_fps=" ".join(f'{a["frames_per_second"]:.2f}' for a in agents)))
one = {m: next(x["fps"] for x in rows if x["agents"] == 1 and x["mode"] == m) for m in ("batched", "unbatched")}
for x in rows:
    x["speedup"] = x["fps"] / one["batched"] if one["batched"] else 0.0
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
machine = f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"
date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
command = "bash resources/results/multi-agent.sh build/app/cli/aecnn build/app/agent/aecnn-agent resources/results"
settings = f"FRAMES={frames} RATE={rate} Mbps per agent, split {split}, V={ratio} (demo model), window 1, edge --threads 1, batch <= 8 frames / 2 ms"
loads = open(loadfile).read().strip().replace("\n", "; ")
with open(f"{out}/multi-agent.csv", "w") as f:
    f.write(f"# command: {command}\n# commit {commit}; {settings}\n# machine: {machine}; date {date}; {loads} (shared with other jobs)\n")
    f.write("agents,tail,frames,wall_ms,frames_per_second,speedup_vs_1_agent,completion_p50_ms,completion_p95_ms,queue_p95_ms,mean_batch,largest_batch,agents_failed,load_1min,per_agent_frames_per_second\n")
    for x in rows:
        f.write(f'{x["agents"]},{x["mode"]},{x["frames"]},{x["wall_ms"]:.1f},{x["fps"]:.3f},{x["speedup"]:.2f},{x["p50"]:.2f},{x["p95"]:.2f},{x["queue_p95"]:.2f},{x["mean_batch"]:.2f},{x["largest"]},{x["failed"]},{x["load"]},{x["per_agent_fps"]}\n')
eight = next((x for x in rows if x["agents"] == max(counts) and x["mode"] == "batched"), None)
with open(f"{out}/multi-agent.md", "w") as f:
    f.write("# Many devices, one edge: frames/s and p95 completion time\n\n")
    f.write(f"- command: `{command}` (commit {commit})\n- settings: {settings}\n- machine: {machine}\n- date: {date}; {loads}. "
            "**The machine was shared with other engineers' builds and tests while this ran** (load column: 1-minute load "
            "average at the start of each run); the edge, the agents and the other jobs all competed for the same 2 cores.\n\n")
    f.write("| agents | tail | frames | frames/s | × one agent (batched) | completion p50 ms | p95 ms | queue p95 ms | mean batch | load |\n|---|---|---|---|---|---|---|---|---|---|\n")
    for x in rows:
        f.write(f'| {x["agents"]} | {x["mode"]} | {x["frames"]} | {x["fps"]:.2f} | {x["speedup"]:.2f} | {x["p50"]:.1f} | {x["p95"]:.1f} | {x["queue_p95"]:.1f} | {x["mean_batch"]:.2f} | {x["load"]} |\n')
    if eight:
        met = eight["speedup"] >= 3.0
        f.write(f'\nGoal (≥ 3× the one-agent frames/s with {eight["agents"]} agents): **{"met" if met else "not met"}** — '
                f'{eight["fps"]:.2f} vs {one["batched"]:.2f} frames/s = {eight["speedup"]:.2f}×, p95 completion {eight["p95"]:.1f} ms.\n')
print(open(f"{out}/multi-agent.md").read())
PY
