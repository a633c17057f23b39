// The core's peak single-precision rate, measured: a short loop of
// independent fused multiply-adds on the SIMD packets the engine is compiled
// for (Eigen's packet type, so AVX-512 here when -march=native enables it),
// with enough independent chains to cover the FMA latency on every FMA unit.
// Its rate is FMA units × SIMD lanes × 2 × the clock actually running, without
// having to know any of the three. Trials are timed in the thread's CPU time
// and the best of several is kept, so a busy machine lowers the figure as
// little as possible.
#pragma once

namespace rnnpool {

struct PeakRate {
    double gflops = 0.0;   // best measured single-thread rate, GFLOP/s (an FMA counts 2)
    int simdLanes = 0;     // floats per SIMD packet the engine uses
    int chains = 0;        // independent FMA chains in the loop
    double seconds = 0.0;  // CPU time spent measuring
};

// Runs on the calling thread for about trials × 20 ms.
PeakRate measurePeakRate(int trials = 5);

} // namespace rnnpool
