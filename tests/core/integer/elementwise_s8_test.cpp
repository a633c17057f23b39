// Residual add, L2Norm and the background max-out in int8: against formulas
// in double, and the fast L2Norm bit for bit against its reference.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "integer/elementwise_s8.h"
#include "quant/quant_math.h"

namespace rnnpool {
namespace {

TEST(IntegerSqrt, IsTheExactFloor)
{
    std::mt19937_64 rng(5);
    std::vector<uint64_t> values{0, 1, 2, 3, 4, 15, 16, 17, UINT64_MAX, UINT64_MAX - 1, uint64_t{1} << 62, (uint64_t{1} << 32) - 1};
    for (uint64_t r : {uint64_t{3}, uint64_t{65535}, uint64_t{4294967295u}, uint64_t{123456789}}) {
        values.push_back(r * r);
        values.push_back(r * r - 1);
        values.push_back(r * r + 1);
    }
    for (int i = 0; i < 20000; ++i)
        values.push_back(rng() >> (rng() % 64));
    for (uint64_t v : values) {
        const uint64_t r = rp_isqrt_u64(v);
        ASSERT_LE(r * r, v) << v;
        ASSERT_TRUE(r == 0xFFFFFFFFu || (r + 1) * (r + 1) > v) << v;
    }
}

TEST(AddS8, WithinOneStepOfTheRealSum)
{
    std::mt19937 rng(6);
    std::uniform_real_distribution<float> lo(-8.0f, 0.0f), hi(0.1f, 8.0f);
    std::uniform_int_distribution<int> byte(-128, 127);
    for (int t = 0; t < 50; ++t) {
        const ActivationQuant a = activationQuant(lo(rng), hi(rng)), b = activationQuant(lo(rng), hi(rng));
        const ActivationQuant o = activationQuant(lo(rng) * 2, hi(rng) * 2);
        const rp_add_quant_t q = addQuant(a, b, o);
        std::vector<int8_t> x(512), y(512), out(512);
        for (size_t i = 0; i < x.size(); ++i) {
            x[i] = static_cast<int8_t>(byte(rng));
            y[i] = static_cast<int8_t>(byte(rng));
        }
        rp_add_s8(&q, x.data(), y.data(), 512, out.data());
        for (size_t i = 0; i < x.size(); ++i) {
            const double real = double(a.scale) * (x[i] - a.zeroPoint) + double(b.scale) * (y[i] - b.zeroPoint);
            const double expected = std::clamp(std::nearbyint(real / o.scale) + o.zeroPoint, -128.0, 127.0);
            ASSERT_LE(std::abs(out[i] - expected), 1.0) << real;
        }
    }
}

TEST(L2NormS8, FastEqualsReferenceAndBothTheFormula)
{
    std::mt19937 rng(8);
    std::uniform_int_distribution<int> byte(-128, 127), channels(1, 70);
    std::uniform_real_distribution<float> gamma(-12.0f, 12.0f);
    int64_t exact = 0, total = 0;
    for (int t = 0; t < 40; ++t) {
        const int32_t c = channels(rng), pixels = 64;
        const int32_t zp = byte(rng);
        const float outScale = 12.0f / 127.0f;
        const int32_t outZero = byte(rng) / 4;
        std::vector<float> g(static_cast<size_t>(c));
        std::vector<int32_t> mult, shift;
        for (float& v : g) {
            v = gamma(rng);
            const QuantMultiplier m = quantizeMultiplier(double(v) / (double(outScale) * 1073741824.0));
            mult.push_back(m.multiplier);
            shift.push_back(m.shift);
        }
        std::vector<int8_t> x(static_cast<size_t>(pixels * c)), ref(x.size()), fast(x.size());
        for (auto& v : x)
            v = static_cast<int8_t>(byte(rng));
        for (int32_t i = 0; i < c; ++i) // one pixel all at the zero point: S == 0
            x[size_t(i)] = static_cast<int8_t>(zp);
        const rp_l2norm_quant_t q{-zp, outZero, mult.data(), shift.data()};
        rp_l2norm_s8_ref(&q, x.data(), pixels, c, ref.data());
        rp_l2norm_s8(&q, x.data(), pixels, c, fast.data());
        ASSERT_EQ(ref, fast);
        for (int32_t p = 0; p < pixels; ++p) {
            double sum = 0.0;
            for (int32_t i = 0; i < c; ++i)
                sum += double(x[size_t(p * c + i)] - zp) * double(x[size_t(p * c + i)] - zp);
            for (int32_t i = 0; i < c; ++i) {
                const double real = sum > 0 ? double(g[size_t(i)]) * (x[size_t(p * c + i)] - zp) / std::sqrt(sum) : 0.0;
                const double expected = std::clamp(std::nearbyint(real / outScale) + outZero, -128.0, 127.0);
                const int got = ref[size_t(p * c + i)];
                ASSERT_LE(std::abs(got - expected), 1.0) << real;
                exact += got == expected;
                ++total;
            }
        }
    }
    EXPECT_GT(double(exact) / double(total), 0.99); // off by one only at near-ties
}

TEST(BackgroundMaxOutS8, MaxOfTheBackgroundThenTheRest)
{
    const std::vector<int8_t> in{1, -5, 3, 9, /**/ -128, -100, -128, 127};
    std::vector<int8_t> out(4);
    rp_background_maxout_s8(in.data(), 2, 4, 3, out.data());
    EXPECT_EQ(out, (std::vector<int8_t>{3, 9, -100, 127}));
    std::vector<int8_t> out2(6);
    rp_background_maxout_s8(in.data(), 2, 4, 2, out2.data());
    EXPECT_EQ(out2, (std::vector<int8_t>{1, 3, 9, -100, -128, 127}));
}

} // namespace
} // namespace rnnpool
