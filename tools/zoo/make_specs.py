#!/usr/bin/env python3
"""Writes the classification and face-detection specs of the architecture zoo
into resources/architectures/. The specs are the source of truth; this script
only saves typing the repeated blocks and is kept so they can be regenerated.

    python3 tools/zoo/make_specs.py
"""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[2] / "resources" / "architectures"


def write(file, name, aliases, description, layers, task="classification", width=224, height=224, channels=3, extra=None):
    doc = {"name": name, "aliases": aliases, "description": description, "task": task,
           "input": {"channels": channels, "width": width, "height": height}}
    doc.update(extra or {})
    doc["layers"] = layers
    (OUT / file).write_text(json.dumps(doc, indent=1) + "\n")


def classifier(features, classes=1000, weights="classifier"):
    return [{"name": "pool", "op": "global_avgpool", "input": features},
            {"name": "classifier", "op": "linear", "out": classes, "weights": weights}]


def rnnpool(name, patch, h, weights="rnn_model", stride=4, inp=None, pad=1):
    layer = {"name": name, "op": "rnnpool", "patch": patch, "stride": stride, "h1": h, "h2": h, "pad_bottom_right": pad,
             "weights": weights}
    if inp:
        layer["input"] = inp
    return layer


# --- MobileNetV1 (Howard et al. 2017, Table 1), width 1.0, 224, BN after every conv.
V1 = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]


def mobilenetv1(first, rnn):
    layers = [{"name": "stem", "op": "conv_bn_act", "out": 32, "kernel": 3, "stride": 2, "act": "relu", "weights": "model.0"}]
    if rnn:
        layers.append(rnnpool("rnnpool", 6, 16))
    for i, (c, s) in enumerate(V1[first:], start=first):
        layers.append({"name": f"block{i}", "op": "separable", "out": c, "stride": s, "weights": f"model.{i + 1}"})
    return layers + classifier(f"block{len(V1) - 1}", weights="fc")


write("mobilenetv1.json", "mobilenetv1", ["MobileNetV1", "mobilenet-v1"],
      "MobileNetV1 1.0x (Howard et al. 2017, Table 1): a 3x3 stride-2 conv, 13 depthwise-separable blocks, global average "
      "pool, 1000-way FC; 224x224x3. BatchNorm after every conv, no conv biases (4.23M parameters, 569M MAdds).",
      mobilenetv1(0, False))
write("mobilenetv1_rnnpool.json", "mobilenetv1-rnnpool", ["MobileNetV1-RNNPool", "mobilenet-v1-rnnpool"],
      "MobileNetV1-RNNPool (paper Table 3, built 'similarly' to Table 10 with h1=h2=16): the stem conv, then RNNPool "
      "(patch 6, stride 4) to 28x28x64 in place of the separable blocks at 112, 56 and 28 pixels, then MobileNetV1 from "
      "its 512-channel stride-2 block on. Where the paper leaves the cut open we cut so the 14x14 blocks bound the peak, "
      "as the paper's 0.77 MB implies.",
      mobilenetv1(5, True))

