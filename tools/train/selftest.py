#!/usr/bin/python3
"""Quick checks of the training code (about half a minute, one thread):

1. FastGRNNRun's hand-written backward against numerical gradients
   (torch.autograd.gradcheck, float64, several blocks);
2. forward_train gives rnnpool_ref's inference outputs (non-trivial zeta/nu);
3. loss.match against a plain per-face loop of the same rules;
4. the augmented samples are deterministic and well-formed;
5. a webcam sample (--webcam-prob) is a pyramid level: the 2x2 means of the
   preprocessed frame, once or twice, at a multiple of 16 px in a frame of
   zeros, every face box inside it; with --webcam-halvings 0 the whole frame,
   one face 35-60% of its height;
6. multibox_loss with a prior mask (--loss-heads) against a plain sum over
   the masked priors: every negative counts, priors outside count nothing;
   with --dense-negatives, every negative of those priors plus the 3-per-
   positive hardest of the others, against a per-picture sort by hand;
7. --train-only: a training step changes the named parts only, the frozen
   BatchNorms' running statistics included (RPool_Face_M4_Webcam's new head);
8. with --engine PATH (ctest gives build/app/rnnpool): RPool_Face_M4_Webcam with
   seeded weights, written by export.py, runs in the C++ engine as in PyTorch
   (export.py --check: loc and conf within 1e-4).

    /usr/bin/python3 tools/train/selftest.py        # prints "N passed, 0 failed"

Checks 4-5 read pictures of ../shared's dataset; without it they say so and
pass, unless --require-data is given (as ctest's train_selftest does).
"""

import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import data as D  # noqa: E402
import loss as L  # noqa: E402
import net as N  # noqa: E402
from rnnpool_ref.detect import prior_boxes  # noqa: E402


def check_gradcheck():
    N.CHUNK, N.REUSE_BUFFERS = 3, False
    try:
        g = torch.Generator().manual_seed(0)
        T, n, D_, H = 4, 7, 3, 6
        args = [torch.randn(T, n, D_, generator=g, dtype=torch.double),
                torch.randn(D_, H, generator=g, dtype=torch.double),
                0.5 * torch.randn(H, H, generator=g, dtype=torch.double),
                torch.randn(1, H, generator=g, dtype=torch.double),
                torch.randn(1, H, generator=g, dtype=torch.double),
                torch.tensor([[0.7]], dtype=torch.double), torch.tensor([[0.2]], dtype=torch.double)]
        args = [a.requires_grad_() for a in args]
        return torch.autograd.gradcheck(lambda *a: N.FastGRNNRun.apply(*a, "selftest"), args)
    finally:
        N.CHUNK, N.REUSE_BUFFERS = 4096, True


def check_forward():
    net = N.build_trainable(seed=3)
    with torch.no_grad():
        for cell in (net.rnn_model.cell_rnn.cell, net.rnn_model.cell_bidirrnn.cell):
            cell.zeta.fill_(0.3)
            cell.nu.fill_(-1.0)
    net.eval()
    x = torch.randn(2, 1, 240, 320, generator=torch.Generator().manual_seed(1)) * 50
    l0, c0 = net(x)
    l1, c1 = N.forward_train(net, x)
    err = max(float((l0 - l1).abs().max()), float((c0 - c1).abs().max()))
    print("  forward_train vs inference forward: max abs difference %.2g" % err)
    return err < 1e-4


def naive_positive(faces, priors):
    P = priors.shape[0]
    pc = L.corners(priors)
    if len(faces) == 0:
        return torch.zeros(P, dtype=torch.bool)
    ov = L.iou(faces, pc)
    best_ov, best_gt = ov.max(0)
    for j, p in enumerate(ov.argmax(1).tolist()):
        best_ov[p] = 2
        best_gt[p] = j
    pos = best_ov >= L.POS_IOU
    counts = torch.tensor([float(((best_gt == j) & pos).sum()) for j in range(len(faces))])
    avg = torch.round(counts.mean())
    claims = {}
    for j in range(len(faces)):
        need = int(max(avg - counts[j], 0))
        c = ov[j].clone()
        c[pos] = -1
        vals, idx = c.sort(descending=True)
        for v, p in zip(vals[:need].tolist(), idx[:need].tolist()):
            if v > L.STAGE2_IOU and (p not in claims or claims[p][0] < v):
                claims[p] = (v, j)
    for p in claims:
        pos[p] = True
    return pos


