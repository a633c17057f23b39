"""Test-phase post-processing of EdgeML's S3FD face models: priors, box
decoding, softmax, confidence threshold and greedy NMS."""

import numpy as np
import torch

# From EdgeML's data/config_qvga.py and data/config.py.
CONFIGS = {
    "qvga": dict(steps=[8, 8, 16, 16], anchors=[8, 16, 32, 48], conf_thresh=0.05),
    # RPool_Face_M4_Webcam (ours): qvga plus a stride-32 head of 96 px anchors.
    "qvga_webcam": dict(steps=[8, 8, 16, 16, 32], anchors=[8, 16, 32, 48, 96], conf_thresh=0.05),
    "vga": dict(steps=[4, 8, 16, 32, 64, 128], anchors=[16, 32, 64, 128, 256, 512],
                conf_thresh=0.01),
}
VARIANCES = (0.1, 0.2)
NMS_IOU = 0.3
NMS_TOP_K = 5000     # candidates considered by NMS, best scores first
KEEP_TOP_K = 750     # detections kept


def prior_boxes(head_shapes, image_hw, config):
    """(N, 4) float32 priors (cx, cy, w, h) as fractions of the image size.

    One square anchor per head cell, heads in order, cells row-major; the
    feature-map sizes are the heads' actual ones, so any input size works.
    """
    cfg = CONFIGS[config]
    imh, imw = image_hw
    rows = []
    for (fh, fw), step, size in zip(head_shapes, cfg["steps"], cfg["anchors"]):
        i, j = np.meshgrid(np.arange(fh), np.arange(fw), indexing="ij")
        # Same float64 arithmetic as EdgeML: (j + 0.5) / (imw / step).
        cx = (j.ravel() + 0.5) / (imw / step)
        cy = (i.ravel() + 0.5) / (imh / step)
        rows.append(np.stack([cx, cy, np.full_like(cx, size / imw),
                              np.full_like(cx, size / imh)], axis=1))
    return torch.from_numpy(np.concatenate(rows).astype(np.float32))


def decode(loc, priors):
    """loc (N, 4) regressions -> (N, 4) corners x1, y1, x2, y2."""
    centre = priors[:, :2] + loc[:, :2] * VARIANCES[0] * priors[:, 2:]
    size = priors[:, 2:] * torch.exp(loc[:, 2:] * VARIANCES[1])
    x1y1 = centre - size / 2
    return torch.cat([x1y1, size + x1y1], dim=1)


def nms(boxes, scores, iou_thresh=NMS_IOU, top_k=NMS_TOP_K, keep_max=KEEP_TOP_K):
    """Greedy NMS over the top_k best scores; returns kept indices, best
    first. A box is dropped when its IoU with a kept box exceeds iou_thresh
    (IoU equal to the threshold survives)."""
    # EdgeML sorts ascending with torch's default (unstable) sort and walks
    # from the end. Calling the same sort breaks ties the same way; ties are
    # common (flat image regions give identical outputs) and decide which
    # neighbours get suppressed. Other sorts keep other boxes among ties.
    order = torch.sort(scores)[1][-top_k:].flip(0)
    x1, y1, x2, y2 = boxes.unbind(1)
    area = (x2 - x1) * (y2 - y1)
    keep = []
    # Later picks never change earlier ones, so stopping at keep_max is exact.
    while order.numel() > 0 and len(keep) < keep_max:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        w = (torch.minimum(x2[rest], x2[i]) - torch.maximum(x1[rest], x1[i])).clamp(min=0)
        h = (torch.minimum(y2[rest], y2[i]) - torch.maximum(y1[rest], y1[i])).clamp(min=0)
        inter = w * h
        iou = inter / ((area[rest] - inter) + area[i])
        order = rest[iou <= iou_thresh]
    return torch.tensor(keep, dtype=torch.long)


def candidates(loc, conf, head_shapes, image_hw, config):
    """Decoded boxes (M, 4) and face scores (M,) above the confidence
    threshold, in prior order: what NMS starts from."""
    priors = prior_boxes(head_shapes, image_hw, config)
    boxes = decode(loc.reshape(-1, 4), priors)
    scores = torch.softmax(conf.reshape(-1, 2), dim=-1)[:, 1]
    mask = scores > CONFIGS[config]["conf_thresh"]
    return boxes[mask], scores[mask]


def detect(loc, conf, head_shapes, image_hw, config):
    """One image's loc (1, N*4) and conf (1, N*2) -> (K, 5) float32 rows
    (score, x1, y1, x2, y2), corners as fractions of the input size, in NMS
    order."""
    boxes, scores = candidates(loc, conf, head_shapes, image_hw, config)
    if scores.numel() == 0:
        return torch.zeros(0, 5)
    keep = nms(boxes, scores)
    return torch.cat([scores[keep, None], boxes[keep]], dim=1)
