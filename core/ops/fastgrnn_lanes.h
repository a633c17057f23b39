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

namespace rnnpool::lanes {

using simd::fma;
using simd::kLanes;
using simd::load;
using simd::Packet;
using simd::splat;

// Eigen's vectorised rational logistic (measured a few percent faster here
// than (1 + tanh(x/2)) / 2); tanh is Eigen's ptanh.
inline Packet sigmoid(const Packet& x) { return Eigen::internal::scalar_logistic_op<float>().packetOp(x); }

// Runs `cell` for `steps` steps over kLanes sequences from a zero state and
// stores the final state of hidden unit j at final + j * finalPitch.
// With Project, input(t, i) gives raw input feature i (cell.inputSize of them)
// and x·W is computed here; without, input(t, j) gives (x·W)_j, precomputed.
// H is the hidden size when known at compile time (keeps the state in
// registers), or 0 for any size up to kMaxHidden.
constexpr int64_t kMaxHidden = 256;

template <int64_t H, bool Project, typename Input>
void sweep(const FastGrnnCell& cell, int64_t steps, Input input, float* final, int64_t finalPitch)
{
    const int64_t h = H > 0 ? H : cell.hiddenSize;
    constexpr int64_t Cap = H > 0 ? H : kMaxHidden;
    Packet state[Cap], pre[Cap];
    for (int64_t j = 0; j < h; ++j)
        state[j] = splat(0.0f);
    const float* u = cell.U.data();
    const float* w = cell.W.data();
    const float* bz = cell.biasGate.data();
    const float* bh = cell.biasUpdate.data();
    const Packet zeta = splat(cell.sigmoidZeta), nu = splat(cell.sigmoidNu), one = splat(1.0f);
    for (int64_t t = 0; t < steps; ++t) {
        if constexpr (Project) {
            for (int64_t j = 0; j < h; ++j)
                pre[j] = splat(0.0f);
            for (int64_t i = 0; i < cell.inputSize; ++i) {
                const Packet x = load(input(t, i));
                for (int64_t j = 0; j < h; ++j)
                    pre[j] = fma(x, splat(w[i * h + j]), pre[j]);
            }
        } else {
            for (int64_t j = 0; j < h; ++j)
                pre[j] = load(input(t, j));
        }
        // h independent accumulators, one per hidden unit: no latency chain.
        for (int64_t k = 0; k < h; ++k)
            for (int64_t j = 0; j < h; ++j)
                pre[j] = fma(state[k], splat(u[k * h + j]), pre[j]);
        for (int64_t j = 0; j < h; ++j) {
            const Packet z = sigmoid(Eigen::internal::padd(pre[j], splat(bz[j])));
            const Packet c = Eigen::internal::ptanh(Eigen::internal::padd(pre[j], splat(bh[j])));
            // z·h + (zeta·(1 - z) + nu)·c
            const Packet gate = fma(zeta, Eigen::internal::psub(one, z), nu);
            state[j] = fma(z, state[j], Eigen::internal::pmul(gate, c));
        }
    }
    for (int64_t j = 0; j < h; ++j)
        simd::store(final + j * finalPitch, state[j]);
}

// Dispatches on the hidden size so the common ones run from registers.
template <bool Project, typename Input>
void sweepAny(const FastGrnnCell& cell, int64_t steps, Input input, float* final, int64_t finalPitch)
{
    switch (cell.hiddenSize) {
    case 8: sweep<8, Project>(cell, steps, input, final, finalPitch); break;
    case 16: sweep<16, Project>(cell, steps, input, final, finalPitch); break;
    default: sweep<0, Project>(cell, steps, input, final, finalPitch); break;
    }
}

} // namespace rnnpool::lanes
