// FastGRNN over many independent sequences at once, one sequence per SIMD
// lane: a packet holds hidden unit j of L sequences, so h·U is h² broadcast
// multiply-adds on full packets with h independent accumulators, whatever h is
// (8 or 16 fill the same packets). Every lane does exactly the arithmetic of
// the others, so how sequences are grouped into packets (or threads) never
// changes a result.
//
// Inputs are planar: feature i of the L sequences at step t is L consecutive
// floats at input(t, i). Lanes past the valid ones may read any finite or
// non-finite garbage inside the buffers; their results are dropped.
#pragma once

#include "ops/fastgrnn.h"
#include "ops/simd.h"

#include <utility>

namespace rnnpool::lanes {

using simd::fma;
using simd::kLanes;
using simd::load;
using simd::repeat;
using simd::Packet;
using simd::splat;

// Runs `cell` for `steps` steps over kLanes sequences from a zero state and
// stores the final state of hidden unit j at final + j * finalPitch.
// With Project, input(t, i) gives raw input feature i (cell.inputSize of them)
// and x·W is computed here; without, input(t, j) gives (x·W)_j, precomputed
// with the cell's laneW (see the gates below).
// H is the hidden size when known at compile time (keeps the state in
// registers), or 0 for any size up to kMaxHidden.
constexpr int64_t kMaxHidden = 256;

// The gates of one hidden unit on whole packets, without divisions, from
// pre = x·W + h·U. With E = e^-pre, Kz = e^-bz and Kh = e^2bh (per unit,
// FastGrnnCell::prepareScalars), D1 = 1 + E·Kz, D2 = Kh + E²:
//   z = sigmoid(pre + bz) = 1 / D1
//   c = tanh(pre + bh)    = (Kh - E²) / D2
// and the new state is one fraction over D1·D2 (gate() below): one
// exponential and one reciprocal instead of two of each. pre is clamped to
// ±kPreLimit, which changes nothing the float result can show while |bz|,
// |bh| <= kGateBiasLimit (the arguments stay beyond ±20, where sigmoid is
// within 2e-9 of 0 or 1 and tanh rounds to ±1), and keeps D1·D2 between
// e^-10 and about 6e34 and the numerator's terms below about 1.1e35
// (E <= e^25, Kz <= e^5, Kh <= e^10): normal floats throughout.
// Cells with larger biases use the two-exponential gate (simd::sigmoid,
// simd::tanh). For the one-exponential gate the lane weights carry a factor
// -log2(e) (FastGrnnCell::laneW, laneU), so the sums arrive as
// pre2 = -log2(e)·pre and E = 2^pre2, with no multiplication; the clamp
// scales with them.
constexpr float kPreLimit = 25.0f;
constexpr float kLog2E = 1.4426950408889634f;
static_assert(kPreLimit - kGateBiasLimit >= 20.0f && kPreLimit * kLog2E <= simd::kExp2Limit);

struct GateConstants {
    Packet zeta, zetaPlusNu, nu, one, limit;
    const float* biasGate;
    const float* biasUpdate;
    const float* expNegBiasGate;
    const float* expTwiceBiasUpdate;
    const float* scaledExpNegBiasGate;
    explicit GateConstants(const FastGrnnCell& cell)
        : zeta(splat(cell.sigmoidZeta))
        , zetaPlusNu(splat(cell.sigmoidZeta + cell.sigmoidNu))
        , nu(splat(cell.sigmoidNu))
        , one(splat(1.0f))
        , limit(splat(kPreLimit * kLog2E))
        , biasGate(cell.biasGate.data())
        , biasUpdate(cell.biasUpdate.data())
        , expNegBiasGate(cell.expNegBiasGate.data())
        , expTwiceBiasUpdate(cell.expTwiceBiasUpdate.data())
        , scaledExpNegBiasGate(cell.scaledExpNegBiasGate.data())
    {
    }
};

// The new state of hidden unit j from the sums of the lane weights (scaled by
// -log2(e) when OneExp). With ζ, ν the cell's sigmoid(zeta), sigmoid(nu), the
// one exponential gives z = 1 / D1, 1 - z = E·Kz / D1 and c = N2 / D2
// (N2 = Kh - E²), so
//   h' = z·h + (ζ·(1 - z) + ν)·c = (h·D2 + M·N2) / (D1·D2),  M = ν + (ζ + ν)·Kz·E:
// 11 operations after E (the textbook order takes 15), one reciprocal.
template <bool OneExp>
RNNPOOL_ALWAYS_INLINE Packet gate(const GateConstants& g, int64_t j, const Packet& pre, const Packet& state)
{
    if constexpr (OneExp) {
        const Packet e = simd::exp2Bounded(simd::clampSymmetric(pre, g.limit));
        const Packet kh = splat(g.expTwiceBiasUpdate[j]);
        const Packet d1 = fma(e, splat(g.expNegBiasGate[j]), g.one);
        const Packet d2 = fma(e, e, kh);
        const Packet n2 = simd::fnma(e, e, kh);
        const Packet m = fma(e, splat(g.scaledExpNegBiasGate[j]), g.nu);
        const Packet r = simd::reciprocal(simd::mul(d1, d2));
        return simd::mul(fma(state, d2, simd::mul(m, n2)), r);
    } else {
        const Packet z = simd::sigmoid(simd::add(pre, splat(g.biasGate[j])));
        const Packet c = simd::tanh(simd::add(pre, splat(g.biasUpdate[j])));
        const Packet keep = simd::fnma(g.zeta, z, g.zetaPlusNu); // ζ·(1 - z) + ν
        return fma(z, state, simd::mul(keep, c));
    }
}

// Keeps the compiler from hoisting loads through `pointer` out of a loop.
template <typename T>
RNNPOOL_ALWAYS_INLINE void hideFromOptimizer(T*& pointer)
{
#if defined(__GNUC__)
    asm("" : "+r"(pointer));
#endif
}

// x·W of one step for hidden units [j0, j0 + G) (RNN2's projection).
template <int64_t G, typename Input>
RNNPOOL_ALWAYS_INLINE void projectGroup(const FastGrnnCell& cell, Input& input, int64_t t, int64_t j0, Packet* out)
{
    const int64_t h = cell.hiddenSize;
    const float* w = cell.laneW.data() + j0;
    Packet acc[G];
    repeat<G>(G, [&](int64_t g) RNNPOOL_LAMBDA_INLINE { acc[g] = splat(0.0f); });
    for (int64_t i = 0; i < cell.inputSize; ++i) {
        const Packet x = load(input(t, i));
        repeat<G>(G, [&](int64_t g) RNNPOOL_LAMBDA_INLINE { acc[g] = fma(x, splat(w[i * h + g]), acc[g]); });
    }
    repeat<G>(G, [&](int64_t g) RNNPOOL_LAMBDA_INLINE { out[g] = acc[g]; });
}

template <int64_t H, bool Project, bool OneExp, typename Input>
void sweep(const FastGrnnCell& cell, int64_t steps, Input input, float* final, int64_t finalPitch)
{
    const int64_t h = H > 0 ? H : cell.hiddenSize;
    constexpr int64_t Cap = H > 0 ? H : kMaxHidden;
    // Each step runs in two phases: first every unit's sum x·W + h·U (h
    // independent accumulator chains of h multiply-adds, reading the old
    // state), then every unit's gate, which replaces its state in place. With
    // H known every loop is unrolled and the step holds 2·H packets (state and
    // sums) plus the gate's temporaries; updating unit by unit instead needs
    // the old and the new state at once, which for H = 16 is every register
    // and spills. The generic size runs the same loops from memory.
    constexpr int64_t G = H > 0 && H % 4 == 0 ? 4 : 1;
    constexpr int64_t Groups = H > 0 ? H / G : 0;
    Packet state[Cap], acc[Cap];
    repeat<H>(h, [&](int64_t j) RNNPOOL_LAMBDA_INLINE { state[j] = splat(0.0f); });
    const float* u = cell.laneU.data();
    const GateConstants constants(cell);
    for (int64_t t = 0; t < steps; ++t) {
        // The weights are read from L1 as broadcast operands of every step's
        // multiply-adds: hide the pointer from the optimiser, which otherwise
        // hoists all h² broadcasts out of the loop and spills them to the stack.
        hideFromOptimizer(u);
        if constexpr (Project)
            repeat<Groups>(h / G, [&](int64_t group) RNNPOOL_LAMBDA_INLINE { projectGroup<G>(cell, input, t, group * G, acc + group * G); });
        else
            repeat<H>(h, [&](int64_t j) RNNPOOL_LAMBDA_INLINE { acc[j] = load(input(t, j)); });
        repeat<H>(h, [&](int64_t k) RNNPOOL_LAMBDA_INLINE {
            repeat<H>(h, [&](int64_t j) RNNPOOL_LAMBDA_INLINE { acc[j] = fma(state[k], splat(u[k * h + j]), acc[j]); });
        });
        repeat<H>(h, [&](int64_t j) RNNPOOL_LAMBDA_INLINE { state[j] = gate<OneExp>(constants, j, acc[j], state[j]); });
    }
    repeat<H>(h, [&](int64_t j) RNNPOOL_LAMBDA_INLINE { simd::store(final + j * finalPitch, state[j]); });
}

// x·W of every step of kLanes sequences into out[(t·h + j)·kLanes ...], the
// planar input layout sweep() reads without Project: two sweeps with the same
// W over the same inputs (RNN2's forward and backward directions) project
// once. Exactly the arithmetic of sweep<..., Project = true>.
template <int64_t H, typename Input>
void projectSteps(const FastGrnnCell& cell, int64_t steps, Input input, float* out)
{
    const int64_t h = H > 0 ? H : cell.hiddenSize;
    // Every unit's sum at once where H is known: H independent chains of
    // multiply-adds (four would wait on the multiply-add latency).
    constexpr int64_t G = H > 0 ? H : 1;
    for (int64_t t = 0; t < steps; ++t)
        for (int64_t j0 = 0; j0 < h; j0 += G) {
            Packet acc[G];
            projectGroup<G>(cell, input, t, j0, acc);
            repeat<G>(G, [&](int64_t g) RNNPOOL_LAMBDA_INLINE { simd::store(out + (t * h + j0 + g) * kLanes, acc[g]); });
        }
}

// RNNPOOL_FEW_KERNELS (sanitizer and fuzzing builds): only the kernels for
// any hidden size are instantiated, a third of the code to compile (the
// sanitizers instrument every instantiation; the results are the same).
template <typename Input>
void projectStepsAny(const FastGrnnCell& cell, int64_t steps, Input input, float* out)
{
#ifdef RNNPOOL_FEW_KERNELS
    projectSteps<0>(cell, steps, input, out);
    return;
#endif
    switch (cell.hiddenSize) {
    case 8: projectSteps<8>(cell, steps, input, out); break;
    case 16: projectSteps<16>(cell, steps, input, out); break;
    default: projectSteps<0>(cell, steps, input, out); break;
    }
}

// Dispatches on the hidden size, so the common ones run from registers, and
// on the gate formula (the one the cell's lane weights are scaled for).
template <bool Project, typename Input>
void sweepAny(const FastGrnnCell& cell, int64_t steps, Input input, float* final, int64_t finalPitch)
{
    const bool oneExp = cell.gateBiasesBounded;
#ifdef RNNPOOL_FEW_KERNELS
    oneExp ? sweep<0, Project, true>(cell, steps, input, final, finalPitch)
           : sweep<0, Project, false>(cell, steps, input, final, finalPitch);
    return;
#endif
    switch (cell.hiddenSize) {
    case 8:
        oneExp ? sweep<8, Project, true>(cell, steps, input, final, finalPitch)
               : sweep<8, Project, false>(cell, steps, input, final, finalPitch);
        break;
    case 16:
        oneExp ? sweep<16, Project, true>(cell, steps, input, final, finalPitch)
               : sweep<16, Project, false>(cell, steps, input, final, finalPitch);
        break;
    default:
        oneExp ? sweep<0, Project, true>(cell, steps, input, final, finalPitch)
               : sweep<0, Project, false>(cell, steps, input, final, finalPitch);
        break;
    }
}

} // namespace rnnpool::lanes
