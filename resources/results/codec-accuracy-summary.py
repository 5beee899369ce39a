#!/usr/bin/env python3
"""Summarize codec-accuracy.sh runs into codec-accuracy.{csv,json} and print the
Markdown tables of codec-accuracy.md.

Usage: codec-accuracy-summary.py OUT_DIR LABEL=RUN_DIR [LABEL=RUN_DIR ...]

Each RUN_DIR holds `aecnn eval --json` outputs named <split>-<variant>.<stage>.json,
stage uint, float32 or context-v2. A later stage's row replaces an earlier one with
the same (repr, codec, bits): context-v2 holds the context coder rerun after frame
version 2 changed its 5-8 bit payloads. LABEL names the model set (e.g. table1).
"""
import json
import os
import sys

BASELINE_PCT = 92.20  # aecnn eval --model default, 10 000 test images
STAGES = ("uint", "float32", "context-v2")


def load_runs(label, run_dir):
    runs = {}
    for stage in STAGES:
        for name in sorted(os.listdir(run_dir)):
            if not name.endswith(f".{stage}.json") or os.path.getsize(os.path.join(run_dir, name)) == 0:
                continue
            with open(os.path.join(run_dir, name)) as f:
                run = json.load(f)
            key = name[: -len(f".{stage}.json")]
            merged = runs.setdefault(key, {**{k: v for k, v in run.items() if k != "results"}, "models": label,
                                           "results": {}})
            for r in run["results"]:
                merged["results"][(r["repr"], r["codec"], r["bits"])] = r
    return [dict(run, results=list(run["results"].values())) for run in runs.values()]


def rows_of(runs):
    rows = []
    for d in runs:
        for r in d["results"]:
            acc = 100.0 * r["accuracy"]
            rows.append(dict(models=d["models"], split=d["split"], V=d["ratio"], variant=d["variant"],
                             shape=d["transmitted_shape"], repr=r["repr"], codec=r["codec"], bits=r["bits"],
                             n=r["n"], acc=acc, loss=BASELINE_PCT - acc, bytes=r["mean_frame_bytes"],
                             ratio=r["compression_ratio"], payload=r.get("mean_payload_bytes"),
                             payload_ratio=r.get("payload_compression_ratio")))
    rows.sort(key=lambda x: (x["models"], x["split"], x["V"], x["repr"], x["bits"], x["codec"]))
    return rows


def name(p):
    return f"{p['repr']}{p['bits'] if p['repr'] == 'uint' else ''} {p['codec']}"


def pareto(points):
    front, best = [], -1.0
    for p in sorted(points, key=lambda x: (-x["ratio"], -x["acc"])):
        if p["acc"] > best + 1e-9:
            front.append(p)
            best = p["acc"]
    return front[::-1]


def per_model_table(rows):
    out = ["| models | split | V | transmitted | float32 (model alone) | best ≤ 3-point point: repr, coder, "
           "bytes/frame, ratio | smallest frame: accuracy, bytes, ratio |", "|---|---|---|---|---|---|---|"]
    for models, s, V in sorted(set((x["models"], x["split"], x["V"]) for x in rows)):
        pts = [x for x in rows if (x["models"], x["split"], x["V"]) == (models, s, V)]
        f32 = [x for x in pts if x["repr"] == "float32"]
        f32s = f"{f32[0]['acc']:.2f} % (−{f32[0]['loss']:.2f})" if f32 else "not run"
        ok = [x for x in pts if x["loss"] <= 3.0 and x["repr"] == "uint"]
        b = max(ok, key=lambda x: x["ratio"]) if ok else None
        if b:
            bs = f"{name(b)}: {b['acc']:.2f} % (−{b['loss']:.2f}), {b['bytes']:.0f} B, {b['ratio']:.0f}×"
        else:
            bs = "none (the model alone loses > 3 points)" if f32 and f32[0]["loss"] > 3 else "none"
        sm = min(pts, key=lambda x: x["bytes"])
        out.append(f"| {models} | {s} | {V} | {pts[0]['shape']} | {f32s} | {bs} | "
                   f"{name(sm)}: {sm['acc']:.2f} %, {sm['bytes']:.0f} B, {sm['ratio']:.0f}× |")
    return "\n".join(out)


