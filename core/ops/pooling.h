// Max and average pooling over k×k windows (PyTorch's MaxPool2d / AvgPool2d,
// including ceil_mode, which GoogLeNet uses). No weights; no multiply-adds
// (the paper's MAdds count convolutions, RNN matrix-vector products and fully
// connected layers only).
#pragma once

#include "ops/op.h"

namespace rnnpool {

struct Pool2dParams {
    enum class Mode { Max, Average };
    Mode mode = Mode::Max;
    int64_t kernel = 2, stride = 2, pad = 0;
    bool ceilMode = false;
    bool countIncludePad = true; // average pooling: padded taps count in the divisor
};

class Pool2d final : public Op {
public:
    explicit Pool2d(Pool2dParams params) : m_params(params) {}
    std::string_view kind() const override { return m_params.mode == Pool2dParams::Mode::Max ? "maxpool" : "avgpool"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

    const Pool2dParams& params() const { return m_params; }

private:
    Pool2dParams m_params;
};

// Output extent as PyTorch computes it, ceil_mode included.
int64_t poolOutputSize(int64_t in, const Pool2dParams& p);

} // namespace rnnpool
