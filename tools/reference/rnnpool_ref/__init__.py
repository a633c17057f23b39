"""Independent PyTorch reference for the RNNPool face detectors of EdgeML.

The networks here load EdgeML checkpoints unchanged (identical state-dict keys)
and reproduce EdgeML's outputs; they are used to check the C++ engine.
"""

from .models import ARCHS, build
from .checkpoint import load_checkpoint, read_state_dict
from .detect import CONFIGS, detect, prior_boxes

__all__ = ["ARCHS", "build", "load_checkpoint", "read_state_dict",
           "CONFIGS", "detect", "prior_boxes"]
