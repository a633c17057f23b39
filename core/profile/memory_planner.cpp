#include "profile/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace rnnpool {

namespace {
int64_t alignUp(int64_t v) { return (v + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }
} // namespace

MemoryPlan planGreedyBySize(const std::vector<BufferRequest>& requests)
{
    MemoryPlan plan;
    plan.offsets.assign(requests.size(), 0);
    std::vector<size_t> order(requests.size());
    std::iota(order.begin(), order.end(), size_t{0});
    // Largest first; equal sizes keep request order so plans are reproducible.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });

    std::vector<size_t> placed;
    for (size_t index : order) {
        const BufferRequest& req = requests[index];
        // Placed buffers alive at the same time, by offset.
        std::vector<size_t> conflicts;
        for (size_t other : placed)
            if (lifetimesOverlap(req, requests[other]) && requests[other].bytes > 0)
                conflicts.push_back(other);
        std::sort(conflicts.begin(), conflicts.end(), [&](size_t a, size_t b) { return plan.offsets[a] < plan.offsets[b]; });
        int64_t candidate = 0;
        for (size_t other : conflicts) {
            const int64_t start = plan.offsets[other], end = start + requests[other].bytes;
            if (candidate + req.bytes <= start)
                break; // fits in the gap before this buffer
            candidate = std::max(candidate, alignUp(end));
        }
        plan.offsets[index] = candidate;
        plan.arenaBytes = std::max(plan.arenaBytes, candidate + req.bytes);
        placed.push_back(index);
    }
    return plan;
}

} // namespace rnnpool
