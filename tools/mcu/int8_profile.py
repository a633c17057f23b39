#!/usr/bin/python3
"""The `rnnpool-int8` cost profile (our own int8/Q15 kernels, in instructions)
and its check against the emulator.

Runs `rnnpool m4 run --json` (QEMU netduinoplus2; instruction counts, not
cycles) on a calibration model and on validation models, fits the profile's
numbers per op class on the calibration model's layers (least squares with
non-negative coefficients for MACs, taps and outputs), and prints, for every
model, each class's measured instructions and predicted / measured for every
cost profile of resources/mcu/cost_profiles.json.

    /usr/bin/python3 tools/mcu/int8_profile.py [--cli build/app/rnnpool] [--fit] [--write] [--markdown]

--fit prints the fitted numbers; --write puts them into
resources/mcu/cost_profiles.json (profile rnnpool-int8); --markdown prints the
README's table. Without --fit the table uses the profile as shipped.
"""
import argparse
import itertools
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "reference")
SAMPLE = os.path.join(ROOT, "resources", "samples", "grace_hopper.jpg")
PROFILES = os.path.join(ROOT, "resources", "mcu", "cost_profiles.json")
CLASSES = ["standard_conv", "depthwise_conv", "pointwise_conv", "fully_connected", "rnn_matvec", "elementwise"]

QUANT = os.path.join(SHARED, "edgeml-authors", "rpool_face_quant_2020-04-21.pth")
# (label, --model or None for the default model, size, role): the calibration
# runs fit the profile, the validation runs (other input sizes and weights) check it.
MODELS = [
    ("RNNPool-Face-M4, default model", None, "80x60", "calibration"),
    ("RNNPool-Face-Quant, EdgeML's 2020 weights", QUANT, "80x60", "calibration"),
    ("RNNPool-Face-M4, default model", None, "64x48", "validation"),
    ("RNNPool-Face-M4, EdgeML's 2020 weights", os.path.join(SHARED, "edgeml-golden", "RPool_Face_M4_240x320.pth"), "96x72", "validation"),
    ("RNNPool-Face-Quant, EdgeML's 2020 weights", QUANT, "64x48", "validation"),
]


def run(cli, model, size):
    cmd = [cli, "m4", "run", "--image", SAMPLE, "--size", size, "--json"]
    if model:
        cmd += ["--model", model]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("int8_profile: %s failed (%d): %s" % (" ".join(cmd), done.returncode, done.stderr[-500:]))
    return json.loads(done.stdout)


def nnls(a, y):
    """Least squares over every subset of columns; the best fit with no negative coefficient."""
    best, best_err = np.zeros(a.shape[1]), float("inf")
    for k in range(1, a.shape[1] + 1):
        for cols in itertools.combinations(range(a.shape[1]), k):
            sub = a[:, cols]
            if np.linalg.matrix_rank(sub) < len(cols):
                continue
            x, *_ = np.linalg.lstsq(sub, y, rcond=None)
            if (x < 0).any():
                continue
            err = float(np.sum((sub @ x - y) ** 2))
            if err < best_err:
                best_err, best = err, np.zeros(a.shape[1])
                best[list(cols)] = x
    return best


def fit(layers):
    """Per class: instructions ~ per_mac*MACs + per_tap*taps + per_output*outputs (for L2Norm, taps are pixels)."""
    out = {}
    for cls in CLASSES:
        rows = [l for l in layers if l.get("op_class") == cls]
        if not rows:
            continue
        a = np.array([[l["work"]["macs"], l["work"]["taps"], l["work"]["outputs"]] for l in rows], float)
        x = nnls(a, np.array([l["instructions"] for l in rows], float))
        keys = ["per_mac", "per_tap", "per_output"]
        out[cls] = {k: round(float(v), 3) for k, v in zip(keys, x) if v > 0}
    return out


def write_profile(numbers, calibration):
    """Appends (or replaces) the rnnpool-int8 profile as the file's last one, leaving the others' text as it is."""
    with open(PROFILES) as f:
        text = f.read()
    json.loads(text)
    at = text.find('"name": "rnnpool-int8"')
    if at >= 0:
        text = text[:text.rindex(",", 0, text.rindex("{", 0, at))] + "\n ]\n}\n"
    classes = {}
    for cls in CLASSES:
        entry = dict(numbers.get(cls, {}))
        entry["basis"] = ("fitted (least squares, non-negative) to the QEMU instruction counts of the %s layers of %s "
                          "(tools/mcu/int8_profile.py --fit)" % (cls, calibration)) if cls in numbers else \
                         "no layer of this class in the calibration models; not modelled"
        classes[cls] = entry
    profile = {
        "name": "rnnpool-int8",
        "title": "RNNPool Studio's own int8 and Q15 kernels (core/integer, arm-none-eabi-gcc -O2, Cortex-M4 DSP path)",
        "basis": "instructions, not cycles: the numbers count instructions per unit of work as QEMU's -icount measures "
                 "them on the netduinoplus2 (a Cortex-M4 executes most in 1 cycle, loads in 2, so cycles are higher); "
                 "layer set-up is folded into the per-output numbers; for L2Norm a tap is one pixel normalised",
        "calibration": "QEMU instruction counts of %s; checked on other sizes and weights by tools/mcu/int8_profile.py" % calibration,
        "per_layer": 0,
        "classes": classes,
    }
    end = text.rstrip().rstrip("}").rstrip().rstrip("]").rstrip()
    block = "\n".join("  " + line for line in json.dumps(profile, indent=1).splitlines())
    text = end + ",\n" + block + "\n ]\n}\n"
    json.loads(text)
    with open(PROFILES, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "rnnpool"))
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    runs = [(label, size, role, run(a.cli, model, size)) for label, model, size, role in MODELS]
    calibration = " and ".join("%s at %s" % (m[0], m[2]) for m in MODELS if m[3] == "calibration")
    if a.fit or a.write:
        numbers = fit([l for _, _, role, r in runs if role == "calibration" for l in r["layers"]])
        print(json.dumps(numbers, indent=1))
        if a.write:
            write_profile(numbers, calibration)
            print("written to %s; rebuild nothing, rerun without --write to see the check" % PROFILES)
            return
    names = None
    worst = 0.0
    if a.markdown:
        first = runs[0][3]["op_classes"][0]["predicted_over_measured"]
        print("| Model | Size | Role | Op class | Layers | Measured instructions | " + " | ".join(first) + " |")
        print("|---|---|---|---|---:|---:|" + "---:|" * len(first))
    for label, size, role, r in runs:
        if not a.markdown:
            print("%s at %s (%s): %d instructions" % (label, size, role, r["instructions"]))
        for c in r["op_classes"]:
            ratios = c["predicted_over_measured"]
            names = list(ratios)
            if role == "validation" and "rnnpool-int8" in ratios:
                worst = max(worst, abs(ratios["rnnpool-int8"] - 1.0))
            if a.markdown:
                print("| %s | %s | %s | %s | %d | %s | %s |" % (label, size, role, c["op_class"],
                      c["layers"], format(c["instructions"], ","), " | ".join("%.2f" % ratios[n] for n in names)))
            else:
                print("  %-15s %3d layers %12d  " % (c["op_class"], c["layers"], c["instructions"]) +
                      "  ".join("%s %.2f" % (n, ratios[n]) for n in names))
    print("largest |predicted/measured - 1| of rnnpool-int8 on the validation runs: %.1f%%" % (100 * worst))


if __name__ == "__main__":
    main()
