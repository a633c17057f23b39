// Activations the fast kernels apply on packets before storing: ReLU and
// ReLU6 (min/max); the others (sigmoid, swish, hard variants) run on the
// stored row with activateInPlace().
#pragma once

#include "ops/activation.h"
#include "ops/simd.h"

namespace rnnpool::simd {

inline bool activatesOnPackets(Activation a)
{
    return a == Activation::None || a == Activation::Relu || a == Activation::Relu6;
}

// v with ReLU or ReLU6 applied; unchanged for every other activation.
RNNPOOL_ALWAYS_INLINE Packet activatePacket(Activation activation, const Packet& v)
{
    if (activation == Activation::Relu)
        return Eigen::internal::pmax(v, splat(0.0f));
    if (activation == Activation::Relu6)
        return Eigen::internal::pmin(Eigen::internal::pmax(v, splat(0.0f)), splat(6.0f));
    return v;
}

} // namespace rnnpool::simd
