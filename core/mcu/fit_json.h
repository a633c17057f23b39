// A fit report as JSON: the keys `rnnpool profile --board B --json` prints
// (merged into its top level) and the studio's --report writes as its "m4"
// object, so the two can be compared key by key.
//
//   nlohmann::json j = fitJson(fitOnBoard(board, profile), profile, "paper");
//   j["sram_needed"], j["placement"][0]["region"]
#pragma once

#include <nlohmann/json.hpp>

#include "mcu/fit_report.h"

namespace rnnpool {

nlohmann::json fitJson(const FitReport& fit, const ModelProfile& profile, const std::string& schedule);

} // namespace rnnpool
