"""The four RNNPool face detectors (S3FD-style heads on a MobileNetV2 trunk).

Data flow: [stem] -> RNNPool over 8x8 patches at stride 4 -> replicate-pad
1 row/col at bottom/right -> inverted-residual blocks. Sources are tapped
after given blocks (the first three through L2Norm), each feeds a loc head
(4 numbers per cell) and a conf head (2 per cell; head 0 predicts 3
background logits and keeps only their max).
"""

import torch
import torch.nn as nn

from .blocks import L2Norm, conv_bn_relu6, mobilenet_blocks
from .rnnpool import RNNPool

# taps: where each source is taken: "stem" or the index of the block after
# which it is taken. heads: (channels, kernel) of each source's heads.
ARCHS = {
    "RPool_Face_M4": dict(
        config="qvga", in_ch=1, stem="conv", rnn=(4, 16, 16),
        blocks=[(2, 32, 1, 1), (2, 32, 1, 1), (2, 64, 1, 2), (2, 64, 1, 1)],
        taps=[0, 1, 2, 3],
        heads=[(32, 3), (32, 3), (64, 3), (64, 3)]),
    # Ours, not EdgeML's: RPool_Face_M4 plus a fifth block at stride 32 and a
    # head with 96 px anchors, for the large faces before a webcam.
    "RPool_Face_M4_Webcam": dict(
        config="qvga_webcam", in_ch=1, stem="conv", rnn=(4, 16, 16),
        blocks=[(2, 32, 1, 1), (2, 32, 1, 1), (2, 64, 1, 2), (2, 64, 1, 1), (2, 64, 1, 2)],
        taps=[0, 1, 2, 3, 4],
        heads=[(32, 3), (32, 3), (64, 3), (64, 3), (64, 3)]),
    "RPool_Face_QVGA_monochrome": dict(
        config="qvga", in_ch=1, stem="conv", rnn=(4, 16, 16),
        blocks=[(2, 32, 4, 1), (2, 32, 4, 1), (2, 96, 3, 2), (2, 128, 3, 1)],
        taps=[3, 7, 10, 13],
        heads=[(32, 3), (32, 3), (96, 3), (128, 3)]),
    "RPool_Face_Quant": dict(
        config="vga", in_ch=3, stem="conv_top", rnn=(4, 8, 8),
        blocks=[(2, 16, 4, 1), (2, 24, 4, 2), (2, 32, 2, 2), (2, 64, 1, 2), (2, 96, 1, 2)],
        taps=["stem", 3, 7, 9, 10, 11],
        heads=[(4, 3), (16, 3), (24, 3), (32, 3), (64, 3), (96, 3)]),
    "RPool_Face_C": dict(
        config="vga", in_ch=3, stem=None, rnn=(3, 16, 16),
        blocks=[(1, 24, 1, 1), (6, 24, 1, 1), (6, 32, 3, 2), (6, 64, 4, 2),
                (6, 96, 3, 2), (6, 160, 2, 2), (6, 320, 1, 2)],
        taps=[1, 4, 8, 11, 13, 14],
        heads=[(24, 5), (32, 5), (64, 5), (96, 1), (160, 1), (320, 3)]),
}

L2NORM_NAMES = ["L2Norm3_3", "L2Norm4_3", "L2Norm5_3"]
L2NORM_SCALES = [10, 8, 5]
BACKGROUND_LOGITS = 3   # head 0's "max-out background" classes


def _stem(kind, in_ch):
    if kind == "conv":
        return conv_bn_relu6(in_ch, 4, stride=2)
    # RPool_Face_Quant: two conv stages, the second at stride 1.
    return nn.Sequential(conv_bn_relu6(in_ch, 4, stride=2), conv_bn_relu6(4, 4))


