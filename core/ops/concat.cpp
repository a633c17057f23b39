#include "ops/concat.h"

#include <algorithm>

namespace rnnpool {

Status Concat::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs.empty())
        return makeError("concat needs at least one input");
    int64_t channels = 0;
    for (const Shape& s : inputs) {
        if (s.size() != 3 || s[1] != inputs[0][1] || s[2] != inputs[0][2])
            return makeError("concat needs CxHxW maps of one height and width, got " + shapeToString(inputs[0]) + " and " +
                             shapeToString(s));
        channels += s[0];
    }
    output = {channels, inputs[0][1], inputs[0][2]};
    return Status::ok();
}

void Concat::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    float* dst = out.data();
    for (const Tensor* t : inputs)
        dst = std::copy(t->data(), t->data() + t->numel(), dst);
}

} // namespace rnnpool
