#include "ops/squeeze_excite.h"

namespace rnnpool {

std::vector<WeightSlot> SqueezeExcite::weightSlots()
{
    const auto& p = m_params;
    return {{p.weights + ".fc1.weight", {p.squeezed, p.channels, 1, 1}, &m_reduceW},
            {p.weights + ".fc1.bias", {p.squeezed}, &m_reduceB},
            {p.weights + ".fc2.weight", {p.channels, p.squeezed, 1, 1}, &m_expandW},
            {p.weights + ".fc2.bias", {p.channels}, &m_expandB}};
}

Status SqueezeExcite::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs[0].size() != 3 || inputs[0][0] != m_params.channels)
        return makeError("squeeze-excite expects " + std::to_string(m_params.channels) + " channels, got shape " +
                         shapeToString(inputs[0]));
    output = inputs[0];
    return Status::ok();
}

void SqueezeExcite::gatesInto(const float* means, float* hidden, float* gate) const
{
    const auto& p = m_params;
    for (int64_t r = 0; r < p.squeezed; ++r) {
        float acc = m_reduceB.data()[r];
        for (int64_t c = 0; c < p.channels; ++c)
            acc += m_reduceW.data()[r * p.channels + c] * means[c];
        hidden[r] = activate(p.inner, acc);
    }
    for (int64_t c = 0; c < p.channels; ++c) {
        float acc = m_expandB.data()[c];
        for (int64_t r = 0; r < p.squeezed; ++r)
            acc += m_expandW.data()[c * p.squeezed + r] * hidden[r];
        gate[c] = activate(p.gate, acc);
    }
}

std::vector<float> SqueezeExcite::gates(const std::vector<float>& means) const
{
    std::vector<float> hidden(static_cast<size_t>(m_params.squeezed)), gate(static_cast<size_t>(m_params.channels));
    gatesInto(means.data(), hidden.data(), gate.data());
    return gate;
}

void SqueezeExcite::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const int64_t hw = in.dim(1) * in.dim(2);
    std::vector<float> means(static_cast<size_t>(m_params.channels));
    for (int64_t c = 0; c < m_params.channels; ++c) {
        double sum = 0.0;
        for (int64_t i = 0; i < hw; ++i)
            sum += static_cast<double>(in.data()[c * hw + i]);
        means[static_cast<size_t>(c)] = static_cast<float>(sum / static_cast<double>(hw));
    }
    const std::vector<float> gate = gates(means);
    for (int64_t c = 0; c < m_params.channels; ++c)
        for (int64_t i = 0; i < hw; ++i)
            out.data()[c * hw + i] = in.data()[c * hw + i] * gate[static_cast<size_t>(c)];
}

} // namespace rnnpool
