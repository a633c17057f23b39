#include "quant/rnnpool_quantizer.h"

#include <algorithm>
#include <cmath>

namespace rnnpool {
namespace {

constexpr int32_t kMaxWeightFrac = 20;
constexpr double kHiddenHeadroom = 1.25;

// The most fractional bits of an int16 that still hold maxAbs.
int32_t fracBitsFor(double maxAbs, int32_t cap)
{
    if (!(maxAbs > 0.0))
        return cap;
    const int32_t f = static_cast<int32_t>(std::floor(std::log2(32767.0 / maxAbs)));
    return std::clamp(f, 0, cap);
}

int16_t toInt16(double v, int32_t frac)
{
    const double q = std::nearbyint(v * std::ldexp(1.0, frac));
    return static_cast<int16_t>(std::clamp(q, -32768.0, 32767.0));
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

float maxAbs(const Tensor& t)
{
    float m = 0.0f;
    for (int64_t i = 0; i < t.numel(); ++i)
        m = std::max(m, std::abs(t.data()[i]));
    return m;
}

} // namespace

Expected<rp_q15_multiplier> makeQ15Multiplier(double value)
{
    if (!(value > 0.0) || !std::isfinite(value))
        return makeError("multiplier " + std::to_string(value) + " is not positive and finite");
    int exponent = 0;
    const double mantissa = std::frexp(value, &exponent); // value = mantissa * 2^exponent, mantissa in [0.5, 1)
    int64_t mult = std::llround(mantissa * 2147483648.0);
    int64_t shift = 31 - exponent;
    if (mult == (int64_t{1} << 31)) {
        mult /= 2;
        --shift;
    }
    if (shift < 1 || shift > 62)
        return makeError("multiplier " + std::to_string(value) + " needs a shift of " + std::to_string(shift) +
                         ", outside 1..62");
    return rp_q15_multiplier{static_cast<int32_t>(mult), static_cast<int32_t>(shift)};
}

void int8ParamsFromRange(float lo, float hi, float& scale, int32_t& zeroPoint)
{
    lo = std::min(lo, 0.0f);
    hi = std::max(hi, 0.0f);
    scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    zeroPoint = std::clamp(static_cast<int32_t>(std::lround(-128.0 - double(lo) / double(scale))), -128, 127);
}

Status calibrateRnnPool(const RnnPool& op, const Tensor& input, RnnPoolCalibration& cal)
{
    if (input.rank() != 3)
        return makeError("rnnpool calibration: input has shape " + shapeToString(input.shape()) + ", expected CHW");
    const int64_t gh = op.gridSize(input.dim(1)), gw = op.gridSize(input.dim(2));
    if (gh <= 0 || gw <= 0)
        return makeError("rnnpool calibration: the input " + shapeToString(input.shape()) + " holds no patch");
    const bool first = cal.patches == 0;
    for (int64_t i = 0; i < input.numel(); ++i) {
        const float v = input.data()[i];
        cal.inputMin = first && i == 0 ? v : std::min(cal.inputMin, v);
        cal.inputMax = first && i == 0 ? v : std::max(cal.inputMax, v);
    }
    for (int64_t r = 0; r < gh; ++r)
        for (int64_t c = 0; c < gw; ++c) {
            Expected<RnnPoolTrace> t = op.trace(input, r, c);
            if (!t)
                return Error{t.error()};
            cal.maxAbsHidden1 = std::max({cal.maxAbsHidden1, maxAbs(t->rowSweeps), maxAbs(t->colSweeps)});
            cal.maxAbsHidden2 = std::max({cal.maxAbsHidden2, maxAbs(t->rowsForward), maxAbs(t->rowsBackward),
                                          maxAbs(t->colsForward), maxAbs(t->colsBackward)});
            for (int64_t i = 0; i < t->output.numel(); ++i) {
                const float v = t->output.data()[i];
                cal.outputMin = cal.patches == 0 && i == 0 ? v : std::min(cal.outputMin, v);
                cal.outputMax = cal.patches == 0 && i == 0 ? v : std::max(cal.outputMax, v);
            }
            ++cal.patches;
        }
    return Status::ok();
}

RnnPoolQ15Options optionsFromCalibration(const RnnPoolCalibration& cal)
{
    RnnPoolQ15Options o;
    int8ParamsFromRange(cal.inputMin, cal.inputMax, o.inputScale, o.inputZeroPoint);
    int8ParamsFromRange(cal.outputMin, cal.outputMax, o.outputScale, o.outputZeroPoint);
    o.maxAbsHidden1 = cal.maxAbsHidden1;
    o.maxAbsHidden2 = cal.maxAbsHidden2;
    return o;
}

rp_fastgrnn_q15_cell RnnPoolQ15::Cell::view() const
{
    return rp_fastgrnn_q15_cell{W.data(), U.data(), biasGate.data(), biasUpdate.data(), zeta, nu, input, hidden, hFrac,
                                wx, uh};
}

Expected<RnnPoolQ15::Cell> RnnPoolQ15::quantizeCell(const FastGrnnCell& f, int32_t hFrac, const std::string& name)
{
    Cell c;
    c.input = static_cast<int32_t>(f.inputSize);
    c.hidden = static_cast<int32_t>(f.hiddenSize);
    if (f.W.numel() != f.inputSize * f.hiddenSize || f.U.numel() != f.hiddenSize * f.hiddenSize ||
        f.biasGate.numel() != f.hiddenSize || f.biasUpdate.numel() != f.hiddenSize || f.zeta.numel() < 1 ||
        f.nu.numel() < 1)
        return makeError("rnnpool quantisation: " + name + " has no weights of the expected shapes");
    for (const Tensor* t : {&f.W, &f.U, &f.biasGate, &f.biasUpdate, &f.zeta, &f.nu})
        for (int64_t i = 0; i < t->numel(); ++i)
            if (!std::isfinite(t->data()[i]))
                return makeError("rnnpool quantisation: " + name + " has a non-finite weight");
    c.wFrac = fracBitsFor(maxAbs(f.W), kMaxWeightFrac);
    c.uFrac = fracBitsFor(maxAbs(f.U), kMaxWeightFrac);
    c.hFrac = hFrac;
    const int64_t in = f.inputSize, h = f.hiddenSize;
    c.W.resize(static_cast<size_t>(in * h));
    c.U.resize(static_cast<size_t>(h * h));
    // Float W is [input][hidden] (x.W) and U [hidden][hidden] (h.U); the C
    // kernels take row i as unit i's weights, so both are transposed.
    for (int64_t i = 0; i < h; ++i) {
        for (int64_t j = 0; j < in; ++j)
            c.W[static_cast<size_t>(i * in + j)] = toInt16(f.W.data()[j * h + i], c.wFrac);
        for (int64_t j = 0; j < h; ++j)
            c.U[static_cast<size_t>(i * h + j)] = toInt16(f.U.data()[j * h + i], c.uFrac);
    }
    for (int64_t i = 0; i < h; ++i) {
        const auto q12 = [](double v) {
            return static_cast<int32_t>(std::clamp(std::nearbyint(v * 4096.0), -2147483648.0, 2147483647.0));
        };
        c.biasGate.push_back(q12(f.biasGate.data()[i]));
        c.biasUpdate.push_back(q12(f.biasUpdate.data()[i]));
    }
    const auto q15 = [](double v) { return static_cast<int16_t>(std::clamp(std::nearbyint(v * 32768.0), 0.0, 32767.0)); };
    c.zeta = q15(sigmoid(f.zeta.data()[0]));
    c.nu = q15(sigmoid(f.nu.data()[0]));
    // U.h: Q(uFrac + hFrac) -> Q12.
    auto uh = makeQ15Multiplier(std::ldexp(1.0, RP_Q15_PRE_FRAC_BITS - c.uFrac - c.hFrac));
    if (!uh)
        return makeError("rnnpool quantisation: " + name + " U.h: " + uh.error());
    c.uh = *uh;
    return c;
}

Expected<RnnPoolQ15> RnnPoolQ15::quantize(const RnnPool& op, const RnnPoolQ15Options& o)
{
    for (float v : {o.inputScale, o.outputScale, o.maxAbsHidden1, o.maxAbsHidden2})
        if (!(v > 0.0f) || !std::isfinite(v))
            return makeError("rnnpool quantisation: scales and hidden ranges must be positive and finite (input scale " +
                             std::to_string(o.inputScale) + ", output scale " + std::to_string(o.outputScale) +
                             ", max |h1| " + std::to_string(o.maxAbsHidden1) + ", max |h2| " +
                             std::to_string(o.maxAbsHidden2) + ")");
    if (o.inputZeroPoint < -128 || o.inputZeroPoint > 127 || o.outputZeroPoint < -128 || o.outputZeroPoint > 127)
        return makeError("rnnpool quantisation: zero points must lie in -128..127");
    RnnPoolQ15 q;
    q.m_options = o;
    q.m_params = op.params();
    const int32_t h1Frac = fracBitsFor(double(o.maxAbsHidden1) * kHiddenHeadroom, 15);
    const int32_t h2Frac = fracBitsFor(double(o.maxAbsHidden2) * kHiddenHeadroom, 15);
    auto rnn1 = quantizeCell(op.rnn1(), h1Frac, "RNN1");
    if (!rnn1)
        return std::move(rnn1).takeError();
    auto fwd = quantizeCell(op.rnn2Forward(), h2Frac, "RNN2 forward");
    if (!fwd)
        return std::move(fwd).takeError();
    auto bwd = quantizeCell(op.rnn2Backward(), h2Frac, "RNN2 backward");
    if (!bwd)
        return std::move(bwd).takeError();
    // RNN1's W.x: sum Wq (q - zp) * s_in / 2^wFrac, to Q12.
    auto wx1 = makeQ15Multiplier(double(o.inputScale) * std::ldexp(1.0, RP_Q15_PRE_FRAC_BITS - rnn1->wFrac));
    if (!wx1)
        return makeError("rnnpool quantisation: RNN1 W.x: " + wx1.error());
    rnn1->wx = *wx1;
    for (Cell* c : {&*fwd, &*bwd}) {
        auto wx2 = makeQ15Multiplier(std::ldexp(1.0, RP_Q15_PRE_FRAC_BITS - c->wFrac - h1Frac));
        if (!wx2)
            return makeError("rnnpool quantisation: RNN2 W.x: " + wx2.error());
        c->wx = *wx2;
    }
    auto out = makeQ15Multiplier(std::ldexp(1.0, -h2Frac) / double(o.outputScale));
    if (!out)
        return makeError("rnnpool quantisation: output requantisation: " + out.error());
    q.m_out = *out;
    q.m_rnn1 = std::move(*rnn1);
    q.m_rnn2Forward = std::move(*fwd);
    q.m_rnn2Backward = std::move(*bwd);
    const rp_rnnpool_s8q15_config cfg = q.config();
    if (rp_rnnpool_s8q15_check(&cfg) != RP_Q15_OK)
        return makeError("rnnpool quantisation: the integer configuration is inconsistent (" + q.formats() + ")");
    return q;
}

rp_rnnpool_s8q15_config RnnPoolQ15::config() const
{
    rp_rnnpool_s8q15_config cfg{};
    cfg.rnn1 = m_rnn1.view();
    cfg.rnn2_forward = m_rnn2Forward.view();
    cfg.rnn2_backward = m_rnn2Backward.view();
    // EdgeML shares RNN2's cell between the directions: one W then lets the
    // map kernel project each summary once for both.
    if (m_rnn2Backward.W == m_rnn2Forward.W)
        cfg.rnn2_backward.W = cfg.rnn2_forward.W;
    cfg.channels = static_cast<int32_t>(m_params.inChannels);
    cfg.patch = static_cast<int32_t>(m_params.patch);
    cfg.stride = static_cast<int32_t>(m_params.stride);
    cfg.pad_bottom_right = static_cast<int32_t>(m_params.padBottomRight);
    cfg.input_zero_point = m_options.inputZeroPoint;
    cfg.out = m_out;
    cfg.output_zero_point = m_options.outputZeroPoint;
    return cfg;
}

std::string RnnPoolQ15::formats() const
{
    // Appended, not "Q" + string: GCC 12 warns falsely (-Wrestrict) on that.
    const auto q = [](int32_t f) {
        std::string text(1, 'Q');
        text += std::to_string(f);
        return text;
    };
    return "W1 " + q(m_rnn1.wFrac) + ", U1 " + q(m_rnn1.uFrac) + ", h1 " + q(m_rnn1.hFrac) + ", W2 " +
           q(m_rnn2Forward.wFrac) + "/" + q(m_rnn2Backward.wFrac) + ", U2 " + q(m_rnn2Forward.uFrac) + "/" +
           q(m_rnn2Backward.uFrac) + ", h2 " + q(m_rnn2Forward.hFrac) + ", pre-activations Q12, gates Q15";
}

} // namespace rnnpool
