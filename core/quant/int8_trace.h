// RNNPool's hidden states on one patch as the int8 engine computes them: the
// Q15 patch kernel (integer/rnnpool_q15.h) with its trace, on the int8 map the
// engine feeds it, the states dequantised (h / 2^h_frac_bits) into the float
// trace's struct, so the studio's sweep view shows either, and their
// difference.
//
//   Expected<RnnPoolTrace> q15 = traceRnnPoolPatchInt8(net8, node, dequantisedInput, row, col);
//   Expected<RnnPoolTrace> f32 = traceRnnPoolPatch(floatNet, input, run, name, row, col);
//   RnnPoolTrace error = traceDifference(*q15, *f32);
#pragma once

#include "ops/rnnpool.h"
#include "quant/int8_network.h"

namespace rnnpool {

// `input` is the RNNPool node's input map dequantised (CHW float, as the int8
// engine's outputs are shown); it is quantised back with the producing node's
// scale and zero point, which gives the engine's integers exactly.
Expected<RnnPoolTrace> traceRnnPoolPatchInt8(const Int8Network& net, int node, const Tensor& input, int64_t patchRow,
                                             int64_t patchCol);

// a - b for every state and the output, on a's geometry and input; refused
// when the two traces are not of the same patch and sizes.
Expected<RnnPoolTrace> traceDifference(const RnnPoolTrace& a, const RnnPoolTrace& b);

} // namespace rnnpool
