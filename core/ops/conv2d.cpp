#include "ops/conv2d.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "ops/conv_direct.h"
#include "ops/conv_same.h"
#include "ops/conv_halving.h"
#include "ops/conv_pointwise.h"

namespace rnnpool {

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;

// First and one-past-last output index whose input tap k lands inside [0, in).
void validRange(int64_t in, int64_t out, int64_t stride, int64_t pad, int64_t k, int64_t& begin, int64_t& end)
{
    // ix = o*stride - pad + k must satisfy 0 <= ix < in.
    const int64_t lo = pad - k;                 // o*stride >= lo
    begin = lo <= 0 ? 0 : (lo + stride - 1) / stride;
    const int64_t hi = in - 1 + pad - k;        // o*stride <= hi
    end = hi < 0 ? 0 : std::min(out, hi / stride + 1);
    begin = std::min(begin, end);
}
} // namespace

int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad)
{
    const int64_t span = in + 2 * pad - kernel;
    return span < 0 ? 0 : span / stride + 1;
}

int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t padBefore, int64_t padAfter, int64_t dilation)
{
    const int64_t span = in + padBefore + padAfter - dilation * (kernel - 1) - 1;
    return span < 0 ? 0 : span / stride + 1;
}

Conv2d::Conv2d(Conv2dParams params)
    : m_params(std::move(params))
{
}

std::vector<WeightSlot> Conv2d::weightSlots()
{
    const auto& p = m_params;
    std::vector<WeightSlot> slots;
    slots.push_back({p.weights + ".weight", {p.outChannels, p.inChannels / p.groups, p.kernelH, p.kernelW}, &m_weight});
    if (p.bias)
        slots.push_back({p.weights + ".bias", {p.outChannels}, &m_bias});
    if (p.bn) {
        slots.push_back({*p.bn + ".weight", {p.outChannels}, &m_bnGamma});
        slots.push_back({*p.bn + ".bias", {p.outChannels}, &m_bnBeta});
        slots.push_back({*p.bn + ".running_mean", {p.outChannels}, &m_bnMean, false});
        slots.push_back({*p.bn + ".running_var", {p.outChannels}, &m_bnVar, false});
    }
    return slots;
}

void Conv2d::finalize()
{
    const auto& p = m_params;
    m_foldedWeight = m_weight;
    m_foldedBias = p.bias ? m_bias : Tensor({p.outChannels}, 0.0f);
    if (!p.bn)
        return;
    // y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta
    const int64_t perOut = m_weight.numel() / p.outChannels;
    for (int64_t o = 0; o < p.outChannels; ++o) {
        const float scale = m_bnGamma.data()[o] / std::sqrt(m_bnVar.data()[o] + p.bnEps);
        float* w = m_foldedWeight.data() + o * perOut;
        for (int64_t i = 0; i < perOut; ++i)
            w[i] *= scale;
        float& b = m_foldedBias.data()[o];
        b = (b - m_bnMean.data()[o]) * scale + m_bnBeta.data()[o];
    }
}

Status Conv2d::prepare(std::span<const Shape> inputs, Shape& output) const
{
    const auto& p = m_params;
    const Shape& in = inputs[0];
    if (in.size() != 3 || in[0] != p.inChannels)
        return makeError("conv2d expects " + std::to_string(p.inChannels) + " input channels, got shape " + shapeToString(in));
    const int64_t oh = convOutputSize(in[1], p.kernelH, p.strideH, p.padH, p.bottom(), p.dilationH);
    const int64_t ow = convOutputSize(in[2], p.kernelW, p.strideW, p.padW, p.right(), p.dilationW);
    if (oh <= 0 || ow <= 0)
        return makeError("conv2d with a " + std::to_string(p.kernelH) + "x" + std::to_string(p.kernelW) +
                         " kernel cannot run on a " + std::to_string(in[2]) + "x" + std::to_string(in[1]) + " map (input too small)");
    output = {p.outChannels, oh, ow};
    return Status::ok();
}

int64_t Conv2d::madds(std::span<const Shape>, const Shape& output) const
{
    const auto& p = m_params;
    return shapeNumel(output) * (p.inChannels / p.groups) * p.kernelH * p.kernelW;
}

void Conv2d::eval(std::span<const Tensor* const> inputs, Tensor& out) const
{
    const Tensor& in = *inputs[0];
    const auto& p = m_params;
    const bool depthwise = p.groups == p.inChannels && p.groups == p.outChannels && p.groups > 1;
    const bool pointwise = p.groups == 1 && p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 && p.strideW == 1 &&
                           p.padH == 0 && p.padW == 0;
    // Each path adds the bias and applies the activation itself, while the
    // output is still in cache.
    if (!p.plainGeometry())
        evalGeneral(in, out);
    else if (depthwise)
        evalDepthwise(in, out);
    else if (pointwise)
        evalPointwise(in, out);
    else if (p.groups == 1 && p.outChannels <= kDirectMaxOutputs)
        evalFewOutputs(in, out);
    else
        evalIm2col(in, out);
}

