// Our integer RNNPool variant (rp_rnnpool_s8q15_*) and its quantiser:
// - the table sigmoid/tanh against the functions in double precision;
// - the fixed-point multiplier against the exact rational result;
// - the full-map kernel against the per-patch scalar reference, bit for bit;
// - the trained default model (RNNPool-Face-M4): the integer op on the real
//   stem activations of a picture it was not calibrated on, against the float
//   op, with enforced SQNR bounds.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include <gtest/gtest.h>

#include "engine/preprocess.h"
#include "integer/rnnpool_q15.h"
#include "model/default_model.h"
#include "quant/rnnpool_quantizer.h"
#include "support/random_int8.h"

namespace rnnpool {
namespace {

__extension__ typedef __int128 Int128; // the exact reference of the 95-bit products

TEST(RnnPoolQ15Activations, TableSigmoidAndTanhAgainstDoublePrecision)
{
    double worstSigmoid = 0.0, worstTanh = 0.0;
    for (int32_t x = -20 * 4096; x <= 20 * 4096; ++x) {
        const double real = x / 4096.0;
        worstSigmoid = std::max(worstSigmoid, std::abs(rp_sigmoid_q15(x) / 32768.0 - 1.0 / (1.0 + std::exp(-real))));
        worstTanh = std::max(worstTanh, std::abs(rp_tanh_q15(x) / 32768.0 - std::tanh(real)));
    }
    // The bounds the header states.
    EXPECT_LE(worstSigmoid, 7e-5);
    EXPECT_LE(worstTanh, 1.5e-4);
    std::cout << "[ RnnPoolQ15 ] max abs error: sigmoid " << worstSigmoid << ", tanh " << worstTanh << "\n";
    RecordProperty("sigmoid_max_abs_error", std::to_string(worstSigmoid));
    RecordProperty("tanh_max_abs_error", std::to_string(worstTanh));
    // Saturation far out, symmetry, exact centre.
    EXPECT_EQ(rp_sigmoid_q15(INT32_MAX), 32768);
    EXPECT_EQ(rp_sigmoid_q15(INT32_MIN), 0);
    EXPECT_EQ(rp_tanh_q15(INT32_MIN), -32768);
    EXPECT_EQ(rp_sigmoid_q15(0), 16384);
    EXPECT_EQ(rp_tanh_q15(0), 0);
    for (int32_t x : {1, 77, 4096, 30000, 60000})
        EXPECT_EQ(rp_sigmoid_q15(x) + rp_sigmoid_q15(-x), 32768);
}

TEST(RnnPoolQ15Multiplier, RoundHalfUpOfTheExactProduct)
{
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX), shift(1, 62);
    std::uniform_int_distribution<int64_t> small(-(int64_t{1} << 40), int64_t{1} << 40);
    for (int i = 0; i < 200000; ++i) {
        const rp_q15_multiplier m{mult(rng), shift(rng)};
        const int64_t x = i % 3 == 0 ? static_cast<int64_t>(rng()) : small(rng) >> (i % 40);
        // floor((x * mult + 2^(shift-1)) / 2^shift) in 128-bit arithmetic.
        const Int128 num = static_cast<Int128>(x) * m.mult + (static_cast<Int128>(1) << (m.shift - 1));
        Int128 q = num >> m.shift; // arithmetic on gcc/clang: floor
        q = std::clamp<Int128>(q, INT32_MIN, INT32_MAX);
        ASSERT_EQ(rp_q15_apply_multiplier(x, m), static_cast<int32_t>(q)) << x << " " << m.mult << " " << m.shift;
    }
    for (double v : {1.0, 0.5, 0.75, 1e-6, 3.0e-3, 1234.5}) {
        auto m = makeQ15Multiplier(v);
        ASSERT_TRUE(m) << m.error();
        EXPECT_NEAR(std::ldexp(double(m->mult), -m->shift), v, v * 1e-9);
        EXPECT_GE(m->mult, 1 << 30);
    }
    EXPECT_FALSE(makeQ15Multiplier(0.0));
    EXPECT_FALSE(makeQ15Multiplier(-1.0));
    EXPECT_FALSE(makeQ15Multiplier(std::nan("")));
    EXPECT_FALSE(makeQ15Multiplier(1e30));
}

// ---- the map kernel against the per-patch reference ------------------------

// What the map kernel must equal: the per-patch reference, requantised, then
// the replicate padding.
std::vector<int8_t> mapByPatches(const rp_rnnpool_s8q15_config& cfg, const std::vector<int8_t>& in, int32_t h, int32_t w)
{
    const int32_t gh = rp_rnnpool_s8q15_grid(&cfg, h), gw = rp_rnnpool_s8q15_grid(&cfg, w);
    const int32_t oh = gh + cfg.pad_bottom_right, ow = gw + cfg.pad_bottom_right, h2 = cfg.rnn2_forward.hidden_dims;
    std::vector<int8_t> out(static_cast<size_t>(4 * h2 * oh * ow));
    std::vector<uint32_t> scratch(rp_rnnpool_s8q15_patch_scratch_bytes(&cfg) / 4 + 1);
    std::vector<int16_t> patch(static_cast<size_t>(4 * h2));
    for (int32_t y = 0; y < oh; ++y)
        for (int32_t x = 0; x < ow; ++x) {
            const int32_t py = std::min(y, gh - 1), px = std::min(x, gw - 1);
            const int8_t* origin = in.data() + py * cfg.stride * w + px * cfg.stride;
            EXPECT_EQ(rp_rnnpool_s8q15_patch(&cfg, origin, w, h * w, patch.data(), scratch.data(), nullptr), RP_Q15_OK);
            for (int32_t o = 0; o < 4 * h2; ++o)
                out[static_cast<size_t>((o * oh + y) * ow + x)] = rp_rnnpool_s8q15_requant(&cfg, patch[static_cast<size_t>(o)]);
        }
    return out;
}

TEST(RnnPoolQ15Map, MapKernelEqualsPerPatchReferenceOnRandomOps)
{
    std::mt19937 rng(99);
    for (int iter = 0; iter < 60; ++iter) {
        RandomOp r;
        std::uniform_int_distribution<int32_t> dim(1, 6), hid(1, 12), patch(2, 8);
        const int32_t ch = dim(rng), h1 = hid(rng), h2 = hid(rng), k = patch(rng);
        r.cfg.rnn1 = randomCell(rng, r, 0, ch, h1);
        r.cfg.rnn2_forward = randomCell(rng, r, 1, h1, h2);
        r.cfg.rnn2_backward = randomCell(rng, r, 2, h1, h2);
        r.cfg.rnn2_backward.h_frac_bits = r.cfg.rnn2_forward.h_frac_bits;
        if (iter % 2 == 0) // shared RNN2, the map kernel's shortcut
            r.cfg.rnn2_backward = r.cfg.rnn2_forward;
        r.cfg.channels = ch;
        r.cfg.patch = k;
        r.cfg.stride = std::uniform_int_distribution<int32_t>(1, k)(rng);
        r.cfg.pad_bottom_right = iter % 3 == 0 ? 0 : 1;
        r.cfg.input_zero_point = std::uniform_int_distribution<int32_t>(-128, 127)(rng);
        r.cfg.out = *makeQ15Multiplier(std::ldexp(1.0, -std::uniform_int_distribution<int>(6, 9)(rng)));
        r.cfg.output_zero_point = std::uniform_int_distribution<int32_t>(-128, 127)(rng);
        ASSERT_EQ(rp_rnnpool_s8q15_check(&r.cfg), RP_Q15_OK);
        const int32_t h = k + std::uniform_int_distribution<int32_t>(0, 12)(rng);
        const int32_t w = k + std::uniform_int_distribution<int32_t>(0, 12)(rng);
        std::vector<int8_t> in(static_cast<size_t>(ch * h * w));
        for (int8_t& v : in)
            v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
        const int32_t gh = rp_rnnpool_s8q15_grid(&r.cfg, h), gw = rp_rnnpool_s8q15_grid(&r.cfg, w);
        std::vector<int8_t> out(static_cast<size_t>(4 * h2 * (gh + r.cfg.pad_bottom_right) * (gw + r.cfg.pad_bottom_right)));
        std::vector<uint32_t> scratch(rp_rnnpool_s8q15_map_scratch_bytes(&r.cfg, w) / 4 + 1);
        ASSERT_EQ(rp_rnnpool_s8q15_map(&r.cfg, in.data(), h, w, out.data(), scratch.data()), RP_Q15_OK);
        ASSERT_EQ(out, mapByPatches(r.cfg, in, h, w)) << "iteration " << iter;
    }
}

// ---- the trained default model ---------------------------------------------

struct StemAndPool {
    Tensor stem, pool; // the RNNPool input and the float op's output
};

StemAndPool runDefault(const Model& model, const std::string& picture)
{
    auto image = loadPicture(std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples" / picture);
    EXPECT_TRUE(image) << image.error();
    auto prepared = prepareInput(*image, 1, {320, 240}, Size2{320, 240});
    EXPECT_TRUE(prepared) << prepared.error();
    RunOptions options;
    options.keepAllOutputs = true;
    auto run = model.network->run(prepared->tensor, options);
    EXPECT_TRUE(run) << run.error();
    const auto& nodes = model.network->nodes();
    const int pool = model.network->findLayer("rnnpool");
    const int stem = nodes[static_cast<size_t>(pool)].inputs[0];
    return {run->outputs[static_cast<size_t>(stem)], run->outputs[static_cast<size_t>(pool)]};
}

double sqnrDb(const std::vector<double>& ref, const std::vector<double>& got)
{
    double signal = 0.0, noise = 0.0;
    for (size_t i = 0; i < ref.size(); ++i) {
        signal += ref[i] * ref[i];
        noise += (ref[i] - got[i]) * (ref[i] - got[i]);
    }
    return 10.0 * std::log10(signal / std::max(noise, 1e-30));
}

TEST(RnnPoolQ15Model, DefaultModelOnAnUncalibratedPictureKeepsSqnr)
{
    auto model = loadDefaultModel();
    ASSERT_TRUE(model) << model.error();
    ASSERT_FALSE(model->randomWeights) << "the trained default model is missing";
    const auto* op = dynamic_cast<const RnnPool*>(model->network->nodes()[static_cast<size_t>(model->network->findLayer("rnnpool"))].op.get());
    ASSERT_NE(op, nullptr);

    // Calibrate on one picture, measure on the other.
    const StemAndPool calib = runDefault(*model, "grace_hopper.jpg");
    RnnPoolCalibration cal;
    ASSERT_TRUE(calibrateRnnPool(*op, calib.stem, cal));
    auto q = RnnPoolQ15::quantize(*op, optionsFromCalibration(cal));
    ASSERT_TRUE(q) << q.error();
    const rp_rnnpool_s8q15_config cfg = q->config();
    RecordProperty("formats", q->formats());

    const StemAndPool test = runDefault(*model, "astronaut.png");
    const int32_t c = static_cast<int32_t>(test.stem.dim(0)), h = static_cast<int32_t>(test.stem.dim(1)),
                  w = static_cast<int32_t>(test.stem.dim(2));
    const RnnPoolQ15Options& o = q->options();
    std::vector<int8_t> in8(static_cast<size_t>(test.stem.numel()));
    Tensor dequantisedInput(test.stem.shape());
    for (int64_t i = 0; i < test.stem.numel(); ++i) {
        const long v = std::lround(test.stem.data()[i] / o.inputScale) + o.inputZeroPoint;
        in8[static_cast<size_t>(i)] = static_cast<int8_t>(std::clamp(v, -128L, 127L));
        dequantisedInput.data()[i] = o.inputScale * float(in8[static_cast<size_t>(i)] - o.inputZeroPoint);
    }
    // The float op on the int8 input isolates the Q15 RNN's own error.
    Tensor floatOnInt8Input(test.pool.shape());
    const Tensor* inputs[] = {&dequantisedInput};
    op->eval(inputs, floatOnInt8Input);

    const int32_t gh = rp_rnnpool_s8q15_grid(&cfg, h), gw = rp_rnnpool_s8q15_grid(&cfg, w);
    const int32_t oh = gh + cfg.pad_bottom_right, ow = gw + cfg.pad_bottom_right, outC = 4 * cfg.rnn2_forward.hidden_dims;
    ASSERT_EQ(test.pool.shape(), (Shape{outC, oh, ow}));
    std::vector<int8_t> out8(static_cast<size_t>(outC * oh * ow));
    std::vector<uint32_t> scratch(rp_rnnpool_s8q15_map_scratch_bytes(&cfg, w) / 4 + 1);
    ASSERT_EQ(rp_rnnpool_s8q15_map(&cfg, in8.data(), h, w, out8.data(), scratch.data()), RP_Q15_OK);
    EXPECT_EQ(out8, mapByPatches(cfg, in8, h, w)); // the map kernel is the reference's bits on real data too

    // int16 outputs of every patch (before the int8 requantisation).
    std::vector<double> ref, refInt8In, got16, got8;
    std::vector<int16_t> patch(static_cast<size_t>(outC));
    std::vector<uint32_t> patchScratch(rp_rnnpool_s8q15_patch_scratch_bytes(&cfg) / 4 + 1);
    for (int32_t y = 0; y < gh; ++y)
        for (int32_t x = 0; x < gw; ++x) {
            ASSERT_EQ(rp_rnnpool_s8q15_patch(&cfg, in8.data() + y * cfg.stride * w + x * cfg.stride, w, h * w,
                                             patch.data(), patchScratch.data(), nullptr), RP_Q15_OK);
            for (int32_t ch = 0; ch < outC; ++ch) {
                ref.push_back(test.pool.at(ch, y, x));
                refInt8In.push_back(floatOnInt8Input.at(ch, y, x));
                got16.push_back(patch[static_cast<size_t>(ch)] * q->outputLsb());
                got8.push_back(o.outputScale * (out8[static_cast<size_t>((ch * oh + y) * ow + x)] - o.outputZeroPoint));
            }
        }
    const double rnnOnly = sqnrDb(refInt8In, got16), int16Out = sqnrDb(ref, got16), int8Out = sqnrDb(ref, got8);
    RecordProperty("sqnr_q15_rnn_vs_float_on_int8_input_db", std::to_string(rnnOnly));
    RecordProperty("sqnr_int16_output_vs_float_db", std::to_string(int16Out));
    RecordProperty("sqnr_int8_output_vs_float_db", std::to_string(int8Out));
    std::cout << "[ RnnPoolQ15 ] " << q->formats() << "; " << c << " channels, " << gh << "x" << gw
              << " patches; SQNR: Q15 RNN alone " << rnnOnly << " dB, int16 output " << int16Out
              << " dB, int8 output " << int8Out << " dB\n";
    // Measured 78.9, 70.8 and 53.4 dB (grace_hopper.jpg calibrating,
    // astronaut.png measured); the bounds leave room for other weights but
    // catch a lost bit of precision anywhere.
    EXPECT_GE(rnnOnly, 60.0);
    EXPECT_GE(int16Out, 55.0);
    EXPECT_GE(int8Out, 45.0);
}

} // namespace
} // namespace rnnpool

