#!/usr/bin/env bash
# Many devices, one edge: frames/s and p95 completion time with 1, 2, 4 and 8 local
# aecnn-agent processes, each shaped by its own uplink token bucket (rate_mbps), the
# edge's tail batched across them (aecnn edge --connect A,B,...) and unbatched
# (--no-batching). One edge process, one LibTorch thread (--threads 1), window 1 (the
# paper's setting: an agent's next frame starts when the edge has finished the last).
# Writes OUT/NAME.csv, OUT/NAME.md and every run's JSON under OUT/NAME-runs/ (NAME: default multi-agent).
# Usage: [FRAMES=40] [RATE=0.1] [AGENTS="1 2 4 8"] [SPLIT=1] [RATIO=8] [DELAY_MS=2] [NAME=multi-agent] [SUMMARY_ONLY=1] \
#        bash resources/results/multi-agent.sh AECNN_BINARY AGENT_BINARY OUT_DIR
# SUMMARY_ONLY=1 rewrites the CSV and Markdown from the runs already in OUT/NAME-runs/.
# The committed runs:
#   bash resources/results/multi-agent.sh build/app/cli/aecnn build/app/agent/aecnn-agent resources/results
#   RATE=0.025 NAME=multi-agent-25kbps bash resources/results/multi-agent.sh build/app/cli/aecnn build/app/agent/aecnn-agent resources/results
#   DELAY_MS=20 AGENTS="1 8" NAME=multi-agent-delay20 bash resources/results/multi-agent.sh build/app/cli/aecnn build/app/agent/aecnn-agent resources/results
set -euo pipefail
aecnn=$(realpath "$1") agent=$(realpath "$2") out=$3
frames=${FRAMES:-40} rate=${RATE:-0.1} counts=${AGENTS:-1 2 4 8} split=${SPLIT:-1} ratio=${RATIO:-8} delay=${DELAY_MS:-2}
base_port=${BASE_PORT:-18700} name=${NAME:-multi-agent}
mkdir -p "$out/$name-runs"
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

if [ -n "${SUMMARY_ONLY:-}" ]; then
  cp "$out/$name-runs/load.txt" "$work/load.txt"
else
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" > "$work/load.txt"
# The source the binaries should come from, as the run starts (not proof of how they were built).
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
echo "commit: $(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD -- app core || echo ' (app/core with uncommitted changes)')" >> "$work/load.txt"
for n in $counts; do
  connect=$(for ((i = 0; i < n; ++i)); do printf '%s127.0.0.1:%d' "$([ $i -gt 0 ] && echo ,)" $((base_port + i)); done)
  # Every agent its own shaped uplink at RATE Mbps; each starts at another image.
  python3 -c "import json,sys; print(json.dumps([{'rate_mbps': float(sys.argv[2]), 'window': 1, 'first_image': 1000 * i} for i in range(int(sys.argv[1]))]))" \
    "$n" "$rate" > "$work/agents-$n.json"
  for mode in batched unbatched; do
    start_agents "$n" # fresh agents for every run
    extra=(); [ "$mode" = unbatched ] && extra=(--no-batching)
    cmd=(nice -n 10 "$aecnn" edge --connect "$connect" --agent-settings "$work/agents-$n.json" --split "$split" \
         --ratio "$ratio" --frames "$frames" --threads 1 --batch-max-size 8 --batch-max-delay-ms "$delay" "${extra[@]}" --json)
    echo "agents $n, $mode: load $(cut -d' ' -f1 /proc/loadavg)" >&2
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    "${cmd[@]}" > "$out/$name-runs/$n-$mode.json"
    printf '%s\n' "$load" > "$out/$name-runs/$n-$mode.load"
    stop_agents
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/load.txt"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$work/load.txt"
cp "$work/load.txt" "$out/$name-runs/load.txt"
fi

