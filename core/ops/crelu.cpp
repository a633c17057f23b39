#include "ops/crelu.h"

#include <algorithm>

namespace rnnpool {

Status CRelu::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs[0].size() != 3)
        return makeError("crelu needs a CxHxW map, got " + shapeToString(inputs[0]));
    output = {2 * inputs[0][0], inputs[0][1], inputs[0][2]};
    return Status::ok();
}

void CRelu::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const int64_t n = in.numel();
    for (int64_t i = 0; i < n; ++i) {
        out.data()[i] = std::max(in.data()[i], 0.0f);
        out.data()[n + i] = std::max(-in.data()[i], 0.0f);
    }
}

} // namespace rnnpool
