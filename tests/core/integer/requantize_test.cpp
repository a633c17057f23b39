// rp_requantize_s32 against the formula in long double (whose 64-bit
// mantissa holds every acc * multiplier exactly, so the expected value is
// exact) and in double (equal except at near-ties, where double itself rounds).
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "integer/requantize.h"
#include "quant/quant_math.h"

namespace rnnpool {
namespace {

int64_t exactRequantize(int32_t acc, int32_t multiplier, int32_t shift)
{
    const long double product = static_cast<long double>(acc) * static_cast<long double>(multiplier);
    const long double scaled = std::ldexp(product, shift - 31);
    long double r = std::floor(scaled + 0.5L); // round half up
    r = std::min<long double>(r, INT32_MAX);
    r = std::max<long double>(r, INT32_MIN);
    return static_cast<int64_t>(r);
}

TEST(Requantize, MatchesTheExactFormulaOnRandomAndEdgeValues)
{
    std::mt19937 rng(7);
    std::vector<int32_t> accs{0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1, 1 << 30, -(1 << 30)};
    std::vector<int32_t> multipliers{1 << 30, (1 << 30) + 1, INT32_MAX, -(1 << 30), -INT32_MAX, 1, -1, 0};
    std::vector<int32_t> shifts{-31, -30, -20, -1, 0, 1, 10, 30};
    std::uniform_int_distribution<int32_t> anyInt(INT32_MIN, INT32_MAX);
    std::uniform_int_distribution<int32_t> smallInt(-100000, 100000);
    std::uniform_int_distribution<int32_t> q31(1 << 30, INT32_MAX);
    std::uniform_int_distribution<int32_t> anyShift(-31, 30);
    for (int i = 0; i < 200; ++i) {
        accs.push_back(i % 2 ? anyInt(rng) : smallInt(rng));
        multipliers.push_back(i % 3 ? q31(rng) : -q31(rng));
        shifts.push_back(anyShift(rng));
    }
    int64_t checked = 0;
    for (int32_t acc : accs)
        for (int32_t m : multipliers)
            for (int32_t s : shifts) {
                ASSERT_EQ(rp_requantize_s32(acc, m, s), exactRequantize(acc, m, s)) << acc << " " << m << " " << s;
                ++checked;
            }
    EXPECT_GT(checked, 100000);
}

TEST(Requantize, TiesGoUpAndAgreeWithDoubleElsewhere)
{
    // 2^30 / 2^31 = 0.5: odd accumulators are exact ties.
    EXPECT_EQ(rp_requantize_s32(3, 1 << 30, 0), 2);   // 1.5 -> 2
    EXPECT_EQ(rp_requantize_s32(-3, 1 << 30, 0), -1); // -1.5 -> -1 (half up)
    EXPECT_EQ(rp_requantize_s32(5, 1 << 30, -1), 1);  // 1.25 -> 1
    std::mt19937 rng(11);
    std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
    std::uniform_real_distribution<double> real(1e-6, 4.0);
    int near = 0;
    for (int i = 0; i < 200000; ++i) {
        const double r = real(rng);
        const QuantMultiplier q = quantizeMultiplier(r);
        ASSERT_TRUE(q.valid);
        const int32_t a = acc(rng);
        const double represented = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
        EXPECT_NEAR(represented, r, r * 1e-9);
        const double scaled = a * represented;
        const double frac = scaled - std::floor(scaled);
        const int32_t got = rp_requantize_s32(a, q.multiplier, q.shift);
        if (std::abs(frac - 0.5) < 1e-6) {
            ++near;
            EXPECT_LE(std::abs(got - std::floor(scaled + 0.5)), 1.0);
        } else {
            ASSERT_EQ(got, static_cast<int32_t>(std::floor(scaled + 0.5))) << a << " * " << r;
        }
    }
    EXPECT_LT(near, 100);
}

TEST(Requantize, MultiplierLimits)
{
    EXPECT_EQ(quantizeMultiplier(0.0).multiplier, 0);
    EXPECT_FALSE(quantizeMultiplier(std::nan("")).valid);
    EXPECT_FALSE(quantizeMultiplier(std::ldexp(1.0, 31)).valid);
    const QuantMultiplier neg = quantizeMultiplier(-0.75);
    EXPECT_EQ(rp_requantize_s32(100, neg.multiplier, neg.shift), -75);
    // 1 - 2^-40 rounds to 2^31 in Q31: it must become 2^30 with one more shift.
    const QuantMultiplier one = quantizeMultiplier(1.0 - std::ldexp(1.0, -40));
    EXPECT_EQ(one.multiplier, 1 << 30);
    EXPECT_EQ(one.shift, 1);
    EXPECT_EQ(rp_requantize_s32(12345, one.multiplier, one.shift), 12345);
}

TEST(Requantize, ActivationRangesIncludeZeroExactly)
{
    const ActivationQuant relu6 = activationQuant(0.0f, 6.0f);
    EXPECT_EQ(relu6.zeroPoint, -128);
    EXPECT_FLOAT_EQ(relu6.dequantize(relu6.zeroPoint), 0.0f);
    const ActivationQuant wide = activationQuant(-3.0f, 5.0f);
    EXPECT_EQ(wide.quantize(0.0f), wide.zeroPoint);
    EXPECT_NEAR(wide.dequantize(wide.quantize(4.2f)), 4.2f, wide.scale / 2 + 1e-6f);
    EXPECT_EQ(wide.quantize(100.0f), 127);
    EXPECT_EQ(wide.quantize(-100.0f), -128);
}

TEST(Requantize, OffsetRangesKeepTheirOwnWidth)
{
    // One of RNNPool's output channels: 0.655..0.727, far from 0.
    const ActivationQuant a = offsetActivationQuant(0.655f, 0.727f);
    EXPECT_NEAR(a.scale, (0.727f - 0.655f) / 255.0f, 1e-9f);
    EXPECT_GT(activationQuant(0.655f, 0.727f).scale, 10.0f * a.scale); // widened to 0: ten times coarser
    EXPECT_LT(a.zeroPoint, -128);                                         // outside int8: readers fold it into biases
    EXPECT_LE(a.quantize(0.655f), -127);
    EXPECT_GE(a.quantize(0.727f), 126);
    for (int k = 0; k <= 100; ++k) {
        const float v = 0.655f + 0.072f * static_cast<float>(k) / 100.0f;
        EXPECT_NEAR(a.dequantize(a.quantize(v)), v, a.scale * 0.5f + 1e-6f) << v;
    }
    // Below 0 the zero point lies above int8.
    const ActivationQuant below = offsetActivationQuant(-0.9f, -0.8f);
    EXPECT_GT(below.zeroPoint, 127);
    EXPECT_NEAR(below.dequantize(below.quantize(-0.85f)), -0.85f, below.scale * 0.5f + 1e-6f);
    // Narrow and far from 0: the scale grows so that the zero point stays within its bound.
    const ActivationQuant far = offsetActivationQuant(100.0f, 100.001f);
    EXPECT_LE(std::abs(far.zeroPoint), kMaxOffsetZeroPoint);
    EXPECT_GT(far.scale, 100.0f / static_cast<float>(kMaxOffsetZeroPoint));
    EXPECT_NEAR(far.dequantize(far.quantize(100.0005f)), 100.0005f, far.scale);
    // A constant channel: a positive finite scale, its value kept.
    const ActivationQuant flat = offsetActivationQuant(0.5f, 0.5f);
    EXPECT_GT(flat.scale, 0.0f);
    EXPECT_TRUE(std::isfinite(flat.scale));
    EXPECT_NEAR(flat.dequantize(flat.quantize(0.5f)), 0.5f, flat.scale);
}

} // namespace
} // namespace rnnpool
