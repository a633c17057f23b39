#include "ops/conv_pointwise.h"

#include <algorithm>

#include "ops/activation_simd.h"

namespace rnnpool {

namespace {
using simd::kLanes;
using simd::Packet;

constexpr int64_t kOutBlock = 8;    // output channels per register block
constexpr int64_t kPixelPackets = 3; // packets of pixels per register block
constexpr int64_t kPixelBlock = kPixelPackets * kLanes;

// Packet p of the block's pixels: full, the first n lanes (zeros beyond), or
// zeros when the map ends before this packet (n <= 0; reading there was the
// studio's rare SIGSEGV: a whole packet past the input).
RNNPOOL_ALWAYS_INLINE Packet loadPixels(const float* src, int64_t n)
{
    if (n >= kLanes)
        return simd::load(src);
    return n > 0 ? simd::loadPartial(src, n) : simd::splat(0.0f);
}

// O output channels × P packets of pixels starting at pixel p0 (n valid;
// Full when n == P·kLanes). Every loop over o and p is unrolled at compile
// time (simd::repeat), so the accumulators are registers.
template <int64_t O, int64_t P, bool Full>
void block(const float* weight, const float* bias, Activation activation, const float* in, int64_t inChannels,
           int64_t pixels, int64_t p0, int64_t n, float* out)
{
    using simd::repeat;
    Packet acc[O][P];
    repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
        repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::splat(bias[o]); });
    });
    for (int64_t i = 0; i < inChannels; ++i) {
        const float* src = in + i * pixels + p0;
        const float* w = weight + i;
        Packet x[P];
        repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
            x[p] = Full ? simd::load(src + p * kLanes) : loadPixels(src + p * kLanes, n - p * kLanes);
        });
        repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
            const Packet wv = simd::splat(w[o * inChannels]);
            repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::fma(wv, x[p], acc[o][p]); });
        });
    }
    repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
        float* dst = out + o * pixels + p0;
        repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
            const Packet v = simd::activatePacket(activation, acc[o][p]);
            const int64_t left = n - p * kLanes;
            if (Full || left >= kLanes)
                simd::store(dst + p * kLanes, v);
            else if (left > 0)
                simd::storePartial(dst + p * kLanes, v, left);
        });
    });
    if (!simd::activatesOnPackets(activation))
        for (int64_t o = 0; o < O; ++o)
            activateInPlace(activation, out + o * pixels + p0, n);
}

template <int64_t P, bool Full>
void outputBlocks(const float* weight, const float* bias, Activation activation, const float* in, int64_t inChannels,
                  int64_t outChannels, int64_t pixels, int64_t p0, int64_t n, float* out)
{
    int64_t o0 = 0;
    for (; o0 + kOutBlock <= outChannels; o0 += kOutBlock)
        block<kOutBlock, P, Full>(weight + o0 * inChannels, bias + o0, activation, in, inChannels, pixels, p0, n, out + o0 * pixels);
    const float* w = weight + o0 * inChannels;
    float* dst = out + o0 * pixels;
    switch (outChannels - o0) {
    case 0: break;
    case 1: block<1, P, Full>(w, bias + o0, activation, in, inChannels, pixels, p0, n, dst); break;
    case 2: block<2, P, Full>(w, bias + o0, activation, in, inChannels, pixels, p0, n, dst); break;
    case 3: block<3, P, Full>(w, bias + o0, activation, in, inChannels, pixels, p0, n, dst); break;
    case 4: block<4, P, Full>(w, bias + o0, activation, in, inChannels, pixels, p0, n, dst); break;
    case 5: block<5, P, Full>(w, bias + o0, activation, in, inChannels, pixels, p0, n, dst); break;
    case 6: block<6, P, Full>(w, bias + o0, activation, in, inChannels, pixels, p0, n, dst); break;
    default: block<7, P, Full>(w, bias + o0, activation, in, inChannels, pixels, p0, n, dst); break;
    }
}
} // namespace

void pointwiseDirect(const float* weight, const float* bias, Activation activation, const float* in, int64_t inChannels,
                     int64_t outChannels, int64_t pixels, float* out)
{
    const int64_t blocks = (pixels + kPixelBlock - 1) / kPixelBlock;
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t p0 = b * kPixelBlock, n = std::min(kPixelBlock, pixels - p0);
        if (n == kPixelBlock)
            outputBlocks<kPixelPackets, true>(weight, bias, activation, in, inChannels, outChannels, pixels, p0, n, out);
        else
            outputBlocks<kPixelPackets, false>(weight, bias, activation, in, inChannels, outChannels, pixels, p0, n, out);
    }
}

} // namespace rnnpool
