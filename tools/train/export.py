#!/usr/bin/python3
"""Exports a train.py checkpoint as the project's native model file.

    /usr/bin/python3 tools/train/export.py tools/train/checkpoints/rpool_face_m4.best.pt \\
        -o rpool_face_m4.safetensors [--check [--engine build/app/rnnpool]]

The file holds every tensor of the network's state dict as F32 under
EdgeML's keys (the keys rnnpool_ref's state_dict has, shared-cell aliases
included), with the metadata the C++ engine reads:
  format            rnnpool-studio
  rnnpool.arch      the checkpoint's architecture (RPool_Face_M4 or RPool_Face_M4_Webcam)
  rnnpool.arch_spec its resources/architectures/*.json (--spec overrides), re-dumped compactly
  rnnpool.source    provenance: this exporter, the checkpoint, epoch, data, validation numbers
  rnnpool.pyramid_levels
                    the image pyramid the engine runs by default (--pyramid-levels, default 3:
                    the recipe's models are made to find a webcam's large faces that way)
--source overrides the provenance string.

--check: loads the written file back into rnnpool_ref (strict keys) and,
when the engine binary exists, runs `rnnpool run --model OUT --tensor X.npy
--dump DIR` on a picture-like input and compares its loc/conf with
PyTorch's: passes when they agree within --tol (1e-4), or, for weights whose
float32 results are themselves further than that from float64 ones, when the
engine is no further from PyTorch's float64 result than twice PyTorch's own
float32 error.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))

from rnnpool_ref import build, load_checkpoint  # noqa: E402
from rnnpool_ref.safetensors_io import write_safetensors  # noqa: E402

ARCH = "RPool_Face_M4"   # what checkpoints written before train.py's --arch hold
SPECS = {a: os.path.join(ROOT, "resources", "architectures", f) for a, f in (
    ("RPool_Face_M4", "rpool_face_m4.json"), ("RPool_Face_M4_Webcam", "rpool_face_m4_webcam.json"))}
ENGINE = os.path.join(ROOT, "build", "app", "rnnpool")  # the README's build (tools/setup.sh build)


def load_trained(path):
    """(network in eval mode, checkpoint dict) from a train.py checkpoint."""
    ck = torch.load(path, map_location="cpu")
    arch = ck.get("arch", ARCH)
    if arch not in SPECS:
        raise SystemExit("%s: architecture %s, expected one of %s" % (path, arch, ", ".join(SPECS)))
    net = build(arch)
    net.load_state_dict(ck["model"], strict=True)
    return net.eval(), ck


def provenance(path, ck):
    parts = ["tools/train/export.py from %s" % os.path.basename(path)]
    if "epoch" in ck:
        # best.pt stores the epoch it was taken at; last.pt the next epoch to run
        done = ck["epoch"] + 1 if "val" in ck else ck["epoch"]
        parts.append("%d epoch(s)" % done)
    split_path = ck.get("args", {}).get("split", os.path.join(HERE, "split.json"))
    try:
        with open(split_path) as f:
            split = json.load(f)
        events = "%d events, %d held out" % (len(split["train_events"]), len(split["val_events"]))
    except (OSError, ValueError, KeyError):
        events = "split unknown"
    parts.append("trained on WIDER FACE validation pictures (%s; non-commercial research terms)" % events)
    v = ck.get("val")
    if v:
        parts.append("held-out loss %.4f, AP@0.5 (faces >= 20 px) %.4f" % (v["loss"], v["ap"]))
    return "; ".join(parts)


def export(net, out, source, pyramid_levels=3, spec_path=None):
    with open(spec_path or SPECS[net.arch]) as f:
        spec = json.load(f)
    meta = {"format": "rnnpool-studio", "rnnpool.arch": net.arch,
            "rnnpool.arch_spec": json.dumps(spec, separators=(",", ":")),
            "rnnpool.source": source, "rnnpool.pyramid_levels": str(pyramid_levels)}
    # every key of the state dict, all as F32 (BatchNorm's int64
    # num_batches_tracked too: the engine ignores it, strict loaders want it)
    tensors = {k: v.detach().to(torch.float32).contiguous() for k, v in net.state_dict().items()}
    write_safetensors(out, tensors, meta)
    return tensors


def check(net, out, engine, tol, seed=0):
    """Reload check, then C++ engine vs PyTorch on one input."""
    net2 = build(net.arch)
    load_checkpoint(net2, out)
    for (k, a), b in zip(net.state_dict().items(), net2.state_dict().values()):
        if not torch.equal(a, b):
            raise SystemExit("reload mismatch at %s" % k)
    print("reload: all tensors equal (strict keys)")
    if not os.path.exists(engine):
        print("engine %s not found: C++ comparison skipped" % engine)
        return True
    # picture-like input: smooth random field in the mean-subtracted range
    g = torch.Generator().manual_seed(seed)
    x = torch.nn.functional.interpolate(torch.rand(1, 1, 30, 40, generator=g) * 255 - 117,
                                        size=(240, 320), mode="bilinear", align_corners=False)
    x = x + torch.randn(1, 1, 240, 320, generator=g) * 8
    with torch.no_grad():
        loc, conf = net(x)
        net64 = build(net.arch)
        net64.load_state_dict(net.state_dict())
        loc64, conf64 = net64.double()(x.double())
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        npy = os.path.join(tmp, "x.npy")
        np.save(npy, x.numpy().astype(np.float32))
        dump = os.path.join(tmp, "dump")
        r = subprocess.run([engine, "run", "--model", out, "--tensor", npy, "--dump", dump],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            raise SystemExit("engine failed (exit %d)" % r.returncode)
        files = {os.path.basename(p): p for p in glob.glob(os.path.join(dump, "*.npy"))}
        for name, ref, ref64 in (("loc", loc, loc64), ("conf", conf, conf64)):
            if name + ".npy" not in files:
                raise SystemExit("engine dump has no %s.npy (has %s)" % (name, sorted(files)))
            got = torch.from_numpy(np.load(files[name + ".npy"]).astype(np.float32)).reshape(-1)
            ref, ref64 = ref.reshape(-1), ref64.reshape(-1)
            if got.numel() != ref.numel():
                raise SystemExit("%s: engine gives %d numbers, PyTorch %d" % (name, got.numel(), ref.numel()))
            err = float((got - ref).abs().max())
            err64 = float((got.double() - ref64).abs().max())
            noise = float((ref.double() - ref64).abs().max())
            # Pass: the engine agrees with PyTorch float32 within tol, or,
            # where float32 itself is that far from float64 (BatchNorm with a
            # tiny running variance amplifies rounding), the engine is no
            # further from the float64 result than 2x PyTorch float32 is.
            passed = err <= tol or err64 <= max(tol, 2 * noise)
            print("%s: C++ engine vs PyTorch f32 max abs error %.3g; vs PyTorch f64 %.3g "
                  "(PyTorch f32 vs f64 %.3g; %d values, |ref| max %.3g) %s"
                  % (name, err, err64, noise, ref.numel(), float(ref.abs().max()),
                     "ok" if passed else "FAIL"))
            ok &= passed
    return ok


def main():
    ap = argparse.ArgumentParser(description="train.py checkpoint -> native .safetensors model")
    ap.add_argument("ckpt")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--source", help="provenance string (default: made from the checkpoint)")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--engine", default=ENGINE)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--pyramid-levels", type=int, choices=(1, 2, 3, 4), default=3,
                    help="the image pyramid `rnnpool` runs the model as by default (1: the input alone)")
    ap.add_argument("--spec", help="architecture JSON (default: the checkpoint's own in resources/architectures)")
    a = ap.parse_args()
    net, ck = load_trained(a.ckpt)
    source = a.source or provenance(a.ckpt, ck)
    tensors = export(net, a.out, source, a.pyramid_levels, a.spec)
    print("wrote %s: %d tensors, %d bytes" % (a.out, len(tensors), os.path.getsize(a.out)))
    print("rnnpool.source = %s" % source)
    if a.check and not check(net, a.out, a.engine, a.tol):
        raise SystemExit("check FAILED (tolerance %g)" % a.tol)


if __name__ == "__main__":
    main()