def check_matching():
    priors = prior_boxes([(30, 40), (30, 40), (15, 20), (15, 20)], (240, 320), "qvga")
    g = torch.Generator().manual_seed(1)
    # jitter the priors a little: on the exact grid many IoUs tie, and which
    # of two tied priors a sort takes first is arbitrary
    priors = priors * (1 + 1e-3 * torch.rand(priors.shape, generator=g))
    faces = []
    for _ in range(40):
        n = int(torch.randint(0, 12, (), generator=g))
        xy = torch.rand(n, 2, generator=g) * 0.9
        wh = torch.rand(n, 2, generator=g) * 0.25 + 0.01
        faces.append(torch.cat([xy, (xy + wh).clamp(max=1)], 1))
    labels, _ = L.match(faces, [torch.zeros(0, 4)] * len(faces), priors)
    ok = True
    for i, f in enumerate(faces):
        pos = naive_positive(f, priors)
        diff = (pos != (labels[i] == 1)).nonzero().flatten()
        if len(diff):
            print("  picture %d: %d priors differ" % (i, len(diff)))
            ok = False
    return ok


REQUIRE_DATA = False


def no_data(what):
    print("  dataset not found (%s): %s check %s" % (D.DEFAULT_DATA, what, "FAILED" if REQUIRE_DATA else "skipped"))
    return not REQUIRE_DATA


def check_samples():
    try:
        train, _ = D.load_split(os.path.join(HERE, "split.json"), D.DEFAULT_DATA)
    except OSError:
        return no_data("sample")
    ds = D.TrainSet(train[:50], D.DEFAULT_DATA)
    ok = True
    for i in range(0, 50, 7):
        x, f, ig = ds[(0, i)]
        x2, f2, ig2 = ds[(0, i)]
        ok &= torch.equal(x, x2) and torch.equal(f, f2) and torch.equal(ig, ig2)
        ok &= tuple(x.shape) == (1, 240, 320) and len(f) > 0
        ok &= bool(((f >= 0) & (f <= 1)).all()) and bool((f[:, 2:] > f[:, :2]).all())
        sz = D.face_size(f.numpy() * np.array([320, 240, 320, 240], np.float32))
        ok &= bool(((sz >= ds.min_face) & (sz <= ds.max_face)).all())
    return ok


def check_anchor_sizes():
    # One 60 px face in a 4000x3000 picture (the quarter-width floor on the scale is then 0.02, far below
    # what any target asks): the window scales it to target * 2^u, u in [-1, 1), target one of the sizes.
    rng = np.random.default_rng(7)
    boxes = np.array([[1000.0, 1000.0, 1060.0, 1060.0]], np.float32)
    ok = True
    for sizes in ((8, 16, 32, 48), (8, 16, 32, 48, 96)):
        got = [60.0 * D.anchor_window(rng, boxes, 4000, 3000, sizes)[2] for _ in range(2000)]
        # the nearest size to 60 is 48, so any size up to the one above it: 96 only when it is listed
        ok &= min(got) >= 4.0 - 1e-3 and max(got) <= 2.0 * max(sizes) + 1e-3
        ok &= max(got) > 1.5 * max(sizes)
        print("  anchor sizes %s: a 60 px face drawn at %.1f-%.1f px" % (",".join(map(str, sizes)), min(got), max(got)))
    ds = D.TrainSet([], D.DEFAULT_DATA, anchor_sizes=(8, 16, 32, 48, 96))
    return ok and ds.anchor_sizes == (8, 16, 32, 48, 96) and D.TrainSet([], D.DEFAULT_DATA).anchor_sizes == D.ANCHORS


