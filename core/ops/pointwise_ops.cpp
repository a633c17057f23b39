#include "ops/pointwise_ops.h"

#include <algorithm>
#include <cmath>

namespace rnnpool {

std::optional<ActivationParams::Fn> parseActivationFn(const std::string& name)
{
    using Fn = ActivationParams::Fn;
    if (name == "relu") return Fn::Relu;
    if (name == "relu6") return Fn::Relu6;
    if (name == "sigmoid") return Fn::Sigmoid;
    if (name == "tanh") return Fn::Tanh;
    if (name == "swish" || name == "silu") return Fn::Swish;
    if (name == "hsigmoid") return Fn::HardSigmoid;
    if (name == "hswish") return Fn::HardSwish;
    if (name == "leakyrelu") return Fn::LeakyRelu;
    if (name == "elu") return Fn::Elu;
    if (name == "clip") return Fn::Clip;
    return std::nullopt;
}

void setActivationDefaults(ActivationParams& p)
{
    using Fn = ActivationParams::Fn;
    switch (p.fn) {
    case Fn::HardSigmoid:
    case Fn::HardSwish: p.alpha = 1.0f / 6.0f; p.beta = 0.5f; break;
    case Fn::LeakyRelu: p.alpha = 0.01f; break;
    case Fn::Elu: p.alpha = 1.0f; break;
    default: break;
    }
}

float applyActivation(const ActivationParams& p, float x)
{
    using Fn = ActivationParams::Fn;
    switch (p.fn) {
    case Fn::Relu: return std::max(x, 0.0f);
    case Fn::Relu6: return std::min(std::max(x, 0.0f), 6.0f);
    case Fn::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Fn::Tanh: return std::tanh(x);
    case Fn::Swish: return x / (1.0f + std::exp(-x));
    case Fn::HardSigmoid: return std::min(std::max(p.alpha * x + p.beta, 0.0f), 1.0f);
    case Fn::HardSwish: return x * std::min(std::max(p.alpha * x + p.beta, 0.0f), 1.0f);
    case Fn::LeakyRelu: return x < 0.0f ? p.alpha * x : x;
    case Fn::Elu: return x < 0.0f ? p.alpha * (std::exp(x) - 1.0f) : x;
    case Fn::Clip: {
        float y = x;
        if (p.min) y = std::max(y, *p.min);
        if (p.max) y = std::min(y, *p.max);
        return y;
    }
    }
    return x;
}

Status ActivationOp::prepare(std::span<const Shape> inputs, Shape& output) const
{
    output = inputs[0];
    return Status::ok();
}

void ActivationOp::eval(std::span<const Tensor* const> inputs, Tensor& output) const
{
    const Tensor& in = *inputs[0];
    const float* x = in.data();
    float* y = output.data();
    for (int64_t i = 0; i < in.numel(); ++i)
        y[i] = applyActivation(m_params, x[i]);
}

namespace {
bool perChannelOf(const Shape& small, const Shape& full)
{
    return small.size() == 3 && full.size() == 3 && small[1] == 1 && small[2] == 1 && (small[0] == full[0] || small[0] == 1);
}
} // namespace

Status Mul::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const Shape& a = inputs[0];
    const Shape& b = inputs[1];
    if (a == b || perChannelOf(b, a)) {
        output = a;
        return Status::ok();
    }
    if (perChannelOf(a, b)) {
        output = b;
        return Status::ok();
    }
    return makeError("mul multiplies equal shapes, or one per channel (C×1×1) or scalar (1×1×1) input, not " +
                     shapeToString(a) + " and " + shapeToString(b));
}

void Mul::eval(std::span<const Tensor* const> inputs, Tensor& output) const
{
    const Tensor* a = inputs[0];
    const Tensor* b = inputs[1];
    if (a->shape() == b->shape()) {
        for (int64_t i = 0; i < a->numel(); ++i)
            output.data()[i] = a->data()[i] * b->data()[i];
        return;
    }
    if (a->numel() < b->numel())
        std::swap(a, b); // b is the per-channel or scalar side
    const int64_t channels = a->dim(0), plane = a->dim(1) * a->dim(2);
    for (int64_t c = 0; c < channels; ++c) {
        const float s = b->data()[b->numel() == 1 ? 0 : c];
        const float* x = a->data() + c * plane;
        float* y = output.data() + c * plane;
        for (int64_t i = 0; i < plane; ++i)
            y[i] = x[i] * s;
    }
}

Status Softmax::prepare(std::span<const Shape> inputs, Shape& output) const
{
    if (inputs[0].size() != 3)
        return makeError("softmax expects a CHW tensor, got " + shapeToString(inputs[0]));
    output = inputs[0];
    return Status::ok();
}

void Softmax::eval(std::span<const Tensor* const> inputs, Tensor& output) const
{
    const Tensor& in = *inputs[0];
    const int64_t channels = in.dim(0), plane = in.dim(1) * in.dim(2);
    for (int64_t i = 0; i < plane; ++i) {
        float top = in.data()[i];
        for (int64_t c = 1; c < channels; ++c)
            top = std::max(top, in.data()[c * plane + i]);
        double sum = 0.0;
        for (int64_t c = 0; c < channels; ++c) {
            const float e = std::exp(in.data()[c * plane + i] - top);
            output.data()[c * plane + i] = e;
            sum += static_cast<double>(e);
        }
        const float inv = static_cast<float>(1.0 / sum);
        for (int64_t c = 0; c < channels; ++c)
            output.data()[c * plane + i] *= inv;
    }
}

} // namespace rnnpool
