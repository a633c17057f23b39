#include "ops/conv_same.h"

#include "ops/activation_simd.h"
#include "ops/depthwise_shifted.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

namespace rnnpool {

bool sameConvApplies(const DirectConvShape& d)
{
    return simd::kMaskedLoads && d.strideH == 1 && d.strideW == 1 && d.kernelH % 2 == 1 && d.kernelW % 2 == 1 &&
           d.padH == (d.kernelH - 1) / 2 && d.padW == (d.kernelW - 1) / 2;
}

#if defined(EIGEN_VECTORIZE_AVX512)

namespace {
using simd::kLanes;
using simd::LaneMask;
using simd::Packet;
using simd::repeat;

// For one plane size and kernel: each tap's offset in the flat plane and,
// per packet of outputs, the lanes whose tap lies inside the picture.
struct TapMasks {
    int64_t h = 0, w = 0, kh = 0, kw = 0;
    std::vector<int64_t> offsets; // [tap]
    std::vector<LaneMask> lanes;  // [packet · taps + tap]
    // Packets whose every tap lies inside the picture: these load plainly
    // (on this AMD core a masked load that misses the cache costs far more
    // than a plain one; most packets of a large map are inside).
    std::vector<uint8_t> inside; // [packet]

    int64_t taps() const { return kh * kw; }
    int64_t size() const { return h * w; }
    int64_t packets() const { return (size() + kLanes - 1) / kLanes; }
    const LaneMask* packet(int64_t b) const { return lanes.data() + b * taps(); }

    TapMasks(int64_t height, int64_t width, int64_t kernelH, int64_t kernelW)
        : h(height), w(width), kh(kernelH), kw(kernelW)
    {
        const int64_t padH = (kh - 1) / 2, padW = (kw - 1) / 2, n = size();
        for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx)
                offsets.push_back((ky - padH) * w + (kx - padW));
        lanes.assign(static_cast<size_t>(packets() * taps()), 0);
        std::vector<LaneMask> columnInside(static_cast<size_t>(kw));
        for (int64_t b = 0; b < packets(); ++b) {
            const int64_t q0 = b * kLanes;
            std::fill(columnInside.begin(), columnInside.end(), LaneMask{0});
            for (int64_t lane = 0; lane < kLanes && q0 + lane < n; ++lane) {
                const int64_t x = (q0 + lane) % w;
                for (int64_t kx = 0; kx < kw; ++kx)
                    if (x + kx - padW >= 0 && x + kx - padW < w)
                        columnInside[static_cast<size_t>(kx)] |= static_cast<LaneMask>(1u << lane);
            }
            for (int64_t ky = 0; ky < kh; ++ky) {
                // Row y + dy is inside when q + dy·w is inside the plane.
                const int64_t shift = (ky - padH) * w;
                const int64_t lo = std::clamp<int64_t>(-shift - q0, 0, kLanes);
                const int64_t hi = std::clamp<int64_t>(n - shift - q0, lo, kLanes);
                const LaneMask rows = simd::laneRange(lo, hi);
                for (int64_t kx = 0; kx < kw; ++kx)
                    lanes[static_cast<size_t>(b * taps() + ky * kw + kx)] =
                        static_cast<LaneMask>(rows & columnInside[static_cast<size_t>(kx)]);
            }
        }
        inside.resize(static_cast<size_t>(packets()));
        for (int64_t b = 0; b < packets(); ++b)
            inside[static_cast<size_t>(b)] = std::all_of(packet(b), packet(b) + taps(), [](LaneMask m) { return m == simd::kAllLanes; });
        findInterior();
    }

    // Rows clear of the top and bottom: every lane of packets [interiorBegin,
    // interiorEnd) has all kh rows of its taps inside, so only its columns
    // can fall outside, and which ones repeats every `period` packets (the
    // packet's first column is 16·b mod w). Per position in that period, the
    // lanes whose column x + kx - padW is inside, and whether all are.
    int64_t period = 1, interiorBegin = 0, interiorEnd = 0;
    std::vector<LaneMask> columnMasks; // [position · kw + kx]
    std::vector<uint8_t> columnsInside; // [position]

    void findInterior()
    {
        const int64_t padH = (kh - 1) / 2, padW = (kw - 1) / 2;
        period = w / std::gcd(w, kLanes);
        interiorBegin = std::min(packets(), (padH * w + kLanes - 1) / kLanes);
        interiorEnd = std::clamp((h - padH) * w / kLanes, interiorBegin, packets());
        columnMasks.assign(static_cast<size_t>(period * kw), 0);
        columnsInside.assign(static_cast<size_t>(period), 1);
        for (int64_t i = 0; i < period; ++i)
            for (int64_t kx = 0; kx < kw; ++kx) {
                LaneMask& mask = columnMasks[static_cast<size_t>(i * kw + kx)];
                for (int64_t lane = 0; lane < kLanes; ++lane) {
                    const int64_t x = (i * kLanes + lane) % w + kx - padW;
                    if (x >= 0 && x < w)
                        mask |= static_cast<LaneMask>(1u << lane);
                }
                columnsInside[static_cast<size_t>(i)] &= mask == simd::kAllLanes;
            }
    }

