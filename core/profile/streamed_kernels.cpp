#include "profile/streamed_kernels.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "ops/conv2d.h"
#include "ops/rnnpool.h"
#include "ops/squeeze_excite.h"

namespace rnnpool {

namespace {
const Conv2d& convAt(const Network& net, int node) { return static_cast<const Conv2d&>(*net.nodes()[static_cast<size_t>(node)].op); }
} // namespace

namespace {
// Output rows [oy0, oy1) of the block, its input's rows read through
// inRow(channel, y) and its output's written through outRow(channel, y); the
// squeeze-excite pass (whole maps only) reads every row.
template <class InRow, class OutRow>
void invertedResidualRows(const Network& net, const ScheduleUnit& unit, const InRow& inRow, int64_t cin, int64_t ih,
                          int64_t iw, const OutRow& outRow, int64_t cout, int64_t oh, int64_t ow, int64_t oy0, int64_t oy1,
                          float* scratch)
{
    const bool hasExpand = net.nodes()[static_cast<size_t>(unit.nodes.front())].name.ends_with(".expand");
    const size_t first = hasExpand ? 1 : 0;
    const Conv2d* expand = hasExpand ? &convAt(net, unit.nodes[0]) : nullptr;
    const Conv2d& dw = convAt(net, unit.nodes[first]);
    const Node& afterDw = net.nodes()[static_cast<size_t>(unit.nodes[first + 1])];
    const auto* se = afterDw.op->kind() == "squeeze_excite" ? static_cast<const SqueezeExcite*>(afterDw.op.get()) : nullptr;
    const size_t projectAt = first + (se ? 2 : 1);
    const Conv2d& project = convAt(net, unit.nodes[projectAt]);
    const bool residual = unit.nodes.size() == projectAt + 2;

    const int64_t hidden = dw.params().inChannels, stride = dw.params().strideH;
    const int64_t k = dw.params().kernelH, pad = dw.params().padH;
    float* ring = scratch;                             // k expanded rows (with an expansion)
    float* dwRow = scratch + (hasExpand ? k * iw : 0); // one depthwise output row
    float* means = dwRow + ow;                         // squeeze-excite: per-channel means,
    float* gates = se ? means + hidden : nullptr;      // gates,
    float* squeezed = se ? gates + hidden : nullptr;   // and the squeezed vector

    // Depthwise output row oy of expanded channel j into dwRow; `ringRow` caches
    // which input row each ring slot holds.
    auto depthwiseRow = [&](int64_t j, int64_t oy, int64_t* ringRow) {
        auto expandedRow = [&](int64_t iy) -> const float* {
            if (!expand)
                return inRow(j, iy);
            float* slot = ring + (iy % k) * iw;
            if (ringRow[iy % k] != iy) {
                const float* w = expand->foldedWeight().data() + j * cin;
                std::fill(slot, slot + iw, expand->foldedBias().data()[j]);
                for (int64_t c = 0; c < cin; ++c) {
                    const float* x = inRow(c, iy);
                    for (int64_t x0 = 0; x0 < iw; ++x0)
                        slot[x0] += w[c] * x[x0];
                }
                activateInPlace(expand->params().activation, slot, iw);
                ringRow[iy % k] = iy;
            }
            return slot;
        };
        const float* wd = dw.foldedWeight().data() + j * k * k;
        std::fill(dwRow, dwRow + ow, dw.foldedBias().data()[j]);
        for (int64_t ky = 0; ky < k; ++ky) {
            const int64_t iy = oy * stride - pad + ky;
            if (iy < 0 || iy >= ih)
                continue;
            const float* row = expandedRow(iy);
            for (int64_t kx = 0; kx < k; ++kx)
                for (int64_t ox = 0; ox < ow; ++ox) {
                    const int64_t ix = ox * stride - pad + kx;
                    if (ix >= 0 && ix < iw)
                        dwRow[ox] += wd[ky * k + kx] * row[ix];
                }
        }
        activateInPlace(dw.params().activation, dwRow, ow);
    };
    auto freshRing = [](int64_t* ringRow) { std::fill(ringRow, ringRow + kMaxStreamedKernel, int64_t{-1}); };
    int64_t ringRow[kMaxStreamedKernel];

    // Squeeze-excite needs every channel's mean before it can scale any: a first
    // pass computes the means (recomputing the expansion and depthwise rows).
    if (se) {
        for (int64_t j = 0; j < hidden; ++j) {
            freshRing(ringRow);
            double sum = 0.0;
            for (int64_t oy = 0; oy < oh; ++oy) {
                depthwiseRow(j, oy, ringRow);
                for (int64_t ox = 0; ox < ow; ++ox)
                    sum += static_cast<double>(dwRow[ox]);
            }
            means[j] = static_cast<float>(sum / static_cast<double>(oh * ow));
        }
        se->gatesInto(means, squeezed, gates);
    }

    for (int64_t c = 0; c < cout; ++c)
        for (int64_t oy = oy0; oy < oy1; ++oy)
            std::fill(outRow(c, oy), outRow(c, oy) + ow, project.foldedBias().data()[c]);
    for (int64_t j = 0; j < hidden; ++j) {
        freshRing(ringRow);
        for (int64_t oy = oy0; oy < oy1; ++oy) {
            depthwiseRow(j, oy, ringRow);
            if (se)
                for (int64_t ox = 0; ox < ow; ++ox)
                    dwRow[ox] *= gates[j];
            for (int64_t c = 0; c < cout; ++c) {
                const float wp = project.foldedWeight().data()[c * hidden + j];
                float* o = outRow(c, oy);
                for (int64_t ox = 0; ox < ow; ++ox)
                    o[ox] += wp * dwRow[ox];
            }
        }
    }
    // MobileNetV1's separable block ends with ReLU; MobileNetV2's projection is linear.
    for (int64_t c = 0; c < cout; ++c)
        for (int64_t oy = oy0; oy < oy1; ++oy) {
            float* o = outRow(c, oy);
            activateInPlace(project.params().activation, o, ow);
            if (residual)
                for (int64_t x = 0; x < ow; ++x)
                    o[x] += inRow(c, oy)[x];
        }
}
} // namespace

void runInvertedResidualStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& out,
                                 float* scratch)
{
    const int64_t ih = input.dim(1), iw = input.dim(2), oh = out.dim(1), ow = out.dim(2);
    invertedResidualRows(
        net, unit, [&](int64_t c, int64_t y) { return input.data() + (c * ih + y) * iw; }, input.dim(0), ih, iw,
        [&](int64_t c, int64_t y) { return out.data() + (c * oh + y) * ow; }, out.dim(0), oh, ow, 0, oh, scratch);
}

