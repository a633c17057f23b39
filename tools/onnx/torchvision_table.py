#!/usr/bin/python3
"""The README's table of torchvision models opened from ONNX: for each model
exported by export_torchvision.py, PyTorch's parameter count beside ours, the
largest difference of our logits from PyTorch's, our layerwise peak beside the
built-in spec's where the zoo has the network, and our run time.

    /usr/bin/python3 tools/onnx/export_torchvision.py --out build/onnx-models
    /usr/bin/python3 tools/onnx/torchvision_table.py --rnnpool build/app/rnnpool --models build/onnx-models
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ZOO = {"resnet18": "resnet18", "mobilenet_v2": "mobilenetv2", "efficientnet_b0": "efficientnet_b0",
       "densenet121": "densenet121", "googlenet": "googlenet"}


def cli(rnnpool, *args):
    r = subprocess.run([rnnpool, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stdout + r.stderr)
    return r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rnnpool", required=True)
    ap.add_argument("--models", required=True)
    a = ap.parse_args()
    names = sorted(f[:-5] for f in os.listdir(a.models) if f.endswith(".json") and os.path.exists(os.path.join(a.models, f[:-5] + ".onnx")))
    print("| model | opset | params (PyTorch) | params (ours) | max abs diff of logits | largest logit | layerwise peak (ours) | zoo spec's peak | run ms (ours) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        meta = json.load(open(os.path.join(a.models, name + ".json")))
        onnx = os.path.join(a.models, name + ".onnx")
        try:
            info = json.loads(cli(a.rnnpool, "info", "--model", onnx, "--json"))
            prof = json.loads(cli(a.rnnpool, "profile", "--model", onnx, "--json"))
            with tempfile.TemporaryDirectory() as d:
                run = json.loads(cli(a.rnnpool, "run", "--model", onnx, "--tensor", os.path.join(a.models, name + ".input.npy"),
                                     "--dump", d, "--json"))
                ours = np.load(run["outputs"][0]["file"])
            ref = np.load(os.path.join(a.models, name + ".output.npy"))
            zoo = "-"
            if name in ZOO:
                zoo = str(json.loads(cli(a.rnnpool, "profile", "--arch", ZOO[name], "--input", "224x224x3", "--json"))["peak_bytes"])
            print(f"| {name} | {meta['opset']} | {meta['params']} | {info['params']} | {np.abs(ours - ref).max():.2g} | "
                  f"{np.abs(ref).max():.3g} | {prof['peak_bytes']} | {zoo} | {run['ms']:.1f} |")
        except RuntimeError as e:
            print(f"| {name} | {meta['opset']} | {meta['params']} | not loaded: {str(e).strip().splitlines()[-1][:120]} | | | | | |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
