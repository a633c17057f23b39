"""S3FD anchor matching and the multibox loss, batched and vectorised.

Matching (S3FD, Zhang et al. 2017, section 3.3), for every picture:
  stage 1: every prior takes the face it overlaps most; it is positive when
           that IoU is >= 0.35; every face also gets its best prior whatever
           the IoU (bipartite step);
  stage 2: faces that got fewer positives than the picture's average number
           per face (N) take, among the priors still negative whose IoU with
           them is > 0.1, the best ones until they have N (a prior wanted by
           two faces goes to the one it overlaps most).
EdgeML's code replaces stage 2 by a picture-wide approximation; this is the
per-face rule of the paper.

Priors that are not positive and overlap an ignored face (too small to
learn, see data.py) with IoU > 0.1 are neither positives nor negatives.

Loss: cross-entropy over the positives and the hardest negatives (3 per
positive, per picture, ranked by their own cross-entropy), smooth-L1 on the
encoded offsets of the positives (variances 0.1 / 0.2), both divided by the
number of positives in the batch. Head 0's max-out background is already in
the network's conf output (2 logits per prior).
"""

import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore", message="scatter_reduce")   # beta notice, torch 1.13

VARIANCES = (0.1, 0.2)
POS_IOU = 0.35
STAGE2_IOU = 0.1
IGNORE_IOU = 0.1
NEG_POS = 3


def corners(priors):
    """(cx, cy, w, h) -> (x1, y1, x2, y2)."""
    return torch.cat([priors[:, :2] - priors[:, 2:] / 2, priors[:, :2] + priors[:, 2:] / 2], 1)


def iou(a, b):
    """a (..., G, 4), b (P, 4) corner boxes -> (..., G, P)."""
    lt = torch.maximum(a[..., :, None, :2], b[:, :2])
    rb = torch.minimum(a[..., :, None, 2:], b[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area_a = ((a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]))[..., None]
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a + area_b - inter).clamp(min=1e-12)


def encode(matched, priors):
    """Corner boxes (..., P, 4) matched to priors (P, 4) -> regression targets."""
    c = ((matched[..., :2] + matched[..., 2:]) / 2 - priors[:, :2]) / (VARIANCES[0] * priors[:, 2:])
    wh = (matched[..., 2:] - matched[..., :2]).clamp(min=1e-6) / priors[:, 2:]
    return torch.cat([c, torch.log(wh) / VARIANCES[1]], -1)


def _pad(boxes_list):
    B = len(boxes_list)
    G = max(1, max(len(b) for b in boxes_list))
    out = torch.zeros(B, G, 4)
    valid = torch.zeros(B, G, dtype=torch.bool)
    for i, b in enumerate(boxes_list):
        out[i, :len(b)] = b
        valid[i, :len(b)] = True
    return out, valid


@torch.no_grad()
def match(faces, ignores, priors):
    """faces, ignores: lists (one per picture) of (n, 4) corner boxes as
    fractions of the input; priors (P, 4) (cx, cy, w, h) fractions.
    Returns labels (B, P) long (1 face, 0 background, -1 ignored) and
    loc targets (B, P, 4) (meaningful where labels == 1)."""
    pri = corners(priors)
    P = pri.shape[0]
    gt, valid = _pad(faces)                                  # (B, G, 4)
    B, G = valid.shape
    ov = iou(gt, pri)                                        # (B, G, P)
    ov = torch.where(valid[..., None], ov, ov.new_tensor(-1.0))

    best_ov, best_gt = ov.max(1)                             # (B, P)
    # bipartite step: each face keeps its best prior (invalid faces write
    # into a spare column P that is dropped)
    best_prior = ov.argmax(2)                                # (B, G)
    col = torch.where(valid, best_prior, torch.full_like(best_prior, P))
    g_idx = torch.arange(G).expand(B, G)
    best_ov = torch.cat([best_ov, best_ov.new_zeros(B, 1)], 1).scatter_(1, col, 2.0)[:, :P]
    best_gt = torch.cat([best_gt, best_gt.new_zeros(B, 1)], 1).scatter_(1, col, g_idx)[:, :P]
    pos = best_ov >= POS_IOU

    # stage 2: per face, top up to the picture's average count
    owner = torch.where(pos, best_gt, torch.full_like(best_gt, G))
    counts = torch.zeros(B, G + 1).scatter_add_(1, owner, torch.ones(B, P))[:, :G]   # (B, G)
    n_valid = valid.sum(1).clamp(min=1)
    avg = torch.round((counts * valid).sum(1) / n_valid)                              # (B,)
    need = ((avg[:, None] - counts) * valid).clamp(min=0).long()                      # (B, G)
    K = int(need.max()) if need.numel() else 0
    if K > 0:
        cand = torch.where(pos[:, None, :], ov.new_tensor(-1.0), ov)                 # (B, G, P)
        top_ov, top_p = cand.topk(min(K, P), dim=2)                                   # (B, G, K)
        rank = torch.arange(top_ov.shape[2])
        want = (rank < need[..., None]) & (top_ov > STAGE2_IOU)
        if want.any():
            # a prior wanted by several faces goes to the one it overlaps most
            claim = torch.full((B, P), -1.0)
            claim.scatter_reduce_(1, top_p.reshape(B, -1),
                                  torch.where(want, top_ov, top_ov.new_tensor(-1.0)).reshape(B, -1),
                                  reduce="amax")
            win = want & (claim.gather(1, top_p.reshape(B, -1)).view_as(top_ov) == top_ov)
            bb, gg, kk = win.nonzero(as_tuple=True)
            pp = top_p[bb, gg, kk]
            pos[bb, pp] = True
            best_gt[bb, pp] = gg

    labels = pos.long()
    if any(len(b) for b in ignores):
        ig, ig_valid = _pad(ignores)
        ig_ov = torch.where(ig_valid[..., None], iou(ig, pri), ig.new_tensor(-1.0)).max(1)[0]
        labels[(~pos) & (ig_ov > IGNORE_IOU)] = -1
    matched = gt.gather(1, best_gt[..., None].expand(B, P, 4))
    return labels, encode(matched, priors)


