#!/usr/bin/python3
"""Full-size torchvision ResNet-50 interop check (not part of the test suite: it needs
Python's torch and writes ~200 MB of models). Results: torchvision-interop.md.

    /usr/bin/python3 resources/results/torchvision-interop.py build/app/cli/aecnn [WORKDIR]

1. Import: a torchvision resnet50 with random weights and non-trivial BatchNorm
   statistics is saved with torch.save(model.state_dict()) (zip and legacy formats);
   `aecnn predict --model torchvision:r50.pth --image img.png --json` must give
   torchvision's logits for the same 224x224 image (no resize, ImageNet normalization).
2. Round trip: `aecnn export --format torchvision --model torchvision:r50.pth out.pth`,
   then torchvision's resnet50().load_state_dict(torch.load(out.pth), strict=True):
   every tensor equal to the original and equal logits.
Debian 12: python3-torch 1.13, python3-torchvision 0.14, python3-numpy, python3-pil.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision
from PIL import Image

TOLERANCE = 1e-4  # max abs logit difference relative to the largest |logit|


def randomized_resnet50(seed):
    torch.manual_seed(seed)
    model = torchvision.models.resnet50()  # random (Kaiming) weights
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(1.0 + 0.2 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.75 + 0.5 * torch.rand(m.running_var.shape, generator=g))
                m.num_batches_tracked.fill_(1234)
        model.fc.bias.copy_(0.1 * torch.randn(model.fc.bias.shape, generator=g))
    return model.eval()


def aecnn(binary, *args):
    result = subprocess.run([binary, *args, "--json"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"aecnn {' '.join(args)} failed ({result.returncode}): {result.stdout} {result.stderr}")
    return json.loads(result.stdout)


def compare(name, ours, theirs):
    diff = float(np.abs(ours - theirs).max())
    scale = float(np.abs(theirs).max())
    ok = diff <= TOLERANCE * max(1.0, scale)
    print(f"{name}: max |logit| {scale:.4g}, max abs diff {diff:.3g}, relative {diff / max(1.0, scale):.3g}, "
          f"argmax {int(ours.argmax())} vs {int(theirs.argmax())}: {'PASS' if ok else 'FAIL'}")
    return ok


def main():
    binary = os.path.abspath(sys.argv[1])
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="aecnn-interop-")
    os.makedirs(work, exist_ok=True)
    path = lambda name: os.path.join(work, name)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, work dir {work}")

    model = randomized_resnet50(seed=2026)
    torch.save(model.state_dict(), path("r50.pth"))
    torch.save(model.state_dict(), path("r50_legacy.pth"), _use_new_zipfile_serialization=False)

    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(224, 224, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path("img.png"))
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    x = torch.from_numpy(((pixels.astype(np.float32) / 255.0 - mean) / std).transpose(2, 0, 1).copy()).unsqueeze(0)
    with torch.no_grad():
        expected = model(x)[0].numpy()

    ok = True
    for name in ("r50.pth", "r50_legacy.pth"):
        got = np.array(aecnn(binary, "predict", "--model", "torchvision:" + path(name), "--image", path("img.png"))["logits"])
        ok &= compare(f"import {name}: aecnn predict vs torchvision", got, expected)

    exported = aecnn(binary, "export", "--format", "torchvision", "--model", "torchvision:" + path("r50.pth"),
                     path("exported.pth"))
    print(f"export: {exported['tensors']} tensors, {exported['bytes']} bytes, "
          f"torchvision_resnet50={exported['torchvision_resnet50']}")
    reloaded = torchvision.models.resnet50()
    reloaded.load_state_dict(torch.load(path("exported.pth")), strict=True)
    reloaded.eval()
    original = model.state_dict()
    round_trip = reloaded.state_dict()
    same = list(original.keys()) == list(round_trip.keys()) and all(
        original[k].dtype == round_trip[k].dtype and torch.equal(original[k], round_trip[k]) for k in original)
    print(f"round trip: load_state_dict(strict=True) accepted; {len(original)} tensors, keys in torchvision's "
          f"order and every tensor bitwise equal: {'PASS' if same else 'FAIL'}")
    with torch.no_grad():
        again = reloaded(x)[0].numpy()
    equal_logits = np.array_equal(again, expected)
    print(f"round trip: torchvision logits of the exported file equal the original's: {'PASS' if equal_logits else 'FAIL'}")
    ok &= same and equal_logits
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
