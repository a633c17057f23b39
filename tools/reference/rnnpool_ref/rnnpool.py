"""RNNPool: summarises each patch into 4*h2 numbers with two FastGRNNs.

RNN1 (input -> h1) runs along every row (left to right) and down every column
(top to bottom) of the patch. RNN2 (h1 -> h2, one shared cell for both
directions) then runs forward and backward over the row summaries (top to
bottom) and over the column summaries (left to right). The output is the
concatenation [rows fwd, rows bwd, cols fwd, cols bwd] of RNN2's final states.

All patches, rows, columns and directions go through each cell as one batch,
so the only Python loop is over the (few) time steps.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .fastgrnn import FastGRNN, fastgrnn_last_state


def _run(cell, fill_input, steps, batch):
    return fastgrnn_last_state(fill_input, steps, batch, cell["U"], cell["b_gate"],
                               cell["b_update"], cell["s_zeta"], cell["s_nu"])


def rnnpool_projected(win, rnn1, rnn2):
    """win (*lead, h1, S, S): square patches whose pixels are already
    multiplied by RNN1's W (may be a strided view). Returns (*lead, 4*h2).

    RNN1's input term x W depends only on the pixel, not on the patch or the
    pass, so callers project each pixel once (8x8 patches at stride 4 overlap
    fourfold, and each pixel is used by a row and a column pass).
    rnn1 and rnn2 are FastGRNNCell.params() dicts. EdgeML's RNNPool sizes
    its column-pass state by the row count, so only square patches work.
    """
    lead, S = win.shape[:-3], win.shape[-1]
    if win.shape[-2] != S:
        raise ValueError("RNNPool needs square patches, got %s" % (tuple(win.shape[-2:]),))
    P = win[..., 0, 0, 0].numel()

    # RNN1 batch: every (patch, row) sequence, then every (patch, column).
    # Step t reads column t of every row, and row t of every column.
    def rnn1_input(t, out):
        out[:P * S].view(*lead, S, -1).copy_(win[..., t].transpose(-1, -2))
        out[P * S:].view(*lead, S, -1).copy_(win[..., t, :].transpose(-1, -2))

    summaries = _run(rnn1, rnn1_input, S, 2 * P * S)
    rows = torch.matmul(summaries[:P * S].view(P, S, -1), rnn2["W"])   # (P, S, h2)
    cols = torch.matmul(summaries[P * S:].view(P, S, -1), rnn2["W"])

    # RNN2 batch, P sequences each: rows fwd, rows bwd, cols fwd, cols bwd.
    def rnn2_input(t, out):
        out = out.view(4, P, -1)
        out[0].copy_(rows[:, t])
        out[1].copy_(rows[:, S - 1 - t])
        out[2].copy_(cols[:, t])
        out[3].copy_(cols[:, S - 1 - t])

    final = _run(rnn2, rnn2_input, S, 4 * P).view(4, P, -1)
    return final.permute(1, 0, 2).reshape(*lead, -1)


def rnnpool_patches(patches, rnn1, rnn2):
    """patches (*lead, C, R, K) -> (*lead, 4*h2)."""
    xw = torch.matmul(patches.movedim(-3, -1), rnn1["W"])     # (*lead, R, K, h1)
    return rnnpool_projected(xw.movedim(-1, -3), rnn1, rnn2)


class RNNPool(nn.Module):
    """Holds RNN1 (`cell_rnn`) and RNN2 (`cell_bidirrnn`) under EdgeML's names."""

    def __init__(self, input_dims, hidden1, hidden2):
        super().__init__()
        self.cell_rnn = FastGRNN(input_dims, hidden1)
        self.cell_bidirrnn = FastGRNN(hidden1, hidden2, bidirectional=True)
        self.out_channels = 4 * hidden2

    def forward(self, patches):
        """patches (*lead, C, R, K) -> (*lead, 4*h2)."""
        return rnnpool_patches(patches, self.cell_rnn.cell.params(),
                               self.cell_bidirrnn.cell.params())

    def feature_map(self, x, patch=8, stride=4):
        """(B, C, H, W) -> (B, 4*h2, oh+1, ow+1) as the face models use it.

        Patches are taken with no padding (oh = (H-8)//4 + 1), so the map
        comes out one short of H/4; EdgeML then repeats the last row and
        column.
        """
        rnn1 = self.cell_rnn.cell.params()
        xw = torch.matmul(x.permute(0, 2, 3, 1), rnn1["W"])      # (B, H, W, h1)
        # Windows as a view: (B, oh, ow, h1, patch rows, patch cols).
        win = xw.unfold(1, patch, stride).unfold(2, patch, stride)
        out = rnnpool_projected(win, rnn1, self.cell_bidirrnn.cell.params())
        return F.pad(out.permute(0, 3, 1, 2), (0, 1, 0, 1), mode="replicate")
