// `rnnpool quantize`, `run --dtype i8`, `eval --detector model,model-i8`,
// `bench --dtype i8` and `quant-report` as users run them.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/npy.h"
#include "model/default_model.h"
#include "support/shared_data.h"

#include "cli/cli_runner.h"

namespace rnnpool {
namespace {

using rnnpool::clitest::Outcome;
using rnnpool::clitest::q;
using rnnpool::clitest::runCli;
using rnnpool::clitest::tempDir;


const std::filesystem::path kSample = std::filesystem::path(RNNPOOL_RESOURCE_DIR) / "samples" / "grace_hopper.jpg";

TEST(CliQuantize, WritesAFileThatRunDtypeI8Uses)
{
    const auto dir = tempDir("quantize");
    const auto file = dir / "m4.int8.safetensors";
    const Outcome qz = runCli("quantize -o " + q(file));
    ASSERT_EQ(qz.status, 0) << qz.output;
    EXPECT_NE(qz.output.find("calibration: least squared error"), std::string::npos) << qz.output;
    ASSERT_TRUE(std::filesystem::exists(file));

    const Outcome i8 = runCli("run --dtype i8 --model " + q(file) + " --image " + q(kSample) + " --dump " + q(dir / "i8") + " --json", false);
    ASSERT_EQ(i8.status, 0) << i8.output;
    const Outcome f32 = runCli("run --image " + q(kSample) + " --dump " + q(dir / "f32") + " --json", false);
    ASSERT_EQ(f32.status, 0) << f32.output;
    const auto a = nlohmann::json::parse(i8.output), b = nlohmann::json::parse(f32.output);
    EXPECT_EQ(a["dtype"], "i8");
    EXPECT_EQ(b["dtype"], "f32");
    // The file keeps the float model's declared pyramid (metadata rnnpool.pyramid_levels): both run 3 levels.
    EXPECT_EQ(a["pyramid"].size(), 3u) << i8.output;
    EXPECT_EQ(b["pyramid"].size(), 3u) << f32.output;
    // The same faces above 0.5 (one on this picture), boxes within a few pixels.
    ASSERT_EQ(a["detections"].size(), b["detections"].size()) << i8.output << f32.output;
    for (size_t k = 0; k < a["detections"].size(); ++k)
        for (const char* c : {"x1", "y1", "x2", "y2"})
            EXPECT_NEAR(a["detections"][k][c].get<double>(), b["detections"][k][c].get<double>(), 6.0) << c;
    for (const char* name : {"loc.npy", "conf.npy", "detections.npy"}) {
        auto x = readNpy(dir / "i8" / name), y = readNpy(dir / "f32" / name);
        ASSERT_TRUE(x && y) << name;
        if (std::string(name) != "detections.npy") {
            EXPECT_EQ(x->shape(), y->shape()) << name;
        }
    }
    std::filesystem::remove_all(dir);
}

TEST(CliQuantize, BadInputAndUsage)
{
    const auto dir = tempDir("quantize_bad");
    std::filesystem::create_directories(dir / "empty");
    const Outcome empty = runCli("quantize --calibrate " + q(dir / "empty") + " -o " + q(dir / "x.safetensors"));
    EXPECT_EQ(empty.status, 1) << empty.output;
    EXPECT_NE(empty.output.find("holds no picture"), std::string::npos) << empty.output;
    EXPECT_NE(empty.output.find("empty"), std::string::npos) << empty.output;
    EXPECT_EQ(runCli("quantize --calibrate " + q(dir / "nope") + " -o " + q(dir / "x.safetensors")).status, 1);
    EXPECT_EQ(runCli("quantize").status, 2);
    EXPECT_EQ(runCli("quantize --method magic -o x.safetensors").status, 2);
    EXPECT_EQ(runCli("run --dtype i16 --image " + q(kSample)).status, 2);
    // A scale of zero in an int8 file: exit 1, the file and the field named.
    const auto file = dir / "m4.int8.safetensors";
    ASSERT_EQ(runCli("quantize --limit 1 -o " + q(file)).status, 0);
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        uint64_t length = 0;
        f.read(reinterpret_cast<char*>(&length), 8);
        std::string header(length, ' ');
        f.read(header.data(), static_cast<std::streamsize>(length));
        const auto offset = nlohmann::json::parse(header).at("block1.add.scale").at("data_offsets")[0].get<uint64_t>();
        f.seekp(static_cast<std::streamoff>(8 + length + offset));
        const float zero = 0.0f;
        f.write(reinterpret_cast<const char*>(&zero), 4);
    }
    const Outcome bad = runCli("run --dtype i8 --model " + q(file) + " --image " + q(kSample));
    EXPECT_EQ(bad.status, 1) << bad.output;
    EXPECT_NE(bad.output.find("m4.int8.safetensors"), std::string::npos) << bad.output;
    EXPECT_NE(bad.output.find("block1.add.scale"), std::string::npos) << bad.output;
    std::filesystem::remove_all(dir);
}

TEST(CliBench, Int8ReportsAMedianForTheDefaultModel)
{
    const Outcome o = runCli("bench --dtype i8 --runs 2 --json", false);
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    EXPECT_EQ(j["dtype"], "i8");
    EXPECT_TRUE(j["rnnpool_integer"].get<bool>());
    EXPECT_GT(j["ms_median"].get<double>(), 0.0);
    EXPECT_EQ(j["layers"].size(), 28u);
    EXPECT_FALSE(j.contains("pyramid"));
    EXPECT_EQ(runCli("bench --dtype i8 --threads 2").status, 2);
    // With a pyramid: the whole int8 detection timed both ways; at 160x120 the pyramid has
    // 160x120, 80x60 and 40x30 (not 32 px high, so it stops there: two levels).
    const Outcome p = runCli("bench --dtype i8 --runs 2 --size 160x120 --pyramid 3 --json", false);
    ASSERT_EQ(p.status, 0) << p.output;
    const auto pj = nlohmann::json::parse(p.output).at("pyramid");
    EXPECT_EQ(pj.at("levels").get<int>(), 2);
    const auto single = pj.at("madds_single").get<int64_t>(), pyramid = pj.at("madds_pyramid").get<int64_t>();
    EXPECT_GT(pyramid, single + single / 5); // a quarter more, less what the level's borders round off
    EXPECT_LT(pyramid, single + single / 3);
    EXPECT_GT(pj.at("detect_ms_pyramid").get<double>(), 0.0);
    EXPECT_EQ(runCli("bench --dtype i8 --pyramid 0").status, 2);
}

TEST(CliQuantReport, LayersHeadsAndAgreementOnTheSamples)
{
    const Outcome o = runCli("quant-report --json", false);
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    EXPECT_EQ(j["layers"].size(), 28u);
    EXPECT_TRUE(j["rnnpool_integer"].get<bool>());
    EXPECT_GE(j["f1"].get<double>(), 0.9); // the samples' faces are found by both
    EXPECT_GT(j["head_sqnr_min_db"].get<double>(), 15.0);
    for (const auto& l : j["layers"]) {
        EXPECT_GT(l["scale"].get<double>(), 0.0) << l["name"];
        EXPECT_GE(l["saturated"].get<double>(), 0.0);
        EXPECT_LT(l["saturated"].get<double>(), 0.01) << l["name"];
    }
}

TEST(CliQuantReport, AnotherArchitecturesInt8FileNeedsItsFloatModel)
{
    // An int8 file of the webcam architecture (33 layers) against the default model (28): the message names
    // the file, the mismatch, and the way out; with its float model named it runs.
    const auto dir = tempDir("quant-report-arch");
    const auto int8 = dir / "webcam.int8.safetensors";
    ASSERT_EQ(runCli("quantize --arch RPool_Face_M4_Webcam -o " + q(int8)).status, 0);
    const Outcome o = runCli("quant-report --int8 " + q(int8));
    EXPECT_EQ(o.status, 1) << o.output;
    EXPECT_NE(o.output.find(int8.string() + ": made from random weights (seed "), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("name its float model with --model"), std::string::npos) << o.output;
    // Named against the default model, the layers' mismatch is the message.
    const Outcome mismatch = runCli("quant-report --model " + q(defaultModelPath()) + " --int8 " + q(int8));
    EXPECT_EQ(mismatch.status, 1) << mismatch.output;
    EXPECT_NE(mismatch.output.find(int8.string() + ": the int8 model has 33 layers, the float model 28"), std::string::npos)
        << mismatch.output;
    const Outcome ok = runCli("quant-report --arch RPool_Face_M4_Webcam --int8 " + q(int8) + " --json", false);
    ASSERT_EQ(ok.status, 0) << ok.output;
    EXPECT_EQ(nlohmann::json::parse(ok.output)["layers"].size(), 33u);
    std::filesystem::remove_all(dir);
}

TEST(CliQuantReport, AnInt8FileIsComparedWithTheModelItWasMadeFrom)
{
    // A user's own model (here the default one's weights under another name) quantised beside it: the report
    // compares the int8 file with that file, not with the default model; without it, it says what is missing.
    const auto dir = tempDir("quant-report-source");
    const auto mine = dir / "mine.safetensors";
    const auto int8 = dir / "mine.int8.safetensors";
    std::filesystem::copy_file(defaultModelPath(), mine);
    ASSERT_EQ(runCli("quantize --model " + q(mine) + " -o " + q(int8)).status, 0);
    const Outcome o = runCli("quant-report --int8 " + q(int8) + " --limit 1 --json", false);
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    EXPECT_TRUE(std::filesystem::equivalent(j["model"].get<std::string>(), mine)) << j["model"];
    std::filesystem::remove(mine);
    const Outcome gone = runCli("quant-report --int8 " + q(int8) + " --limit 1");
    EXPECT_EQ(gone.status, 1) << gone.output;
    EXPECT_NE(gone.output.find(int8.string() + ": made from 'mine.safetensors', which is not in its folder"), std::string::npos)
        << gone.output;
    // Naming the float model still works, whatever the file says.
    EXPECT_EQ(runCli("quant-report --model " + q(defaultModelPath()) + " --int8 " + q(int8) + " --limit 1").status, 0);
    std::filesystem::remove_all(dir);
}

TEST(CliEval, FloatAndInt8InOneRun)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto data = testing::sharedDir() / "datasets" / "wider-face-val-subset";
    if (!std::filesystem::exists(data / "labels.txt"))
        GTEST_SKIP() << "no dataset at " << data;
    const Outcome o = runCli("eval --detector model,model-i8 --images " + q(data / "images") + " --labels " + q(data / "labels.txt") +
                             " --limit 4 --json", false);
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[1]["detector"], "rnnpool-face-m4 (int8)");
    EXPECT_EQ(j[0]["num_faces"], j[1]["num_faces"]);
    EXPECT_NEAR(j[0]["ap"].get<double>(), j[1]["ap"].get<double>(), 0.1);
    EXPECT_EQ(runCli("eval --detector model,model-i9 --images x --labels y").status, 2);
}

} // namespace
} // namespace rnnpool
