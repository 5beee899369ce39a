#!/usr/bin/env python3
"""Builds resources/results/frontier.csv from the JSON files resources/results/frontier.sh wrote.

Usage (repository root): python3 resources/results/frontier-table.py [--markdown]
                         python3 resources/results/frontier-table.py --scale224
The second form writes resources/results/scale224/frontier.csv instead, the same columns from the
224 x 224 runs of scale224.sh (offline session-layout rows of its eval-codec-session-*.json and live
rows of its live-*.json, against scale224/input-codec-baseline.csv); `model` is the shipped file in
resources/models/scale224, or empty where that model is not shipped.
Offline rows (`aecnn eval --codec`): wire bytes = the mean codec frame + the protocol bytes of one
frame message — FrameData with framing "frame" (16 B header + 64 B fields, constant), SessionFrame
with framing "session" (16 B header + varint fields, the mean measured in the live session runs of
the same models), or for the Table I models (session 7) the compact form without device times
(CompactFrame: type, varint length, gap, label; the mean measured live at the same split, V and
bits, else 1 + varint(codec frame + 2 + 24) + 2 by hand).
Live rows (`aecnn edge` against `aecnn-agent`): everything the agent sent per frame as the edge
counted it, minus the record layer's 24 B (sequence number + tag), which is reported apart.
Rows in frontier/models-<commit>/ were measured on model files since replaced: their `model` is
`<commit>:<path>` (git show <commit>:<path> gives the file): models-654d470 the demo models before
they became the Table I models, models-919990d the session-8 QAT model (head frozen in QAT),
models-9d5df9f the session-11 split 1, V = 32 QAT model (3 epochs; session 13 replaced it with the
8-epoch one), models-875b99e the session-14 split 1, V = 64 8-bit model (10 epochs; session 15
shipped the 14-epoch one under the same name), models-cdaf919 the session-12 split 2, V = 8 model
trained with sparsity weight 6 (2984x; it meets no goal and left resources/models in session 15 to keep
the folder small).
"""
import csv
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "frontier")
# (folder, commit of the model files its runs used ("" = the files in the repository now), the
# `models` label of its rows when the commit is set, the frame header its offline session rows
# are costed with: "full" SessionFrame or "compact" without device times)
GENERATIONS = [(os.path.join(RUNS, "models-654d470"), "654d470", "654d470 (before Table I)", "full"),
               (os.path.join(RUNS, "models-919990d"), "919990d", "919990d (QAT with frozen head)", "compact"),
               (os.path.join(RUNS, "models-9d5df9f"), "9d5df9f", "9d5df9f (QAT 3 epochs)", "compact"),
               (os.path.join(RUNS, "models-875b99e"), "875b99e", "875b99e (8-bit QAT 10 epochs)", "compact"),
               (os.path.join(RUNS, "models-cdaf919"), "cdaf919", "cdaf919 (sparsity 6; not shipped)", "compact"),
               (RUNS, "", "", "compact")]
FRAME_DATA_FRAMING = 16 + 8 + 4 + 4 + 8 + 8 + 8 + (4 + 2 * len("features")) + 4  # = 80


def input_baseline(path=os.path.join(HERE, "input-codec-baseline.csv"), jpeg="jpeg75"):
    """Mean bytes of the input as PNG, lossless WebP and JPEG (`jpeg`), and the unsplit model's accuracy."""
    rows = {}
    with open(path) as f:
        lines = [line for line in f if not line.startswith("#")]
    for r in csv.DictReader(lines):
        key = r["codec"] + (r["quality"] or "")
        rows[key] = (float(r["mean_bytes"]), float(r["accuracy"]))
    return rows["png"][0], rows["webp-lossless"][0], rows[jpeg][0], rows["webp-lossless"][1]


def load(path):
    with open(path) as f:
        return json.load(f)


def varint_bytes(v):
    n = 1
    while v >= 0x80:
        v >>= 7
        n += 1
    return n


DEMO_UNSPLIT_BYTES = {1: 64 * 14 * 14 * 4, 2: 256 * 14 * 14 * 4}  # X_l of the demo models (eval: unsplit_bytes)


