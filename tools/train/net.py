"""A differentiable forward pass for the rnnpool_ref networks.

rnnpool_ref is an inference reference: its forward runs under no_grad and
its FastGRNN updates buffers in place. Training uses the very same modules
(so parameters and state-dict keys are EdgeML's), but runs them through
`forward_train` below, whose RNNPool is built on `FastGRNNRun`, an autograd
function with a hand-written backward pass. It keeps only three tensors per
time step (gate, candidate, previous state) and does the input projection of
all steps in one matrix product, which is several times cheaper on a CPU
than letting autograd record the ~10 small operations of every step.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))

from rnnpool_ref import build  # noqa: E402
from rnnpool_ref.models import BACKGROUND_LOGITS  # noqa: E402

ARCH = "RPool_Face_M4"
PATCH, STRIDE = 8, 4


_POOL = {}          # name -> reused buffer (see _buffer)
_GENERATION = {}    # tag -> forward passes so far
REUSE_BUFFERS = True


def _buffer(name, shape, like):
    """A reused uninitialised buffer. The tensors FastGRNNRun keeps for its
    backward pass are hundreds of megabytes per batch; allocating them fresh
    every step costs more than the arithmetic (page faults), so they live
    here and are overwritten by the next forward pass. Only one
    forward/backward may be in flight at a time (checked in backward)."""
    if not REUSE_BUFFERS:
        return like.new_empty(shape)
    t = _POOL.get(name)
    if t is None or t.shape != torch.Size(shape) or t.dtype != like.dtype:
        t = like.new_empty(shape)
        _POOL[name] = t
    return t


CHUNK = 4096   # rows per block: one block's working set stays in cache


class FastGRNNRun(torch.autograd.Function):
    """Final state of FastGRNN over X (T, N, D), h0 = 0.

        pre = x_t W + h U;  z = sigmoid(pre + bg);  c = tanh(pre + bu)
        h   = z h + (sz (1 - z) + sn) c

    sz, sn are sigmoid(zeta), sigmoid(nu) as 1-element tensors. The N
    sequences are independent, so both passes walk them in blocks of CHUNK
    rows, all time steps of one block before the next block."""

    @staticmethod
    def forward(ctx, X, W, U, bg, bu, sz, sn, tag):
        T, N, D = X.shape
        Hd = W.shape[1]
        szf, snf = float(sz), float(sn)
        Z = _buffer(tag + ".z", (T, N, Hd), X)
        C = _buffer(tag + ".c", (T, N, Hd), X)
        HP = _buffer(tag + ".h", (T, N, Hd), X)      # HP[t] = state before step t
        out = X.new_empty(N, Hd)
        bg, bu = bg.reshape(-1), bu.reshape(-1)
        for a in range(0, N, CHUNK):
            b = min(N, a + CHUNK)
            xw = torch.matmul(X[:, a:b], W)                        # (T, n, Hd)
            HP[0, a:b].zero_()
            for t in range(T):
                z, c = Z[t, a:b], C[t, a:b]
                if t == 0:
                    c.copy_(xw[0])
                else:
                    torch.addmm(xw[t], HP[t, a:b], U, out=c)       # pre
                torch.add(c, bg, out=z).sigmoid_()
                c.add_(bu).tanh_()
                dst = HP[t + 1, a:b] if t + 1 < T else out[a:b]
                # h' = z (h - sz c) + (sz + sn) c
                torch.add(HP[t, a:b], c, alpha=-szf, out=dst)
                dst.mul_(z).add_(c, alpha=szf + snf)
        _GENERATION[tag] = ctx.generation = _GENERATION.get(tag, 0) + 1
        ctx.tag = tag
        ctx.buffers = (Z, C, HP)
        ctx.save_for_backward(X, W, U, sz, sn)
        return out

    @staticmethod
    def backward(ctx, gout):
        if REUSE_BUFFERS and ctx.generation != _GENERATION[ctx.tag]:
            raise RuntimeError("FastGRNNRun: another forward pass ran before this backward")
        X, W, U, sz, sn = ctx.saved_tensors
        T, N, D = X.shape
        Hd = W.shape[1]
        szf, snf = float(sz), float(sn)
        Z, C, HP = ctx.buffers
        need_x = ctx.needs_input_grad[0]
        need_s = ctx.needs_input_grad[5] or ctx.needs_input_grad[6]
        gX = X.new_empty(T, N, D) if need_x else None
        gW = X.new_zeros(D, Hd)
        gU = X.new_zeros(Hd, Hd)
        gbg = X.new_zeros(Hd)
        gbu = X.new_zeros(Hd)
        gsz = X.new_zeros(())
        gsn = X.new_zeros(())
        Ut = U.t()
        G = X.new_empty(T, min(N, CHUNK), Hd)
        ones = X.new_ones(min(N, CHUNK), Hd)
        gout = gout.contiguous()
        for a in range(0, N, CHUNK):
            b = min(N, a + CHUNK)
            n = b - a
            gh = gout[a:b].clone()
            for t in range(T - 1, -1, -1):
                z, c, hp = Z[t, a:b], C[t, a:b], HP[t, a:b]
                if need_s:
                    ghc = gh * c
                    gsn += ghc.sum()
                    gsz += ghc.sub_(ghc * z).sum()
                # dh/dz = hp - sz c;  dh/dc = (sz + sn) - sz z
                gz = torch.add(hp, c, alpha=-szf).mul_(gh)
                gz.mul_(torch.addcmul(z, z, z, value=-1.0))           # * z (1 - z)
                gc = torch.mul(z, -szf).add_(szf + snf).mul_(gh)
                gc.mul_(torch.addcmul(ones[:n], c, c, value=-1.0))    # * (1 - c^2)
                gbg += gz.sum(0)
                gbu += gc.sum(0)
                gpre = torch.add(gz, gc, out=G[t, :n])
                if t > 0:
                    gU.addmm_(hp.t(), gpre)
                    gh.mul_(z).addmm_(gpre, Ut)
            Gc = G[:, :n]
            Xc = X[:, a:b]
            gW += torch.matmul(Xc.transpose(1, 2), Gc).sum(0)
            if need_x:
                torch.matmul(Gc, W.t(), out=gX[:, a:b])
        return (gX, gW, gU, gbg.view(1, -1), gbu.view(1, -1),
                gsz.view_as(sz), gsn.view_as(sn), None)


def _run(cell, X, tag):
    return FastGRNNRun.apply(X, cell.W, cell.U, cell.bias_gate, cell.bias_update,
                             torch.sigmoid(cell.zeta), torch.sigmoid(cell.nu), tag)


def rnnpool_feature_map(rnn, x):
    """Differentiable twin of RNNPool.feature_map: (B, C, H, W) ->
    (B, 4*h2, oh+1, ow+1); same output layout and replicate padding."""
    B = x.shape[0]
    # (B, oh, ow, C, rows, cols) view of all 8x8 windows at stride 4
    win = x.permute(0, 2, 3, 1).unfold(1, PATCH, STRIDE).unfold(2, PATCH, STRIDE)
    oh, ow, Cin = win.shape[1], win.shape[2], win.shape[3]
    P = B * oh * ow
    S = PATCH
    # RNN1, one batch: every patch row (steps = columns), then every patch
    # column (steps = rows).
    rows_seq = win.permute(5, 0, 1, 2, 4, 3).reshape(S, P * S, Cin)
    cols_seq = win.permute(4, 0, 1, 2, 5, 3).reshape(S, P * S, Cin)
    summ = _run(rnn.cell_rnn.cell, torch.cat([rows_seq, cols_seq], 1), "rnn1")     # (2PS, h1)
    h1 = summ.shape[1]
    rows = summ[:P * S].view(P, S, h1).transpose(0, 1)                     # (S, P, h1)
    cols = summ[P * S:].view(P, S, h1).transpose(0, 1)
    # RNN2 (one shared cell): rows forward/backward, columns forward/backward.
    X2 = torch.cat([rows, rows.flip(0), cols, cols.flip(0)], 1)              # (S, 4P, h1)
    final = _run(rnn.cell_bidirrnn.cell, X2, "rnn2")                                # (4P, h2)
    out = final.view(4, B, oh, ow, -1).permute(1, 0, 4, 2, 3).reshape(B, -1, oh, ow)
    return F.pad(out, (0, 1, 0, 1), mode="replicate")


def forward_train(net, x):
    """Differentiable forward of an rnnpool_ref network; same outputs as
    net(x): loc (B, N*4) and conf (B, N*2) with head 0's background already
    maxed out. Also sets net.head_shapes."""
    sources = []

    def add_source(s):
        norm = net._l2norm(len(sources))
        sources.append(norm(s) if norm is not None else s)

    if net.stem_name:
        x = getattr(net, net.stem_name)(x)
        if "stem" in net.taps:
            add_source(x)
    x = rnnpool_feature_map(net.rnn_model, x)
    for k, block in enumerate(net.mob):
        x = block(x)
        if k in net.taps:
            add_source(x)
    d = net.head0_depth
    locs, confs = [], []
    for i, s in enumerate(sources):
        if i == 0:
            l, c = s, s
            for m in net.loc[:d]:
                l = m(l)
            for m in net.conf[:d]:
                c = m(c)
            bg = c[:, :BACKGROUND_LOGITS].max(dim=1, keepdim=True)[0]
            c = torch.cat([bg, c[:, BACKGROUND_LOGITS:]], dim=1)
        else:
            l, c = net.loc[i + d - 1](s), net.conf[i + d - 1](s)
        locs.append(l)
        confs.append(c)
    net.head_shapes = [tuple(l.shape[2:]) for l in locs]
    B = x.shape[0]
    loc = torch.cat([l.permute(0, 2, 3, 1).reshape(B, -1) for l in locs], 1)
    conf = torch.cat([c.permute(0, 2, 3, 1).reshape(B, -1) for c in confs], 1)
    return loc, conf


def build_trainable(arch=ARCH, seed=0):
    """rnnpool_ref network with a training initialisation: He-normal convs
    (fan-out, as torchvision's MobileNetV2), BN at 1/0, small head weights,
    FastGRNN W, U ~ 0.1 N(0, 1), biases 1, zeta/nu at EdgeML's 100/-100 and
    frozen (sigmoid -> 1 and 0; the paper fixes zeta = 1, nu = 0)."""
    g = torch.Generator().manual_seed(seed)
    net = build(arch)
    head_convs = set()
    for m in list(net.loc) + list(net.conf):
        for mm in m.modules():
            if isinstance(mm, nn.Conv2d) and mm.out_channels <= 4 + BACKGROUND_LOGITS:
                head_convs.add(mm)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                if m in head_convs:
                    m.weight.normal_(0, 0.01, generator=g)
                else:
                    fan_out = m.out_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
                    m.weight.normal_(0, (2.0 / fan_out) ** 0.5, generator=g)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.fill_(1)
                m.bias.zero_()
        for cell in (net.rnn_model.cell_rnn.cell, net.rnn_model.cell_bidirrnn.cell):
            cell.W.normal_(0, 0.1, generator=g)
            cell.U.normal_(0, 0.1, generator=g)
            cell.bias_gate.fill_(1)
            cell.bias_update.fill_(1)
            cell.zeta.fill_(100.0)
            cell.nu.fill_(-100.0)
            cell.zeta.requires_grad_(False)
            cell.nu.requires_grad_(False)
    return net.train()


def freeze_all_but(net, prefixes):
    """Only the parameters whose names start with one of `prefixes` train;
    none given: all do. Returns a prefix that names no parameter, else None."""
    if not prefixes:
        return None
    names = [n for n, _ in net.named_parameters()]
    for p in prefixes:
        if not any(n.startswith(p) for n in names):
            return p
    for name, p in net.named_parameters():
        p.requires_grad_(any(name.startswith(q) for q in prefixes))
    return None


def set_train_mode(net, prefixes):
    """Training mode, except the BatchNorms of frozen parts (freeze_all_but),
    whose running statistics must stay those the frozen weights learnt with."""
    net.train()
    if prefixes:
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d) and not any(p.requires_grad for p in m.parameters()):
                m.eval()
    return net
