// ArchSpec: a network architecture as declarative JSON (resources/architectures/*.json).
// A spec lists layers; each names its op, its inputs (default: the layer
// before) and the checkpoint prefix of its weights. Composite entries such as
// "inverted_residual" expand into primitive nodes when the network is built.
//
//   Expected<ArchSpec> spec = parseArchSpec(jsonText, "rpool_face_m4.json");
//   Expected<ArchSpec> m4 = findArchitecture("rnnpool-face-m4");
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "detect/detector_config.h"
#include "util/expected.h"

namespace rnnpool {

struct ArchSpec {
    std::string name;                 // canonical, e.g. "rnnpool-face-m4"
    std::vector<std::string> aliases; // other names, e.g. EdgeML's "RPool_Face_M4"
    std::string description;
    std::string task;                 // "face_detection"
    int64_t inputChannels = 3;
    int64_t defaultWidth = 640;
    int64_t defaultHeight = 480;
    std::optional<DetectorConfig> detector;
    nlohmann::json layers;            // the layer list as written
    nlohmann::json heads;             // [{"loc": name, "conf": name}, ...]
    nlohmann::json document;          // the whole spec, for embedding in model files
};

// Parses and validates the top level; `origin` names the source in messages.
Expected<ArchSpec> parseArchSpec(const std::string& jsonText, const std::string& origin);
Expected<ArchSpec> loadArchSpecFile(const std::filesystem::path& path);

// The folder of built-in specs: $RNNPOOL_RESOURCE_DIR/architectures, else the
// source tree's resources/architectures.
std::filesystem::path architecturesDir();
// Every built-in spec, sorted by name. Broken files are reported in `problems`.
std::vector<ArchSpec> builtinArchitectures(std::vector<std::string>* problems = nullptr);
// Case-insensitive match on the name or an alias; '_' and '-' are the same.
Expected<ArchSpec> findArchitecture(const std::string& name);
std::string normalizeArchName(const std::string& name);

} // namespace rnnpool
