// A BatchNorm with an activation after it, standing alone (the pre-activation
// "norm, relu" of DenseNet's layers, which no convolution before it can
// absorb). Inference form: y = act(x·scale + shift), scale and shift folded
// from the running statistics. Elementwise, so no multiply-adds are counted.
//
// Checkpoint keys: "<weights>.weight", ".bias", ".running_mean", ".running_var".
#pragma once

#include "ops/activation.h"
#include "ops/op.h"

namespace rnnpool {

class BatchNormAct final : public Op {
public:
    BatchNormAct(int64_t channels, std::string weights, Activation activation, float eps = 1e-5f)
        : m_channels(channels), m_weights(std::move(weights)), m_activation(activation), m_eps(eps)
    {
    }
    std::string_view kind() const override { return "batchnorm"; }
    std::vector<WeightSlot> weightSlots() override;
    void finalize() override;
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

    Activation activation() const { return m_activation; }
    const Tensor& scale() const { return m_scale; }
    const Tensor& shift() const { return m_shift; }

private:
    int64_t m_channels;
    std::string m_weights;
    Activation m_activation;
    float m_eps;
    Tensor m_gamma, m_beta, m_mean, m_var, m_scale, m_shift;
};

} // namespace rnnpool
