#include "ops/conv_direct.h"

#include "ops/simd.h"

#include <algorithm>
#include <vector>

namespace rnnpool {

namespace {
using simd::Packet;
// Output columns computed together, kept in registers across all taps.
constexpr int64_t kPackets = 2;
constexpr int64_t kChunk = kPackets * simd::kLanes;

// Geometry of the padded, phase-split copy of one input channel: rows
// -padH .. ih+padH, each split into strideW phases of `phaseWidth` columns
// (room for a whole last chunk and the widest tap).
struct PaddedPlane {
    int64_t rows = 0, phaseWidth = 0, stride = 1;
    PaddedPlane(const DirectConvShape& d, int64_t ih, int64_t oh, int64_t ow)
        : rows(std::max(ih + 2 * d.padH, (oh - 1) * d.strideH + d.kernelH))
        , phaseWidth((ow + kChunk - 1) / kChunk * kChunk + (d.kernelW - 1) / d.strideW + 1)
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
inline void accumulate(Packet* acc, float w, const float* src)
{
    const Packet wv = simd::splat(w);
    for (int64_t p = 0; p < kPackets; ++p)
        acc[p] = simd::fma(wv, simd::load(src + p * simd::kLanes), acc[p]);
}

// Stores the first n of the chunk's columns.
inline void storeChunk(const Packet* acc, float* dst, int64_t n)
{
    float buffer[kChunk];
    for (int64_t p = 0; p < kPackets; ++p)
        simd::store(buffer + p * simd::kLanes, acc[p]);
    std::copy_n(buffer, n, dst);
}

// Copies channel `src` (ih × iw) into `plane`, which must be zeroed.
void fillPlane(const DirectConvShape& d, const PaddedPlane& g, const float* src, int64_t ih, int64_t iw, float* plane)
{
    for (int64_t y = 0; y < ih; ++y) {
        float* row = plane + (y + d.padH) * g.rowPitch();
        for (int64_t phase = 0; phase < g.stride; ++phase) {
            // Input column x lands at padded column x + padW = m·stride + phase.
            int64_t m = 0, x = phase - d.padW;
            for (; x < 0; x += g.stride)
                ++m;
            for (; x < iw && m < g.phaseWidth; x += g.stride, ++m)
                row[phase * g.phaseWidth + m] = src[y * iw + x];
        }
    }
}

std::vector<float>& planeScratch(int64_t n)
{
    thread_local std::vector<float> buffer;
    buffer.assign(static_cast<size_t>(n), 0.0f);
    return buffer;
}

template <int64_t O>
void fewOutputsRow(const DirectConvShape& d, const PaddedPlane& g, const std::vector<int64_t>& taps,
                   const float* planes, int64_t channels, const float* weight, int64_t oy, int64_t ow, float* const* dst)
{
    const int64_t tapCount = static_cast<int64_t>(taps.size());
    const float* row = planes + oy * d.strideH * g.rowPitch();
    for (int64_t ox = 0; ox < ow; ox += kChunk) {
        Packet acc[O][kPackets];
        for (int64_t o = 0; o < O; ++o)
            for (int64_t p = 0; p < kPackets; ++p)
                acc[o][p] = simd::splat(0.0f);
        for (int64_t c = 0; c < channels; ++c)
            for (int64_t t = 0; t < tapCount; ++t) {
                const float* src = row + c * g.size() + taps[static_cast<size_t>(t)] + ox;
                for (int64_t o = 0; o < O; ++o)
                    accumulate(acc[o], weight[(o * channels + c) * tapCount + t], src);
            }
        for (int64_t o = 0; o < O; ++o)
            storeChunk(acc[o], dst[o] + ox, std::min(kChunk, ow - ox));
    }
}

template <int64_t O>
void fewOutputsAll(const DirectConvShape& d, const PaddedPlane& g, const float* planes, int64_t channels,
                   const float* weight, const float* bias, Activation activation, Tensor& out)
{
    const int64_t oh = out.dim(1), ow = out.dim(2);
    const std::vector<int64_t> taps = g.taps(d);
#pragma omp parallel for schedule(static)
    for (int64_t oy = 0; oy < oh; ++oy) {
        float* dst[O];
        for (int64_t o = 0; o < O; ++o)
            dst[o] = out.data() + (o * oh + oy) * ow;
        fewOutputsRow<O>(d, g, taps, planes, channels, weight, oy, ow, dst);
        for (int64_t o = 0; o < O; ++o)
            biasActivateRow(activation, bias[o], dst[o], ow);
    }
}
} // namespace

void depthwiseDirect(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                     Activation activation, Tensor& out)
{
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const PaddedPlane g(d, ih, oh, ow);
    const std::vector<int64_t> taps = g.taps(d);
    const int64_t tapCount = static_cast<int64_t>(taps.size());
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < channels; ++c) {
        std::vector<float>& plane = planeScratch(g.size());
        fillPlane(d, g, in.data() + c * ih * iw, ih, iw, plane.data());
        const float* w = weight + c * tapCount;
        float* dst = out.data() + c * oh * ow;
        for (int64_t oy = 0; oy < oh; ++oy) {
            const float* row = plane.data() + oy * d.strideH * g.rowPitch();
            for (int64_t ox = 0; ox < ow; ox += kChunk) {
                Packet acc[kPackets];
                for (int64_t p = 0; p < kPackets; ++p)
                    acc[p] = simd::splat(0.0f);
                for (int64_t t = 0; t < tapCount; ++t)
                    accumulate(acc, w[t], row + taps[static_cast<size_t>(t)] + ox);
                storeChunk(acc, dst + oy * ow + ox, std::min(kChunk, ow - ox));
            }
            biasActivateRow(activation, bias[c], dst + oy * ow, ow);
        }
    }
}

void fewOutputsDirect(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                      Activation activation, Tensor& out)
{
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2);
    const PaddedPlane g(d, ih, out.dim(1), out.dim(2));
    // All padded input planes, built once and shared by every output row.
    std::vector<float>& planes = planeScratch(channels * g.size());
    for (int64_t c = 0; c < channels; ++c)
        fillPlane(d, g, in.data() + c * ih * iw, ih, iw, planes.data() + c * g.size());
    switch (out.dim(0)) {
    case 1: fewOutputsAll<1>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    case 2: fewOutputsAll<2>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    case 3: fewOutputsAll<3>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    case 4: fewOutputsAll<4>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    case 5: fewOutputsAll<5>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    case 6: fewOutputsAll<6>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    case 7: fewOutputsAll<7>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    default: fewOutputsAll<8>(d, g, planes.data(), channels, weight, bias, activation, out); break;
    }
}

} // namespace rnnpool
