#include "ops/elementwise.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Core>

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
    // Eigen arrays: vectorised square root (a plain std::sqrt loop is not,
    // for errno's sake) and a scratch buffer kept per thread.
    using Array = Eigen::Array<float, Eigen::Dynamic, 1>;
    using ConstMap = Eigen::Map<const Array>;
    thread_local Array norm;
    norm.resize(hw);
    norm = ConstMap(in.data(), hw).square();
    for (int64_t c = 1; c < m_channels; ++c)
        norm += ConstMap(in.data() + c * hw, hw).square();
    // One division per pixel, not per element.
    norm = (norm.sqrt() + 1e-10f).inverse();
    for (int64_t c = 0; c < m_channels; ++c)
        Eigen::Map<Array>(out.data() + c * hw, hw) = m_scale.data()[c] * (ConstMap(in.data() + c * hw, hw) * norm);
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
