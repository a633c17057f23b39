// The ops ONNX graphs bring: dilated and asymmetrically padded convolution
// against its scalar reference (random shapes) and a hand-computed case; the
// standalone activations, the broadcasting product, softmax, channel slices,
// upsampling and the channel shuffle against values worked out by hand.
// (tests/onnx checks the same ops end to end against PyTorch: tiny_ops.)
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "model/network.h"
#include "ops/conv2d.h"
#include "ops/pointwise_ops.h"
#include "ops/tensor_ops.h"

namespace rnnpool {
namespace {

Tensor run(const Op& op, std::vector<const Tensor*> inputs)
{
    std::vector<Shape> shapes;
    for (const Tensor* t : inputs)
        shapes.push_back(t->shape());
    Shape out;
    const Status st = op.prepare(shapes, out);
    EXPECT_TRUE(st) << st.error();
    Tensor y = Tensor::uninitialized(out);
    op.eval(inputs, y);
    return y;
}

struct GeneralCase {
    int64_t cin, cout, kh, kw, stride, dilation, groups, h, w;
    int64_t pads[4]; // top, left, bottom, right
};

class GeneralConvTest : public ::testing::TestWithParam<GeneralCase> {};

TEST_P(GeneralConvTest, MatchesTheScalarReference)
{
    const GeneralCase c = GetParam();
    std::mt19937 rng(static_cast<unsigned>(c.cin * 31 + c.kh * 7 + c.dilation * 3 + c.pads[2]));
    std::normal_distribution<float> normal(0.0f, 0.5f);
    Conv2dParams p;
    p.inChannels = c.cin;
    p.outChannels = c.cout;
    p.kernelH = c.kh;
    p.kernelW = c.kw;
    p.strideH = p.strideW = c.stride;
    p.dilationH = p.dilationW = c.dilation;
    p.padH = c.pads[0];
    p.padW = c.pads[1];
    p.padBottom = c.pads[2];
    p.padRight = c.pads[3];
    p.groups = c.groups;
    p.bias = true;
    p.weights = "w";
    p.activation = Activation::Relu;
    Conv2d conv(p);
    Tensor weight({c.cout, c.cin / c.groups, c.kh, c.kw}), bias({c.cout}), input({c.cin, c.h, c.w});
    for (Tensor* t : {&weight, &bias, &input})
        for (int64_t i = 0; i < t->numel(); ++i)
            t->data()[i] = normal(rng);
    for (WeightSlot& s : conv.weightSlots())
        *s.target = s.key == "w.weight" ? weight : bias;
    conv.finalize();
    const Tensor fast = run(conv, {&input});
    const Tensor ref = conv2dReferenceGeneral(input, weight, bias, p.strideH, p.strideW, c.pads, c.dilation, c.dilation, c.groups,
                                              Activation::Relu);
    ASSERT_EQ(fast.shape(), ref.shape());
    for (int64_t i = 0; i < ref.numel(); ++i)
        ASSERT_NEAR(fast.data()[i], ref.data()[i], 1e-4f) << "at " << i; // float sums in another order
}

INSTANTIATE_TEST_SUITE_P(Shapes, GeneralConvTest,
                         ::testing::Values(GeneralCase{3, 8, 3, 3, 1, 2, 1, 13, 11, {2, 2, 2, 2}},
                                           GeneralCase{4, 6, 3, 3, 2, 3, 2, 17, 15, {1, 0, 3, 2}},
                                           GeneralCase{8, 8, 3, 3, 1, 1, 8, 9, 10, {0, 0, 1, 1}},
                                           GeneralCase{5, 7, 2, 3, 2, 1, 1, 12, 9, {0, 1, 1, 0}},
                                           GeneralCase{6, 6, 5, 5, 1, 2, 3, 20, 18, {4, 4, 4, 3}}));

TEST(GeneralConv, DilatedKernelByHand)
{
    // 1 channel, 3x3 input 1..9, a 2x2 kernel of ones dilated by 2, no padding:
    // one output, the four corners 1 + 3 + 7 + 9 = 20. With a bottom/right pad
    // of 1 the output is 2x2: (0,1) sums 2 + 0 + 8 + 0 = 10, (1,0) 4 + 6 = 10, (1,1) 5.
    Conv2dParams p;
    p.inChannels = p.outChannels = 1;
    p.kernelH = p.kernelW = 2;
    p.dilationH = p.dilationW = 2;
    p.weights = "w";
    Tensor input({1, 3, 3}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9});
    Conv2d plain(p);
    plain.weightSlots()[0].target->operator=(Tensor({1, 1, 2, 2}, 1.0f));
    plain.finalize();
    const Tensor one = run(plain, {&input});
    ASSERT_EQ(one.shape(), (Shape{1, 1, 1}));
    EXPECT_FLOAT_EQ(one.data()[0], 20.0f);
    p.padBottom = p.padRight = 1;
    Conv2d padded(p);
    padded.weightSlots()[0].target->operator=(Tensor({1, 1, 2, 2}, 1.0f));
    padded.finalize();
    const Tensor four = run(padded, {&input});
    ASSERT_EQ(four.shape(), (Shape{1, 2, 2}));
    EXPECT_FLOAT_EQ(four.at(0, 0, 0), 20.0f);
    EXPECT_FLOAT_EQ(four.at(0, 0, 1), 10.0f);
    EXPECT_FLOAT_EQ(four.at(0, 1, 0), 10.0f);
    EXPECT_FLOAT_EQ(four.at(0, 1, 1), 5.0f);
}

TEST(GraphOps, ActivationsByHand)
{
    const auto f = [](const char* fn, float x, std::optional<float> alpha = {}, std::optional<float> lo = {},
                      std::optional<float> hi = {}) {
        ActivationParams p;
        p.fn = *parseActivationFn(fn);
        setActivationDefaults(p);
        if (alpha)
            p.alpha = *alpha;
        p.min = lo;
        p.max = hi;
        return applyActivation(p, x);
    };
    EXPECT_FLOAT_EQ(f("leakyrelu", -2.0f), -0.02f);
    EXPECT_FLOAT_EQ(f("leakyrelu", -2.0f, 0.1f), -0.2f);
    EXPECT_FLOAT_EQ(f("leakyrelu", 3.0f), 3.0f);
    EXPECT_FLOAT_EQ(f("elu", -1.0f), std::exp(-1.0f) - 1.0f);
    EXPECT_FLOAT_EQ(f("hsigmoid", 0.0f), 0.5f);
    EXPECT_FLOAT_EQ(f("hsigmoid", 3.0f), 1.0f);
    EXPECT_FLOAT_EQ(f("hsigmoid", 1.5f), 0.75f);
    EXPECT_FLOAT_EQ(f("hswish", 1.5f), 1.125f);
    EXPECT_FLOAT_EQ(f("hswish", -3.5f), 0.0f);
    EXPECT_FLOAT_EQ(f("tanh", 0.5f), std::tanh(0.5f));
    EXPECT_FLOAT_EQ(f("clip", -5.0f, {}, -1.0f, 2.0f), -1.0f);
    EXPECT_FLOAT_EQ(f("clip", 5.0f, {}, -1.0f, {}), 5.0f);
    EXPECT_FLOAT_EQ(f("relu6", 7.0f), 6.0f);
    EXPECT_FALSE(parseActivationFn("gelu"));
}

TEST(GraphOps, MulBroadcastsPerChannelAndScalar)
{
    Tensor x({2, 1, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
    Tensor perChannel({2, 1, 1}, std::vector<float>{10, -1});
    Tensor scalar({1, 1, 1}, std::vector<float>{0.5f});
    Mul mul;
    const Tensor a = run(mul, {&x, &perChannel});
    EXPECT_EQ(std::vector<float>(a.data(), a.data() + 6), (std::vector<float>{10, 20, 30, -4, -5, -6}));
    const Tensor b = run(mul, {&scalar, &x});
    EXPECT_EQ(std::vector<float>(b.data(), b.data() + 6), (std::vector<float>{0.5f, 1, 1.5f, 2, 2.5f, 3}));
    const Tensor c = run(mul, {&x, &x});
    EXPECT_FLOAT_EQ(c.data()[5], 36.0f);
    Tensor wrong({3, 1, 1});
    std::vector<Shape> shapes{x.shape(), wrong.shape()};
    Shape out;
    EXPECT_FALSE(mul.prepare(shapes, out));
}

TEST(GraphOps, SoftmaxOverChannelsAtEachPixel)
{
    // Pixel 0: logits 0, ln 3 -> 1/4, 3/4. Pixel 1: 1000, 1000 -> 1/2 each (no overflow).
    Tensor x({2, 1, 2}, std::vector<float>{0.0f, 1000.0f, std::log(3.0f), 1000.0f});
    const Tensor y = run(Softmax{}, {&x});
    EXPECT_NEAR(y.at(0, 0, 0), 0.25f, 1e-6f);
    EXPECT_NEAR(y.at(1, 0, 0), 0.75f, 1e-6f);
    EXPECT_NEAR(y.at(0, 0, 1), 0.5f, 1e-6f);
    EXPECT_NEAR(y.at(1, 0, 1), 0.5f, 1e-6f);
}

TEST(GraphOps, SliceResizeAndShuffleByHand)
{
    Tensor x({6, 1, 1}, std::vector<float>{0, 1, 2, 3, 4, 5});
    const Tensor slice = run(ChannelSlice(2, 5), {&x});
    EXPECT_EQ(std::vector<float>(slice.data(), slice.data() + 3), (std::vector<float>{2, 3, 4}));
    // 6 channels in 2 groups: [0 1 2 | 3 4 5] -> 0 3 1 4 2 5 (ShuffleNet's view-transpose-view).
    const Tensor shuffled = run(ChannelShuffle(2), {&x});
    EXPECT_EQ(std::vector<float>(shuffled.data(), shuffled.data() + 6), (std::vector<float>{0, 3, 1, 4, 2, 5}));

    Tensor square({1, 2, 2}, std::vector<float>{1, 2, 3, 4});
    const Tensor nearest = run(Resize(Resize::Mode::Nearest, 2, 2), {&square});
    EXPECT_EQ(std::vector<float>(nearest.data(), nearest.data() + 16),
              (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
    // PyTorch: F.interpolate([[1,2],[3,4]], scale_factor=2, mode='bilinear', align_corners=False).
    const Tensor bilinear = run(Resize(Resize::Mode::Bilinear, 2, 2), {&square});
    const std::vector<float> want{1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f,
                                  2.5f, 2.75f, 3.25f, 3.5f, 3.0f, 3.25f, 3.75f, 4.0f};
    for (size_t i = 0; i < want.size(); ++i)
        EXPECT_FLOAT_EQ(bilinear.data()[i], want[i]) << i;
}

TEST(GraphOps, SpecLayersBuildAndRefuseBadFields)
{
    const auto build = [](const std::string& layers) {
        auto spec = parseArchSpec(R"({"name": "g", "task": "classification", "input": {"channels": 4, "width": 6, "height": 6},
                                      "layers": )" + layers + "}", "test");
        EXPECT_TRUE(spec) << spec.error();
        return Network::build(*spec);
    };
    auto good = build(R"([{"name": "a", "op": "activation", "fn": "leakyrelu", "alpha": -0.5},
                          {"name": "s", "op": "slice", "begin": 1, "end": 3},
                          {"name": "r", "op": "resize", "mode": "bilinear", "scale": 2},
                          {"name": "c", "op": "channel_shuffle", "groups": 2},
                          {"name": "m", "op": "mul", "input": ["c", "r"]},
                          {"name": "x", "op": "softmax"}])");
    ASSERT_TRUE(good) << good.error();
    auto out = good->plan({4, 6, 6});
    ASSERT_TRUE(out) << out.error();
    EXPECT_EQ(out->back(), (Shape{2, 12, 12}));
    auto badFn = build(R"([{"name": "a", "op": "activation", "fn": "gelu"}])");
    ASSERT_FALSE(badFn);
    EXPECT_NE(badFn.error().find("unknown activation fn 'gelu'"), std::string::npos) << badFn.error();
    auto badSlice = build(R"([{"name": "s", "op": "slice", "begin": 3, "end": 9}])");
    ASSERT_FALSE(badSlice);
    EXPECT_NE(badSlice.error().find("do not fit"), std::string::npos) << badSlice.error();
    auto badShuffle = build(R"([{"name": "c", "op": "channel_shuffle", "groups": 3}])");
    ASSERT_FALSE(badShuffle);
    auto badDilation = build(R"([{"name": "k", "op": "conv", "out": 2, "kernel": 3, "dilation": 0, "weights": "k"}])");
    ASSERT_FALSE(badDilation);
}

} // namespace
} // namespace rnnpool
