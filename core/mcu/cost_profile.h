// Cost profiles of the Cortex-M latency estimate: cycles per unit of work of
// each op class under one kind of kernel library. The numbers, and the
// instruction-level derivation of each, live in resources/mcu/cost_profiles.json.
//
//   Expected<CostProfile> p = findCostProfile("cmsis-nn");
//   double c = p->classes[opClassIndex(OpClass::PointwiseConv)].perMac;
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

enum class OpClass { StandardConv, DepthwiseConv, PointwiseConv, FullyConnected, RnnMatVec, Elementwise };
constexpr size_t kOpClassCount = 6;

constexpr size_t opClassIndex(OpClass c) { return static_cast<size_t>(c); }
// The key of the class in the data file: "standard_conv", "rnn_matvec", ...
std::string_view opClassKey(OpClass c);

// Cycles per unit of work. A tap is one kernel position of one output element;
// an output is one output element (one hidden-unit update for an RNN, one
// element read for an elementwise op). perNonzero and perColumn describe a
// sparse matrix-vector kernel; zero means the library has none.
struct ClassCost {
    double perMac = 0.0;
    double perTap = 0.0;
    double perOutput = 0.0;
    double perNonzero = 0.0;
    double perColumn = 0.0;
    std::string basis;
};

struct CostProfile {
    std::string name;        // "generic-c", as the command line and the JSON name it
    std::string title;
    std::string basis;       // what kernels the numbers describe
    std::string calibration; // the published measurement it is checked against
    double perLayer = 0.0;   // dispatch and kernel set-up per layer
    std::array<ClassCost, kOpClassCount> classes{};
};

// resources/mcu/cost_profiles.json (RNNPOOL_RESOURCE_DIR overrides the folder).
std::filesystem::path costProfilesPath();
Expected<std::vector<CostProfile>> parseCostProfiles(const std::string& jsonText, const std::string& origin);
Expected<std::vector<CostProfile>> loadCostProfiles(const std::filesystem::path& path = costProfilesPath());
// A profile of the default file by name (case-insensitive).
Expected<CostProfile> findCostProfile(const std::string& name);

} // namespace rnnpool
