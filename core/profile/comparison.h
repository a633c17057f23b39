// ArchitectureComparison: one architecture (or model file) as the studio's
// compare view shows it: the profile under both schedules at one element type
// and input size. Fit on a board is derived from it with fitOnBoard(), so a
// new board needs no recomputation.
//
//   Expected<ArchitectureComparison> c = compareArchitecture(spec, {3, 240, 320}, options);
//   c->profileFor("paper").timeline.peakBytes;
#pragma once

#include "mcu/fit_report.h"
#include "profile/model_profile.h"
#include "profile/profile_summary.h"

namespace rnnpool {

struct ArchitectureComparison {
    std::string label;    // the architecture's name, or the file it came from
    ArchSpec spec;        // what was profiled (with the settings applied)
    ProfileSummary summary;
    ModelProfile layerwise;
    ModelProfile paper;

    const ModelProfile& profileFor(const std::string& schedule) const { return schedule == "paper" ? paper : layerwise; }
    FitReport fitFor(const Board& board, const std::string& schedule) const;
};

Expected<ArchitectureComparison> compareArchitecture(const ArchSpec& spec, const Shape& input,
                                                     const ScheduleOptions& options);

} // namespace rnnpool
