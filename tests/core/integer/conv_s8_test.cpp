// The int8 convolutions: the fast paths bit for bit against the scalar
// references on random shapes (the face detectors' shapes among them), and
// the references against the float engine's convolution on dequantised values.
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "integer/conv_s8.h"
#include "support/random_int8.h"
#include "ops/conv2d.h"
#include "quant/quant_math.h"

namespace rnnpool {
namespace {

size_t outputSize(const rp_conv_shape_t& s)
{
    return static_cast<size_t>(rp_conv_out_height(&s) * rp_conv_out_width(&s) * s.out_channels);
}

TEST(ConvS8, GeneralFastEqualsReference)
{
    std::mt19937 rng(1);
    std::vector<rp_conv_shape_t> shapes{
        {1, 240, 320, 4, 3, 3, 2, 2, 1, 1},  // RNNPool-Face-M4's stem
        {3, 31, 33, 4, 3, 3, 2, 2, 1, 1},    // colour stem, odd sizes
        {32, 30, 40, 4, 3, 3, 1, 1, 1, 1},   // a head
        {64, 15, 20, 2, 3, 3, 1, 1, 1, 1},
    };
    std::uniform_int_distribution<int32_t> ch(1, 20), hw(1, 19), k(1, 5), st(1, 3), pd(0, 2);
    for (int i = 0; i < 60; ++i) {
        rp_conv_shape_t s{ch(rng), hw(rng), hw(rng), ch(rng), k(rng), k(rng), st(rng), st(rng), pd(rng), pd(rng)};
        s.pad_h = std::min(s.pad_h, s.kernel_h - 1);
        s.pad_w = std::min(s.pad_w, s.kernel_w - 1);
        if (s.in_height + 2 * s.pad_h < s.kernel_h || s.in_width + 2 * s.pad_w < s.kernel_w)
            continue;
        shapes.push_back(s);
    }
    for (const rp_conv_shape_t& s : shapes) {
        const Case c = randomCase(rng, s, false, rng() % 4 != 0);
        const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
        std::vector<int8_t> ref(outputSize(s)), fast(outputSize(s), 99);
        std::vector<uint8_t> scratch(static_cast<size_t>(rp_conv_s8_scratch_size(&s)));
        rp_conv_s8_ref(&s, &c.quant, c.input.data(), c.weights.data(), bias, ref.data());
        rp_conv_s8(&s, &c.quant, c.input.data(), c.weights.data(), bias, scratch.data(), fast.data());
        ASSERT_EQ(ref, fast) << "cin " << s.in_channels << " " << s.in_height << "x" << s.in_width << " k" << s.kernel_h << "x"
                             << s.kernel_w << " s" << s.stride_h << " p" << s.pad_h;
    }
}

TEST(ConvS8, DepthwiseFastEqualsReference)
{
    std::mt19937 rng(2);
    std::vector<rp_conv_shape_t> shapes{{128, 30, 40, 128, 3, 3, 1, 1, 1, 1}, {64, 30, 40, 64, 3, 3, 2, 2, 1, 1}};
    std::uniform_int_distribution<int32_t> ch(1, 40), hw(2, 17), st(1, 2);
    for (int i = 0; i < 40; ++i) {
        const int32_t c = ch(rng), stride = st(rng);
        shapes.push_back({c, hw(rng), hw(rng), c, 3, 3, stride, stride, 1, 1});
    }
    for (const rp_conv_shape_t& s : shapes) {
        const Case c = randomCase(rng, s, true, rng() % 4 != 0);
        const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
        std::vector<int8_t> ref(outputSize(s)), fast(outputSize(s), 99);
        std::vector<uint8_t> scratch(static_cast<size_t>(rp_depthwise_conv_s8_scratch_size(&s)));
        rp_depthwise_conv_s8_ref(&s, &c.quant, c.input.data(), c.weights.data(), bias, ref.data());
        rp_depthwise_conv_s8(&s, &c.quant, c.input.data(), c.weights.data(), bias, scratch.data(), fast.data());
        ASSERT_EQ(ref, fast) << s.in_channels << " " << s.in_height << "x" << s.in_width << " stride " << s.stride_h;
    }
}

TEST(ConvS8, PointwiseFastEqualsReference)
{
    std::mt19937 rng(3);
    std::vector<rp_conv_shape_t> shapes{{64, 30, 40, 128, 1, 1, 1, 1, 0, 0}, {128, 30, 40, 32, 1, 1, 1, 1, 0, 0}};
    std::uniform_int_distribution<int32_t> ch(1, 70), hw(1, 13);
    for (int i = 0; i < 60; ++i)
        shapes.push_back({ch(rng), hw(rng), hw(rng), ch(rng), 1, 1, 1, 1, 0, 0});
    for (const rp_conv_shape_t& s : shapes) {
        const Case c = randomCase(rng, s, false, rng() % 4 != 0);
        const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
        std::vector<int8_t> ref(outputSize(s)), fast(outputSize(s), 99);
        std::vector<uint8_t> scratch(static_cast<size_t>(rp_pointwise_conv_s8_scratch_size(&s)));
        rp_pointwise_conv_s8_ref(&s, &c.quant, c.input.data(), c.weights.data(), bias, ref.data());
        rp_pointwise_conv_s8(&s, &c.quant, c.input.data(), c.weights.data(), bias, scratch.data(), fast.data());
        ASSERT_EQ(ref, fast) << s.in_channels << " -> " << s.out_channels;
    }
}

// The x86 AVX2 1x1 path on the shapes it takes (cin a multiple of 16, cout of
// 8), extreme inputs and weights, every shift from -31 to -2; the shapes it
// does not take (and a scale of 1/4 or more) are left to the portable path.
TEST(ConvS8, PointwiseAvx2PathEqualsReference)
{
    std::mt19937 rng(5);
    int ran = 0;
    for (int i = 0; i < 80; ++i) {
        const rp_conv_shape_t s{16 * static_cast<int32_t>(1 + rng() % 8), static_cast<int32_t>(1 + rng() % 9),
                                static_cast<int32_t>(1 + rng() % 9), 8 * static_cast<int32_t>(1 + rng() % 16), 1, 1, 1, 1, 0, 0};
        Case c = randomCase(rng, s, false, rng() % 4 != 0);
        if (i % 5 == 0)
            for (auto& v : c.input)
                v = static_cast<int8_t>(rng() % 2 ? 127 : -128);
        if (i % 7 == 0)
            for (auto& v : c.weights)
                v = -128;
        for (auto& sh : c.shift)
            sh = -2 - static_cast<int32_t>(rng() % 30);
        const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
        std::vector<int32_t> fullBias(static_cast<size_t>(s.out_channels));
        for (int32_t o = 0; o < s.out_channels; ++o) {
            int32_t sum = 0;
            for (int32_t k = 0; k < s.in_channels; ++k)
                sum += c.weights[static_cast<size_t>(o * s.in_channels + k)];
            fullBias[static_cast<size_t>(o)] = (bias ? bias[o] : 0) + c.quant.input_offset * sum;
        }
        std::vector<int8_t> ref(outputSize(s)), fast(outputSize(s), 99);
        rp_pointwise_conv_s8_ref(&s, &c.quant, c.input.data(), c.weights.data(), bias, ref.data());
        const int done = rp_pointwise_conv_s8_avx2(&s, &c.quant, c.input.data(), c.weights.data(), fullBias.data(), fast.data());
#if defined(__AVX2__)
        ASSERT_EQ(done, 1);
        ASSERT_EQ(ref, fast) << s.in_channels << " -> " << s.out_channels << " case " << i;
        ++ran;
#else
        ASSERT_EQ(done, 0);
#endif
    }
#if defined(__AVX2__)
    EXPECT_EQ(ran, 80);
#endif
    // Not taken: cin 24, cout 12, and a scale of 1/4 (shift -1).
    std::mt19937 rng2(6);
    for (const rp_conv_shape_t& s : {rp_conv_shape_t{24, 3, 3, 8, 1, 1, 1, 1, 0, 0}, rp_conv_shape_t{16, 3, 3, 12, 1, 1, 1, 1, 0, 0}}) {
        const Case c = randomCase(rng2, s, false, true);
        std::vector<int32_t> fullBias(static_cast<size_t>(s.out_channels));
        std::vector<int8_t> out(outputSize(s));
        EXPECT_EQ(rp_pointwise_conv_s8_avx2(&s, &c.quant, c.input.data(), c.weights.data(), fullBias.data(), out.data()), 0);
    }
    Case c = randomCase(rng2, {16, 3, 3, 8, 1, 1, 1, 1, 0, 0}, false, true);
    c.shift[3] = -1;
    std::vector<int32_t> fullBias(8);
    std::vector<int8_t> out(72);
    EXPECT_EQ(rp_pointwise_conv_s8_avx2(&c.shape, &c.quant, c.input.data(), c.weights.data(), fullBias.data(), out.data()), 0);
}

// The x86 AVX2 depthwise path: channels a multiple of 8, 3x3 and 5x5 windows,
// strides 1 and 2, padding at every border, extreme values, every shift it takes.
TEST(ConvS8, DepthwiseAvx2PathEqualsReference)
{
    std::mt19937 rng(7);
    int ran = 0;
    for (int i = 0; i < 60; ++i) {
        const int32_t c = 8 * static_cast<int32_t>(1 + rng() % 16), k = rng() % 3 == 0 ? 5 : 3, stride = 1 + static_cast<int32_t>(rng() % 2);
        const rp_conv_shape_t s{c, static_cast<int32_t>(k + rng() % 12), static_cast<int32_t>(k + rng() % 12), c, k, k,
                                stride, stride, static_cast<int32_t>(rng() % static_cast<uint32_t>(k / 2 + 1)),
                                static_cast<int32_t>(rng() % static_cast<uint32_t>(k / 2 + 1))};
        Case cs = randomCase(rng, s, true, rng() % 4 != 0);
        if (i % 5 == 0)
            for (auto& v : cs.input)
                v = static_cast<int8_t>(rng() % 2 ? 127 : -128);
        if (i % 7 == 0)
            for (auto& v : cs.weights)
                v = -128;
        for (auto& sh : cs.shift)
            sh = -2 - static_cast<int32_t>(rng() % 30);
        const int32_t* bias = cs.bias.empty() ? nullptr : cs.bias.data();
        std::vector<int8_t> ref(outputSize(s)), fast(outputSize(s), 99);
        rp_depthwise_conv_s8_ref(&s, &cs.quant, cs.input.data(), cs.weights.data(), bias, ref.data());
        const int done = rp_depthwise_conv_s8_avx2(&s, &cs.quant, cs.input.data(), cs.weights.data(), bias, fast.data());
#if defined(__AVX2__)
        ASSERT_EQ(done, 1);
        ASSERT_EQ(ref, fast) << c << " channels, " << k << "x" << k << " stride " << stride << " case " << i;
        ++ran;
#else
        ASSERT_EQ(done, 0);
#endif
    }
#if defined(__AVX2__)
    EXPECT_EQ(ran, 60);
#endif
    // Not taken: 12 channels.
    const Case c = randomCase(rng, {12, 5, 5, 12, 3, 3, 1, 1, 1, 1}, true, true);
    std::vector<int8_t> out(300);
    EXPECT_EQ(rp_depthwise_conv_s8_avx2(&c.shape, &c.quant, c.input.data(), c.weights.data(), c.bias.data(), out.data()), 0);
}

// The x86 AVX2 one-channel KxK path (the grey stem): kernels 1-7, strides 1
// and 2, padding, widths that leave partial vectors, extremes, every shift it
// takes; the face detector's stem among the shapes.
TEST(ConvS8, OneChannelAvx2PathEqualsReference)
{
    std::mt19937 rng(8);
    std::vector<rp_conv_shape_t> shapes{{1, 240, 320, 4, 3, 3, 2, 2, 1, 1}, {1, 60, 80, 4, 3, 3, 2, 2, 1, 1}};
    for (int i = 0; i < 70; ++i) {
        const int32_t k = 1 + static_cast<int32_t>(rng() % 7), st = 1 + static_cast<int32_t>(rng() % 2);
        const int32_t pad = static_cast<int32_t>(rng() % static_cast<uint32_t>(k / 2 + 1));
        shapes.push_back({1, static_cast<int32_t>(k + rng() % 20), static_cast<int32_t>(k + rng() % 60),
                          1 + static_cast<int32_t>(rng() % 8), k, k, 1 + static_cast<int32_t>(rng() % 2), st, pad, pad});
    }
    int ran = 0;
    for (size_t i = 0; i < shapes.size(); ++i) {
        const rp_conv_shape_t& s = shapes[i];
        Case c = randomCase(rng, s, false, rng() % 4 != 0);
        if (i % 5 == 0)
            for (auto& v : c.input)
                v = static_cast<int8_t>(rng() % 2 ? 127 : -128);
        for (auto& sh : c.shift)
            sh = -2 - static_cast<int32_t>(rng() % 30);
        const int32_t* bias = c.bias.empty() ? nullptr : c.bias.data();
        std::vector<int8_t> ref(outputSize(s)), fast(outputSize(s), 99);
        rp_conv_s8_ref(&s, &c.quant, c.input.data(), c.weights.data(), bias, ref.data());
        const int done = rp_conv_s8_c1_avx2(&s, &c.quant, c.input.data(), c.weights.data(), bias, fast.data());
#if defined(__AVX2__)
        ASSERT_EQ(done, 1);
        ASSERT_EQ(ref, fast) << s.in_height << "x" << s.in_width << " k" << s.kernel_h << " s" << s.stride_h << "x"
                             << s.stride_w << " p" << s.pad_h << " -> " << s.out_channels << " case " << i;
        ++ran;
#else
        ASSERT_EQ(done, 0);
#endif
    }
#if defined(__AVX2__)
    EXPECT_EQ(ran, static_cast<int>(shapes.size()));
#endif
    // Not taken: two input channels, nine outputs.
    for (const rp_conv_shape_t& s : {rp_conv_shape_t{2, 9, 9, 4, 3, 3, 1, 1, 1, 1}, rp_conv_shape_t{1, 9, 9, 9, 3, 3, 1, 1, 1, 1}}) {
        const Case c = randomCase(rng, s, false, true);
        std::vector<int8_t> out(outputSize(s));
        EXPECT_EQ(rp_conv_s8_c1_avx2(&s, &c.quant, c.input.data(), c.weights.data(), c.bias.data(), out.data()), 0);
    }
}

// The reference against the float engine's convolution on the dequantised
// tensors (CHW / OIHW there, HWC / OHWI here): within one output step.
TEST(ConvS8, ReferenceAgreesWithTheFloatConvolution)
{
    std::mt19937 rng(4);
    for (const bool depthwise : {false, true}) {
        const rp_conv_shape_t s = depthwise ? rp_conv_shape_t{6, 9, 11, 6, 3, 3, 2, 2, 1, 1}
                                            : rp_conv_shape_t{3, 9, 11, 5, 3, 3, 2, 2, 1, 1};
        const float inScale = 0.05f, outScale = 0.4f;
        const int32_t inZero = 7, outZero = -3;
        std::uniform_int_distribution<int> byte(-128, 127);
        std::uniform_real_distribution<float> wScale(0.001f, 0.02f);
        std::vector<int8_t> input(static_cast<size_t>(s.in_channels * s.in_height * s.in_width));
        for (auto& v : input)
            v = static_cast<int8_t>(byte(rng));
        const int64_t perOut = depthwise ? 1 : s.in_channels;
        std::vector<int8_t> weights(static_cast<size_t>(s.out_channels * perOut * 9));
        for (auto& v : weights)
            v = static_cast<int8_t>(byte(rng));
        std::vector<float> scales;
        std::vector<int32_t> bias, mult, shift;
        for (int32_t o = 0; o < s.out_channels; ++o) {
            scales.push_back(wScale(rng));
            bias.push_back(byte(rng) * 50);
            const QuantMultiplier m = quantizeMultiplier(double(inScale) * scales.back() / outScale);
            mult.push_back(m.multiplier);
            shift.push_back(m.shift);
        }
        // Float tensors: CHW input, OIHW weights.
        Tensor x({s.in_channels, s.in_height, s.in_width});
        for (int32_t y = 0; y < s.in_height; ++y)
            for (int32_t xx = 0; xx < s.in_width; ++xx)
                for (int32_t c = 0; c < s.in_channels; ++c)
                    x.at(c, y, xx) = inScale * float(input[size_t((y * s.in_width + xx) * s.in_channels + c)] - inZero);
        Tensor w({s.out_channels, perOut, 3, 3}), b({s.out_channels});
        std::vector<int8_t> kernelLayout(weights.size());
        for (int32_t o = 0; o < s.out_channels; ++o) {
            b.data()[o] = float(bias[size_t(o)]) * inScale * scales[size_t(o)];
            for (int64_t c = 0; c < perOut; ++c)
                for (int k = 0; k < 9; ++k) {
                    const int8_t v = weights[size_t((o * perOut + c) * 9 + k)];
                    w.data()[(o * perOut + c) * 9 + k] = float(v) * scales[size_t(o)];
                    // OHWI for the general kernel, HWC for depthwise.
                    kernelLayout[size_t(depthwise ? k * s.out_channels + o : (o * 9 + k) * perOut + c)] = v;
                }
        }
        const Tensor ref = conv2dReference(x, w, b, 2, 2, 1, 1, depthwise ? s.in_channels : 1, Activation::None);
        rp_conv_quant_t q{-inZero, outZero, -128, 127, mult.data(), shift.data()};
        std::vector<int8_t> out(outputSize(s));
        if (depthwise)
            rp_depthwise_conv_s8_ref(&s, &q, input.data(), kernelLayout.data(), bias.data(), out.data());
        else
            rp_conv_s8_ref(&s, &q, input.data(), kernelLayout.data(), bias.data(), out.data());
        const int32_t oh = rp_conv_out_height(&s), ow = rp_conv_out_width(&s);
        ASSERT_EQ(ref.dim(1), oh);
        ASSERT_EQ(ref.dim(2), ow);
        for (int32_t y = 0; y < oh; ++y)
            for (int32_t xx = 0; xx < ow; ++xx)
                for (int32_t o = 0; o < s.out_channels; ++o) {
                    const float expected = std::clamp(std::nearbyint(ref.at(o, y, xx) / outScale) + outZero, -128.0f, 127.0f);
                    EXPECT_NEAR(out[size_t((y * ow + xx) * s.out_channels + o)], expected, 1.0f);
                }
    }
}

} // namespace
} // namespace rnnpool