    // Whether packets [b, b + count) are all inside.
    bool allInside(int64_t b, int64_t count) const
    {
        return std::all_of(inside.begin() + b, inside.begin() + b + count, [](uint8_t v) { return v != 0; });
    }
};

// The masks of this calling thread's recent shapes (a network has a handful).
const TapMasks& tapMasks(int64_t h, int64_t w, const DirectConvShape& d)
{
    thread_local std::vector<std::unique_ptr<TapMasks>> cache;
    for (const auto& m : cache)
        if (m->h == h && m->w == w && m->kh == d.kernelH && m->kw == d.kernelW)
            return *m;
    if (cache.size() >= 32)
        cache.clear();
    cache.push_back(std::make_unique<TapMasks>(h, w, d.kernelH, d.kernelW));
    return *cache.back();
}

// Stores P packets of outputs from packet b on, the last one partial when
// the plane ends inside it.
template <int64_t P>
RNNPOOL_ALWAYS_INLINE void storePackets(const Packet* acc, float* dst, int64_t b, int64_t n)
{
    repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
        const int64_t q = (b + p) * kLanes;
        if (q + kLanes <= n)
            simd::store(dst + q, acc[p]);
        else
            simd::storePartial(dst + q, acc[p], n - q);
    });
}

// f(t) for every tap: unrolled when T (the tap count) is known at compile time.
template <int64_t T, typename F>
RNNPOOL_ALWAYS_INLINE void forTaps(int64_t taps, F&& f)
{
    repeat<T>(T > 0 ? T : taps, f);
}

// P packets of one depthwise channel from packet b; T taps when known at
// compile time (9 for 3×3), else 0. Tap t of packet b + p reads
// base + p·lanes + offsets[t] under mask[p·taps + t].
template <int64_t P, int64_t T, bool Inside>
RNNPOOL_ALWAYS_INLINE void depthwisePackets(const TapMasks& m, const float* src, const float* w, float bias,
                                            Activation activation, float* dst, int64_t b)
{
    const int64_t taps = T > 0 ? T : m.taps();
    const int64_t* offsets = m.offsets.data();
    const LaneMask* mask = m.packet(b);
    const float* base = src + b * kLanes;
    Packet acc[P];
    repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[p] = simd::splat(bias); });
    forTaps<T>(taps, [&](int64_t t) RNNPOOL_LAMBDA_INLINE {
        const Packet wv = simd::splat(w[t]);
        repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
            const float* at = base + p * kLanes + offsets[t];
            acc[p] = simd::fma(wv, Inside ? simd::load(at) : simd::loadMasked(at, mask[p * taps + t]), acc[p]);
        });
    });
    repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[p] = simd::activatePacket(activation, acc[p]); });
    storePackets<P>(acc, dst, b, m.size());
}

// P packets of a depthwise channel in the rows clear of the top and bottom
// (KH×KW known at compile time), P independent chains of multiply-adds: the
// centre column's taps load plainly, the others under each packet's column
// masks, or plainly when every column of the P packets is inside (Plain).
template <int64_t KH, int64_t KW, int64_t P, bool Plain>
RNNPOOL_ALWAYS_INLINE void depthwiseInterior(const float* base, int64_t w, const float* weight, const Packet& bias,
                                             const LaneMask* const* columns, Packet* acc)
{
    repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[p] = bias; });
    repeat<KH>(KH, [&](int64_t ky) RNNPOOL_LAMBDA_INLINE {
        repeat<KW>(KW, [&](int64_t kx) RNNPOOL_LAMBDA_INLINE {
            const Packet wv = simd::splat(weight[ky * KW + kx]);
            repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
                const float* at = base + p * kLanes + (ky - KH / 2) * w + (kx - KW / 2);
                const Packet x = Plain || kx == KW / 2 ? simd::load(at) : simd::loadMasked(at, columns[p][kx]);
                acc[p] = simd::fma(wv, x, acc[p]);
            });
        });
    });
}

