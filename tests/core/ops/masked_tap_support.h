// Tensors for tests of kernels that read taps in place through masked
// loads: inputs inside NaN guards (a masked-off lane read anyway poisons the
// output), outputs that start as NaN (a lane never written fails), and a
// difference that counts a non-finite value as infinitely wrong.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "ops/simd.h"
#include "tensor/tensor.h"

namespace rnnpool::testing_support {

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A [c, h, w] tensor of normal values inside a buffer of NaNs (a packet and
// two rows either side), so a masked tap that read past either end of the
// plane would poison its output. The tensor starts on a cache line, as the
// engine's own tensors do, or `misalignment` floats past one (kernels with
// aligned paths fall back to others there).
struct GuardedInput {
    std::vector<float> storage;
    Tensor tensor;
    GuardedInput(int64_t c, int64_t h, int64_t w, std::mt19937& rng, int64_t misalignment = 0)
        : storage(static_cast<size_t>(c * h * w + 2 * guard(w) + 2 * simd::kLanes), kNaN)
        , tensor(Tensor::view(lineAfter(storage.data() + guard(w)) + misalignment, {c, h, w}))
    {
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (int64_t i = 0; i < tensor.numel(); ++i)
            tensor.data()[i] = normal(rng);
    }
    static int64_t guard(int64_t w) { return simd::kLanes + 2 * w + 2; }
    static float* lineAfter(float* p)
    {
        while (reinterpret_cast<uintptr_t>(p) % 64 != 0)
            ++p;
        return p;
    }
};

inline Tensor randomWeights(Shape shape, std::mt19937& rng)
{
    std::normal_distribution<float> normal(0.0f, 0.3f);
    Tensor t(std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = normal(rng);
    return t;
}

// Max |fast - reference|, infinity where either is not finite.
inline float maxAbsDiff(const Tensor& fast, const Tensor& reference)
{
    EXPECT_EQ(fast.shape(), reference.shape());
    float m = 0.0f;
    for (int64_t i = 0; i < fast.numel() && i < reference.numel(); ++i) {
        const float d = std::abs(fast.data()[i] - reference.data()[i]);
        m = std::isfinite(d) ? std::max(m, d) : std::numeric_limits<float>::infinity();
    }
    return m;
}

inline Tensor nanTensor(const Shape& shape)
{
    Tensor t = Tensor::uninitialized(shape);
    std::fill_n(t.data(), t.numel(), kNaN);
    return t;
}

} // namespace rnnpool::testing_support
