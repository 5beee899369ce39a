#!/usr/bin/env python3
"""Print the Markdown tables of codec-bench.md from `aecnn bench-codec --json` output.

Usage: codec-bench-tables.py codec-bench.json
"""
import json
import sys


def coder(point, name):
    return next((c for c in point["coders"] if c["coder"] == name), None)


def fmt(value, digits=0):
    return "–" if value is None else f"{value:.{digits}f}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        bench = json.load(f)
    points = [(s["split"], r) for s in bench["splits"] for r in s["ratios"]]
    shape = lambda r: "x".join(str(v) for v in r["shape"])

    print("## Bits and bytes\n")
    print("| split, V | shape | context coded/H0 at 2 / 4 / 8 bit | zstd-entropy coded/H0, 8 bit | "
          "float32 zstd -1 / -19 (bit/el) | frame bytes, context 2 / 4 / 8 bit | "
          "whole-frame ratio, context 2 / 4 / 8 bit |")
    print("|---|---|---|---|---|---|---|")
    for split, r in points:
        ctx = [coder(r, f"uint{b} context") for b in (2, 4, 8)]
        zse = coder(r, "uint8 zstd-entropy")
        z1, z19 = coder(r, "float32 zstd-1"), coder(r, "float32 zstd-19")
        print(f"| {split}, {r['ratio']} | {shape(r)} | "
              + " / ".join(f"{c['coded_over_h0']:.2f}" for c in ctx)
              + f" | {zse['coded_over_h0']:.3f} | {z1['coded_bits_per_element']:.1f} / "
              f"{z19['coded_bits_per_element']:.1f} | "
              + " / ".join(f"{c['frame_bytes_per_tensor']:.0f}" for c in ctx) + " | "
              + " / ".join(f"{c['compression_ratio']:.0f}" for c in ctx) + " |")

    print("\n## Speed (MB/s of symbol bytes through the coder alone, encode / decode)\n")
    print("| split, V | symbol bytes per tensor (8 bit) | zstd-entropy 8 bit | zstd-1 8 bit | "
          "context 2 bit | context 4 bit | context 8 bit |")
    print("|---|---|---|---|---|---|---|")
    for split, r in points:
        cells = []
        for name in ("uint8 zstd-entropy", "uint8 zstd-1", "uint2 context", "uint4 context", "uint8 context"):
            c = coder(r, name)
            cells.append(f"{fmt(c and c['encode_mb_per_s'])} / {fmt(c and c['decode_mb_per_s'])}")
        elements = r["shape"][0] * r["shape"][1] * r["shape"][2]
        print(f"| {split}, {r['ratio']} | {elements} | " + " | ".join(cells) + " |")

    print("\n## Paper shapes\n")
    print("| paper shape | coder | enc / dec MB/s | enc / dec µs per tensor (whole frame) |")
    print("|---|---|---|---|")
    for p in bench["paper_shapes"]:
        for c in p["coders"]:
            print(f"| {shape(p)} | {c['coder']} | {c['encode_mb_per_s']:.0f} / {c['decode_mb_per_s']:.0f} | "
                  f"{c['encode_us_per_tensor']:.0f} / {c['decode_us_per_tensor']:.0f} |")


if __name__ == "__main__":
    main()
