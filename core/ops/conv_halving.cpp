#include "ops/conv_halving.h"

#include "ops/activation_simd.h"

#include <algorithm>
#include <vector>

namespace rnnpool {

bool halvingApplies(const DirectConvShape& d)
{
    return simd::kMaskedLoads && d.kernelH == 3 && d.kernelW == 3 && d.strideH == 2 && d.strideW == 2 && d.padH == 1 &&
           d.padW == 1;
}

#if defined(EIGEN_VECTORIZE_AVX512)

namespace {
using simd::kLanes;
using simd::LaneMask;
using simd::Packet;

// Input columns [first, first + 2·lanes) of a row of width iw, the ones
// outside the picture masked off: the lanes of the two loads.
struct ColumnWindow {
    int64_t first = 0;
    LaneMask low = 0, high = 0;
    ColumnWindow(int64_t start, int64_t iw)
        : first(start)
        , low(inside(start, iw))
        , high(inside(start + kLanes, iw))
    {
    }
    static LaneMask inside(int64_t start, int64_t iw)
    {
        return simd::laneRange(std::clamp<int64_t>(-start, 0, kLanes), std::clamp<int64_t>(iw - start, 0, kLanes));
    }
    // The window's even-indexed columns of `row`: first, first + 2, ..., first + 30.
    // Windows inside the row (all but a row's first and last) load plainly.
    RNNPOOL_ALWAYS_INLINE Packet everyOther(const float* row) const
    {
        if (low == simd::kAllLanes && high == simd::kAllLanes)
            return simd::evenLanes(simd::load(row + first), simd::load(row + first + kLanes));
        return simd::evenLanes(simd::loadMasked(row + first, low), simd::loadMasked(row + first + kLanes, high));
    }
};

// The windows of every packet of output columns and tap column kx: output
// column x reads input column 2x - 1 + kx. The same for every row and channel.
std::vector<ColumnWindow> columnWindows(int64_t iw, int64_t ow)
{
    std::vector<ColumnWindow> windows;
    for (int64_t ox = 0; ox < ow; ox += kLanes)
        for (int64_t kx = 0; kx < 3; ++kx)
            windows.emplace_back(2 * ox - 1 + kx, iw);
    return windows;
}

void halvingChannel(const std::vector<ColumnWindow>& windows, const float* src, int64_t ih, int64_t iw, const float* w,
                    float bias, Activation activation, float* dst, int64_t oh, int64_t ow)
{
    Packet taps[9];
    for (int64_t t = 0; t < 9; ++t)
        taps[t] = simd::splat(w[t]);
    for (int64_t oy = 0; oy < oh; ++oy) {
        float* outRow = dst + oy * ow;
        for (int64_t ox = 0, packet = 0; ox < ow; ox += kLanes, ++packet) {
            const ColumnWindow* window = windows.data() + packet * 3;
            Packet acc = simd::splat(bias);
            for (int64_t ky = 0; ky < 3; ++ky) {
                const int64_t y = 2 * oy - 1 + ky;
                if (y < 0 || y >= ih)
                    continue; // a padding row
                const float* row = src + y * iw;
                acc = simd::fma(taps[ky * 3], window[0].everyOther(row), acc);
                acc = simd::fma(taps[ky * 3 + 1], window[1].everyOther(row), acc);
                acc = simd::fma(taps[ky * 3 + 2], window[2].everyOther(row), acc);
            }
            acc = simd::activatePacket(activation, acc);
            const int64_t n = std::min(kLanes, ow - ox);
            if (n == kLanes)
                simd::store(outRow + ox, acc);
            else
                simd::storePartial(outRow + ox, acc, n);
        }
    }
    if (!simd::activatesOnPackets(activation))
        activateInPlace(activation, dst, oh * ow);
}

// P packets of output row oy of all O outputs from column ox: per input
// channel, row and tap column, one window load used by O multiply-adds.
// weight is [O][C][3][3].
template <int64_t O, int64_t P>
RNNPOOL_ALWAYS_INLINE void fewOutputsPackets(const std::vector<ColumnWindow>& windows, const Tensor& in,
                                             const float* weight, const float* bias, Activation activation, Tensor& out,
                                             int64_t oy, int64_t ox)
{
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const ColumnWindow* window = windows.data() + ox / kLanes * 3;
    Packet acc[O][P];
    simd::repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
        simd::repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::splat(bias[o]); });
    });
    for (int64_t c = 0; c < channels; ++c)
        for (int64_t ky = 0; ky < 3; ++ky) {
            const int64_t y = 2 * oy - 1 + ky;
            if (y < 0 || y >= ih)
                continue; // a padding row
            const float* row = in.data() + (c * ih + y) * iw;
            for (int64_t kx = 0; kx < 3; ++kx) {
                Packet x[P];
                simd::repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { x[p] = window[p * 3 + kx].everyOther(row); });
                simd::repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
                    const Packet wv = simd::splat(weight[((o * channels + c) * 3 + ky) * 3 + kx]);
                    simd::repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::fma(wv, x[p], acc[o][p]); });
                });
            }
        }
    simd::repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
        float* outRow = out.data() + (o * oh + oy) * ow;
        simd::repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
            const Packet v = simd::activatePacket(activation, acc[o][p]);
            const int64_t at = ox + p * kLanes, n = std::min(kLanes, ow - at);
            if (n == kLanes)
                simd::store(outRow + at, v);
            else
                simd::storePartial(outRow + at, v, n);
        });
    });
}

