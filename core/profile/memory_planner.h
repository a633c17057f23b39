// Offsets for buffers in one arena, greedily by size as tflite-micro's
// GreedyMemoryPlanner does: the largest buffer first, each at the lowest
// offset that does not overlap a placed buffer whose lifetime intersects its own.
//
//   std::vector<BufferRequest> reqs{{4096, 0, 2}, {1024, 1, 3}};
//   MemoryPlan plan = planGreedyBySize(reqs);   // plan.offsets[i], plan.arenaBytes
#pragma once

#include <cstdint>
#include <vector>

namespace rnnpool {

constexpr int64_t kArenaAlignment = 16; // offsets are multiples of this, as in tflite-micro

struct BufferRequest {
    int64_t bytes = 0;
    int firstStep = 0; // inclusive
    int lastStep = 0;  // inclusive
};

struct MemoryPlan {
    std::vector<int64_t> offsets; // per request
    int64_t arenaBytes = 0;       // the highest end of any buffer
};

MemoryPlan planGreedyBySize(const std::vector<BufferRequest>& requests);

inline bool lifetimesOverlap(const BufferRequest& a, const BufferRequest& b)
{
    return a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
}

} // namespace rnnpool