def check_webcam_samples():
    # halve() is the engine's halveTensor: a 2x2 mean, an odd row or column dropped.
    x = np.arange(2 * 5 * 7, dtype=np.float32).reshape(2, 5, 7)
    h = D.halve(x)
    ok = h.shape == (2, 2, 3) and abs(float(h[1, 1, 2]) - float(x[1, 2:4, 4:6].mean())) < 1e-6
    try:
        train, _ = D.load_split(os.path.join(HERE, "split.json"), D.DEFAULT_DATA)
    except OSError:
        return ok and no_data("webcam sample")
    ds = D.TrainSet(train[:60], D.DEFAULT_DATA, max_face=128.0, webcam_prob=1.0)
    sizes = set()
    for i in range(0, 60, 5):
        x, f, ig = ds[(0, i)]
        x2, f2, _ = ds[(0, i)]
        ok &= torch.equal(x, x2) and torch.equal(f, f2)
        rows = np.flatnonzero(np.abs(x[0].numpy()).sum(1) > 0)
        cols = np.flatnonzero(np.abs(x[0].numpy()).sum(0) > 0)
        if not len(rows):
            continue
        y0, x0 = int(rows[0]), int(cols[0])
        h, w = int(rows[-1]) - y0 + 1, int(cols[-1]) - x0 + 1
        sizes.add((h <= 120, h <= 60))
        ok &= h <= 120 and w <= 160
        b = (torch.cat([f, ig]).numpy() * np.array([320, 240, 320, 240], np.float32))
        # every box lies in the level's 160x120 (or 80x60) placed at a multiple of 16
        ok &= bool(((b[:, 0] >= x0 - 16.5) & (b[:, 2] <= x0 + 160.5) & (b[:, 1] >= y0 - 16.5) & (b[:, 3] <= y0 + 120.5)).all())
    return ok and len(sizes) >= 1


def check_full_webcam_frames():
    try:
        train, _ = D.load_split(os.path.join(HERE, "split.json"), D.DEFAULT_DATA)
    except OSError:
        return no_data("full-frame webcam")
    ds = D.TrainSet(train[:60], D.DEFAULT_DATA, max_face=192.0, webcam_prob=1.0, webcam_halvings=[0])
    ok, framed = True, 0
    for i in range(0, 60, 5):
        x, f, ig = ds[(0, i)]
        img = np.abs(x[0].numpy())
        # the frame is not halved: picture content below row 120 and right of column 160
        ok &= bool(img[130:].sum() > 0 and img[:, 170:].sum() > 0)
        b = torch.cat([f, ig]).numpy() * np.array([320, 240, 320, 240], np.float32)
        h = b[:, 3] - b[:, 1]
        framed += bool(((h >= 0.35 * 240 - 1) & (h <= 0.60 * 240 + 1)).any())
    print("  %d of 12 full frames have a face at 35-60%% of their height" % framed)
    return ok and framed == 12


def random_loss_inputs(seed, B=3, P=40):
    """A generator and random (conf, loc, loc_t, labels) for B pictures of P priors."""
    g = torch.Generator().manual_seed(seed)
    return (g, torch.randn(B, P, 2, generator=g), torch.randn(B, P, 4, generator=g),
            torch.randn(B, P, 4, generator=g), torch.randint(-1, 2, (B, P), generator=g))


def check_masked_loss():
    B, P = 3, 40
    g, conf, loc, loc_t, labels = random_loss_inputs(5, B, P)
    only = torch.zeros(P, dtype=torch.bool)
    only[25:] = True
    ll, lc, n = L.multibox_loss(loc, conf, labels, loc_t, only)
    # by hand: priors 25-39 only; positives' smooth-L1 and every non-ignored prior's cross-entropy
    want_l = want_c = 0.0
    npos = 0
    for b in range(B):
        for p in range(25, P):
            lab = int(labels[b, p])
            if lab < 0:
                continue
            z = conf[b, p]
            want_c += float(torch.logsumexp(z, 0) - z[lab])
            if lab == 1:
                npos += 1
                d = (loc[b, p] - loc_t[b, p]).abs()
                want_l += float(torch.where(d < 1, 0.5 * d * d, d - 0.5).sum())
    ok = n == max(npos, 1) and abs(float(ll) - want_l / n) < 1e-4 and abs(float(lc) - want_c / n) < 1e-4
    print("  masked loss: loc %.5f (by hand %.5f), conf %.5f (%.5f), %d positives" % (
        float(ll), want_l / max(npos, 1), float(lc), want_c / max(npos, 1), npos))
    return ok


