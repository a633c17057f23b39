// `rnnpool eval --shard I/N --json` run as three processes at once, merged by
// `rnnpool eval-merge`, gives exactly the single run's JSON; the curve written
// is thinned; and the pyramid options are checked for usage.
#include <array>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

struct Outcome {
    int status = -1;
    std::string output;
};

Outcome shell(const std::string& command)
{
    Outcome o;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe)
        return o;
    std::array<char, 4096> buf{};
    while (size_t n = fread(buf.data(), 1, buf.size(), pipe))
        o.output.append(buf.data(), n);
    const int raw = pclose(pipe);
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return o;
}

using rnnpool::clitest::q;
const std::string kCli = RNNPOOL_CLI;

TEST(CliEvalShards, ThreeShardsInParallelMergeToTheSingleRun)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto data = testing::sharedDir() / "datasets" / "wider-face-val-subset";
    if (!std::filesystem::exists(data / "labels.txt"))
        GTEST_SKIP() << "no dataset at " << data;
    const auto dir = std::filesystem::temp_directory_path() / ("rnnpool_shards_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string common = kCli + " eval --detector model,haar --images " + q(data / "images") + " --labels " +
                               q(data / "labels.txt") + " --limit 8 --json";
    const Outcome single = shell(common);
    ASSERT_EQ(single.status, 0) << single.output;
    // The three shards run at the same time, as GNU parallel would run them.
    std::string parallel;
    for (int i = 1; i <= 3; ++i)
        parallel += common + " --shard " + std::to_string(i) + "/3 > " + q(dir / ("part" + std::to_string(i) + ".json")) + " & ";
    ASSERT_EQ(shell(parallel + "wait").status, 0);
    const Outcome merged = shell(kCli + " eval-merge " + q(dir / "part3.json") + " " + q(dir / "part1.json") + " " +
                                 q(dir / "part2.json") + " --json");
    ASSERT_EQ(merged.status, 0) << merged.output;
    const auto a = nlohmann::json::parse(single.output), b = nlohmann::json::parse(merged.output);
    ASSERT_TRUE(a.is_array());
    ASSERT_EQ(a.size(), 2u);
    EXPECT_GT(a[0]["num_detections"].get<int>(), 100);
    EXPECT_EQ(a, b) << "single: " << a.dump().substr(0, 400) << "\nmerged: " << b.dump().substr(0, 400);
    // A part alone is not the whole.
    std::ifstream partFile(dir / "part1.json");
    const auto part = nlohmann::json::parse(partFile);
    EXPECT_NE(part[0]["num_images"], a[0]["num_images"]);
    EXPECT_EQ(part[0]["shard"]["count"], 3);

    // Missing or repeated shards, and files that are not parts, are refused with exit status 1.
    EXPECT_EQ(shell(kCli + " eval-merge " + q(dir / "part1.json") + " " + q(dir / "part2.json")).status, 1);
    EXPECT_EQ(shell(kCli + " eval-merge " + q(dir / "part1.json") + " " + q(dir / "part1.json") + " " + q(dir / "part2.json")).status, 1);
    std::ofstream(dir / "plain.json") << single.output;
    const Outcome notPart = shell(kCli + " eval-merge " + q(dir / "plain.json"));
    EXPECT_EQ(notPart.status, 1);
    EXPECT_NE(notPart.output.find("plain.json"), std::string::npos) << notPart.output;
    EXPECT_EQ(shell(kCli + " eval-merge").status, 2);
    EXPECT_EQ(shell(common + " --shard 4/3").status, 2);
    EXPECT_EQ(shell(common + " --shard 0/3").status, 2);
    EXPECT_EQ(shell(common + " --shard x").status, 2);
    std::filesystem::remove_all(dir);
}

TEST(CliEvalShards, TheCurveIsThinnedAndTheApUsesEveryPoint)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto data = testing::sharedDir() / "datasets" / "wider-face-val-subset";
    if (!std::filesystem::exists(data / "labels.txt"))
        GTEST_SKIP() << "no dataset at " << data;
    const Outcome o = shell(kCli + " eval --images " + q(data / "images") + " --labels " + q(data / "labels.txt") +
                            " --limit 4 --pyramid 1 --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    EXPECT_GT(j["curve_points"].get<int>(), 1000); // 750 detections a picture before thinning
    EXPECT_LE(j["precision"].size(), 300u);
    EXPECT_EQ(j["precision"].size(), j["recall"].size());
    EXPECT_EQ(j["scores"].size(), j["recall"].size());
    // The last point is the full curve's last: recall there is the number of faces found.
    int found = 0;
    for (const auto& b : j["buckets"])
        found += b["found"].get<int>();
    EXPECT_NEAR(j["recall"].back().get<double>(), static_cast<double>(found) / j["num_faces"].get<int>(), 1e-12);
}

