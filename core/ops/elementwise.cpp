#include "ops/elementwise.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Core>

#include "ops/simd.h"

namespace rnnpool {

Status Add::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs[0] != inputs[1])
        return makeError("add needs equal shapes, got " + shapeToString(inputs[0]) + " and " + shapeToString(inputs[1]));
    output = inputs[0];
    return Status::ok();
}

void Add::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const float* a = inputs[0]->data();
    const float* b = inputs[1]->data();
    float* y = out.data();
    const int64_t n = out.numel();
    for (int64_t i = 0; i < n; ++i)
        y[i] = a[i] + b[i];
    activateInPlace(m_activation, y, n);
}

Status L2Norm::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs[0].size() != 3 || inputs[0][0] != m_channels)
        return makeError("l2norm expects " + std::to_string(m_channels) + " channels, got shape " + shapeToString(inputs[0]));
    output = inputs[0];
    return Status::ok();
}

void L2Norm::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const int64_t hw = in.dim(1) * in.dim(2);
    const float* x = in.data();
    const float* scale = m_scale.data();
    float* y = out.data();
    // One pass over packets of pixels: the sum of squares over the channels,
    // one reciprocal of (norm + 1e-10) per pixel, then every channel scaled.
    using namespace simd;
    int64_t i = 0;
    for (; i + kLanes <= hw; i += kLanes) {
        Packet sum = mul(load(x + i), load(x + i));
        for (int64_t c = 1; c < m_channels; ++c) {
            const Packet v = load(x + c * hw + i);
            sum = fma(v, v, sum);
        }
        const Packet inverse = reciprocal(add(Eigen::internal::psqrt(sum), splat(1e-10f)));
        for (int64_t c = 0; c < m_channels; ++c)
            store(y + c * hw + i, mul(splat(scale[c]), mul(load(x + c * hw + i), inverse)));
    }
    for (; i < hw; ++i) {
        float sum = 0.0f;
        for (int64_t c = 0; c < m_channels; ++c)
            sum += x[c * hw + i] * x[c * hw + i];
        const float inverse = 1.0f / (std::sqrt(sum) + 1e-10f);
        for (int64_t c = 0; c < m_channels; ++c)
            y[c * hw + i] = scale[c] * (x[c * hw + i] * inverse);
    }
}

Status BackgroundMaxOut::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const Shape& in = inputs[0];
    if (in.size() != 3 || in[0] <= m_background)
        return makeError("background max-out over " + std::to_string(m_background) + " channels needs more channels than that, got shape " + shapeToString(in));
    output = {in[0] - m_background + 1, in[1], in[2]};
    return Status::ok();
}

void BackgroundMaxOut::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const int64_t hw = in.dim(1) * in.dim(2);
    float* y = out.data();
    std::copy(in.data(), in.data() + hw, y);
    for (int64_t c = 1; c < m_background; ++c) {
        const float* x = in.data() + c * hw;
        for (int64_t i = 0; i < hw; ++i)
            y[i] = std::max(y[i], x[i]);
    }
    std::copy(in.data() + m_background * hw, in.data() + in.numel(), y + hw);
}

} // namespace rnnpool
