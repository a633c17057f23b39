// The stride-2 kernels (ops/conv_halving), depthwise and few-output, against the scalar
// reference convolution: even and odd input sizes (the last output row and
// column then see one padding column or none), rows narrower than a packet,
// exactly 32 input columns (one packet of outputs), one more, the M4
// detector's 30x40 map and a wide one; each activation; every output count. Inputs sit between
// NaN guards and outputs start as NaN, so a lane read outside the picture
// without its mask, or one never written, fails.
#include <gtest/gtest.h>

#include "core/ops/masked_tap_support.h"
#include "ops/conv2d.h"
#include "ops/conv_halving.h"

namespace rnnpool {
namespace {

using namespace testing_support;

TEST(ConvHalving, AppliesOnlyTo3x3Stride2Padding1)
{
    EXPECT_EQ(halvingApplies({3, 3, 2, 2, 1, 1}), simd::kMaskedLoads);
    EXPECT_FALSE(halvingApplies({3, 3, 1, 1, 1, 1}));
    EXPECT_FALSE(halvingApplies({3, 3, 2, 2, 0, 0}));
    EXPECT_FALSE(halvingApplies({5, 5, 2, 2, 2, 2}));
    EXPECT_FALSE(halvingApplies({3, 3, 2, 1, 1, 1}));
}

TEST(ConvHalving, DepthwiseMatchesScalarReference)
{
    if (!simd::kMaskedLoads)
        GTEST_SKIP() << "built without AVX-512: the kernel is never chosen";
    struct Plane {
        int64_t h, w;
    };
    const Plane planes[] = {{1, 1}, {2, 2}, {3, 5}, {4, 7}, {5, 32}, {6, 33}, {7, 31}, {30, 40}, {15, 20}, {9, 70}, {17, 97}};
    const Activation activations[] = {Activation::None, Activation::Relu, Activation::Relu6, Activation::HardSwish};
    std::mt19937 rng(19);
    int trial = 0;
    for (const Plane& plane : planes) {
        const int64_t channels = 1 + trial % 4;
        const Activation activation = activations[trial++ % 4];
        GuardedInput input(channels, plane.h, plane.w, rng);
        const Tensor weight = randomWeights({channels, 1, 3, 3}, rng);
        const Tensor bias = randomWeights({channels}, rng);
        const Tensor reference = conv2dReference(input.tensor, weight, bias, 2, 2, 1, 1, channels, activation);
        Tensor fast = nanTensor(reference.shape());
        depthwiseHalving(input.tensor, weight.data(), bias.data(), activation, fast);
        EXPECT_LT(maxAbsDiff(fast, reference), 1e-5f) << channels << " channels on " << plane.w << "x" << plane.h;
    }
}

TEST(ConvHalving, FewOutputsMatchScalarReference)
{
    if (!simd::kMaskedLoads)
        GTEST_SKIP() << "built without AVX-512: the kernel is never chosen";
    struct Plane {
        int64_t h, w;
    };
    const Plane planes[] = {{1, 1}, {3, 5}, {6, 33}, {7, 31}, {9, 64}, {11, 65}, {30, 40}, {24, 97}};
    const Activation activations[] = {Activation::None, Activation::Relu, Activation::Relu6, Activation::Swish};
    std::mt19937 rng(23);
    int trial = 0;
    for (const Plane& plane : planes)
        for (int64_t outputs = 1; outputs <= kDirectMaxOutputs; ++outputs) {
            const int64_t channels = 1 + (trial * 5) % 12;
            const Activation activation = activations[trial++ % 4];
            GuardedInput input(channels, plane.h, plane.w, rng);
            const Tensor weight = randomWeights({outputs, channels, 3, 3}, rng);
            const Tensor bias = randomWeights({outputs}, rng);
            const Tensor reference = conv2dReference(input.tensor, weight, bias, 2, 2, 1, 1, 1, activation);
            Tensor fast = nanTensor(reference.shape());
            fewOutputsHalving(input.tensor, weight.data(), bias.data(), activation, fast);
            EXPECT_LT(maxAbsDiff(fast, reference), 2e-5f * std::sqrt(9.0f * static_cast<float>(channels)))
                << channels << " -> " << outputs << " on " << plane.w << "x" << plane.h;
        }
}

} // namespace
} // namespace rnnpool
