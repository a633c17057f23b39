// The SIMD packet the engine's hand-vectorised kernels use: Eigen's widest
// float packet for the target (16 floats with AVX-512, 8 with AVX2), so the
// kernels follow whatever -march enables, exactly as Eigen's products do.
#pragma once

#include <cstdint>
#include <utility>

#include <Eigen/Core>

// Kernels keep packets in registers only if every helper is inlined; the
// compiler's heuristics give up on the gate maths otherwise.
#if defined(__GNUC__)
#define RNNPOOL_ALWAYS_INLINE __attribute__((always_inline)) inline
#define RNNPOOL_LAMBDA_INLINE __attribute__((always_inline))
#else
#define RNNPOOL_ALWAYS_INLINE inline
#define RNNPOOL_LAMBDA_INLINE
#endif

namespace rnnpool::simd {

using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int64_t kLanes = Eigen::internal::packet_traits<float>::size;

RNNPOOL_ALWAYS_INLINE Packet load(const float* p) { return Eigen::internal::ploadu<Packet>(p); }
RNNPOOL_ALWAYS_INLINE void store(float* p, const Packet& v) { Eigen::internal::pstoreu(p, v); }
RNNPOOL_ALWAYS_INLINE Packet splat(float v) { return Eigen::internal::pset1<Packet>(v); }
template <typename F, int64_t... I>
RNNPOOL_ALWAYS_INLINE void repeatSequence(F& f, std::integer_sequence<int64_t, I...>)
{
    (f(I), ...);
}

// f(i) for i in [0, n): unrolled at compile time when N > 0 (then n == N),
// so that arrays of packets indexed by i stay in registers; a plain loop
// when N == 0.
template <int64_t N, typename F>
RNNPOOL_ALWAYS_INLINE void repeat(int64_t n, F&& f)
{
    if constexpr (N > 0) {
        repeatSequence(f, std::make_integer_sequence<int64_t, N>());
    } else {
        for (int64_t i = 0; i < n; ++i)
            f(i);
    }
}

// The first n (< kLanes) floats at p, zeros in the other lanes; reads no
// float beyond p[n - 1], and nothing at all when n <= 0 (a block's packets
// past the end of a map ask for a negative count).
RNNPOOL_ALWAYS_INLINE Packet loadPartial(const float* p, int64_t n)
{
    if (n <= 0)
        return Eigen::internal::pset1<Packet>(0.0f);
#if defined(EIGEN_VECTORIZE_AVX512)
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
#else
    alignas(64) float buffer[kLanes] = {};
    for (int64_t i = 0; i < n; ++i)
        buffer[i] = p[i];
    return Eigen::internal::ploadu<Packet>(buffer);
#endif
}

#if defined(EIGEN_VECTORIZE_AVX512)
// Whether loads can be masked lane by lane (AVX-512); the kernels that read
// taps in place instead of from padded copies need it.
constexpr bool kMaskedLoads = true;
using LaneMask = uint16_t;
constexpr LaneMask kAllLanes = static_cast<LaneMask>((1u << kLanes) - 1u);
// The lanes of `mask` from p[lane], zeros elsewhere. Lanes outside the mask
// are not read at all, so p + lane may point outside any buffer for them.
RNNPOOL_ALWAYS_INLINE Packet loadMasked(const float* p, LaneMask mask) { return _mm512_maskz_loadu_ps(static_cast<__mmask16>(mask), p); }
// Lanes [lo, hi) set; 0 <= lo <= hi <= kLanes.
RNNPOOL_ALWAYS_INLINE LaneMask laneRange(int64_t lo, int64_t hi)
{
    return static_cast<LaneMask>(((hi >= 16 ? 0x10000u : (1u << hi)) - 1u) & ~((1u << lo) - 1u));
}
// The even-indexed floats of the 32 in (a, b): a[0], a[2], ..., b[14].
RNNPOOL_ALWAYS_INLINE Packet evenLanes(const Packet& a, const Packet& b)
{
    return _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b);
}
// The odd-indexed floats of the 32 in (a, b): a[1], a[3], ..., b[15].
RNNPOOL_ALWAYS_INLINE Packet oddLanes(const Packet& a, const Packet& b)
{
    return _mm512_permutex2var_ps(a, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b);
}
// {before[15], v[0], ..., v[14]}: v moved up a lane, before's last float first.
RNNPOOL_ALWAYS_INLINE Packet shiftInLast(const Packet& v, const Packet& before)
{
    return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v), _mm512_castps_si512(before), 15));
}
#else
constexpr bool kMaskedLoads = false;
#endif

