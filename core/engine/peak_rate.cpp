#include "engine/peak_rate.h"

#include <algorithm>
#include <ctime>

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
// CPU time of the calling thread: slices the scheduler gives to other
// processes on a busy machine do not count against the loop.
double threadSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
} // namespace

PeakRate measurePeakRate(int trials)
{
    PeakRate result;
    result.simdLanes = kLanes;
    result.chains = kChains;
    const double begin = threadSeconds();
    // Calibrate the round count to about 20 ms per trial.
    long iterations = 1 << 16;
    volatile float sink = 0.0f;
    for (;;) {
        const double t0 = threadSeconds();
        sink = sink + fmaRounds(iterations, 1.0f);
        if (threadSeconds() - t0 > 5e-3)
            break;
        iterations *= 2;
    }
    iterations *= 4;
    for (int t = 0; t < std::max(1, trials); ++t) {
        const double t0 = threadSeconds();
        sink = sink + fmaRounds(iterations, static_cast<float>(t));
        const double s = threadSeconds() - t0;
        const double flops = 2.0 * kLanes * kChains * static_cast<double>(iterations);
        result.gflops = std::max(result.gflops, flops / s / 1e9);
    }
    result.seconds = threadSeconds() - begin;
    return result;
}

} // namespace rnnpool
