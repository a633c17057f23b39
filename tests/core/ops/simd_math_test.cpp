// The packet maths of the fast kernels (ops/simd.h) against the C library on
// dense grids and random points, with the error bounds their comments state.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "ops/fastgrnn_lanes.h"
#include "ops/simd.h"
#include "tensor/tensor.h"

namespace rnnpool {
namespace {

using simd::kLanes;

// Applies a packet function to xs, a packet at a time.
template <typename F>
std::vector<float> applyPackets(const std::vector<float>& xs, F f)
{
    std::vector<float> padded(xs), out((xs.size() + kLanes - 1) / kLanes * kLanes);
    padded.resize(out.size(), 0.0f);
    for (size_t i = 0; i < out.size(); i += kLanes)
        simd::store(out.data() + i, f(simd::load(padded.data() + i)));
    out.resize(xs.size());
    return out;
}

std::vector<float> grid(float lo, float hi, int n)
{
    std::vector<float> xs;
    for (int i = 0; i <= n; ++i)
        xs.push_back(lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(n));
    return xs;
}

TEST(SimdMath, ExpNegBoundedRelativeErrorBelow3e7)
{
    const auto xs = grid(-simd::kExpLimit, simd::kExpLimit, 20000);
    const auto ys = applyPackets(xs, [](const simd::Packet& x) { return simd::expNegBounded(x); });
    for (size_t i = 0; i < xs.size(); ++i) {
        const double expected = std::exp(-static_cast<double>(xs[i]));
        ASSERT_NEAR(ys[i] / expected, 1.0, 3e-7) << "x = " << xs[i];
    }
}

TEST(SimdMath, Exp2BoundedRelativeErrorBelow3e7)
{
    const auto xs = grid(-simd::kExp2Limit, simd::kExp2Limit, 20000);
    const auto ys = applyPackets(xs, [](const simd::Packet& x) { return simd::exp2Bounded(x); });
    for (size_t i = 0; i < xs.size(); ++i) {
        const double expected = std::exp2(static_cast<double>(xs[i]));
        ASSERT_NEAR(ys[i] / expected, 1.0, 3e-7) << "x = " << xs[i];
    }
}

TEST(SimdMath, ReciprocalRelativeErrorBelow1e6)
{
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> exponent(-60.0f, 60.0f);
    std::vector<float> xs;
    for (int i = 0; i < 4096; ++i)
        xs.push_back((i % 2 ? -1.0f : 1.0f) * std::exp(exponent(rng)));
    const auto ys = applyPackets(xs, [](const simd::Packet& x) { return simd::reciprocal(x); });
    for (size_t i = 0; i < xs.size(); ++i)
        ASSERT_NEAR(static_cast<double>(ys[i]) * xs[i], 1.0, 1e-6) << "x = " << xs[i];
}

TEST(SimdMath, SigmoidAndTanhAbsoluteErrorBelow3e7EverywhereIncludingSaturation)
{
    const auto xs = grid(-60.0f, 60.0f, 24000);
    const auto s = applyPackets(xs, [](const simd::Packet& x) { return simd::sigmoid(x); });
    const auto t = applyPackets(xs, [](const simd::Packet& x) { return simd::tanh(x); });
    for (size_t i = 0; i < xs.size(); ++i) {
        const double x = xs[i];
        ASSERT_NEAR(s[i], 1.0 / (1.0 + std::exp(-x)), 3e-7) << "x = " << x;
        ASSERT_NEAR(t[i], std::tanh(x), 3e-7) << "x = " << x;
    }
}

// Both gate formulas of the lane kernel against FastGrnnCell::step, the
// scalar oracle, on random pre-activations, states and biases (within the
// bound and beyond it), including pre-activations far into saturation.
TEST(SimdMath, LaneGatesMatchScalarCellStep)
{
    std::mt19937 rng(9);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (const float biasScale : {0.5f, 4.0f, 30.0f}) {
        FastGrnnCell cell;
        cell.inputSize = 1;
        cell.hiddenSize = 4;
        cell.W = Tensor({1, 4});
        cell.U = Tensor({4, 4}); // zero: the step's pre-activation is the input
        cell.biasGate = Tensor({1, 4});
        cell.biasUpdate = Tensor({1, 4});
        for (int64_t j = 0; j < 4; ++j) {
            cell.biasGate.data()[j] = std::clamp(biasScale * n(rng), -kGateBiasLimit - 20, kGateBiasLimit + 20);
            cell.biasUpdate.data()[j] = std::clamp(biasScale * n(rng), -kGateBiasLimit - 20, kGateBiasLimit + 20);
        }
        cell.zeta = Tensor({1, 1}, n(rng));
        cell.nu = Tensor({1, 1}, n(rng));
        cell.prepareScalars();
        if (biasScale < 1.0f) {
            EXPECT_TRUE(cell.gateBiasesBounded);
        }
        if (biasScale > 20.0f) {
            EXPECT_FALSE(cell.gateBiasesBounded);
        }
        const lanes::GateConstants constants(cell);
        for (int trial = 0; trial < 200; ++trial) {
            float pre[4][kLanes], state[4][kLanes];
            for (int64_t j = 0; j < 4; ++j)
                for (int64_t l = 0; l < kLanes; ++l) {
                    pre[j][l] = (trial % 4 == 0 ? 40.0f : 4.0f) * n(rng);
                    state[j][l] = n(rng);
                }
            for (int64_t j = 0; j < 4; ++j) {
                float oneExp[kLanes], twoExp[kLanes];
                // The one-exponential gate takes the sums of the lane weights,
                // which carry a factor -log2(e) (FastGrnnCell::laneW, laneU).
                const simd::Packet pre2 = simd::mul(simd::load(pre[j]), simd::splat(-lanes::kLog2E));
                simd::store(oneExp, lanes::gate<true>(constants, j, pre2, simd::load(state[j])));
                simd::store(twoExp, lanes::gate<false>(constants, j, simd::load(pre[j]), simd::load(state[j])));
                for (int64_t l = 0; l < kLanes; ++l) {
                    float wx[4], h[4];
                    for (int64_t k = 0; k < 4; ++k) {
                        wx[k] = pre[k][l];
                        h[k] = state[k][l];
                    }
                    cell.step(wx, h);
                    ASSERT_NEAR(twoExp[l], h[j], 2e-6) << "pre " << pre[j][l];
                    if (cell.gateBiasesBounded) {
                        ASSERT_NEAR(oneExp[l], h[j], 2e-6) << "pre " << pre[j][l] << " biases " << biasScale;
                    }
                }
            }
        }
    }
}

} // namespace
} // namespace rnnpool
