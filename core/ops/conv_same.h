// Stride-1 convolutions whose output has the input's size (odd kernel,
// padding (k - 1) / 2): the 3×3 depthwise layers of MobileNet blocks and the
// 3×3 detection heads, at every size. Each channel is read where it lies, as
// one long row of h·w floats: output q takes tap (dy, dx) from input
// q + dy·w + dx through a load masked to the lanes whose tap falls inside the
// picture; the others read as zero, exactly as padding would. So there is no
// padded copy of the input (on 2 to 8 output channels that copy cost as much
// as the arithmetic) and every packet is full except a channel's last, where
// per-row kernels leave lanes idle at the end of each 20- or 40-column row.
//
// Needs masked loads (AVX-512); elsewhere sameConvApplies() is false and the
// callers use conv_direct's padded kernels.
#pragma once

#include "ops/conv_direct.h"

namespace rnnpool {

// Stride 1, odd kernel, padding (k - 1) / 2 on both axes, and masked loads.
bool sameConvApplies(const DirectConvShape& shape);

// As depthwiseDirect() and fewOutputsDirect(), for shapes sameConvApplies() accepts.
void depthwiseSame(const DirectConvShape& shape, const Tensor& in, const float* weight, const float* bias,
                   Activation activation, Tensor& out);
void fewOutputsSame(const DirectConvShape& shape, const Tensor& in, const float* weight, const float* bias,
                    Activation activation, Tensor& out);

} // namespace rnnpool
