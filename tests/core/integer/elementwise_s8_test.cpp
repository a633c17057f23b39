// Residual add, L2Norm and the background max-out in int8: against formulas
// in double, and the fast L2Norm bit for bit against its reference.
#include <algorithm>
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

TEST(HalveS8, TheMeanOfFourRoundedHalfUp)
{
    // Hand-worked: -1.25 -> -1, -1.5 -> -1 (half up), 1.5 -> 2, the extremes stay.
    const std::vector<int8_t> one{-1, -1, /**/ -1, -2};
    std::vector<int8_t> out(1);
    rp_halve_s8(one.data(), 2, 2, 1, out.data());
    EXPECT_EQ(out[0], -1);
    const std::vector<int8_t> two{-1, -1, -2, -2, /**/ 1, 1, 2, 2, /**/ 127, 127, 127, 127, /**/ -128, -128, -128, -128};
    // 2x2 pixels of four channels: channel k's four values are two[k], two[4 + k], two[8 + k], two[12 + k].
    std::vector<int8_t> four(4);
    rp_halve_s8(two.data(), 2, 2, 4, four.data());
    // channel 0: -1 + 1 + 127 - 128 = -1 -> -0.25 -> 0; channel 2: -2 + 2 + 127 - 128 = -1 -> 0.
    EXPECT_EQ(four, (std::vector<int8_t>{0, 0, 0, 0}));
    const std::vector<int8_t> top{127, 127, 127, 127}, bottom{-128, -128, -128, -128};
    rp_halve_s8(top.data(), 2, 2, 1, out.data());
    EXPECT_EQ(out[0], 127);
    rp_halve_s8(bottom.data(), 2, 2, 1, out.data());
    EXPECT_EQ(out[0], -128);
}

TEST(HalveS8, AgreesWithTheRealMeanAndRunsInPlace)
{
    std::mt19937 rng(17);
    std::uniform_int_distribution<int> byte(-128, 127), side(1, 13), channels(1, 5);
    for (int t = 0; t < 300; ++t) {
        const int32_t h = side(rng), w = side(rng), c = channels(rng);
        std::vector<int8_t> in(size_t(h * w * c));
        for (int8_t& v : in)
            v = int8_t(byte(rng));
        const int32_t oh = h / 2, ow = w / 2; // an odd last row or column is dropped
        std::vector<int8_t> out(size_t(oh * ow * c) + 1, 99);
        rp_halve_s8(in.data(), h, w, c, out.data());
        EXPECT_EQ(out.back(), 99) << "wrote past the output";
        for (int32_t y = 0; y < oh; ++y)
            for (int32_t x = 0; x < ow; ++x)
                for (int32_t k = 0; k < c; ++k) {
                    const auto at = [&](int32_t yy, int32_t xx) { return double(in[size_t((yy * w + xx) * c + k)]); };
                    const double mean = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4.0;
                    ASSERT_EQ(out[size_t((y * ow + x) * c + k)], int8_t(std::floor(mean + 0.5))) << h << "x" << w << "x" << c;
                }
        std::vector<int8_t> inPlace = in; // a chip halves its frame buffer where it lies
        rp_halve_s8(inPlace.data(), h, w, c, inPlace.data());
        ASSERT_TRUE(std::equal(out.begin(), out.end() - 1, inPlace.begin())) << h << "x" << w << "x" << c;
    }
}

} // namespace
} // namespace rnnpool
