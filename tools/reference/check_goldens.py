#!/usr/bin/env python3
"""Checks the reference networks against the golden data made with EdgeML's
own code (see shared/reference/README.md). Prints the max absolute error of
every compared tensor and exits 1 if any exceeds the tolerance."""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rnnpool_ref import build, detect                               # noqa: E402
from rnnpool_ref.detect import NMS_IOU, candidates                   # noqa: E402
from rnnpool_ref.checkpoint import load_checkpoint, save_safetensors  # noqa: E402
from rnnpool_ref.preprocess import load_input                        # noqa: E402
from rnnpool_ref.rnnpool import rnnpool_patches                      # noqa: E402

DEFAULT_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "..", "..", "..", "shared", "reference"))
TOL = 1e-4
TIE = 1e-5   # scores this close count as tied (ours differ from EdgeML's by < 1e-6)


class Report:
    def __init__(self):
        self.worst = 0.0

    def line(self, label, err, note=""):
        self.worst = max(self.worst, err)
        flag = "" if err <= TOL else "   <-- FAIL"
        print("  %-24s %.3e%s%s" % (label, err, "  " + note if note else "", flag))


def max_err(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float("inf") if a.shape != b.shape else float(np.abs(a - b).max(initial=0.0))


def _iou(box, boxes):
    w = np.clip(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), 0, None)
    h = np.clip(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), 0, None)
    inter = w * h
    area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])   # noqa: E731
    return inter / (area(boxes) - inter + area(box))


def detections_err(mine, gold, cand_boxes=None, cand_scores=None):
    """Returns (error, rows left unpaired on either side). Each golden row
    is paired with the closest of our rows (rows may come in another order
    where scores nearly tie); the error is the largest difference between
    paired rows.

    Greedy NMS is discontinuous: where overlapping candidates have scores
    equal to within float noise (flat image regions give near-identical
    outputs), a 1e-7 difference can make it keep a neighbour instead, which
    can also change how many boxes of that plateau survive. A row left
    unpaired is accepted as such a swap if some other candidate overlapping
    it beyond the NMS IoU has a score within TIE of its own; any other
    unpaired row makes the error infinite."""
    mine, gold = np.asarray(mine, np.float64), np.asarray(gold, np.float64)
    if mine.shape != gold.shape:
        return float("inf"), 0
    if len(gold) == 0:
        return 0.0, 0
    d = np.abs(gold[:, None, :] - mine[None, :, :]).max(axis=2)
    gold_best, mine_best = d.min(axis=1), d.min(axis=0)
    err = float(max(gold_best[gold_best <= TOL].max(initial=0.0),
                    mine_best[mine_best <= TOL].max(initial=0.0)))
    lone = np.concatenate([gold[gold_best > TOL], mine[mine_best > TOL]])
    if len(lone) and cand_boxes is None:
        return float("inf"), len(lone)
    for row in lone:
        rivals = (_iou(row[1:], cand_boxes) > NMS_IOU) & \
                 (np.abs(cand_scores - row[0]) <= TIE) & \
                 (np.abs(cand_boxes - row[1:]).max(axis=1) > TOL)
        if not rivals.any():
            return float("inf"), len(lone)
    return err, len(lone)


def same_weights(model_a, model_b):
    sa, sb = model_a.state_dict(), model_b.state_dict()
    return all(torch.equal(sa[k], sb[k]) for k in sa)


def check_rnnpool_op(root, rep):
    d = os.path.join(root, "rnnpool-op")
    ld = lambda n: torch.from_numpy(np.load(os.path.join(d, n + ".npy")))   # noqa: E731
    cells = []
    for r in ("rnn1", "rnn2"):
        sz = ld(r + "_sigmoid_zeta_nu")
        # The C reference computes W x + U h with W (hidden x input): transpose.
        cells.append({"W": ld(r + "_W").t(), "U": ld(r + "_U").t(),
                      "b_gate": ld(r + "_bias_gate"), "b_update": ld(r + "_bias_update"),
                      "s_zeta": sz[0], "s_nu": sz[1]})
    patch = ld("input_rows_cols_channels").permute(2, 0, 1)     # -> (C, rows, cols)
    out = rnnpool_patches(patch[None], cells[0], cells[1])[0]
    print("rnnpool-op (6x6 patch, 8 channels, h1=h2=8)")
    rep.line("output", max_err(out, ld("expected_output")))


