#include "mcu/fit_report.h"

#include <algorithm>

#include "ops/conv2d.h"

namespace rnnpool {

int64_t kernelScratchBytes(const Network& net)
{
    int64_t most = 0;
    for (const Node& node : net.nodes()) {
        const auto* conv = dynamic_cast<const Conv2d*>(node.op.get());
        if (!conv)
            continue;
        const Conv2dParams& p = conv->params();
        const bool depthwise = p.groups > 1 && p.groups == p.inChannels;
        most = std::max(most, (depthwise ? p.inChannels : p.outChannels) * static_cast<int64_t>(sizeof(int32_t)));
    }
    return most;
}

namespace {

// An item that needs no DMA goes to memory DMA cannot reach when it can
// (that memory serves nothing else); within a kind, best fit: the region
// with the least free space that still holds it.
void place(FitPlacement& item, std::vector<RegionUse>& regions)
{
    RegionUse* best = nullptr;
    const auto rank = [](const RegionUse& r) { return r.region.dmaReachable ? 1 : 0; };
    for (RegionUse& r : regions) {
        const int64_t free = r.region.bytes - r.usedBytes;
        if ((item.needsDma && !r.region.dmaReachable) || free < item.bytes)
            continue;
        if (!best || rank(r) < rank(*best) ||
            (rank(r) == rank(*best) && free < best->region.bytes - best->usedBytes))
            best = &r;
    }
    if (best) {
        best->usedBytes += item.bytes;
        item.region = best->region.name;
    }
}

std::string kib(int64_t bytes)
{
    return std::to_string(bytes) + " B";
}

} // namespace

FitReport fitOnBoard(const Board& board, const ModelProfile& profile)
{
    FitReport r;
    r.board = board;
    const MemoryTimeline& timeline = profile.timeline;
    r.arenaBytes = std::max(profile.plan.arenaBytes, timeline.peakBytes);
    r.activationPeakBytes = timeline.peakBytes;
    // A camera frame of 8-bit pixels, unless the schedule already holds the input.
    r.frameBufferBytes = timeline.options.countInput ? 0 : shapeNumel(profile.input);
    r.scratchBytes = profile.kernelScratchBytes;
    r.sramNeeded = r.arenaBytes + r.frameBufferBytes + r.scratchBytes + r.runtimeBytes;
    r.weightBytes = profile.params * elementBytes(timeline.options.dtype);
    r.flashNeeded = r.weightBytes + r.codeBytes;
    r.sramHeadroom = board.sramBytes - r.sramNeeded;
    r.flashHeadroom = board.flashBytes - r.flashNeeded;

    std::vector<MemoryRegion> regions = board.regions;
    if (regions.empty())
        regions.push_back({"SRAM", board.sramBytes, true});
    for (const MemoryRegion& m : regions)
        r.regions.push_back({m, 0});
    // The frame buffer first (it alone is restricted), then the largest first.
    std::vector<FitPlacement> items{{"frame buffer", r.frameBufferBytes, true, {}},
                                    {"arena", r.arenaBytes, false, {}},
                                    {"runtime", r.runtimeBytes, false, {}},
                                    {"kernel scratch", r.scratchBytes, false, {}}};
    std::stable_sort(items.begin() + 1, items.end(), [](const FitPlacement& a, const FitPlacement& b) { return a.bytes > b.bytes; });
    r.placed = true;
    for (FitPlacement& item : items) {
        if (item.bytes <= 0)
            continue;
        place(item, r.regions);
        if (item.region.empty() && r.placed) {
            r.placed = false;
            std::string room;
            for (const RegionUse& u : r.regions)
                room += (room.empty() ? "" : ", ") + u.region.name + (item.needsDma && !u.region.dmaReachable ? " (no DMA)" : "") +
                        " has " + kib(u.region.bytes - u.usedBytes) + " free";
            r.problem = "the " + item.item + " (" + kib(item.bytes) + ") fits in no memory region: " + room;
            if (r.frameBufferBytes > 0)
                r.problem += "; counting the input (the camera writing into the arena) saves the separate frame buffer";
        }
        r.placements.push_back(item);
    }
    r.fits = r.placed && r.sramHeadroom >= 0 && r.flashHeadroom >= 0;
    if (r.flashHeadroom < 0 && r.problem.empty())
        r.problem = "flash needs " + kib(r.flashNeeded) + " of " + kib(board.flashBytes);
    return r;
}

} // namespace rnnpool
