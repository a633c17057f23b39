#include "engine/peak_rate.h"

#include <algorithm>
#include <chrono>

#include <Eigen/Core>

namespace rnnpool {

namespace {
using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int kLanes = Eigen::internal::packet_traits<float>::size;
// FMA latency (4-5 cycles) × FMA units (2) with room to spare.
constexpr int kChains = 16;

// Runs `iterations` rounds of kChains independent FMAs; returns a value that
// depends on every result so the loop cannot be removed.
[[gnu::noinline]] float fmaRounds(long iterations, float seed)
{
    Packet acc[kChains];
    for (int c = 0; c < kChains; ++c)
        acc[c] = Eigen::internal::pset1<Packet>(seed + static_cast<float>(c));
    const Packet a = Eigen::internal::pset1<Packet>(0.9999f), b = Eigen::internal::pset1<Packet>(1e-6f);
    for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
        for (int c = 0; c < kChains; ++c)
            acc[c] = Eigen::internal::pmadd(acc[c], a, b);
    }
    float sum = 0.0f;
    for (int c = 0; c < kChains; ++c)
        sum += Eigen::internal::predux(acc[c]);
    return sum;
}
} // namespace

PeakRate measurePeakRate(int trials)
{
    using Clock = std::chrono::steady_clock;
    PeakRate result;
    result.simdLanes = kLanes;
    result.chains = kChains;
    const auto begin = Clock::now();
    // Calibrate the round count to about 20 ms per trial.
    long iterations = 1 << 16;
    volatile float sink = 0.0f;
    for (;;) {
        const auto t0 = Clock::now();
        sink = sink + fmaRounds(iterations, 1.0f);
        if (std::chrono::duration<double>(Clock::now() - t0).count() > 5e-3)
            break;
        iterations *= 2;
    }
    iterations *= 4;
    for (int t = 0; t < std::max(1, trials); ++t) {
        const auto t0 = Clock::now();
        sink = sink + fmaRounds(iterations, static_cast<float>(t));
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        const double flops = 2.0 * kLanes * kChains * static_cast<double>(iterations);
        result.gflops = std::max(result.gflops, flops / s / 1e9);
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    return result;
}

} // namespace rnnpool
