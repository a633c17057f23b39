#include "quant/quant_math.h"

#include <algorithm>
#include <cmath>

#include "integer/requantize.h"

namespace rnnpool {

QuantMultiplier quantizeMultiplier(double real)
{
    QuantMultiplier q;
    if (real == 0.0 || !std::isfinite(real)) {
        q.valid = std::isfinite(real);
        return q;
    }
    int exponent = 0;
    const double fraction = std::frexp(real, &exponent); // |fraction| in [0.5, 1)
    auto m = static_cast<int64_t>(std::llround(fraction * 2147483648.0));
    if (m == (int64_t{1} << 31) || m == -(int64_t{1} << 31)) {
        m /= 2;
        ++exponent;
    }
    if (exponent > RP_REQUANT_MAX_SHIFT) {
        q.valid = false;
        return q;
    }
    if (exponent < RP_REQUANT_MIN_SHIFT)
        return q; // below 2^-32: every int32 accumulator rounds to 0 or +-1
    q.multiplier = static_cast<int32_t>(m);
    q.shift = exponent;
    return q;
}

int8_t ActivationQuant::quantize(float real) const
{
    const float q = std::nearbyint(real / scale) + static_cast<float>(zeroPoint);
    return static_cast<int8_t>(std::clamp(q, -128.0f, 127.0f));
}

ActivationQuant activationQuant(float lo, float hi)
{
    lo = std::min(lo, 0.0f);
    hi = std::max(hi, 0.0f);
    ActivationQuant a;
    if (!(hi - lo > 1e-8f)) {
        a.scale = 1e-8f;
        a.zeroPoint = 0;
        return a;
    }
    a.scale = (hi - lo) / 255.0f;
    const double zp = -128.0 - static_cast<double>(lo) / static_cast<double>(a.scale);
    a.zeroPoint = static_cast<int32_t>(std::clamp(std::lround(zp), -128L, 127L));
    return a;
}

ActivationQuant offsetActivationQuant(float lo, float hi)
{
    ActivationQuant a;
    const double l = lo, h = std::max(hi, lo);
    // At least 1e-8 wide, and wide enough that |lo / scale| + 128 fits the zero point's bound.
    const double scale = std::max({(h - l) / 255.0, std::max(std::abs(l), std::abs(h)) / (kMaxOffsetZeroPoint - 256.0), 1e-8 / 255.0});
    a.scale = static_cast<float>(scale);
    const double zp = -128.0 - l / static_cast<double>(a.scale);
    a.zeroPoint = static_cast<int32_t>(std::clamp(std::lround(zp), -long{kMaxOffsetZeroPoint}, long{kMaxOffsetZeroPoint}));
    return a;
}

rp_add_quant_t addQuant(const ActivationQuant& a, const ActivationQuant& b, const ActivationQuant& out)
{
    constexpr int kLeftShift = 20;
    const double twiceMax = 2.0 * std::max(static_cast<double>(a.scale), static_cast<double>(b.scale));
    const QuantMultiplier ma = quantizeMultiplier(static_cast<double>(a.scale) / twiceMax);
    const QuantMultiplier mb = quantizeMultiplier(static_cast<double>(b.scale) / twiceMax);
    const QuantMultiplier mo = quantizeMultiplier(twiceMax / (static_cast<double>(1 << kLeftShift) * static_cast<double>(out.scale)));
    rp_add_quant_t q{};
    q.input1_offset = -a.zeroPoint;
    q.input2_offset = -b.zeroPoint;
    q.left_shift = kLeftShift;
    q.input1_multiplier = ma.multiplier;
    q.input1_shift = ma.shift;
    q.input2_multiplier = mb.multiplier;
    q.input2_shift = mb.shift;
    q.output_multiplier = mo.multiplier;
    q.output_shift = mo.shift;
    q.output_offset = out.zeroPoint;
    q.activation_min = -128;
    q.activation_max = 127;
    return q;
}

} // namespace rnnpool