namespace rnnpool {
namespace {

// The transposed cell (the map kernel's on x86) and the row-major fast cell
// (its on the Cortex-M4) against the reference step on extreme states,
// non-power-of-two multipliers and wide inputs (the int64 fallback).
TEST(RnnPoolQ15Map, TransposedCellEqualsRowWiseCell)
{
    std::mt19937 rng(4242);
    int saturating = 0, refused = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        // 16 units (the models' cells, SMLALD's unrolled U.h on the chip) one time in four.
        const int32_t n = iter % 4 == 1 ? 16 : std::uniform_int_distribution<int32_t>(1, 40)(rng);
        const int32_t in = iter % 10 == 0 ? 200 : std::uniform_int_distribution<int32_t>(1, 12)(rng);
        // Biases up to the int32 ends one time in five, which the saturating step refuses
        // beyond +-(2^31 - 2^16) and must otherwise match on.
        const int32_t bmax = iter % 5 == 2 ? INT32_MAX : (iter % 5 == 3 ? INT32_MAX - 65535 : 200000);
        std::uniform_int_distribution<int32_t> w(-32767, 32767), b(-bmax, bmax);
        std::vector<int16_t> W(static_cast<size_t>(n * in)), U(static_cast<size_t>(n * n)), Wt(W.size()), Ut(U.size());
        std::vector<int32_t> bg(static_cast<size_t>(n)), bh(static_cast<size_t>(n));
        for (auto& v : W) v = static_cast<int16_t>(w(rng));
        for (auto& v : U) v = static_cast<int16_t>(w(rng));
        for (auto& v : bg) v = b(rng);
        for (auto& v : bh) v = b(rng);
        if (iter % 5 == 2 || iter % 5 == 3) { // one bias at the saturating step's edge (3) or beyond it (2)
            const int32_t edge = INT32_MAX - (iter % 5 == 3 ? 65535 : static_cast<int32_t>(rng() % 65535));
            std::vector<int32_t>& v = rng() % 2 ? bg : bh;
            v[rng() % static_cast<uint32_t>(n)] = rng() % 2 ? edge : -edge;
        }
        for (int32_t i = 0; i < n; ++i) {
            for (int32_t j = 0; j < in; ++j)
                Wt[static_cast<size_t>(j * n + i)] = W[static_cast<size_t>(i * in + j)];
            for (int32_t j = 0; j < n; ++j)
                Ut[static_cast<size_t>(j * n + i)] = U[static_cast<size_t>(i * n + j)];
        }
        const bool pow2 = iter % 2 == 0;
        const int32_t hFrac = std::uniform_int_distribution<int32_t>(0, 15)(rng);
        auto uh = pow2 ? makeQ15Multiplier(std::ldexp(1.0, -std::uniform_int_distribution<int>(1, 30)(rng)))
                       : makeQ15Multiplier(std::uniform_real_distribution<double>(1e-9, 0.9)(rng));
        auto wx = makeQ15Multiplier(std::uniform_real_distribution<double>(1e-7, 0.9)(rng));
        ASSERT_TRUE(uh && wx);
        const rp_fastgrnn_q15_cell c{W.data(), U.data(), bg.data(), bh.data(), static_cast<int16_t>(rng() % 32768),
                                     static_cast<int16_t>(rng() % 32768), in, n, hFrac, *wx, *uh};
        ASSERT_EQ(rp_fastgrnn_q15_check(&c), RP_Q15_OK);
        std::vector<int8_t> x(static_cast<size_t>(in * 3));
        for (auto& v : x) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
        const int32_t zp = std::uniform_int_distribution<int32_t>(-128, 127)(rng);
        std::vector<int32_t> wxA(static_cast<size_t>(n)), wxB(wxA.size());
        rp_fastgrnn_q15_wx_s8(&c, x.data(), 3, zp, wxA.data());
        rp_fastgrnn_q15_wx_s8_t(&c, Wt.data(), x.data(), 3, zp, wxB.data());
        ASSERT_EQ(wxA, wxB) << "iteration " << iter;
        std::vector<int32_t> wxC(wxA.size());
        rp_fastgrnn_q15_wx_s8_rows(&c, x.data(), 3, zp, wxC.data());
        ASSERT_EQ(wxA, wxC) << "iteration " << iter << " (row-major W.x)";
        std::vector<int16_t> hA(static_cast<size_t>(n)), hB, hC, hD;
        for (auto& v : hA) v = static_cast<int16_t>(iter % 3 == 0 ? (rng() % 2 ? 32767 : -32768) : w(rng));
        hB = hA;
        hC = hA;
        hD = hA;
        std::vector<uint64_t> sA(rp_fastgrnn_q15_scratch_bytes(n) / 8 + 1), sB(rp_fastgrnn_q15_t_scratch_bytes(n) / 8 + 1),
            sC(sA.size()), sD(sB.size());
        const bool sat = rp_fastgrnn_q15_rows_sat_usable(&c) != 0;
        const bool extreme = std::any_of(bg.begin(), bg.end(), [](int32_t v) { return v > INT32_MAX - 65535 || v < -(INT32_MAX - 65535); }) ||
                             std::any_of(bh.begin(), bh.end(), [](int32_t v) { return v > INT32_MAX - 65535 || v < -(INT32_MAX - 65535); });
        ASSERT_EQ(sat, !extreme) << "iteration " << iter;
        (sat ? saturating : refused)++;
        if (sat) { // the first step of a sequence, from the zero state, skips U.h
            std::vector<int16_t> zeroA(static_cast<size_t>(n), 0), zeroB(zeroA);
            rp_fastgrnn_q15_step_pre(&c, wxA.data(), zeroA.data(), sA.data());
            rp_fastgrnn_q15_step_rows_sat_from_zero(&c, wxA.data(), zeroB.data());
            ASSERT_EQ(zeroA, zeroB) << "iteration " << iter << " (from the zero state)";
        }
        for (int step = 0; step < 4; ++step) {
            rp_fastgrnn_q15_step_pre(&c, wxA.data(), hA.data(), sA.data());
            rp_fastgrnn_q15_step_pre_t(&c, Ut.data(), wxA.data(), hB.data(), sB.data());
            rp_fastgrnn_q15_step_pre_rows(&c, wxA.data(), hC.data(), sC.data());
            ASSERT_EQ(hA, hB) << "iteration " << iter << " step " << step;
            ASSERT_EQ(hA, hC) << "iteration " << iter << " step " << step << " (row-major cell)";
            if (sat) {
                rp_fastgrnn_q15_step_rows_sat(&c, wxA.data(), hD.data(), sD.data());
                ASSERT_EQ(hA, hD) << "iteration " << iter << " step " << step << " (saturating row-major cell)";
            }
        }
    }
    EXPECT_GT(saturating, 1500);
    EXPECT_GT(refused, 100);
}

} // namespace
} // namespace rnnpool

