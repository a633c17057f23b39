// Small ops without a kernel of their own worth a file: residual add, L2Norm
// with a learned per-channel scale, and S3FD's max-out background.
#pragma once

#include "ops/activation.h"
#include "ops/op.h"

namespace rnnpool {

// out = a + b (the residual connection of an inverted-residual block).
class Add final : public Op {
public:
    explicit Add(Activation activation = Activation::None) : m_activation(activation) {}
    std::string_view kind() const override { return "add"; }
    int numInputs() const override { return 2; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

private:
    Activation m_activation;
};

// out[c] = weight[c] * x[c] / (||x[:, y, x]||_2 + eps), the norm taken over
// channels at each pixel (S3FD's L2Norm; eps = 1e-10 added after the sqrt).
class L2Norm final : public Op {
public:
    L2Norm(int64_t channels, std::string weights) : m_channels(channels), m_weights(std::move(weights)) {}
    std::string_view kind() const override { return "l2norm"; }
    std::vector<WeightSlot> weightSlots() override { return {{m_weights + ".weight", {m_channels}, &m_scale}}; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape> inputs, const Shape&) const override { return 2 * shapeNumel(inputs[0]); }

private:
    int64_t m_channels;
    std::string m_weights;
    Tensor m_scale;
};

// S3FD's max-out background label: the first `background` channels are reduced
// by max into one, the rest pass through. 4 channels [b0,b1,b2,face] -> [max(b), face].
class BackgroundMaxOut final : public Op {
public:
    explicit BackgroundMaxOut(int64_t background) : m_background(background) {}
    std::string_view kind() const override { return "background_maxout"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

private:
    int64_t m_background;
};

} // namespace rnnpool
