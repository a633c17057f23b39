// Concatenation along channels (torch.cat(dim=1)): the join of an inception
// block's paths and of a dense block's layers.
#pragma once

#include "ops/op.h"

namespace rnnpool {

class Concat final : public Op {
public:
    explicit Concat(int inputs) : m_inputs(inputs) {}
    std::string_view kind() const override { return "concat"; }
    int numInputs() const override { return m_inputs; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

private:
    int m_inputs;
};

} // namespace rnnpool
