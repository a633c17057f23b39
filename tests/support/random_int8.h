// Random int8 layers and Q15 RNNPool operators for the integer kernels' tests:
// values drawn over the kernels' whole ranges (offsets, clamps, shifts), so
// that a fast path and its scalar reference are compared where they differ.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "integer/conv_s8.h"
#include "integer/rnnpool_q15.h"

namespace rnnpool {

// One int8 convolution: its input map, weights (conv_s8.h layout), bias and quantisation.
struct Case {
    rp_conv_shape_t shape;
    std::vector<int8_t> input, weights;
    std::vector<int32_t> bias, multiplier, shift;
    rp_conv_quant_t quant;
};
Case randomCase(std::mt19937& rng, rp_conv_shape_t s, bool depthwise, bool withBias);

// A Q15 RNNPool operator whose cells' weights it owns (cfg points into them).
struct RandomOp {
    std::vector<int16_t> w[3], u[3];
    std::vector<int32_t> bg[3], bh[3];
    rp_rnnpool_s8q15_config cfg{};
};
// Cell k (0: RNN1, 1: RNN2 forward, 2: RNN2 backward) of `r`.
rp_fastgrnn_q15_cell randomCell(std::mt19937& rng, RandomOp& r, int k, int32_t in, int32_t hidden);

} // namespace rnnpool
