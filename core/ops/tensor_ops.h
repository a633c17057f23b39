// Ops that move values without arithmetic, for ONNX graphs: a range of
// channels (Slice, Split), upsampling by whole factors (Resize), and
// ShuffleNet's channel shuffle. No weights; no multiply-adds.
#pragma once

#include "ops/op.h"

namespace rnnpool {

// Channels [begin, end) of the input.
class ChannelSlice final : public Op {
public:
    ChannelSlice(int64_t begin, int64_t end) : m_begin(begin), m_end(end) {}
    std::string_view kind() const override { return "slice"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

private:
    int64_t m_begin, m_end;
};

// Upsampling by whole factors: nearest as PyTorch's F.interpolate(mode='nearest')
// (source index floor(dst / scale)), or bilinear with align_corners=False
// (source (dst + 0.5) / scale - 0.5, clamped at 0 and at the last row/column).
class Resize final : public Op {
public:
    enum class Mode { Nearest, Bilinear };
    Resize(Mode mode, int64_t scaleH, int64_t scaleW) : m_mode(mode), m_scaleH(scaleH), m_scaleW(scaleW) {}
    std::string_view kind() const override { return "resize"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

private:
    Mode m_mode;
    int64_t m_scaleH, m_scaleW;
};

// ShuffleNet's shuffle with g groups: the channels seen as a g × (C/g) matrix,
// transposed. Output channel j*g + i is input channel i*(C/g) + j.
class ChannelShuffle final : public Op {
public:
    explicit ChannelShuffle(int64_t groups) : m_groups(groups) {}
    std::string_view kind() const override { return "channel_shuffle"; }
    Status prepare(std::span<const Shape> inputs, Shape& output) const override;
    void eval(std::span<const Tensor* const> inputs, Tensor& output) const override;
    int64_t madds(std::span<const Shape>, const Shape&) const override { return 0; }

private:
    int64_t m_groups;
};

} // namespace rnnpool