def check_dense_negatives():
    B, P = 3, 40
    g, conf, loc, loc_t, labels = random_loss_inputs(6, B, P)
    labels[:, :25] = torch.where(torch.rand(B, 25, generator=g) < 0.1, 1, labels[:, :25].clamp(max=0))
    labels[2, :25] = labels[2, :25].clamp(max=0)                   # a picture with no positive among 0-24
    dense = torch.zeros(P, dtype=torch.bool)
    dense[25:] = True
    ll, lc, n = L.multibox_loss(loc, conf, labels, loc_t, dense=dense)
    want_c, npos = 0.0, int((labels == 1).sum())
    for b in range(B):
        ce = [float(torch.logsumexp(conf[b, p], 0) - conf[b, p][max(int(labels[b, p]), 0)]) for p in range(P)]
        k = L.NEG_POS * int((labels[b] == 1).sum())
        mined = sorted((ce[p] for p in range(25) if labels[b, p] == 0), reverse=True)[:k]
        want_c += sum(mined) + sum(ce[p] for p in range(P) if labels[b, p] == 1 or (p >= 25 and labels[b, p] == 0))
    ok = n == max(npos, 1) and abs(float(lc) - want_c / n) < 1e-4
    # no dense mask is the plain mining; a mask of nothing is the same
    plain = L.multibox_loss(loc, conf, labels, loc_t)[1]
    none = L.multibox_loss(loc, conf, labels, loc_t, dense=torch.zeros(P, dtype=torch.bool))[1]
    ok &= abs(float(plain) - float(none)) < 1e-6 and float(lc) > float(plain)
    print("  dense negatives: conf %.5f (by hand %.5f; mined only %.5f), %d positives" % (
        float(lc), want_c / max(npos, 1), float(plain), npos))
    return ok


def check_distill_loss():
    B, P, Pt = 3, 40, 30
    g, conf, loc, _, _ = random_loss_inputs(7, B, P)
    t_conf = 2 * torch.randn(B, Pt, 2, generator=g)
    t_loc = torch.randn(B, Pt, 4, generator=g)
    conf.requires_grad_(True)
    loc.requires_grad_(True)
    dl, dc = L.distill_loss(loc.reshape(B, -1), conf.reshape(B, -1), t_loc.reshape(B, -1), t_conf.reshape(B, -1), 5)
    # by hand: KL over the teacher's priors; smooth-L1 where the teacher's face probability is >= 0.5
    want_c = want_l = 0.0
    n_face = 0
    for b in range(B):
        for p in range(Pt):
            pt = torch.softmax(t_conf[b, p], 0)
            ps = torch.softmax(conf[b, p].detach(), 0)
            want_c += float((pt * (pt.log() - ps.log())).sum())
            if float(pt[1]) >= L.DISTILL_FACE_PROB:
                n_face += 1
                d = (loc[b, p].detach() - t_loc[b, p]).abs()
                want_l += float(torch.where(d < 1, 0.5 * d * d, d - 0.5).sum())
    ok = abs(float(dc) - want_c / 5) < 1e-4 and abs(float(dl) - want_l / 5) < 1e-4 and 0 < n_face < B * Pt
    (dl + dc).backward()
    # the priors the teacher does not have get no gradient; a network answering as the teacher costs nothing
    ok &= float(conf.grad[:, Pt:].abs().sum()) == 0 and float(loc.grad[:, Pt:].abs().sum()) == 0
    ok &= float(conf.grad[:, :Pt].abs().sum()) > 0
    same = torch.cat([t_conf, conf.detach()[:, Pt:]], 1), torch.cat([t_loc, loc.detach()[:, Pt:]], 1)
    zl, zc = L.distill_loss(same[1], same[0], t_loc, t_conf, 5)
    ok &= abs(float(zl)) < 1e-6 and abs(float(zc)) < 1e-5
    print("  distillation: conf %.5f (by hand %.5f), box %.5f (%.5f) over %d teacher faces; as the teacher: %.2g, %.2g"
          % (float(dc), want_c / 5, float(dl), want_l / 5, n_face, float(zc), float(zl)))
    return ok


def check_train_only():
    net = N.build_trainable("RPool_Face_M4_Webcam", seed=2)
    prefixes = ["mob.4.", "loc.4.", "conf.4."]
    if N.freeze_all_but(net, ["no.such."]) != "no.such." or N.freeze_all_but(net, prefixes) is not None:
        return False
    N.set_train_mode(net, prefixes)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=1e-2)
    x = torch.randn(2, 1, 240, 320, generator=torch.Generator().manual_seed(4)) * 50
    loc, conf = N.forward_train(net, x)
    (loc.square().mean() + conf.square().mean()).backward()
    opt.step()
    changed = {k for k, v in net.state_dict().items() if not torch.equal(v, before[k])}
    # every parameter and BatchNorm buffer that changed is under a prefix, and
    # the new block's BatchNorm statistics did move (it is in training mode)
    outside = sorted(k for k in changed if not any(k.startswith(p) for p in prefixes))
    if outside:
        print("  changed outside --train-only: %s" % ", ".join(outside[:5]))
    return not outside and "mob.4.conv.0.1.running_mean" in changed and "loc.4.weight" in changed \
        and net.head_shapes[-1] == (8, 10)


