// The architecture zoo: every spec builds and runs; the standard networks
// have the parameter and multiply-add counts their authors and torchvision
// publish; and each composite block computes what its definition says,
// checked against a reference composed from the scalar convolution.
#include <cmath>

#include <gtest/gtest.h>

#include "model/model.h"
#include "model/weight_binding.h"
#include "ops/batch_norm.h"
#include "ops/conv2d.h"
#include "ops/pooling.h"
#include "ops/squeeze_excite.h"

namespace rnnpool {
namespace {

int64_t madds(Network& net, const ArchSpec& spec)
{
    auto layers = net.describe({spec.inputChannels, spec.defaultHeight, spec.defaultWidth});
    EXPECT_TRUE(layers) << layers.error();
    int64_t total = 0;
    for (const LayerInfo& l : *layers)
        total += l.madds;
    return total;
}

TEST(Zoo, StandardNetworksHaveTheirPublishedParameterAndMultiplyAddCounts)
{
    struct Known {
        const char* arch;
        int64_t params;      // torchvision / Keras, exact (BatchNorm affine parameters included)
        double mmadds;       // the authors' or torchvision's figure, in millions
    };
    for (const Known& k : {Known{"resnet18", 11689512, 1814.0}, Known{"mobilenetv1", 4231976, 569.0},
                           Known{"mobilenetv2", 3504872, 300.0}, Known{"efficientnet-b0", 5288548, 390.0},
                           Known{"densenet121", 7978856, 2870.0}, Known{"googlenet", 6624904, 1500.0}}) {
        SCOPED_TRACE(k.arch);
        auto spec = findArchitecture(k.arch);
        ASSERT_TRUE(spec) << spec.error();
        auto net = Network::build(*spec);
        ASSERT_TRUE(net) << net.error();
        EXPECT_EQ(net->paramCount(), k.params);
        EXPECT_NEAR(static_cast<double>(madds(*net, *spec)) / 1e6, k.mmadds, 0.05 * k.mmadds);
    }
}

TEST(Zoo, EveryArchitectureBuildsAndRunsOnASmallPicture)
{
    std::vector<std::string> problems;
    const auto specs = builtinArchitectures(&problems);
    EXPECT_TRUE(problems.empty()) << problems.front();
    EXPECT_GE(specs.size(), 20u);
    for (const ArchSpec& spec : specs) {
        SCOPED_TRACE(spec.name);
        auto model = randomModel(spec.name, 3);
        ASSERT_TRUE(model) << model.error();
        // Classifiers at their own size (RNNPool on the last map needs all of 224x224), detectors smaller.
        const bool classifier = spec.task == "classification";
        Tensor input({spec.inputChannels, classifier ? spec.defaultHeight : 128, classifier ? spec.defaultWidth : 160}, 0.5f);
        auto run = model->network->run(input);
        ASSERT_TRUE(run) << run.error();
        const Tensor& last = run->outputs.back();
        ASSERT_GT(last.numel(), 0);
        for (int64_t i = 0; i < last.numel(); ++i)
            ASSERT_TRUE(std::isfinite(last.data()[i]));
    }
}

TEST(Zoo, TheWebcamDetectorIsTheM4PlusOneBlockAndOneHeadAtStride32)
{
    auto m4 = findArchitecture("RPool_Face_M4");
    auto webcam = findArchitecture("face-m4-webcam");
    ASSERT_TRUE(m4 && webcam);
    EXPECT_EQ(webcam->name, "rnnpool-face-m4-webcam");
    auto a = Network::build(*m4);
    auto b = Network::build(*webcam);
    ASSERT_TRUE(a && b);
    // Counted by hand: mob.4 expands 64 -> 128 (8,192 weights + 256 BatchNorm), a 3x3
    // depthwise (1,152 + 256), projects 128 -> 64 (8,192 + 128); loc.4 64x9x4 + 4 and
    // conf.4 64x9x2 + 2. (rnnpool_ref's two networks differ by the same 21,638.)
    EXPECT_EQ(b->paramCount() - a->paramCount(), 18176 + 2308 + 1154);
    // At 320x240 block3 is 20x15, so the new block's output and head are 10x8 (80 priors of
    // 96 px): the expansion runs on block3's 300 pixels (64x128 each), the stride-2 depthwise
    // (128x9), the projection (128x64) and the heads (64x9x6) on the 80.
    EXPECT_EQ(madds(*b, *webcam) - madds(*a, *m4), 300 * 64 * 128 + 80 * (128 * 9 + 128 * 64 + 64 * 9 * 6));
    ASSERT_TRUE(webcam->detector);
    EXPECT_EQ(webcam->detector->anchorSizes, (std::vector<int64_t>{8, 16, 32, 48, 96}));
    EXPECT_EQ(webcam->detector->steps, (std::vector<int64_t>{8, 8, 16, 16, 32}));
}

TEST(Zoo, CanonicalNamesOfTheIssueAllResolve)
{
    for (const char* name : {"mobilenetv2", "mobilenetv2-rnnpool", "mobilenetv1", "mobilenetv1-rnnpool", "efficientnet-b0",
                             "efficientnet-b0-rnnpool", "resnet18", "resnet18-rnnpool", "densenet121", "densenet121-rnnpool",
                             "googlenet", "googlenet-rnnpool", "mobilenetv2-0.35-vww", "mobilenetv2-0.35-vww-rnnpool",
                             "rnnpool-face-a", "rnnpool-face-b", "rnnpool-face-c", "rnnpool-face-quant", "rnnpool-face-m4",
                             "rnnpool-face-qvga-mono"})
        EXPECT_TRUE(findArchitecture(name)) << name;
}

// A network made of one composite block after the input, with random weights.
Network blockNetwork(const std::string& layerJson, int64_t channels)
{
    const std::string text = R"({"name": "block-test", "task": "classification", "input": {"channels": )" +
                             std::to_string(channels) + R"(, "width": 9, "height": 10}, "layers": [)" + layerJson + "]}";
    auto spec = parseArchSpec(text, "block-test");
    EXPECT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    EXPECT_TRUE(net) << net.error();
    randomizeWeights(*net, 17);
    return std::move(*net);
}

const Conv2d& convOf(const Network& net, const std::string& name)
{
    return static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(net.findLayer(name))].op);
}

