#!/usr/bin/python3
"""Issue 15, "better context modelling": how many bits per frame would the context coder
(core/src/codec/context_coder.cpp) save if its adaptive bits started from probabilities
learned on calibration frames instead of p = 1/2?

A model of the coder in Python: the same decisions, contexts and adaptive-bit update as the
C++ coder, costed at -log2 p per decision (ideal arithmetic coding; the real range coder adds
its termination bytes, so compare the "ideal" columns with each other, and the C++ payload
bytes recorded in frontier.csv with `cpp_payload_bytes`).

Also (session 10) the cost of a learned factorized entropy model (a static pmf per channel,
counted on the calibration frames), any number of channels; the context-coder model and its
priors need one transmitted channel (split 1, V = 64).

Input: the transmitted tensors of a split model (1 x 14 x 14 per image at split 1, V = 64) as
.npy (N x C x H x W float32), e.g. from `aecnn dump-features --model default --split 1
--ratio 64 --count 10000` (the frozen-backbone demo model's head: the default model's stem,
channel 25) or `aecnn dump-features --model SPLIT_MODEL.aecnn --count 10000` (what a trained
split model transmits). The first --calibrate images calibrate the ranges, the priors and the
factorized pmf, the rest are coded. Prints one JSON object.

Usage: /usr/bin/python3 frontier-context-priors.py FEATURES.npy [--calibrate 2000] [--bits 2,3,4]
"""
import argparse
import json
import math

import numpy as np


def round_away(y):
    t = np.trunc(y)
    return t + np.where(np.abs(y - t) >= 0.5, np.sign(y), 0.0)


def range_spanning(lo, hi, bits):
    levels = (1 << bits) - 1
    if hi - lo <= 0:
        return 0.0, 0
    scale = np.float32(np.float32(hi - lo) / np.float32(levels))
    zp = int(np.clip(round_away(np.float32(-lo) / scale), 0, levels))
    return float(scale), zp


def quantize(values, scale, zp, bits):
    levels = (1 << bits) - 1
    if scale == 0:
        return np.full(values.shape, zp, dtype=np.int64)
    inv = np.float32(1.0) / np.float32(scale)
    return np.clip(round_away(values.astype(np.float32) * inv) + zp, 0, levels).astype(np.int64)


def choose_range_mse(values, bits):
    lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
    best = range_spanning(lo, hi, bits)
    if best[0] == 0:
        return best

    def err(r):
        q = quantize(values, r[0], r[1], bits)
        return float(((values - (q - r[1]) * np.float32(r[0])) ** 2).sum())

    best_err = err(best)
    for k in range(1, 25):
        s = 1.0 - k / 32.0
        cand = range_spanning(np.float32(lo * s), np.float32(hi * s), bits)
        e = err(cand)
        if e < best_err:
            best, best_err = cand, e
    return best


K_SHIFT = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5] + [5] * 15 + [6]


class Bit:
    __slots__ = ("p", "seen", "n0", "n1")

    def __init__(self, p=1 << 14, seen=0):
        self.p, self.seen, self.n0, self.n1 = p, seen, 0, 0

    def code(self, bit):
        pr = self.p / 32768.0
        cost = -math.log2(pr if bit == 0 else 1.0 - pr)
        shift = K_SHIFT[self.seen]
        self.seen = min(31, self.seen + 1)
        self.p = (self.p + ((32768 - self.p) >> shift)) if bit == 0 else (self.p - (self.p >> shift))
        if bit:
            self.n1 += 1
        else:
            self.n0 += 1
        return cost


def floor_log2(v):
    return 0 if v == 0 else v.bit_length() - 1


def bucket(m):  # bits <= 4: shift 0
    return 0 if m == 0 else 1 if m <= 1 else 2 if m <= 3 else 3 if m <= 7 else 4


class Model:
    def __init__(self, priors=None, seen=0):
        def mk(key):
            if priors is not None and key in priors:
                n0, n1 = priors[key]
                p = int(round(32768 * (n0 + 0.4) / (n0 + n1 + 0.8)))
                return Bit(min(32767 - 31, max(32, p)), seen)
            return Bit()
        self.mk = mk
        self.bits = {}

    def bit(self, key):
        b = self.bits.get(key)
        if b is None:
            b = self.bits[key] = self.mk(key)
        return b


