"""WIDER FACE pictures -> RNNPool-Face-M4 training and validation samples.

Training sample (one 320x240 monochrome frame):
  1. a window of the picture is chosen, either by data-anchor sampling
     (S3FD/PyramidBox: pick one face, pick a target size near one of the
     anchor sizes, 8/16/32/48 unless --anchor-sizes says more, scale the picture so that face gets that size,
     place a 320x240 window around it) or by a random crop (a 4:3 window of
     0.3 to 1 times the window that letterboxes the whole picture, placed at
     random); windows may reach past the picture, which is then filled with
     the mean colour (it becomes 0 after mean subtraction);
  2. the window is resampled to 320x240 in one warp (bilinear, as the
     inference pipeline resizes, or bicubic, or area-filtered);
  3. photometric jitter in colour (brightness, contrast, saturation, in a
     random order, each with probability 1/2), then rounding to 8 bits;
  4. horizontal flip with probability 1/2;
  5. rnnpool_ref.preprocess.to_input: mean (104, 117, 123) subtracted in BGR
     order, then 0.299 R + 0.587 G + 0.114 B (exactly the inference input).
With probability --webcam-prob (0 unless asked for) a sample is instead one
of the image pyramid's coarse levels of a webcam frame (`webcam_frame`): a
4:3 window in which one face fills 35-60% of the height (as
tools/eval/webcam_crops.py frames a person before a laptop camera), resampled
to 320x240, preprocessed, then halved by 2x2 means once or twice (160x120 or
80x60, exactly as the pyramid halves its input) and placed at a random
multiple of 16 pixels in a 320x240 frame of zeros (mean grey; running a level
alone pads it with zeros too). Faces not wholly inside the window are ignore
boxes there.
Faces whose centre falls outside the window are dropped; faces left smaller
than --min-face pixels (sqrt of w*h) or larger than --max-face (96: twice the
largest anchor) become "ignore" boxes: anchors on them are neither positives
nor negatives. Random crops are kept large enough that the picture's largest
face stays within --max-face (EdgeML's QVGA pipeline likewise shrinks
pictures until the largest face is about 48 px).

Every random decision of a sample comes from a generator seeded with
(seed, epoch, index), so a sample does not depend on which worker makes it
or when: a resumed run sees the very same pictures.
"""

import json
import math
import os
import sys

import cv2
import numpy as np
import torch
import torch.utils.data

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from rnnpool_ref.preprocess import MEAN_BGR, resize as ref_resize, to_input  # noqa: E402

# ../shared beside the repository, as the README lays it out
DEFAULT_DATA = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                                            "datasets", "wider-face-val-subset"))
OUT_W, OUT_H = 320, 240
ANCHORS = (8, 16, 32, 48)
BORDER = tuple(float(v) for v in MEAN_BGR)   # padding colour (BGR)


def read_labels(data_dir):
    """[(relative path, float32 (n, 4) boxes x1, y1, x2, y2)], in file order.
    Degenerate boxes (w or h <= 0) are left out."""
    items = []
    with open(os.path.join(data_dir, "labels.txt")) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                items.append((line[1:].strip(), []))
                continue
            x, y, w, h = (float(v) for v in line.split()[:4])
            if w > 0 and h > 0:
                items[-1][1].append((x, y, x + w, y + h))
    return [(p, np.array(b, np.float32).reshape(-1, 4)) for p, b in items]


def load_split(split_path, data_dir):
    """(train items, val items) by the event lists of split.json."""
    with open(split_path) as f:
        split = json.load(f)
    items = read_labels(data_dir)
    val_ev, train_ev = set(split["val_events"]), set(split["train_events"])
    event = lambda p: p.split("/")[0]  # noqa: E731
    unknown = {event(p) for p, _ in items} - val_ev - train_ev
    if unknown:
        raise ValueError("events in no list of %s: %s" % (split_path, sorted(unknown)))
    train = [it for it in items if event(it[0]) in train_ev]
    val = [it for it in items if event(it[0]) in val_ev]
    return train, val


def face_size(boxes):
    return np.sqrt(np.clip(boxes[:, 2] - boxes[:, 0], 0, None) *
                   np.clip(boxes[:, 3] - boxes[:, 1], 0, None))


# ---------------------------------------------------------------- windows