def _head(cin, cout, kernel):
    return nn.Conv2d(cin, cout, kernel, padding=(kernel - 1) // 2)


class RPoolFace(nn.Module):
    def __init__(self, name, spec):
        super().__init__()
        self.arch = name
        self.config = spec["config"]
        self.in_channels = spec["in_ch"]
        self.taps = spec["taps"]
        # Attribute creation order = state-dict key order, kept as in EdgeML.
        self.stem_name = spec["stem"]
        if self.stem_name:
            self.add_module(self.stem_name, _stem(self.stem_name, spec["in_ch"]))
        rin, h1, h2 = spec["rnn"]
        self.rnn_model = RNNPool(rin, h1, h2)
        self.mob = nn.ModuleList(mobilenet_blocks(4 * h2, spec["blocks"]))
        for i, name_ in enumerate(L2NORM_NAMES):
            self.add_module(name_, L2Norm(spec["heads"][i][0], L2NORM_SCALES[i]))

        loc, conf = [], []
        # RPool_Face_Quant taps head 0 at stride 2, so both of its head-0
        # branches start with a stride-2 conv stage. It occupies its own index,
        # which shifts every later head by one (loc.1 is head 0's last conv).
        self.head0_depth = 2 if self.stem_name == "conv_top" else 1
        for i, (cin, k) in enumerate(spec["heads"]):
            n_conf = BACKGROUND_LOGITS + 1 if i == 0 else 2
            if i == 0 and self.head0_depth == 2:
                loc.append(conv_bn_relu6(cin, 8, stride=2))
                conf.append(conv_bn_relu6(cin, 8, stride=2))
                cin = 8
            loc.append(_head(cin, 4, k))
            conf.append(_head(cin, n_conf, k))
        self.loc = nn.ModuleList(loc)
        self.conf = nn.ModuleList(conf)
        self.head_shapes = []   # (h, w) of each head's output after a forward

    def _l2norm(self, i):
        return getattr(self, L2NORM_NAMES[i]) if i < len(L2NORM_NAMES) else None

    def _add_source(self, sources, x):
        norm = self._l2norm(len(sources))
        sources.append(norm(x) if norm is not None else x)

    @torch.no_grad()   # a reference for inference; RNNPool works in place
    def forward(self, x, return_stages=False):
        """x (B, C, H, W) -> loc (B, N*4), conf (B, N*2) [, stages].

        Each head's output is laid out H, W, C and the heads are concatenated
        in order, which is how priors are numbered too.
        """
        stages = {}
        sources = []
        if self.stem_name:
            # For RPool_Face_Quant the 'stem' stage is both conv stages.
            x = getattr(self, self.stem_name)(x)
            stages["stem"] = x
            if "stem" in self.taps:
                self._add_source(sources, x)
        x = self.rnn_model.feature_map(x)
        stages["rnnpool"] = x
        for k, block in enumerate(self.mob):
            x = block(x)
            stages["block%d" % k] = x
            if k in self.taps:
                self._add_source(sources, x)

        locs, confs = [], []
        d = self.head0_depth
        for i, s in enumerate(sources):
            if i == 0:
                l, c = s, s
                for m in self.loc[:d]:
                    l = m(l)
                for m in self.conf[:d]:
                    c = m(c)
                bg = c[:, :BACKGROUND_LOGITS].max(dim=1, keepdim=True)[0]
                c = torch.cat([bg, c[:, BACKGROUND_LOGITS:]], dim=1)
            else:
                l, c = self.loc[i + d - 1](s), self.conf[i + d - 1](s)
            locs.append(l)
            confs.append(c)
        self.head_shapes = [tuple(l.shape[2:]) for l in locs]
        B = x.shape[0]
        loc = torch.cat([l.permute(0, 2, 3, 1).reshape(B, -1) for l in locs], 1)
        conf = torch.cat([c.permute(0, 2, 3, 1).reshape(B, -1) for c in confs], 1)
        return (loc, conf, stages) if return_stages else (loc, conf)


def build(arch):
    """The named network in eval mode, with random weights (load a checkpoint
    with checkpoint.load_checkpoint)."""
    if arch not in ARCHS:
        raise ValueError("unknown architecture %r (known: %s)" % (arch, ", ".join(ARCHS)))
    return RPoolFace(arch, ARCHS[arch]).eval()
