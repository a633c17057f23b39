"""FastGRNN cell and the module layout EdgeML checkpoints expect.

Step (h starts at 0):
    pre = x W + h U          W is (input x hidden), U is (hidden x hidden)
    z   = sigmoid(pre + b_gate)
    c   = tanh(pre + b_update)
    h   = z * h + (sigmoid(zeta) * (1 - z) + sigmoid(nu)) * c
"""

import torch
import torch.nn as nn


@torch.no_grad()   # inference only: the buffers below are updated in place
def fastgrnn_last_state(fill_input, steps, batch, U, b_gate, b_update, s_zeta, s_nu):
    """Runs FastGRNN for `steps` steps over `batch` sequences; returns the
    final hidden state (batch, hidden).

    fill_input(t, out) writes the input projections x_t W of step t into out
    (batch, hidden); callers gather them straight from strided views, so no
    (time x batch x hidden) copy is ever made. s_zeta and s_nu are
    sigmoid(zeta) and sigmoid(nu), taken as inputs so that weights given
    already through the sigmoid (EdgeML's C reference) fit too.

    The batch is large (every row and column of every patch), so three
    buffers are reused across steps: fresh multi-megabyte tensors per
    operation cost more than the arithmetic.
    """
    hidden = U.shape[0]
    h = U.new_zeros(batch, hidden)
    pre = U.new_empty(batch, hidden)
    z = U.new_empty(batch, hidden)
    for t in range(steps):
        fill_input(t, pre)
        if t > 0:   # h starts at zero: no recurrent term on the first step
            pre.addmm_(h, U)
        torch.add(pre, b_gate, out=z).sigmoid_()
        c = pre.add_(b_update).tanh_()
        h.mul_(z)
        mix = z.neg_().add_(1.0).mul_(s_zeta).add_(s_nu)   # sigmoid(zeta)(1-z) + sigmoid(nu)
        h.add_(c.mul_(mix))
    return h


class FastGRNNCell(nn.Module):
    """Holds one set of FastGRNN weights; parameter names match EdgeML."""

    # RNNPool creates its cells with zeta=100, nu=-100 (FastGRNN's own
    # defaults are 1 and -4); only matters for untrained weights.
    def __init__(self, input_size, hidden_size, zeta_init=100.0, nu_init=-100.0):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        # Registration order fixes the state-dict order: W, U, biases, zeta, nu.
        self.W = nn.Parameter(0.1 * torch.randn(input_size, hidden_size))
        self.U = nn.Parameter(0.1 * torch.randn(hidden_size, hidden_size))
        self.bias_gate = nn.Parameter(torch.ones(1, hidden_size))
        self.bias_update = nn.Parameter(torch.ones(1, hidden_size))
        self.zeta = nn.Parameter(torch.full((1, 1), float(zeta_init)))
        self.nu = nn.Parameter(torch.full((1, 1), float(nu_init)))

    def params(self):
        """Weights as fastgrnn_last_state and RNNPool take them."""
        return {"W": self.W, "U": self.U, "b_gate": self.bias_gate,
                "b_update": self.bias_update,
                "s_zeta": torch.sigmoid(self.zeta), "s_nu": torch.sigmoid(self.nu)}


class _CellAliases(nn.Module):
    """EdgeML's unroller keeps the very same cell object under the names
    RNNCell (and RNNCell_reverse when bidirectional and shared), so checkpoints
    list each weight two or three times. Registering the one cell again here
    reproduces those keys while keeping a single set of weights."""

    def __init__(self, cell, bidirectional):
        super().__init__()
        self.RNNCell = cell
        if bidirectional:
            self.RNNCell_reverse = cell


class FastGRNN(nn.Module):
    """Container with EdgeML's key layout: `cell.*`, `unrollRNN.RNNCell.*`
    and, for the shared bidirectional RNN, `unrollRNN.RNNCell_reverse.*`."""

    def __init__(self, input_size, hidden_size, bidirectional=False):
        super().__init__()
        self.cell = FastGRNNCell(input_size, hidden_size)
        self.unrollRNN = _CellAliases(self.cell, bidirectional)
