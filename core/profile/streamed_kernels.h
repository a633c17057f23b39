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
    int64_t base = 0; // row y at slot (y - base) % rows (a line buffer that moves its rows down: its oldest row)
    float* row(int64_t channel, int64_t y, int64_t width) const { return data + (channel * rows + (y - base) % rows) * width; }
};

void runInvertedResidualStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output,
                                 float* scratch);
// With `ring`, the picture is read from it (`input` gives its extents only).
void runRnnPoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output, float* scratch,
                        const RowRing* ring = nullptr);
// One row of a unit from a line buffer (`in`: the unit's input rows, in
// RowRing's layout, row y at slot y - base; the unit's input extents
// `inputShape`), into out[c * outChannelStride + x] for x < outWidth. An
// inverted residual without squeeze-excite: output row oy; RNNPool with its
// fused convolutions: patch row gy, the right padding columns replicated.
void runInvertedResidualRow(const Network& net, const ScheduleUnit& unit, const RowRing& in, const Shape& inputShape,
                            int64_t oy, float* out, int64_t outChannelStride, int64_t outWidth, float* scratch);
void runRnnPoolRow(const Network& net, const ScheduleUnit& unit, const RowRing& in, const Shape& inputShape, int64_t gy,
                   float* out, int64_t outChannelStride, int64_t outWidth, float* scratch);
void runPointwisePoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& output,
                              float* scratch);

} // namespace rnnpool