def run_case(model, x, case_dir, case, rep, image=None, image_size=None):
    if image is not None:
        xi = load_input(os.path.join(case_dir, image), model.in_channels, size=image_size)
        rep.line("input (from picture)", max_err(xi, x))
    with torch.no_grad():
        loc, conf, stages = model(x, return_stages=True)
    rep.line("loc", max_err(loc, np.load(os.path.join(case_dir, case["loc"]))))
    rep.line("conf", max_err(conf, np.load(os.path.join(case_dir, case["conf"]))))
    for name in sorted(case.get("stages", []), key=lambda s: (len(s), s)):
        gold = np.load(os.path.join(case_dir, case["input"].replace(".input.npy", ".stage.%s.npy" % name)))
        rep.line("stage " + name, max_err(stages[name], gold))
    gold = np.load(os.path.join(case_dir, case["detections"]))
    hw = tuple(x.shape[2:])
    # Post-processing alone, on EdgeML's own loc/conf: must match row for row.
    gloc = torch.from_numpy(np.load(os.path.join(case_dir, case["loc"])))
    gconf = torch.from_numpy(np.load(os.path.join(case_dir, case["conf"])))
    err, swaps = detections_err(detect(gloc, gconf, model.head_shapes, hw, model.config), gold)
    rep.line("detections (golden loc)", err if swaps == 0 else float("inf"), "(%d rows)" % len(gold))
    # End to end.
    dets = detect(loc, conf, model.head_shapes, hw, model.config)
    boxes, scores = candidates(loc, conf, model.head_shapes, hw, model.config)
    err, swaps = detections_err(dets, gold, boxes.double().numpy(), scores.double().numpy())
    note = "(%d rows, golden %d" % (len(dets), len(gold))
    if swaps:
        note += ", %d unpaired: %s" % (swaps, "near-tie swaps" if err <= TOL else "NOT near-ties")
    rep.line("detections", err, note + ")")


def check_golden(root, rep):
    d = os.path.join(root, "edgeml-golden")
    for case in json.load(open(os.path.join(d, "manifest.json"))):
        tag = case["checkpoint"][:-len(".pth")]
        print("edgeml-golden/%s (%s)" % (tag, case["arch"]))
        model = build(case["arch"])
        load_checkpoint(model, os.path.join(d, case["checkpoint"]))
        x = torch.from_numpy(np.load(os.path.join(d, case["input"])))
        h, w = x.shape[2:]
        run_case(model, x, d, case, rep, image=case.get("image"), image_size=(w, h))

        # The same weights saved as EdgeML users have them, and via safetensors.
        variants = [tag + s for s in (".legacy.pth", ".dataparallel.pth")]
        variants = [v for v in variants if os.path.exists(os.path.join(d, v))]
        with tempfile.TemporaryDirectory() as tmp:
            st = os.path.join(tmp, tag + ".safetensors")
            save_safetensors(model, st)
            for v in variants + [st]:
                other = build(case["arch"])
                load_checkpoint(other, os.path.join(d, v))
                rep.line("weights " + os.path.basename(v).replace(tag, "")[1:],
                         0.0 if same_weights(model, other) else float("inf"))


def check_authors(root, rep):
    d = os.path.join(root, "edgeml-authors")
    for case in json.load(open(os.path.join(d, "manifest.json"))):
        print("edgeml-authors/%s (%s)" % (case["tag"], case["arch"]))
        model = build(case["arch"])
        notes, _ = load_checkpoint(model, os.path.join(d, case["checkpoint"]))
        for n in notes:
            print("    note: " + n)
        x = torch.from_numpy(np.load(os.path.join(d, case["input"])))
        image = case["tag"].split(".", 1)[1] + ".png"
        run_case(model, x, d, case, rep, image=image if os.path.exists(os.path.join(d, image)) else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", default=os.environ.get("RNNPOOL_REFERENCE", DEFAULT_ROOT),
                    help="folder holding edgeml-golden/, edgeml-authors/, rnnpool-op/")
    # One thread by default: with OpenMP, a second thread on a busy 2-core
    # machine (e.g. next to a compile) makes it several times slower.
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    start = time.time()
    rep = Report()
    check_rnnpool_op(args.root, rep)
    check_golden(args.root, rep)
    check_authors(args.root, rep)
    ok = rep.worst <= TOL
    print("worst error %.3e, tolerance %.0e: %s (%.1f s)"
          % (rep.worst, TOL, "PASS" if ok else "FAIL", time.time() - start))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