// Packets [b, end) of the interior rows, b inside them, four at a time.
template <int64_t KH, int64_t KW>
void depthwiseInteriorRows(const TapMasks& m, const float* src, const float* weight, float bias, Activation activation,
                           float* dst, int64_t b, int64_t end)
{
    constexpr int64_t P = 4;
    const Packet biasPacket = simd::splat(bias);
    const bool packetActivation = simd::activatesOnPackets(activation);
    for (int64_t i = b % m.period; b < end;) {
        const int64_t count = std::min(P, end - b);
        const LaneMask* columns[P];
        bool plain = true;
        for (int64_t p = 0; p < P; ++p) {
            const int64_t position = p < count ? i : 0; // packets past `end` are not stored
            columns[p] = m.columnMasks.data() + position * KW;
            plain = plain && m.columnsInside[static_cast<size_t>(position)];
            if (++i == m.period)
                i = 0;
        }
        Packet acc[P];
        const float* base = src + b * kLanes;
        if (count < P) // at most three packets: one at a time
            for (int64_t p = 0; p < count; ++p)
                depthwiseInterior<KH, KW, 1, false>(base + p * kLanes, m.w, weight, biasPacket, columns + p, acc + p);
        else if (plain)
            depthwiseInterior<KH, KW, P, true>(base, m.w, weight, biasPacket, columns, acc);
        else
            depthwiseInterior<KH, KW, P, false>(base, m.w, weight, biasPacket, columns, acc);
        for (int64_t p = 0; p < count; ++p)
            simd::store(dst + (b + p) * kLanes, packetActivation ? simd::activatePacket(activation, acc[p]) : acc[p]);
        b += count;
    }
}

template <int64_t KH, int64_t KW>
void depthwiseChannelByRows(const TapMasks& m, const float* src, const float* w, float bias, Activation activation, float* dst)
{
    for (int64_t b = 0; b < m.interiorBegin; ++b)
        depthwisePackets<1, KH * KW, false>(m, src, w, bias, activation, dst, b);
    // 3×3 on a plane that starts on a cache line: aligned loads and lane
    // shifts, but for two packets at either end (its windows read around them).
    constexpr int64_t kSpare = 2;
    if (KH == 3 && KW == 3 && shiftedDepthwiseApplies(src) && m.interiorEnd - m.interiorBegin > 2 * kSpare) {
        const int64_t first = m.interiorBegin + kSpare, end = m.interiorEnd - kSpare;
        depthwiseInteriorRows<KH, KW>(m, src, w, bias, activation, dst, m.interiorBegin, first);
        depthwise3x3Shifted(src, m.w, w, bias, activation, dst, first, end, m.columnMasks.data(), m.period);
        depthwiseInteriorRows<KH, KW>(m, src, w, bias, activation, dst, end, m.interiorEnd);
    } else {
        depthwiseInteriorRows<KH, KW>(m, src, w, bias, activation, dst, m.interiorBegin, m.interiorEnd);
    }
    for (int64_t b = m.interiorEnd; b < m.packets(); ++b)
        depthwisePackets<1, KH * KW, false>(m, src, w, bias, activation, dst, b);
    if (!simd::activatesOnPackets(activation))
        activateInPlace(activation, dst, m.size());
}

template <int64_t T>
void depthwiseChannel(const TapMasks& m, const float* src, const float* w, float bias, Activation activation, float* dst)
{
    // Four packets at a time: four independent chains of multiply-adds.
    int64_t b = 0;
    for (; b + 4 <= m.packets(); b += 4)
        m.allInside(b, 4) ? depthwisePackets<4, T, true>(m, src, w, bias, activation, dst, b)
                          : depthwisePackets<4, T, false>(m, src, w, bias, activation, dst, b);
    for (; b < m.packets(); ++b)
        depthwisePackets<1, T, false>(m, src, w, bias, activation, dst, b);
    if (!simd::activatesOnPackets(activation))
        activateInPlace(activation, dst, m.size());
}

// P packets of all O outputs from packet b: per input channel and tap, P
// masked loads, each used by O multiply-adds. weight is [O][C][T].
template <int64_t O, int64_t P, int64_t T, bool Inside>
RNNPOOL_ALWAYS_INLINE void fewOutputsPackets(const TapMasks& m, const float* in, int64_t channels, const float* weight,
                                             const float* bias, Activation activation, float* out, int64_t b)
{
    const int64_t taps = T > 0 ? T : m.taps(), n = m.size();
    const int64_t* offsets = m.offsets.data();
    const LaneMask* mask = m.packet(b);
    Packet acc[O][P];
    repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
        repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::splat(bias[o]); });
    });
    for (int64_t c = 0; c < channels; ++c) {
        const float* base = in + c * n + b * kLanes;
        const float* w = weight + c * taps;
        forTaps<T>(taps, [&](int64_t t) RNNPOOL_LAMBDA_INLINE {
            Packet x[P];
            repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE {
                const float* at = base + p * kLanes + offsets[t];
                x[p] = Inside ? simd::load(at) : simd::loadMasked(at, mask[p * taps + t]);
            });
            repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
                const Packet wv = simd::splat(w[o * channels * taps + t]);
                repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::fma(wv, x[p], acc[o][p]); });
            });
        });
    }
    repeat<O>(O, [&](int64_t o) RNNPOOL_LAMBDA_INLINE {
        repeat<P>(P, [&](int64_t p) RNNPOOL_LAMBDA_INLINE { acc[o][p] = simd::activatePacket(activation, acc[o][p]); });
        storePackets<P>(acc[o], out + o * n, b, n);
    });
}

