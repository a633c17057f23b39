#include "ops/conv_direct.h"

#include "ops/activation_simd.h"

#include <algorithm>
#include <vector>

namespace rnnpool {

namespace {
using simd::Packet;
// Output columns computed together, kept in registers across all taps: P
// packets. Depthwise uses one (narrow maps waste less); the few-output kernel
// two, so that O·2 independent accumulators hide the FMA latency.
constexpr int64_t kMaxPackets = 2;
constexpr int64_t kMaxChunk = kMaxPackets * simd::kLanes;
// Floats of padded input rows a band of the few-output kernel keeps (in L2).
constexpr int64_t kBandFloats = 1 << 16;

// Geometry of the padded, phase-split copy of one input channel: rows
// -padH .. ih+padH, each split into strideW phases of `phaseWidth` columns
// (room for a whole last chunk and the widest tap).
struct PaddedPlane {
    int64_t rows = 0, phaseWidth = 0, stride = 1;
    PaddedPlane(const DirectConvShape& d, int64_t ih, int64_t oh, int64_t ow)
        : rows(std::max(ih + 2 * d.padH, (oh - 1) * d.strideH + d.kernelH))
        , phaseWidth((ow + kMaxChunk - 1) / kMaxChunk * kMaxChunk + (d.kernelW - 1) / d.strideW + 1)
        , stride(d.strideW)
    {
    }
    int64_t rowPitch() const { return stride * phaseWidth; }
    int64_t size() const { return rows * rowPitch(); }
    // Offset of every tap (ky, kx) from the start of output row 0, column 0.
    std::vector<int64_t> taps(const DirectConvShape& d) const
    {
        std::vector<int64_t> offsets;
        for (int64_t ky = 0; ky < d.kernelH; ++ky)
            for (int64_t kx = 0; kx < d.kernelW; ++kx)
                offsets.push_back(ky * rowPitch() + (kx % stride) * phaseWidth + kx / stride);
        return offsets;
    }
};

// acc[p] += w · src[p·lanes ...]
template <int64_t P>
inline void accumulate(Packet* acc, float w, const float* src)
{
    const Packet wv = simd::splat(w);
    for (int64_t p = 0; p < P; ++p)
        acc[p] = simd::fma(wv, simd::load(src + p * simd::kLanes), acc[p]);
}

// Stores the first n of the chunk's columns.
template <int64_t P>
inline void storeChunk(const Packet* acc, float* dst, int64_t n)
{
    for (int64_t p = 0; p < P; ++p, n -= simd::kLanes, dst += simd::kLanes) {
        if (n >= simd::kLanes)
            simd::store(dst, acc[p]);
        else if (n > 0)
            simd::storePartial(dst, acc[p], n);
    }
}

// out[i] = in[i·stride] for i in [begin, end); the buffers never overlap,
// which lets the compiler vectorise the gather (stride 2 is the common case).
void gatherStrided(const float* __restrict in, int64_t stride, int64_t begin, int64_t end, float* __restrict out)
{
    if (stride == 2)
        for (int64_t i = begin; i < end; ++i)
            out[i] = in[2 * i];
    else
        for (int64_t i = begin; i < end; ++i)
            out[i] = in[i * stride];
}

// out[m] = in[m - pad] where that is inside [0, n), else 0, for m in
// [0, width): packet by packet with masked loads, no calls (maps of 20 to
// 160 columns make library copies per row cost more than the copying).
void copyRowPadded(const float* in, int64_t n, int64_t pad, float* out, int64_t width)
{
    for (int64_t m = 0; m < width; m += simd::kLanes) {
        const int64_t lo = std::clamp<int64_t>(pad - m, 0, simd::kLanes);            // first lane inside
        const int64_t hi = std::clamp<int64_t>(n + pad - m, lo, simd::kLanes);        // one past the last
        const int64_t count = std::min(simd::kLanes, width - m);
        simd::Packet v = simd::splat(0.0f);
        if (hi > lo)
            v = simd::loadRange(in + m - pad, lo, hi);
        if (count == simd::kLanes)
            simd::store(out + m, v);
        else
            simd::storePartial(out + m, v, count);
    }
}

// Writes every float of padded rows [first, first + count) of channel `src`
// (ih × iw) into `plane`: the input and the zeros around it.
void fillPlane(const DirectConvShape& d, const PaddedPlane& g, const float* src, int64_t ih, int64_t iw, float* plane,
               int64_t first, int64_t count)
{
    for (int64_t r = first; r < first + count; ++r) {
        float* row = plane + (r - first) * g.rowPitch();
        const int64_t y = r - d.padH;
        if (y < 0 || y >= ih) {
            std::fill_n(row, g.rowPitch(), 0.0f);
            continue;
        }
        const float* in = src + y * iw;
        if (g.stride == 1) {
            copyRowPadded(in, iw, d.padW, row, g.phaseWidth);
            continue;
        }
        for (int64_t phase = 0; phase < g.stride; ++phase) {
            // Padded column m·stride + phase holds input column x = m·stride + phase - padW.
            float* out = row + phase * g.phaseWidth;
            const int64_t column = phase - d.padW; // input column of m = 0
            int64_t m = 0;
            for (; m < g.phaseWidth && column + m * g.stride < 0; ++m)
                out[m] = 0.0f;
            const int64_t end = std::clamp<int64_t>((iw - column + g.stride - 1) / g.stride, m, g.phaseWidth);
            if (g.stride == 1)
                std::copy(in + column + m, in + column + end, out + m);
            else
                gatherStrided(in + column, g.stride, m, end, out);
            std::fill(out + end, out + g.phaseWidth, 0.0f);
        }
    }
}

// Scratch kept per thread between calls (slot 0: padded planes, 1: flat
// outputs); the callers overwrite what they read.
float* planeScratch(int64_t n, int slot = 0)
{
    thread_local std::vector<float> buffers[2];
    std::vector<float>& buffer = buffers[slot];
    if (static_cast<int64_t>(buffer.size()) < n)
        buffer.resize(static_cast<size_t>(n));
    return buffer.data();
}

// One output row of all O outputs, P packets of columns at a time; T is the
// tap count when known at compile time (9 for 3×3, 25 for 5×5), else 0.
// Loops over outputs and packets are unrolled (simd::repeat), so the O·P
// accumulators stay in registers.
template <int64_t O, int64_t T>
void fewOutputsRow(const int64_t* taps, int64_t tapCount, const float* row, int64_t channelStride,
                   int64_t channels, const float* weight, int64_t ow, float* const* dst)
{
    using simd::repeat;
    constexpr int64_t P = kMaxPackets, chunk = P * simd::kLanes;
    const int64_t count = T > 0 ? T : tapCount;
    for (int64_t ox = 0; ox < ow; ox += chunk) {
        Packet acc[O][P];
        repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
            repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::splat(0.0f); });
        });
        for (int64_t c = 0; c < channels; ++c) {
            const float* base = row + c * channelStride + ox;
            const float* w = weight + c * count;
            for (int64_t t = 0; t < count; ++t) {
                Packet x[P];
                repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { x[p] = simd::load(base + taps[t] + p * simd::kLanes); });
                repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
                    const Packet wv = simd::splat(w[o * channels * count + t]);
                    repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::fma(wv, x[p], acc[o][p]); });
                });
            }
        }
        const int64_t n = std::min(chunk, ow - ox);
        repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
            repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
                const int64_t left = n - p * simd::kLanes;
                if (left >= simd::kLanes)
                    simd::store(dst[o] + ox + p * simd::kLanes, acc[o][p]);
                else if (left > 0)
                    simd::storePartial(dst[o] + ox + p * simd::kLanes, acc[o][p], left);
            });
        });
    }
}

