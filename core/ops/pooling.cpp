#include "ops/pooling.h"

#include <algorithm>
#include <limits>

namespace rnnpool {

int64_t poolOutputSize(int64_t in, const Pool2dParams& p)
{
    const int64_t span = in + 2 * p.pad - p.kernel;
    if (span < 0)
        return 0;
    int64_t out = (p.ceilMode ? (span + p.stride - 1) / p.stride : span / p.stride) + 1;
    // PyTorch: the last window must start inside the input or its left padding.
    if (p.ceilMode && (out - 1) * p.stride >= in + p.pad)
        --out;
    return out;
}

Status Pool2d::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const Shape& in = inputs[0];
    if (in.size() != 3)
        return makeError("pooling needs a CxHxW map, got " + shapeToString(in));
    if (m_params.pad * 2 > m_params.kernel)
        return makeError("pooling padding must be at most half the kernel");
    const int64_t oh = poolOutputSize(in[1], m_params), ow = poolOutputSize(in[2], m_params);
    if (oh <= 0 || ow <= 0)
        return makeError("a " + std::to_string(m_params.kernel) + "x" + std::to_string(m_params.kernel) +
                         " pooling window does not fit a map of shape " + shapeToString(in));
    output = {in[0], oh, ow};
    return Status::ok();
}

void Pool2d::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const Pool2dParams& p = m_params;
    const int64_t ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const bool isMax = p.mode == Pool2dParams::Mode::Max;
    for (int64_t c = 0; c < in.dim(0); ++c)
        for (int64_t oy = 0; oy < oh; ++oy) {
            const int64_t y0 = oy * p.stride - p.pad, y1 = std::min(y0 + p.kernel, ih + p.pad);
            for (int64_t ox = 0; ox < ow; ++ox) {
                const int64_t x0 = ox * p.stride - p.pad, x1 = std::min(x0 + p.kernel, iw + p.pad);
                float best = -std::numeric_limits<float>::infinity();
                float sum = 0.0f;
                for (int64_t y = std::max<int64_t>(y0, 0); y < std::min(y1, ih); ++y)
                    for (int64_t x = std::max<int64_t>(x0, 0); x < std::min(x1, iw); ++x) {
                        const float v = in.at(c, y, x);
                        best = std::max(best, v);
                        sum += v;
                    }
                if (isMax) {
                    out.at(c, oy, ox) = best;
                } else {
                    const int64_t taps = p.countIncludePad
                                             ? (y1 - y0) * (x1 - x0)
                                             : (std::min(y1, ih) - std::max<int64_t>(y0, 0)) * (std::min(x1, iw) - std::max<int64_t>(x0, 0));
                    out.at(c, oy, ox) = sum / static_cast<float>(taps);
                }
            }
        }
}

} // namespace rnnpool
