// The int8 engine's network as firmware: each node of an Int8Network becomes
// one straight-line call of the same core/integer kernel with the same
// prepared parameters (weights, biases, multipliers as const arrays), over
// one static arena planned here (first fit over the nodes' lifetimes). The
// firmware runs on the emulated Cortex-M4, measures instructions per layer and
// writes the detection heads' int8 maps back; the host decodes them with the
// desktop's code, so equal maps give equal detections.
//
// With an image pyramid (options.pyramidLevels > 1, engine/image_pyramid.h)
// the firmware runs every level as the int8 detector does: one function per
// level sharing the const data and the arena. The frame is never held whole:
// level 1's picture is made from the input's rows as they arrive (rp_halve_s8
// on each pair) into a buffer in CCM, halved in place for each further level.
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
#include "mcu/model_emit.h"
#include "profile/schedule.h"
#include "quant/int8_network.h"

namespace rnnpool {

struct ModelMemoryPlan {
    std::string schedule = "layerwise";
    uint64_t inputBytes = 0;   // the int8 picture (or its ring of rows), inside the arena
    int64_t inputRingRows = 0; // rowstream: the rows the ring holds; linebuffer: the picture's line buffer; 0: the whole picture
    uint64_t arenaBytes = 0;   // every map and RNNPool's layout copies, first fit
    uint64_t scratchBytes = 0; // the largest kernel scratch
    uint64_t weightBytes = 0;  // const data: weights, biases, multipliers
    // An image pyramid: its levels (each reuses the arena), and the buffer of the coarser levels in
    // CCM: level 1's picture, made from level 0's rows as they arrive and halved in place for each
    // further level, plus two of level 0's rows (0 without a pyramid).
    int pyramidLevels = 1;
    uint64_t levelBufferBytes = 0;
    // The steps that report back (the hook's calls): node index and name; a
    // streamed unit reports once, under the unit's name, at its output node.
    std::vector<std::pair<int, std::string>> steps;
};

struct ModelFirmwareOptions {
    std::string board = "netduinoplus2";
    std::string schedule = "layerwise"; // or paper, rowstream, linebuffer (profile/schedule.h)
    int pyramidLevels = 1;              // 2-4: the image pyramid's levels (fewer when a side would go below 32)
    std::optional<std::filesystem::path> projectDir;
    double buildTimeoutSeconds = 300.0;
    double runTimeoutSeconds = 120.0;
    // Optional: stops the build or the emulator when it becomes true (the
    // error is kCancelledMessage); told each stage as it starts ("Building the
    // firmware with arm-none-eabi-gcc", "Running in QEMU ...").
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const std::string&)> progress;
};

// One level of an image pyramid as the chip ran it.
struct PyramidLevelOnChip {
    Shape input;                     // CHW
    Int8Run desktop, chip;           // as ModelOnChip's, for this level's (halved) input
    int64_t headValues = 0, headMatching = 0;
    uint64_t instructions = 0;       // the level's network
    uint64_t halveInstructions = 0;  // halving the frame for the next level (0 for the last)
};

struct ModelOnChip {
    Shape input;                     // CHW
    Int8Run desktop;                 // the desktop int8 engine on the same input
    Int8Run chip;                    // the desktop run with the heads' maps as the chip computed them
    int64_t headValues = 0, headMatching = 0;  // with a pyramid: over every level
    std::vector<std::pair<std::string, uint64_t>> layerInstructions;  // the input's level
    uint64_t instructions = 0;       // everything counted: with a pyramid, every level and halving
    std::vector<PyramidLevelOnChip> levels;  // with a pyramid: every level, the input first; else empty
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

// One network's generated C before it becomes files: the includes and const
// arrays (`data`; they depend on the weights only, so a pyramid's levels
// share them), the run function's body ("{" ... "}") and its header's facts.
struct GeneratedNetwork {
    std::string data, body;
    ModelHeaderFacts facts;
};

// Plans the arena and generates the network.
// layerwise: one call per node, whole maps, first fit over the nodes' lifetimes.
Expected<GeneratedNetwork> generateModelFirmware(const Int8Network& net, const Int8Run& desktop, const Shape& inputChw,
                                                 ModelMemoryPlan& plan);
// paper or rowstream: one step per schedule unit, the int8 streaming kernels
// (integer/stream_s8.h) for inverted residuals and RNNPool, at the offsets of
// the desktop's plan (planGreedyBySize over buildTimeline, input counted), so
// the chip's arena is the one `rnnpool profile --dtype i8 --count-input
// --execute` measures. Under rowstream the picture's rows go to a ring.
Expected<GeneratedNetwork> generateStreamedModelFirmware(const Int8Network& net, const Shape& inputChw,
                                                         const Schedule& schedule, ModelMemoryPlan& plan);

// linebuffer: the sweep of profile/line_buffer.h as a const table of events that
// the chip follows, every map in a line buffer (integer/line_rows_s8.h) at the
// offsets of the desktop's plan with the input counted (what `rnnpool profile
// --dtype i8 --schedule linebuffer --count-input --execute` meters), each row
// made by the kernels the desktop's int8 line-buffered run calls. Refused when
// the heads would be decoded row by row (a candidate store the firmware lacks).
Expected<GeneratedNetwork> generateLineBufferModelFirmware(const Int8Network& net, const Shape& inputChw,
                                                           ModelMemoryPlan& plan);

// The files (rnnpool_model.h, rnnpool_model.c) of one network, rp_model_run,
// or of a pyramid's levels (the input's first): rp_model_levels[k], the const
// data once (refused if two levels' differ), the arena and scratch the
// largest level's.
Expected<std::vector<FirmwareFile>> modelFiles(const Network& graph, const std::vector<GeneratedNetwork>& levels);

struct ModelDeployment {
    ModelMemoryPlan plan;
    FirmwareBuild build;
    std::filesystem::path projectDir;
    std::string board;
};

// `rnnpool deploy`: writes the project for an input of `inputChw` shape into
// `dir` (refused with numbers before anything is written when it does not
// fit), then builds and sizes it. `pyramidLevels` > 1: the image pyramid's
// firmware, as runModelOnChip builds it.
Expected<ModelDeployment> deployModelFirmware(const Int8Network& net, const Shape& inputChw, const std::string& board,
                                              const std::string& schedule, const std::filesystem::path& dir,
                                              double buildTimeoutSeconds = 300.0, int pyramidLevels = 1);

// Generates, checks the fit (refused with numbers before compiling), builds,
// runs on the emulator and compares the heads with the desktop's.
Expected<ModelOnChip> runModelOnChip(const Int8Network& net, const Tensor& inputChw, const ModelFirmwareOptions& options);

// The boxes decoded from the chip's heads (every level's, merged, with a
// pyramid) as the desktop's int8 detector decodes its own; with `desktop`, from
// the desktop runs beside them. Fractions of the input.
std::vector<Detection> onChipDetections(const Int8Network& net, const ModelOnChip& result, bool desktop = false);

} // namespace rnnpool