python3 - "$out" "$frames" "$rate" "$split" "$ratio" "$counts" "$work/load.txt" "$name" "$delay" <<'PY'
import json, os, platform, subprocess, sys, datetime
out, frames, rate, split, ratio, counts, loadfile, name, delay = sys.argv[1:10]
counts = [int(c) for c in counts.split()]
rows = []
def mean_of(agents, stage):  # frame-weighted mean of a stage over the agents
    n = sum(a["frames"] for a in agents)
    return sum(a["stages"][stage]["mean"] * a["frames"] for a in agents) / n if n else 0.0
for n in counts:
    for mode in ("batched", "unbatched"):
        stem = f"{out}/{name}-runs/{n}-{mode}"
        r = json.load(open(stem + ".json"))
        load = open(stem + ".load").read().split()[0]
        agents = r["agents"]
        rows.append(dict(agents=n, mode=mode, frames=r["frames"], wall_ms=r["wall_ms"], fps=r["frames_per_second"],
                         p50=r["completion_ms"]["median"], p95=r["completion_ms"]["p95"],
                         queue_p95=max(a["queue_ms"]["p95"] for a in agents),
                         t_com=mean_of(agents, "t_com_ms"), t_es=mean_of(agents, "t_es_ms"),
                         mean_batch=r["batching"]["mean_batch"], largest=r["batching"]["largest_batch"],
                         failed=r["agents_failed"], load=load,
                         per_agent_fps=" ".join(f'{a["frames_per_second"]:.2f}' for a in agents)))
one = {m: next(x["fps"] for x in rows if x["agents"] == 1 and x["mode"] == m) for m in ("batched", "unbatched")}
for x in rows:
    x["speedup"] = x["fps"] / one["batched"] if one["batched"] else 0.0
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
machine = f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"
loadlines = open(loadfile).read().strip().split("\n")
date = next((l.split(": ", 1)[1] for l in loadlines if l.startswith("date: ")), "?")
commit = next((l.split(": ", 1)[1] for l in loadlines if l.startswith("commit: ")), "?")
command = ("" if (frames, rate, split, ratio, name, delay, counts) == ("40", "0.1", "1", "8", "multi-agent", "2", [1, 2, 4, 8]) else
           f"FRAMES={frames} RATE={rate} SPLIT={split} RATIO={ratio} DELAY_MS={delay} AGENTS=\"{' '.join(map(str, counts))}\" NAME={name} ") + \
    "bash resources/results/multi-agent.sh build/app/cli/aecnn build/app/agent/aecnn-agent resources/results"
settings = f"FRAMES={frames} RATE={rate} Mbps per agent, split {split}, V={ratio} (demo model), window 1, edge --threads 1, batch <= 8 frames / {delay} ms"
loads = "; ".join(l for l in loadlines if not l.startswith(("date: ", "commit: ")))
# Shared with other jobs only when the load says so: the 1-minute load before the run, or at
# the start of any of its runs, above the core count.
cores = os.cpu_count() or 1
before = next((float(l.split(": ", 1)[1].split()[0]) for l in loadlines if l.startswith("load average before: ")), 0.0)
highest = max([before] + [float(x["load"]) for x in rows])
shared = highest > cores
with open(f"{out}/{name}.csv", "w") as f:
    f.write(f"# command: {command}\n# commit {commit}; {settings}\n# machine: {machine}; date {date}; {loads}"
            f"{' (shared with other jobs)' if shared else ''}\n")
    f.write("agents,tail,frames,wall_ms,frames_per_second,speedup_vs_1_agent,completion_p50_ms,completion_p95_ms,queue_p95_ms,t_com_mean_ms,t_es_mean_ms,mean_batch,largest_batch,agents_failed,load_1min,per_agent_frames_per_second\n")
    for x in rows:
        f.write(f'{x["agents"]},{x["mode"]},{x["frames"]},{x["wall_ms"]:.1f},{x["fps"]:.3f},{x["speedup"]:.2f},{x["p50"]:.2f},{x["p95"]:.2f},{x["queue_p95"]:.2f},{x["t_com"]:.2f},{x["t_es"]:.2f},{x["mean_batch"]:.2f},{x["largest"]},{x["failed"]},{x["load"]},{x["per_agent_fps"]}\n')
