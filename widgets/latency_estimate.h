// LatencyEstimate: one estimated inference time, under one cost profile of a
// latency model (core/mcu). Widgets take a list of them per model and show a
// column or a row per profile; an empty list means "no estimate".
#pragma once

#include <vector>

#include <QString>

namespace rnnpool::widgets {

struct LatencyEstimate {
    QString profile;          // the cost profile's name, e.g. "cmsis-nn"
    double milliseconds = 0.0;
};

using LatencyEstimates = std::vector<LatencyEstimate>;

} // namespace rnnpool::widgets