// Lanes [lo, hi) from p[lo .. hi), zeros elsewhere; reads only those floats.
RNNPOOL_ALWAYS_INLINE Packet loadRange(const float* p, int64_t lo, int64_t hi)
{
#if defined(EIGEN_VECTORIZE_AVX512)
    const unsigned mask = ((hi >= 16 ? 0x10000u : (1u << hi)) - 1u) & ~((1u << lo) - 1u);
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>(mask), p);
#else
    alignas(64) float buffer[kLanes] = {};
    for (int64_t i = lo; i < hi; ++i)
        buffer[i] = p[i];
    return Eigen::internal::ploadu<Packet>(buffer);
#endif
}

// The first n (< kLanes) floats of v; nothing when n <= 0.
RNNPOOL_ALWAYS_INLINE void storePartial(float* p, const Packet& v, int64_t n)
{
    if (n <= 0)
        return;
#if defined(EIGEN_VECTORIZE_AVX512)
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1u), v);
#else
    alignas(64) float buffer[kLanes];
    Eigen::internal::pstoreu(buffer, v);
    for (int64_t i = 0; i < n; ++i)
        p[i] = buffer[i];
#endif
}
// a·b + c
RNNPOOL_ALWAYS_INLINE Packet fma(const Packet& a, const Packet& b, const Packet& c) { return Eigen::internal::pmadd(a, b, c); }
RNNPOOL_ALWAYS_INLINE Packet add(const Packet& a, const Packet& b) { return Eigen::internal::padd(a, b); }
RNNPOOL_ALWAYS_INLINE Packet sub(const Packet& a, const Packet& b) { return Eigen::internal::psub(a, b); }
RNNPOOL_ALWAYS_INLINE Packet mul(const Packet& a, const Packet& b) { return Eigen::internal::pmul(a, b); }
// c - a·b
// (one instruction: negating first would cost a subtraction from zero)
RNNPOOL_ALWAYS_INLINE Packet fnma(const Packet& a, const Packet& b, const Packet& c)
{
#if defined(EIGEN_VECTORIZE_AVX512)
    return _mm512_fnmadd_ps(a, b, c);
#elif defined(EIGEN_VECTORIZE_FMA) && defined(EIGEN_VECTORIZE_AVX)
    return _mm256_fnmadd_ps(a, b, c);
#else
    return fma(Eigen::internal::pnegate(a), b, c);
#endif
}

// x clamped to [-limit, limit] (limit >= 0): one instruction with AVX-512DQ
// (the operand of smaller magnitude, with x's sign), else a max and a min.
RNNPOOL_ALWAYS_INLINE Packet clampSymmetric(const Packet& x, const Packet& limit)
{
#if defined(EIGEN_VECTORIZE_AVX512) && defined(__AVX512DQ__)
    return _mm512_range_ps(x, limit, 0x02);
#else
    return Eigen::internal::pmin(Eigen::internal::pmax(x, Eigen::internal::pnegate(limit)), limit);
#endif
}

// Asks for the cache lines of p[0 .. n) (a hint: no fault, no effect on results).
inline void prefetch(const float* p, int64_t n)
{
    for (int64_t i = 0; i < n; i += 16)
        __builtin_prefetch(p + i);
}

// 1 / d to about 23 bits without a division (the divider is the slowest unit
// of the core): the hardware estimate, refined by one Newton step r·(2 - d·r).
// d must be finite and non-zero; elsewhere a plain division.
RNNPOOL_ALWAYS_INLINE Packet reciprocal(const Packet& d)
{
#if defined(EIGEN_VECTORIZE_AVX512)
    const Packet r = _mm512_rcp14_ps(d);
#elif defined(EIGEN_VECTORIZE_AVX)
    const Packet r = _mm256_rcp_ps(d);
#else
    return Eigen::internal::pdiv(splat(1.0f), d);
#endif
#if defined(EIGEN_VECTORIZE_AVX512) || defined(EIGEN_VECTORIZE_AVX)
    const Packet e = fnma(d, r, splat(1.0f)); // 1 - d·r
    return fma(r, e, r);
#endif
}

