// The arithmetic of quantisation that happens once, when a model is quantised
// or loaded (never per frame): real scales as Q31 multipliers and shifts for
// rp_requantize_s32 (core/integer/requantize.h), activation ranges as int8
// scales and zero points, and the parameter structs of the integer kernels.
//
//   QuantMultiplier m = quantizeMultiplier(inScale * weightScale / outScale);
//   int32_t y = rp_requantize_s32(acc, m.multiplier, m.shift);
//   ActivationQuant a = activationQuant(-1.5f, 6.0f); // scale and zero point
#pragma once

#include <cstdint>

#include "integer/elementwise_s8.h"

namespace rnnpool {

// real = multiplier / 2^31 * 2^shift, |multiplier| in [2^30, 2^31).
// Reals below 2^-32 (and zero) become multiplier 0; reals of 2^30 or more
// cannot be represented (valid == false).
struct QuantMultiplier {
    int32_t multiplier = 0;
    int32_t shift = 0;
    bool valid = true;
};
QuantMultiplier quantizeMultiplier(double real);

// int8 with an affine map: real = scale * (q - zeroPoint).
struct ActivationQuant {
    float scale = 1.0f;
    int32_t zeroPoint = 0;
    float dequantize(int32_t q) const { return scale * static_cast<float>(q - zeroPoint); }
    int8_t quantize(float real) const;
};

// The int8 map of [lo, hi] widened to include 0 (so that zero padding is exact).
ActivationQuant activationQuant(float lo, float hi);

// The int8 map of [lo, hi] as it is, 0 not included: for a map quantised per
// channel whose every reader is a 1x1 convolution that folds the zero point
// into its bias (RNNPool's outputs: each channel lies far from 0, e.g.
// 0.66..0.73, where including 0 would make the step ten times coarser). The
// zero point may then lie outside int8; it stays within +-kMaxOffsetZeroPoint
// (the scale grows if it must), so that 1x1 readers' folded biases fit int32.
constexpr int32_t kMaxOffsetZeroPoint = 32767;
ActivationQuant offsetActivationQuant(float lo, float hi);

// rp_add_s8's parameters for out = a + b (the left shift is 20 bits).
rp_add_quant_t addQuant(const ActivationQuant& a, const ActivationQuant& b, const ActivationQuant& out);

} // namespace rnnpool
