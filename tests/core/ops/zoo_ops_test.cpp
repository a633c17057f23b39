// The small ops of the classification zoo (pooling, concat, standalone
// BatchNorm, squeeze-excite, swish-family activations) against scalar
// references written independently here, and PyTorch's pooling output sizes.
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "ops/batch_norm.h"
#include "ops/concat.h"
#include "ops/pooling.h"
#include "ops/squeeze_excite.h"

namespace rnnpool {
namespace {

Tensor randomTensor(Shape shape, std::mt19937& rng)
{
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Tensor t(std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = normal(rng);
    return t;
}

TEST(Activations, MatchTheirDefinitionsAtKnownPoints)
{
    EXPECT_NEAR(activate(Activation::Sigmoid, 0.0f), 0.5f, 1e-7f);
    EXPECT_NEAR(activate(Activation::Sigmoid, 2.0f), 0.8807971f, 1e-6f);
    EXPECT_NEAR(activate(Activation::Swish, 1.0f), 0.7310586f, 1e-6f);
    EXPECT_NEAR(activate(Activation::Swish, -2.0f), -0.2384058f, 1e-6f);
    EXPECT_NEAR(activate(Activation::HardSwish, 1.0f), 4.0f / 6.0f, 1e-6f);
    EXPECT_EQ(activate(Activation::HardSwish, -3.5f), 0.0f);
    EXPECT_EQ(activate(Activation::HardSwish, 4.0f), 4.0f);
    EXPECT_NEAR(activate(Activation::HardSigmoid, 0.0f), 0.5f, 1e-7f);
    EXPECT_EQ(parseActivation("silu"), Activation::Swish);
    EXPECT_FALSE(parseActivation("gelu"));
}

TEST(Pool2d, OutputSizesFollowPyTorchIncludingCeilMode)
{
    auto size = [](int64_t in, int64_t k, int64_t s, int64_t p, bool ceil) {
        Pool2dParams params;
        params.kernel = k;
        params.stride = s;
        params.pad = p;
        params.ceilMode = ceil;
        return poolOutputSize(in, params);
    };
    EXPECT_EQ(size(112, 3, 2, 1, false), 56); // ResNet's max pool
    EXPECT_EQ(size(112, 3, 2, 0, true), 56);  // GoogLeNet's maxpool1
    EXPECT_EQ(size(14, 2, 2, 0, true), 7);    // GoogLeNet's maxpool4
    EXPECT_EQ(size(7, 3, 2, 0, true), 3);
    EXPECT_EQ(size(6, 3, 2, 1, true), 4);
    EXPECT_EQ(size(5, 2, 2, 1, true), 3);     // a 4th window would start in the right padding: dropped
    EXPECT_EQ(size(7, 2, 2, 0, false), 3);
}

// Pads explicitly, then takes plain windows: a second way to the same answer.
Tensor poolReference(const Tensor& in, const Pool2dParams& p, int64_t oh, int64_t ow)
{
    const bool isMax = p.mode == Pool2dParams::Mode::Max;
    const int64_t ph = in.dim(1) + 2 * p.pad + p.kernel, pw = in.dim(2) + 2 * p.pad + p.kernel;
    const float fill = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
    Tensor padded({in.dim(0), ph, pw}, fill);
    for (int64_t c = 0; c < in.dim(0); ++c)
        for (int64_t y = 0; y < in.dim(1); ++y)
            for (int64_t x = 0; x < in.dim(2); ++x)
                padded.at(c, y + p.pad, x + p.pad) = in.at(c, y, x);
    Tensor out({in.dim(0), oh, ow});
    for (int64_t c = 0; c < in.dim(0); ++c)
        for (int64_t oy = 0; oy < oh; ++oy)
            for (int64_t ox = 0; ox < ow; ++ox) {
                double acc = isMax ? -INFINITY : 0.0;
                for (int64_t ky = 0; ky < p.kernel; ++ky)
                    for (int64_t kx = 0; kx < p.kernel; ++kx) {
                        const double v = padded.at(c, oy * p.stride + ky, ox * p.stride + kx);
                        acc = isMax ? std::max(acc, v) : acc + v;
                    }
                out.at(c, oy, ox) = static_cast<float>(isMax ? acc : acc / static_cast<double>(p.kernel * p.kernel));
            }
    return out;
}

TEST(Pool2d, MaxAndAverageMatchThePaddedReferenceOnRandomMaps)
{
    std::mt19937 rng(3);
    struct Case {
        Pool2dParams::Mode mode;
        int64_t k, s, p, h, w;
    };
    for (const Case& c : {Case{Pool2dParams::Mode::Max, 3, 2, 1, 11, 8}, Case{Pool2dParams::Mode::Max, 2, 2, 0, 9, 10},
                          Case{Pool2dParams::Mode::Max, 3, 1, 1, 5, 7}, Case{Pool2dParams::Mode::Average, 2, 2, 0, 8, 6},
                          Case{Pool2dParams::Mode::Average, 3, 2, 1, 7, 9}}) {
        Pool2dParams p;
        p.mode = c.mode;
        p.kernel = c.k;
        p.stride = c.s;
        p.pad = c.p;
        const Pool2d op(p);
        const Tensor in = randomTensor({3, c.h, c.w}, rng);
        Shape shape;
        ASSERT_TRUE(op.prepare(std::vector<Shape>{in.shape()}, shape));
        Tensor out(shape);
        const Tensor* inputs[] = {&in};
        op.eval(inputs, out);
        const Tensor ref = poolReference(in, p, shape[1], shape[2]);
        for (int64_t i = 0; i < out.numel(); ++i)
            ASSERT_NEAR(out.data()[i], ref.data()[i], 1e-5f) << "case k" << c.k << " s" << c.s << " p" << c.p << " at " << i;
    }
}

TEST(Pool2d, AWindowLargerThanTheMapIsAMessage)
{
    Pool2dParams p;
    p.kernel = 5;
    Shape out;
    const Status st = Pool2d(p).prepare(std::vector<Shape>{{4, 3, 3}}, out);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().find("[4,3,3]"), std::string::npos) << st.error();
}

TEST(Concat, StacksChannelsInInputOrderAndRejectsMismatchedMaps)
{
    Tensor a({1, 2, 2}, 1.0f), b({2, 2, 2}, 2.0f);
    const Concat op(2);
    Shape shape;
    ASSERT_TRUE(op.prepare(std::vector<Shape>{a.shape(), b.shape()}, shape));
    EXPECT_EQ(shape, (Shape{3, 2, 2}));
    Tensor out(shape);
    const Tensor* inputs[] = {&a, &b};
    op.eval(inputs, out);
    EXPECT_EQ(out.at(0, 1, 1), 1.0f);
    EXPECT_EQ(out.at(1, 0, 0), 2.0f);
    EXPECT_EQ(out.at(2, 1, 0), 2.0f);
    EXPECT_FALSE(op.prepare(std::vector<Shape>{{1, 2, 2}, {1, 2, 3}}, shape));
}

TEST(BatchNormAct, FoldsRunningStatisticsAsTheFormulaSays)
{
    BatchNormAct bn(2, "norm", Activation::Relu, 1e-5f);
    const std::vector<float> gamma{2.0f, 0.5f}, beta{0.1f, -1.0f}, mean{1.0f, -2.0f}, var{4.0f, 0.25f};
    const std::vector<const std::vector<float>*> values{&gamma, &beta, &mean, &var};
    auto slots = bn.weightSlots();
    ASSERT_EQ(slots.size(), 4u);
    EXPECT_FALSE(slots[2].trainable);
    for (size_t i = 0; i < 4; ++i)
        *slots[i].target = Tensor({2}, *values[i]);
    bn.finalize();
    Tensor in({2, 1, 3}, std::vector<float>{-1.0f, 0.0f, 3.0f, -2.0f, 0.0f, 1.0f});
    Tensor out(in.shape());
    const Tensor* inputs[] = {&in};
    bn.eval(inputs, out);
    for (int64_t c = 0; c < 2; ++c)
        for (int64_t x = 0; x < 3; ++x) {
            const float y = gamma[c] * (in.at(c, 0, x) - mean[c]) / std::sqrt(var[c] + 1e-5f) + beta[c];
            EXPECT_NEAR(out.at(c, 0, x), std::max(y, 0.0f), 1e-5f);
        }
}

TEST(SqueezeExcite, ScalesEveryChannelByItsGate)
{
    std::mt19937 rng(9);
    SqueezeExciteParams p;
    p.channels = 6;
    p.squeezed = 2;
    p.weights = "se";
    SqueezeExcite se(p);
    auto slots = se.weightSlots();
    for (WeightSlot& s : slots)
        *s.target = randomTensor(s.shape, rng);
    const Tensor in = randomTensor({6, 4, 5}, rng);
    Tensor out(in.shape());
    const Tensor* inputs[] = {&in};
    se.eval(inputs, out);
    // Reference: mean, 1x1 reduce + swish, 1x1 expand + sigmoid, scale.
    const Tensor &w1 = *slots[0].target, &b1 = *slots[1].target, &w2 = *slots[2].target, &b2 = *slots[3].target;
    std::vector<double> mean(6, 0.0), hidden(2, 0.0);
    for (int64_t c = 0; c < 6; ++c)
        for (int64_t i = 0; i < 20; ++i)
            mean[c] += in.data()[c * 20 + i] / 20.0;
    for (int64_t r = 0; r < 2; ++r) {
        double z = b1.data()[r];
        for (int64_t c = 0; c < 6; ++c)
            z += w1.data()[r * 6 + c] * mean[c];
        hidden[r] = z / (1.0 + std::exp(-z));
    }
    for (int64_t c = 0; c < 6; ++c) {
        double z = b2.data()[c];
        for (int64_t r = 0; r < 2; ++r)
            z += w2.data()[c * 2 + r] * hidden[r];
        const double gate = 1.0 / (1.0 + std::exp(-z));
        for (int64_t i = 0; i < 20; ++i)
            ASSERT_NEAR(out.data()[c * 20 + i], in.data()[c * 20 + i] * gate, 1e-5);
    }
    EXPECT_EQ(se.madds({}, {}), 2 * 6 * 2);
}

} // namespace
} // namespace rnnpool
