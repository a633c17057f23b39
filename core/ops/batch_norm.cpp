#include "ops/batch_norm.h"

#include <cmath>

namespace rnnpool {

std::vector<WeightSlot> BatchNormAct::weightSlots()
{
    return {{m_weights + ".weight", {m_channels}, &m_gamma},
            {m_weights + ".bias", {m_channels}, &m_beta},
            {m_weights + ".running_mean", {m_channels}, &m_mean, false},
            {m_weights + ".running_var", {m_channels}, &m_var, false}};
}

void BatchNormAct::finalize()
{
    m_scale = Tensor({m_channels});
    m_shift = Tensor({m_channels});
    for (int64_t c = 0; c < m_channels; ++c) {
        const float s = m_gamma.data()[c] / std::sqrt(m_var.data()[c] + m_eps);
        m_scale.data()[c] = s;
        m_shift.data()[c] = m_beta.data()[c] - s * m_mean.data()[c];
    }
}

Status BatchNormAct::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs[0].size() != 3 || inputs[0][0] != m_channels)
        return makeError("batchnorm expects " + std::to_string(m_channels) + " channels, got shape " + shapeToString(inputs[0]));
    output = inputs[0];
    return Status::ok();
}

void BatchNormAct::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const int64_t hw = in.dim(1) * in.dim(2);
    for (int64_t c = 0; c < m_channels; ++c) {
        const float* x = in.data() + c * hw;
        float* y = out.data() + c * hw;
        for (int64_t i = 0; i < hw; ++i)
            y[i] = activate(m_activation, x[i] * m_scale.data()[c] + m_shift.data()[c]);
    }
}

} // namespace rnnpool
