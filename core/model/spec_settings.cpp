#include "model/spec_settings.h"

#include <regex>

namespace rnnpool {

Status applySpecSetting(ArchSpec& spec, const std::string& assignment)
{
    static const std::regex pattern(R"(^([A-Za-z0-9_.\-]+?)(?:\[(\d+)\])?\.([A-Za-z0-9_]+)=(.+)$)");
    std::smatch m;
    if (!std::regex_match(assignment, m, pattern))
        return makeError("setting '" + assignment + "' is not KEY=VALUE with KEY like rnnpool.h1 or rnnpool[1].patch");
    const std::string target = m[1], field = m[3], text = m[4];
    if (m[2].matched && m[2].length() > 6)
        return makeError("setting '" + assignment + "': layer number " + std::string(m[2]) + " is too large");
    const size_t wanted = m[2].matched ? std::stoul(m[2]) : 0;
    // Fields of layers that are not strings read as empty (never a json::exception).
    const auto textField = [](const nlohmann::json& layer, const char* key) {
        return layer.is_object() && layer.contains(key) && layer[key].is_string() ? layer[key].get<std::string>() : std::string();
    };
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded())
        value = text; // a bare word is a string

    size_t seen = 0;
    for (auto& layer : spec.layers) {
        const bool byOp = textField(layer, "op") == target;
        const bool byName = textField(layer, "name") == target;
        if (!byOp && !byName)
            continue;
        if (byOp && seen++ != wanted)
            continue;
        if (!layer.contains(field) && field != "input")
            return makeError("setting '" + assignment + "': layer '" + textField(layer, "name") + "' has no field '" + field + "'");
        layer[field] = value;
        spec.document["layers"] = spec.layers;
        return Status::ok();
    }
    return makeError("setting '" + assignment + "': architecture '" + spec.name + "' has no " +
                     (m[2].matched ? "layer number " + std::to_string(wanted) + " of kind '" + target + "'" : "layer or op '" + target + "'"));
}

} // namespace rnnpool
