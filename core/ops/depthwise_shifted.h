// The interior of a 3×3 depthwise channel read through aligned loads only.
// A packet of 16 outputs takes its taps from three rows at columns x - 1,
// x, x + 1; for a row w floats wide those sit 1 and w (mod 16) floats off a
// cache line, so the plain kernel's loads nearly all straddle two lines,
// which costs a load port twice (measured: ~10 cycles a packet at w = 40,
// ~5 with aligned loads). Here each row's packets are loaded once, on line
// boundaries, as a sliding window of three, and every tap is one lane
// shift (valignd) of two neighbours, with the column's out-of-picture lanes
// zeroed in the same instruction. Needs AVX-512 and a plane starting on a
// cache line; shiftedDepthwiseApplies() says whether it runs.
#pragma once

#include "ops/activation.h"
#include "ops/simd.h"

namespace rnnpool {

// Whether depthwise3x3Shifted() runs for a plane at `src` (built with AVX-512
// and src on a 64-byte boundary).
bool shiftedDepthwiseApplies(const float* src);

// Output packets [first, end) of a 3×3 depthwise channel (padding 1) whose
// every packet lies in rows 1 .. h - 2 with two packets to spare on either
// side (the window reads 32 floats around them). columnMasks[position · 3
// + kx] are the lanes whose column x + kx - 1 is inside, for the packet's
// position first % period, first % period + 1, ... in the period. ReLU and
// ReLU6 are applied; other activations are the caller's.
void depthwise3x3Shifted(const float* src, int64_t w, const float* weight, float bias, Activation activation,
                         float* dst, int64_t first, int64_t end, const uint16_t* columnMasks, int64_t period);

} // namespace rnnpool
