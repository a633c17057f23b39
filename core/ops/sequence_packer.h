// Sequences of partial packets, gathered into whole ones. The lane kernels
// (ops/fastgrnn_lanes.h) sweep kLanes sequences at a time whatever number is
// valid, so a grid 40 patches wide sweeps 48 lanes, 17% of them idle. A
// packer takes the few sequences at the end of such a run, copies their
// inputs into lanes of its own planar buffer, and once those lanes are full
// (or when the caller needs the results) the caller sweeps the buffer and
// the packer scatters each run's final states to where they belong.
// Every lane does the arithmetic of the others, so results are bit for bit
// those of the unpacked sweeps.
//
//   packer.pack(n, final, finalPitch, flush, input);   // flush(): sweep packer.input(...)
//                                                      // into packer.finals(), then packer.scatter()
#pragma once

#include <algorithm>
#include <vector>

#include "ops/simd.h"

namespace rnnpool::lanes {

class SequencePacker {
public:
    // Each sequence has `sets` inputs of steps × features values (input(t, i)
    // in the lane kernels' layout) and `outputs` final values.
    SequencePacker(int64_t steps, int64_t features, int64_t sets, int64_t outputs)
        : m_steps(steps)
        , m_features(features)
        // Zero, then stale finite values: idle lanes never hold NaN or denormals.
        , m_inputs(static_cast<size_t>(sets * steps * features * simd::kLanes), 0.0f)
        , m_finals(static_cast<size_t>((outputs + 1) * simd::kLanes), 0.0f)
        , m_outputs(outputs)
    {
    }

    bool empty() const { return m_used == 0; }

    // Stages lanes [0, n) of a run of sequences whose final states go to
    // final[j · pitch + 0 .. n), one input function per set (input(t, i)
    // points at the run's first lane), calling flush() whenever the packet
    // is full first; a run may straddle two packets.
    template <typename Flush, typename... Inputs>
    void pack(int64_t n, float* final, int64_t pitch, Flush&& flush, const Inputs&... inputs)
    {
        for (int64_t done = 0; done < n;) {
            if (m_used == simd::kLanes)
                flush();
            const int64_t take = std::min(n - done, simd::kLanes - m_used);
            int64_t set = 0;
            (stage(set++, inputs, done, take), ...);
            m_runs.push_back({final + done, pitch, m_used, take});
            m_used += take;
            done += take;
        }
    }

    // Where the sweeps read set `set` and write their final states.
    const float* input(int64_t set, int64_t t, int64_t i) const { return m_inputs.data() + index(set, t, i); }
    float* finals() { return m_finals.data(); } // [output][kLanes]

    // After the caller has swept the staged lanes into finals().
    void scatter()
    {
        for (const Run& run : m_runs)
            for (int64_t j = 0; j < m_outputs; ++j)
                simd::storePartial(run.final + j * run.pitch, simd::loadPartial(m_finals.data() + j * simd::kLanes + run.lane, run.n),
                                   run.n);
        m_runs.clear();
        m_used = 0;
    }

private:
    struct Run {
        float* final;
        int64_t pitch, lane, n;
    };
    // Copies lanes [first, first + n) of input(t, i) into the next free lanes.
    // (Locals throughout: stores through float* could alias the members,
    // which the compiler would otherwise reload after every store.)
    template <typename Input>
    void stage(int64_t set, const Input& input, int64_t first, int64_t n)
    {
        const int64_t steps = m_steps, features = m_features;
        float* dst = staged(set, 0, 0) + m_used;
        for (int64_t t = 0; t < steps; ++t)
            for (int64_t i = 0; i < features; ++i, dst += simd::kLanes)
                simd::storePartial(dst, simd::loadPartial(input(t, i) + first, n), n);
    }

    size_t index(int64_t set, int64_t t, int64_t i) const
    {
        return static_cast<size_t>(((set * m_steps + t) * m_features + i) * simd::kLanes);
    }
    float* staged(int64_t set, int64_t t, int64_t i) { return m_inputs.data() + index(set, t, i); }

    int64_t m_steps, m_features;
    std::vector<float> m_inputs; // [set][t][i][lane]
    std::vector<float> m_finals; // one packet of slack: scatter reads a packet from any lane
    int64_t m_outputs;
    std::vector<Run> m_runs;
    int64_t m_used = 0;
};

} // namespace rnnpool::lanes