void runInvertedResidualRow(const Network& net, const ScheduleUnit& unit, const RowRing& in, const Shape& inputShape,
                            int64_t oy, float* out, int64_t outChannelStride, int64_t outWidth, float* scratch)
{
    const int64_t iw = inputShape[2];
    const int64_t cout = net.nodes()[static_cast<size_t>(unit.output())].outChannels;
    invertedResidualRows(
        net, unit, [&](int64_t c, int64_t y) { return static_cast<const float*>(in.row(c, y, iw)); }, inputShape[0],
        inputShape[1], iw, [&](int64_t c, int64_t) { return out + c * outChannelStride; }, cout, oy + 1, outWidth, oy, oy + 1,
        scratch);
}

namespace {
// One pixel (all channels) of the map a chain of convolutions makes from the
// picture, computed on demand from the pixels below it; nothing of the
// intermediate maps is kept but one pixel per level.
class FusedConvPixels {
public:
    FusedConvPixels(std::vector<const Conv2d*> convs, std::vector<Shape> shapes, const Shape& inputShape,
                    const float* input, float* scratch, const RowRing* ring)
        : m_convs(std::move(convs)), m_shapes(std::move(shapes)), m_inputShape(inputShape), m_input(input), m_ring(ring)
    {
        for (size_t l = 0; l + 1 < m_convs.size(); ++l) {
            m_buffers.push_back(scratch);
            scratch += m_convs[l]->params().outChannels;
        }
    }
    // Writes the channels of pixel (y, x) of the last map to `out`.
    void top(int64_t y, int64_t x, float* out) const { compute(m_convs.size() - 1, y, x, out); }

private:
    void compute(size_t level, int64_t y, int64_t x, float* out) const
    {
        const Conv2dParams& p = m_convs[level]->params();
        const float* w = m_convs[level]->foldedWeight().data();
        const int64_t inH = level == 0 ? m_inputShape[1] : m_shapes[level - 1][1];
        const int64_t inW = level == 0 ? m_inputShape[2] : m_shapes[level - 1][2];
        const int64_t cinG = p.inChannels / p.groups, coutG = p.outChannels / p.groups;
        std::copy(m_convs[level]->foldedBias().data(), m_convs[level]->foldedBias().data() + p.outChannels, out);
        for (int64_t ky = 0; ky < p.kernelH; ++ky)
            for (int64_t kx = 0; kx < p.kernelW; ++kx) {
                const int64_t iy = y * p.strideH - p.padH + ky, ix = x * p.strideW - p.padW + kx;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW)
                    continue; // zero padding
                // The pixel below: read in place from the picture (channel stride H·W) or its
                // ring of rows, or computed.
                const float* below = m_ring ? m_ring->row(0, iy, inW) + ix : m_input + iy * inW + ix;
                int64_t channelStride = m_ring ? m_ring->rows * inW : inH * inW;
                if (level > 0) {
                    compute(level - 1, iy, ix, m_buffers[level - 1]);
                    below = m_buffers[level - 1];
                    channelStride = 1;
                }
                for (int64_t o = 0; o < p.outChannels; ++o) {
                    const int64_t g = o / coutG;
                    const float* wo = w + (o * cinG * p.kernelH + ky) * p.kernelW + kx;
                    float acc = 0.0f;
                    for (int64_t c = 0; c < cinG; ++c)
                        acc += wo[c * p.kernelH * p.kernelW] * below[(g * cinG + c) * channelStride];
                    out[o] += acc;
                }
            }
        activateInPlace(p.activation, out, p.outChannels);
    }

