// The streaming int8 kernels (integer/stream_s8.h) against the layer kernels'
// scalar references run one layer after the other, bit for bit, on random
// blocks and operators: every output row of an inverted-residual block, and
// RNNPool on a chain of convolutions read from a ring of picture rows.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "integer/stream_s8.h"
#include "quant/rnnpool_quantizer.h"
#include "support/random_int8.h"

namespace rnnpool {
namespace {

rp_conv_s8_layer layerOf(const Case& c)
{
    return {&c.shape, &c.quant, c.weights.data(), c.bias.empty() ? nullptr : c.bias.data()};
}

std::vector<int8_t> outputOf(const rp_conv_shape_t& s)
{
    return std::vector<int8_t>(static_cast<size_t>(rp_conv_out_height(&s) * rp_conv_out_width(&s) * s.out_channels));
}

rp_add_quant_t randomAdd(std::mt19937& rng)
{
    std::uniform_int_distribution<int> byte(-128, 127);
    std::uniform_int_distribution<int32_t> q31(1 << 30, INT32_MAX), shift(-8, -1);
    rp_add_quant_t q{};
    q.input1_offset = -byte(rng);
    q.input2_offset = -byte(rng);
    q.left_shift = 20;
    q.input1_multiplier = q31(rng);
    q.input1_shift = shift(rng);
    q.input2_multiplier = q31(rng);
    q.input2_shift = shift(rng);
    q.output_multiplier = q31(rng);
    q.output_shift = -std::uniform_int_distribution<int32_t>(18, 22)(rng);
    q.output_offset = byte(rng);
    q.activation_min = -128;
    q.activation_max = 127;
    return q;
}

TEST(IrRowsS8, EveryRowEqualsTheLayerKernelsInTurn)
{
    std::mt19937 rng(17);
    for (int iter = 0; iter < 80; ++iter) {
        const bool expands = iter % 4 != 3;
        const int32_t cin = std::uniform_int_distribution<int32_t>(1, 12)(rng);
        const int32_t hidden = expands ? cin * std::uniform_int_distribution<int32_t>(1, 3)(rng) : cin;
        const int32_t k = iter % 5 == 0 ? 5 : 3, stride = iter % 3 == 0 ? 2 : 1;
        const bool residual = stride == 1 && iter % 2 == 0;
        const int32_t cout = residual ? cin : std::uniform_int_distribution<int32_t>(1, 12)(rng);
        const int32_t h = std::uniform_int_distribution<int32_t>(1, 11)(rng), w = std::uniform_int_distribution<int32_t>(1, 21)(rng);
        if (h + 2 * (k / 2) < k || w + 2 * (k / 2) < k)
            continue;
        Case expand = randomCase(rng, {cin, h, w, hidden, 1, 1, 1, 1, 0, 0}, false, rng() % 4 != 0);
        Case dw = randomCase(rng, {hidden, h, w, hidden, k, k, stride, stride, k / 2, k / 2}, true, rng() % 4 != 0);
        const int32_t oh = rp_conv_out_height(&dw.shape), ow = rp_conv_out_width(&dw.shape);
        Case project = randomCase(rng, {hidden, oh, ow, cout, 1, 1, 1, 1, 0, 0}, false, rng() % 4 != 0);
        const rp_add_quant_t add = randomAdd(rng);

        // The reference: each layer over its whole map, in turn.
        const std::vector<int8_t>& input = expand.input;
        std::vector<int8_t> expanded = expands ? outputOf(expand.shape) : input;
        if (expands)
            rp_pointwise_conv_s8_ref(&expand.shape, &expand.quant, input.data(), expand.weights.data(),
                                     expand.bias.empty() ? nullptr : expand.bias.data(), expanded.data());
        std::vector<int8_t> filtered = outputOf(dw.shape), projected = outputOf(project.shape);
        rp_depthwise_conv_s8_ref(&dw.shape, &dw.quant, expanded.data(), dw.weights.data(), dw.bias.empty() ? nullptr : dw.bias.data(),
                                 filtered.data());
        rp_pointwise_conv_s8_ref(&project.shape, &project.quant, filtered.data(), project.weights.data(),
                                 project.bias.empty() ? nullptr : project.bias.data(), projected.data());
        std::vector<int8_t> expected = projected;
        if (residual)
            rp_add_s8(&add, input.data(), projected.data(), static_cast<int32_t>(projected.size()), expected.data());

        rp_ir_s8_block b{};
        if (expands)
            b.expand = layerOf(expand);
        b.depthwise = layerOf(dw);
        b.project = layerOf(project);
        b.add = residual ? &add : nullptr;
        ASSERT_EQ(rp_ir_s8_out_height(&b, h), oh);
        ASSERT_EQ(rp_ir_s8_out_width(&b, w), ow);
        // Guard bytes after the scratch and after each row catch overruns.
        std::vector<int8_t> scratch(static_cast<size_t>(rp_ir_s8_scratch_size(&b, w)) + 16, 0x5a);
        std::vector<int8_t> out(expected.size() + 16, 0x5a);
        // The whole map, or two calls that split the rows (the ring starts again).
        const int32_t split = static_cast<int32_t>(rng() % static_cast<uint32_t>(oh + 1));
        ASSERT_EQ(rp_ir_s8_rows(&b, input.data(), h, w, 0, split, scratch.data(), out.data()), RP_Q15_OK);
        ASSERT_EQ(rp_ir_s8_rows(&b, input.data(), h, w, split, oh, scratch.data(), out.data()), RP_Q15_OK);
        ASSERT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()))
            << "iteration " << iter << (expands ? " expand" : "") << " k" << k << " s" << stride << (residual ? " add" : "");
        EXPECT_TRUE(std::all_of(out.end() - 16, out.end(), [](int8_t v) { return v == 0x5a; }));
        EXPECT_TRUE(std::all_of(scratch.end() - 16, scratch.end(), [](int8_t v) { return v == 0x5a; }));
        // A row at a time from a line buffer holding only the rows it reads (rp_ir_s8_row_at).
        const int32_t rowBytes = w * cin, outRowBytes = ow * cout;
        for (int32_t oy = 0; oy < oh; ++oy) {
            const int32_t first = std::max(oy * stride - k / 2, 0), last = std::min(oy * stride - k / 2 + k - 1, h - 1);
            std::vector<int8_t> rows(input.begin() + first * rowBytes, input.begin() + (last + 1) * rowBytes);
            std::vector<int8_t> row(static_cast<size_t>(outRowBytes) + 16, 0x5a);
            ASSERT_EQ(rp_ir_s8_row_at(&b, rows.data(), first, h, w, oy, scratch.data(), row.data()), RP_Q15_OK);
            ASSERT_TRUE(std::equal(row.begin(), row.begin() + outRowBytes, expected.begin() + oy * outRowBytes))
                << "iteration " << iter << ", row " << oy;
            EXPECT_TRUE(std::all_of(row.end() - 16, row.end(), [](int8_t v) { return v == 0x5a; }));
        }
    }
}