def code_frame(mags, max_log, model):
    """mags: H x W magnitudes of one channel; returns the ideal cost in bits."""
    h, w = mags.shape
    prev = [0] * (w + 2)
    cost = 0.0
    for y in range(h):
        cur = [0] * (w + 2)
        left = 0
        for x in range(w):
            up, ul, ur = prev[x + 1], prev[x], prev[x + 2] if x + 1 < w else 0
            m = int(mags[y, x])
            agree = (up == left) + (ul == left) + (ur == left)
            cost += model.bit(("same", agree * 5 + bucket(left))).code(int(m != left))
            if m != left:
                done = False
                if left != 0:
                    zc = (bucket(left) * 5 + bucket(up)) * 3 + (ul != 0) + (ur != 0)
                    cost += model.bit(("zero", zc)).code(int(m != 0))
                    done = m == 0
                if not done:
                    k = floor_log2(m)
                    s = left + up
                    ctx = 0 if s == 0 else min(11, 1 + floor_log2(s))
                    for j in range(max_log):
                        cost += model.bit(("prefix", ctx, j)).code(int(k > j))
                        if k <= j:
                            break
                    for i in range(k - 1, -1, -1):
                        key = ("top", ctx, k) if i == k - 1 else ("low", k, i)
                        cost += model.bit(key).code((m >> i) & 1)
            cur[x + 1] = m
            left = m
        prev = cur
    return cost


def magnitudes(q, zp, levels):
    if zp == 0:
        return q
    if zp == levels:
        return levels - q
    d = q - zp
    return np.where(d > 0, 2 * d - 1, -2 * d)


def factorized_bits(cal_q, test_q, levels):
    """Ideal cost in bits of test_q (N x H x W symbols of one channel) under a static pmf over
    0..levels counted on cal_q (+1/2 per symbol): what a learned factorized entropy model
    (one density per channel, shared by all positions, as CompressAI's EntropyBottleneck) can do
    at best on these symbols with the quantizer fixed; no coder overhead."""
    counts = np.bincount(cal_q.reshape(-1), minlength=levels + 1).astype(np.float64) + 0.5
    p = counts / counts.sum()
    return float(-np.log2(p[test_q.reshape(-1)]).sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("features")
    ap.add_argument("--calibrate", type=int, default=2000)
    ap.add_argument("--bits", default="2,3,4")
    ap.add_argument("--limit", type=int, default=0, help="coded images (0 = all the rest)")
    a = ap.parse_args()
    x = np.load(a.features).astype(np.float32)
    assert x.ndim == 4, "N x C x H x W transmitted tensors expected"
    channels = x.shape[1]
    cal, test = x[: a.calibrate], x[a.calibrate :]
    if a.limit:
        test = test[: a.limit]
    out = {"features": a.features, "calibration_images": int(len(cal)), "coded_images": int(len(test)),
           "channels": int(channels), "elements_per_frame": int(test[0].size),
           "context_model": "one transmitted channel only" if channels > 1 else "modelled", "rows": []}
    for bits in [int(b) for b in a.bits.split(",")]:
        levels = (1 << bits) - 1
        row = {"bits": bits, "channels": []}
        factorized = 0.0
        h0_weighted = 0.0
        for c in range(channels):
            scale, zp = choose_range_mse(cal[:, c].reshape(-1), bits)
            q_cal = quantize(cal[:, c], scale, zp, bits)
            q_test = quantize(test[:, c], scale, zp, bits)
            freq = np.bincount(q_test.reshape(-1), minlength=levels + 1) / q_test.size
            h0 = float(-(freq[freq > 0] * np.log2(freq[freq > 0])).sum())
            bits_c = factorized_bits(q_cal, q_test, levels)
            factorized += bits_c
            h0_weighted += h0 / channels
            row["channels"].append({"scale": scale, "zero_point": zp, "h0_bits_per_element": h0,
                                    "factorized_bits_per_element": bits_c / q_test.size})
        row["factorized_bits_per_frame"] = factorized / len(test)
        row["factorized_bits_per_element"] = factorized / len(test) / test[0].size
        # The magnitudes the coder codes are a one-to-one relabelling of the symbols: the same H0.
        row["h0_bits_per_element"] = h0_weighted
        if channels == 1:  # the last (only) channel's range and symbols from the loop above
            maxmag = levels if zp in (0, levels) else max(2 * (levels - zp) - 1, 2 * zp)
            max_log = floor_log2(maxmag)
            mags_cal = magnitudes(q_cal, zp, levels)
            mags_test = magnitudes(q_test, zp, levels)
            # Priors: decision counts over the calibration frames, each coded with a fresh model.
            counts = {}
            for m in mags_cal:
                model = Model()
                code_frame(m, max_log, model)
                for key, b in model.bits.items():
                    c = counts.setdefault(key, [0, 0])
                    c[0] += b.n0
                    c[1] += b.n1
            row.update({"scale": scale, "zero_point": zp, "contexts": len(counts)})
            for name, priors, seen in [("fresh", None, 0), ("priors_seen4", counts, 4), ("priors_seen8", counts, 8),
                                       ("priors_seen16", counts, 16), ("priors_seen31", counts, 31)]:
                total = sum(code_frame(m, max_log, Model(priors, seen)) for m in mags_test)
                row[name + "_bits_per_frame"] = total / len(test)
                row[name + "_bits_per_element"] = total / len(test) / test[0].size
        out["rows"].append(row)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
