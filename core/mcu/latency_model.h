// Latency estimate on a Cortex-M: the work of every layer, sorted into op
// classes (standard, depthwise and pointwise convolution, fully connected, the
// RNNs' matrix-vector products, elementwise), times the cycles per unit of work
// of a cost profile (cost_profile.h), divided by the board clock. It is an
// estimate, not a measurement: the profiles are derived from the instruction
// counts of each library's inner loops and checked against published timings.
//
//   auto work = measureWork(net, {1, 240, 320});
//   LatencyEstimate e = estimateLatency(*work, *findCostProfile("generic-c"), 168.0);
//   e.milliseconds();
#pragma once

#include <string>
#include <vector>

#include "mcu/cost_profile.h"
#include "model/network.h"

namespace rnnpool {

// Fraction of nonzero weights in RNNPool's matrices (1 = dense): W and U of
// RNN1 and of RNN2. The paper's M4 model (Sec. 5.4) has W1 50% and the rest 30%.
struct RnnDensity {
    double w1 = 1.0, u1 = 1.0, w2 = 1.0, u2 = 1.0;
    bool dense() const { return w1 == 1.0 && u1 == 1.0 && w2 == 1.0 && u2 == 1.0; }
};
// "0.5,0.3,0.3,0.3" (W1,U1,W2,U2) or one number for all four, each in (0, 1].
Expected<RnnDensity> parseRnnDensity(const std::string& text);

struct LatencyOptions {
    RnnDensity rnnDensity;
};

// The countable work of one layer.
struct LayerWork {
    std::string name;
    OpClass opClass = OpClass::Elementwise;
    int64_t macs = 0;      // dense multiply-accumulates
    int64_t taps = 0;      // output elements x kernel positions (convolutions); pixels normalised (L2Norm)
    int64_t outputs = 0;   // output elements; hidden-unit updates (RNN); elements read (elementwise)
    int64_t nonzeros = 0;  // RNN: MACs of the nonzero weights only
    int64_t columns = 0;   // RNN: matrix columns visited (input elements per step), for a sparse kernel
    int64_t elements = 0;  // elementwise passes inside a layer of another class (squeeze-excite's pooling and scaling)
};

Expected<std::vector<LayerWork>> measureWork(const Network& net, const Shape& inputShape, const LatencyOptions& options = {});

struct LatencyEstimate {
    std::string profile;
    double clockMHz = 0.0;
    double cycles = 0.0;
    std::array<double, kOpClassCount> cyclesByClass{};
    double layerOverheadCycles = 0.0;
    std::vector<double> layerCycles; // per LayerWork, overhead included
    double milliseconds() const { return clockMHz > 0.0 ? cycles / (clockMHz * 1e3) : 0.0; }
};

// The cycles of one layer under a profile. An RNN layer runs on the sparse
// kernel when the profile has one and the weights are not dense; `elements`
// cost what elementwise ops cost.
double layerCycles(const LayerWork& work, const CostProfile& profile);
LatencyEstimate estimateLatency(const std::vector<LayerWork>& work, const CostProfile& profile, double clockMHz);

// The estimate under every profile of the shipped file, in its order.
struct ProfiledLatency {
    CostProfile profile;
    LatencyEstimate estimate;
};
Expected<std::vector<ProfiledLatency>> estimateUnderEveryProfile(const Network& net, const Shape& inputShape, double clockMHz,
                                                                 const LatencyOptions& options = {});
// The same for an architecture without weights (built here, weights unset).
Expected<std::vector<ProfiledLatency>> estimateArchitecture(const ArchSpec& spec, const Shape& inputShape, double clockMHz,
                                                            const LatencyOptions& options = {});

// One line saying what an estimate rests on, for the command line and JSON.
std::string latencyBasisNote(const CostProfile& profile);

} // namespace rnnpool
