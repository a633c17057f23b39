// Kernels that run a unit of the paper's schedule with almost no working
// memory, as a microcontroller would (Appendix E.2):
//  - an inverted-residual block channel by channel: each expanded channel is
//    made three rows at a time, filtered depthwise one row at a time, and its
//    contribution added to every output channel;
//  - RNNPool patch by patch, with one patch's RNN state.
// `scratch` must hold unitScratchElements() floats (schedule.h).
#pragma once

#include "model/network.h"
#include "profile/schedule.h"

namespace rnnpool {

void runInvertedResidualStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output,
                                 float* scratch);
void runRnnPoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output, float* scratch);

} // namespace rnnpool
