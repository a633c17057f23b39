// The ops a classification network ends with: global average pooling and a
// fully connected layer (PyTorch's nn.Linear, weight [out, in]).
#pragma once

#include "ops/op.h"

namespace rnnpool {

// CHW -> C×1×1, the mean over each channel's map.
class GlobalAveragePool final : public Op {
public:
    std::string_view kind() const override { return "global_avgpool"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }
};

// C×1×1 (or any CHW, flattened) -> out×1×1.
class Linear final : public Op {
public:
    Linear(int64_t inFeatures, int64_t outFeatures, std::string weights)
        : m_in(inFeatures), m_out(outFeatures), m_weights(std::move(weights)) {}
    std::string_view kind() const override { return "linear"; }
    std::vector<WeightSlot> weightSlots() override;
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return m_in * m_out; }

private:
    int64_t m_in, m_out;
    std::string m_weights;
    Tensor m_weight, m_bias;
};

} // namespace rnnpool
