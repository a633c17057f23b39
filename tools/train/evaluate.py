#!/usr/bin/python3
"""Validation of a face-detector checkpoint on the held-out events: the
multibox loss and a quick AP@0.5.

The pictures go through the inference pipeline (scaled to the QVGA area,
aspect ratio kept), the network runs in eval mode (rnnpool_ref's inference
forward). AP: detections are decoded as rnnpool_ref.detect does (confidence
> 0.05, greedy NMS at IoU 0.3) but only the 300 best candidates go into NMS
and 200 detections are kept, which changes nothing for AP at these counts.
Faces of at least --ap-min-face input pixels (sqrt(w*h)) are to be found;
smaller ones are "don't care": a detection on one (IoU >= 0.5) is neither
right nor wrong. AP is the area under the all-points interpolated
precision/recall curve (VOC 2010+ style).

    /usr/bin/python3 tools/train/evaluate.py tools/train/checkpoints/rpool_face_m4.best.pt
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reference"))

from rnnpool_ref.detect import CONFIGS, NMS_IOU, decode, prior_boxes  # noqa: E402

import loss as L  # noqa: E402
from data import face_size  # noqa: E402

AP_IOU = 0.5
PRE_NMS = 300
KEEP = 200


def box_iou_np(a, b):
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    aa = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    ab = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(aa[:, None] + ab[None] - inter, 1e-12)


def fast_detect(loc, conf, priors, conf_thresh):
    """One picture's (N*4,), (N*2,) -> (K, 5) numpy rows score, x1, y1, x2, y2
    (fractions), best first."""
    scores = torch.softmax(conf.view(-1, 2), -1)[:, 1]
    keep = scores > conf_thresh
    if not keep.any():
        return np.zeros((0, 5), np.float32)
    s = scores[keep]
    b = decode(loc.view(-1, 4)[keep], priors[keep])
    order = s.argsort(descending=True)[:PRE_NMS]
    s, b = s[order].numpy(), b[order].numpy()
    ious = box_iou_np(b, b)
    alive = np.ones(len(s), bool)
    kept = []
    for i in range(len(s)):
        if not alive[i]:
            continue
        kept.append(i)
        if len(kept) == KEEP:
            break
        alive &= ious[i] <= NMS_IOU
    return np.concatenate([s[kept, None], b[kept]], 1)


def average_precision(dets_per_image, gts_per_image, min_face):
    """dets: list of (K, 5) in pixels; gts: list of (n, 4) pixels."""
    scores, hits = [], []
    n_care = 0
    for dets, gts in zip(dets_per_image, gts_per_image):
        care = face_size(gts) >= min_face if len(gts) else np.zeros(0, bool)
        n_care += int(care.sum())
        if len(dets) == 0:
            continue
        ious = box_iou_np(dets[:, 1:], gts) if len(gts) else np.zeros((len(dets), 0))
        taken = np.zeros(len(gts), bool)
        for k in range(len(dets)):
            row = ious[k]
            cand = np.where(care & ~taken, row, -1.0)
            j = int(np.argmax(cand)) if len(cand) else -1
            if j >= 0 and cand[j] >= AP_IOU:
                taken[j] = True
                scores.append(dets[k, 0]); hits.append(1)
            elif len(row) and np.where(~care, row, -1.0).max() >= AP_IOU:
                continue            # on a don't-care face
            else:
                scores.append(dets[k, 0]); hits.append(0)
    if n_care == 0:
        return float("nan")
    order = np.argsort(-np.array(scores), kind="stable")
    h = np.array(hits)[order]
    tp = np.cumsum(h)
    fp = np.cumsum(1 - h)
    recall = tp / n_care
    precision = tp / np.maximum(tp + fp, 1)
    mrec = np.concatenate([[0.0], recall, [recall[-1] if len(recall) else 0.0]])
    mpre = np.concatenate([[1.0], precision, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    return float(np.sum((mrec[1:] - mrec[:-1]) * mpre[1:]))


@torch.no_grad()
def validate(net, val, min_face=6.0, max_face=96.0, ap_min_face=20.0, batch=16):
    """val: data.load_val() list. Returns dict(loss, loss_l, loss_c, ap)."""
    was_training = net.training
    net.eval()
    cfg = CONFIGS[net.config]
    groups = {}
    for k, (x, _, _) in enumerate(val):
        groups.setdefault(tuple(x.shape[2:]), []).append(k)
    sum_l = sum_c = 0.0
    n_pos = 0
    dets = [None] * len(val)
    for hw, idx in groups.items():
        priors = None
        for s in range(0, len(idx), batch):
            part = idx[s:s + batch]
            x = torch.cat([val[k][0] for k in part])
            loc, conf = net(x)
            if priors is None:
                priors = prior_boxes(net.head_shapes, hw, net.config)
            scale = np.array([hw[1], hw[0], hw[1], hw[0]], np.float32)
            faces, ignores = [], []
            for k in part:
                b = val[k][1]
                fs = face_size(b)
                ign = (fs < min_face) | (fs > max_face)     # as in training
                faces.append(torch.from_numpy(b[~ign] / scale))
                ignores.append(torch.from_numpy(b[ign] / scale))
            labels, loc_t = L.match(faces, ignores, priors)
            ll, lc, n = L.multibox_loss(loc, conf, labels, loc_t)
            sum_l += float(ll) * n
            sum_c += float(lc) * n
            n_pos += n
            for j, k in enumerate(part):
                d = fast_detect(loc[j], conf[j], priors, cfg["conf_thresh"])
                d[:, 1:] *= scale
                dets[k] = d
    ap = average_precision(dets, [v[1] for v in val], ap_min_face)
    net.train(was_training)
    n_pos = max(n_pos, 1)
    return {"loss": (sum_l + sum_c) / n_pos, "loss_l": sum_l / n_pos,
            "loss_c": sum_c / n_pos, "ap": ap}


def main():
    import data as D
    from rnnpool_ref import build
    ap = argparse.ArgumentParser(description="validation loss and AP@0.5 of a checkpoint")
    ap.add_argument("ckpt", help="train.py checkpoint (.pt) or a .safetensors/.pth model")
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--split", default=os.path.join(HERE, "split.json"))
    ap.add_argument("--ap-min-face", type=float, default=20.0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # The architecture the file says it holds (train.py's checkpoints and our
    # exports name it; EdgeML's .pth files do not: RPool_Face_M4).
    if args.ckpt.endswith(".pt"):
        ck = torch.load(args.ckpt, map_location="cpu")
        net = build(ck.get("arch", "RPool_Face_M4"))
        net.load_state_dict(ck["model"])
    else:
        from rnnpool_ref.checkpoint import read_state_dict
        from rnnpool_ref import load_checkpoint
        meta = read_state_dict(args.ckpt)[1] or {}
        net = build(meta.get("rnnpool.arch") or meta.get("arch") or "RPool_Face_M4")
        load_checkpoint(net, args.ckpt)
    _, val_items = D.load_split(args.split, args.data)
    t = time.time()
    val = D.load_val(val_items, args.data)
    r = validate(net, val, ap_min_face=args.ap_min_face)
    print("%d pictures: loss %.4f (loc %.4f, conf %.4f), AP@0.5 (faces >= %g px) %.4f  [%.1f s]"
          % (len(val), r["loss"], r["loss_l"], r["loss_c"], args.ap_min_face, r["ap"], time.time() - t))


if __name__ == "__main__":
    main()