void Conv2d::evalDepthwise(const Tensor& in, Tensor& out) const
{
    const auto& p = m_params;
    const DirectConvShape shape{p.kernelH, p.kernelW, p.strideH, p.strideW, p.padH, p.padW};
    if (sameConvApplies(shape))
        return depthwiseSame(shape, in, m_foldedWeight.data(), m_foldedBias.data(), p.activation, out);
    if (halvingApplies(shape))
        return depthwiseHalving(in, m_foldedWeight.data(), m_foldedBias.data(), p.activation, out);
    depthwiseDirect(shape, in, m_foldedWeight.data(), m_foldedBias.data(), p.activation, out);
}

void Conv2d::evalFewOutputs(const Tensor& in, Tensor& out) const
{
    const auto& p = m_params;
    const DirectConvShape shape{p.kernelH, p.kernelW, p.strideH, p.strideW, p.padH, p.padW};
    if (sameConvApplies(shape))
        return fewOutputsSame(shape, in, m_foldedWeight.data(), m_foldedBias.data(), p.activation, out);
    // Stride 2 is bound by reading the input either way; with 8 outputs the
    // padded kernel's 16 accumulators measured ahead (BM_FewOutputsKernel).
    if (halvingApplies(shape) && p.outChannels <= 4)
        return fewOutputsHalving(in, m_foldedWeight.data(), m_foldedBias.data(), p.activation, out);
    fewOutputsDirect(shape, in, m_foldedWeight.data(), m_foldedBias.data(), p.activation, out);
}

void Conv2d::evalPointwise(const Tensor& in, Tensor& out) const
{
    const auto& p = m_params;
    pointwiseDirect(m_foldedWeight.data(), m_foldedBias.data(), p.activation, in.data(), p.inChannels, p.outChannels,
                    in.dim(1) * in.dim(2), out.data());
}

void Conv2d::evalIm2col(const Tensor& in, Tensor& out) const
{
    const auto& p = m_params;
    const int64_t ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const int64_t inPerGroup = p.inChannels / p.groups, outPerGroup = p.outChannels / p.groups;
    const int64_t rows = inPerGroup * p.kernelH * p.kernelW, cols = oh * ow;
    // Bands of output rows keep the column buffer in cache (about 1 MB).
    const int64_t bandRows = std::clamp<int64_t>((1 << 18) / std::max<int64_t>(1, rows * ow), 1, oh);
    // Kept per thread between calls: no allocation per frame once warm.
    thread_local std::vector<float> buffer;
    if (buffer.size() < static_cast<size_t>(rows * bandRows * ow))
        buffer.resize(static_cast<size_t>(rows * bandRows * ow));
    MatrixMap columns(buffer.data(), rows, bandRows * ow);
    using OutMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;
    for (int64_t g = 0; g < p.groups; ++g) {
        ConstMatrixMap w(m_foldedWeight.data() + g * outPerGroup * rows, outPerGroup, rows);
        const float* bias = m_foldedBias.data() + g * outPerGroup;
        for (int64_t y0 = 0; y0 < oh; y0 += bandRows) {
            const int64_t y1 = std::min(oh, y0 + bandRows), bandCols = (y1 - y0) * ow;
            columns.setZero();
            for (int64_t ci = 0; ci < inPerGroup; ++ci) {
                const float* src = in.data() + (g * inPerGroup + ci) * ih * iw;
                for (int64_t ky = 0; ky < p.kernelH; ++ky) {
                    int64_t oyBegin, oyEnd;
                    validRange(ih, oh, p.strideH, p.padH, ky, oyBegin, oyEnd);
                    oyBegin = std::max(oyBegin, y0);
                    oyEnd = std::min(oyEnd, y1);
                    for (int64_t kx = 0; kx < p.kernelW; ++kx) {
                        int64_t oxBegin, oxEnd;
                        validRange(iw, ow, p.strideW, p.padW, kx, oxBegin, oxEnd);
                        float* dst = columns.data() + ((ci * p.kernelH + ky) * p.kernelW + kx) * columns.cols();
                        for (int64_t oy = oyBegin; oy < oyEnd; ++oy) {
                            const float* row = src + (oy * p.strideH - p.padH + ky) * iw - p.padW + kx;
                            float* drow = dst + (oy - y0) * ow;
                            for (int64_t ox = oxBegin; ox < oxEnd; ++ox)
                                drow[ox] = row[ox * p.strideW];
                        }
                    }
                }
            }
            OutMap y(out.data() + g * outPerGroup * cols + y0 * ow, outPerGroup, bandCols, Eigen::OuterStride<>(cols));
            y.noalias() = w * columns.leftCols(bandCols);
            for (int64_t o = 0; o < outPerGroup; ++o)
                biasActivateRow(p.activation, bias[o], &y(o, 0), bandCols);
        }
    }
}