eight = next((x for x in rows if x["agents"] == max(counts) and x["mode"] == "batched"), None)
with open(f"{out}/{name}.md", "w") as f:
    f.write("# Many devices, one edge: frames/s and p95 completion time\n\n")
    f.write(f"- command: `{command}` (commit {commit})\n- settings: {settings}\n- machine: {machine}\n- date: {date}; {loads}. ")
    if shared:
        f.write(f"**The machine was shared with other engineers' builds and tests while this ran**: the 1-minute load "
                f"reached {highest:.2f} on {cores} cores (load column: 1-minute load average at the start of each run); "
                f"the edge, the agents and the other jobs all competed for the same {cores} cores.\n\n")
    else:
        f.write(f"The 1-minute load stayed at or below {highest:.2f} on {cores} cores before and during the runs (load "
                f"column: at the start of each run): no other job was competing noticeably with the edge and the agents for the cores.\n\n")
    f.write("| agents | tail | frames | frames/s | × one agent (batched) | completion p50 ms | p95 ms | queue p95 ms | t_com mean ms | t_es mean ms (per batch) | mean batch | failed | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for x in rows:
        f.write(f'| {x["agents"]} | {x["mode"]} | {x["frames"]} | {x["fps"]:.2f} | {x["speedup"]:.2f} | {x["p50"]:.1f} | {x["p95"]:.1f} | {x["queue_p95"]:.1f} | {x["t_com"]:.1f} | {x["t_es"]:.1f} | {x["mean_batch"]:.2f} | {x["failed"]} | {x["load"]} |\n')
    if eight:
        met = eight["speedup"] >= 3.0
        f.write(f'\nGoal (≥ 3× the one-agent frames/s with {eight["agents"]} agents): **{"met" if met else "not met"}** — '
                f'{eight["fps"]:.2f} vs {one["batched"]:.2f} frames/s = {eight["speedup"]:.2f}×, p95 completion {eight["p95"]:.1f} ms.\n')
        single = next(x for x in rows if x["agents"] == 1 and x["mode"] == "batched")
        flat = next((x for x in rows if x["agents"] == eight["agents"] and x["mode"] == "unbatched"), None)
        busy = 100.0 * single["t_es"] / single["p50"] if single["p50"] else 0.0
        f.write(f'\nWhy: with one agent a frame spends {single["t_com"]:.1f} ms on the agent\'s {rate} Mbps link (mean '
                f't_com) and {single["t_es"]:.1f} ms in the tail (mean t_es), and with window 1 the agent starts its next '
                f'frame only when the edge has finished the last: the edge\'s tail is busy for about {busy:.0f} % of a '
                f'frame\'s completion time ({single["p50"]:.1f} ms median). More agents fill the rest, until the tail '
                f'needs more time than the edge has and frames wait in its queue: ')
        if flat:
            f.write(f'unbatched, {flat["agents"]} agents reach {flat["fps"]:.2f} frames/s with a queue p95 of '
                    f'{flat["queue_p95"]:.1f} ms; batched, the tail runs {eight["mean_batch"]:.2f} frames per forward pass '
                    f'on average ({eight["t_es"]:.1f} ms per batch vs {flat["t_es"]:.1f} ms per frame unbatched) and '
                    f'reaches {eight["fps"]:.2f} frames/s ({eight["fps"] / flat["fps"]:.2f}× unbatched). ' if flat["fps"] else '')
        if not met:
            f.write(f'{eight["agents"]} agents would offer {eight["agents"] * one["batched"]:.1f} frames/s if the edge kept '
                    f'up; it finished {eight["fps"]:.2f}: the CPU, shared by the edge, the {eight["agents"]} agent '
                    f'processes{" and the other jobs" if shared else ""}, is the limit. ')
        f.write(f'These numbers move with the machine\'s load: the agents, the edge{" and other jobs" if shared else ""} '
                f'shared the {cores} cores.\n')
print(open(f"{out}/{name}.md").read())
PY