TEST(CliPyramid, LevelsAreCheckedAndReported)
{
    const auto sample = std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples" / "grace_hopper.jpg";
    for (const char* bad : {"0", "5", "two"})
        EXPECT_EQ(shell(kCli + " run --image " + q(sample) + " --pyramid " + bad).status, 2) << bad;
    const Outcome three = shell(kCli + " run --image " + q(sample) + " --pyramid 3 --json");
    ASSERT_EQ(three.status, 0) << three.output;
    const auto j = nlohmann::json::parse(three.output);
    ASSERT_EQ(j["pyramid"].size(), 3u);
    EXPECT_EQ(j["pyramid"][1]["width"], j["input"]["width"].get<int>() / 2);
    const Outcome one = shell(kCli + " run --image " + q(sample) + " --pyramid 1 --json");
    ASSERT_EQ(one.status, 0) << one.output;
    EXPECT_EQ(nlohmann::json::parse(one.output)["pyramid"].size(), 1u);
    // The default model runs the pyramid unless told otherwise.
    const Outcome byDefault = shell(kCli + " run --image " + q(sample) + " --json");
    ASSERT_EQ(byDefault.status, 0) << byDefault.output;
    EXPECT_EQ(nlohmann::json::parse(byDefault.output)["pyramid"].size(), 3u);
    // The profile's pyramid: levels add their multiply-adds, the peak is the first level's.
    const Outcome profile = shell(kCli + " profile --arch RPool_Face_M4 --input 320x240 --schedule paper --dtype i8 --pyramid 3 --json");
    ASSERT_EQ(profile.status, 0) << profile.output;
    const auto p = nlohmann::json::parse(profile.output);
    int64_t madds = 0;
    for (const auto& l : p["pyramid"]["levels"])
        madds += l["madds"].get<int64_t>();
    EXPECT_EQ(p["pyramid"]["madds"].get<int64_t>(), madds);
    EXPECT_EQ(p["pyramid"]["levels"][0]["madds"], p["madds"]);
    EXPECT_EQ(p["pyramid"]["peak_bytes"], p["peak_bytes"]);
    EXPECT_GT(madds, p["madds"].get<int64_t>() * 5 / 4);
    EXPECT_LT(madds, p["madds"].get<int64_t>() * 3 / 2);
}

TEST(CliBoxVote, IsCheckedAndMovesOnlyTheBoxesCorners)
{
    const auto sample = std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples" / "grace_hopper.jpg";
    for (const char* bad : {"-0.1", "1.5", "half"}) {
        const Outcome o = shell(kCli + " run --image " + q(sample) + " --box-vote " + bad);
        EXPECT_EQ(o.status, 2) << bad;
        EXPECT_NE(o.output.find("--box-vote must be an IoU between 0"), std::string::npos) << o.output;
    }
    // One level: NMS keeps the same boxes, with the same scores (with a pyramid, the moved boxes
    // may merge differently across levels).
    for (const char* dtype : {"f32", "i8"}) {
        const std::string common = kCli + " run --image " + q(sample) + " --dtype " + dtype + " --pyramid 1 --threshold 0.05 --json";
        const Outcome greedy = shell(common), voted = shell(common + " --box-vote 0.5");
        ASSERT_EQ(greedy.status, 0) << greedy.output;
        ASSERT_EQ(voted.status, 0) << voted.output;
        const auto g = nlohmann::json::parse(greedy.output)["detections"], v = nlohmann::json::parse(voted.output)["detections"];
        ASSERT_EQ(g.size(), v.size()) << dtype;
        ASSERT_GT(g.size(), 1u) << dtype;
        int moved = 0;
        for (size_t i = 0; i < g.size(); ++i) {
            EXPECT_EQ(g[i]["score"], v[i]["score"]) << dtype << " detection " << i;
            moved += g[i]["x1"] != v[i]["x1"] || g[i]["y2"] != v[i]["y2"] ? 1 : 0;
        }
        EXPECT_GT(moved, 0) << dtype;
    }
}

} // namespace
} // namespace rnnpool