// P packets of one depthwise output row: taps[t] offsets into the padded row.
// T is the tap count when known at compile time (9 for 3×3), else 0.
template <int64_t P, int64_t T>
inline void depthwiseChunk(const float* row, const int64_t* taps, int64_t tapCount, const float* w, float bias,
                           Activation activation, float* dst, int64_t n)
{
    Packet acc[P];
    for (int64_t p = 0; p < P; ++p)
        acc[p] = simd::splat(bias);
    const int64_t count = T > 0 ? T : tapCount;
    for (int64_t t = 0; t < count; ++t)
        accumulate<P>(acc, w[t], row + taps[t]);
    for (int64_t p = 0; p < P; ++p)
        acc[p] = simd::activatePacket(activation, acc[p]);
    storeChunk<P>(acc, dst, n);
}

// Bands of output rows: each band copies the padded input rows it needs, for
// every channel, into a per-thread buffer small enough for L2, then computes.
template <int64_t O>
void fewOutputsAll(const DirectConvShape& d, const PaddedPlane& g, const Tensor& in, const float* weight,
                   const float* bias, Activation activation, Tensor& out)
{
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const std::vector<int64_t> taps = g.taps(d);
    const int64_t rowsFit = kBandFloats / std::max<int64_t>(1, channels * g.rowPitch());
    const int64_t band = std::clamp<int64_t>((rowsFit - d.kernelH) / d.strideH + 1, 1, oh);
#pragma omp parallel for schedule(static)
    for (int64_t y0 = 0; y0 < oh; y0 += band) {
        const int64_t y1 = std::min(oh, y0 + band), inputRows = (y1 - y0 - 1) * d.strideH + d.kernelH;
        const int64_t channelStride = inputRows * g.rowPitch();
        float* planes = planeScratch(channels * channelStride);
        for (int64_t c = 0; c < channels; ++c)
            fillPlane(d, g, in.data() + c * ih * iw, ih, iw, planes + c * channelStride, y0 * d.strideH, inputRows);
        for (int64_t oy = y0; oy < y1; ++oy) {
            float* dst[O];
            for (int64_t o = 0; o < O; ++o)
                dst[o] = out.data() + (o * oh + oy) * ow;
            const float* row = planes + (oy - y0) * d.strideH * g.rowPitch();
            if (taps.size() == 9)
                fewOutputsRow<O, 9>(taps.data(), 9, row, channelStride, channels, weight, ow, dst);
            else if (taps.size() == 25)
                fewOutputsRow<O, 25>(taps.data(), 25, row, channelStride, channels, weight, ow, dst);
            else
                fewOutputsRow<O, 0>(taps.data(), static_cast<int64_t>(taps.size()), row, channelStride, channels, weight, ow, dst);
            for (int64_t o = 0; o < O; ++o)
                biasActivateRow(activation, bias[o], dst[o], ow);
        }
    }
}

