// Pointwise (1×1, stride 1) convolution as a register-blocked matrix product
// on the CHW map: out[o][p] = act(bias[o] + Σ_i w[o][i]·in[i][p]). A block of
// 8 output channels × 3 packets of pixels is 24 accumulators in registers;
// each input packet is loaded once per block and each weight is a broadcast
// operand. The block's inputs (all channels × 48 pixels) stay in L1 while
// every output channel block uses them, and bias and activation are applied
// before the single store. Work is split over pixel blocks only, so results
// are identical whatever the thread count.
#pragma once

#include "ops/activation.h"

namespace rnnpool {

// weight [outC, inC], bias [outC]; in [inC, pixels], out [outC, pixels].
void pointwiseDirect(const float* weight, const float* bias, Activation activation, const float* in, int64_t inChannels,
                     int64_t outChannels, int64_t pixels, float* out);

} // namespace rnnpool
