"""Loading EdgeML face-model checkpoints (and .safetensors) into the models.

EdgeML files come in several shapes, all handled here:
  * a bare state dict, or {"epoch", "weight": state dict} as train.py saves;
  * keys prefixed "module." (saved from nn.DataParallel);
  * PyTorch's zip format or the legacy pickle format, tensors on CUDA or CPU;
  * FastGRNN weights in the pre-April-2020 layout (W hidden x input and
    pre = x W^T + h U^T), converted to today's x W + h U by transposing W and U;
  * missing aliases of a shared FastGRNN cell (e.g. no RNNCell_reverse.*),
    filled from whichever alias is present.
"""

import warnings

import torch

from .safetensors_io import read_safetensors, write_safetensors

RNN_CELLS = {"rnn_model.cell_rnn": False, "rnn_model.cell_bidirrnn": True}   # -> bidirectional
CELL_PARAMS = ("W", "U", "bias_gate", "bias_update", "zeta", "nu")


def _aliases(bidirectional):
    names = ["cell.", "unrollRNN.RNNCell."]
    return names + ["unrollRNN.RNNCell_reverse."] if bidirectional else names


def read_state_dict(path):
    """Returns (flat state dict, metadata dict) exactly as stored."""
    if str(path).endswith(".safetensors"):
        return read_safetensors(path)
    obj = torch.load(path, map_location="cpu")
    meta = {}
    if isinstance(obj, dict) and "weight" in obj and isinstance(obj["weight"], dict):
        meta = {k: str(v) for k, v in obj.items() if k != "weight"}
        obj = obj["weight"]
    elif isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    return dict(obj), meta


def normalize_state_dict(sd, old_layout=None):
    """EdgeML state dict in any of the variants above -> today's layout with
    every alias present. old_layout None means detect it: RNN1's W is
    (input x hidden) today and (hidden x input) before; they differ whenever
    input != hidden, which holds for all four face models.
    Returns (state dict, notes list)."""
    notes = []
    if sd and all(k.startswith("module.") for k in sd):
        sd = {k[len("module."):]: v for k, v in sd.items()}
        notes.append("stripped 'module.' prefixes")
    sd = dict(sd)

    filled = []
    for cell, bidir in RNN_CELLS.items():
        for p in CELL_PARAMS:
            names = [cell + "." + a + p for a in _aliases(bidir)]
            present = [n for n in names if n in sd]
            if not present:
                continue
            ref = sd[present[0]]
            if any(not torch.equal(sd[n], ref) for n in present[1:]):
                warnings.warn("%s.%s: aliases of one shared cell hold different values" % (cell, p))
            for n in names:
                if n not in sd:
                    sd[n] = ref.clone()
                    if n[:-len(p)] + "*" not in filled:
                        filled.append(n[:-len(p)] + "*")
    if filled:
        notes.append("filled missing aliases of shared cells: " + ", ".join(filled))

    if old_layout is None:
        W = sd.get("rnn_model.cell_rnn.cell.W")
        U = sd.get("rnn_model.cell_rnn.cell.U")
        old_layout = (W is not None and U is not None and W.shape[0] != W.shape[1]
                      and W.shape[0] == U.shape[0])
    if old_layout:
        for cell, bidir in RNN_CELLS.items():
            for a in _aliases(bidir):
                for p in ("W", "U"):
                    key = cell + "." + a + p
                    if key in sd:
                        sd[key] = sd[key].t().contiguous()
        notes.append("converted FastGRNN W and U from the old (hidden x input) layout")
    return sd, notes


def load_checkpoint(model, path, old_layout=None):
    """Loads path (.pth/.pt/.safetensors) into model with strict key
    checking. Returns (notes, metadata)."""
    sd, meta = read_state_dict(path)
    sd, notes = normalize_state_dict(sd, old_layout)
    model.load_state_dict(sd, strict=True)
    return notes, meta


def save_safetensors(model, path, extra_metadata=None):
    """Writes the model's full state dict (aliases included, so that strict
    loading works on it too) with its architecture in the metadata."""
    meta = {"arch": getattr(model, "arch", ""), "format": "pt"}
    meta.update(extra_metadata or {})
    write_safetensors(path, model.state_dict(), meta)