// Dilated or asymmetrically padded convolutions (ONNX imports): im2col with
// the general index arithmetic, one output row band at a time, then one
// matrix product per group. Not tuned; correct for every geometry.
void Conv2d::evalGeneral(const Tensor& in, Tensor& out) const
{
    const auto& p = m_params;
    const int64_t ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const int64_t inPerGroup = p.inChannels / p.groups, outPerGroup = p.outChannels / p.groups;
    const int64_t rows = inPerGroup * p.kernelH * p.kernelW, cols = oh * ow;
    thread_local std::vector<float> buffer;
    if (buffer.size() < static_cast<size_t>(rows * ow))
        buffer.resize(static_cast<size_t>(rows * ow));
    MatrixMap columns(buffer.data(), rows, ow);
    using OutMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;
    for (int64_t g = 0; g < p.groups; ++g) {
        ConstMatrixMap w(m_foldedWeight.data() + g * outPerGroup * rows, outPerGroup, rows);
        const float* bias = m_foldedBias.data() + g * outPerGroup;
        for (int64_t oy = 0; oy < oh; ++oy) {
            for (int64_t ci = 0; ci < inPerGroup; ++ci) {
                const float* src = in.data() + (g * inPerGroup + ci) * ih * iw;
                for (int64_t ky = 0; ky < p.kernelH; ++ky) {
                    const int64_t iy = oy * p.strideH - p.padH + ky * p.dilationH;
                    for (int64_t kx = 0; kx < p.kernelW; ++kx) {
                        float* dst = columns.data() + ((ci * p.kernelH + ky) * p.kernelW + kx) * ow;
                        for (int64_t ox = 0; ox < ow; ++ox) {
                            const int64_t ix = ox * p.strideW - p.padW + kx * p.dilationW;
                            dst[ox] = (iy >= 0 && iy < ih && ix >= 0 && ix < iw) ? src[iy * iw + ix] : 0.0f;
                        }
                    }
                }
            }
            OutMap y(out.data() + g * outPerGroup * cols + oy * ow, outPerGroup, ow, Eigen::OuterStride<>(cols));
            y.noalias() = w * columns;
            for (int64_t o = 0; o < outPerGroup; ++o)
                biasActivateRow(p.activation, bias[o], &y(o, 0), ow);
        }
    }
}

Tensor conv2dReferenceGeneral(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t strideH,
                              int64_t strideW, const int64_t pads[4], int64_t dilationH, int64_t dilationW, int64_t groups,
                              Activation activation)
{
    const int64_t cin = input.dim(0), ih = input.dim(1), iw = input.dim(2);
    const int64_t cout = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
    const int64_t oh = convOutputSize(ih, kh, strideH, pads[0], pads[2], dilationH);
    const int64_t ow = convOutputSize(iw, kw, strideW, pads[1], pads[3], dilationW);
    const int64_t inPerGroup = cin / groups, outPerGroup = cout / groups;
    Tensor out({cout, oh, ow});
    for (int64_t o = 0; o < cout; ++o) {
        const int64_t g = o / outPerGroup;
        for (int64_t y = 0; y < oh; ++y)
            for (int64_t x = 0; x < ow; ++x) {
                double acc = bias.empty() ? 0.0 : static_cast<double>(bias.data()[o]);
                for (int64_t ci = 0; ci < inPerGroup; ++ci)
                    for (int64_t ky = 0; ky < kh; ++ky)
                        for (int64_t kx = 0; kx < kw; ++kx) {
                            const int64_t iy = y * strideH - pads[0] + ky * dilationH, ix = x * strideW - pads[1] + kx * dilationW;
                            if (iy < 0 || iy >= ih || ix < 0 || ix >= iw)
                                continue;
                            acc += static_cast<double>(weight.data()[((o * inPerGroup + ci) * kh + ky) * kw + kx]) *
                                   static_cast<double>(input.at(g * inPerGroup + ci, iy, ix));
                        }
                out.at(o, y, x) = activate(activation, static_cast<float>(acc));
            }
    }
    return out;
}

Tensor conv2dReference(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t strideH,
                       int64_t strideW, int64_t padH, int64_t padW, int64_t groups, Activation activation)
{
    const int64_t pads[4] = {padH, padW, padH, padW};
    return conv2dReferenceGeneral(input, weight, bias, strideH, strideW, pads, 1, 1, groups, activation);
}

} // namespace rnnpool