    std::vector<const Conv2d*> m_convs;
    std::vector<Shape> m_shapes; // output shape of each conv
    Shape m_inputShape;
    const float* m_input;
    const RowRing* m_ring;
    std::vector<float*> m_buffers;
};

// Patch rows of RNNPool (with its fused convolutions) over a picture or map
// given whole (`input`) or as a ring of rows; value (channel, gy, gx) goes to
// out(channel, gy, gx).
class RnnPoolPatchRows {
public:
    RnnPoolPatchRows(const Network& net, const ScheduleUnit& unit, const Shape& inputShape, const float* input,
                     float* scratch, const RowRing* ring)
        : m_op(static_cast<const RnnPool&>(*net.nodes()[static_cast<size_t>(unit.output())].op)), m_inputShape(inputShape),
          m_input(input), m_ring(ring)
    {
        const RnnPoolParams& p = m_op.params();
        const int64_t k = p.patch, c = p.inChannels, h1 = p.hidden1, h2 = p.hidden2;
        m_rows = scratch;                       // k × h1
        m_cols = m_rows + k * h1;               // k × h1
        m_pixel = m_cols + k * h1;              // c
        m_wx = m_pixel + c;                     // max(h1, h2)
        m_state = m_wx + std::max(h1, h2);      // h2
        float* fusedScratch = m_state + h2;     // one pixel of each fused map below the last
        // The map RNNPool pools: the unit's input, or made pixel by pixel by the fused convolutions.
        std::vector<const Conv2d*> convs;
        std::vector<Shape> convShapes;
        m_map = inputShape;
        for (size_t i = 0; i + 1 < unit.nodes.size(); ++i) {
            convs.push_back(&convAt(net, unit.nodes[i]));
            const Conv2dParams& cp = convs.back()->params();
            m_map = {cp.outChannels, convOutputSize(m_map[1], cp.kernelH, cp.strideH, cp.padH),
                     convOutputSize(m_map[2], cp.kernelW, cp.strideW, cp.padW)};
            convShapes.push_back(m_map);
        }
        m_fusedCount = convs.size();
        m_fused.emplace(std::move(convs), std::move(convShapes), inputShape, input, fusedScratch, ring);
    }
    int64_t gridHeight() const { return m_op.gridSize(m_map[1]); }
    int64_t gridWidth() const { return m_op.gridSize(m_map[2]); }

