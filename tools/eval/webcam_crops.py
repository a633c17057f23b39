#!/usr/bin/env python3
"""Write the webcam-like benchmark: 640x480 crops of the held-out events in
which one face fills 35-60% of the frame's height, as a person sitting before
a laptop camera does.

    /usr/bin/python3 tools/eval/webcam_crops.py -o build/webcam-crops
    build/app/rnnpool eval --images build/webcam-crops/images \
        --labels build/webcam-crops/labels.txt --detector model,haar

For every held-out picture (tools/train/split.json's val_events), up to two of
its faces at least --min-source pixels high are taken, largest first. Each gets
a 4:3 crop whose height is the face's height divided by a fraction drawn
uniformly from [0.35, 0.60], placed at a random position that keeps the face
wholly inside and the crop inside the picture (faces too close to the edge for
that are skipped). The crop is resized to 640x480 (INTER_AREA when shrinking,
INTER_LINEAR when enlarging). Every labelled face wholly inside the crop is
labelled; every face cut by the crop's border is painted over with mid-grey,
so it counts neither as a face nor as a false alarm. Draws come from
random.Random(--seed), so the same command writes the same crops.
`--events train` writes the same kind of crops from the training events: a
set to tune settings on (the pyramid's merge), so that the benchmark's
pictures never choose them.

The crops are pictures of WIDER FACE (non-commercial research terms): they
stay outside the repository (write them under build/ or /tmp).
"""
import argparse
import json
import os
import random

import cv2

HERE = os.path.dirname(os.path.abspath(__file__))
DATASET = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "wider-face-val-subset")
SPLIT = os.path.join(HERE, "..", "train", "split.json")
WIDTH, HEIGHT = 640, 480
GREY = (128, 128, 128)


def read_labels(path, events):
    pictures, current = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                name = line[1:].strip()
                current = (name, []) if name.split("/")[0] in events else None
                if current:
                    pictures.append(current)
            elif current:
                x, y, w, h = (float(v) for v in line.split()[:4])
                current[1].append((x, y, x + w, y + h))
    return pictures


def place_crop(rng, face, size, tries=20):
    """A 4:3 crop (x, y, w, h) holding `face` wholly, inside `size`; None if none fits."""
    fx1, fy1, fx2, fy2 = face
    pw, ph = size
    for _ in range(tries):
        fraction = rng.uniform(0.35, 0.60)
        ch = (fy2 - fy1) / fraction
        cw = ch * WIDTH / HEIGHT
        if cw > pw or ch > ph or fx2 - fx1 > cw:
            continue
        lo_x, hi_x = max(0.0, fx2 - cw), min(fx1, pw - cw)
        lo_y, hi_y = max(0.0, fy2 - ch), min(fy1, ph - ch)
        if lo_x > hi_x or lo_y > hi_y:
            continue
        return rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y), cw, ch
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", required=True, help="folder for images/ and labels.txt")
    parser.add_argument("--dataset", default=DATASET)
    parser.add_argument("--min-source", type=float, default=48.0,
                        help="smallest face height in the original picture to crop around (pixels)")
    parser.add_argument("--per-picture", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--events", choices=("val", "train"), default="val",
                        help="held-out events (the benchmark) or training events (for tuning, never for reporting)")
    args = parser.parse_args()

    with open(SPLIT) as f:
        split = json.load(f)
    events = set(split["val_events"]) if args.events == "val" else set(split["train_events"])
    pictures = read_labels(os.path.join(args.dataset, "labels.txt"), events)
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.output, "images"), exist_ok=True)
    lines, sources, crops, labelled = [], [], 0, 0
    for name, faces in pictures:
        picture = cv2.imread(os.path.join(args.dataset, "images", name), cv2.IMREAD_COLOR)
        if picture is None:
            raise SystemExit(f"picture '{name}': cannot be decoded")
        size = (picture.shape[1], picture.shape[0])
        big = sorted((f for f in faces if f[3] - f[1] >= args.min_source), key=lambda f: f[1] - f[3])
        for face in big[: args.per_picture]:
            crop = place_crop(rng, face, size)
            if crop is None:
                continue
            x, y, w, h = crop
            x0, y0, x1, y1 = int(round(x)), int(round(y)), int(round(x + w)), int(round(y + h))
            x1, y1 = min(x1, size[0]), min(y1, size[1])
            part = picture[y0:y1, x0:x1].copy()
            inside = []
            for fx1, fy1, fx2, fy2 in faces:
                if fx2 <= x0 or fx1 >= x1 or fy2 <= y0 or fy1 >= y1:
                    continue
                if fx1 >= x0 and fy1 >= y0 and fx2 <= x1 and fy2 <= y1:
                    inside.append((fx1 - x0, fy1 - y0, fx2 - x0, fy2 - y0))
                else:
                    gx1, gy1 = int(max(fx1, x0)) - x0, int(max(fy1, y0)) - y0
                    gx2, gy2 = int(min(fx2, x1) + 0.999) - x0, int(min(fy2, y1) + 0.999) - y0
                    cv2.rectangle(part, (gx1, gy1), (gx2 - 1, gy2 - 1), GREY, thickness=-1)
            sx, sy = WIDTH / part.shape[1], HEIGHT / part.shape[0]
            method = cv2.INTER_AREA if sx < 1 else cv2.INTER_LINEAR
            out = cv2.resize(part, (WIDTH, HEIGHT), interpolation=method)
            file = f"crop_{crops:04d}.jpg"
            cv2.imwrite(os.path.join(args.output, "images", file), out, [cv2.IMWRITE_JPEG_QUALITY, 95])
            lines.append(f"# {file}\n")
            sources.append(f"{file} {name} {x0} {y0} {x1 - x0} {y1 - y0}\n")
            for fx1, fy1, fx2, fy2 in inside:
                lines.append(f"{fx1 * sx:.1f} {fy1 * sy:.1f} {(fx2 - fx1) * sx:.1f} {(fy2 - fy1) * sy:.1f}\n")
            crops += 1
            labelled += len(inside)
    with open(os.path.join(args.output, "labels.txt"), "w") as f:
        f.writelines(lines)
    with open(os.path.join(args.output, "sources.txt"), "w") as f:
        f.write("# crop, source picture, crop x y w h in its pixels\n")
        f.writelines(sources)
    print(f"{crops} crops of {len(pictures)} {'held-out' if args.events == 'val' else 'training'} pictures, {labelled} labelled faces -> {args.output}")


if __name__ == "__main__":
    main()
