#!/usr/bin/env python3
"""Builds resources/results/frontier.csv from the JSON files resources/results/frontier.sh wrote.

Usage (repository root): python3 resources/results/frontier-table.py [--markdown]
Offline rows (`aecnn eval --codec`): wire bytes = the mean codec frame + the protocol bytes of one
frame message — FrameData with framing "frame" (16 B header + 64 B fields, constant), SessionFrame
with framing "session" (16 B header + varint fields, the mean measured in the live session runs).
Live rows (`aecnn edge` against `aecnn-agent`): everything the agent sent per frame as the edge
counted it, minus the record layer's 24 B (sequence number + tag), which is reported apart.
"""
import csv
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "frontier")
FRAME_DATA_FRAMING = 16 + 8 + 4 + 4 + 8 + 8 + 8 + (4 + 2 * len("features")) + 4  # = 80


def input_baseline():
    rows = {}
    with open(os.path.join(HERE, "input-codec-baseline.csv")) as f:
        lines = [line for line in f if not line.startswith("#")]
    for r in csv.DictReader(lines):
        key = r["codec"] + (r["quality"] or "")
        rows[key] = float(r["mean_bytes"])
    return rows["png"], rows["webp-lossless"], rows["jpeg75"]


def load(path):
    with open(path) as f:
        return json.load(f)


def main():
    png, webp, jpeg75 = input_baseline()
    baseline = load(os.path.join(RUNS, "unsplit.json"))["accuracy"]
    rows = []
    live_session_framing = []
    for path in sorted(glob.glob(os.path.join(RUNS, "live-*.json"))):
        if os.path.getsize(path) == 0:
            continue
        d = load(path)
        s = d["settings"]
        model = d["model"]
        name = os.path.basename(model)  # split<L>-v<V>-<variant>.aecnn
        split, ratio = int(name.split("-")[0][len("split"):]), int(name.split("-")[1][1:])
        unsplit = {1: 64 * 14 * 14 * 4, 2: 256 * 14 * 14 * 4}[split]  # X_l of the demo models (eval: unsplit_bytes)
        security = d["security_bytes_per_frame"]
        wire = d["wire_bytes_per_frame_without_security"]
        frame = d["payload_bytes_per_frame"]
        if s.get("framing", "frame") == "session":
            live_session_framing.append(wire - frame)
        rows.append({
            "split": split, "V": ratio, "method": "aecnn", "coder": s.get("codec", ""), "bits": s.get("bits", 8),
            "model": model, "accuracy": d["accuracy"], "baseline_accuracy": baseline,
            "wire_bytes_per_frame": round(wire, 3), "wire_ratio": round(unsplit / wire, 2),
            "input_png_bytes": png, "input_webp_bytes": webp, "input_jpeg75_bytes": jpeg75,
            "path": "live", "framing": s.get("framing", "frame"), "range": s.get("range", "minmax"),
            "ranges": "calibrated" if d.get("fixed_ranges") else "per-frame",
            "codec_frame_bytes": round(frame, 3), "framing_bytes": round(wire - frame, 3),
            "security_bytes": security, "n": d["n"], "source": os.path.relpath(path, os.path.dirname(os.path.dirname(HERE))),
        })
    session_framing = sum(live_session_framing) / len(live_session_framing) if live_session_framing else 16 + 11
    for path in sorted(glob.glob(os.path.join(RUNS, "offline-*.json"))):
        if os.path.getsize(path) == 0:
            continue
        d = load(path)
        for r in d["results"]:
            framing = r.get("framing", "frame")
            overhead = FRAME_DATA_FRAMING if framing == "frame" else session_framing
            wire = r["mean_frame_bytes"] + overhead
            rows.append({
                "split": d["split"], "V": d["ratio"], "method": d["variant"], "coder": r["codec"], "bits": r["bits"],
                "model": d["model"], "accuracy": r["accuracy"], "baseline_accuracy": baseline,
                "wire_bytes_per_frame": round(wire, 3), "wire_ratio": round(r["unsplit_bytes"] / wire, 2),
                "input_png_bytes": png, "input_webp_bytes": webp, "input_jpeg75_bytes": jpeg75,
                "path": "offline", "framing": framing, "range": r["range"],
                "ranges": "calibrated" if r.get("fixed_ranges") else "per-frame",
                "codec_frame_bytes": round(r["mean_frame_bytes"], 3), "framing_bytes": round(overhead, 3),
                "security_bytes": "", "n": r["n"], "source": os.path.relpath(path, os.path.dirname(os.path.dirname(HERE))),
            })
    rows.sort(key=lambda r: ("models/demo/" not in r["model"], r["split"], -r["V"], r["path"], r["framing"], r["ranges"], r["range"], r["bits"]))
    out = os.path.join(HERE, "frontier.csv")
    with open(out, "w", newline="") as f:
        f.write("# python3 resources/results/frontier-table.py (from resources/results/frontier/*.json, "
                "made by sh resources/results/frontier.sh); see frontier.md\n")
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out}: {len(rows)} rows")
    if "--markdown" in sys.argv:  # the table of frontier.md
        print("| model | path | split | V | framing | ranges | range | coder | bits | accuracy | vs unsplit "
              "| codec frame B | framing B | wire B | wire ratio | vs PNG |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            label = "demo" if "models/demo/" in r["model"] else os.path.basename(os.path.dirname(r["model"]))
            print(f'| {label} | {r["path"]} | {r["split"]} | {r["V"]} | {r["framing"]} | {r["ranges"]} | {r["range"]} | '
                  f'{r["coder"]} | {r["bits"]} | {100 * r["accuracy"]:.2f} % | {100 * (r["accuracy"] - baseline):+.2f} | '
                  f'{r["codec_frame_bytes"]:.1f} | {r["framing_bytes"]:.1f} | {r["wire_bytes_per_frame"]:.1f} | '
                  f'{r["wire_ratio"]:.0f}× | {r["wire_bytes_per_frame"] / r["input_png_bytes"]:.2f} |')
        return
    for r in rows:
        print(f'{r["path"]:7} s{r["split"]} V{r["V"]:<3} {r["framing"]:7} {r["ranges"]:10} {r["range"]:6} '
              f'{r["coder"]} {r["bits"]}b acc {100 * r["accuracy"]:.2f} ({100 * (r["accuracy"] - baseline):+.2f}) '
              f'frame {r["codec_frame_bytes"]:.1f} wire {r["wire_bytes_per_frame"]:.1f} ratio {r["wire_ratio"]:.0f}x')


if __name__ == "__main__":
    main()