def anchor_window(rng, boxes, W, H, anchors=ANCHORS):
    """Data-anchor sampling: (x0, y0, scale) of a window that shows one
    randomly chosen face at about one of the anchor sizes (the nearest to
    its own size, one size above it, or any smaller)."""
    i = rng.integers(len(boxes))
    x1, y1, x2, y2 = boxes[i]
    s = max(float(face_size(boxes[i:i + 1])[0]), 1.0)
    nearest = int(np.argmin([abs(a - s) for a in anchors]))
    target = anchors[rng.integers(min(nearest + 1, len(anchors) - 1) + 1)]
    r = target / s * 2.0 ** rng.uniform(-1, 1)
    # never shrink the picture to less than a quarter of the frame's width
    r = max(r, 0.25 * OUT_W / W)
    ww, wh = OUT_W / r, OUT_H / r

    def place(lo_face, hi_face, size, extent):
        if size >= extent:       # the picture fits inside: keep all of it
            return rng.uniform(extent - size, 0.0)
        lo, hi = max(hi_face - size, 0.0), min(lo_face, extent - size)
        if lo <= hi:             # window inside the picture, face inside window
            return rng.uniform(lo, hi)
        return rng.uniform(min(hi_face - size, lo_face), max(hi_face - size, lo_face))

    return place(x1, x2, ww, W), place(y1, y2, wh, H), r


def crop_window(rng, W, H, boxes=None, max_face=None):
    """Random 4:3 window: 0.3 to 1 times the one that letterboxes the
    picture, but never so small that the picture's largest face would exceed
    max_face pixels (then the picture is shrunk inside a larger window)."""
    full_w = max(W, H * OUT_W / OUT_H)
    lo, hi = 0.3 * full_w, full_w
    if max_face and boxes is not None and len(boxes):
        need = float(face_size(boxes).max()) * OUT_W / max_face
        if need > lo:
            lo, hi = need, max(hi, need * 1.25)
    ww = rng.uniform(lo, hi)
    wh = ww * OUT_H / OUT_W
    x0 = rng.uniform(min(0.0, W - ww), max(0.0, W - ww))
    y0 = rng.uniform(min(0.0, H - wh), max(0.0, H - wh))
    return x0, y0, OUT_W / ww


def window_boxes_unclipped(boxes, x0, y0, r):
    """Boxes in frame pixels of the faces whose centre is in the frame."""
    b = (boxes - np.array([x0, y0, x0, y0], np.float32)) * np.float32(r)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    return b[(cx >= 0) & (cx < OUT_W) & (cy >= 0) & (cy < OUT_H)]


def window_boxes(boxes, x0, y0, r):
    """window_boxes_unclipped, clipped to the frame (the same faces, in the same order)."""
    b = window_boxes_unclipped(boxes, x0, y0, r)
    b[:, 0::2] = b[:, 0::2].clip(0, OUT_W)
    b[:, 1::2] = b[:, 1::2].clip(0, OUT_H)
    return b


def warp(img, x0, y0, r, interp):
    """The window (x0, y0, 320/r x 240/r picture pixels) as a 320x240 frame;
    pixel centres map as in cv2.resize."""
    if interp == "area" and r < 1.0:
        # area-filter the whole picture down first, then place it
        H, W = img.shape[:2]
        w2, h2 = max(1, int(round(W * r))), max(1, int(round(H * r)))
        img = cv2.resize(img, (w2, h2), interpolation=cv2.INTER_AREA)
        sx, sy = w2 / W, h2 / H
        M = np.array([[r / sx, 0, (0.5 - x0 * sx) * r / sx - 0.5],
                      [0, r / sy, (0.5 - y0 * sy) * r / sy - 0.5]], np.float64)
        flag = cv2.INTER_LINEAR
    else:
        M = np.array([[r, 0, (0.5 - x0) * r - 0.5], [0, r, (0.5 - y0) * r - 0.5]], np.float64)
        flag = cv2.INTER_CUBIC if interp == "cubic" else cv2.INTER_LINEAR
    return cv2.warpAffine(img, M, (OUT_W, OUT_H), flags=flag,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=BORDER)


def webcam_window(rng, boxes, W, H):
    """(x0, y0, scale) of a 4:3 window in which one face (of the larger ones)
    fills 35-60% of the window's height, the face wholly inside; None when
    the picture has no face of at least 16 px."""
    heights = boxes[:, 3] - boxes[:, 1]
    big = np.flatnonzero(heights >= 16)
    if not len(big):
        return None
    i = int(big[rng.integers(len(big))])
    x1, y1, x2, y2 = (float(v) for v in boxes[i])
    wh = (y2 - y1) / rng.uniform(0.35, 0.60)
    ww = wh * OUT_W / OUT_H
    x0 = rng.uniform(x2 - ww, x1) if ww > x2 - x1 else x1
    y0 = rng.uniform(y2 - wh, y1)
    return x0, y0, OUT_W / ww


