// Conv2d: any kernel, stride, padding and groups (depthwise included), with an
// optional bias, an optional BatchNorm folded in at load time, and a fused
// activation. Layout: input CHW, weight OIHW (PyTorch's).
//
// Checkpoint keys: "<weights>.weight", "<weights>.bias" (when bias), and for
// BatchNorm "<bn>.weight", "<bn>.bias", "<bn>.running_mean", "<bn>.running_var".
#pragma once

#include <optional>

#include "ops/activation.h"
#include "ops/op.h"

namespace rnnpool {

struct Conv2dParams {
    int64_t inChannels = 0;
    int64_t outChannels = 0;
    int64_t kernelH = 1, kernelW = 1;
    int64_t strideH = 1, strideW = 1;
    int64_t padH = 0, padW = 0;         // top and left (and bottom and right unless given below)
    int64_t padBottom = -1, padRight = -1; // -1: equal to padH, padW (ONNX's asymmetric pads otherwise)
    int64_t dilationH = 1, dilationW = 1;
    int64_t groups = 1;
    bool bias = false;
    std::string weights;            // checkpoint prefix of the conv
    std::optional<std::string> bn;  // checkpoint prefix of a BatchNorm after it
    float bnEps = 1e-5f;
    Activation activation = Activation::None;

    int64_t bottom() const { return padBottom < 0 ? padH : padBottom; }
    int64_t right() const { return padRight < 0 ? padW : padRight; }
    // Symmetric padding and no dilation: what the fast kernels, the streamed
    // schedule and the int8 engine handle. Otherwise eval takes the general path.
    bool plainGeometry() const { return dilationH == 1 && dilationW == 1 && bottom() == padH && right() == padW; }
};

class Conv2d final : public Op {
public:
    explicit Conv2d(Conv2dParams params);

    std::string_view kind() const override { return "conv2d"; }
    std::vector<WeightSlot> weightSlots() override;
    void finalize() override;
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape> inputs, const Shape& output) const override;

    const Conv2dParams& params() const { return m_params; }
    // The folded weight and bias that eval() uses.
    const Tensor& foldedWeight() const { return m_foldedWeight; }
    const Tensor& foldedBias() const { return m_foldedBias; }

private:
    void evalDepthwise(const Tensor& in, Tensor& out) const;
    void evalPointwise(const Tensor& in, Tensor& out) const;
    void evalFewOutputs(const Tensor& in, Tensor& out) const;
    void evalIm2col(const Tensor& in, Tensor& out) const;
    void evalGeneral(const Tensor& in, Tensor& out) const;

    Conv2dParams m_params;
    Tensor m_weight, m_bias, m_bnGamma, m_bnBeta, m_bnMean, m_bnVar;
    Tensor m_foldedWeight, m_foldedBias;
};

// Plain scalar convolution: the oracle for the fast kernels in tests.
// weight OIHW, bias [O] (may be empty), input CHW; output shape is computed.
Tensor conv2dReference(const Tensor& input, const Tensor& weight, const Tensor& bias,
                       int64_t strideH, int64_t strideW, int64_t padH, int64_t padW,
                       int64_t groups, Activation activation);

int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad);
// With dilation and padding before and after: floor((in + before + after - dilation*(k-1) - 1) / stride) + 1.
int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t padBefore, int64_t padAfter, int64_t dilation);

// The scalar oracle with dilation and asymmetric padding (pads: top, left, bottom, right).
Tensor conv2dReferenceGeneral(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t strideH,
                              int64_t strideW, const int64_t pads[4], int64_t dilationH, int64_t dilationW, int64_t groups,
                              Activation activation);

} // namespace rnnpool
