// Direct convolutions, vectorised with no edge cases in the inner loops.
// Bias and activation are applied before or right after the store, while
// the output is in cache. Work is split over channels or output rows only,
// so results are identical whatever the thread count.
//   depthwiseDirect: one filter per channel (groups == channels). Each
//   channel is padded and split into stride² sub-planes, so that every
//   output row is one pass over a long row (see SubPlanes in the .cpp).
//   fewOutputsDirect: a dense convolution with few output channels (the stems
//   and detection heads), where im2col + GEMM would copy each input k² times
//   to use it only a handful of times. Each input channel is copied into a
//   zero-padded, phase-split plane (column x = m·stride + φ at [φ][m]), so
//   every tap of any stride reads consecutive floats.
#pragma once

#include "ops/activation.h"
#include "tensor/tensor.h"

namespace rnnpool {

struct DirectConvShape {
    int64_t kernelH = 3, kernelW = 3, strideH = 1, strideW = 1, padH = 1, padW = 1;
};

// The most output channels fewOutputsDirect() takes.
constexpr int64_t kDirectMaxOutputs = 8;

// in [C, ih, iw], weight [C, kh·kw] (folded), bias [C], out [C, oh, ow] sized by the caller.
void depthwiseDirect(const DirectConvShape& shape, const Tensor& in, const float* weight, const float* bias,
                     Activation activation, Tensor& out);

// in [C, ih, iw], weight [O, C, kh, kw] (folded), bias [O], out [O, oh, ow]; O <= kDirectMaxOutputs.
void fewOutputsDirect(const DirectConvShape& shape, const Tensor& in, const float* weight, const float* bias,
                      Activation activation, Tensor& out);

} // namespace rnnpool
