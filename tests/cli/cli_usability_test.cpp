// The `rnnpool` command as a new user meets it: every command answers
// --help, --version, `profile` defaults to the default model, `compare`
// takes model files and gives the fit on a board, `eval` says when its labels
// include the model's training pictures, and astronaut.png reads silently.
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/shared_data.h"

namespace rnnpool {
namespace {

struct Result {
    int status = -1;
    std::string out; // stdout
    std::string all; // stdout and stderr
};

Result cli(const std::string& args)
{
    Result r;
    for (const bool both : {false, true}) {
        const std::string command = std::string(RNNPOOL_CLI) + " " + args + (both ? " 2>&1" : " 2>/dev/null");
        FILE* pipe = popen(command.c_str(), "r");
        if (!pipe)
            return r;
        std::array<char, 4096> buf{};
        std::string text;
        while (size_t n = fread(buf.data(), 1, buf.size(), pipe))
            text.append(buf.data(), n);
        const int raw = pclose(pipe);
        r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
        (both ? r.all : r.out) = text;
    }
    return r;
}

// What the command writes on stderr only.
std::string stderrOf(const std::string& args)
{
    FILE* pipe = popen((std::string(RNNPOOL_CLI) + " " + args + " 2>&1 >/dev/null").c_str(), "r");
    std::string text;
    if (!pipe)
        return text;
    std::array<char, 4096> buf{};
    while (size_t n = fread(buf.data(), 1, buf.size(), pipe))
        text.append(buf.data(), n);
    pclose(pipe);
    return text;
}

const std::string kModelFile = std::string(RNNPOOL_SOURCE_DIR) + "/resources/models/rnnpool_face_m4.safetensors";

TEST(CliUsability, EveryCommandAnswersHelpWithItsOwnUsage)
{
    for (const std::string command : {"run", "info", "convert", "bench", "profile", "zoo", "compare", "sweep", "eval", "paper-tables"}) {
        SCOPED_TRACE(command);
        const Result r = cli(command + " --help");
        EXPECT_EQ(r.status, 0) << r.all;
        EXPECT_EQ(r.out.rfind("usage: rnnpool " + command, 0), 0u) << r.out;
        // Only that command's part: no other command's line.
        EXPECT_EQ(r.out.find("\n  zoo "), std::string::npos) << r.out;
        EXPECT_EQ(cli("help " + command).out, r.out);
    }
    const Result version = cli("--version");
    EXPECT_EQ(version.status, 0);
    EXPECT_EQ(version.out.rfind("rnnpool ", 0), 0u) << version.out;
    EXPECT_NE(version.out.find('.'), std::string::npos) << version.out;
    EXPECT_EQ(cli("no-such-command").status, 2);
}

TEST(CliUsability, ProfileDefaultsToTheDefaultModel)
{
    const Result bare = cli("profile --json");
    ASSERT_EQ(bare.status, 0) << bare.all;
    const Result named = cli("profile --model " + kModelFile + " --json");
    ASSERT_EQ(named.status, 0) << named.all;
    const auto a = nlohmann::json::parse(bare.out), b = nlohmann::json::parse(named.out);
    EXPECT_EQ(a["arch"], b["arch"]);
    EXPECT_EQ(a["params"], b["params"]);
    EXPECT_EQ(a["peak_bytes"], b["peak_bytes"]);
    EXPECT_EQ(cli("profile --set rnnpool.h1=8").status, 2) << "--set needs --arch";
}

TEST(CliUsability, CompareTakesModelFilesAndGivesTheFitOnABoard)
{
    const std::string settings = " --dtype i8 --board stm32f439zi --json";
    const Result r = cli("compare rnnpool-face-m4 " + kModelFile + settings);
    ASSERT_EQ(r.status, 0) << r.all;
    const auto rows = nlohmann::json::parse(r.out);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_NE(rows[1]["arch"].get<std::string>().find("rnnpool_face_m4.safetensors"), std::string::npos);
    // The fit equals `profile --board` at the same settings (paper schedule by default).
    const auto profile = nlohmann::json::parse(cli("profile --arch rnnpool-face-m4 --schedule paper" + settings).out);
    for (const auto& row : rows) {
        ASSERT_TRUE(row.contains("fit")) << row.dump();
        for (const char* key : {"sram_needed", "flash_needed", "fits", "sram_headroom", "sram_breakdown", "placement", "input"})
            EXPECT_EQ(row["fit"][key], profile[key]) << key;
        EXPECT_EQ(row["fit"]["schedule"], "paper");
    }
    EXPECT_EQ(cli("compare rnnpool-face-m4 /no/such/model.safetensors").status, 1);
}

TEST(CliUsability, EvalWarnsWhenTheLabelsIncludeTheTrainingSplit)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto data = testing::sharedDir() / "datasets" / "wider-face-val-subset";
    if (!std::filesystem::exists(data / "labels.txt"))
        GTEST_SKIP() << "no dataset at " << data;
    // The full labels start with 1--Handshaking, a training event (resources/models/rnnpool_face_m4.training.json).
    const std::string args = "eval --images '" + (data / "images").string() + "' --labels '" + (data / "labels.txt").string() +
                             "' --limit 3";
    const Result text = cli(args);
    ASSERT_EQ(text.status, 0) << text.all;
    EXPECT_NE(text.all.find("warning: 3 of the pictures evaluated are from events this model was trained on"), std::string::npos)
        << text.all;
    const Result json = cli(args + " --json");
    ASSERT_EQ(json.status, 0) << json.all;
    EXPECT_EQ(nlohmann::json::parse(json.out)["training_pictures"], 3);
    // Random weights were trained on nothing: no warning.
    EXPECT_EQ(cli(args + " --arch rnnpool-face-m4").all.find("warning"), std::string::npos);
}

TEST(CliUsability, TheSamplePicturesReadWithoutLibraryWarnings)
{
    for (const char* picture : {"astronaut.png", "grace_hopper.jpg"}) {
        SCOPED_TRACE(picture);
        const std::string args = std::string("run --image ") + RNNPOOL_SOURCE_DIR + "/resources/samples/" + picture + " --json";
        ASSERT_EQ(cli(args).status, 0);
        EXPECT_EQ(stderrOf(args), "") << "nothing on stderr (libpng warned about astronaut.png's iCCP profile)";
    }
}

} // namespace
} // namespace rnnpool
