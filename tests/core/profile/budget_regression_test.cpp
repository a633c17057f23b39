// Budget regression guard (after tflite-micro's memory_arena_threshold_test):
// the planned peaks kept in planned_peaks.json may not grow by more than 1%.
// A mismatch writes planned_peaks.json.actual beside the file.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/model.h"
#include "profile/schedule.h"

namespace rnnpool {
namespace {

constexpr double kAllowedGrowth = 0.01;

TEST(BudgetRegression, PlannedPeaksDoNotGrow)
{
    const std::filesystem::path file = std::filesystem::path(RNNPOOL_TEST_SOURCE_DIR) / "core" / "profile" / "planned_peaks.json";
    std::ifstream in(file);
    ASSERT_TRUE(in) << "cannot read " << file;
    const auto kept = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(kept.is_discarded()) << file << " is not valid JSON";

    nlohmann::json actual = kept;
    bool grew = false;
    int checked = 0;
    for (const auto& [arch, schedules] : kept.items()) {
        if (arch.front() == '_')
            continue;
        auto spec = findArchitecture(arch);
        ASSERT_TRUE(spec) << spec.error();
        auto net = Network::build(*spec);
        ASSERT_TRUE(net) << net.error();
        for (const auto& [name, limit] : schedules.items()) {
            auto schedule = scheduleByName(*net, name);
            ASSERT_TRUE(schedule) << schedule.error();
            auto timeline = buildTimeline(*net, *schedule, {spec->inputChannels, spec->defaultHeight, spec->defaultWidth}, {});
            ASSERT_TRUE(timeline) << timeline.error();
            actual[arch][name] = timeline->peakBytes;
            const auto allowed = static_cast<int64_t>(static_cast<double>(limit.get<int64_t>()) * (1.0 + kAllowedGrowth));
            EXPECT_LE(timeline->peakBytes, allowed) << arch << " under " << name << " grew from " << limit << " to " << timeline->peakBytes;
            grew = grew || timeline->peakBytes > allowed;
            ++checked;
        }
    }
    EXPECT_GE(checked, 8);
    if (grew)
        std::ofstream(file.string() + ".actual") << actual.dump(1) << "\n";
}

} // namespace
} // namespace rnnpool