# --- MobileNetV2-0.35x for Visual Wake Words (Chowdhery et al. 2019; paper Section 5.2, Figure 3):
# width 0.35 rounded to multiples of 8, first conv 8 channels, last conv 320.
V2 = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def div8(v):
    """torchvision's _make_divisible(v, 8)."""
    rounded = max(8, int(v + 4) // 8 * 8)
    return rounded + 8 if rounded < 0.9 * v else rounded


def v2_blocks(width, first_stage, first_in=None, feature_base=1):
    layers, index = [], feature_base
    for stage, (t, c, n, s) in enumerate(V2):
        out = div8(c * width)
        for r in range(n):
            if stage >= first_stage:
                layer = {"name": f"block{index - 1}", "op": "inverted_residual", "out": out, "expand": t,
                         "stride": s if r == 0 else 1, "weights": f"features.{index}"}
                if first_in and not layers:
                    layer["input"] = first_in
                layers.append(layer)
            index += 1
    return layers, index


def vww(rnn):
    layers = [{"name": "stem", "op": "conv_bn_act", "out": 8, "kernel": 3, "stride": 2, "weights": "features.0"}]
    if rnn:
        layers.append(rnnpool("rnnpool", 6, 8))
        blocks, index = v2_blocks(0.35, 3, "rnnpool")
    else:
        blocks, index = v2_blocks(0.35, 0)
    layers += blocks
    last = layers[-1]["name"]
    layers.append({"name": "last_conv", "op": "conv_bn_act", "out": 320, "kernel": 1, "weights": f"features.{index}",
                   "input": last})
    if rnn:
        # Figure 3's RNNPool models pool the last map with RNNPool too, h1 = h2 = 320/4 (F.1.2, and EdgeML's
        # Visual_Wakeword/model_mobilenet_2rnnpool.py).
        layers.append(rnnpool("last_rnnpool", 7, 80, weights="rnn_model_end", stride=7, pad=0))
        layers.append({"name": "classifier", "op": "linear", "out": 2, "weights": "classifier.1"})
        return layers
    return layers + classifier("last_conv", classes=2, weights="classifier.1")


write("mobilenetv2_035_vww.json", "mobilenetv2-0.35-vww", ["MobileNetV2-0.35-VWW", "mobilenetv2-0.35x-vww"],
      "MobileNetV2-0.35x for Visual Wake Words (Chowdhery et al. 2019, the baseline of paper Section 5.2): channels x0.35 "
      "rounded to multiples of 8, 8 channels in the first conv, 320 in the last, 2 classes; 224x224x3.",
      vww(False))
write("mobilenetv2_035_vww_rnnpool.json", "mobilenetv2-0.35-vww-rnnpool",
      ["MobileNetV2-0.35-VWW-RNNPool", "mobilenetv2-rnnpool-0.35x"],
      "MobileNetV2-RNNPool 0.35x for Visual Wake Words (paper Figure 3, Table 9: h1=h2=8, patch 6): the stem conv, "
      "RNNPool to 28x28x32 in place of the blocks up to 28x28 (as Table 10), the remaining 0.35x bottlenecks, the "
      "320-channel conv, and an RNNPool (h1=h2=80, one 7x7 patch) in place of the average pool (F.1.2; EdgeML's "
      "Visual_Wakeword model_mobilenet_2rnnpool.py); 2 classes.",
      vww(True))

# --- ResNet18 (He et al. 2016; torchvision).
R18 = [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]


def resnet18(rnn):
    layers = [{"name": "conv1", "op": "conv", "out": 64, "kernel": 7, "stride": 2, "pad": 3, "bn": "bn1", "act": "relu",
               "weights": "conv1"}]
    first = 4 if rnn else 0
    layers.append(rnnpool("rnnpool", 8, 32) if rnn else
                  {"name": "maxpool", "op": "maxpool", "kernel": 3, "stride": 2, "pad": 1})
    for i, (c, s) in enumerate(R18[first:], start=first):
        layers.append({"name": f"layer{i // 2 + 1}.{i % 2}", "op": "basic_block", "out": c, "stride": s,
                       "weights": f"layer{i // 2 + 1}.{i % 2}"})
    return layers + classifier("layer4.1", weights="fc")


write("resnet18.json", "resnet18", ["ResNet18", "resnet-18"],
      "ResNet18 (He et al. 2016; torchvision's resnet18): 7x7 stride-2 conv, 3x3 max pool, 8 basic blocks, average pool, "
      "1000-way FC; 224x224x3 (11.69M parameters, 1.82G MAdds).", resnet18(False))
write("resnet18_rnnpool.json", "resnet18-rnnpool", ["ResNet18-RNNPool", "resnet-18-rnnpool"],
      "ResNet18-RNNPool (paper Table 1, Table 9: h1=h2=32, patch 8; E.2.2): conv1, then RNNPool to 28x28x128 in place of "
      "the max pool, conv2_x and conv3_x, then conv4_x and conv5_x as in ResNet18.", resnet18(True))

# --- DenseNet121 (Huang et al. 2017; torchvision).
D121 = [6, 12, 24, 16]


def densenet121(rnn, classes=1000):
    layers = [{"name": "conv0", "op": "conv", "out": 64, "kernel": 7, "stride": 2, "pad": 3, "bn": "features.norm0",
               "act": "relu", "weights": "features.conv0"}]
    channels = 64
    if rnn:
        layers.append(rnnpool("rnnpool", 8, 48))
        channels, first = 192, 2
    else:
        layers.append({"name": "pool0", "op": "maxpool", "kernel": 3, "stride": 2, "pad": 1})
        first = 0
    for b in range(first, 4):
        if b > 0:
            out = 256 if rnn and b == 2 else channels // 2
            layers.append({"name": f"transition{b}", "op": "transition", "out": out, "weights": f"features.transition{b}"})
            channels = out
        layers.append({"name": f"denseblock{b + 1}", "op": "dense_block", "layers": D121[b], "growth": 32, "bn_size": 4,
                       "weights": f"features.denseblock{b + 1}"})
        channels += 32 * D121[b]
    layers.append({"name": "norm5", "op": "batchnorm", "act": "relu", "weights": "features.norm5"})
    return layers + classifier("norm5")


write("densenet121.json", "densenet121", ["DenseNet121", "densenet-121"],
      "DenseNet121 (Huang et al. 2017; torchvision's densenet121): 7x7 stride-2 conv, max pool, dense blocks of 6, 12, 24 "
      "and 16 layers (growth 32, bottleneck 128) with transitions, final BatchNorm-ReLU, average pool, 1000-way FC; "
      "224x224x3 (7.98M parameters, 2.87G MAdds).", densenet121(False))
write("densenet121_rnnpool.json", "densenet121-rnnpool", ["DenseNet121-RNNPool", "densenet-121-rnnpool"],
      "DenseNet121-RNNPool (paper Figure 2, Table 9: h1=h2=48, patch 8): C1, then RNNPool(8, 8, 112, 112, 4, 64, 48, 48) "
      "to 28x28x192 in place of P1, D1, T1 and D2, then T2 (192 -> 256 channels, so that D3 ends at 14x14x1024 as E.2.2 "
      "states), D3, T3, D4 as in DenseNet121.", densenet121(True))

# --- GoogLeNet (Szegedy et al. 2015) as torchvision builds it: BN after every conv, 3x3 in the "5x5" path.
INCEPTION = {"3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64), "4a": (192, 96, 208, 16, 48, 64),
             "4b": (160, 112, 224, 24, 64, 64), "4c": (128, 128, 256, 24, 64, 64), "4d": (112, 144, 288, 32, 64, 64),
             "4e": (256, 160, 320, 32, 128, 128), "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128)}


def inception(name):
    b1, b2r, b2, b3r, b3, pp = INCEPTION[name]
    return {"name": f"inception{name}", "op": "inception", "b1": b1, "b2_reduce": b2r, "b2": b2, "b3_reduce": b3r,
            "b3": b3, "pool_proj": pp, "weights": f"inception{name}"}


def pool(name, kernel=3, stride=2, pad=0, ceil=True):
    return {"name": name, "op": "maxpool", "kernel": kernel, "stride": stride, "pad": pad, "ceil_mode": ceil}


def basic_conv(name, out, kernel, stride=1):
    return {"name": name, "op": "conv", "out": out, "kernel": kernel, "stride": stride, "pad": (kernel - 1) // 2,
            "bn": f"{name}.bn", "act": "relu", "weights": f"{name}.conv"}


def googlenet(rnn):
    layers = [basic_conv("conv1", 64, 7, 2)]
    if rnn:
        layers += [rnnpool("rnnpool", 8, 32), pool("maxpool3")]
    else:
        layers += [pool("maxpool1"), basic_conv("conv2", 64, 1), basic_conv("conv3", 192, 3), pool("maxpool2"),
                   inception("3a"), inception("3b"), pool("maxpool3")]
    layers += [inception(n) for n in ("4a", "4b", "4c", "4d", "4e")]
    layers += [pool("maxpool4", 2, 2), inception("5a"), inception("5b")]
    return layers + classifier("inception5b", weights="fc")


write("googlenet.json", "googlenet", ["GoogLeNet", "inception-v1"],
      "GoogLeNet (Szegedy et al. 2015) as torchvision builds it: BatchNorm after every conv, a 3x3 conv in the '5x5' path, "
      "ceil-mode max pools, 1000-way FC, no auxiliary classifiers (6.62M parameters, 1.50G MAdds); 224x224x3.",
      googlenet(False))
write("googlenet_rnnpool.json", "googlenet-rnnpool", ["GoogLeNet-RNNPool"],
      "GoogLeNet-RNNPool (paper Table 1, Table 9: h1=h2=32, patch 8; E.1.2 and E.2.2 put its peak at inception 4e on "
      "14x14 maps): conv1, then RNNPool to 28x28x128 in place of maxpool1, conv2, conv3, maxpool2, inception 3a and 3b, "
      "then maxpool3 and GoogLeNet from inception 4a on.", googlenet(True))

# --- EfficientNet-B0 (Tan and Le 2019, Table 1; torchvision's efficientnet_b0).
B0 = [(1, 3, 16, 1, 1), (6, 3, 24, 2, 2), (6, 5, 40, 2, 2), (6, 3, 80, 3, 2), (6, 5, 112, 3, 1), (6, 5, 192, 4, 2),
      (6, 3, 320, 1, 1)]


def efficientnet(rnn):
    layers = [{"name": "stem", "op": "conv_bn_act", "out": 32, "kernel": 3, "stride": 2, "act": "swish",
               "weights": "features.0"}]
    first = 3 if rnn else 0
    if rnn:
        layers.append(rnnpool("rnnpool", 6, 16))
    for stage, (t, k, c, n, s) in enumerate(B0):
        if stage < first:
            continue
        for r in range(n):
            layers.append({"name": f"stage{stage + 1}.{r}", "op": "mbconv", "out": c, "expand": t, "kernel": k,
                           "stride": s if r == 0 else 1, "weights": f"features.{stage + 1}.{r}"})
    layers.append({"name": "head", "op": "conv_bn_act", "out": 1280, "kernel": 1, "act": "swish", "weights": "features.8"})
    return layers + classifier("head", weights="classifier.1")


write("efficientnet_b0.json", "efficientnet-b0", ["EfficientNet-B0", "efficientnet_b0"],
      "EfficientNet-B0 (Tan and Le 2019, Table 1; torchvision's efficientnet_b0): swish stem, 16 MBConv blocks with "
      "squeeze-excite (ratio 0.25 of the block input), 1280-channel head, 1000-way FC; 224x224x3 (5.29M parameters, "
      "0.39G MAdds).", efficientnet(False))
write("efficientnet_b0_rnnpool.json", "efficientnet-b0-rnnpool", ["EfficientNet-B0-RNNPool"],
      "EfficientNet-B0-RNNPool (paper Table 1, Table 9: h1=h2=16, patch 6; E.2.2: the block after RNNPool maps 28x28x64 "
      "to 14x14x80): the stem, RNNPool to 28x28x64 in place of the stages at 112, 56 and 28 pixels, then EfficientNet-B0 "
      "from the 80-channel stage on.", efficientnet(True))

# --- RNNPool-Face-A and -B (paper Tables 12 and 13): S3FD heads after the second row and after every bottleneck stack.
DETECTOR = {"steps": [4, 8, 16, 32, 64, 128], "anchor_sizes": [16, 32, 64, 128, 256, 512], "variances": [0.1, 0.2],
            "confidence_threshold": 0.01, "nms_threshold": 0.3, "nms_top_k": 5000, "keep_top_k": 750,
            "input_area": [640, 480]}


def head(i, source):
    kernel = 3
    loc = {"name": f"head{i}.loc", "op": "conv", "input": source, "out": 4, "kernel": kernel, "pad": 1, "bias": True,
           "weights": f"loc.{i}"}
    if i == 0:
        return [loc, {"name": "head0.conf_raw", "op": "conv", "input": source, "out": 4, "kernel": kernel, "pad": 1,
                      "bias": True, "weights": "conf.0"},
                {"name": "head0.conf", "op": "background_maxout", "input": "head0.conf_raw", "background": 3}]
    return [loc, {"name": f"head{i}.conf", "op": "conv", "input": source, "out": 2, "kernel": kernel, "pad": 1,
                  "bias": True, "weights": f"conf.{i}"}]


def face(rows, h):
    layers = [rnnpool("rnnpool", 8, h, inp="input")]
    heads, previous, index = [], "rnnpool", 0
    for row_index, row in enumerate(rows):
        kind, t, c, n, s = row
        for r in range(n):
            name = f"block{index}"
            stride = s if r == 0 else 1
            if kind == "bottleneck":
                layer = {"name": name, "op": "inverted_residual", "out": c, "expand": t, "stride": stride}
            elif kind == "separable":
                layer = {"name": name, "op": "separable", "out": c, "stride": stride}
            else:
                layer = {"name": name, "op": "conv_bn_act", "out": c, "kernel": kind, "stride": stride, "act": "relu"}
            layer.update({"weights": f"mob.{index}", "input": previous})
            layers.append(layer)
            previous, index = name, index + 1
        if row_index == 0 or kind == "bottleneck":
            heads.append({"loc": f"head{len(heads)}.loc", "conf": f"head{len(heads)}.conf"})
            layers += head(len(heads) - 1, previous)
    return layers, heads


FACE_A = [("separable", 1, 16, 4, 1), ("separable", 1, 16, 1, 2), ("bottleneck", 1, 16, 3, 1),
          ("bottleneck", 1, 24, 3, 2), ("bottleneck", 1, 32, 2, 2), ("bottleneck", 2, 128, 1, 2),
          ("bottleneck", 2, 160, 1, 2)]
FACE_B = [(3, 1, 24, 4, 1), (3, 1, 96, 1, 2), (1, 1, 32, 1, 1), ("bottleneck", 6, 32, 3, 1), ("bottleneck", 6, 64, 3, 2),
          ("bottleneck", 6, 128, 2, 2), ("bottleneck", 6, 160, 1, 2), ("bottleneck", 6, 320, 1, 2)]


for file, name, aliases, rows, h, table in (
        ("rpool_face_a.json", "rnnpool-face-a", ["RNNPool-Face-A", "RPool_Face_A", "face-a"], FACE_A, 4, 13),
        ("rpool_face_b.json", "rnnpool-face-b", ["RNNPool-Face-B", "RPool_Face_B", "face-b"], FACE_B, 6, 12)):
    layers, heads = face(rows, h)
    write(file, name, aliases,
          f"{aliases[0]} (paper Table {table}): VGA RGB input, RNNPool (patch 8, stride 4, h1=h2={h}) on the picture, "
          "the rows of the table, S3FD heads (3x3 loc and conf convs, max-out background on the first) after the second "
          "row and after every bottleneck stack, at strides 4 to 128. Head kernels and the absence of L2Norm are our "
          "choice; the paper does not give them.",
          layers, task="face_detection", width=640, height=480, extra={"detector": DETECTOR, "heads": heads})


# --- FaceBoxes (Zhang et al. 2017, Figure 1; the authors' FaceBoxes.PyTorch layout): RDCL, MSCL, 3 heads.
def fb_conv(name, out, kernel, stride=1, inp=None, act="relu"):
    layer = {"name": name, "op": "conv", "out": out, "kernel": kernel, "stride": stride, "pad": (kernel - 1) // 2,
             "bn": f"{name}.bn", "act": act, "weights": f"{name}.conv"}
    if inp:
        layer["input"] = inp
    return layer


def fb_inception(name, inp):
    return [fb_conv(f"{name}.branch1x1", 32, 1, inp=inp),
            {"name": f"{name}.pool", "op": "avgpool", "kernel": 3, "stride": 1, "pad": 1, "input": inp},
            fb_conv(f"{name}.branch1x1_2", 32, 1),
            fb_conv(f"{name}.branch3x3_reduce", 24, 1, inp=inp),
            fb_conv(f"{name}.branch3x3", 32, 3),
            fb_conv(f"{name}.branch3x3_reduce_2", 24, 1, inp=inp),
            fb_conv(f"{name}.branch3x3_2", 32, 3),
            fb_conv(f"{name}.branch3x3_3", 32, 3),
            {"name": name, "op": "concat", "input": [f"{name}.branch1x1", f"{name}.branch1x1_2", f"{name}.branch3x3",
                                                     f"{name}.branch3x3_3"]}]


def faceboxes():
    layers = [fb_conv("conv1", 24, 7, 4, inp="input", act="none"), {"name": "conv1.crelu", "op": "crelu"},
              {"name": "pool1", "op": "maxpool", "kernel": 3, "stride": 2, "pad": 1},
              fb_conv("conv2", 64, 5, 2, act="none"), {"name": "conv2.crelu", "op": "crelu"},
              {"name": "pool2", "op": "maxpool", "kernel": 3, "stride": 2, "pad": 1}]
    previous = "pool2"
    for i in (1, 2, 3):
        layers += fb_inception(f"inception{i}", previous)
        previous = f"inception{i}"
    layers += [fb_conv("conv3_1", 128, 1), fb_conv("conv3_2", 256, 3, 2), fb_conv("conv4_1", 128, 1),
               fb_conv("conv4_2", 256, 3, 2)]
    heads = []
    for i, (source, anchors) in enumerate((("inception3", 21), ("conv3_2", 1), ("conv4_2", 1))):
        for kind, per in (("loc", 4), ("conf", 2)):
            layers.append({"name": f"head{i}.{kind}", "op": "conv", "input": source, "out": anchors * per, "kernel": 3,
                           "pad": 1, "bias": True, "weights": f"{kind}.{i}"})
        heads.append({"loc": f"head{i}.loc", "conf": f"head{i}.conf"})
    return layers, heads


layers, heads = faceboxes()
write("faceboxes.json", "faceboxes", ["FaceBoxes"],
      "FaceBoxes (Zhang et al. 2017, Figure 1, as the authors' FaceBoxes.PyTorch builds it), the baseline of paper Table 4: "
      "RDCL (7x7 stride-4 conv and 5x5 stride-2 conv with CReLU, two max pools), MSCL (three inception modules, two "
      "stride-2 conv pairs), loc/conf heads on the 32-, 64- and 128-stride maps (21, 1 and 1 anchors per cell after "
      "densification); 640x480x3. For profiling: our detector does not decode its densified anchors.",
      layers, task="face_detection", width=640, height=480, extra={"heads": heads})


# --- MobileNetV2-SSDLite (Sandler et al. 2018, Section 6.2), the baseline of paper Table 5: MobileNetV2 1.0, SSDLite
# heads (depthwise 3x3 + 1x1) on block 13's expansion (stride 16) and the 1280-channel conv (stride 32), and four
# extra stride-2 blocks (1x1 to half, depthwise 3x3 stride 2, 1x1 to 512, 256, 256, 128); faces and background.
def ssdlite():
    layers = [{"name": "stem", "op": "conv_bn_act", "out": 32, "kernel": 3, "stride": 2, "weights": "features.0"}]
    blocks, index = v2_blocks(1.0, 0)
    layers += blocks
    layers.append({"name": "last_conv", "op": "conv_bn_act", "out": 1280, "kernel": 1, "weights": f"features.{index}"})
    sources = ["block13.expand", "last_conv"]
    previous = "last_conv"
    for i, out in enumerate((512, 256, 256, 128)):
        name = f"extra{i}"
        layers += [{"name": f"{name}.reduce", "op": "conv_bn_act", "out": out // 2, "kernel": 1, "input": previous,
                    "weights": f"extras.{i}.0"},
                   {"name": f"{name}.dw", "op": "conv_bn_act", "out": out // 2, "kernel": 3, "stride": 2,
                    "groups": "depthwise", "weights": f"extras.{i}.1"},
                   {"name": name, "op": "conv_bn_act", "out": out, "kernel": 1, "weights": f"extras.{i}.2"}]
        sources.append(name)
        previous = name
    heads = []
    for i, source in enumerate(sources):
        anchors = 3 if i == 0 else 6
        for kind, per in (("loc", 4), ("conf", 2)):
            layers += [{"name": f"head{i}.{kind}.dw", "op": "conv_bn_act", "input": source, "out": 0, "kernel": 3,
                        "groups": "depthwise", "weights": f"{kind}.{i}.0"},
                       {"name": f"head{i}.{kind}", "op": "conv", "out": anchors * per, "kernel": 1, "bias": True,
                        "weights": f"{kind}.{i}.1"}]
        heads.append({"loc": f"head{i}.loc", "conf": f"head{i}.conf"})
    return layers, heads


layers, heads = ssdlite()
SOURCE_CHANNELS = {"block13.expand": 576, "last_conv": 1280, "extra0": 512, "extra1": 256, "extra2": 256, "extra3": 128}
for layer in layers:
    if layer.get("out") == 0:
        layer["out"] = SOURCE_CHANNELS[layer["input"]]
write("mobilenetv2_ssdlite.json", "mobilenetv2-ssdlite", ["MobileNetV2-SSDLite", "ssdlite"],
      "MobileNetV2-SSDLite (Sandler et al. 2018, Section 6.2), the baseline of paper Table 5: MobileNetV2 1.0 features, "
      "SSDLite heads (depthwise 3x3 + BN + ReLU6, then 1x1) on block 13's 576-channel expansion and the 1280-channel "
      "conv, four extra blocks (1x1, depthwise 3x3 stride 2, 1x1) of 512, 256, 256 and 128 channels, 3 then 6 anchors "
      "per cell, two classes; 320x240x3 as Table 5's SCUT-HEAD comparison. For profiling: our detector does not decode "
      "its multi-anchor heads.",
      layers, task="face_detection", width=320, height=240, extra={"heads": heads})