// The padded channel split into strideH × strideW sub-planes ("space to
// depth"): sub-plane (a, b) holds padded rows a, a + sh, ... and columns b,
// b + sw, ... with the tight pitch ⌈padded width / sw⌉. Tap (ky, kx) of output
// (oy, ox) is then element (oy + ky/sh, ox + kx/sw) of sub-plane (ky % sh,
// kx % sw), so output q = oy·pitch + ox reads sub-plane + q + offset: one
// long row for any stride, every output row in one pass of full packets (the
// outputs that land in the last pitch - ow columns are computed and dropped),
// with no per-row work on the 10- to 40-column maps of the later blocks.
struct SubPlanes {
    int64_t sh, sw, rows, pitch, stride; // stride: floats from one sub-plane to the next
    SubPlanes(const DirectConvShape& d, int64_t ih, int64_t iw, int64_t oh, int64_t ow)
        : sh(d.strideH), sw(d.strideW)
    {
        const int64_t paddedRows = std::max(ih + 2 * d.padH, (oh - 1) * sh + d.kernelH);
        const int64_t paddedCols = std::max(iw + 2 * d.padW, (ow - 1) * sw + d.kernelW);
        rows = (paddedRows + sh - 1) / sh;
        pitch = (paddedCols + sw - 1) / sw;
        stride = rows * pitch + simd::kLanes + d.kernelW; // reads of the last packet past the last row
    }
    std::vector<int64_t> taps(const DirectConvShape& d) const
    {
        std::vector<int64_t> offsets;
        for (int64_t ky = 0; ky < d.kernelH; ++ky)
            for (int64_t kx = 0; kx < d.kernelW; ++kx)
                offsets.push_back(((ky % sh) * sw + kx % sw) * stride + (ky / sh) * pitch + kx / sw);
        return offsets;
    }
    // Writes every float of the sub-planes of channel src (ih × iw).
    void fill(const DirectConvShape& d, const float* src, int64_t ih, int64_t iw, float* planes) const
    {
        for (int64_t a = 0; a < sh; ++a)
            for (int64_t b = 0; b < sw; ++b) {
                float* plane = planes + (a * sw + b) * stride;
                for (int64_t i = 0; i < rows; ++i) {
                    float* row = plane + i * pitch;
                    const int64_t y = i * sh + a - d.padH;
                    if (y < 0 || y >= ih)
                        std::fill_n(row, pitch, 0.0f);
                    else if (sw == 1)
                        copyRowPadded(src + y * iw, iw, d.padW, row, pitch);
                    else {
                        // Column m holds input column m·sw + b - padW where that exists.
                        const int64_t first = b - d.padW;
                        const int64_t begin = std::clamp<int64_t>((-first + sw - 1) / sw, 0, pitch);
                        const int64_t end = std::clamp<int64_t>((iw - first + sw - 1) / sw, begin, pitch);
                        std::fill(row, row + begin, 0.0f);
                        gatherStrided(src + y * iw + first, sw, begin, end, row);
                        std::fill(row + end, row + pitch, 0.0f);
                    }
                }
                std::fill(plane + rows * pitch, plane + stride, 0.0f);
            }
    }
};
} // namespace

