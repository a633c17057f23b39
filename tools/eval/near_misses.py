#!/usr/bin/env python3
"""Why labelled faces are missed: for every face, the detector's box that
overlaps it most, at any score.

    /usr/bin/python3 tools/eval/near_misses.py --images build/webcam-crops/images \
        --labels build/webcam-crops/labels.txt [--min-face 20] [--large 64] [-- RUN-OPTIONS...]

It runs `rnnpool run --image P --threshold T --json` (the default detector and
settings, plus any RUN-OPTIONS, e.g. `--pyramid 1` or `--dtype i8`) on every
labelled picture and, for each face at least --min-face pixels high in the
network's input (320x240 for a 640x480 picture, as `rnnpool eval` counts it),
takes the kept detection with the highest IoU. Faces whose best IoU is below
0.5 are what `eval` counts as missed at every score; the script splits them
into "nothing near" (IoU < 0.3) and near misses (0.3-0.5), and compares the
near misses' boxes with their labels (height and width ratios, vertical
offset of the centre in face heights) beside the same for the hits. The
labels are `rnnpool eval`'s format: `# picture` lines, then `x y w h` lines.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def read_labels(path):
    labels, current = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                current = line[1:].strip()
                labels[current] = []
            elif line and current is not None:
                x, y, w, h = (float(v) for v in line.split()[:4])
                labels[current].append((x, y, x + w, y + h))
    return labels


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def shape(face, box):
    fh, fw = face[3] - face[1], face[2] - face[0]
    return ((box[3] - box[1]) / fh, (box[2] - box[0]) / fw, ((box[1] + box[3]) - (face[1] + face[3])) / 2 / fh)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--engine", default=os.path.join(ROOT, "build", "app", "rnnpool"))
    ap.add_argument("--min-face", type=float, default=20.0, help="network-input pixels, as eval --min-face")
    ap.add_argument("--large", type=float, default=64.0, help="faces at least this high (network input) are summarised")
    ap.add_argument("--threshold", type=float, default=0.05, help="lowest score kept")
    ap.add_argument("run_options", nargs="*", help="after --: more options for rnnpool run")
    a = ap.parse_args()
    labels = read_labels(a.labels)
    if not labels:
        sys.exit("%s: no labelled picture" % a.labels)
    faces = []  # (height in the network's input, best IoU, its score, face, box)
    for name, boxes in sorted(labels.items()):
        path = os.path.join(a.images, name)
        out = subprocess.run([a.engine, "run", "--image", path, "--threshold", str(a.threshold), "--json"] + a.run_options,
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("%s: rnnpool run failed: %s" % (path, out.stdout + out.stderr))
        result = json.loads(out.stdout)
        scale = result["input"]["height"] / result["original"]["height"]
        dets = [(d["score"], (d["x1"], d["y1"], d["x2"], d["y2"])) for d in result["detections"]]
        for face in boxes:
            height = (face[3] - face[1]) * scale
            if height < a.min_face:
                continue
            best = max(((iou(face, b), s, b) for s, b in dets), default=(0.0, 0.0, None))
            faces.append((height, best[0], best[1], face, best[2]))
    large = [f for f in faces if f[0] >= a.large]
    print("%d faces of at least %g px, %d of at least %g px (network input)" % (len(faces), a.min_face, len(large), a.large))
    for lo, hi, what in [(0.0, 0.3, "nothing near (best IoU < 0.3)"), (0.3, 0.5, "near misses (best IoU 0.3-0.5)"),
                         (0.5, 1.01, "found (best IoU >= 0.5)")]:
        group = [f for f in large if lo <= f[1] < hi]
        scores = [f[2] for f in group]
        line = "  %-32s %4d" % (what, len(group))
        if group:
            line += ", median score of that box %.2f" % statistics.median(scores)
            ratios = [shape(f[3], f[4]) for f in group if f[4] is not None]
            if ratios and lo > 0.0:
                line += "; box/label height %.2f, width %.2f, centre offset %+.2f face heights (medians)" % tuple(
                    statistics.median(r[i] for r in ratios) for i in range(3))
        print(line)


if __name__ == "__main__":
    main()
