#include "profile/memory_timeline.h"

#include "profile/schedule.h"

namespace rnnpool {

int64_t elementBytes(ElementType type)
{
    switch (type) {
    case ElementType::F32: return 4;
    case ElementType::I16: return 2;
    case ElementType::I8: return 1;
    }
    return 4;
}

const char* elementTypeName(ElementType type)
{
    switch (type) {
    case ElementType::F32: return "f32";
    case ElementType::I16: return "i16";
    case ElementType::I8: return "i8";
    }
    return "f32";
}

bool parseElementType(const std::string& name, ElementType& out)
{
    for (ElementType t : {ElementType::F32, ElementType::I16, ElementType::I8})
        if (name == elementTypeName(t)) {
            out = t;
            return true;
        }
    return false;
}

void computeLiveness(MemoryTimeline& t)
{
    const int steps = static_cast<int>(t.steps.size());
    t.liveBytes.assign(static_cast<size_t>(steps), 0);
    for (const TensorLife& life : t.tensors)
        for (int s = std::max(0, life.firstStep); s <= life.lastStep && s < steps; ++s)
            t.liveBytes[static_cast<size_t>(s)] += life.bytes;
    t.peakBytes = 0;
    t.peakStep = 0;
    for (int s = 0; s < steps; ++s)
        if (t.liveBytes[static_cast<size_t>(s)] > t.peakBytes) {
            t.peakBytes = t.liveBytes[static_cast<size_t>(s)];
            t.peakStep = s;
        }
    t.liveAtPeak.clear();
    for (size_t i = 0; i < t.tensors.size(); ++i)
        if (t.tensors[i].firstStep <= t.peakStep && t.peakStep <= t.tensors[i].lastStep && t.tensors[i].bytes > 0)
            t.liveAtPeak.push_back(static_cast<int>(i));
}

Expected<MemoryTimeline> layerwiseTimeline(const Network& net, const Shape& inputShape, const ScheduleOptions& options)
{
    return buildTimeline(net, layerwiseSchedule(net), inputShape, options);
}

} // namespace rnnpool
