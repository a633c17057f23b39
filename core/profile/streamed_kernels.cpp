#include "profile/streamed_kernels.h"

#include <algorithm>
#include <vector>

#include "ops/conv2d.h"
#include "ops/rnnpool.h"
#include "ops/squeeze_excite.h"

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
    const Node& afterDw = net.nodes()[static_cast<size_t>(unit.nodes[first + 1])];
    const auto* se = afterDw.op->kind() == "squeeze_excite" ? static_cast<const SqueezeExcite*>(afterDw.op.get()) : nullptr;
    const size_t projectAt = first + (se ? 2 : 1);
    const Conv2d& project = convAt(net, unit.nodes[projectAt]);
    const bool residual = unit.nodes.size() == projectAt + 2;

    const int64_t cin = input.dim(0), ih = input.dim(1), iw = input.dim(2);
    const int64_t cout = out.dim(0), oh = out.dim(1), ow = out.dim(2);
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
                return input.data() + (j * ih + iy) * iw;
            float* slot = ring + (iy % k) * iw;
            if (ringRow[iy % k] != iy) {
                const float* w = expand->foldedWeight().data() + j * cin;
                std::fill(slot, slot + iw, expand->foldedBias().data()[j]);
                for (int64_t c = 0; c < cin; ++c) {
                    const float* x = input.data() + (c * ih + iy) * iw;
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
        std::fill(out.data() + c * oh * ow, out.data() + (c + 1) * oh * ow, project.foldedBias().data()[c]);
    for (int64_t j = 0; j < hidden; ++j) {
        freshRing(ringRow);
        for (int64_t oy = 0; oy < oh; ++oy) {
            depthwiseRow(j, oy, ringRow);
            if (se)
                for (int64_t ox = 0; ox < ow; ++ox)
                    dwRow[ox] *= gates[j];
            for (int64_t c = 0; c < cout; ++c) {
                const float wp = project.foldedWeight().data()[c * hidden + j];
                float* o = out.data() + (c * oh + oy) * ow;
                for (int64_t ox = 0; ox < ow; ++ox)
                    o[ox] += wp * dwRow[ox];
            }
        }
    }
    // MobileNetV1's separable block ends with ReLU; MobileNetV2's projection is linear.
    activateInPlace(project.params().activation, out.data(), out.numel());
    if (residual)
        for (int64_t i = 0; i < out.numel(); ++i)
            out.data()[i] += input.data()[i];
}

namespace {
// One pixel (all channels) of the map a chain of convolutions makes from the
// picture, computed on demand from the pixels below it; nothing of the
// intermediate maps is kept but one pixel per level.
class FusedConvPixels {
public:
    FusedConvPixels(std::vector<const Conv2d*> convs, std::vector<Shape> shapes, const Tensor& input, float* scratch,
                    const RowRing* ring)
        : m_convs(std::move(convs)), m_shapes(std::move(shapes)), m_input(input), m_ring(ring)
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
        const int64_t inH = level == 0 ? m_input.dim(1) : m_shapes[level - 1][1];
        const int64_t inW = level == 0 ? m_input.dim(2) : m_shapes[level - 1][2];
        const int64_t cinG = p.inChannels / p.groups, coutG = p.outChannels / p.groups;
        std::copy(m_convs[level]->foldedBias().data(), m_convs[level]->foldedBias().data() + p.outChannels, out);
        for (int64_t ky = 0; ky < p.kernelH; ++ky)
            for (int64_t kx = 0; kx < p.kernelW; ++kx) {
                const int64_t iy = y * p.strideH - p.padH + ky, ix = x * p.strideW - p.padW + kx;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW)
                    continue; // zero padding
                // The pixel below: read in place from the picture (channel stride H·W) or its
                // ring of rows, or computed.
                const float* below = m_ring ? m_ring->data + (iy % m_ring->rows) * inW + ix : m_input.data() + iy * inW + ix;
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
    const Tensor& m_input;
    const RowRing* m_ring;
    std::vector<float*> m_buffers;
};
} // namespace

void runRnnPoolStreamed(const Network& net, const ScheduleUnit& unit, const Tensor& input, Tensor& out, float* scratch,
                        const RowRing* ring)
{
    const auto& op = static_cast<const RnnPool&>(*net.nodes()[static_cast<size_t>(unit.output())].op);
    const RnnPoolParams& p = op.params();
    const int64_t k = p.patch, c = p.inChannels, h1 = p.hidden1, h2 = p.hidden2;
    float* rows = scratch;              // k × h1
    float* cols = rows + k * h1;        // k × h1
    float* pixel = cols + k * h1;       // c
    float* wx = pixel + c;              // max(h1, h2)
    float* state = wx + std::max(h1, h2); // h2
    float* fusedScratch = state + h2;   // one pixel of each fused map below the last

    // The map RNNPool pools: the unit's input, or made pixel by pixel by the fused convolutions.
    std::vector<const Conv2d*> convs;
    std::vector<Shape> convShapes;
    Shape mapShape = input.shape();
    for (size_t i = 0; i + 1 < unit.nodes.size(); ++i) {
        convs.push_back(&convAt(net, unit.nodes[i]));
        const Conv2dParams& cp = convs.back()->params();
        mapShape = {cp.outChannels, convOutputSize(mapShape[1], cp.kernelH, cp.strideH, cp.padH),
                    convOutputSize(mapShape[2], cp.kernelW, cp.strideW, cp.padW)};
        convShapes.push_back(mapShape);
    }
    const FusedConvPixels fused(convs, convShapes, input, fusedScratch, ring);
    auto loadPixel = [&](int64_t y, int64_t x) {
        if (convs.empty())
            for (int64_t ch = 0; ch < c; ++ch)
                pixel[ch] = ring ? ring->data[(ch * ring->rows + y % ring->rows) * input.dim(2) + x] : input.at(ch, y, x);
        else
            fused.top(y, x, pixel);
    };
    const int64_t gh = op.gridSize(mapShape[1]), gw = op.gridSize(mapShape[2]);

    const FastGrnnCell& rnn1 = op.rnn1();
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
            if (ring && gx == 0)
                ring->deliver(patchRowInputRows(net, unit, gy, input.dim(1)).last);
            const int64_t top = gy * p.stride, left = gx * p.stride;
            std::fill(rows, rows + 2 * k * h1, 0.0f);
            // Each pixel of the patch once, in raster order: it advances its row's RNN
            // (left to right) and its column's RNN (top to bottom).
            for (int64_t r = 0; r < k; ++r)
                for (int64_t t = 0; t < k; ++t) {
                    loadPixel(top + r, left + t);
                    rnn1.inputProjection(pixel, wx);
                    rnn1.step(wx, rows + r * h1);
                    rnn1.step(wx, cols + t * h1);
                }
            rnn2(op.rnn2Forward(), rows, false, 0, gy, gx);
            rnn2(op.rnn2Backward(), rows, true, h2, gy, gx);
            rnn2(op.rnn2Forward(), cols, false, 2 * h2, gy, gx);
            rnn2(op.rnn2Backward(), cols, true, 3 * h2, gy, gx);
        }
    replicatePadBottomRight(out, gh, gw);
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
