#include "quant/rnnpool_int8.h"

#include <algorithm>
#include <cmath>

#include "integer/requantize.h"
#include "integer/rnnpool_q15.h"

namespace rnnpool {

// The Q15 configuration made from the float cells (until core/quant's
// rnnpool_quantizer takes this over):
//   W, U      int16, symmetric, one scale per matrix (max |w| / 32767),
//             transposed to [hidden][input] as the kernel reads them
//   W.x, U.h  requantised straight to Q12 by the cell's multipliers
//   biases    int32 in Q12; sigmoid(zeta), sigmoid(nu) in Q15
//   h         int16 in Q14 (|h| < sigmoid(zeta) + sigmoid(nu) < 2 from h = 0)
//   output    RNN2's Q14 state requantised to the layer's int8 scale
struct RnnPoolInt8::State {
    struct Cell {
        std::vector<int16_t> W, U;
        std::vector<int32_t> biasGate, biasUpdate;
        rp_fastgrnn_q15_cell cell{};
    };
    Cell rnn1, rnn2f, rnn2b;
    rp_rnnpool_s8q15_config config{};
    std::vector<int32_t> channelMultiplier, channelShift, channelZeroPoint; // per-channel output
};

namespace {

constexpr int32_t kHiddenFracBits = 14;

rp_q15_multiplier kernelMultiplier(double real)
{
    const QuantMultiplier m = quantizeMultiplier(real); // real = mult 2^(shift - 31)
    return {m.multiplier, 31 - m.shift};
}

Status makeCell(const std::string& name, const FastGrnnCell& f, double inputScale, RnnPoolInt8::State::Cell& c)
{
    const int64_t in = f.inputSize, hid = f.hiddenSize;
    const auto quantizeMatrix = [&](const Tensor& m, int64_t rows, std::vector<int16_t>& out) {
        // m is [rows = input or hidden][hid] (x·W); the kernel wants [hid][rows].
        float maxAbs = 0.0f;
        for (int64_t i = 0; i < m.numel(); ++i)
            maxAbs = std::max(maxAbs, std::abs(m.data()[i]));
        const double scale = maxAbs > 0.0f ? static_cast<double>(maxAbs) / 32767.0 : 1.0;
        out.resize(static_cast<size_t>(rows * hid));
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t h = 0; h < hid; ++h)
                out[static_cast<size_t>(h * rows + r)] = static_cast<int16_t>(
                    std::clamp(std::nearbyint(static_cast<double>(m.data()[r * hid + h]) / scale), -32767.0, 32767.0));
        return scale;
    };
    const double sw = quantizeMatrix(f.W, in, c.W);
    const double su = quantizeMatrix(f.U, hid, c.U);
    for (int64_t h = 0; h < hid; ++h) {
        c.biasGate.push_back(static_cast<int32_t>(std::nearbyint(static_cast<double>(f.biasGate.data()[h]) * 4096.0)));
        c.biasUpdate.push_back(static_cast<int32_t>(std::nearbyint(static_cast<double>(f.biasUpdate.data()[h]) * 4096.0)));
    }
    const auto q15 = [](float v) {
        return static_cast<int16_t>(std::clamp(std::nearbyint(static_cast<double>(v) * 32768.0), 0.0, 32767.0));
    };
    rp_fastgrnn_q15_cell& k = c.cell;
    k.W = c.W.data();
    k.U = c.U.data();
    k.bias_gate = c.biasGate.data();
    k.bias_update = c.biasUpdate.data();
    k.zeta_q15 = q15(f.sigmoidZeta);
    k.nu_q15 = q15(f.sigmoidNu);
    k.input_dims = static_cast<int32_t>(in);
    k.hidden_dims = static_cast<int32_t>(hid);
    k.h_frac_bits = kHiddenFracBits;
    k.wx = kernelMultiplier(sw * inputScale * 4096.0);
    k.uh = kernelMultiplier(su / static_cast<double>(1 << kHiddenFracBits) * 4096.0);
    if (rp_fastgrnn_q15_check(&k) != RP_Q15_OK)
        return makeError("rnnpool '" + name + "': a FastGRNN cell cannot be quantised to Q15 (scales out of range)");
    return Status::ok();
}

} // namespace

RnnPoolInt8::RnnPoolInt8() = default;
RnnPoolInt8::RnnPoolInt8(RnnPoolInt8&&) noexcept = default;
RnnPoolInt8& RnnPoolInt8::operator=(RnnPoolInt8&&) noexcept = default;
RnnPoolInt8::~RnnPoolInt8() = default;

bool RnnPoolInt8::isInteger() { return true; }

