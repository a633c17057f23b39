// The fast RNNPool kernel: sequences advance side by side, one per SIMD lane
// (ops/fastgrnn_lanes.h); RNN1's W·x is one matrix product, once per pixel;
// the row (column) sweeps that overlapping patches share are computed once.
// The scalar RnnPool::trace() and rnnPoolPatchReference() are its oracles in tests.
#pragma once

#include "ops/rnnpool.h"

namespace rnnpool {

// Writes the gh × gw patch outputs of `input` (CHW) into out[:, :gh, :gw].
void rnnPoolBatched(const RnnPool& op, const Tensor& input, Tensor& out);

// The multiply-adds rnnPoolBatched() executes on an input of this shape (the
// paper's count, RnnPool::madds(), runs every sweep of every patch anew).
int64_t rnnPoolExecutedMadds(const RnnPool& op, const Shape& input);

} // namespace rnnpool
