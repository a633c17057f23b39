#include "profile/profile_summary.h"

#include "profile/comparison.h"

namespace rnnpool {

Expected<ProfileSummary> summariseArchitecture(const ArchSpec& spec, const Shape& input, const ScheduleOptions& options)
{
    auto comparison = compareArchitecture(spec, input, options);
    if (!comparison)
        return std::move(comparison).takeError();
    return comparison->summary;
}

} // namespace rnnpool
