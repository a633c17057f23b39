// Elementwise ops that ONNX graphs bring and the built-in specs fuse away:
// a standalone activation (with ONNX's parameters), a broadcasting product,
// and softmax over channels. No weights; no multiply-adds (the paper counts
// convolutions, RNN products and fully connected layers only).
#pragma once

#include <optional>

#include "ops/op.h"

namespace rnnpool {

// y = f(x) for one of relu, relu6, sigmoid, tanh, swish, hsigmoid
// (max(0, min(1, alpha*x + beta)); PyTorch's 1/6 and 1/2 by default),
// hswish (x * hsigmoid(x)), leakyrelu (x < 0 ? alpha*x : x; alpha 0.01),
// elu (x < 0 ? alpha*(e^x - 1) : x; alpha 1) and clip (min and max optional).
struct ActivationParams {
    enum class Fn { Relu, Relu6, Sigmoid, Tanh, Swish, HardSigmoid, HardSwish, LeakyRelu, Elu, Clip };
    Fn fn = Fn::Relu;
    float alpha = 0.0f, beta = 0.0f;
    std::optional<float> min, max;
};
std::optional<ActivationParams::Fn> parseActivationFn(const std::string& name);
// The defaults of alpha and beta for `fn` (as PyTorch's modules have them).
void setActivationDefaults(ActivationParams& p);
float applyActivation(const ActivationParams& p, float x);

class ActivationOp final : public Op {
public:
    explicit ActivationOp(ActivationParams params) : m_params(params) {}
    std::string_view kind() const override { return "activation"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }
    const ActivationParams& params() const { return m_params; }

private:
    ActivationParams m_params;
};

// out = a * b: equal shapes, or either side per channel (C×1×1) or a scalar (1×1×1).
class Mul final : public Op {
public:
    std::string_view kind() const override { return "mul"; }
    int numInputs() const override { return 2; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }
};

// Softmax over the channels at each pixel (the max subtracted first).
class Softmax final : public Op {
public:
    std::string_view kind() const override { return "softmax"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }
};

} // namespace rnnpool
