#!/usr/bin/env python3
"""Times the reference network's forward pass (input tensor -> loc/conf; no
pre-processing, priors, decoding or NMS) and prints the median over runs.

With --serve it is the peer of `rnnpool bench --pytorch`: after building the
model and the warm-up runs it prints one JSON line ({"ready": true, ...}),
then times one forward pass per line read from stdin and answers each with
{"ms": wall, "cpu_ms": process CPU}; it exits at the end of its input."""

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rnnpool_ref import ARCHS, build                  # noqa: E402
from rnnpool_ref.checkpoint import load_checkpoint     # noqa: E402

DEFAULT_SIZE = {"qvga": (320, 240), "vga": (640, 480)}
SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources", "architectures")


def _key(name):
    return name.lower().replace("-", "_")


def reference_name(arch):
    """The EdgeML name of the reference model for `arch`, which may be any name
    or alias of a spec in resources/architectures (e.g. rnnpool-face-m4)."""
    if arch in ARCHS:
        return arch
    for file in sorted(os.listdir(SPEC_DIR)):
        if not file.endswith(".json"):
            continue
        with open(os.path.join(SPEC_DIR, file)) as f:
            spec = json.load(f)
        names = [spec.get("name", "")] + list(spec.get("aliases", []))
        if _key(arch) in {_key(n) for n in names}:
            for n in names:
                if n in ARCHS:
                    return n
            break
    sys.exit("bench.py: no PyTorch reference for '%s'; there is one for %s"
             % (arch, ", ".join(sorted(ARCHS))))


def _has_spec_reference(arch):
    try:
        reference_name(arch)
        return True
    except SystemExit:
        return False


def timed_forward(model, x):
    """(wall ms, process CPU ms) of one forward pass."""
    t0, c0 = time.perf_counter(), time.process_time()
    model(x)
    return (time.perf_counter() - t0) * 1000.0, (time.process_time() - c0) * 1000.0


def serve(model, x, args, w, h):
    with torch.no_grad():
        for _ in range(args.warmup):
            model(x)
        print(json.dumps({"ready": True, "arch": args.arch, "width": w, "height": h,
                          "threads": args.threads, "torch_version": torch.__version__}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            ms, cpu_ms = timed_forward(model, x)
            print(json.dumps({"ms": round(ms, 4), "cpu_ms": round(cpu_ms, 4)}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", required=True,
                    help="a reference model (%s) or any name of its spec" % ", ".join(sorted(ARCHS)))
    ap.add_argument("--weights", help=".pth or .safetensors; default: random weights (seed 0)")
    ap.add_argument("--size", help="WxH; default 320x240 for QVGA models, 640x480 for VGA ones")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--serve", action="store_true",
                    help="time one forward pass per line of stdin (JSON lines out)")
    args = ap.parse_args()
    if args.serve and args.arch not in ARCHS and not _has_spec_reference(args.arch):
        print(json.dumps({"error": "no PyTorch reference for '%s'; there is one for %s"
                          % (args.arch, ", ".join(sorted(ARCHS)))}), flush=True)
        sys.exit(1)
    args.arch = reference_name(args.arch)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args.arch)
    if args.weights:
        load_checkpoint(model, args.weights)
    if args.size:
        w, h = (int(v) for v in args.size.lower().split("x"))
    else:
        w, h = DEFAULT_SIZE[model.config]
    x = torch.randn(1, model.in_channels, h, w, generator=torch.Generator().manual_seed(1)) * 50

    if args.serve:
        serve(model, x, args, w, h)
        return
    times, cpu_times = [], []
    with torch.no_grad():
        for i in range(args.warmup + args.runs):
            ms, cpu_ms = timed_forward(model, x)
            if i >= args.warmup:
                times.append(ms)
                cpu_times.append(cpu_ms)
    ms = statistics.median(times)
    if args.json:
        print(json.dumps({"arch": args.arch, "width": w, "height": h, "threads": args.threads,
                          "ms_per_frame": round(ms, 3), "runs": args.runs,
                          "cpu_ms_per_frame": round(statistics.median(cpu_times), 3),
                          "torch_version": torch.__version__}))
    else:
        print("%s %dx%d, %d thread(s): %.1f ms per forward (median of %d runs; "
              "network only, up to loc/conf) [torch %s]"
              % (args.arch, w, h, args.threads, ms, args.runs, torch.__version__))


if __name__ == "__main__":
    main()
