// The latency model meets the emulator: the instructions measured per layer on
// the emulated Cortex-M4 (rnnpool m4 run) summed per op class, beside what each
// cost profile predicts for the same layers.
//
// The profiles predict cycles of their own kernel libraries; QEMU counts the
// instructions of ours. Only the `rnnpool-int8` profile describes our kernels,
// in instructions, so only its ratio is a check of the model; the others are
// shown for scale (cycles of other libraries, not instructions of ours).
//
//   auto work = architectureWork(spec, {1, 60, 80});
//   LatencyCheck c = compareWithMeasured(*work, chip.layerInstructions, profiles);
//   c.classes[i].ratio("rnnpool-int8");   // predicted / measured
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mcu/cost_profile.h"
#include "mcu/latency_model.h"
#include "model/arch_spec.h"

namespace rnnpool {

struct ClassLatencyCheck {
    OpClass opClass = OpClass::Elementwise;
    int layers = 0;
    uint64_t measuredInstructions = 0;
    // Profile name -> predicted cycles (instructions for rnnpool-int8) of the
    // same layers, each layer's per-layer overhead included.
    std::vector<std::pair<std::string, double>> predicted;
    double predictedBy(const std::string& profile) const;
    // predicted / measured (0 when nothing was measured).
    double ratio(const std::string& profile) const;
};

struct LayerLatencyCheck {
    LayerWork work;
    uint64_t measuredInstructions = 0;
    std::vector<std::pair<std::string, double>> predicted;
};

struct LatencyCheck {
    std::vector<LayerLatencyCheck> layers;  // in network order, measured ones only
    std::vector<ClassLatencyCheck> classes; // the classes with measured layers, in OpClass order
    std::vector<std::string> unmeasured;    // layers with work but no measurement (none expected)
    std::vector<std::string> unknown;       // measured names that are no layer of the network
};

// The work of every layer of an architecture at an input shape (C, H, W),
// built without weights.
Expected<std::vector<LayerWork>> architectureWork(const ArchSpec& spec, const Shape& inputShape);

LatencyCheck compareWithMeasured(const std::vector<LayerWork>& work,
                                 const std::vector<std::pair<std::string, uint64_t>>& measured,
                                 const std::vector<CostProfile>& profiles);

} // namespace rnnpool
