#!/usr/bin/python3
"""Exports torchvision models to ONNX with PyTorch's outputs beside them, for
the ONNX tests (tests/onnx) and for users who want a model to try.

    /usr/bin/python3 tools/onnx/export_torchvision.py --out DIR [--models resnet18,mobilenet_v2] [--bad] [--picture P]

For each model NAME it writes DIR/NAME.onnx, DIR/NAME.input.npy (a seeded
1x3x224x224 picture tensor), DIR/NAME.output.npy (PyTorch's logits for it) and
DIR/NAME.json (PyTorch's parameter count, the opset, the versions).

Weights are torchvision's initialisation with a fixed seed (no download is
possible here), and every BatchNorm gets random statistics and affine values,
so that folding them is exercised. The export keeps BatchNormalization nodes
(TrainingMode.PRESERVE on a model in eval mode), so the file holds every
learned tensor and its parameter count can equal PyTorch's.

--bad also writes broken files for the error-path tests: an unsupported op,
a truncated file, a graph with a cycle, a 2^40-element initialiser.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torchvision
import onnx
from onnx import helper, TensorProto

# name -> (constructor kwargs, opset). Opsets spread over 11-17.
MODELS = {
    "resnet18": ({}, 11),
    "resnet50": ({}, 13),
    "mobilenet_v2": ({}, 13),
    "mobilenet_v3_small": ({}, 14),
    "mobilenet_v3_large": ({}, 17),
    "efficientnet_b0": ({}, 13),
    "squeezenet1_1": ({}, 12),
    "mnasnet0_5": ({}, 15),
    "googlenet": ({"aux_logits": False, "transform_input": False, "init_weights": True}, 13),
    "densenet121": ({}, 16),
    "shufflenet_v2_x0_5": ({}, 13),
}


def build(name, seed):
    kwargs, opset = MODELS[name]
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(weights=None, **kwargs)
    gen = torch.Generator().manual_seed(seed + 1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.1)
    return model.eval(), opset


def export(name, out, seed=0):
    model, opset = build(name, seed)
    gen = torch.Generator().manual_seed(seed + 2)
    x = torch.rand(1, 3, 224, 224, generator=gen)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=opset, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, input_names=["input"], output_names=["logits"])
    np.save(os.path.join(out, name + ".input.npy"), x.numpy())
    np.save(os.path.join(out, name + ".output.npy"), y.numpy())
    meta = {"model": name, "params": int(sum(p.numel() for p in model.parameters())), "opset": opset,
            "torch": torch.__version__, "torchvision": torchvision.__version__, "seed": seed}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{name}: opset {opset}, {meta['params']} parameters, {os.path.getsize(path)} bytes")


class TinyOps(torch.nn.Module):
    """A small network that uses the ops torchvision's classifiers do not:
    asymmetric zero padding, dilation, LeakyReLU, Tanh, ELU, Hardswish,
    Hardsigmoid, nearest and bilinear upsampling, channel slices (chunk),
    a per-channel Mul, softmax over channels. Small enough to seed the fuzzer."""

    def __init__(self):
        super().__init__()
        self.pad = torch.nn.ZeroPad2d((0, 1, 0, 1))
        self.conv1 = torch.nn.Conv2d(3, 8, 2, stride=2)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.conv2 = torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2)
        self.conv3 = torch.nn.Conv2d(4, 4, 3, padding=1, groups=4)
        self.conv4 = torch.nn.Conv2d(8, 6, 1)
        self.gate = torch.nn.Conv2d(6, 6, 1)
        self.fc = torch.nn.Linear(6, 5)

    def forward(self, x):
        x = torch.nn.functional.leaky_relu(self.bn1(self.conv1(self.pad(x))), 0.1)
        x = torch.tanh(self.conv2(x)) + torch.nn.functional.elu(x)
        a, b = torch.chunk(x, 2, dim=1)
        b = torch.nn.functional.hardswish(self.conv3(b))
        x = torch.cat([a, b], 1)
        y = torch.nn.functional.interpolate(self.conv4(x), scale_factor=2, mode="nearest")
        z = torch.nn.functional.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        g = torch.nn.functional.hardsigmoid(self.gate(torch.nn.functional.adaptive_avg_pool2d(z, 1)))
        z = z * g
        s = torch.softmax(z, dim=1)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(s, 1), 1))


def export_tiny(out, seed=0):
    torch.manual_seed(seed)
    model = TinyOps().eval()
    with torch.no_grad():
        model.bn1.running_mean.copy_(torch.randn(8) * 0.1)
        model.bn1.running_var.copy_(torch.rand(8) + 0.5)
    x = torch.rand(1, 3, 31, 33, generator=torch.Generator().manual_seed(seed + 2))
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out, "tiny_ops.onnx")
    torch.onnx.export(model, x, path, opset_version=13, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, input_names=["input"], output_names=["logits"])
    np.save(os.path.join(out, "tiny_ops.input.npy"), x.numpy())
    np.save(os.path.join(out, "tiny_ops.output.npy"), y.numpy())
    meta = {"model": "tiny_ops", "params": int(sum(p.numel() for p in model.parameters())), "opset": 13,
            "torch": torch.__version__, "seed": seed}
    with open(os.path.join(out, "tiny_ops.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"tiny_ops: opset 13, {meta['params']} parameters, {os.path.getsize(path)} bytes")


def picture_reference(name, out, picture, seed=0):
    """PyTorch's logits for `picture` as `rnnpool run --image P --mean ... --std ...` prepares
    it: OpenCV bilinear resize to 224x224, RGB, x = (p/255 - mean) / std (ImageNet's)."""
    import cv2
    model, _ = build(name, seed)
    bgr = cv2.imread(picture, cv2.IMREAD_COLOR)
    rgb = cv2.resize(bgr, (224, 224), interpolation=cv2.INTER_LINEAR)[:, :, ::-1].astype(np.float32)
    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    x = ((rgb * np.float32(1.0 / 255.0) - mean) / std).transpose(2, 0, 1)[None].copy()
    with torch.no_grad():
        y = model(torch.from_numpy(x))
    np.save(os.path.join(out, name + ".picture_output.npy"), y.numpy())


def write_bad(out):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 8, 8])
    # An op the engine does not have.
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["r"], name="first_relu"),
                           helper.make_node("Erf", ["r"], ["y"], name="the_erf")], "unsupported", [x], [y])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, "bad_unsupported_op.onnx"))
    # A cycle: a -> b -> a.
    g = helper.make_graph([helper.make_node("Add", ["x", "b"], ["a"], name="node_a"),
                           helper.make_node("Relu", ["a"], ["b"], name="node_b"),
                           helper.make_node("Relu", ["b"], ["y"], name="node_c")], "cycle", [x], [y])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, "bad_cycle.onnx"))
    # A 2^40-element initialiser whose data is absent (the file stays small).
    huge = TensorProto()
    huge.name = "huge"
    huge.data_type = TensorProto.FLOAT
    huge.dims.extend([1 << 20, 1 << 20])
    huge.raw_data = b"\0" * 16
    g = helper.make_graph([helper.make_node("Conv", ["x", "huge"], ["y"], name="huge_conv")], "huge", [x], [y], [huge])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, "bad_huge_initialiser.onnx"))
    # A node name that is not UTF-8 (found by fuzz_onnx): the name is written,
    # then one byte of it replaced in the serialised file.
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu_NOT_UTF8")], "names", [x], [y])
    data = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()
    assert data.count(b"relu_NOT_UTF8") == 1
    open(os.path.join(out, "bad_name_not_utf8.onnx"), "wb").write(data.replace(b"relu_NOT_UTF8", b"relu_\xa8OT_UTF8"))
    # ConstantOfShape whose integer value tensor holds nothing (found by fuzz_onnx).
    shape = helper.make_tensor("shape", TensorProto.INT64, [4], [1, 3, 8, 8])
    empty = helper.make_tensor("value", TensorProto.INT64, [0], [])
    g = helper.make_graph([helper.make_node("ConstantOfShape", ["shape"], ["c"], name="fill", value=empty),
                           helper.make_node("Cast", ["c"], ["cf"], name="to_float", to=TensorProto.FLOAT),
                           helper.make_node("Add", ["x", "cf"], ["y"], name="plus")], "empty_fill", [x], [y], [shape])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, "bad_empty_fill_value.onnx"))
    # A truncated file: the first half of a real model.
    good = os.path.join(out, "squeezenet1_1.onnx")
    if not os.path.exists(good):
        export("squeezenet1_1", out)
    data = open(good, "rb").read()
    open(os.path.join(out, "bad_truncated.onnx"), "wb").write(data[: len(data) // 2])
    print("bad files written")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default=",".join(list(MODELS) + ["tiny_ops"]))
    ap.add_argument("--bad", action="store_true")
    ap.add_argument("--picture", help="also write NAME.picture_output.npy for resnet18 on this picture")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for name in [m for m in a.models.split(",") if m]:
        if name == "tiny_ops":
            export_tiny(a.out)
            continue
        if name not in MODELS:
            sys.exit(f"unknown model '{name}'; known: {', '.join(MODELS)}")
        export(name, a.out)
    if a.bad:
        write_bad(a.out)
    if a.picture:
        picture_reference("resnet18", a.out, a.picture)


if __name__ == "__main__":
    main()
