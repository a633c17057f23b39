#include "ops/depthwise_shifted.h"

#include <cstdint>

#include "ops/activation_simd.h"

namespace rnnpool {

#if defined(EIGEN_VECTORIZE_AVX512)

bool shiftedDepthwiseApplies(const float* src) { return reinterpret_cast<uintptr_t>(src) % 64 == 0; }

namespace {
using simd::kLanes;
using simd::Packet;

// One row's three consecutive aligned packets around the taps.
struct Window {
    Packet before, at, after;
    void slide(const float* next)
    {
        before = at;
        at = after;
        after = _mm512_load_ps(next);
    }
};

// The 16 floats starting S lanes into `at` (S in -1 .. 16), lanes outside
// `mask` zero. With All, every lane (no masking).
template <int S, bool All>
RNNPOOL_ALWAYS_INLINE Packet lanesFrom(const Window& win, __mmask16 mask)
{
    const auto cast = [](const Packet& p) { return _mm512_castps_si512(p); };
    if constexpr (S < 0)
        return _mm512_castsi512_ps(All ? _mm512_alignr_epi32(cast(win.at), cast(win.before), 16 + S)
                                       : _mm512_maskz_alignr_epi32(mask, cast(win.at), cast(win.before), 16 + S));
    else if constexpr (S == 0)
        return All ? win.at : _mm512_maskz_mov_ps(mask, win.at);
    else if constexpr (S < 16)
        return _mm512_castsi512_ps(All ? _mm512_alignr_epi32(cast(win.after), cast(win.at), S)
                                       : _mm512_maskz_alignr_epi32(mask, cast(win.after), cast(win.at), S));
    else
        return All ? win.after : _mm512_maskz_mov_ps(mask, win.after);
}

// The three taps of one row (its window starts R floats before the taps'
// centre column, R = the row's offset mod 16) added to acc.
template <int R>
RNNPOOL_ALWAYS_INLINE Packet addRow(const Window& win, const Packet* w, const uint16_t* columns, Packet acc)
{
    acc = simd::fma(w[0], lanesFrom<R - 1, false>(win, columns[0]), acc);
    acc = simd::fma(w[1], lanesFrom<R, true>(win, 0), acc);
    return simd::fma(w[2], lanesFrom<R + 1, false>(win, columns[2]), acc);
}

// W = the row width mod 16: the row above sits (16 - W) % 16 floats past a
// line boundary, the row below W, the centre row 0.
template <int W>
void shifted(const float* src, int64_t w, const float* weight, float bias, Activation activation, float* dst,
             int64_t first, int64_t end, const uint16_t* columnMasks, int64_t period)
{
    constexpr int kAbove = (16 - W) % 16, kBelow = W;
    Packet wv[9];
    for (int t = 0; t < 9; ++t)
        wv[t] = simd::splat(weight[t]);
    const Packet biasPacket = simd::splat(bias);
    const bool packetActivation = simd::activatesOnPackets(activation);
    // Aligned starts of the three rows' windows for packet `first`.
    const float* above = src + first * kLanes - w - kAbove;
    const float* centre = src + first * kLanes;
    const float* below = src + first * kLanes + w - kBelow;
    Window rows[3];
    for (auto [row, p] : {std::pair{0, above}, {1, centre}, {2, below}})
        rows[row] = {_mm512_load_ps(p - kLanes), _mm512_load_ps(p), _mm512_load_ps(p + kLanes)};
    int64_t position = first % period;
    for (int64_t b = first; b < end; ++b) {
        const uint16_t* columns = columnMasks + position * 3;
        Packet acc = addRow<kAbove>(rows[0], wv, columns, biasPacket);
        acc = addRow<0>(rows[1], wv + 3, columns, acc);
        acc = addRow<kBelow>(rows[2], wv + 6, columns, acc);
        _mm512_storeu_ps(dst + b * kLanes, packetActivation ? simd::activatePacket(activation, acc) : acc);
        const int64_t next = (b + 2 - first) * kLanes; // the packet after each window
        rows[0].slide(above + next);
        rows[1].slide(centre + next);
        rows[2].slide(below + next);
        if (++position == period)
            position = 0;
    }
}

template <int... W>
void dispatch(std::integer_sequence<int, W...>, const float* src, int64_t w, const float* weight, float bias,
              Activation activation, float* dst, int64_t first, int64_t end, const uint16_t* columnMasks, int64_t period)
{
    ((w % 16 == W ? shifted<W>(src, w, weight, bias, activation, dst, first, end, columnMasks, period) : void()), ...);
}
} // namespace

void depthwise3x3Shifted(const float* src, int64_t w, const float* weight, float bias, Activation activation,
                         float* dst, int64_t first, int64_t end, const uint16_t* columnMasks, int64_t period)
{
    dispatch(std::make_integer_sequence<int, 16>(), src, w, weight, bias, activation, dst, first, end, columnMasks, period);
}

#else

bool shiftedDepthwiseApplies(const float*) { return false; }

void depthwise3x3Shifted(const float*, int64_t, const float*, float, Activation, float*, int64_t, int64_t,
                         const uint16_t*, int64_t)
{
}

#endif

} // namespace rnnpool
