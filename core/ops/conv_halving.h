// The convolutions that halve a map: 3×3, stride 2, padding 1 (the
// down-sampling depthwise layer of MobileNetV2 blocks, and the stems, which
// have few output channels). Each output row reads its three
// input rows where they lie: per packet of 16 outputs and input row, three
// loads on packet boundaries (the packet before 2x and the two at 2x), from
// which two permutes (odd and even floats) and one lane shift give the taps
// at 2x - 1, 2x and 2x + 1, with lanes outside the picture read as zero, as
// padding; input rows are requested a few output rows ahead. No padded or
// phase-split copy of the input, which on these layers cost more than the
// arithmetic.
//
// Needs masked loads and two-source permutes (AVX-512); elsewhere
// halvingApplies() is false and conv_direct's kernels serve.
#pragma once

#include "ops/conv_direct.h"

namespace rnnpool {

// 3×3 kernel, stride 2 and padding 1 on both axes, and AVX-512.
bool halvingApplies(const DirectConvShape& shape);

// As depthwiseDirect() and fewOutputsDirect(), for shapes halvingApplies() accepts.
void depthwiseHalving(const Tensor& in, const float* weight, const float* bias, Activation activation, Tensor& out);
void fewOutputsHalving(const Tensor& in, const float* weight, const float* bias, Activation activation, Tensor& out);

} // namespace rnnpool
