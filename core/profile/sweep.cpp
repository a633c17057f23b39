#include "profile/sweep.h"

#include <sstream>

#include "engine/preprocess.h"
#include "model/spec_settings.h"

namespace rnnpool {

Expected<SweepPoint> sweepPoint(const ArchSpec& base, const std::string& param, const std::string& value,
                                const ScheduleOptions& options)
{
    SweepPoint point{value, base, {}};
    Shape input{base.inputChannels, base.defaultHeight, base.defaultWidth};
    if (param == kSweepInputParam) {
        const auto size = parseSizeSpec(value);
        if (!size)
            return makeError("input values must be WIDTHxHEIGHT, not '" + value + "'");
        input = {base.inputChannels, size->height, size->width};
    } else if (Status st = applySpecSetting(point.spec, param + "=" + value); !st) {
        return makeError(st.error());
    }
    auto summary = summariseArchitecture(point.spec, input, options);
    if (!summary)
        return makeError(param + "=" + value + ": " + summary.error());
    point.summary = std::move(*summary);
    return point;
}

std::vector<std::string> splitSweepValues(const std::string& text)
{
    std::vector<std::string> values;
    std::stringstream split(text);
    for (std::string v; std::getline(split, v, ',');)
        if (!v.empty())
            values.push_back(v);
    return values;
}

} // namespace rnnpool
