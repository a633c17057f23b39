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

// One packet of output columns x = ox .. ox + 15 reads input columns 2x - 1,
// 2x and 2x + 1 of a row: the odd and even floats of the two packets at 2·ox
// (A, B), and the odd ones shifted by a lane with the float before A (the
// last of the packet before, P). So a row costs three loads on packet
// boundaries (aligned where the row is) and three lane permutes; columns
// outside the picture load as zero, exactly as padding would.
struct ColumnWindow {
    int64_t first = 0;           // 2·ox
    LaneMask before = 0, low = 0, high = 0;
    ColumnWindow(int64_t ox, int64_t iw)
        : first(2 * ox)
        , before(ox > 0 ? simd::kAllLanes : LaneMask{0})
        , low(inside(first, iw))
        , high(inside(first + kLanes, iw))
    {
    }
    static LaneMask inside(int64_t start, int64_t iw)
    {
        return simd::laneRange(0, std::clamp<int64_t>(iw - start, 0, kLanes));
    }
    struct Taps {
        Packet left, centre, right; // columns 2x - 1, 2x, 2x + 1
    };
    // Windows inside the row (all but a row's first and last) load plainly.
    RNNPOOL_ALWAYS_INLINE Taps taps(const float* row) const
    {
        const bool plain = before == simd::kAllLanes && low == simd::kAllLanes && high == simd::kAllLanes;
        const float* at = row + first;
        const Packet p = plain ? simd::load(at - kLanes) : simd::loadMasked(at - kLanes, before);
        const Packet a = plain ? simd::load(at) : simd::loadMasked(at, low);
        const Packet b = plain ? simd::load(at + kLanes) : simd::loadMasked(at + kLanes, high);
        const Packet odd = simd::oddLanes(a, b);
        return {simd::shiftInLast(odd, p), simd::evenLanes(a, b), odd};
    }
};

// The windows of every packet of output columns; the same for every row and channel.
std::vector<ColumnWindow> columnWindows(int64_t iw, int64_t ow)
{
    std::vector<ColumnWindow> windows;
    for (int64_t ox = 0; ox < ow; ox += kLanes)
        windows.emplace_back(ox, iw);
    return windows;
}

// Input rows requested this many output rows ahead of their use.
constexpr int64_t kPrefetchRows = 4;

void halvingChannel(const std::vector<ColumnWindow>& windows, const float* src, int64_t ih, int64_t iw, const float* w,
                    float bias, Activation activation, float* dst, int64_t oh, int64_t ow)
{
    Packet taps[9];
    for (int64_t t = 0; t < 9; ++t)
        taps[t] = simd::splat(w[t]);
    for (int64_t oy = 0; oy < oh; ++oy) {
        if (2 * (oy + kPrefetchRows) + 1 < ih) // see fewOutputsAll
            simd::prefetch(src + 2 * (oy + kPrefetchRows) * iw, 2 * iw);
        float* outRow = dst + oy * ow;
        for (int64_t ox = 0, packet = 0; ox < ow; ox += kLanes, ++packet) {
            const ColumnWindow& window = windows[static_cast<size_t>(packet)];
            Packet acc = simd::splat(bias);
            for (int64_t ky = 0; ky < 3; ++ky) {
                const int64_t y = 2 * oy - 1 + ky;
                if (y < 0 || y >= ih)
                    continue; // a padding row
                const ColumnWindow::Taps x = window.taps(src + y * iw);
                acc = simd::fma(taps[ky * 3], x.left, acc);
                acc = simd::fma(taps[ky * 3 + 1], x.centre, acc);
                acc = simd::fma(taps[ky * 3 + 2], x.right, acc);
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
    const ColumnWindow* window = windows.data() + ox / kLanes;
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
            ColumnWindow::Taps x[P];
            simd::repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { x[p] = window[p].taps(row); });
            simd::repeat<3>(3, [&](int64_t kx) RNNPOOL_LAMBDA_INLINE {
                simd::repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
                    const Packet wv = simd::splat(weight[((o * channels + c) * 3 + ky) * 3 + kx]);
                    simd::repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
                        const Packet& column = kx == 0 ? x[p].left : (kx == 1 ? x[p].centre : x[p].right);
                        acc[o][p] = simd::fma(wv, column, acc[o][p]);
                    });
                });
            });
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
    const int64_t channels = in.dim(0), ih = in.dim(1), iw = in.dim(2);
#pragma omp parallel for schedule(static)
    for (int64_t oy = 0; oy < oh; ++oy) {
        // The input rows a few output rows ahead, requested now: a network's
        // first layer reads its picture from memory, and many rows at once
        // (two per channel per output row) outrun the hardware prefetcher.
        for (int64_t y = 2 * (oy + kPrefetchRows); y < std::min(ih, 2 * (oy + kPrefetchRows) + 2); ++y)
            for (int64_t c = 0; c < channels; ++c)
                simd::prefetch(in.data() + (c * ih + y) * iw, iw);
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
