#include "ops/tensor_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/limits.h"

namespace rnnpool {

Status ChannelSlice::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const Shape& in = inputs[0];
    if (in.size() != 3 || m_begin < 0 || m_begin >= m_end || m_end > in[0])
        return makeError("slice of channels [" + std::to_string(m_begin) + ", " + std::to_string(m_end) + ") does not fit " +
                         shapeToString(in));
    output = {m_end - m_begin, in[1], in[2]};
    return Status::ok();
}

void ChannelSlice::eval(std::span<const Tensor* const> inputs, Tensor& output) const
{
    const Tensor& in = *inputs[0];
    const int64_t plane = in.dim(1) * in.dim(2);
    std::memcpy(output.data(), in.data() + m_begin * plane, static_cast<size_t>((m_end - m_begin) * plane) * sizeof(float));
}

Status Resize::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const Shape& in = inputs[0];
    if (in.size() != 3 || m_scaleH <= 0 || m_scaleW <= 0)
        return makeError("resize expects a CHW tensor and positive scales");
    if (in[1] * m_scaleH > limits::kMaxMapSide || in[2] * m_scaleW > limits::kMaxMapSide)
        return makeError("resize of " + shapeToString(in) + " by " + std::to_string(m_scaleH) + "x" + std::to_string(m_scaleW) +
                         " is beyond the limit of " + std::to_string(limits::kMaxMapSide) + " a side (kMaxMapSide in core/util/limits.h)");
    output = {in[0], in[1] * m_scaleH, in[2] * m_scaleW};
    return Status::ok();
}

void Resize::eval(std::span<const Tensor* const> inputs, Tensor& output) const
{
    const Tensor& in = *inputs[0];
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2), oh = output.dim(1), ow = output.dim(2);
    if (m_mode == Mode::Nearest) {
        for (int64_t c = 0; c < channels; ++c)
            for (int64_t y = 0; y < oh; ++y)
                for (int64_t x = 0; x < ow; ++x)
                    output.at(c, y, x) = in.at(c, y / m_scaleH, x / m_scaleW);
        return;
    }
    const auto source = [](int64_t dst, int64_t scale, int64_t size, int64_t& i0, int64_t& i1, float& frac) {
        const float s = std::max(0.0f, (static_cast<float>(dst) + 0.5f) / static_cast<float>(scale) - 0.5f);
        i0 = std::min(static_cast<int64_t>(std::floor(s)), size - 1);
        i1 = std::min(i0 + 1, size - 1);
        frac = s - static_cast<float>(i0);
    };
    for (int64_t y = 0; y < oh; ++y) {
        int64_t y0, y1;
        float fy;
        source(y, m_scaleH, ih, y0, y1, fy);
        for (int64_t x = 0; x < ow; ++x) {
            int64_t x0, x1;
            float fx;
            source(x, m_scaleW, iw, x0, x1, fx);
            for (int64_t c = 0; c < channels; ++c) {
                const float top = in.at(c, y0, x0) * (1.0f - fx) + in.at(c, y0, x1) * fx;
                const float bottom = in.at(c, y1, x0) * (1.0f - fx) + in.at(c, y1, x1) * fx;
                output.at(c, y, x) = top * (1.0f - fy) + bottom * fy;
            }
        }
    }
}

Status ChannelShuffle::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const Shape& in = inputs[0];
    if (in.size() != 3 || m_groups <= 0 || in[0] % m_groups != 0)
        return makeError("channel_shuffle with " + std::to_string(m_groups) + " groups needs a channel count divisible by it, not " +
                         shapeToString(in));
    output = in;
    return Status::ok();
}

void ChannelShuffle::eval(std::span<const Tensor* const> inputs, Tensor& output) const
{
    const Tensor& in = *inputs[0];
    const int64_t channels = in.dim(0), plane = in.dim(1) * in.dim(2), perGroup = channels / m_groups;
    for (int64_t i = 0; i < m_groups; ++i)
        for (int64_t j = 0; j < perGroup; ++j)
            std::memcpy(output.data() + (j * m_groups + i) * plane, in.data() + (i * perGroup + j) * plane,
                        static_cast<size_t>(plane) * sizeof(float));
}

} // namespace rnnpool
