// One point of `rnnpool sweep`: an architecture with one RNNPool setting (or
// the input size) changed, and its parameters, multiply-adds and peaks. The
// command line and the studio's sweep view both go through sweepPoint, one
// value at a time, so either can report progress or stop between values.
//
//   Expected<SweepPoint> p = sweepPoint(*findArchitecture("rnnpool-face-m4"), "rnnpool.h1", "8", options);
//   Expected<SweepPoint> q = sweepPoint(spec, "input", "320x240", options);
//   p->summary.paperPeak;
#pragma once

#include <string>
#include <vector>

#include "profile/profile_summary.h"

namespace rnnpool {

constexpr const char* kSweepInputParam = "input";

struct SweepPoint {
    std::string value;       // as given, e.g. "8" or "320x240"
    ArchSpec spec;           // with the setting applied
    ProfileSummary summary;  // summary.input is the input size used
};

Expected<SweepPoint> sweepPoint(const ArchSpec& base, const std::string& param, const std::string& value,
                                const ScheduleOptions& options);

// "4,8,16" -> {"4","8","16"}; empty items are skipped.
std::vector<std::string> splitSweepValues(const std::string& text);

} // namespace rnnpool
