#include "mcu/int8_firmware_check.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "integer/conv_s8.h"
#include "integer/elementwise_s8.h"
#include "integer/rnnpool_q15.h"
#include "mcu/c_emitter.h"
#include "mcu/cost_profile.h"
#include "mcu/model_emit.h"

namespace rnnpool {

namespace {

namespace fs = std::filesystem;

enum class Kind { Conv, Depthwise, Pointwise, Add, L2Norm, Maxout, RnnPool, RnnPoolPatch };

// One kernel call with all of its data; the desktop runs it here and the
// firmware runs the generated C of the same call.
struct KernelCase {
    std::string name;
    Kind kind = Kind::Conv;
    rp_conv_shape_t shape{};
    int32_t inputOffset = 0, outputOffset = 0, actMin = -128, actMax = 127;
    std::vector<int8_t> input, input2, weights;
    std::vector<int32_t> bias, multiplier, shift;
    rp_add_quant_t add{};
    int32_t pixels = 0, channels = 0, background = 0, count = 0;
    std::vector<int8_t> expected;  // desktop output
    uint64_t macs = 0, taps = 0, outputs = 0;
    // RNNPool (rp_rnnpool_s8q15_map, or rp_rnnpool_s8q15_patch_fast on every patch of the
    // grid): three cells' arrays; rnn2 backward shares rnn2's.
    rp_rnnpool_s8q15_config rnn{};
    std::vector<int16_t> w1, u1, w2, u2;
    std::vector<int32_t> bg1, bh1, bg2, bh2;
    int32_t height = 0, width = 0;
    uint64_t patches = 0;
    void bindCells()
    {
        rnn.rnn1.W = w1.data();
        rnn.rnn1.U = u1.data();
        rnn.rnn1.bias_gate = bg1.data();
        rnn.rnn1.bias_update = bh1.data();
        rnn.rnn2_forward.W = w2.data();
        rnn.rnn2_forward.U = u2.data();
        rnn.rnn2_forward.bias_gate = bg2.data();
        rnn.rnn2_forward.bias_update = bh2.data();
        rnn.rnn2_backward = rnn.rnn2_forward;
    }
};

OpClass opClassOf(Kind k)
{
    switch (k) {
    case Kind::Conv: return OpClass::StandardConv;
    case Kind::Depthwise: return OpClass::DepthwiseConv;
    case Kind::Pointwise: return OpClass::PointwiseConv;
    case Kind::RnnPool:
    case Kind::RnnPoolPatch: return OpClass::RnnMatVec;
    default: return OpClass::Elementwise;
    }
}

const char* kernelName(Kind k)
{
    switch (k) {
    case Kind::Conv: return "rp_conv_s8";
    case Kind::Depthwise: return "rp_depthwise_conv_s8";
    case Kind::Pointwise: return "rp_pointwise_conv_s8";
    case Kind::Add: return "rp_add_s8";
    case Kind::L2Norm: return "rp_l2norm_s8";
    case Kind::Maxout: return "rp_background_maxout_s8";
    case Kind::RnnPool: return "rp_rnnpool_s8q15_map";
    case Kind::RnnPoolPatch: return "rp_rnnpool_s8q15_patch_fast";
    }
    return "";
}

class Generator {
public:
    explicit Generator(uint32_t seed) : m_rng(seed) {}
    int32_t uniform(int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(m_rng); }
    std::vector<int8_t> bytes(size_t n)
    {
        std::vector<int8_t> v(n);
        for (auto& x : v)
            x = static_cast<int8_t>(uniform(-128, 127));
        return v;
    }
    // Requantisation: multiplier in [2^30, 2^31), shift in [lo, hi].
    void requant(KernelCase& c, int channels, int shiftLo, int shiftHi)
    {
        c.multiplier.resize(static_cast<size_t>(channels));
        c.shift.resize(static_cast<size_t>(channels));
        for (int i = 0; i < channels; ++i) {
            c.multiplier[static_cast<size_t>(i)] = uniform(1 << 30, 0x7fffffff);
            c.shift[static_cast<size_t>(i)] = uniform(shiftLo, shiftHi);
        }
    }

private:
    std::mt19937 m_rng;
};

KernelCase convCase(Generator& g, Kind kind, const std::string& name, int cin, int h, int w, int cout, int k, int stride,
                    int pad, bool relu)
{
    KernelCase c;
    c.name = name;
    c.kind = kind;
    c.shape = {cin, h, w, kind == Kind::Depthwise ? cin : cout, k, k, stride, stride, pad, pad};
    c.inputOffset = g.uniform(-20, 20);
    c.outputOffset = g.uniform(-10, 10);
    c.actMin = relu ? c.outputOffset : -128;
    c.actMax = 127;
    c.input = g.bytes(static_cast<size_t>(cin) * h * w);
    const int outC = c.shape.out_channels;
    const size_t weightCount =
        kind == Kind::Depthwise ? static_cast<size_t>(k) * k * cin : static_cast<size_t>(cout) * k * k * cin;
    c.weights = g.bytes(weightCount);
    c.bias.resize(static_cast<size_t>(outC));
    for (auto& b : c.bias)
        b = g.uniform(-20000, 20000);
    const int depth = kind == Kind::Depthwise ? k * k : k * k * cin;
    // Accumulators of about sqrt(depth) * 128 * 74: shifts that land most outputs in range and clamp some.
    const int centre = -static_cast<int>(std::lround(std::log2(std::sqrt(static_cast<double>(depth)) * 128.0 * 74.0 / 60.0)));
    g.requant(c, outC, centre - 2, centre + 1);
    const int32_t oh = rp_conv_out_height(&c.shape), ow = rp_conv_out_width(&c.shape);
    c.macs = static_cast<uint64_t>(oh) * ow * outC * depth;
    c.outputs = static_cast<uint64_t>(oh) * ow * outC;
    c.taps = c.outputs * static_cast<uint64_t>(k) * k;
    return c;
}

std::vector<int16_t> shorts(Generator& g, size_t n, int32_t range)
{
    std::vector<int16_t> v(n);
    for (auto& x : v)
        x = static_cast<int16_t>(g.uniform(-range, range));
    return v;
}

std::vector<int32_t> ints(Generator& g, size_t n, int32_t range)
{
    std::vector<int32_t> v(n);
    for (auto& x : v)
        x = g.uniform(-range, range);
    return v;
}

// RNNPool as RNNPool-Face-M4 has it (4 channels, patch 8, stride 4, h1 = h2 = 16,
// one replicated row and column), on a small map; random Q15 cells whose
// multipliers keep the pre-activations in the range where sigmoid and tanh bend.
KernelCase rnnPoolCase(Generator& g, int h, int w)
{
    KernelCase c;
    c.kind = Kind::RnnPool;
    const int C = 4, k = 8, stride = 4, h1 = 16, h2 = 16;
    c.name = "rnnpool_s8q15_4ch_h16_" + std::to_string(w) + "x" + std::to_string(h);
    c.height = h;
    c.width = w;
    c.input = g.bytes(static_cast<size_t>(C) * h * w);
    c.w1 = shorts(g, static_cast<size_t>(h1) * C, 2000);
    c.u1 = shorts(g, static_cast<size_t>(h1) * h1, 2000);
    c.w2 = shorts(g, static_cast<size_t>(h2) * h1, 2000);
    c.u2 = shorts(g, static_cast<size_t>(h2) * h2, 2000);
    c.bg1 = ints(g, h1, 4096);
    c.bh1 = ints(g, h1, 4096);
    c.bg2 = ints(g, h2, 4096);
    c.bh2 = ints(g, h2, 4096);
    rp_fastgrnn_q15_cell cell{};
    cell.zeta_q15 = static_cast<int16_t>(g.uniform(20000, 32000));
    cell.nu_q15 = static_cast<int16_t>(g.uniform(100, 3000));
    cell.input_dims = C;
    cell.hidden_dims = h1;
    cell.h_frac_bits = 14;
    cell.wx = {g.uniform(1 << 30, 0x7fffffff), 39};  // ~2^-8.5: sum of 4 products of 2000 x 128 -> Q12
    cell.uh = {g.uniform(1 << 30, 0x7fffffff), 47};  // ~2^-16.5: sum of 16 products of 2000 x 2^14 -> Q12
    c.rnn.rnn1 = cell;
    cell.zeta_q15 = static_cast<int16_t>(g.uniform(20000, 32000));
    cell.nu_q15 = static_cast<int16_t>(g.uniform(100, 3000));
    cell.input_dims = h1;
    cell.hidden_dims = h2;
    cell.wx = {g.uniform(1 << 30, 0x7fffffff), 47};
    c.rnn.rnn2_forward = cell;
    c.rnn.channels = C;
    c.rnn.patch = k;
    c.rnn.stride = stride;
    c.rnn.pad_bottom_right = 1;
    c.rnn.input_zero_point = g.uniform(-20, 20);
    c.rnn.out = {g.uniform(1 << 30, 0x7fffffff), 38};  // Q14 state -> int8 at ~1/128
    c.rnn.output_zero_point = g.uniform(-10, 10);
    c.bindCells();
    const int64_t gh = (h - k) / stride + 1, gw = (w - k) / stride + 1;
    c.patches = static_cast<uint64_t>(gh * gw);
    // Per patch: RNN1 over 2k sequences of k steps, RNN2 over 4 sequences of k steps.
    c.macs = c.patches * static_cast<uint64_t>(2 * k * k * (h1 * C + h1 * h1) + 4 * k * (h2 * h1 + h2 * h2));
    c.outputs = c.patches * static_cast<uint64_t>(2 * k * k * h1 + 4 * k * h2);
    return c;
}

// The linebuffer schedule's per-patch kernel on every patch of the grid (no padding), its int16
// outputs as bytes. With `wideBiases` one gate bias of RNN1 and one update bias of RNN2 lie beyond
// +-(2^31 - 2^16), where the M4's row-major cells cannot take the saturating sums
// (rp_fastgrnn_q15_rows_sat_usable) and run the non-saturating ones: no trained model has such a
// bias, so only this case puts that path on the chip. The desktop's answer is the scalar reference,
// rp_rnnpool_s8q15_patch.
KernelCase rnnPoolPatchCase(Generator& g, int h, int w, bool wideBiases)
{
    KernelCase c = rnnPoolCase(g, h, w);
    c.kind = Kind::RnnPoolPatch;
    c.name = std::string("rnnpool_patch_") + (wideBiases ? "widebias_" : "") + std::to_string(w) + "x" +
             std::to_string(h);
    if (wideBiases) {
        c.bg1[3] = std::numeric_limits<int32_t>::max() - 7;
        c.bh2[5] = std::numeric_limits<int32_t>::min() + 9;
    }
    c.bindCells();
    return c;
}

void runOnDesktop(KernelCase& c)
{
    if (c.kind == Kind::RnnPoolPatch) {
        const int32_t gh = rp_rnnpool_s8q15_grid(&c.rnn, c.height), gw = rp_rnnpool_s8q15_grid(&c.rnn, c.width);
        const size_t per = static_cast<size_t>(4 * c.rnn.rnn2_forward.hidden_dims);
        std::vector<int16_t> out(per * static_cast<size_t>(gh) * static_cast<size_t>(gw));
        std::vector<int32_t> scratch((rp_rnnpool_s8q15_patch_scratch_bytes(&c.rnn) + 3) / 4 + 1);
        for (int32_t r = 0; r < gh; ++r)
            for (int32_t q = 0; q < gw; ++q)
                rp_rnnpool_s8q15_patch(&c.rnn, c.input.data() + (r * c.width + q) * c.rnn.stride, c.width,
                                       c.height * c.width, out.data() + per * static_cast<size_t>(r * gw + q),
                                       scratch.data(), nullptr);
        c.expected.resize(out.size() * sizeof(int16_t));
        std::memcpy(c.expected.data(), out.data(), c.expected.size()); // little-endian on both sides
        return;
    }
    if (c.kind == Kind::RnnPool) {
        const int32_t gh = rp_rnnpool_s8q15_grid(&c.rnn, c.height), gw = rp_rnnpool_s8q15_grid(&c.rnn, c.width);
        const int32_t pad = c.rnn.pad_bottom_right;
        c.expected.resize(static_cast<size_t>(4 * c.rnn.rnn2_forward.hidden_dims) * (gh + pad) * (gw + pad));
        std::vector<int32_t> scratch((rp_rnnpool_s8q15_map_scratch_bytes(&c.rnn, c.width) + 3) / 4 + 1);
        rp_rnnpool_s8q15_map(&c.rnn, c.input.data(), c.height, c.width, c.expected.data(), scratch.data());
        return;
    }
    if (c.kind == Kind::Add) {
        c.expected.resize(static_cast<size_t>(c.count));
        rp_add_s8(&c.add, c.input.data(), c.input2.data(), c.count, c.expected.data());
        return;
    }
    if (c.kind == Kind::L2Norm) {
        c.expected.resize(static_cast<size_t>(c.pixels) * c.channels);
        const rp_l2norm_quant_t q{c.inputOffset, c.outputOffset, c.multiplier.data(), c.shift.data()};
        rp_l2norm_s8(&q, c.input.data(), c.pixels, c.channels, c.expected.data());
        return;
    }
    if (c.kind == Kind::Maxout) {
        c.expected.resize(static_cast<size_t>(c.pixels) * (c.channels - c.background + 1));
        rp_background_maxout_s8(c.input.data(), c.pixels, c.channels, c.background, c.expected.data());
        return;
    }
    const rp_conv_quant_t q{c.inputOffset, c.outputOffset, c.actMin, c.actMax, c.multiplier.data(), c.shift.data()};
    const int32_t oh = rp_conv_out_height(&c.shape), ow = rp_conv_out_width(&c.shape);
    c.expected.resize(static_cast<size_t>(oh) * ow * c.shape.out_channels);
    int32_t scratchBytes = 0;
    if (c.kind == Kind::Conv)
        scratchBytes = rp_conv_s8_scratch_size(&c.shape);
    else if (c.kind == Kind::Depthwise)
        scratchBytes = rp_depthwise_conv_s8_scratch_size(&c.shape);
    else
        scratchBytes = rp_pointwise_conv_s8_scratch_size(&c.shape);
    std::vector<int32_t> scratch(static_cast<size_t>(std::max(scratchBytes, 4) + 3) / 4);
    if (c.kind == Kind::Conv)
        rp_conv_s8(&c.shape, &q, c.input.data(), c.weights.data(), c.bias.data(), scratch.data(), c.expected.data());
    else if (c.kind == Kind::Depthwise)
        rp_depthwise_conv_s8(&c.shape, &q, c.input.data(), c.weights.data(), c.bias.data(), scratch.data(),
                             c.expected.data());
    else
        rp_pointwise_conv_s8(&c.shape, &q, c.input.data(), c.weights.data(), c.bias.data(), scratch.data(),
                             c.expected.data());
}

std::vector<KernelCase> makeCases(uint32_t seed)
{
    Generator g(seed);
    std::vector<KernelCase> cases;
    // Shapes of the face detectors' layers, reduced so that the run stays short.
    cases.push_back(convCase(g, Kind::Conv, "conv3x3_s2_p1_3to8_24x32", 3, 24, 32, 8, 3, 2, 1, true));
    cases.push_back(convCase(g, Kind::Conv, "conv3x3_s1_p1_16to12_10x10", 16, 10, 10, 12, 3, 1, 1, false));
    cases.push_back(convCase(g, Kind::Depthwise, "dw3x3_s1_p1_24_12x12", 24, 12, 12, 24, 3, 1, 1, true));
    cases.push_back(convCase(g, Kind::Depthwise, "dw3x3_s2_p1_16_13x11", 16, 13, 11, 16, 3, 2, 1, false));
    cases.push_back(convCase(g, Kind::Pointwise, "pw1x1_32to24_9x7", 32, 9, 7, 24, 1, 1, 0, false));
    cases.push_back(convCase(g, Kind::Pointwise, "pw1x1_7to5_5x3", 7, 5, 3, 5, 1, 1, 0, true));
    {
        KernelCase c;
        c.name = "add_1000";
        c.kind = Kind::Add;
        c.count = 1000;
        c.input = g.bytes(1000);
        c.input2 = g.bytes(1000);
        c.add = {g.uniform(-20, 20), g.uniform(-20, 20), 20, g.uniform(1 << 30, 0x7fffffff), g.uniform(-3, -1),
                 g.uniform(1 << 30, 0x7fffffff), g.uniform(-3, -1), g.uniform(1 << 30, 0x7fffffff),
                 g.uniform(-22, -18), g.uniform(-10, 10), -128, 127};
        cases.push_back(c);
    }
    {
        KernelCase c;
        c.name = "l2norm_64px_32ch";
        c.kind = Kind::L2Norm;
        c.pixels = 64;
        c.channels = 32;
        c.input = g.bytes(64 * 32);
        c.inputOffset = g.uniform(-10, 10);
        c.outputOffset = g.uniform(-10, 10);
        g.requant(c, 32, -26, -22);
        cases.push_back(c);
    }
    cases.push_back(rnnPoolCase(g, 24, 32));
    {
        KernelCase c;
        c.name = "maxout_100px_4ch_bg3";
        c.kind = Kind::Maxout;
        c.pixels = 100;
        c.channels = 4;
        c.background = 3;
        c.input = g.bytes(400);
        cases.push_back(c);
    }
    // Channel counts that are not multiples of 4: the Cortex-M4 paths take
    // four channels at a time and leave a remainder to the plain loops.
    cases.push_back(convCase(g, Kind::Conv, "conv3x3_s1_p1_5to6_9x7", 5, 9, 7, 6, 3, 1, 1, false));
    // The detection heads' shape: whole groups of four input channels (the
    // window gathered in pair order), two and six outputs (a remainder after
    // the fours, or nothing but a remainder).
    cases.push_back(convCase(g, Kind::Conv, "conv3x3_s1_p1_32to2_8x6", 32, 8, 6, 2, 3, 1, 1, true));
    cases.push_back(convCase(g, Kind::Conv, "conv3x3_s1_p1_12to6_7x5", 12, 7, 5, 6, 3, 1, 1, false));
    cases.push_back(convCase(g, Kind::Depthwise, "dw3x3_s2_p1_6_11x9", 6, 11, 9, 6, 3, 2, 1, true));
    // The linebuffer schedule's per-patch RNNPool, with the saturating cells and without them.
    cases.push_back(rnnPoolPatchCase(g, 16, 20, false));
    cases.push_back(rnnPoolPatchCase(g, 16, 20, true));
    for (KernelCase& c : cases) {
        runOnDesktop(c);
        if (c.kind == Kind::Add)
            c.outputs = 2 * static_cast<uint64_t>(c.count);
        else if (c.kind == Kind::L2Norm || c.kind == Kind::Maxout)
            c.outputs = static_cast<uint64_t>(c.pixels) * c.channels;
    }
    return cases;
}

std::vector<int64_t> widen(const std::vector<int8_t>& v) { return {v.begin(), v.end()}; }
std::vector<int64_t> widen(const std::vector<int32_t>& v) { return {v.begin(), v.end()}; }

// The generated cases.c: data as const arrays, one straight-line function per case.
std::string generateCases(const std::vector<KernelCase>& cases, size_t& maxOutput, int32_t& scratchBytes)
{
    std::string c = "/* Generated by rnnpool m4 check-int8: random kernel cases (seeded) as const data and\n"
                    " * straight-line calls. */\n#include \"int8_cases.h\"\n\n#include \"integer/conv_s8.h\"\n"
                    "#include \"integer/elementwise_s8.h\"\n#include \"integer/rnnpool_q15.h\"\n\n#include <string.h>\n\n";
    maxOutput = 0;
    scratchBytes = 4;
    std::string table = "const rpk_case rpk_cases[RPK_CASE_COUNT] = {\n";
    for (size_t i = 0; i < cases.size(); ++i) {
        const KernelCase& k = cases[i];
        const std::string p = "k" + std::to_string(i) + "_";
        c += "/* " + k.name + " */\n";
        c += "static " + cArray("int8_t", p + "input", widen(k.input));
        if (!k.input2.empty())
            c += "static " + cArray("int8_t", p + "input2", widen(k.input2));
        if (!k.weights.empty())
            c += "static " + cArray("int8_t", p + "weights", widen(k.weights));
        if (!k.bias.empty())
            c += "static " + cArray("int32_t", p + "bias", widen(k.bias));
        if (k.kind == Kind::RnnPool || k.kind == Kind::RnnPoolPatch) {
            const auto w16 = [](const std::vector<int16_t>& v) { return std::vector<int64_t>(v.begin(), v.end()); };
            c += "static " + cArray("int16_t", p + "w1", w16(k.w1)) + "static " + cArray("int16_t", p + "u1", w16(k.u1)) +
                 "static " + cArray("int16_t", p + "w2", w16(k.w2)) + "static " + cArray("int16_t", p + "u2", w16(k.u2)) +
                 "static " + cArray("int32_t", p + "bg1", widen(k.bg1)) + "static " + cArray("int32_t", p + "bh1", widen(k.bh1)) +
                 "static " + cArray("int32_t", p + "bg2", widen(k.bg2)) + "static " + cArray("int32_t", p + "bh2", widen(k.bh2));
        }
        if (!k.multiplier.empty()) {
            c += "static " + cArray("int32_t", p + "multiplier", widen(k.multiplier));
            c += "static " + cArray("int32_t", p + "shift", widen(k.shift));
        }
        c += "static void " + p + "run(int8_t* output, void* scratch)\n{\n";
        switch (k.kind) {
        case Kind::Conv:
        case Kind::Depthwise:
        case Kind::Pointwise: {
            int32_t need = k.kind == Kind::Conv        ? rp_conv_s8_scratch_size(&k.shape)
                           : k.kind == Kind::Depthwise ? rp_depthwise_conv_s8_scratch_size(&k.shape)
                                                       : rp_pointwise_conv_s8_scratch_size(&k.shape);
            scratchBytes = std::max(scratchBytes, need);
            c += "    static const rp_conv_shape_t shape = " + convShapeLiteral(k.shape) + ";\n";
            c += "    static const rp_conv_quant_t quant = {" + std::to_string(k.inputOffset) + ", " +
                 std::to_string(k.outputOffset) + ", " + std::to_string(k.actMin) + ", " + std::to_string(k.actMax) +
                 ", " + p + "multiplier, " + p + "shift};\n";
            c += std::string("    ") + kernelName(k.kind) + "(&shape, &quant, " + p + "input, " + p + "weights, " + p +
                 "bias, scratch, output);\n";
            break;
        }
        case Kind::Add: {
            const rp_add_quant_t& a = k.add;
            std::ostringstream q;
            q << "{" << a.input1_offset << ", " << a.input2_offset << ", " << a.left_shift << ", "
              << a.input1_multiplier << ", " << a.input1_shift << ", " << a.input2_multiplier << ", " << a.input2_shift
              << ", " << a.output_multiplier << ", " << a.output_shift << ", " << a.output_offset << ", "
              << a.activation_min << ", " << a.activation_max << "}";
            c += "    static const rp_add_quant_t quant = " + q.str() + ";\n    (void)scratch;\n";
            c += "    rp_add_s8(&quant, " + p + "input, " + p + "input2, " + std::to_string(k.count) + ", output);\n";
            break;
        }
        case Kind::L2Norm:
            c += "    static const rp_l2norm_quant_t quant = {" + std::to_string(k.inputOffset) + ", " +
                 std::to_string(k.outputOffset) + ", " + p + "multiplier, " + p + "shift};\n    (void)scratch;\n";
            c += "    rp_l2norm_s8(&quant, " + p + "input, " + std::to_string(k.pixels) + ", " +
                 std::to_string(k.channels) + ", output);\n";
            break;
        case Kind::RnnPool:
        case Kind::RnnPoolPatch: {
            const size_t need = k.kind == Kind::RnnPool ? rp_rnnpool_s8q15_map_scratch_bytes(&k.rnn, k.width)
                                                        : rp_rnnpool_s8q15_patch_fast_scratch_bytes(&k.rnn);
            scratchBytes = std::max(scratchBytes, static_cast<int32_t>(need));
            const auto cell = [&](const rp_fastgrnn_q15_cell& x, const std::string& w, const std::string& u,
                                  const std::string& bg, const std::string& bh) {
                return "{.W = " + p + w + ", .U = " + p + u + ", .bias_gate = " + p + bg + ", .bias_update = " + p + bh +
                       ", .zeta_q15 = " + std::to_string(x.zeta_q15) + ", .nu_q15 = " + std::to_string(x.nu_q15) +
                       ", .input_dims = " + std::to_string(x.input_dims) + ", .hidden_dims = " +
                       std::to_string(x.hidden_dims) + ", .h_frac_bits = " + std::to_string(x.h_frac_bits) +
                       ", .wx = {" + std::to_string(x.wx.mult) + ", " + std::to_string(x.wx.shift) + "}, .uh = {" +
                       std::to_string(x.uh.mult) + ", " + std::to_string(x.uh.shift) + "}}";
            };
            const rp_rnnpool_s8q15_config& r = k.rnn;
            c += "    static const rp_rnnpool_s8q15_config config = {\n        .rnn1 = " +
                 cell(r.rnn1, "w1", "u1", "bg1", "bh1") + ",\n        .rnn2_forward = " +
                 cell(r.rnn2_forward, "w2", "u2", "bg2", "bh2") + ",\n        .rnn2_backward = " +
                 cell(r.rnn2_backward, "w2", "u2", "bg2", "bh2") + ",\n        .channels = " + std::to_string(r.channels) +
                 ", .patch = " + std::to_string(r.patch) + ", .stride = " + std::to_string(r.stride) +
                 ", .pad_bottom_right = " + std::to_string(r.pad_bottom_right) + ", .input_zero_point = " +
                 std::to_string(r.input_zero_point) + ",\n        .out = {" + std::to_string(r.out.mult) + ", " +
                 std::to_string(r.out.shift) + "}, .output_zero_point = " + std::to_string(r.output_zero_point) +
                 "};\n";
            if (k.kind == Kind::RnnPool) {
                c += "    (void)rp_rnnpool_s8q15_map(&config, " + p + "input, " + std::to_string(k.height) + ", " +
                     std::to_string(k.width) + ", output, scratch);\n";
                break;
            }
            // Every patch in row-major order; each patch's int16 values copied out as bytes.
            const std::string W = std::to_string(k.width), H = std::to_string(k.height);
            c += "    int16_t out[" + std::to_string(4 * r.rnn2_forward.hidden_dims) + "];\n"
                 "    const int32_t gh = rp_rnnpool_s8q15_grid(&config, " + H + "), gw = rp_rnnpool_s8q15_grid(&config, " +
                 W + ");\n"
                 "    for (int32_t r = 0; r < gh; ++r)\n"
                 "        for (int32_t q = 0; q < gw; ++q) {\n"
                 "            (void)rp_rnnpool_s8q15_patch_fast(&config, " + p + "input + (r * " + W + " + q) * " +
                 std::to_string(r.stride) + ", " + W + ", " + H + " * " + W + ", out, scratch);\n"
                 "            memcpy(output, out, sizeof out);\n"
                 "            output += sizeof out;\n"
                 "        }\n";
            break;
        }
        case Kind::Maxout:
            c += "    (void)scratch;\n    rp_background_maxout_s8(" + p + "input, " + std::to_string(k.pixels) + ", " +
                 std::to_string(k.channels) + ", " + std::to_string(k.background) + ", output);\n";
            break;
        }
        c += "}\n\n";
        table += "    {" + cStringLiteral(k.name) + ", " + p + "run, " + std::to_string(k.expected.size()) + "},\n";
        maxOutput = std::max(maxOutput, k.expected.size());
    }
    return c + table + "};\n";
}

} // namespace

bool Int8FirmwareCheck::allExact() const
{
    for (const Int8FirmwareCase& c : cases)
        if (!c.exact())
            return false;
    return !cases.empty();
}

Expected<Int8FirmwareCheck> runInt8FirmwareCheck(const Int8FirmwareCheckOptions& options)
{
    auto board = loadFirmwareBoard(options.board);
    if (!board)
        return std::move(board).takeError();
    auto mainSource = readFirmwareText(firmwareResourceDir() / "apps" / "check_int8" / "main.c");
    if (!mainSource)
        return std::move(mainSource).takeError();
    std::vector<KernelCase> cases = makeCases(options.seed);
    if (options.perturbFirstCaseAt >= 0 && static_cast<size_t>(options.perturbFirstCaseAt) < cases[0].expected.size()) {
        int8_t& v = cases[0].expected[static_cast<size_t>(options.perturbFirstCaseAt)];
        v = static_cast<int8_t>(v == 127 ? 126 : v + 1);
    }
    size_t maxOutput = 0;
    int32_t scratchBytes = 0;
    const std::string source = generateCases(cases, maxOutput, scratchBytes);
    const std::string header = "/* Generated by rnnpool m4 check-int8. */\n#ifndef INT8_CASES_H\n#define INT8_CASES_H\n\n"
                               "#include <stdint.h>\n\n#define RPK_CASE_COUNT " + std::to_string(cases.size()) +
                               "\n#define RPK_MAX_OUTPUT " + std::to_string(maxOutput) + "\n#define RPK_SCRATCH_BYTES " +
                               std::to_string(scratchBytes) +
                               "\n\ntypedef struct {\n    const char* name;\n    void (*run)(int8_t* output, void* scratch);\n"
                               "    int32_t output_count;\n} rpk_case;\n\nextern const rpk_case rpk_cases[RPK_CASE_COUNT];\n\n#endif\n";

    FirmwareProjectSpec spec;
    spec.boardName = board->name;
    spec.files = {{"main.c", *mainSource}, {"int8_cases.h", header}, {"int8_cases.c", source}};
    Int8FirmwareCheck check;
    check.board = board->name;
    check.projectDir = options.projectDir ? *options.projectDir : firmwareCacheDir(spec, *board);
    if (Status s = writeFirmwareProject(spec, *board, check.projectDir); !s)
        return makeError(s.error());
    auto built = buildFirmware(check.projectDir, *board, options.buildTimeoutSeconds);
    if (!built)
        return std::move(built).takeError();
    check.build = *built;
    if (!board->emulated())
        return check;  // no QEMU machine for this board: built and sized only
    auto run = runFirmwareOnEmulator(check.projectDir, *board, options.runTimeoutSeconds);
    if (!run)
        return std::move(run).takeError();
    check.emulatorSeconds = run->seconds;
    check.stackHighWaterBytes = run->number("stack_high_water");
    auto profiles = loadCostProfiles();
    for (size_t i = 0; i < cases.size(); ++i) {
        const KernelCase& k = cases[i];
        Int8FirmwareCase r;
        r.name = k.name;
        r.kernel = kernelName(k.kind);
        r.values = static_cast<int64_t>(k.expected.size());
        r.macs = k.macs;
        r.taps = k.taps;
        r.patches = k.patches;
        r.outputs = k.outputs;
        r.opClass = std::string(opClassKey(opClassOf(k.kind)));
        if (profiles)
            for (const CostProfile& p : *profiles) {
                const ClassCost& cost = p.classes[opClassIndex(opClassOf(k.kind))];
                r.predictedCycles.emplace_back(p.name, p.perLayer + cost.perMac * static_cast<double>(k.macs) +
                                                           cost.perTap * static_cast<double>(k.taps) +
                                                           cost.perOutput * static_cast<double>(k.outputs));
            }
        r.instructions = ticksToInstructions(run->number("case" + std::to_string(i) + "_ticks"), *board);
        const fs::path out = check.projectDir / ("int8_out_" + std::to_string(i) + ".bin");
        auto bytes = readFirmwareText(out);
        if (!bytes)
            return makeError("the firmware wrote no '" + out.filename().string() + "'");
        if (bytes->size() != k.expected.size())
            return makeError("output file " + out.string() + " has " + std::to_string(bytes->size()) + " bytes, expected " +
                             std::to_string(k.expected.size()));
        for (size_t j = 0; j < k.expected.size(); ++j) {
            if (static_cast<int8_t>((*bytes)[j]) == k.expected[j])
                ++r.matching;
            else if (r.firstMismatch < 0)
                r.firstMismatch = static_cast<int>(j);
        }
        check.cases.push_back(r);
    }
    return check;
}

} // namespace rnnpool
