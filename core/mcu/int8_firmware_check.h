// The int8 kernels of core/integer on the emulated Cortex-M4, bit for bit
// against the desktop build of the same sources.
//
// Random inputs, weights, biases and requantisation parameters (seeded) for
// each kernel the int8 engine uses (KxK, depthwise and pointwise convolution,
// residual add, L2Norm, background max-out, and RNNPool with Q15 cells on an
// int8 map) become const arrays in generated
// firmware; the firmware calls the kernels once per case (straight-line
// generated calls) and writes every output back by semihosting; the desktop
// computes the same calls through rnnpool_integer. On the M4 the kernels take
// their __ARM_FEATURE_DSP paths (SMLAD), on the desktop the portable or x86
// ones, so agreement also shows that the paths give the same bits.
//
//   Expected<Int8FirmwareCheck> c = runInt8FirmwareCheck({.seed = 1});
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mcu/firmware_project.h"
#include "util/expected.h"

namespace rnnpool {

struct Int8FirmwareCase {
    std::string name;      // e.g. "conv3x3_s2_3to8_24x32"
    std::string kernel;    // the C function called
    int64_t values = 0;    // output values compared
    int64_t matching = 0;
    int firstMismatch = -1;
    uint64_t instructions = 0;  // QEMU icount instructions of the one call
    uint64_t macs = 0;          // multiply-accumulates (0 for the element-wise kernels)
    uint64_t taps = 0;          // kernel positions of output elements (convolutions)
    uint64_t outputs = 0;       // output elements; for element-wise kernels the elements read
    uint64_t patches = 0;       // RNNPool: patches of the map (instructions / patches = per patch)
    std::string opClass;        // the latency model's class: standard_conv, depthwise_conv, ...
    // Cycles the latency model's cost profiles predict for this call (profile
    // name -> cycles): a prediction in cycles beside a measurement in instructions.
    std::vector<std::pair<std::string, double>> predictedCycles;
    bool exact() const { return values > 0 && matching == values; }
};

struct Int8FirmwareCheckOptions {
    uint32_t seed = 1;
    std::string board = "netduinoplus2";
    std::optional<std::filesystem::path> projectDir;
    double buildTimeoutSeconds = 300.0;
    double runTimeoutSeconds = 120.0;
    // For the tests: add 1 to this flat index of the first case's desktop
    // output before comparing, to show that one differing value is caught.
    int perturbFirstCaseAt = -1;
};

struct Int8FirmwareCheck {
    std::vector<Int8FirmwareCase> cases;
    FirmwareBuild build;
    uint64_t stackHighWaterBytes = 0;
    double emulatorSeconds = 0.0;
    std::filesystem::path projectDir;
    std::string board;
    // False for a board without an emulator: the firmware was built and sized, not run (no cases).
    bool ran() const { return !cases.empty(); }
    bool allExact() const;
};

Expected<Int8FirmwareCheck> runInt8FirmwareCheck(const Int8FirmwareCheckOptions& options);

} // namespace rnnpool
