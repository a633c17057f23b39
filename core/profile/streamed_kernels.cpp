#include "profile/streamed_kernels.h"

#include <algorithm>

#include "ops/conv2d.h"
#include "ops/rnnpool.h"

namespace rnnpool {

namespace {
const Conv2d& convAt(const Network& net, int node) { return static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(node)].op); }
} // namespace

void runInvertedResidualStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& out,
                                 float* scratch)
{
    const bool hasExpand = net.nodes()[static_cast<size_t>(unit.nodes.front())].name.ends_with(".expand");
    const size_t first = hasExpand ? 1 : 0;
    const Conv2d* expand = hasExpand ? &convAt(net, unit.nodes[0]) : nullptr;
    const Conv2d& dw = convAt(net, unit.nodes[first]);
    const Conv2d& project = convAt(net, unit.nodes[first + 1]);
    const bool residual = unit.nodes.size() == first + 3;

    const int64_t cin = input.dim(0), ih = input.dim(1), iw = input.dim(2);
    const int64_t cout = out.dim(0), oh = out.dim(1), ow = out.dim(2);
    const int64_t hidden = dw.params().inChannels, stride = dw.params().strideH;
    float* ring = scratch;                           // 3 expanded rows (with an expansion)
    float* dwRow = scratch + (hasExpand ? 3 * iw : 0); // one depthwise output row

    for (int64_t k = 0; k < cout; ++k)
        std::fill(out.data() + k * oh * ow, out.data() + (k + 1) * oh * ow, project.foldedBias().data()[k]);

    for (int64_t j = 0; j < hidden; ++j) {
        int64_t ringRow[3] = {-1, -1, -1};
        // Row iy of expanded channel j: computed into the ring on first use.
        auto expandedRow = [&](int64_t iy) -> const float* {
            if (!expand)
                return input.data() + (j * ih + iy) * iw;
            float* slot = ring + (iy % 3) * iw;
            if (ringRow[iy % 3] != iy) {
                const float* w = expand->foldedWeight().data() + j * cin;
                std::fill(slot, slot + iw, expand->foldedBias().data()[j]);
                for (int64_t c = 0; c < cin; ++c) {
                    const float* x = input.data() + (c * ih + iy) * iw;
                    for (int64_t x0 = 0; x0 < iw; ++x0)
                        slot[x0] += w[c] * x[x0];
                }
                activateInPlace(Activation::Relu6, slot, iw);
                ringRow[iy % 3] = iy;
            }
            return slot;
        };
        const float* wd = dw.foldedWeight().data() + j * 9;
        for (int64_t oy = 0; oy < oh; ++oy) {
            std::fill(dwRow, dwRow + ow, dw.foldedBias().data()[j]);
            for (int64_t ky = 0; ky < 3; ++ky) {
                const int64_t iy = oy * stride - 1 + ky;
                if (iy < 0 || iy >= ih)
                    continue;
                const float* row = expandedRow(iy);
                for (int64_t kx = 0; kx < 3; ++kx)
                    for (int64_t ox = 0; ox < ow; ++ox) {
                        const int64_t ix = ox * stride - 1 + kx;
                        if (ix >= 0 && ix < iw)
                            dwRow[ox] += wd[ky * 3 + kx] * row[ix];
                    }
            }
            activateInPlace(Activation::Relu6, dwRow, ow);
            for (int64_t k = 0; k < cout; ++k) {
                const float wp = project.foldedWeight().data()[k * hidden + j];
                float* o = out.data() + (k * oh + oy) * ow;
                for (int64_t ox = 0; ox < ow; ++ox)
                    o[ox] += wp * dwRow[ox];
            }
        }
    }
    if (residual)
        for (int64_t i = 0; i < out.numel(); ++i)
            out.data()[i] += input.data()[i];
}

void runRnnPoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& out, float* scratch)
{
    const auto& op = static_cast<const RnnPool&>(*net.nodes()[static_cast<size_t>(unit.output())].op);
    const RnnPoolParams& p = op.params();
    const int64_t k = p.patch, c = p.inChannels, h1 = p.hidden1, h2 = p.hidden2;
    const int64_t gh = op.gridSize(input.dim(1)), gw = op.gridSize(input.dim(2));
    float* rows = scratch;              // k × h1
    float* cols = rows + k * h1;        // k × h1
    float* pixel = cols + k * h1;       // c
    float* wx = pixel + c;              // max(h1, h2)
    float* state = wx + std::max(h1, h2); // h2

    const FastGrnnCell& rnn1 = op.rnn1();
    auto rnn1Step = [&](int64_t y, int64_t x, float* h) {
        for (int64_t ch = 0; ch < c; ++ch)
            pixel[ch] = input.at(ch, y, x);
        rnn1.inputProjection(pixel, wx);
        rnn1.step(wx, h);
    };
    auto rnn2 = [&](const FastGrnnCell& cell, const float* summaries, bool backward, int64_t channel, int64_t gy, int64_t gx) {
        std::fill(state, state + h2, 0.0f);
        for (int64_t t = 0; t < k; ++t) {
            cell.inputProjection(summaries + (backward ? k - 1 - t : t) * h1, wx);
            cell.step(wx, state);
        }
        for (int64_t j = 0; j < h2; ++j)
            out.at(channel + j, gy, gx) = state[j];
    };
    for (int64_t gy = 0; gy < gh; ++gy)
        for (int64_t gx = 0; gx < gw; ++gx) {
            const int64_t top = gy * p.stride, left = gx * p.stride;
            std::fill(rows, rows + 2 * k * h1, 0.0f);
            for (int64_t r = 0; r < k; ++r)
                for (int64_t t = 0; t < k; ++t) {
                    rnn1Step(top + r, left + t, rows + r * h1);
                    rnn1Step(top + t, left + r, cols + r * h1);
                }
            rnn2(op.rnn2Forward(), rows, false, 0, gy, gx);
            rnn2(op.rnn2Backward(), rows, true, h2, gy, gx);
            rnn2(op.rnn2Forward(), cols, false, 2 * h2, gy, gx);
            rnn2(op.rnn2Backward(), cols, true, 3 * h2, gy, gx);
        }
    replicatePadBottomRight(out, gh, gw);
}

} // namespace rnnpool
