"""Minimal reader/writer for the .safetensors format (the safetensors
package is not available here).

Layout: u64 little-endian N, then N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, ..., optional
"__metadata__": {str: str}}, then the raw little-endian tensor bytes; offsets
are relative to the end of the header.
"""

import json
import struct

import numpy as np
import torch

_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16,
    "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32,
    "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
_NAMES = {v: k for k, v in _DTYPES.items()}
# numpy has no bfloat16: its bytes travel as int16.
_NUMPY_CARRIER = {torch.bfloat16: torch.int16}


def _to_bytes(t):
    t = t.detach().cpu().contiguous()
    a = t.view(_NUMPY_CARRIER.get(t.dtype, t.dtype)).numpy()
    return a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: tensor}; metadata: {str: str} or None."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        if t.dtype not in _NAMES:
            raise TypeError("%s: dtype %s not supported" % (name, t.dtype))
        blob = _to_bytes(t)
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)   # keeps the data 8-byte aligned, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Returns ({name: tensor}, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: too short for a safetensors file" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError("%s: header length %d runs past the end of the file" % (path, n))
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = memoryview(raw)[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError("%s: unsupported dtype %s" % (name, info["dtype"]))
        begin, end = info["data_offsets"]
        shape = [int(s) for s in info["shape"]]
        carrier = _NUMPY_CARRIER.get(dtype, dtype)
        itemsize = torch.empty(0, dtype=carrier).element_size()
        if not 0 <= begin <= end <= len(data) or end - begin != itemsize * int(np.prod(shape)):
            raise ValueError("%s: data_offsets %s do not fit shape %s" % (name, [begin, end], shape))
        np_dtype = torch.empty(0, dtype=carrier).numpy().dtype.newbyteorder("<")
        a = np.frombuffer(data[begin:end], dtype=np_dtype).reshape(shape)
        t = torch.from_numpy(a.astype(a.dtype.newbyteorder("="), copy=True))
        tensors[name] = t.view(dtype) if carrier is not dtype else t
    return tensors, metadata