def halve(x):
    """2x2 mean of a (C, H, W) array, an odd last row or column dropped (the
    pyramid's halveTensor)."""
    c, h, w = x.shape
    x = x[:, :h // 2 * 2, :w // 2 * 2]
    return 0.25 * (x[:, 0::2, 0::2] + x[:, 0::2, 1::2] + x[:, 1::2, 0::2] + x[:, 1::2, 1::2])


def webcam_frame(rng, x, b, whole, halvings=None):
    """The preprocessed 320x240 frame x (1, 240, 320) and its boxes b, halved
    once or twice (or a number drawn from `halvings`, which may include 0:
    the frame as it is) and placed at a random multiple of 16 px in a frame
    of zeros; `whole` marks the boxes wholly inside the window."""
    if halvings is None:
        levels = 1 + int(rng.integers(2))
    else:
        levels = int(halvings[rng.integers(len(halvings))])
    for _ in range(levels):
        x = halve(x)
    h, w = x.shape[1:]
    ox = 16 * int(rng.integers((OUT_W - w) // 16 + 1))
    oy = 16 * int(rng.integers((OUT_H - h) // 16 + 1))
    canvas = np.zeros((1, OUT_H, OUT_W), np.float32)
    canvas[:, oy:oy + h, ox:ox + w] = x
    f = 2.0 ** -levels
    b = b * np.float32(f) + np.array([ox, oy, ox, oy], np.float32)
    return canvas, b, whole


# ---------------------------------------------------------------- colour

def photometric(rng, img):
    """Brightness (x 1 +- 0.125), contrast (1 +- 0.5 around the mean grey)
    and saturation (1 +- 0.5 around each pixel's grey), each with probability
    1/2, contrast before or after saturation at random (as EdgeML, whose
    factors these are); uint8 BGR in and out."""
    x = img.astype(np.float32)

    def grey(a):
        return 0.114 * a[..., 0] + 0.587 * a[..., 1] + 0.299 * a[..., 2]

    def brightness(a):
        return a * rng.uniform(0.875, 1.125) if rng.random() < 0.5 else a

    def contrast(a):
        if rng.random() < 0.5:
            m = float(grey(a).mean())
            a = m + (a - m) * rng.uniform(0.5, 1.5)
        return a

    def saturation(a):
        if rng.random() < 0.5:
            g = grey(a)[..., None]
            a = g + (a - g) * rng.uniform(0.5, 1.5)
        return a

    x = brightness(x)
    if rng.random() < 0.5:
        x = saturation(contrast(x))
    else:
        x = contrast(saturation(x))
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- datasets

class TrainSet(torch.utils.data.Dataset):
    """Indexed by (epoch, i) pairs (see EpochSampler). Returns
    (input (1, 240, 320) float32, faces (n, 4), ignore (m, 4)), boxes as
    fractions of the frame."""

    def __init__(self, items, data_dir, seed=0, min_face=6.0, max_face=96.0, anchor_prob=0.5, webcam_prob=0.0,
                 webcam_halvings=None, anchor_sizes=ANCHORS):
        self.items = [it for it in items if len(it[1])]
        self.data_dir = data_dir
        self.seed = seed
        self.min_face = min_face
        self.max_face = max_face
        self.anchor_prob = anchor_prob
        self.webcam_prob = webcam_prob
        self.webcam_halvings = webcam_halvings
        self.anchor_sizes = tuple(anchor_sizes)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, key):
        epoch, i = key
        rng = np.random.default_rng([self.seed, epoch, i])
        path, boxes = self.items[i]
        img = cv2.imread(os.path.join(self.data_dir, "images", path), cv2.IMREAD_COLOR)
        if img is None:
            raise IOError("cannot read %s" % path)
        H, W = img.shape[:2]
        x0 = y0 = r = None
        # Drawn only when asked for, so that runs without it see the same samples as before.
        webcam = self.webcam_prob > 0 and rng.random() < self.webcam_prob
        if webcam:
            cand = webcam_window(rng, boxes, W, H)
            if cand is None:
                webcam = False
            else:
                x0, y0, r = cand
                b = window_boxes(boxes, x0, y0, r)
                # wholly inside: the clipped box kept its size
                raw = window_boxes_unclipped(boxes, x0, y0, r)
                whole = (raw[:, 0] >= 0) & (raw[:, 1] >= 0) & (raw[:, 2] <= OUT_W) & (raw[:, 3] <= OUT_H)
        for _ in range(0 if webcam else 20):
            if rng.random() < self.anchor_prob:
                cand = anchor_window(rng, boxes, W, H, self.anchor_sizes)
            else:
                cand = crop_window(rng, W, H, boxes, self.max_face)
            b = window_boxes(boxes, *cand)
            fs = face_size(b)
            if ((fs >= self.min_face) & (fs <= self.max_face)).any():
                x0, y0, r = cand
                break
        if r is None and not webcam:   # no window with a usable face: the whole picture, letterboxed
            r = OUT_W / max(W, H * OUT_W / OUT_H)
            x0, y0 = (W - OUT_W / r) / 2, (H - OUT_H / r) / 2
            b = window_boxes(boxes, x0, y0, r)
        interp = ("linear", "linear", "linear", "cubic", "area")[rng.integers(5)]
        frame = photometric(rng, warp(img, x0, y0, r, interp))
        if rng.random() < 0.5:
            frame = frame[:, ::-1]
            b = b[:, [2, 1, 0, 3]] * np.array([-1, 1, -1, 1], np.float32) + \
                np.array([OUT_W, 0, OUT_W, 0], np.float32)
        x = to_input(np.ascontiguousarray(frame[:, :, ::-1]), 1)[0]
        cut = np.zeros(len(b), bool)
        if webcam:
            x, b, whole = webcam_frame(rng, np.asarray(x, np.float32), b, whole, self.webcam_halvings)
            x = torch.from_numpy(np.ascontiguousarray(x))
            cut = ~whole
        fs = face_size(b)
        ignore = (fs < self.min_face) | (fs > self.max_face) | cut
        scale = np.array([OUT_W, OUT_H, OUT_W, OUT_H], np.float32)
        return x, torch.from_numpy(b[~ignore] / scale), torch.from_numpy(b[ignore] / scale)


class EpochSampler(torch.utils.data.Sampler):
    """The epoch's permutation (fixed by seed and epoch) from position
    `start` on, as (epoch, index) keys."""

    def __init__(self, n, seed, epoch, start=0):
        self.n, self.seed, self.epoch, self.start = n, seed, epoch, start

    def permutation(self):
        return np.random.default_rng([self.seed, 7919, self.epoch]).permutation(self.n)

    def __iter__(self):
        for i in self.permutation()[self.start:]:
            yield (self.epoch, int(i))

    def __len__(self):
        return self.n - self.start


def collate(batch):
    xs, faces, ignores = zip(*batch)
    return torch.stack(xs), list(faces), list(ignores)


def worker_init(_):
    torch.set_num_threads(1)
    cv2.setNumThreads(1)


def load_val(items, data_dir, min_face=6.0):
    """Held-out pictures as the inference pipeline sees them (scaled to the
    QVGA area, aspect ratio kept, eval.py's resize). Returns a list of
    (input (1, 1, h, w), faces (n, 4) in input pixels, path)."""
    out = []
    for path, boxes in items:
        rgb = cv2.cvtColor(cv2.imread(os.path.join(data_dir, "images", path), cv2.IMREAD_COLOR),
                           cv2.COLOR_BGR2RGB)
        H, W = rgb.shape[:2]
        shrink = float(np.sqrt(OUT_W * OUT_H / (H * W)))
        small = ref_resize(rgb, area="qvga")
        x = to_input(small, 1)
        out.append((x, boxes * np.float32(shrink), path))
    return out


def describe(items, min_face):
    n_faces = sum(len(b) for _, b in items)
    return "%d pictures, %d faces" % (len(items), n_faces)


if __name__ == "__main__":
    # Writes a few augmented frames with their boxes to a folder to look at.
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--split", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "split.json"))
    ap.add_argument("-n", type=int, default=12)
    ap.add_argument("-o", default="/tmp/rnnpool_train_samples")
    ap.add_argument("--webcam-prob", type=float, default=0.0)
    a = ap.parse_args()
    tr, va = load_split(a.split, a.data)
    ds = TrainSet(tr, a.data, max_face=128.0, webcam_prob=a.webcam_prob)
    os.makedirs(a.o, exist_ok=True)
    for k in range(a.n):
        x, f, ig = ds[(0, k * 37 % len(ds))]
        g = (x[0].numpy() + 117.0).clip(0, 255).astype(np.uint8)
        g = cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)
        for bb, col in [(f, (0, 255, 0)), (ig, (0, 0, 255))]:
            for b in (bb.numpy() * [OUT_W, OUT_H, OUT_W, OUT_H]).astype(int):
                cv2.rectangle(g, (b[0], b[1]), (b[2], b[3]), col, 1)
        cv2.imwrite(os.path.join(a.o, "%02d.png" % k), g)
    print("wrote", a.n, "samples to", a.o)