ENGINE = None


def check_engine_webcam_arch():
    if ENGINE is None:
        print("  no --engine: skipped")
        return True
    import tempfile
    import export as E
    net = N.build_trainable("RPool_Face_M4_Webcam", seed=7)
    g = torch.Generator().manual_seed(8)
    with torch.no_grad():   # BatchNorms and biases away from their initial 1/0, so that each counts
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1, generator=g)
                m.running_var.uniform_(0.5, 1.5, generator=g)
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0, 0.1, generator=g)
            elif isinstance(m, torch.nn.Conv2d) and m.bias is not None:
                m.bias.normal_(0, 0.5, generator=g)
    net.eval()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "webcam.safetensors")
        E.export(net, out, "tools/train/selftest.py, seeded weights", 1)
        return E.check(net, out, ENGINE, 1e-4)


def check_stage_rule():
    """stage_rule.py's level choice and verdict on the recorded stages' figures
    (tools/train/README.md), worked by hand: stage 6 chose 1 level, stage 8
    2, and stage 8's held-out result failed on three buckets only."""
    import stage_rule as R
    ok = R.choose_levels({1: (0.777, 0.560), 2: (0.776, 0.560), 3: (0.776, 0.556)}) == 1
    ok &= R.choose_levels({1: (0.787, 0.601), 2: (0.792, 0.600), 3: (0.793, 0.598)}) == 2
    ok &= R.choose_levels({1: (0.700, 0.600), 2: (0.760, 0.500), 3: (0.761, 0.590)}) == 3   # none near both: sum
    ok &= R.choose_levels({1: (0.700, 0.600), 2: (0.740, 0.560), 3: (0.741, 0.590)}) == 3
    ok &= R.choose_levels({1: (0.75, 0.625), 2: (0.875, 0.5), 3: (0.5, 0.25)}) == 1   # 1.375 = 1.375: fewer

    def result(crops, pictures, found):
        return {"crops": {"ap": crops}, "pictures": {"ap": pictures, "buckets": [
            {"min_height": lo, "max_height": hi, "faces": faces, "found": f}
            for (lo, hi, faces), f in zip([(20, 32, 282), (32, 64, 102), (64, 128, 35), (128, None, 9)], found)]}}
    shipped = result(0.6637, 0.4682, [212, 76, 31, 9])
    passes, fails = R.verdict(result(0.724, 0.468, [210, 77, 30, 7]), shipped)
    ok &= not passes and len(fails) == 3 and all("bucket" in f for f in fails)
    passes, fails = R.verdict(result(0.6837, 0.4632, [212, 76, 31, 9]), shipped)
    ok &= passes and not fails
    passes, fails = R.verdict(result(0.6836, 0.4631, [212, 76, 31, 9]), shipped)
    ok &= not passes and len(fails) == 2
    return ok


def main():
    global REQUIRE_DATA, ENGINE
    REQUIRE_DATA = "--require-data" in sys.argv[1:]
    if "--engine" in sys.argv[1:]:
        ENGINE = sys.argv[sys.argv.index("--engine") + 1]
        if not os.path.exists(ENGINE):
            sys.exit("--engine %s: not found" % ENGINE)
    torch.set_num_threads(1)
    checks = [("FastGRNN backward (gradcheck)", check_gradcheck),
              ("forward_train == inference forward", check_forward),
              ("S3FD matching vs per-face loop", check_matching),
              ("augmented samples", check_samples),
              ("data-anchor sampling's sizes", check_anchor_sizes),
              ("webcam samples", check_webcam_samples),
              ("full-frame webcam samples", check_full_webcam_frames),
              ("loss over some heads' priors", check_masked_loss),
              ("every negative of some heads, mining over the rest", check_dense_negatives),
              ("distillation from a teacher's heads", check_distill_loss),
              ("--train-only freezes the rest", check_train_only),
              ("the webcam stages' rule (stage_rule.py)", check_stage_rule),
              ("RPool_Face_M4_Webcam: C++ engine == PyTorch", check_engine_webcam_arch)]
    passed = failed = 0
    for name, fn in checks:
        ok = bool(fn())
        print("%s: %s" % (name, "ok" if ok else "FAILED"))
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