def pareto_tables(rows):
    out = []
    for models in sorted(set(x["models"] for x in rows)):
        for s in (1, 2):
            pts = [x for x in rows if x["models"] == models and x["split"] == s]
            if not pts:
                continue
            out += [f"{models}, split {s}:", "",
                    "| V | repr, coder | accuracy | loss (points) | bytes/frame | total compression |",
                    "|---|---|---|---|---|---|"]
            out += [f"| {p['V']} | {name(p)} | {p['acc']:.2f} % | {p['loss']:.2f} | {p['bytes']:.1f} | "
                    f"{p['ratio']:.0f}× |" for p in pareto(pts)]
            out.append("")
    return "\n".join(out)


def split1_v64_tables(rows):
    out = []
    for models in sorted(set(x["models"] for x in rows)):
        v64 = [x for x in rows if x["models"] == models and x["split"] == 1 and x["V"] == 64]
        if not v64:
            continue
        out += [f"{models}:", "", "| repr | accuracy | context | zstd | zstd-entropy | store |",
                "|---|---|---|---|---|---|"]
        for key in sorted(set((x["repr"], x["bits"]) for x in v64), key=lambda t: (t[0] != "uint", t[1])):
            line = {x["codec"]: x for x in v64 if (x["repr"], x["bits"]) == key}
            cell = lambda c: "–" if c not in line else f"{line[c]['bytes']:.0f} B, {line[c]['ratio']:.0f}×" + (
                "" if line[c]["payload"] is None else
                f" (payload {line[c]['payload']:.0f} B, {line[c]['payload_ratio']:.0f}×)")
            acc = next(iter(line.values()))["acc"]
            out.append(f"| {key[0]}{key[1] if key[0] == 'uint' else ''} | {acc:.2f} % | {cell('context')} | "
                       f"{cell('zstd')} | {cell('zstd-entropy')} | {cell('store')} |")
        out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) < 3 or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    runs = []
    for arg in sys.argv[2:]:
        label, run_dir = arg.split("=", 1)
        runs += load_runs(label, run_dir)
    rows = rows_of(runs)
    with open(os.path.join(out_dir, "codec-accuracy.csv.part"), "w") as out:
        out.write(f"# codec-accuracy.sh + codec-accuracy-summary.py; 10000 test images; unsplit baseline "
                  f"{BASELINE_PCT:.2f} %\n")
        out.write("models,split,ratio,variant,shape,repr,codec,bits,images,accuracy_pct,loss_points,"
                  "mean_frame_bytes,compression_ratio,mean_payload_bytes,payload_compression_ratio\n")
        for x in rows:
            payload = "" if x["payload"] is None else f"{x['payload']:.1f},{x['payload_ratio']:.1f}"
            out.write(f"{x['models']},{x['split']},{x['V']},{x['variant']},{x['shape']},{x['repr']},{x['codec']},"
                      f"{x['bits']},{x['n']},{x['acc']:.2f},{x['loss']:.2f},{x['bytes']:.1f},{x['ratio']:.1f},"
                      f"{payload if payload else ','}\n")
    with open(os.path.join(out_dir, "codec-accuracy.json.part"), "w") as out:
        json.dump(runs, out, indent=1)
    for name_ in ("codec-accuracy.csv", "codec-accuracy.json"):  # atomic: the old files stay until both exist
        os.replace(os.path.join(out_dir, name_ + ".part"), os.path.join(out_dir, name_))
    print("## Per model\n")
    print(per_model_table(rows))
    print("\n## Pareto front (accuracy against total compression)\n")
    print(pareto_tables(rows))
    print("## Split 1, V = 64 in detail (accuracy and bytes/frame, ratio)\n")
    print(split1_v64_tables(rows))


if __name__ == "__main__":
    main()
