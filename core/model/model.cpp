#include "model/model.h"

#include <cctype>

#include "io/pth_reader.h"
#include "io/safetensors.h"
#include "onnx/onnx_import.h"

namespace rnnpool {

namespace {
constexpr const char* kSpecKey = "rnnpool.arch_spec";
constexpr const char* kFormatKey = "format";
constexpr const char* kFormatValue = "rnnpool-studio";
} // namespace

Expected<ArchSpec> recogniseArchitecture(const Checkpoint& checkpoint, const std::string& file)
{
    std::vector<std::string> problems;
    const std::vector<ArchSpec> specs = builtinArchitectures(&problems);
    std::vector<std::string> fitting;
    std::string closest;
    int closestScore = -1;
    for (const ArchSpec& spec : specs) {
        auto net = Network::build(spec);
        if (!net)
            continue;
        const CheckpointFit fit = checkFit(*net, checkpoint);
        if (fit.fits) {
            fitting.push_back(spec.name);
            continue;
        }
        const int score = static_cast<int>(checkpoint.tensors.size()) - fit.missing - fit.wrongShape - fit.unexpected;
        if (score > closestScore) {
            closestScore = score;
            closest = spec.name + " (" + fit.firstProblem + ")";
        }
    }
    if (fitting.size() == 1)
        return findArchitecture(fitting.front());
    if (fitting.size() > 1)
        return makeError("checkpoint '" + file + "' fits several architectures (" + fitting.front() + ", " + fitting[1] +
                         "); name one with --arch");
    return makeError("checkpoint '" + file + "' does not match any known architecture" +
                     (closest.empty() ? std::string() : "; closest is " + closest) + ". Name one with --arch");
}

namespace {
// An ONNX graph, translated into a spec and a checkpoint (onnx_import.h).
Expected<Model> loadOnnxModel(const std::filesystem::path& path)
{
    auto imported = importOnnxFile(path);
    if (!imported)
        return std::move(imported).takeError();
    auto net = Network::build(imported->spec);
    if (!net)
        return makeError("ONNX model '" + path.string() + "': " + net.error());
    BindReport report;
    if (Status st = bindWeights(*net, imported->checkpoint, path.string(), BindOptions{}, report); !st)
        return Error{st.error()};
    Model model;
    model.network = std::make_shared<Network>(std::move(*net));
    model.source = path.string();
    model.format = "onnx";
    model.notes = std::move(imported->notes);
    model.notes.insert(model.notes.end(), report.notes.begin(), report.notes.end());
    return model;
}
} // namespace

Expected<std::optional<int>> declaredPyramidLevels(const std::map<std::string, std::string>& metadata,
                                                   const std::string& file)
{
    const auto it = metadata.find(kPyramidLevelsKey);
    if (it == metadata.end())
        return std::optional<int>{};
    const std::string& text = it->second;
    if (text.size() == 1 && text[0] >= '1' && text[0] <= static_cast<char>('0' + kMaxDeclaredPyramidLevels))
        return std::optional<int>{text[0] - '0'};
    return makeError("'" + file + "': field '__metadata__." + std::string(kPyramidLevelsKey) + "' is '" + text.substr(0, 40) +
                     "', not a number of image pyramid levels from 1 to " + std::to_string(kMaxDeclaredPyramidLevels));
}

Expected<Model> loadModel(const std::filesystem::path& path, const LoadOptions& options)
{
    const std::string file = path.string();
    if (isOnnxFile(path))
        return loadOnnxModel(path);
    auto checkpoint = readCheckpoint(path);
    if (!checkpoint)
        return std::move(checkpoint).takeError();

    Expected<ArchSpec> spec = Error{""};
    if (!options.arch.empty()) {
        spec = findArchitecture(options.arch);
        if (!spec)
            return makeError("checkpoint '" + file + "': " + spec.error());
    } else if (auto it = checkpoint->metadata.find(kSpecKey); it != checkpoint->metadata.end()) {
        spec = parseArchSpec(it->second, file + " (embedded spec)");
    } else {
        spec = recogniseArchitecture(*checkpoint, file);
    }
    if (!spec)
        return std::move(spec).takeError();

    auto pyramid = declaredPyramidLevels(checkpoint->metadata, file);
    if (!pyramid)
        return std::move(pyramid).takeError();
    auto net = Network::build(*spec);
    if (!net)
        return std::move(net).takeError();
    BindOptions bind;
    bind.rnnLayout = options.rnnLayout;
    BindReport report;
    if (Status st = bindWeights(*net, *checkpoint, file, bind, report); !st)
        return Error{st.error()};

    Model model;
    model.network = std::make_shared<Network>(std::move(*net));
    model.source = file;
    model.format = checkpoint->format;
    model.pyramidLevels = *pyramid;
    model.notes = checkpoint->notes;
    model.notes.insert(model.notes.end(), report.notes.begin(), report.notes.end());
    if (checkpoint->epoch)
        model.notes.push_back("trained for " + std::to_string(*checkpoint->epoch) + " epoch(s)");
    return model;
}

Expected<Model> randomModel(const std::string& arch, uint64_t seed)
{
    auto spec = findArchitecture(arch);
    if (!spec)
        return std::move(spec).takeError();
    auto net = Network::build(*spec);
    if (!net)
        return std::move(net).takeError();
    randomizeWeights(*net, seed);
    Model model;
    model.network = std::make_shared<Network>(std::move(*net));
    model.source = "random weights (seed " + std::to_string(seed) + ")";
    model.randomWeights = true;
    model.format = "random";
    return model;
}

bool isSpecFile(const std::filesystem::path& path)
{
    std::string ext = path.extension().string();
    for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".json";
}

Expected<Model> modelFromSpecFile(const std::filesystem::path& path, uint64_t seed)
{
    auto spec = loadArchSpecFile(path);
    if (!spec)
        return std::move(spec).takeError();
    auto net = Network::build(*spec);
    if (!net)
        return makeError("architecture spec '" + path.string() + "': " + net.error());
    randomizeWeights(*net, seed);
    Model model;
    model.network = std::make_shared<Network>(std::move(*net));
    model.source = "random weights (seed " + std::to_string(seed) + ") for the spec " + path.string();
    model.randomWeights = true;
    model.format = "spec";
    return model;
}

Status saveModel(const Model& model, const std::filesystem::path& path)
{
    std::map<std::string, Tensor> tensors;
    for (const WeightSlot& slot : model.network->weightSlots())
        tensors[slot.key] = *slot.target;
    std::map<std::string, std::string> metadata{
        {kFormatKey, kFormatValue},
        {kSpecKey, model.spec().document.dump()},
        {"rnnpool.arch", model.spec().name},
        {"rnnpool.source", model.source},
    };
    if (model.pyramidLevels)
        metadata[kPyramidLevelsKey] = std::to_string(*model.pyramidLevels);
    return writeSafetensors(path, tensors, metadata);
}

} // namespace rnnpool
