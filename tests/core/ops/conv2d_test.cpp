// The fast convolution paths (direct depthwise, direct few-output, pointwise
// GEMM, im2col GEMM) against
// the scalar reference, on random shapes; and BatchNorm folding against an
// explicit BatchNorm after the reference convolution.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "ops/conv2d.h"

namespace rnnpool {
namespace {

Tensor randomTensor(Shape shape, std::mt19937& rng, float scale = 1.0f)
{
    std::normal_distribution<float> normal(0.0f, scale);
    Tensor t(std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = normal(rng);
    return t;
}

float maxAbsDiff(const Tensor& a, const Tensor& b)
{
    EXPECT_EQ(a.shape(), b.shape());
    float m = 0.0f;
    for (int64_t i = 0; i < a.numel() && i < b.numel(); ++i)
        m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
    return m;
}

// Gives conv these weights, runs it on input (output not zero-filled, as the
// network runs it) and returns the output with the scalar reference's.
std::pair<Tensor, Tensor> fastAndReference(Conv2d& conv, const Conv2dParams& p, const Tensor& weight, const Tensor& bias,
                                           const Tensor& input)
{
    for (WeightSlot& s : conv.weightSlots())
        *s.target = s.key == "w.weight" ? weight : bias;
    conv.finalize();
    const Shape inShape = input.shape();
    Shape outShape;
    EXPECT_TRUE(conv.prepare({&inShape, 1}, outShape));
    Tensor fast = Tensor::uninitialized(outShape);
    const Tensor* in[] = {&input};
    conv.eval(in, fast);
    return {std::move(fast), conv2dReference(input, weight, bias, p.strideH, p.strideW, p.padH, p.padW, p.groups, p.activation)};
}

struct ConvCase {
    int64_t cin, cout, k, stride, pad, groups, h, w;
};

class Conv2dRandomTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dRandomTest, FastPathMatchesScalarReference)
{
    const ConvCase c = GetParam();
    std::mt19937 rng(static_cast<unsigned>(c.cin * 131 + c.k * 17 + c.stride * 7 + c.groups + c.h));
    Conv2dParams p;
    p.inChannels = c.cin;
    p.outChannels = c.cout;
    p.kernelH = p.kernelW = c.k;
    p.strideH = p.strideW = c.stride;
    p.padH = p.padW = c.pad;
    p.groups = c.groups;
    p.bias = true;
    p.weights = "w";
    p.activation = Activation::Relu6;
    Conv2d conv(p);
    Tensor weight = randomTensor({c.cout, c.cin / c.groups, c.k, c.k}, rng, 0.3f);
    Tensor bias = randomTensor({c.cout}, rng);
    for (WeightSlot& s : conv.weightSlots())
        *s.target = s.key == "w.weight" ? weight : bias;
    conv.finalize();