def generation_rows(folder, commit, label, offline_header, png, webp, jpeg75, baseline,
                    offline_glob="offline-*.json", shipped="", unsplit_bytes=DEMO_UNSPLIT_BYTES):
    """The rows of one folder's JSONs; `commit` names the model files' commit ("" = now). With
    `shipped` (a repository folder), every row is labelled `label` and its model is the file of
    that name there, or empty where there is none. `unsplit_bytes`: split -> float32 bytes of the
    unsplit feature map, for the wire ratio of live rows (their JSON does not carry it)."""
    root = os.path.dirname(os.path.dirname(HERE))
    def models_of(model):  # which generation of models a row measured
        if commit or shipped:
            return label
        return "QAT" if "models/frontier/" in model else "Table I"
    def shipped_file(model):
        path = os.path.join(shipped, os.path.basename(model))
        return path if os.path.isfile(os.path.join(root, path)) else ""
    model_of = (shipped_file if shipped else (lambda m: m)) if not commit else (lambda m: commit + ":" + m)
    rows = []
    live_session_framing = []
    live_compact_framing = {}  # (model, bits) -> measured framing of compact untimed frames
    for path in sorted(glob.glob(os.path.join(folder, "live-*.json"))):
        if os.path.getsize(path) == 0:
            continue
        d = load(path)
        s = d["settings"]
        model = d["model"]
        name = os.path.basename(model)  # split<L>-v<V>-<variant>.aecnn
        split, ratio = int(name.split("-")[0][len("split"):]), int(name.split("-")[1][1:])
        unsplit = unsplit_bytes[split]
        security = d["security_bytes_per_frame"]
        wire = d["wire_bytes_per_frame_without_security"]
        frame = d["payload_bytes_per_frame"]
        header = s.get("frame_header", "full") if s.get("framing", "frame") == "session" else "full"
        timing = bool(s.get("frame_timing", True))
        if s.get("framing", "frame") == "session" and header == "full":
            live_session_framing.append(wire - frame)
        priors = d.get("context_priors", 0) > 0  # --context-priors (session 11)
        if header == "compact" and not timing:
            live_compact_framing[(model, s.get("bits", 8), priors)] = wire - frame
        rows.append({
            "split": split, "V": ratio, "method": "aecnn", "coder": s.get("codec", "") + ("+priors" if priors else ""),
            "bits": s.get("bits", 8),
            "model": model_of(model), "accuracy": d["accuracy"], "baseline_accuracy": baseline,
            "wire_bytes_per_frame": round(wire, 3), "wire_ratio": round(unsplit / wire, 2),
            "input_png_bytes": png, "input_webp_bytes": webp, "input_jpeg75_bytes": jpeg75,
            "path": "live", "framing": s.get("framing", "frame"), "range": s.get("range", "minmax"),
            "ranges": "calibrated" if d.get("fixed_ranges") else "per-frame",
            "codec_frame_bytes": round(frame, 3), "framing_bytes": round(wire - frame, 3),
            "security_bytes": security, "n": d["n"], "source": os.path.relpath(path, root),
            "frame_header": header, "device_times": "yes" if timing else "no", "models": models_of(model),
        })
    session_framing = sum(live_session_framing) / len(live_session_framing) if live_session_framing else 16 + 11
    for path in sorted(glob.glob(os.path.join(folder, offline_glob))):
        if os.path.getsize(path) == 0:
            continue
        d = load(path)
        for r in d["results"]:
            framing = r.get("framing", "frame")
            priors = r.get("context_priors", 0) > 0
            header, timing = "full", "yes"
            if framing == "frame":
                overhead = FRAME_DATA_FRAMING
            elif offline_header == "full":
                overhead = session_framing
            else:  # the Table I and QAT runs: compact frames without device times
                header, timing = "compact", "no"
                overhead = live_compact_framing.get(
                    (d["model"], r["bits"], priors),
                    1 + varint_bytes(round(r["mean_frame_bytes"]) + 2 + 24) + 2)
            wire = r["mean_frame_bytes"] + overhead
            rows.append({
                "split": d["split"], "V": d["ratio"], "method": d["variant"],
                "coder": r["codec"] + ("+priors" if priors else ""), "bits": r["bits"],
                "model": model_of(d["model"]), "accuracy": r["accuracy"], "baseline_accuracy": baseline,
                "wire_bytes_per_frame": round(wire, 3), "wire_ratio": round(r["unsplit_bytes"] / wire, 2),
                "input_png_bytes": png, "input_webp_bytes": webp, "input_jpeg75_bytes": jpeg75,
                "path": "offline", "framing": framing, "range": r["range"],
                "ranges": "calibrated" if r.get("fixed_ranges") else "per-frame",
                "codec_frame_bytes": round(r["mean_frame_bytes"], 3), "framing_bytes": round(overhead, 3),
                "security_bytes": "", "n": r["n"], "source": os.path.relpath(path, root),
                "frame_header": header, "device_times": timing, "models": models_of(d["model"]),
            })
    return rows


