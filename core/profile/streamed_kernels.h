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

#include <functional>

#include "model/network.h"
#include "profile/schedule.h"

namespace rnnpool {

// The picture's rows in a ring (rowstream): [C][rows][W], picture row y at
// slot y % rows; `deliver(last)` brings every row up to `last` (a camera's
// DMA) before a patch row reads them.
struct RowRing {
    float* data = nullptr;
    int64_t rows = 0;
    std::function<void(int64_t last)> deliver;
};

void runInvertedResidualStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output,
                                 float* scratch);
// With `ring`, the picture is read from it (`input` gives its extents only).
void runRnnPoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output, float* scratch,
                        const RowRing* ring = nullptr);
void runPointwisePoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output,
                              float* scratch);

} // namespace rnnpool