def multibox_loss(loc, conf, labels, loc_t, only=None, dense=None):
    """loc (B, P*4) or (B, P, 4), conf (B, P*2) or (B, P, 2), labels and
    loc_t from match(). Returns (loc loss, conf loss, number of positives).

    only: None, or a (P,) bool mask of the priors the loss counts (the heads
    being trained while the rest is frozen); then every negative among them
    counts, not the hardest 3 per positive: a head trained alone has few
    priors, and a picture without a face of its size must still teach it
    background (with mining, such a picture gives it no negative at all).

    dense: None, or a (P,) bool mask of priors whose every negative counts
    while the mining (3 per positive of the picture) runs over the other
    priors: a head of large anchors, with few priors and few faces of its
    size, learns background in every picture, and the small-face heads keep
    their mined negatives. only=M is dense=M with the other priors ignored."""
    B, P = labels.shape
    loc = loc.reshape(B, P, 4)
    conf = conf.reshape(B, P, 2)
    if only is not None:
        labels = torch.where(only[None, :], labels, labels.new_tensor(-1))
        dense = only
    pos = labels == 1
    n_pos = pos.sum(1)                                                       # (B,)
    N = max(int(n_pos.sum()), 1)
    loss_l = F.smooth_l1_loss(loc[pos], loc_t[pos], reduction="sum")
    ce = F.cross_entropy(conf.reshape(-1, 2), labels.clamp(min=0).reshape(-1),
                         reduction="none").view(B, P)
    with torch.no_grad():
        cand = labels == 0
        if dense is not None:
            every = cand & dense[None, :]
            cand = cand & ~dense[None, :]
        mine = torch.where(cand, ce, ce.new_tensor(-1.0))
        order = mine.argsort(1, descending=True)
        k = torch.minimum(NEG_POS * n_pos, cand.sum(1))
        neg = torch.zeros_like(cand).scatter_(1, order, torch.arange(P).expand(B, P) < k[:, None])
        if dense is not None:
            neg |= every
    loss_c = ce[pos | neg].sum()
    return loss_l / N, loss_c / N, N


DISTILL_FACE_PROB = 0.5


def distill_loss(loc, conf, t_loc, t_conf, n_norm):
    """Learning without forgetting (Li & Hoiem 2016) for detection heads: the
    network's first P' priors (the heads it shares with a teacher network
    whose outputs t_loc (B, P'*4), t_conf (B, P'*2) are given) answer as the
    teacher does. Returns (box term, class term), both divided by n_norm (the
    batch's positives, as multibox_loss divides):
      class: sum over the P' priors of KL(teacher || network) of the two-way
             softmax (every prior counts: the teacher's background is
             knowledge too);
      box:   smooth-L1 between the encoded offsets, over the priors the
             teacher calls a face (probability >= DISTILL_FACE_PROB)."""
    B = t_conf.shape[0]
    t_conf = t_conf.reshape(B, -1, 2)
    Pt = t_conf.shape[1]
    s_conf = conf.reshape(B, -1, 2)[:, :Pt]
    s_loc = loc.reshape(B, -1, 4)[:, :Pt]
    t_loc = t_loc.reshape(B, Pt, 4)
    t_logp = F.log_softmax(t_conf, -1)
    kl = (t_logp.exp() * (t_logp - F.log_softmax(s_conf, -1))).sum()
    face = t_logp[..., 1].exp() >= DISTILL_FACE_PROB
    box = F.smooth_l1_loss(s_loc[face], t_loc[face], reduction="sum")
    return box / n_norm, kl / n_norm
