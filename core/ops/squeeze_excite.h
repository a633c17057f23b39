// Squeeze-and-excitation (Hu et al.), as EfficientNet and MobileNetV3 use it:
// each channel's mean goes through a 1×1 reduce conv (with bias) and an
// activation, a 1×1 expand conv (with bias) and a gate; every channel is then
// scaled by its gate. Multiply-adds: the two small fully connected products;
// the final per-element scaling is elementwise and not counted.
//
// Checkpoint keys: "<weights>.fc1.{weight,bias}" (reduce), "<weights>.fc2.{weight,bias}" (expand).
#pragma once

#include "ops/activation.h"
#include "ops/op.h"

namespace rnnpool {

struct SqueezeExciteParams {
    int64_t channels = 0;
    int64_t squeezed = 0;
    Activation inner = Activation::Swish;
    Activation gate = Activation::Sigmoid;
    std::string weights;
};

class SqueezeExcite final : public Op {
public:
    explicit SqueezeExcite(SqueezeExciteParams params) : m_params(std::move(params)) {}
    std::string_view kind() const override { return "squeeze_excite"; }
    std::vector<WeightSlot> weightSlots() override;
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 2 * m_params.channels * m_params.squeezed; }

    const SqueezeExciteParams& params() const { return m_params; }
    // The per-channel gates for per-channel means `means` (length channels).
    std::vector<float> gates(const std::vector<float>& means) const;
    // The same into caller buffers: `squeezed` (length squeezed), `gates` (length channels).
    void gatesInto(const float* means, float* squeezed, float* gates) const;

private:
    SqueezeExciteParams m_params;
    Tensor m_reduceW, m_reduceB, m_expandW, m_expandB;
};

} // namespace rnnpool
