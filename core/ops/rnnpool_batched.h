// The fast RNNPool kernel: every sweep of the whole map advances together as
// matrix products, RNN1's W·x is computed once per pixel, and the row (column)
// sweeps that overlapping patches share are computed once. The scalar
// RnnPool::trace() is its oracle in tests.
#pragma once

#include "ops/rnnpool.h"

namespace rnnpool {

// Writes the gh × gw patch outputs of `input` (CHW) into out[:, :gh, :gw].
void rnnPoolBatched(const RnnPool& op, const Tensor& input, Tensor& out);

} // namespace rnnpool
