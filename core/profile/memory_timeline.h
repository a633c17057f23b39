// MemoryTimeline: which activation tensors are alive at each step of a
// schedule, how many bytes that is, and where the peak is.
//
//   ScheduleOptions o;  o.dtype = ElementType::I8;  o.countInput = true;
//   Expected<MemoryTimeline> t = layerwiseTimeline(net, {1, 240, 320}, o);
//   t->peakBytes;  for (int i : t->liveAtPeak) t->tensors[i].name;
#pragma once

#include <string>
#include <vector>

#include "model/network.h"

namespace rnnpool {

enum class ElementType { F32, I16, I8 };
int64_t elementBytes(ElementType type);
const char* elementTypeName(ElementType type); // "f32", "i16", "i8"
bool parseElementType(const std::string& name, ElementType& out);

struct ScheduleOptions {
    ElementType dtype = ElementType::F32;
    bool countInput = false; // the input picture counts towards RAM
    // Streaming units' scratch as the paper's Appendix E.2 counts it (its
    // elements at the element size), not as our int8 kernels lay it out
    // (unitScratchBytes): for reproducing the paper's figures; such a plan
    // is not executed.
    bool paperAccounting = false;
};

struct TensorLife {
    std::string name;   // "input" or the producing layer's name
    int producer = -1;  // node index; kNetworkInput for the picture
    int firstStep = 0;  // inclusive, in schedule steps
    int lastStep = 0;   // inclusive
    int64_t bytes = 0;
    bool scratch = false; // working memory of one step, not a layer output
};

struct MemoryTimeline {
    std::string schedule;           // "layerwise", "paper"
    ScheduleOptions options;
    std::vector<std::string> steps; // what runs at each step
    std::vector<TensorLife> tensors;
    std::vector<int64_t> liveBytes; // per step
    int64_t peakBytes = 0;
    int peakStep = 0;
    std::vector<int> liveAtPeak;    // indices into tensors
};

// TensorFlow Lite's convention: every layer's output is materialised when the
// layer runs and freed after its last reader; network outputs live to the end.
// (The same as buildTimeline(net, layerwiseSchedule(net), ...), schedule.h.)
Expected<MemoryTimeline> layerwiseTimeline(const Network& net, const Shape& inputShape, const ScheduleOptions& options);

// Fills liveBytes, peakBytes, peakStep and liveAtPeak from tensors and steps.
void computeLiveness(MemoryTimeline& timeline);

} // namespace rnnpool