Tensor conv(const Network& net, const std::string& name, const Tensor& x)
{
    const Conv2dParams& p = convOf(net, name).params();
    return conv2dReference(x, convOf(net, name).foldedWeight(), convOf(net, name).foldedBias(), p.strideH, p.strideW, p.padH,
                           p.padW, p.groups, p.activation);
}

Tensor randomPicture(int64_t channels)
{
    Tensor x({channels, 10, 9});
    for (int64_t i = 0; i < x.numel(); ++i)
        x.data()[i] = std::sin(0.37f * static_cast<float>(i));
    return x;
}

void expectNear(const Tensor& got, const Tensor& want, float tolerance)
{
    ASSERT_EQ(got.shape(), want.shape());
    for (int64_t i = 0; i < got.numel(); ++i)
        ASSERT_NEAR(got.data()[i], want.data()[i], tolerance) << "element " << i;
}

Tensor runNet(const Network& net, const Tensor& x)
{
    auto r = net.run(x);
    EXPECT_TRUE(r) << r.error();
    return r->outputs.back();
}

TEST(CompositeBlocks, BasicBlockWithAProjectionShortcut)
{
    const Network net = blockNetwork(R"({"name": "b", "op": "basic_block", "out": 12, "stride": 2, "weights": "layer2.0"})", 8);
    const Tensor x = randomPicture(8);
    Tensor want = conv(net, "b.conv2", conv(net, "b.conv1", x));
    const Tensor shortcut = conv(net, "b.downsample", x);
    for (int64_t i = 0; i < want.numel(); ++i)
        want.data()[i] = std::max(want.data()[i] + shortcut.data()[i], 0.0f);
    expectNear(runNet(net, x), want, 1e-4f);
}

TEST(CompositeBlocks, InceptionConcatenatesItsFourPathsInOrder)
{
    const Network net = blockNetwork(R"({"name": "i", "op": "inception", "b1": 3, "b2_reduce": 4, "b2": 5, "b3_reduce": 2,
                                         "b3": 3, "pool_proj": 2, "weights": "inception3a"})",
                                     6);
    const Tensor x = randomPicture(6);
    Pool2dParams pool;
    pool.kernel = 3;
    pool.stride = 1;
    pool.pad = 1;
    Tensor pooled(x.shape());
    const Tensor* in[] = {&x};
    Pool2d(pool).eval(in, pooled);
    const Tensor paths[] = {conv(net, "i.b1", x), conv(net, "i.b2b", conv(net, "i.b2a", x)), conv(net, "i.b3b", conv(net, "i.b3a", x)),
                            conv(net, "i.b4", pooled)};
    const Tensor got = runNet(net, x);
    ASSERT_EQ(got.shape(), (Shape{13, 10, 9}));
    int64_t offset = 0;
    for (const Tensor& p : paths) {
        for (int64_t i = 0; i < p.numel(); ++i)
            ASSERT_NEAR(got.data()[offset + i], p.data()[i], 1e-4f);
        offset += p.numel();
    }
}

