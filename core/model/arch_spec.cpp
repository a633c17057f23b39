#include "model/arch_spec.h"
#include "util/resource_dir.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace rnnpool {

namespace {
using nlohmann::json;

Expected<DetectorConfig> parseDetector(const json& j, const std::string& origin)
{
    DetectorConfig d;
    try {
        d.steps = j.at("steps").get<std::vector<int64_t>>();
        d.anchorSizes = j.at("anchor_sizes").get<std::vector<int64_t>>();
        const auto variances = j.value("variances", std::vector<float>{0.1f, 0.2f});
        if (variances.size() != 2)
            return makeError("architecture spec '" + origin + "': detector.variances must hold 2 numbers");
        d.centerVariance = variances[0];
        d.sizeVariance = variances[1];
        d.confidenceThreshold = j.value("confidence_threshold", d.confidenceThreshold);
        d.nmsThreshold = j.value("nms_threshold", d.nmsThreshold);
        d.nmsTopK = j.value("nms_top_k", d.nmsTopK);
        d.keepTopK = j.value("keep_top_k", d.keepTopK);
        const auto area = j.at("input_area").get<std::vector<int64_t>>();
        if (area.size() != 2 || area[0] <= 0 || area[1] <= 0)
            return makeError("architecture spec '" + origin + "': detector.input_area must be [width, height]");
        d.areaWidth = area[0];
        d.areaHeight = area[1];
    } catch (const json::exception& e) {
        return makeError("architecture spec '" + origin + "': bad detector section: " + e.what());
    }
    if (d.steps.empty() || d.steps.size() != d.anchorSizes.size())
        return makeError("architecture spec '" + origin + "': detector.steps and anchor_sizes must be non-empty and of equal length");
    return d;
}
} // namespace

std::string normalizeArchName(const std::string& name)
{
    std::string out;
    for (char c : name)
        out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Expected<ArchSpec> parseArchSpec(const std::string& text, const std::string& origin)
{
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return makeError("architecture spec '" + origin + "': not a valid JSON object");
    ArchSpec spec;
    try {
        spec.name = doc.at("name").get<std::string>();
        spec.aliases = doc.value("aliases", std::vector<std::string>{});
        spec.description = doc.value("description", std::string{});
        spec.task = doc.value("task", std::string{"face_detection"});
        const json& input = doc.at("input");
        spec.inputChannels = input.at("channels").get<int64_t>();
        spec.defaultWidth = input.at("width").get<int64_t>();
        spec.defaultHeight = input.at("height").get<int64_t>();
        spec.layers = doc.at("layers");
        spec.heads = doc.value("heads", json::array());
    } catch (const json::exception& e) {
        return makeError("architecture spec '" + origin + "': " + e.what());
    }
    if (spec.name.empty())
        return makeError("architecture spec '" + origin + "': empty name");
    if (spec.inputChannels <= 0 || spec.defaultWidth <= 0 || spec.defaultHeight <= 0)
        return makeError("architecture spec '" + origin + "': input channels, width and height must be positive");
    if (!spec.layers.is_array() || spec.layers.empty())
        return makeError("architecture spec '" + origin + "': 'layers' must be a non-empty list");
    if (doc.contains("detector")) {
        auto detector = parseDetector(doc["detector"], origin);
        if (!detector)
            return std::move(detector).takeError();
        spec.detector = *detector;
        if (!spec.heads.is_array() || spec.heads.size() != spec.detector->steps.size())
            return makeError("architecture spec '" + origin + "': a detector needs one entry in 'heads' per step");
    }
    spec.document = std::move(doc);
    return spec;
}

Expected<ArchSpec> loadArchSpecFile(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("architecture spec '" + path.string() + "': cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return parseArchSpec(text.str(), path.string());
}

std::filesystem::path architecturesDir()
{
    return resourceDir() / "architectures";
}

std::vector<ArchSpec> builtinArchitectures(std::vector<std::string>* problems)
{
    std::vector<ArchSpec> specs;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(architecturesDir(), ec)) {
        if (entry.path().extension() != ".json")
            continue;
        auto spec = loadArchSpecFile(entry.path());
        if (spec)
            specs.push_back(std::move(*spec));
        else if (problems)
            problems->push_back(spec.error());
    }
    if (ec && problems)
        problems->push_back("cannot list architectures in '" + architecturesDir().string() + "': " + ec.message());
    std::sort(specs.begin(), specs.end(), [](const ArchSpec& a, const ArchSpec& b) { return a.name < b.name; });
    return specs;
}

Expected<ArchSpec> findArchitecture(const std::string& name)
{
    const std::string wanted = normalizeArchName(name);
    std::vector<std::string> problems;
    std::vector<ArchSpec> specs = builtinArchitectures(&problems);
    std::string known;
    for (ArchSpec& spec : specs) {
        bool match = normalizeArchName(spec.name) == wanted;
        for (const std::string& alias : spec.aliases)
            match = match || normalizeArchName(alias) == wanted;
        if (match)
            return std::move(spec);
        known += (known.empty() ? "" : ", ") + spec.name;
    }
    std::string message = "unknown architecture '" + name + "'; known: " + (known.empty() ? "(none found)" : known);
    if (!problems.empty())
        message += " (" + problems.front() + ")";
    return makeError(message);
}

} // namespace rnnpool