// A random Q15 RNNPool operator over `channels` channels.
void randomPool(std::mt19937& rng, RandomOp& r, int32_t channels)
{
    std::uniform_int_distribution<int32_t> hid(1, 10);
    const int32_t h1 = hid(rng), h2 = hid(rng), k = std::uniform_int_distribution<int32_t>(2, 6)(rng);
    r.cfg.rnn1 = randomCell(rng, r, 0, channels, h1);
    r.cfg.rnn2_forward = randomCell(rng, r, 1, h1, h2);
    r.cfg.rnn2_backward = randomCell(rng, r, 2, h1, h2);
    r.cfg.rnn2_backward.h_frac_bits = r.cfg.rnn2_forward.h_frac_bits;
    r.cfg.channels = channels;
    r.cfg.patch = k;
    r.cfg.stride = std::uniform_int_distribution<int32_t>(1, k)(rng);
    r.cfg.pad_bottom_right = static_cast<int32_t>(rng() % 2);
    r.cfg.input_zero_point = std::uniform_int_distribution<int32_t>(-128, 127)(rng);
    r.cfg.out = *makeQ15Multiplier(std::ldexp(1.0, -std::uniform_int_distribution<int>(6, 9)(rng)));
    r.cfg.output_zero_point = std::uniform_int_distribution<int32_t>(-128, 127)(rng);
}

// HWC -> CHW, for the map kernel.
std::vector<int8_t> toChw(const std::vector<int8_t>& hwc, int32_t h, int32_t w, int32_t c)
{
    std::vector<int8_t> chw(hwc.size());
    for (int32_t y = 0; y < h; ++y)
        for (int32_t x = 0; x < w; ++x)
            for (int32_t ch = 0; ch < c; ++ch)
                chw[static_cast<size_t>((ch * h + y) * w + x)] = hwc[static_cast<size_t>((y * w + x) * c + ch)];
    return chw;
}