TEST(CompositeBlocks, DenseBlockFeedsEveryLayerAllEarlierMaps)
{
    const Network net = blockNetwork(R"({"name": "d", "op": "dense_block", "layers": 2, "growth": 3, "bn_size": 2,
                                         "weights": "features.denseblock1"})",
                                     4);
    const Tensor x = randomPicture(4);
    auto bnRelu = [&](const std::string& name, const Tensor& t) {
        const auto& bn = static_cast<const BatchNormAct&>(*net.nodes()[static_cast<size_t>(net.findLayer(name))].op);
        Tensor y(t.shape());
        const int64_t hw = t.dim(1) * t.dim(2);
        for (int64_t i = 0; i < t.numel(); ++i)
            y.data()[i] = std::max(t.data()[i] * bn.scale().data()[i / hw] + bn.shift().data()[i / hw], 0.0f);
        return y;
    };
    auto cat = [](const Tensor& a, const Tensor& b) {
        Tensor y({a.dim(0) + b.dim(0), a.dim(1), a.dim(2)});
        std::copy(a.data(), a.data() + a.numel(), y.data());
        std::copy(b.data(), b.data() + b.numel(), y.data() + a.numel());
        return y;
    };
    const Tensor f1 = conv(net, "d.layer1.conv2", conv(net, "d.layer1.conv1", bnRelu("d.layer1.norm1", x)));
    const Tensor both = cat(x, f1);
    const Tensor f2 = conv(net, "d.layer2.conv2", conv(net, "d.layer2.conv1", bnRelu("d.layer2.norm1", both)));
    expectNear(runNet(net, x), cat(both, f2), 1e-4f);
}

TEST(CompositeBlocks, MbConvWithSqueezeExciteAndResidual)
{
    const Network net = blockNetwork(R"({"name": "m", "op": "mbconv", "out": 8, "expand": 4, "kernel": 5, "stride": 1,
                                         "weights": "features.2.0"})",
                                     8);
    const Tensor x = randomPicture(8);
    const Tensor dw = conv(net, "m.dw", conv(net, "m.expand", x));
    const auto& se = static_cast<const SqueezeExcite&>(*net.nodes()[static_cast<size_t>(net.findLayer("m.se"))].op);
    EXPECT_EQ(se.params().squeezed, 2) << "a quarter of the block's input channels";
    std::vector<float> means(32, 0.0f);
    const int64_t hw = 90;
    for (int64_t i = 0; i < dw.numel(); ++i)
        means[static_cast<size_t>(i / hw)] += dw.data()[i] / static_cast<float>(hw);
    const std::vector<float> gates = se.gates(means);
    Tensor excited(dw.shape());
    for (int64_t i = 0; i < dw.numel(); ++i)
        excited.data()[i] = dw.data()[i] * gates[static_cast<size_t>(i / hw)];
    Tensor want = conv(net, "m.project", excited);
    for (int64_t i = 0; i < want.numel(); ++i)
        want.data()[i] += x.data()[i];
    expectNear(runNet(net, x), want, 1e-4f);
}

TEST(CompositeBlocks, BadParametersNameTheLayer)
{
    const std::string text = R"({"name": "bad", "task": "classification", "input": {"channels": 3, "width": 9, "height": 9},
        "layers": [{"name": "i", "op": "inception", "b1": 3, "weights": "x"}]})";
    auto spec = parseArchSpec(text, "bad");
    ASSERT_TRUE(spec);
    auto net = Network::build(*spec);
    ASSERT_FALSE(net);
    EXPECT_NE(net.error().find("layer 'i'"), std::string::npos) << net.error();
    EXPECT_NE(net.error().find("b2_reduce"), std::string::npos) << net.error();
}

} // namespace
} // namespace rnnpool
