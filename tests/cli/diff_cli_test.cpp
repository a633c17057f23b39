// rnnpool diff on the command line: the default model against its int8 twin
// on a picture, as JSON; a bad file exits 1 naming it.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"

namespace rnnpool {
namespace {

using clitest::q;
using clitest::runCli;

TEST(DiffCli, FloatAgainstInt8TwinAsJson)
{
    const std::string models = std::string(RNNPOOL_SOURCE_DIR) + "/resources/models/";
    const auto o = runCli("diff " + q(models + "rnnpool_face_m4.safetensors") + " " + q(models + "rnnpool_face_m4.int8.safetensors") +
                              " --image " + q(std::string(RNNPOOL_SOURCE_DIR) + "/resources/samples/grace_hopper.jpg") +
                              " --size 80x60 --runs 1 --json",
                          false);
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output, nullptr, false);
    ASSERT_TRUE(j.is_object()) << o.output;
    EXPECT_EQ(j["rule"], "name");
    EXPECT_EQ(j["input"], (nlohmann::json{1, 60, 80}));
    ASSERT_TRUE(j["layers"].is_array());
    EXPECT_EQ(j["paired"].get<size_t>(), j["layers"].size());
    for (const auto& l : j["layers"]) {
        ASSERT_TRUE(l["compared"].get<bool>());
        EXPECT_EQ(l["a"]["bytes"].get<int64_t>(), 4 * l["b"]["bytes"].get<int64_t>());
        EXPECT_TRUE(l["sqnr_db"].is_number());
    }
    ASSERT_TRUE(j["worst"].is_object());
}

TEST(DiffCli, BadFileExitsOneNamingIt)
{
    const auto dir = clitest::tempDir("diff-bad");
    const auto bad = dir / "broken.pth";
    { std::ofstream(bad) << "not a model"; }
    const auto o = runCli("diff " + q(bad) + " rnnpool-face-m4");
    EXPECT_EQ(o.status, 1) << o.output;
    EXPECT_NE(o.output.find("broken.pth"), std::string::npos) << o.output;
    const auto usage = runCli("diff rnnpool-face-m4");
    EXPECT_EQ(usage.status, 2) << usage.output;
}

} // namespace
} // namespace rnnpool