// Packets per block of work: a thread's share of the plane, in order.
constexpr int64_t kBlockPackets = 32;

template <int64_t O, int64_t T>
void fewOutputsAll(const TapMasks& m, const Tensor& in, const float* weight, const float* bias, Activation activation,
                   Tensor& out)
{
    // At least 8 accumulators where O allows: the multiply-add latency times
    // the two FMA pipes.
    constexpr int64_t P = O <= 2 ? 4 : (O <= 4 ? 2 : 1);
    const int64_t channels = in.dim(0), n = m.size(), packets = m.packets();
    const int64_t blocks = (packets + kBlockPackets - 1) / kBlockPackets;
#pragma omp parallel for schedule(static)
    for (int64_t block = 0; block < blocks; ++block) {
        const int64_t first = block * kBlockPackets, end = std::min(packets, first + kBlockPackets);
        int64_t b = first;
        for (; b + P <= end; b += P)
            m.allInside(b, P) ? fewOutputsPackets<O, P, T, true>(m, in.data(), channels, weight, bias, activation, out.data(), b)
                              : fewOutputsPackets<O, P, T, false>(m, in.data(), channels, weight, bias, activation, out.data(), b);
        for (; b < end; ++b)
            fewOutputsPackets<O, 1, T, false>(m, in.data(), channels, weight, bias, activation, out.data(), b);
        if (!simd::activatesOnPackets(activation)) {
            const int64_t q0 = first * kLanes, q1 = std::min(n, end * kLanes);
            for (int64_t o = 0; o < O; ++o)
                activateInPlace(activation, out.data() + o * n + q0, q1 - q0);
        }
    }
}

template <int64_t T>
void fewOutputsByCount(const TapMasks& m, const Tensor& in, const float* weight, const float* bias,
                       Activation activation, Tensor& out)
{
    switch (out.dim(0)) {
    case 1: fewOutputsAll<1, T>(m, in, weight, bias, activation, out); break;
    case 2: fewOutputsAll<2, T>(m, in, weight, bias, activation, out); break;
    case 3: fewOutputsAll<3, T>(m, in, weight, bias, activation, out); break;
    case 4: fewOutputsAll<4, T>(m, in, weight, bias, activation, out); break;
    case 5: fewOutputsAll<5, T>(m, in, weight, bias, activation, out); break;
    case 6: fewOutputsAll<6, T>(m, in, weight, bias, activation, out); break;
    case 7: fewOutputsAll<7, T>(m, in, weight, bias, activation, out); break;
    default: fewOutputsAll<8, T>(m, in, weight, bias, activation, out); break;
    }
}
} // namespace

void depthwiseSame(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                   Activation activation, Tensor& out)
{
    const int64_t channels = in.dim(0), n = in.dim(1) * in.dim(2);
    const TapMasks& m = tapMasks(in.dim(1), in.dim(2), d);
    const int64_t taps = m.taps();
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < channels; ++c) {
        const float* src = in.data() + c * n;
        float* dst = out.data() + c * n;
        if (m.kh == 3 && m.kw == 3)
            depthwiseChannelByRows<3, 3>(m, src, weight + c * taps, bias[c], activation, dst);
        else if (m.kh == 5 && m.kw == 5)
            depthwiseChannelByRows<5, 5>(m, src, weight + c * taps, bias[c], activation, dst);
        else if (taps == 9)
            depthwiseChannel<9>(m, src, weight + c * taps, bias[c], activation, dst);
        else
            depthwiseChannel<0>(m, src, weight + c * taps, bias[c], activation, dst);
    }
}

void fewOutputsSame(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                    Activation activation, Tensor& out)
{
    const TapMasks& m = tapMasks(in.dim(1), in.dim(2), d);
    if (m.taps() == 9)
        fewOutputsByCount<9>(m, in, weight, bias, activation, out);
    else
        fewOutputsByCount<0>(m, in, weight, bias, activation, out);
}

#else // no masked loads: sameConvApplies() is false, these are never chosen

void depthwiseSame(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                   Activation activation, Tensor& out)
{
    depthwiseDirect(d, in, weight, bias, activation, out);
}

void fewOutputsSame(const DirectConvShape& d, const Tensor& in, const float* weight, const float* bias,
                    Activation activation, Tensor& out)
{
    fewOutputsDirect(d, in, weight, bias, activation, out);
}

#endif

} // namespace rnnpool
