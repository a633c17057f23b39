// Concatenated ReLU (Shang et al. 2016), FaceBoxes' first layers:
// out = relu([x, -x]) along channels, so C channels become 2C.
#pragma once

#include "ops/op.h"

namespace rnnpool {

class CRelu final : public Op {
public:
    std::string_view kind() const override { return "crelu"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }
};

} // namespace rnnpool