namespace rnnpool {
namespace {

// The AVX2 step and W.x for 16 units (the map kernel's on x86 with AVX2)
// against the reference step and W.x, over cells near the edges of its bounds: extreme states,
// every U.h shift it accepts, hidden formats 0..15, large biases. On a
// machine without AVX2 the step is the reference and no cell is usable.
// The full sigmoid table of the saturating step against the interpolation it
// replaces, at every argument where it is not flat and beyond.
TEST(SigmoidTable, FullTableEqualsTheInterpolationEverywhere)
{
    const auto full = [](int32_t x) {
        const int32_t v = std::clamp(x, -65536, 65535);
        const int32_t* e = rp_sigmoid_full_q15[(v >> 8) + 256];
        return (e[0] + e[1] * (v & 255)) >> 8;
    };
    for (int32_t x = -70000; x <= 70000; ++x)
        ASSERT_EQ(full(x), rp_sigmoid_q15(x)) << "x = " << x;
    for (int32_t x : {INT32_MIN, INT32_MIN + 1, -(1 << 20), 1 << 20, INT32_MAX - 1, INT32_MAX})
        ASSERT_EQ(full(x), rp_sigmoid_q15(x)) << "x = " << x;
    EXPECT_EQ(full(0), 16384);
    EXPECT_EQ(full(-49152), 0);
    EXPECT_EQ(full(49152), 32768);
}

TEST(RnnPoolQ15Map, Pairs16CellEqualsReferenceCell)
{
#if defined(__AVX2__)
    // The packed table the vector sigmoid gathers: value and step of the sigmoid table.
    for (int k = 0; k <= 192; ++k) {
        const int32_t packed = rp_sigmoid_pairs_q15[k];
        const int32_t y0 = rp_sigmoid_q15(k * 256), y1 = rp_sigmoid_q15((k + 1) * 256 > 192 * 256 ? 192 * 256 : (k + 1) * 256);
        ASSERT_EQ(packed & 0xFFFF, y0) << "entry " << k;
        ASSERT_EQ(packed >> 16, y1 - y0) << "entry " << k;
    }
#endif
    std::mt19937 rng(977);
    int usable = 0, usableInt16 = 0;
    const int iterations = 4000;
    for (int iter = 0; iter < iterations; ++iter) {
        const int32_t n = 16;
        const int32_t in = iter % 3 == 1 ? 16 : std::uniform_int_distribution<int32_t>(1, 24)(rng);
        const int32_t wmax = iter % 4 == 0 ? 32767 : std::uniform_int_distribution<int32_t>(64, 32767)(rng);
        std::uniform_int_distribution<int32_t> w(-wmax, wmax), b(-(1 << 20), 1 << 20);
        std::vector<int16_t> W(static_cast<size_t>(n * in)), U(static_cast<size_t>(n * n)), Up(U.size());
        std::vector<int32_t> bg(static_cast<size_t>(n)), bh(static_cast<size_t>(n));
        for (auto& v : W) v = static_cast<int16_t>(w(rng));
        for (auto& v : U) v = static_cast<int16_t>(iter % 7 == 0 ? -32768 : w(rng));
        for (auto& v : bg) v = b(rng);
        for (auto& v : bh) v = b(rng);
        rp_fastgrnn_q15_pairs16_layout(U.data(), Up.data());
        // U.h multipliers from 2^-25 to 1 (powers of two for a third of the cells).
        const double uhValue = std::ldexp(iter % 3 == 0 ? 1.0 : std::uniform_real_distribution<double>(0.5, 1.0)(rng),
                                          -std::uniform_int_distribution<int>(0, 25)(rng));
        const auto uh = makeQ15Multiplier(uhValue);
        const auto wx = makeQ15Multiplier(std::uniform_real_distribution<double>(1e-7, 1e-3)(rng));
        ASSERT_TRUE(uh && wx);
        const int32_t uhShift = uh->shift;
        const rp_fastgrnn_q15_cell c{W.data(), U.data(), bg.data(), bh.data(), static_cast<int16_t>(rng() % 32768),
                                     static_cast<int16_t>(rng() % 32768), in, n,
                                     std::uniform_int_distribution<int32_t>(0, 15)(rng), *wx, *uh};
        if (!rp_fastgrnn_q15_pairs16_usable(&c, 255))
            continue;
        ++usable;
        std::vector<int16_t> Wt(W.size());
        for (int32_t i = 0; i < n; ++i)
            for (int32_t j = 0; j < in; ++j)
                Wt[static_cast<size_t>(j * n + i)] = W[static_cast<size_t>(i * in + j)];
        if (in == 16 && rp_fastgrnn_q15_pairs16_usable(&c, 32768)) {
            ++usableInt16;
            std::vector<int16_t> x16(16);
            for (auto& v : x16) v = static_cast<int16_t>(rng() % 4 == 0 ? (rng() % 2 ? 32767 : -32768) : w(rng));
            std::vector<int32_t> ref(16), fast(16);
            rp_fastgrnn_q15_wx_q15(&c, x16.data(), ref.data());
            rp_fastgrnn_q15_wx_q15_16(&c, x16.data(), fast.data());
            ASSERT_EQ(ref, fast) << "iteration " << iter << " (int16 W.x)";
        }
        std::vector<int8_t> x(static_cast<size_t>(in));
        std::vector<int32_t> pre(static_cast<size_t>(n));
        std::vector<int16_t> hA(static_cast<size_t>(n)), hB;
        for (auto& v : hA) v = static_cast<int16_t>(iter % 3 == 0 ? (rng() % 2 ? 32767 : -32768) : w(rng));
        hB = hA;
        std::vector<uint64_t> scratch(rp_fastgrnn_q15_scratch_bytes(n) / 8 + 1);
        for (int step = 0; step < 6; ++step) {
            for (auto& v : x) v = static_cast<int8_t>(step % 2 ? (rng() % 2 ? 127 : -128) : int(rng() % 256) - 128);
            const int32_t zp = std::uniform_int_distribution<int32_t>(-128, 127)(rng);
            rp_fastgrnn_q15_wx_s8(&c, x.data(), 1, zp, pre.data());
            std::vector<int32_t> preFast(pre.size());
            rp_fastgrnn_q15_wx_s8_16(&c, Wt.data(), x.data(), 1, zp, preFast.data());
            ASSERT_EQ(pre, preFast) << "iteration " << iter << " step " << step << " (int8 W.x)";
            if (step == 0) { // the first step of a sequence: from the zero state, U.h skipped
                std::vector<int16_t> zeroA(16, 0), zeroB(16, 0);
                rp_fastgrnn_q15_step_pre(&c, pre.data(), zeroA.data(), scratch.data());
                rp_fastgrnn_q15_step_pre_pairs16_from_zero(&c, pre.data(), zeroB.data());
                ASSERT_EQ(zeroA, zeroB) << "iteration " << iter << " (from the zero state)";
            }
            rp_fastgrnn_q15_step_pre(&c, pre.data(), hA.data(), scratch.data());
            rp_fastgrnn_q15_step_pre_pairs16(&c, Up.data(), pre.data(), hB.data());
            ASSERT_EQ(hA, hB) << "iteration " << iter << " step " << step << " U.h shift " << uhShift;
        }
    }
#if defined(__AVX2__)
    // The generator aims at the bounds: most cells pass, some do not.
    EXPECT_GT(usable, iterations / 4);
    EXPECT_LT(usable, iterations);
    EXPECT_GT(usableInt16, iterations / 40);
#else
    EXPECT_EQ(usable, 0);
#endif
}

// What the bounds refuse: a U.h multiplier that could overflow, a bias that
// could push a pre-activation past 2^30, other sizes.
TEST(RnnPoolQ15Map, Pairs16RefusesCellsOutsideItsBounds)
{
    std::vector<int16_t> W(16, 100), U(256, 100);
    std::vector<int32_t> bg(16, 1000), bh(16, 1000);
    const auto wx = makeQ15Multiplier(1e-4);
    const auto uh = makeQ15Multiplier(std::ldexp(1.0, -10));
    ASSERT_TRUE(wx && uh);
    rp_fastgrnn_q15_cell c{W.data(), U.data(), bg.data(), bh.data(), 100, 100, 1, 16, 12, *wx, *uh};
#if defined(__AVX2__)
    EXPECT_EQ(rp_fastgrnn_q15_pairs16_usable(&c, 255), 1);
#endif
    c.uh = rp_q15_multiplier{1 << 30, 7}; // x 2^23: U.h itself could pass 2^30
    EXPECT_EQ(rp_fastgrnn_q15_pairs16_usable(&c, 255), 0);
    c.uh = *uh;
    bh[3] = 1 << 30;
    EXPECT_EQ(rp_fastgrnn_q15_pairs16_usable(&c, 255), 0);
    bh[3] = 1000;
    c.hidden_dims = 8;
    EXPECT_EQ(rp_fastgrnn_q15_pairs16_usable(&c, 255), 0);
}

} // namespace
} // namespace rnnpool
