// Running a network inside one preallocated arena, at the offsets a memory
// plan gave, while metering it: bytes in use, their high-water mark, and the
// highest byte touched. Any allocation that would overlap a live buffer or
// run past the arena is recorded as a violation (the plan was wrong).
//
//   MemoryPlan plan = planGreedyBySize(requestsOf(timeline));
//   MeteredArena arena(timeline, plan);
//   Tensor in = arena.placeInput(picture);         // when the input is counted
//   net.run(in, {.allocator = &arena});
//   arena.highWaterBytes() == timeline.peakBytes;
#pragma once

#include <string>
#include <vector>

#include "model/network.h"
#include "profile/memory_planner.h"
#include "profile/memory_timeline.h"

namespace rnnpool {

std::vector<BufferRequest> bufferRequests(const MemoryTimeline& timeline);

class MeteredArena final : public OutputAllocator {
public:
    // The timeline must be f32 (the engine computes in float32) and layerwise.
    MeteredArena(const MemoryTimeline& timeline, const MemoryPlan& plan);

    // Copies the picture into its planned place when the input is counted;
    // otherwise returns a plain copy outside the arena.
    Tensor placeInput(const Tensor& input);

    Tensor allocate(int node, const Shape& shape) override;
    void release(int node) override;

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
    Slot* slotFor(int node);
    float* claim(int node, int64_t bytes);

    std::vector<float> m_buffer;
    std::vector<Slot> m_slots; // index = tensor index (0 = input, node + 1)
    int64_t m_inUse = 0;
    int64_t m_highWater = 0;
    int64_t m_highestByte = 0;
    std::vector<std::string> m_violations;
};

} // namespace rnnpool