TEST(RnnPoolStreamS8, PatchRowsFromARingEqualConvolutionsThenTheMapKernel)
{
    std::mt19937 rng(23);
    int ran = 0;
    for (int iter = 0; iter < 60; ++iter) {
        const int32_t convCount = iter % 3; // RNNPool on the picture itself, after one or two convolutions
        const int32_t pictureC = std::uniform_int_distribution<int32_t>(1, 3)(rng);
        const int32_t H = std::uniform_int_distribution<int32_t>(8, 40)(rng), W = std::uniform_int_distribution<int32_t>(8, 30)(rng);
        std::vector<Case> convs;
        int32_t h = H, w = W, c = pictureC;
        for (int32_t l = 0; l < convCount; ++l) {
            const int32_t k = l == 0 ? (iter % 5 == 4 ? 5 : (iter % 5 == 2 ? 2 : 3)) : std::uniform_int_distribution<int32_t>(1, 3)(rng);
            const int32_t s = std::uniform_int_distribution<int32_t>(1, 2)(rng), p = k / 2;
            const int32_t cout = std::uniform_int_distribution<int32_t>(1, 5)(rng);
            convs.push_back(randomCase(rng, {c, h, w, cout, k, k, s, s, p, p}, false, rng() % 4 != 0));
            h = rp_conv_out_height(&convs.back().shape);
            w = rp_conv_out_width(&convs.back().shape);
            c = cout;
        }
        RandomOp r;
        randomPool(rng, r, c);
        ASSERT_EQ(rp_rnnpool_s8q15_check(&r.cfg), RP_Q15_OK);
        if (h < r.cfg.patch || w < r.cfg.patch)
            continue;
        const bool perChannel = iter % 4 == 1;
        const int32_t outs = 4 * r.cfg.rnn2_forward.hidden_dims;
        std::vector<int32_t> mult, shift, zp;
        for (int32_t o = 0; o < outs; ++o) {
            mult.push_back(std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng));
            shift.push_back(-std::uniform_int_distribution<int32_t>(6, 10)(rng));
            zp.push_back(std::uniform_int_distribution<int32_t>(-128, 127)(rng));
        }
        const rp_rnnpool_s8_channel_quant cq{mult.data(), shift.data(), zp.data()};

        // The reference: the picture, each convolution over its whole map, then the map kernel.
        std::vector<int8_t> picture(static_cast<size_t>(H * W * pictureC));
        for (int8_t& v : picture)
            v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
        std::vector<int8_t> map = picture;
        for (Case& conv : convs) {
            std::vector<int8_t> next = outputOf(conv.shape);
            rp_conv_s8_ref(&conv.shape, &conv.quant, map.data(), conv.weights.data(), conv.bias.empty() ? nullptr : conv.bias.data(),
                           next.data());
            map = std::move(next);
        }
        const int32_t gh = rp_rnnpool_s8q15_grid(&r.cfg, h), gw = rp_rnnpool_s8q15_grid(&r.cfg, w);
        const int32_t oh = gh + r.cfg.pad_bottom_right, ow = gw + r.cfg.pad_bottom_right;
        std::vector<int8_t> expectedChw(static_cast<size_t>(outs * oh * ow));
        std::vector<uint32_t> mapScratch(rp_rnnpool_s8q15_map_scratch_bytes(&r.cfg, w) / 4 + 2);
        const std::vector<int8_t> mapChw = toChw(map, h, w, c);
        ASSERT_EQ(perChannel ? rp_rnnpool_s8q15_map_channels(&r.cfg, mapChw.data(), h, w, &cq, expectedChw.data(), mapScratch.data())
                             : rp_rnnpool_s8q15_map(&r.cfg, mapChw.data(), h, w, expectedChw.data(), mapScratch.data()),
                  RP_Q15_OK);

        // The stream: rows delivered into a ring just large enough, as rowstream does.
        rp_rnnpool_s8_stream s{};
        s.cfg = &r.cfg;
        s.channel_quant = perChannel ? &cq : nullptr;
        s.conv_count = convCount;
        for (int32_t l = 0; l < convCount; ++l)
            s.convs[l] = layerOf(convs[static_cast<size_t>(l)]);
        int32_t ringRows = 0;
        for (int32_t gy = 0; gy < gh; ++gy) {
            int32_t first = 0, last = 0;
            s.rows = {nullptr, H, W, pictureC, H, 0};
            rp_rnnpool_s8_stream_rows(&s, gy, &first, &last);
            ringRows = std::max(ringRows, last - first + 1);
        }
        std::vector<int8_t> ring(static_cast<size_t>(ringRows * W * pictureC), 0x33);
        s.rows = {ring.data(), H, W, pictureC, ringRows, 0};
        // Misaligned on purpose: the kernel aligns inside its 3 bytes of slack.
        std::vector<int8_t> scratch(rp_rnnpool_s8_stream_scratch_size(&s) + 1 + 16, 0x5a);
        int8_t* scratchAt = scratch.data() + 1;
        std::vector<int8_t> out(static_cast<size_t>(outs * oh * ow));
        int32_t delivered = 0;
        for (int32_t gy = 0; gy < gh; ++gy) {
            int32_t first = 0, last = 0;
            rp_rnnpool_s8_stream_rows(&s, gy, &first, &last);
            for (; delivered <= last; ++delivered)
                std::copy_n(picture.begin() + delivered * W * pictureC, W * pictureC, ring.begin() + (delivered % ringRows) * W * pictureC);
            ASSERT_EQ(rp_rnnpool_s8_stream_row(&s, gy, scratchAt, out.data()), RP_Q15_OK);
        }
        rp_rnnpool_s8_stream_pad(&s, out.data());
        ASSERT_EQ(toChw(out, oh, ow, outs), expectedChw) << "iteration " << iter << ", " << convCount << " convolution(s)";
        EXPECT_TRUE(std::all_of(scratch.end() - 16, scratch.end(), [](int8_t v) { return v == 0x5a; }));
        // A patch row at a time into a row of its own (rp_rnnpool_s8_stream_row_at),
        // from a line buffer whose oldest row is the first this patch row reads
        // (base_row), a fresh state: the rows above, padding columns included.
        {
            std::vector<int8_t> state(rp_rnnpool_s8_stream_scratch_size(&s) + 3);
            const int32_t rowBytes = ow * outs;
            for (int32_t gy = 0; gy < gh; ++gy) {
                int32_t first = 0, last = 0;
                s.rows = {nullptr, H, W, pictureC, H, 0};
                rp_rnnpool_s8_stream_rows(&s, gy, &first, &last);
                std::vector<int8_t> lines(picture.begin() + first * W * pictureC, picture.begin() + (last + 1) * W * pictureC);
                s.rows = {lines.data(), H, W, pictureC, last - first + 1, first};
                std::vector<int8_t> row(static_cast<size_t>(rowBytes));
                ASSERT_EQ(rp_rnnpool_s8_stream_row_at(&s, gy, state.data(), row.data()), RP_Q15_OK);
                ASSERT_TRUE(std::equal(row.begin(), row.end(), out.begin() + gy * rowBytes)) << "iteration " << iter << ", row " << gy;
                // Patch by patch, nothing kept between rows (rp_rnnpool_s8_stream_row_patches): the same row.
                std::vector<int8_t> patchScratch(rp_rnnpool_s8_stream_patch_scratch_size(&s) + 1 + 16, 0x5a);
                std::vector<int8_t> byPatch(static_cast<size_t>(rowBytes), 0x11);
                ASSERT_EQ(rp_rnnpool_s8_stream_row_patches(&s, gy, patchScratch.data() + 1, byPatch.data()), RP_Q15_OK);
                ASSERT_EQ(byPatch, row) << "iteration " << iter << ", row " << gy << " patch by patch";
                EXPECT_TRUE(std::all_of(patchScratch.end() - 16, patchScratch.end(), [](int8_t v) { return v == 0x5a; }));
                if (first > 0) { // a row below the buffer's oldest is refused, not read
                    s.rows.base_row = first + 1;
                    EXPECT_NE(rp_rnnpool_s8_stream_row_at(&s, gy, state.data(), row.data()), RP_Q15_OK);
                }
            }
            s.rows = {ring.data(), H, W, pictureC, ringRows, 0};
        }
        // One row fewer in the ring is refused, not read past.
        if (ringRows > 1 && ringRows < H) {
            s.rows.ring_rows = ringRows - 1;
            bool refused = false;
            for (int32_t gy = 0; gy < gh && !refused; ++gy)
                refused = rp_rnnpool_s8_stream_row(&s, gy, scratchAt, out.data()) != RP_Q15_OK;
            EXPECT_TRUE(refused) << "iteration " << iter;
        }
        ++ran;
    }
    EXPECT_GE(ran, 30);
}

} // namespace
} // namespace rnnpool