    const Tensor input = randomTensor({c.cin, c.h, c.w}, rng);
    Shape outShape;
    const Shape inShape = input.shape();
    ASSERT_TRUE(conv.prepare({&inShape, 1}, outShape));
    Tensor fast(outShape);
    const Tensor* in[] = {&input};
    conv.eval(in, fast);
    const Tensor reference = conv2dReference(input, weight, bias, c.stride, c.stride, c.pad, c.pad, c.groups, Activation::Relu6);
    // float32 accumulation vs double: relative error grows with the reduction length.
    EXPECT_LT(maxAbsDiff(fast, reference), 1e-4f) << "cin=" << c.cin << " k=" << c.k << " groups=" << c.groups;
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dRandomTest,
                         ::testing::Values(ConvCase{3, 8, 3, 2, 1, 1, 17, 23},   // stem-like, odd sizes
                                           ConvCase{1, 4, 3, 2, 1, 1, 24, 32},   // monochrome stem
                                           ConvCase{16, 16, 3, 1, 1, 16, 13, 9}, // depthwise
                                           ConvCase{24, 24, 3, 2, 1, 24, 15, 20},// depthwise stride 2
                                           ConvCase{32, 64, 1, 1, 0, 1, 7, 11},  // pointwise GEMM
                                           ConvCase{24, 4, 5, 1, 2, 1, 9, 12},   // 5x5 head
                                           ConvCase{8, 12, 3, 1, 1, 4, 10, 10},  // grouped, not depthwise
                                           ConvCase{6, 5, 1, 2, 0, 1, 9, 9},     // strided 1x1 (im2col path)
                                           ConvCase{4, 8, 3, 2, 0, 1, 5, 6},     // no padding
                                           ConvCase{3, 2, 7, 3, 3, 1, 8, 8},     // big kernel, stride 3
                                           ConvCase{32, 32, 3, 2, 1, 32, 41, 67},// depthwise stride 2, wider than a chunk
                                           ConvCase{8, 8, 5, 1, 2, 8, 9, 33},    // depthwise 5x5
                                           ConvCase{5, 5, 3, 3, 0, 5, 11, 50},   // depthwise stride 3, no padding
                                           ConvCase{6, 12, 3, 1, 1, 1, 9, 40},   // dense, too many outputs for the direct path
                                           ConvCase{20, 8, 5, 2, 2, 1, 13, 70}));// dense direct path, 8 outputs, stride 2

// Many random shapes through every fast path (depthwise with any kernel,
// stride and padding; pointwise; im2col with groups), each activation, maps
// narrower and wider than the kernels' vector chunks.
TEST(Conv2d, RandomShapesMatchScalarReference)
{
    std::mt19937 rng(2024);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const Activation activations[] = {Activation::None, Activation::Relu, Activation::Relu6, Activation::Swish};
    for (int trial = 0; trial < 60; ++trial) {
        const int path = trial % 3; // 0 depthwise, 1 pointwise, 2 general
        Conv2dParams p;
        const int64_t k = path == 1 ? 1 : pick(1, 5);
        p.kernelH = p.kernelW = k;
        p.strideH = p.strideW = path == 1 ? 1 : pick(1, 3);
        p.padH = p.padW = path == 1 ? 0 : pick(0, static_cast<int>(k) / 2 + 1);
        if (path == 0) {
            p.inChannels = p.outChannels = p.groups = pick(2, 9);
        } else {
            p.groups = path == 2 ? pick(1, 3) : 1;
            p.inChannels = p.groups * pick(1, 6);
            p.outChannels = p.groups * (path == 2 ? pick(1, 12) : pick(1, 5)); // <= 8 outputs: direct path
        }
        p.bias = true;
        p.weights = "w";
        p.activation = activations[(trial / 3) % 4];
        const int64_t h = pick(static_cast<int>(k), 21), w = pick(static_cast<int>(k), 75);
        Conv2d conv(p);
        Tensor weight = randomTensor({p.outChannels, p.inChannels / p.groups, k, k}, rng, 0.3f);
        Tensor bias = randomTensor({p.outChannels}, rng);
        const Tensor input = randomTensor({p.inChannels, h, w}, rng);
        const auto [fast, reference] = fastAndReference(conv, p, weight, bias, input);
        EXPECT_LT(maxAbsDiff(fast, reference), 1e-4f) << "trial " << trial << ": " << p.inChannels << "->" << p.outChannels
                                                       << " k" << k << " s" << p.strideH << " p" << p.padH << " g" << p.groups
                                                       << " on " << w << "x" << h;
    }
}

// The register-blocked pointwise kernel (blocks of 8 output channels × 3
// packets of pixels) against the scalar reference: channel counts that leave
// every remainder of 8, pixel counts that leave partial packets and partial
// blocks, each activation it applies on packets and one it applies after.
TEST(Conv2d, PointwiseBlocksMatchScalarReference)
{
    std::mt19937 rng(77);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const Activation activations[] = {Activation::None, Activation::Relu, Activation::Relu6, Activation::HardSwish};
    for (int trial = 0; trial < 40; ++trial) {
        Conv2dParams p;
        p.kernelH = p.kernelW = 1;
        p.padH = p.padW = 0;
        p.inChannels = pick(1, 150);
        p.outChannels = trial < 16 ? trial + 1 : pick(1, 200);
        p.bias = true;
        p.weights = "w";
        p.activation = activations[trial % 4];
        const int64_t h = pick(1, 20), w = pick(1, 70);
        Conv2d conv(p);
        Tensor weight = randomTensor({p.outChannels, p.inChannels, 1, 1}, rng, 0.3f);
        Tensor bias = randomTensor({p.outChannels}, rng);
        const Tensor input = randomTensor({p.inChannels, h, w}, rng);
        const auto [fast, reference] = fastAndReference(conv, p, weight, bias, input);
        EXPECT_LT(maxAbsDiff(fast, reference), 1e-4f * std::sqrt(static_cast<float>(p.inChannels)))
            << "trial " << trial << ": " << p.inChannels << "->" << p.outChannels << " on " << w << "x" << h;
    }
}

TEST(Conv2d, FoldsBatchNormExactly)
{
    std::mt19937 rng(7);
    Conv2dParams p;
    p.inChannels = 4;
    p.outChannels = 6;
    p.kernelH = p.kernelW = 3;
    p.padH = p.padW = 1;
    p.weights = "c";
    p.bn = "bn";
    Conv2d conv(p);
    Tensor weight = randomTensor({6, 4, 3, 3}, rng);
    Tensor gamma = randomTensor({6}, rng), beta = randomTensor({6}, rng), mean = randomTensor({6}, rng);
    Tensor var({6});
    for (int i = 0; i < 6; ++i)
        var.data()[i] = 0.2f + static_cast<float>(i);
    for (WeightSlot& s : conv.weightSlots()) {
        if (s.key == "c.weight") *s.target = weight;
        else if (s.key == "bn.weight") *s.target = gamma;
        else if (s.key == "bn.bias") *s.target = beta;
        else if (s.key == "bn.running_mean") *s.target = mean;
        else if (s.key == "bn.running_var") *s.target = var;
        else FAIL() << "unexpected slot " << s.key;
    }
    conv.finalize();
    const Tensor input = randomTensor({4, 8, 9}, rng);
    Tensor out({6, 8, 9});
    const Tensor* in[] = {&input};
    conv.eval(in, out);
    Tensor expected = conv2dReference(input, weight, Tensor(), 1, 1, 1, 1, 1, Activation::None);
    for (int64_t c = 0; c < 6; ++c)
        for (int64_t i = 0; i < 72; ++i) {
            float& v = expected.data()[c * 72 + i];
            v = (v - mean.data()[c]) / std::sqrt(var.data()[c] + 1e-5f) * gamma.data()[c] + beta.data()[c];
        }
    EXPECT_LT(maxAbsDiff(out, expected), 1e-4f);
}

TEST(Conv2d, RefusesTooSmallInput)
{
    Conv2dParams p;
    p.inChannels = 1;
    p.outChannels = 1;
    p.kernelH = p.kernelW = 5;
    p.weights = "c";
    Conv2d conv(p);
    Shape in{1, 3, 3}, out;
    const Status st = conv.prepare({&in, 1}, out);
    EXPECT_FALSE(st);
    EXPECT_NE(st.error().find("too small"), std::string::npos) << st.error();
}

} // namespace
} // namespace rnnpool