// p · 2^n for an integral n with |n| < 126.
RNNPOOL_ALWAYS_INLINE Packet scaleByPowerOfTwo(const Packet& p, const Packet& n)
{
#if defined(EIGEN_VECTORIZE_AVX512)
    return _mm512_scalef_ps(p, n);
#else
    using namespace Eigen::internal;
    using PacketI = unpacket_traits<Packet>::integer_packet;
    const PacketI biased = padd(pcast<Packet, PacketI>(n), pset1<PacketI>(127));
    return pmul(p, preinterpret<Packet>(plogical_shift_left<23>(biased)));
#endif
}

// e^-x for |x| <= kExpLimit (the caller clamps), relative error below 3e-7:
// x = r - n·ln2 with |r| <= ln2/2, so e^-x = 2^n · e^-r, and e^-r by its
// Taylor polynomial of degree 6 (remainder below (ln2/2)^7/7! ≈ 1.2e-7; ln2's
// float rounding adds at most 44 · 2e-9).
constexpr float kExpLimit = 30.0f;
RNNPOOL_ALWAYS_INLINE Packet expNegBounded(const Packet& x)
{
    const Packet n = Eigen::internal::print(mul(x, splat(-1.44269504088896341f)));
    const Packet r = fma(n, splat(0.693147180559945f), x);
    Packet p = splat(1.0f / 720.0f);
    p = fma(p, r, splat(-1.0f / 120.0f));
    p = fma(p, r, splat(1.0f / 24.0f));
    p = fma(p, r, splat(-1.0f / 6.0f));
    p = fma(p, r, splat(0.5f));
    p = fma(p, r, splat(-1.0f));
    p = fma(p, r, splat(1.0f));
    return scaleByPowerOfTwo(p, n);
}

// 2^x for |x| <= kExp2Limit (the caller clamps), relative error below 3e-7:
// x = n + r with n = round(x) and |r| <= 1/2 (both exact), 2^r by a degree-5
// polynomial fitted for relative error on [-1/2, 1/2] (7.5e-8 in exact
// arithmetic, 2.1e-7 evaluated in float). One operation less than
// expNegBounded(): the argument needs no multiplication by log2(e).
constexpr float kExp2Limit = 43.0f;
RNNPOOL_ALWAYS_INLINE Packet exp2Bounded(const Packet& x)
{
    const Packet n = Eigen::internal::print(x);
    const Packet r = sub(x, n);
    Packet p = splat(1.3276471735860808e-3f);
    p = fma(p, r, splat(9.675541540050445e-3f));
    p = fma(p, r, splat(5.550713276097075e-2f));
    p = fma(p, r, splat(0.24022119720075286f));
    p = fma(p, r, splat(0.6931469670620396f));
    p = fma(p, r, splat(1.0000000716554307f));
    return scaleByPowerOfTwo(p, n);
}

RNNPOOL_ALWAYS_INLINE Packet clampExpArgument(const Packet& x)
{
    return Eigen::internal::pmin(Eigen::internal::pmax(x, splat(-kExpLimit)), splat(kExpLimit));
}

// 1 / (1 + e^-x); exact to float rounding beyond |x| = 30 (the tail is below 1e-13).
RNNPOOL_ALWAYS_INLINE Packet sigmoid(const Packet& x)
{
    return reciprocal(add(splat(1.0f), expNegBounded(clampExpArgument(x))));
}

// tanh x = 1 - 2 / (1 + e^2x); absolute error about 1e-7.
RNNPOOL_ALWAYS_INLINE Packet tanh(const Packet& x)
{
    const Packet e = expNegBounded(clampExpArgument(mul(x, splat(-2.0f)))); // e^2x
    return fma(splat(-2.0f), reciprocal(add(splat(1.0f), e)), splat(1.0f));
}

} // namespace rnnpool::simd