void depthwiseDirect(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                     Activation activation, Tensor& out)
{
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const SubPlanes g(d, ih, iw, oh, ow);
    const int64_t span = (oh * g.pitch + simd::kLanes - 1) / simd::kLanes * simd::kLanes;
    const std::vector<int64_t> taps = g.taps(d);
    const int64_t tapCount = static_cast<int64_t>(taps.size());
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < channels; ++c) {
        float* planes = planeScratch(g.sh * g.sw * g.stride, 0);
        float* flat = planeScratch(span, 1);
        g.fill(d, in.data() + c * ih * iw, ih, iw, planes);
        const float* w = weight + c * tapCount;
        int64_t q = 0;
        for (; q + 4 * simd::kLanes <= span; q += 4 * simd::kLanes)
            tapCount == 9 ? depthwiseChunk<4, 9>(planes + q, taps.data(), tapCount, w, bias[c], activation, flat + q, 4 * simd::kLanes)
                          : depthwiseChunk<4, 0>(planes + q, taps.data(), tapCount, w, bias[c], activation, flat + q, 4 * simd::kLanes);
        for (; q < span; q += simd::kLanes)
            tapCount == 9 ? depthwiseChunk<1, 9>(planes + q, taps.data(), tapCount, w, bias[c], activation, flat + q, simd::kLanes)
                          : depthwiseChunk<1, 0>(planes + q, taps.data(), tapCount, w, bias[c], activation, flat + q, simd::kLanes);
        float* dst = out.data() + c * oh * ow;
        for (int64_t oy = 0; oy < oh; ++oy)
            std::copy_n(flat + oy * g.pitch, ow, dst + oy * ow);
        if (!simd::activatesOnPackets(activation))
            activateInPlace(activation, dst, oh * ow);
    }
}

void fewOutputsDirect(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                      Activation activation, Tensor& out)
{
    const PaddedPlane g(d, in.dim(1), out.dim(1), out.dim(2));
    switch (out.dim(0)) {
    case 1: fewOutputsAll<1>(d, g, in, weight, bias, activation, out); break;
    case 2: fewOutputsAll<2>(d, g, in, weight, bias, activation, out); break;
    case 3: fewOutputsAll<3>(d, g, in, weight, bias, activation, out); break;
    case 4: fewOutputsAll<4>(d, g, in, weight, bias, activation, out); break;
    case 5: fewOutputsAll<5>(d, g, in, weight, bias, activation, out); break;
    case 6: fewOutputsAll<6>(d, g, in, weight, bias, activation, out); break;
    case 7: fewOutputsAll<7>(d, g, in, weight, bias, activation, out); break;
    default: fewOutputsAll<8>(d, g, in, weight, bias, activation, out); break;
    }
}

} // namespace rnnpool
