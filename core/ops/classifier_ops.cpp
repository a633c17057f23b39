#include "ops/classifier_ops.h"

namespace rnnpool {

Status GlobalAveragePool::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs[0].size() != 3)
        return makeError("global average pooling needs a CxHxW map, got " + shapeToString(inputs[0]));
    output = {inputs[0][0], 1, 1};
    return Status::ok();
}

void GlobalAveragePool::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const int64_t hw = in.dim(1) * in.dim(2);
    for (int64_t c = 0; c < in.dim(0); ++c) {
        double sum = 0.0;
        for (int64_t i = 0; i < hw; ++i)
            sum += static_cast<double>(in.data()[c * hw + i]);
        out.data()[c] = static_cast<float>(sum / static_cast<double>(hw));
    }
}

std::vector<WeightSlot> Linear::weightSlots()
{
    return {{m_weights + ".weight", {m_out, m_in}, &m_weight}, {m_weights + ".bias", {m_out}, &m_bias}};
}

Status Linear::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (shapeNumel(inputs[0]) != m_in)
        return makeError("linear layer expects " + std::to_string(m_in) + " features, got shape " + shapeToString(inputs[0]));
    output = {m_out, 1, 1};
    return Status::ok();
}

void Linear::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const float* x = inputs[0]->data();
    for (int64_t o = 0; o < m_out; ++o) {
        float acc = m_bias.data()[o];
        const float* w = m_weight.data() + o * m_in;
        for (int64_t i = 0; i < m_in; ++i)
            acc += w[i] * x[i];
        out.data()[o] = acc;
    }
}

} // namespace rnnpool
