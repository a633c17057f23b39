// The SIMD packet the engine's hand-vectorised kernels use: Eigen's widest
// float packet for the target (16 floats with AVX-512, 8 with AVX2), so the
// kernels follow whatever -march enables, exactly as Eigen's products do.
#pragma once

#include <cstdint>

#include <Eigen/Core>

namespace rnnpool::simd {

using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int64_t kLanes = Eigen::internal::packet_traits<float>::size;

inline Packet load(const float* p) { return Eigen::internal::ploadu<Packet>(p); }
inline void store(float* p, const Packet& v) { Eigen::internal::pstoreu(p, v); }
inline Packet splat(float v) { return Eigen::internal::pset1<Packet>(v); }
// a·b + c
inline Packet fma(const Packet& a, const Packet& b, const Packet& c) { return Eigen::internal::pmadd(a, b, c); }

} // namespace rnnpool::simd
