#include "model/arch_spec.h"
#include "util/resource_dir.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "util/limits.h"

namespace rnnpool {

namespace {
using nlohmann::json;

// Typed reads of one section: a missing or wrongly typed key, or a value out
// of range, is a message naming the section and the key (never a
// json::exception reaching the caller).
class SectionReader {
public:
    SectionReader(const json& j, std::string where) : m_json(j), m_where(std::move(where)) {}
    const std::string& error() const { return m_error; }

    int64_t integer(const char* key, std::optional<int64_t> fallback, int64_t lo, int64_t hi)
    {
        if (!m_json.contains(key))
            return fallback ? *fallback : missing(key);
        const json& v = m_json[key];
        if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(hi)) || v.get<int64_t>() < lo ||
            v.get<int64_t>() > hi)
            return bad(key, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
        return v.get<int64_t>();
    }
    float number(const char* key, float fallback, double lo, double hi)
    {
        if (!m_json.contains(key))
            return fallback;
        const json& v = m_json[key];
        if (!v.is_number() || !(v.get<double>() >= lo && v.get<double>() <= hi))
            return static_cast<float>(bad(key, "a number from " + trimmed(lo) + " to " + trimmed(hi)));
        return v.get<float>();
    }
    std::vector<int64_t> integers(const char* key, int64_t lo, int64_t hi, size_t maxCount)
    {
        if (!m_json.contains(key)) {
            missing(key);
            return {};
        }
        const json& v = m_json[key];
        std::vector<int64_t> out;
        const std::string wanted = "a list of at most " + std::to_string(maxCount) + " integers from " + std::to_string(lo) +
                                   " to " + std::to_string(hi);
        if (!v.is_array() || v.size() > maxCount) {
            bad(key, wanted);
            return {};
        }
        for (const json& e : v) {
            if (!e.is_number_integer() || (e.is_number_unsigned() && e.get<uint64_t>() > uint64_t(hi)) || e.get<int64_t>() < lo ||
                e.get<int64_t>() > hi) {
                bad(key, wanted);
                return {};
            }
            out.push_back(e.get<int64_t>());
        }
        return out;
    }
    std::string text(const char* key, std::optional<std::string> fallback)
    {
        if (!m_json.contains(key)) {
            if (!fallback)
                missing(key);
            return fallback.value_or("");
        }
        if (!m_json[key].is_string()) {
            bad(key, "a string");
            return {};
        }
        return m_json[key].get<std::string>();
    }
    std::vector<std::string> texts(const char* key)
    {
        std::vector<std::string> out;
        if (!m_json.contains(key))
            return out;
        const json& v = m_json[key];
        if (!v.is_array()) {
            bad(key, "a list of strings");
            return out;
        }
        for (const json& e : v) {
            if (!e.is_string()) {
                bad(key, "a list of strings");
                return {};
            }
            out.push_back(e.get<std::string>());
        }
        return out;
    }

private:
    static std::string trimmed(double v)
    {
        std::string t = std::to_string(v);
        while (t.find('.') != std::string::npos && (t.back() == '0' || t.back() == '.'))
            t.pop_back();
        return t;
    }
    int64_t missing(const char* key)
    {
        if (m_error.empty())
            m_error = (m_where.empty() ? "the spec" : m_where) + " lacks '" + key + "'";
        return 0;
    }
    int64_t bad(const char* key, const std::string& wanted)
    {
        if (m_error.empty())
            m_error = (m_where.empty() ? "'" + std::string(key) + "'" : m_where + "." + key) + " must be " + wanted + ", not " +
                      m_json[key].dump().substr(0, 60);
        return 0;
    }