Expected<RnnPoolInt8> RnnPoolInt8::create(const std::string& name, const RnnPool& op, const ActivationQuant& in,
                                          const NodeQuant& outQuant)
{
    const ActivationQuant& out = outQuant.output;
    RnnPoolInt8 r;
    r.m_state = std::make_unique<State>();
    State& s = *r.m_state;
    const double hiddenScale = 1.0 / static_cast<double>(1 << kHiddenFracBits);
    if (Status st = makeCell(name, op.rnn1(), static_cast<double>(in.scale), s.rnn1); !st)
        return Error{st.error()};
    if (Status st = makeCell(name, op.rnn2Forward(), hiddenScale, s.rnn2f); !st)
        return Error{st.error()};
    if (Status st = makeCell(name, op.rnn2Backward(), hiddenScale, s.rnn2b); !st)
        return Error{st.error()};
    const RnnPoolParams& p = op.params();
    rp_rnnpool_s8q15_config& c = s.config;
    c.rnn1 = s.rnn1.cell;
    c.rnn2_forward = s.rnn2f.cell;
    c.rnn2_backward = s.rnn2b.cell;
    c.channels = static_cast<int32_t>(p.inChannels);
    c.patch = static_cast<int32_t>(p.patch);
    c.stride = static_cast<int32_t>(p.stride);
    c.pad_bottom_right = static_cast<int32_t>(p.padBottomRight);
    c.input_zero_point = in.zeroPoint;
    c.out = kernelMultiplier(hiddenScale / static_cast<double>(out.scale));
    c.output_zero_point = out.zeroPoint;
    if (rp_rnnpool_s8q15_check(&c) != RP_Q15_OK)
        return makeError("rnnpool '" + name + "': the Q15 configuration is invalid");
    for (size_t ch = 0; ch < outQuant.channelScale.size(); ++ch) {
        const QuantMultiplier m = quantizeMultiplier(hiddenScale / static_cast<double>(outQuant.channelScale[ch]));
        if (!m.valid)
            return makeError("rnnpool '" + name + "': channel " + std::to_string(ch) + "'s scale cannot be requantised");
        s.channelMultiplier.push_back(m.multiplier);
        s.channelShift.push_back(m.shift);
        s.channelZeroPoint.push_back(outQuant.channelZeroPoint[ch]);
    }
    return r;
}

Status RnnPoolInt8::run(const int8_t* input, const Shape& inShape, const Shape& outShape, int8_t* output,
                        std::vector<uint8_t>& scratch) const
{
    const rp_rnnpool_s8q15_config& c = m_state->config;
    const int64_t C = inShape[0], H = inShape[1], W = inShape[2];
    const int64_t oc = outShape[0], oh = outShape[1], ow = outShape[2];
    // The kernel reads and writes CHW; the engine's maps are HWC.
    std::vector<int8_t> chw(static_cast<size_t>(C * H * W)), outChw(static_cast<size_t>(oc * oh * ow));
    for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x)
            for (int64_t ch = 0; ch < C; ++ch)
                chw[static_cast<size_t>((ch * H + y) * W + x)] = input[(y * W + x) * C + ch];
    // The kernel wants 4-byte aligned scratch.
    const auto alignedScratch = [&](size_t bytes) {
        scratch.resize(bytes + 16);
        return static_cast<void*>(scratch.data() + ((4 - reinterpret_cast<uintptr_t>(scratch.data()) % 4) % 4));
    };
    void* aligned = alignedScratch(rp_rnnpool_s8q15_map_scratch_bytes(&c, static_cast<int32_t>(W)));
    // One int8 scale per output channel when every reader folds them into its
    // weights (RnnPoolInt8::create), else the map kernel's own requantisation.
    const State& s = *m_state;
    const rp_rnnpool_s8_channel_quant channels{s.channelMultiplier.data(), s.channelShift.data(), s.channelZeroPoint.data()};
    const int status = s.channelMultiplier.empty()
                           ? rp_rnnpool_s8q15_map(&c, chw.data(), static_cast<int32_t>(H), static_cast<int32_t>(W), outChw.data(), aligned)
                           : rp_rnnpool_s8q15_map_channels(&c, chw.data(), static_cast<int32_t>(H), static_cast<int32_t>(W), &channels,
                                                           outChw.data(), aligned);
    if (status != RP_Q15_OK)
        return makeError("the Q15 RNNPool kernel refused the map");
    for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x)
            for (int64_t ch = 0; ch < oc; ++ch)
                output[(y * ow + x) * oc + ch] = outChw[static_cast<size_t>((ch * oh + y) * ow + x)];
    return Status::ok();
}

const std::vector<int32_t>& RnnPoolInt8::channelMultiplier() const { return m_state->channelMultiplier; }
const std::vector<int32_t>& RnnPoolInt8::channelShift() const { return m_state->channelShift; }
const std::vector<int32_t>& RnnPoolInt8::channelZeroPoint() const { return m_state->channelZeroPoint; }

const rp_rnnpool_s8q15_config& RnnPoolInt8::config() const
{
    return m_state->config;
}

} // namespace rnnpool
