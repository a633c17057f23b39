// Running a schedule inside one preallocated arena, at the offsets a memory
// plan gave, while metering it: bytes in use, their high-water mark, and the
// highest byte touched. Any allocation that would overlap a live buffer or run
// past the arena is recorded as a violation (the plan was wrong). Layer
// outputs and the paper schedule's scratch live in the arena; convolution
// workspace (im2col columns) is outside it.
//
//   Schedule s = paperSchedule(net);
//   auto timeline = buildTimeline(net, s, shape, options);
//   MemoryPlan plan = planGreedyBySize(bufferRequests(*timeline));
//   Expected<ArenaRun> r = runInArena(net, s, *timeline, plan, picture);
//   r->highWaterBytes == timeline->peakBytes;
#pragma once

#include <string>
#include <vector>

#include "model/network.h"
#include "profile/memory_planner.h"
#include "profile/schedule.h"

namespace rnnpool {

std::vector<BufferRequest> bufferRequests(const MemoryTimeline& timeline);

class MeteredArena {
public:
    MeteredArena(const MemoryTimeline& timeline, const MemoryPlan& plan);

    // A view of tensor `index`'s planned buffer; nullptr (and a violation) if it does not fit.
    float* claim(int index, int64_t bytes);
    // The same at any byte offset (int8 plans need not be 4-byte aligned).
    uint8_t* claimBytes(int index, int64_t bytes);
    void release(int index);

    int64_t capacityBytes() const { return static_cast<int64_t>(m_buffer.size()) * 4; }
    int64_t inUseBytes() const { return m_inUse; }
    int64_t highWaterBytes() const { return m_highWater; }
    int64_t highestByte() const { return m_highestByte; }
    const std::vector<std::string>& violations() const { return m_violations; }

private:
    struct Slot {
        int64_t offset = 0;
        int64_t bytes = 0;
        bool live = false;
    };
    std::vector<float> m_buffer;
    std::vector<Slot> m_slots; // per timeline tensor
    int64_t m_inUse = 0;
    int64_t m_highWater = 0;
    int64_t m_highestByte = 0;
    std::vector<std::string> m_violations;
};

struct ArenaRun {
    RunResult result;              // the network outputs, copied out of the arena after the run;
                                   // a step's time is counted on the node that produces its output
    int64_t highWaterBytes = 0;    // measured peak of bytes in use
    int64_t highestByte = 0;       // measured extent
    std::vector<std::string> violations;
};

// Runs a float32 timeline of `schedule` in a metered arena.
Expected<ArenaRun> runInArena(const Network& net, const Schedule& schedule, const MemoryTimeline& timeline,
                              const MemoryPlan& plan, const Tensor& input);

} // namespace rnnpool
