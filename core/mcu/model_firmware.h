// The int8 engine's network as firmware: each node of an Int8Network becomes
// one straight-line call of the same core/integer kernel with the same
// prepared parameters (weights, biases, multipliers as const arrays), over
// one static arena planned here (first fit over the nodes' lifetimes). The
// firmware runs on the emulated Cortex-M4, measures instructions per layer and
// writes the detection heads' int8 maps back; the host decodes them with the
// desktop's code, so equal maps give equal detections.
//
//   Expected<ModelOnChip> r = runModelOnChip(*network, inputChw, {});
//   r->headsIdentical;  r->layerInstructions;  r->build.regions
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mcu/firmware_project.h"
#include "quant/int8_network.h"

namespace rnnpool {

struct ModelMemoryPlan {
    uint64_t inputBytes = 0;   // the int8 picture, inside the arena
    uint64_t arenaBytes = 0;   // every map and RNNPool's layout copies, first fit
    uint64_t scratchBytes = 0; // the largest kernel scratch
    uint64_t weightBytes = 0;  // const data: weights, biases, multipliers
};

struct ModelFirmwareOptions {
    std::string board = "netduinoplus2";
    std::optional<std::filesystem::path> projectDir;
    double buildTimeoutSeconds = 300.0;
    double runTimeoutSeconds = 120.0;
    // Optional: stops the build or the emulator when it becomes true (the
    // error is kCancelledMessage); told each stage as it starts ("Building the
    // firmware with arm-none-eabi-gcc", "Running in QEMU ...").
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const std::string&)> progress;
};

struct ModelOnChip {
    Int8Run desktop;                 // the desktop int8 engine on the same input
    Int8Run chip;                    // the desktop run with the heads' maps as the chip computed them
    int64_t headValues = 0, headMatching = 0;
    std::vector<std::pair<std::string, uint64_t>> layerInstructions;
    uint64_t instructions = 0;
    ModelMemoryPlan plan;
    FirmwareBuild build;
    uint64_t stackHighWaterBytes = 0;
    double emulatorSeconds = 0.0;
    bool ran = false;                // false: a board without emulator, built and sized only
    std::filesystem::path projectDir;
    std::string board;
    double coreClockHz = 0.0;
    bool headsIdentical() const { return ran && headValues > 0 && headMatching == headValues; }
};

// Plans the arena and generates the sources (files for FirmwareProjectSpec).
Expected<std::vector<FirmwareFile>> generateModelFirmware(const Int8Network& net, const Int8Run& desktop,
                                                          const Shape& inputChw, ModelMemoryPlan& plan);

struct ModelDeployment {
    ModelMemoryPlan plan;
    FirmwareBuild build;
    std::filesystem::path projectDir;
    std::string board;
};

// `rnnpool deploy`: writes the project for an input of `inputChw` shape into
// `dir` (refused with numbers before anything is written when it does not
// fit), then builds and sizes it.
Expected<ModelDeployment> deployModelFirmware(const Int8Network& net, const Shape& inputChw, const std::string& board,
                                              const std::filesystem::path& dir, double buildTimeoutSeconds = 300.0);

// Generates, checks the fit (refused with numbers before compiling), builds,
// runs on the emulator and compares the heads with the desktop's.
Expected<ModelOnChip> runModelOnChip(const Int8Network& net, const Tensor& inputChw, const ModelFirmwareOptions& options);

} // namespace rnnpool
