"""EdgeML eval.py's input pipeline: picture -> network input tensor."""

import cv2
import numpy as np
import torch

MEAN_BGR = np.array([104.0, 117.0, 123.0], dtype=np.float32)
AREAS = {"vga": 640 * 480, "qvga": 320 * 240}


def load_rgb(path):
    """H x W x 3 uint8 RGB (eval.py opens with PIL and converts to RGB)."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise IOError("cannot read image %s" % path)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def resize(img, area="vga", size=None):
    """Either to an explicit size=(W, H), or scaled by one factor so that the
    picture's area becomes the VGA/QVGA area (aspect ratio kept). Both use
    bilinear interpolation; the scale-factor form passes fx=fy to OpenCV as
    eval.py does, which sets the sampling grid from the factor itself (not
    from the rounded output size)."""
    if size is not None:
        return cv2.resize(img, tuple(size), interpolation=cv2.INTER_LINEAR)
    shrink = float(np.sqrt(AREAS[area] / (img.shape[0] * img.shape[1])))
    return cv2.resize(img, None, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_LINEAR)


def to_input(img_rgb, channels):
    """uint8 RGB (H, W, 3) -> float32 (1, channels, H, W).

    Mean subtraction happens in BGR order, then the planes go back to RGB;
    no scaling. One-channel models take 0.299 R + 0.587 G + 0.114 B of the
    mean-subtracted planes (so the grey input is centred too)."""
    bgr = img_rgb[:, :, ::-1].transpose(2, 0, 1).astype(np.float32)
    bgr -= MEAN_BGR[:, None, None]
    r, g, b = bgr[2], bgr[1], bgr[0]
    if channels == 1:
        x = (0.299 * r + 0.587 * g + 0.114 * b)[None]
    else:
        x = np.stack([r, g, b])
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))[None]


def load_input(path, channels, area="vga", size=None):
    return to_input(resize(load_rgb(path), area, size), channels)
