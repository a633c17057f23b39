// The masked-tap kernels for stride-1 "same" convolutions (ops/conv_same)
// against the scalar reference convolution: planes smaller than one packet,
// exactly one, one more, many rows per packet and the network's sizes;
// kernels 1, 3 and 5 (non-square too); every output count of the few-output
// kernel and each activation. Outputs start as NaN, so a lane left unwritten
// fails, and inputs sit between NaN guards, so a lane read outside the plane
// without its mask fails too.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "engine/threads.h"
#include "ops/conv2d.h"
#include "ops/conv_same.h"
#include "ops/simd.h"
#include "core/ops/masked_tap_support.h"

namespace rnnpool {
namespace {

using namespace testing_support;

struct Plane {
    int64_t h, w;
};
// 1 px, narrower than a packet, several rows per packet, exactly 16 and 32
// floats, one past, the M4 detector's maps and a wide one; rows of 64 and
// 160 floats, where whole groups of packets have every column inside (the
// depthwise kernel's plain-load path) and others do not.
const Plane kPlanes[] = {{1, 1}, {1, 7}, {3, 4}, {2, 8}, {4, 4}, {1, 17}, {5, 3}, {7, 9},
                         {15, 20}, {30, 40}, {13, 70}, {6, 1}, {9, 64}, {7, 160}};

TEST(ConvSame, AppliesOnlyToStrideOneSamePadding)
{
    EXPECT_EQ(sameConvApplies({3, 3, 1, 1, 1, 1}), simd::kMaskedLoads);
    EXPECT_EQ(sameConvApplies({5, 3, 1, 1, 2, 1}), simd::kMaskedLoads);
    EXPECT_FALSE(sameConvApplies({3, 3, 2, 2, 1, 1}));
    EXPECT_FALSE(sameConvApplies({3, 3, 1, 2, 1, 1}));
    EXPECT_FALSE(sameConvApplies({3, 3, 1, 1, 0, 0}));
    EXPECT_FALSE(sameConvApplies({3, 3, 1, 1, 2, 2}));
    EXPECT_FALSE(sameConvApplies({4, 4, 1, 1, 2, 2}));
}

TEST(ConvSame, DepthwiseMatchesScalarReference)
{
    if (!simd::kMaskedLoads)
        GTEST_SKIP() << "built without AVX-512: the kernels are never chosen";
    std::mt19937 rng(31);
    const Activation activations[] = {Activation::None, Activation::Relu, Activation::Relu6, Activation::HardSwish};
    // The 3×3 kernel twice: on a plane starting on a cache line (the aligned,
    // lane-shifting path where the plane is large enough) and one float off.
    const int64_t kernels[][3] = {{3, 3, 0}, {3, 3, 1}, {5, 5, 0}, {1, 1, 0}, {3, 5, 1}};
    int trial = 0;
    for (const Plane& plane : kPlanes)
        for (const auto& k : kernels) {
            const int64_t channels = 1 + trial % 5;
            const Activation activation = activations[trial++ % 4];
            const DirectConvShape shape{k[0], k[1], 1, 1, (k[0] - 1) / 2, (k[1] - 1) / 2};
            GuardedInput input(channels, plane.h, plane.w, rng, k[2]);
            const Tensor weight = randomWeights({channels, 1, k[0], k[1]}, rng);
            const Tensor bias = randomWeights({channels}, rng);
            Tensor fast = nanTensor(input.tensor.shape());
            depthwiseSame(shape, input.tensor, weight.data(), bias.data(), activation, fast);
            const Tensor reference =
                conv2dReference(input.tensor, weight, bias, 1, 1, shape.padH, shape.padW, channels, activation);
            EXPECT_LT(maxAbsDiff(fast, reference), 1e-5f) << channels << " channels, kernel " << k[0] << "x" << k[1]
                                                          << " on " << plane.w << "x" << plane.h << ", " << k[2]
                                                          << " floats off a cache line";
        }
}

TEST(ConvSame, FewOutputsMatchScalarReference)
{
    if (!simd::kMaskedLoads)
        GTEST_SKIP() << "built without AVX-512: the kernels are never chosen";
    std::mt19937 rng(57);
    const Activation activations[] = {Activation::None, Activation::Relu, Activation::Relu6, Activation::Swish};
    int trial = 0;
    for (const Plane& plane : kPlanes)
        for (int64_t outputs = 1; outputs <= kDirectMaxOutputs; ++outputs) {
            const int64_t k = trial % 5 == 4 ? 5 : 3;
            const int64_t channels = 1 + (trial * 7) % 40;
            const Activation activation = activations[trial++ % 4];
            const DirectConvShape shape{k, k, 1, 1, k / 2, k / 2};
            GuardedInput input(channels, plane.h, plane.w, rng);
            const Tensor weight = randomWeights({outputs, channels, k, k}, rng);
            const Tensor bias = randomWeights({outputs}, rng);
            Tensor fast = nanTensor({outputs, plane.h, plane.w});
            fewOutputsSame(shape, input.tensor, weight.data(), bias.data(), activation, fast);
            const Tensor reference = conv2dReference(input.tensor, weight, bias, 1, 1, k / 2, k / 2, 1, activation);
            // float32 sums of channels·k² products against double.
            EXPECT_LT(maxAbsDiff(fast, reference), 2e-5f * std::sqrt(static_cast<float>(channels * k * k)))
                << channels << " -> " << outputs << ", kernel " << k << " on " << plane.w << "x" << plane.h;
        }
}

// The few-output kernel splits planes into blocks of packets over threads;
// a plane of many blocks gives the same floats with 1 and 2 threads.
TEST(ConvSame, FewOutputsSameForAnyThreadCount)
{
    if (!simd::kMaskedLoads)
        GTEST_SKIP() << "built without AVX-512: the kernels are never chosen";
    std::mt19937 rng(5);
    GuardedInput input(4, 120, 160, rng);
    const Tensor weight = randomWeights({4, 4, 3, 3}, rng);
    const Tensor bias = randomWeights({4}, rng);
    const DirectConvShape shape{3, 3, 1, 1, 1, 1};
    Tensor one = nanTensor({4, 120, 160}), two = nanTensor({4, 120, 160});
    setEngineThreads(1);
    fewOutputsSame(shape, input.tensor, weight.data(), bias.data(), Activation::Relu, one);
    setEngineThreads(2);
    fewOutputsSame(shape, input.tensor, weight.data(), bias.data(), Activation::Relu, two);
    setEngineThreads(1);
    EXPECT_EQ(0, std::memcmp(one.data(), two.data(), sizeof(float) * static_cast<size_t>(one.numel())));
}

} // namespace
} // namespace rnnpool
