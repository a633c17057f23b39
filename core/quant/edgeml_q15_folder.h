// A folder of EdgeML integer-RNNPool goldens (the format of
// ../shared/reference/edgeml-q15: manifest.json, weights, per-case inputs and
// outputs as .npy), loaded and validated, and our kernel run on its cases.
// Used by `rnnpool check-q15` and by the bit-exact tests.
//
//   Expected<EdgemlQ15Folder> folder = loadEdgemlQ15Folder(dir);
//   if (!folder) { std::cerr << folder.error() << '\n'; return 1; }
//   for (const EdgemlQ15Case& c : folder->cases) {
//       Expected<EdgemlQ15Run> run = runEdgemlQ15Case(*folder, c);
//       ... run->matchedPatches, run->matchedValues ...
//   }
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "integer/rnnpool_q15.h"
#include "tensor/tensor.h"
#include "util/expected.h"

namespace rnnpool {

struct EdgemlQ15Cell {
    std::vector<int16_t> W, U, biasGate, biasUpdate;
    int16_t sigmoidZeta = 0, sigmoidNu = 0;
};

// The golden arrays of one (entry point, scale mode) case.
struct EdgemlQ15Case {
    std::string inputType; // "q15" (int16 input) or "q7" (int8 input)
    std::string scaleMode; // "div" or "shift"
    int64_t n = 0;
    std::vector<int16_t> input; // [n][rows][cols][channels], int8 values widened for q7
    std::vector<int16_t> output;   // [n][4*h2]
    // Per-step goldens, empty when the manifest names none.
    std::vector<int16_t> rowsum, colsum, rowSteps, colSteps, rnn2Steps;
    std::string outputFile;
    std::string name() const { return inputType + "_" + scaleMode; }
};

struct EdgemlQ15Folder {
    std::filesystem::path dir;
    int32_t patch = 0, channels = 0, hidden1 = 0, hidden2 = 0;
    EdgemlQ15Cell rnn1, rnn2;
    // Per scale mode ("div", "shift"): the 49 fields of each cell, the block's
    // [ShR1, ShL1, ShR2, ShL2].
    std::array<std::array<int32_t, RP_EDGEML_SCALE_FIELDS>, 2> rnn1Scales{}, rnn2Scales{};
    std::array<std::array<int32_t, 4>, 2> blockScales{};
    std::vector<EdgemlQ15Case> cases;
    // The authors' one-step FastGRNN check, when the manifest has it.
    std::vector<int16_t> oneStepInput;
    std::array<std::vector<int16_t>, 2> oneStepExpected;

    static int modeIndex(const std::string& mode) { return mode == "shift" ? 1 : 0; }
    // The kernel configuration of one mode; points into this folder's vectors.
    rp_edgeml_rnnpool_config config(const std::string& mode) const;
};

Expected<EdgemlQ15Folder> loadEdgemlQ15Folder(const std::filesystem::path& dir);

struct EdgemlQ15Run {
    std::vector<int16_t> output;                                // [n][4*h2]
    std::vector<int16_t> rowsum, colsum, rowSteps, colSteps, rnn2Steps; // the same layouts as the goldens
    int64_t matchedPatches = 0, matchedValues = 0, totalValues = 0;
    // The first golden array (in computation order) that differs, with its
    // flat index, or empty when all given goldens match.
    std::string firstMismatch;
};

// Our kernel on every patch of the case; `reference` runs the whole-vector
// scalar reference instead of the fused kernel.
Expected<EdgemlQ15Run> runEdgemlQ15Case(const EdgemlQ15Folder& folder, const EdgemlQ15Case& c, bool reference = false);

// The authors' one-step check: h after one RNN1 step from 0, per mode.
std::vector<int16_t> runEdgemlQ15OneStep(const EdgemlQ15Folder& folder, const std::string& mode);

} // namespace rnnpool
