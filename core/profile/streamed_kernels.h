// Kernels that run a unit of the paper's schedule with almost no working
// memory, as a microcontroller would (Appendix E.2):
//  - an inverted-residual block channel by channel: each expanded channel is
//    made k rows at a time, filtered depthwise one row at a time, and its
//    contribution added to every output channel (with squeeze-excite, a
//    first pass makes each channel's mean, recomputing its rows);
//  - RNNPool patch by patch, with one patch's RNN state; the convolutions
//    that feed it alone are computed pixel by pixel inside it (each pixel
//    once per patch, so overlapping patches recompute theirs);
//  - a 1x1 convolution and the global average pool after it, pixel by pixel.
// `scratch` must hold unitScratchElements() floats (schedule.h).
#pragma once

#include "model/network.h"
#include "profile/schedule.h"

namespace rnnpool {

void runInvertedResidualStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output,
                                 float* scratch);
void runRnnPoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output, float* scratch);
void runPointwisePoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output,
                              float* scratch);

} // namespace rnnpool