    template <class Out>
    void row(int64_t gy, const Out& out) const
    {
        const RnnPoolParams& p = m_op.params();
        const int64_t k = p.patch, h1 = p.hidden1, h2 = p.hidden2;
        const FastGrnnCell& rnn1 = m_op.rnn1();
        auto rnn2 = [&](const FastGrnnCell& cell, const float* summaries, bool backward, int64_t channel, int64_t gx) {
            std::fill(m_state, m_state + h2, 0.0f);
            for (int64_t t = 0; t < k; ++t) {
                cell.inputProjection(summaries + (backward ? k - 1 - t : t) * h1, m_wx);
                cell.step(m_wx, m_state);
            }
            for (int64_t j = 0; j < h2; ++j)
                out(channel + j, gy, gx, m_state[j]);
        };
        for (int64_t gx = 0; gx < gridWidth(); ++gx) {
            const int64_t top = gy * p.stride, left = gx * p.stride;
            std::fill(m_rows, m_rows + 2 * k * h1, 0.0f);
            // Each pixel of the patch once, in raster order: it advances its row's RNN
            // (left to right) and its column's RNN (top to bottom).
            for (int64_t r = 0; r < k; ++r)
                for (int64_t t = 0; t < k; ++t) {
                    loadPixel(top + r, left + t);
                    rnn1.inputProjection(m_pixel, m_wx);
                    rnn1.step(m_wx, m_rows + r * h1);
                    rnn1.step(m_wx, m_cols + t * h1);
                }
            rnn2(m_op.rnn2Forward(), m_rows, false, 0, gx);
            rnn2(m_op.rnn2Backward(), m_rows, true, h2, gx);
            rnn2(m_op.rnn2Forward(), m_cols, false, 2 * h2, gx);
            rnn2(m_op.rnn2Backward(), m_cols, true, 3 * h2, gx);
        }
    }

private:
    void loadPixel(int64_t y, int64_t x) const
    {
        if (m_fusedCount > 0) {
            m_fused->top(y, x, m_pixel);
            return;
        }
        const int64_t w = m_inputShape[2];
        for (int64_t ch = 0; ch < m_op.params().inChannels; ++ch)
            m_pixel[ch] = m_ring ? m_ring->row(ch, y, w)[x] : m_input[(ch * m_inputShape[1] + y) * w + x];
    }

    const RnnPool& m_op;
    Shape m_inputShape, m_map;
    const float* m_input;
    const RowRing* m_ring;
    float *m_rows, *m_cols, *m_pixel, *m_wx, *m_state;
    size_t m_fusedCount = 0;
    std::optional<FusedConvPixels> m_fused;
};
} // namespace

void runRnnPoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& out, float* scratch,
                        const RowRing* ring)
{
    const RnnPoolPatchRows pool(net, unit, input.shape(), ring ? nullptr : input.data(), scratch, ring);
    for (int64_t gy = 0; gy < pool.gridHeight(); ++gy) {
        if (ring)
            ring->deliver(patchRowInputRows(net, unit, gy, input.dim(1)).last);
        pool.row(gy, [&](int64_t channel, int64_t y, int64_t x, float v) { out.at(channel, y, x) = v; });
    }
    replicatePadBottomRight(out, pool.gridHeight(), pool.gridWidth());
}

void runRnnPoolRow(const Network& net, const ScheduleUnit& unit, const RowRing& in, const Shape& inputShape, int64_t gy,
                   float* out, int64_t outChannelStride, int64_t outWidth, float* scratch)
{
    const RnnPoolPatchRows pool(net, unit, inputShape, nullptr, scratch, &in);
    pool.row(gy, [&](int64_t channel, int64_t, int64_t x, float v) { out[channel * outChannelStride + x] = v; });
    const int64_t channels = net.nodes()[static_cast<size_t>(unit.output())].outChannels;
    for (int64_t c = 0; c < channels; ++c) // the right padding columns copy the last real one
        for (int64_t x = pool.gridWidth(); x < outWidth; ++x)
            out[c * outChannelStride + x] = out[c * outChannelStride + pool.gridWidth() - 1];
}

void runPointwisePoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& out, float* scratch)
{
    const Conv2d& conv = convAt(net, unit.nodes.front());
    const int64_t cin = input.dim(0), hw = input.dim(1) * input.dim(2), cout = out.dim(0);
    std::fill(out.data(), out.data() + cout, 0.0f);
    for (int64_t i = 0; i < hw; ++i) {
        for (int64_t o = 0; o < cout; ++o) {
            const float* w = conv.foldedWeight().data() + o * cin;
            float acc = conv.foldedBias().data()[o];
            for (int64_t c = 0; c < cin; ++c)
                acc += w[c] * input.data()[c * hw + i];
            scratch[o] = acc;
        }
        activateInPlace(conv.params().activation, scratch, cout);
        for (int64_t o = 0; o < cout; ++o)
            out.data()[o] += scratch[o];
    }
    for (int64_t o = 0; o < cout; ++o)
        out.data()[o] /= static_cast<float>(hw);
}

} // namespace rnnpool
