#include "mcu/cost_profile.h"
#include "util/resource_dir.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace rnnpool {

namespace {
using nlohmann::json;

constexpr std::array<std::string_view, kOpClassCount> kClassKeys{
    "standard_conv", "depthwise_conv", "pointwise_conv", "fully_connected", "rnn_matvec", "elementwise"};

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A non-negative finite number under `key`, or 0 when absent.
Expected<double> cycles(const json& object, const char* key, const std::string& where)
{
    if (!object.contains(key))
        return 0.0;
    const json& v = object[key];
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0.0)
        return makeError(where + ": '" + key + "' must be a non-negative number of cycles");
    return v.get<double>();
}

Expected<CostProfile> parseProfile(const json& p, const std::string& origin)
{
    if (!p.is_object() || !p.contains("name") || !p["name"].is_string())
        return makeError("cost profiles '" + origin + "': every profile needs a 'name'");
    CostProfile profile;
    profile.name = p["name"].get<std::string>();
    const std::string where = "cost profiles '" + origin + "', profile '" + profile.name + "'";
    profile.title = p.value("title", profile.name);
    profile.basis = p.value("basis", std::string{});
    profile.calibration = p.value("calibration", std::string{});
    if (profile.basis.empty())
        return makeError(where + ": needs a 'basis' saying what the numbers describe");
    auto perLayer = cycles(p, "per_layer", where);
    if (!perLayer)
        return std::move(perLayer).takeError();
    profile.perLayer = *perLayer;
    if (!p.contains("classes") || !p["classes"].is_object())
        return makeError(where + ": needs 'classes'");
    for (size_t i = 0; i < kOpClassCount; ++i) {
        const std::string key(kClassKeys[i]);
        if (!p["classes"].contains(key))
            return makeError(where + ": has no costs for op class '" + key + "'");
        const json& c = p["classes"][key];
        const std::string classWhere = where + ", class '" + key + "'";
        if (!c.is_object())
            return makeError(classWhere + ": must be an object");
        ClassCost& cost = profile.classes[i];
        for (auto [field, target] : {std::pair{"per_mac", &cost.perMac}, std::pair{"per_tap", &cost.perTap},
                                     std::pair{"per_output", &cost.perOutput}, std::pair{"per_nonzero", &cost.perNonzero},
                                     std::pair{"per_column", &cost.perColumn}}) {
            auto v = cycles(c, field, classWhere);
            if (!v)
                return std::move(v).takeError();
            *target = *v;
        }
        cost.basis = c.value("basis", std::string{});
        if (cost.basis.empty())
            return makeError(classWhere + ": needs a 'basis' deriving its numbers");
    }
    return profile;
}

} // namespace

std::string_view opClassKey(OpClass c)
{
    return kClassKeys[opClassIndex(c)];
}

std::filesystem::path costProfilesPath()
{
    return resourceDir() / "mcu" / "cost_profiles.json";
}

Expected<std::vector<CostProfile>> parseCostProfiles(const std::string& jsonText, const std::string& origin)
{
    json doc;
    try {
        doc = json::parse(jsonText);
    } catch (const json::parse_error& e) {
        return makeError("cost profiles '" + origin + "': not valid JSON (" + e.what() + ")");
    }
    if (!doc.is_object() || !doc.contains("profiles") || !doc["profiles"].is_array() || doc["profiles"].empty())
        return makeError("cost profiles '" + origin + "': needs a non-empty 'profiles' list");
    std::vector<CostProfile> profiles;
    for (const json& p : doc["profiles"]) {
        auto profile = parseProfile(p, origin);
        if (!profile)
            return std::move(profile).takeError();
        for (const CostProfile& seen : profiles)
            if (lower(seen.name) == lower(profile->name))
                return makeError("cost profiles '" + origin + "': the name '" + profile->name + "' is used twice");
        profiles.push_back(std::move(*profile));
    }
    return profiles;
}

Expected<std::vector<CostProfile>> loadCostProfiles(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError("cost profiles '" + path.string() + "': cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return parseCostProfiles(text.str(), path.string());
}

Expected<CostProfile> findCostProfile(const std::string& name)
{
    auto profiles = loadCostProfiles();
    if (!profiles)
        return std::move(profiles).takeError();
    std::string known;
    for (const CostProfile& p : *profiles) {
        if (lower(p.name) == lower(name))
            return p;
        known += (known.empty() ? "" : ", ") + p.name;
    }
    return makeError("unknown cost profile '" + name + "'; known: " + known);
}

} // namespace rnnpool