    const json& m_json;
    std::string m_where;
    std::string m_error;
};

Expected<DetectorConfig> parseDetector(const json& j, const std::string& origin)
{
    const std::string prefix = "architecture spec '" + origin + "': ";
    if (!j.is_object())
        return makeError(prefix + "'detector' must be an object");
    using namespace limits;
    SectionReader r(j, "detector");
    DetectorConfig d;
    d.steps = r.integers("steps", 1, kMaxInputSide, 64);
    d.anchorSizes = r.integers("anchor_sizes", 1, kMaxInputSide, 64);
    d.confidenceThreshold = r.number("confidence_threshold", d.confidenceThreshold, 0.0, 1.0);
    d.nmsThreshold = r.number("nms_threshold", d.nmsThreshold, 0.0, 1.0);
    d.nmsTopK = r.integer("nms_top_k", d.nmsTopK, 1, kMaxDetections);
    d.keepTopK = r.integer("keep_top_k", d.keepTopK, 1, kMaxDetections);
    const auto area = r.integers("input_area", 1, kMaxInputSide, 2);
    if (!r.error().empty())
        return makeError(prefix + r.error());
    if (j.contains("variances")) {
        const json& v = j["variances"];
        if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number() || !(v[0].get<double>() > 0.0) ||
            !(v[1].get<double>() > 0.0) || v[0].get<double>() > 10.0 || v[1].get<double>() > 10.0)
            return makeError(prefix + "detector.variances must hold 2 numbers above 0 and at most 10");
        d.centerVariance = v[0].get<float>();
        d.sizeVariance = v[1].get<float>();
    }
    if (area.size() != 2)
        return makeError(prefix + "detector.input_area must be [width, height]");
    d.areaWidth = area[0];
    d.areaHeight = area[1];
    if (d.steps.empty() || d.steps.size() != d.anchorSizes.size())
        return makeError(prefix + "detector.steps and anchor_sizes must be non-empty and of equal length");
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
    using namespace limits;
    const std::string prefix = "architecture spec '" + origin + "': ";
    if (static_cast<int64_t>(text.size()) > kMaxSpecBytes)
        return makeError(prefix + std::to_string(text.size()) + " bytes, beyond the limit of " +
                         std::to_string(kMaxSpecBytes >> 20) + " MiB (kMaxSpecBytes in core/util/limits.h)");
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return makeError(prefix + "not a valid JSON object");
    ArchSpec spec;
    SectionReader top(doc, "");
    spec.name = top.text("name", std::nullopt);
    spec.aliases = top.texts("aliases");
    spec.description = top.text("description", std::string{});
    spec.task = top.text("task", std::string{"face_detection"});
    if (!top.error().empty())
        return makeError(prefix + top.error());
    if (!doc.contains("input") || !doc["input"].is_object())
        return makeError(prefix + "'input' must be an object with channels, width and height");
    SectionReader input(doc["input"], "input");
    spec.inputChannels = input.integer("channels", std::nullopt, 1, kMaxChannels);
    spec.defaultWidth = input.integer("width", std::nullopt, 1, kMaxInputSide);
    spec.defaultHeight = input.integer("height", std::nullopt, 1, kMaxInputSide);
    if (!input.error().empty())
        return makeError(prefix + input.error() + " (limits in core/util/limits.h)");
    if (Status st = checkInputSize(spec.defaultWidth, spec.defaultHeight); !st)
        return makeError(prefix + st.error());
    if (!doc.contains("layers") || !doc["layers"].is_array() || doc["layers"].empty())
        return makeError(prefix + "'layers' must be a non-empty list");
    spec.layers = doc["layers"];
    if (static_cast<int64_t>(spec.layers.size()) > kMaxSpecLayers)
        return makeError(prefix + std::to_string(spec.layers.size()) + " layers, beyond the limit of " +
                         std::to_string(kMaxSpecLayers) + " (kMaxSpecLayers in core/util/limits.h)");
    spec.heads = doc.contains("heads") ? doc["heads"] : json::array();
    if (spec.name.empty())
        return makeError(prefix + "empty name");
    if (doc.contains("detector")) {
        auto detector = parseDetector(doc["detector"], origin);
        if (!detector)
            return std::move(detector).takeError();
        spec.detector = *detector;
        if (!spec.heads.is_array() || spec.heads.size() != spec.detector->steps.size())
            return makeError(prefix + "a detector needs one entry in 'heads' per step");
    }
    spec.document = std::move(doc);
    return spec;
}

Expected<ArchSpec> loadArchSpecFile(const std::filesystem::path& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return makeError("architecture spec '" + path.string() + "': is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("architecture spec '" + path.string() + "': cannot open the file");
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > static_cast<uintmax_t>(limits::kMaxSpecBytes))
        return makeError("architecture spec '" + path.string() + "': " + std::to_string(size) + " bytes, beyond the limit of " +
                         std::to_string(limits::kMaxSpecBytes >> 20) + " MiB (kMaxSpecBytes in core/util/limits.h)");
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