def check_no_commas(rows):
    for r in rows:  # the studio's CSV reader splits on commas and knows no quoting
        for k, v in r.items():
            if "," in str(v):
                sys.exit(f"frontier-table.py: the {k} value {v!r} contains a comma; the studio cannot read it")


def write_csv(out, rows, comment):
    with open(out, "w", newline="") as f:
        f.write(comment + "\n")
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out}: {len(rows)} rows")


def scale224_main():
    """scale224/frontier.csv: the 224 x 224 session-layout rows (scale224.sh, scale224.md)."""
    folder = os.path.join(HERE, "scale224")
    png, webp, jpeg75, baseline = input_baseline(os.path.join(folder, "input-codec-baseline.csv"))
    unsplit_bytes = {s["split"]: s["bytes"] for s in load(os.path.join(folder, "splits.json"))["splits"]}
    rows = generation_rows(folder, "", "224x224 Algorithm 1", "compact", png, webp, jpeg75, baseline,
                           offline_glob="eval-codec-session-*.json", shipped=os.path.join("resources", "models", "scale224"),
                           unsplit_bytes=unsplit_bytes)
    for r in rows:  # eval-codec-session-split1-v64-qat4.json: the model fine-tuned through the quantizer
        if "-qat" in os.path.basename(r["source"]):
            r["models"] = "224x224 QAT"
    rows.sort(key=lambda r: (r["split"], -r["V"], r["models"], r["bits"], r["path"]))
    check_no_commas(rows)
    write_csv(os.path.join(folder, "frontier.csv"), rows,
              "# python3 resources/results/frontier-table.py --scale224 (from resources/results/scale224/"
              "eval-codec-session-*.json and live-*.json, made by resources/results/scale224.sh); see scale224.md")


def main():
    if "--scale224" in sys.argv:
        return scale224_main()
    png, webp, jpeg75, _ = input_baseline()
    baseline = load(os.path.join(RUNS, "unsplit.json"))["accuracy"]
    rows = []
    for folder, commit, label, offline_header in GENERATIONS:
        rows += generation_rows(folder, commit, label, offline_header, png, webp, jpeg75, baseline)
    rows.sort(key=lambda r: (["QAT", "Table I"].index(r["models"]) if r["models"] in ("QAT", "Table I") else 2,
                             "models/demo/" not in r["model"] and "models/frontier/" not in r["model"], r["split"], -r["V"], r["path"],
                             r["framing"], r["frame_header"], r["ranges"], r["range"], r["bits"]))
    check_no_commas(rows)
    write_csv(os.path.join(HERE, "frontier.csv"), rows,
              "# python3 resources/results/frontier-table.py (from resources/results/frontier/*.json and "
              "frontier/models-*/*.json, made by sh resources/results/frontier.sh); see frontier.md")
    if "--markdown" in sys.argv:  # the table of frontier.md
        print("| models | path | split | V | framing | header | ranges | range | coder | bits | accuracy | vs unsplit "
              "| codec frame B | framing B | wire B | wire ratio | vs PNG | vs WebP |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            header = r["frame_header"] + ("" if r["frame_header"] == "full" else ", no times" if r["device_times"] == "no" else ", times")
            print(f'| {r["models"]} | {r["path"]} | {r["split"]} | {r["V"]} | {r["framing"]} | {header} | {r["ranges"]} | {r["range"]} | '
                  f'{r["coder"]} | {r["bits"]} | {100 * r["accuracy"]:.2f} % | {100 * (r["accuracy"] - baseline):+.2f} | '
                  f'{r["codec_frame_bytes"]:.1f} | {r["framing_bytes"]:.1f} | {r["wire_bytes_per_frame"]:.1f} | '
                  f'{r["wire_ratio"]:.0f}× | {r["wire_bytes_per_frame"] / r["input_png_bytes"]:.2f} | '
                  f'{r["wire_bytes_per_frame"] / r["input_webp_bytes"]:.2f} |')
        return
    for r in rows:
        print(f'{r["path"]:7} s{r["split"]} V{r["V"]:<3} {r["framing"]:7} {r["ranges"]:10} {r["range"]:6} '
              f'{r["coder"]} {r["bits"]}b acc {100 * r["accuracy"]:.2f} ({100 * (r["accuracy"] - baseline):+.2f}) '
              f'frame {r["codec_frame_bytes"]:.1f} wire {r["wire_bytes_per_frame"]:.1f} ratio {r["wire_ratio"]:.0f}x')


if __name__ == "__main__":
    main()
