// The figures one line of `rnnpool zoo`, `compare` and `sweep` shows:
// parameters, multiply-adds and the peak activation bytes of both schedules.
#pragma once

#include "model/arch_spec.h"
#include "profile/memory_timeline.h"

namespace rnnpool {

struct ProfileSummary {
    std::string arch, task;
    Shape input;
    int64_t params = 0, madds = 0, layerwisePeak = 0, paperPeak = 0;
};

Expected<ProfileSummary> summariseArchitecture(const ArchSpec& spec, const Shape& input, const ScheduleOptions& options);

} // namespace rnnpool