template <int64_t O>
void fewOutputsAll(const std::vector<ColumnWindow>& windows, const Tensor& in, const float* weight, const float* bias,
                   Activation activation, Tensor& out)
{
    // Two packets at a time where O is small: 2·O chains of multiply-adds.
    constexpr int64_t P = O <= 4 ? 2 : 1;
    const int64_t oh = out.dim(1), ow = out.dim(2);
#pragma omp parallel for schedule(static)
    for (int64_t oy = 0; oy < oh; ++oy) {
        int64_t ox = 0;
        for (; ox + (P - 1) * kLanes < ow; ox += P * kLanes)
            fewOutputsPackets<O, P>(windows, in, weight, bias, activation, out, oy, ox);
        for (; ox < ow; ox += kLanes)
            fewOutputsPackets<O, 1>(windows, in, weight, bias, activation, out, oy, ox);
        if (!simd::activatesOnPackets(activation))
            for (int64_t o = 0; o < O; ++o)
                activateInPlace(activation, out.data() + (o * oh + oy) * ow, ow);
    }
}
} // namespace

void depthwiseHalving(const Tensor& in, const float* weight, const float* bias, Activation activation, Tensor& out)
{
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2), oh = out.dim(1), ow = out.dim(2);
    const std::vector<ColumnWindow> windows = columnWindows(iw, ow);
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < channels; ++c)
        halvingChannel(windows, in.data() + c * ih * iw, ih, iw, weight + c * 9, bias[c], activation, out.data() + c * oh * ow, oh,
                       ow);
}

void fewOutputsHalving(const Tensor& in, const float* weight, const float* bias, Activation activation, Tensor& out)
{
    const std::vector<ColumnWindow> windows = columnWindows(in.dim(2), out.dim(2));
    switch (out.dim(0)) {
    case 1: fewOutputsAll<1>(windows, in, weight, bias, activation, out); break;
    case 2: fewOutputsAll<2>(windows, in, weight, bias, activation, out); break;
    case 3: fewOutputsAll<3>(windows, in, weight, bias, activation, out); break;
    case 4: fewOutputsAll<4>(windows, in, weight, bias, activation, out); break;
    case 5: fewOutputsAll<5>(windows, in, weight, bias, activation, out); break;
    case 6: fewOutputsAll<6>(windows, in, weight, bias, activation, out); break;
    case 7: fewOutputsAll<7>(windows, in, weight, bias, activation, out); break;
    default: fewOutputsAll<8>(windows, in, weight, bias, activation, out); break;
    }
}

#else // never chosen without AVX-512 (halvingApplies() is false)

void depthwiseHalving(const Tensor& in, const float* weight, const float* bias, Activation activation, Tensor& out)
{
    depthwiseDirect({3, 3, 2, 2, 1, 1}, in, weight, bias, activation, out);
}

void fewOutputsHalving(const Tensor& in, const float* weight, const float* bias, Activation activation, Tensor& out)
{
    fewOutputsDirect({3, 3, 2, 2, 1, 1}, in, weight, bias, activation, out);
}

#endif

} // namespace rnnpool
