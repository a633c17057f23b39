// Model: an architecture with its weights, ready to run. Loads EdgeML/PyTorch
// checkpoints (.pth, recognising the architecture from keys and shapes when it
// is not named) and the project's native .safetensors files, whose metadata
// carries the architecture spec so that one file is a whole model.
//
//   LoadOptions opts;                          // opts.arch = "rnnpool-face-m4" to name it
//   Expected<Model> m = loadModel("RPool_Face_M4.pth", opts);
//   Expected<Model> r = randomModel("RPool_Face_M4", 42);
//   Status st = saveModel(*m, "m4.safetensors");
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/network.h"
#include "model/weight_binding.h"

namespace rnnpool {

struct LoadOptions {
    std::string arch;                       // empty: recognise from the checkpoint
    RnnLayout rnnLayout = RnnLayout::Auto;
};

// The metadata field in which a native model file names the image pyramid
// (engine/image_pyramid.h) it is meant to run by default: "1" to "4". Files
// without it run the input alone (EdgeML's checkpoints, ONNX files).
constexpr const char* kPyramidLevelsKey = "rnnpool.pyramid_levels";
constexpr int kMaxDeclaredPyramidLevels = 4;
// The field's value, checked: empty when the metadata lacks it.
Expected<std::optional<int>> declaredPyramidLevels(const std::map<std::string, std::string>& metadata,
                                                   const std::string& file);

struct Model {
    std::shared_ptr<Network> network;       // shared so views and workers can hold it
    std::string source;                     // the file, or "random weights (seed N)"
    bool randomWeights = false;
    std::string format;                     // "pytorch-zip", "pytorch-legacy", "safetensors", "random"
    std::vector<std::string> notes;         // what loading had to assume or convert
    std::optional<int> pyramidLevels;       // the file's kPyramidLevelsKey; saveModel writes it back
    const ArchSpec& spec() const { return network->spec(); }
};

Expected<Model> loadModel(const std::filesystem::path& path, const LoadOptions& options = {});
Expected<Model> randomModel(const std::string& arch, uint64_t seed);
// An architecture spec file (.json): the network it describes with seeded
// random weights, through the same validation as every other spec.
Expected<Model> modelFromSpecFile(const std::filesystem::path& path, uint64_t seed);
// Whether a --model path names a spec file rather than a model file.
bool isSpecFile(const std::filesystem::path& path);
// Writes the native format: F32 tensors under their checkpoint keys, and the
// architecture spec in the metadata ("rnnpool.arch_spec").
Status saveModel(const Model& model, const std::filesystem::path& path);

// The architecture a checkpoint fits, among the built-in ones.
Expected<ArchSpec> recogniseArchitecture(const Checkpoint& checkpoint, const std::string& file);

} // namespace rnnpool
