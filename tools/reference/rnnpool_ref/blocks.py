"""Building blocks shared by the four networks, with EdgeML's submodule
indices (they are part of the checkpoint key names)."""

import torch
import torch.nn as nn


def conv_bn_relu6(cin, cout, kernel=3, stride=1, groups=1):
    """Keys: .0 conv (no bias), .1 BatchNorm; padding keeps 'same' size."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU6(),
    )


class InvertedResidual(nn.Module):
    """MobileNetV2 block: [1x1 expand + BN + ReLU6] (absent when t == 1),
    3x3 depthwise + BN + ReLU6, 1x1 project + BN; residual add only when the
    stride is 1 and the channel count is unchanged."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = int(round(cin * expand))
        layers = [] if expand == 1 else [conv_bn_relu6(cin, hidden, kernel=1)]
        layers += [conv_bn_relu6(hidden, hidden, stride=stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, 1, 0, bias=False),
                   nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.residual else y


def mobilenet_blocks(cin, setting):
    """Expands (t, c, n, s) rows into blocks; only the first of n has stride s.
    All channel counts used by the face models are already multiples of 8,
    so MobileNetV2's rounding changes nothing here."""
    blocks = []
    for t, c, n, s in setting:
        for i in range(n):
            blocks.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
            cin = c
    return blocks


class L2Norm(nn.Module):
    """Per-position L2 normalisation over channels, times a learned
    per-channel scale. The epsilon is added to the norm, not under the root."""

    def __init__(self, channels, scale):
        super().__init__()
        self.weight = nn.Parameter(torch.full((channels,), float(scale)))

    def forward(self, x):
        norm = x.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10
        return self.weight.view(1, -1, 1, 1) * (x / norm)
