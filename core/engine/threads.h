// How many threads the engine's kernels use (OpenMP; today the RNNPool
// kernel's sweep blocks). Results are identical whatever the count: work is
// split into independent blocks, never into partial sums. Eigen's products
// stay single-threaded (EIGEN_DONT_PARALLELIZE) for the same reason.
#pragma once

namespace rnnpool {

void setEngineThreads(int threads);
int engineThreads();

} // namespace rnnpool
