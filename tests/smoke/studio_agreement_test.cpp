// The numbers the studio shows equal what the CLI prints for the same inputs:
// the real rnnpool-studio runs under Xvfb with --screenshot --report (what
// its widgets show, read back from them), `rnnpool run --json` and
// `rnnpool info --json` run on the same picture, and the two are compared.
// Also: a bad file, an empty folder and a dead camera leave the studio
// running to its screenshot with the reason in the window.
#include <algorithm>
#include <cstdio>
#include <tuple>
#include <vector>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Scores and boxes pass through the same float code on both sides; the JSON
// round trip (Qt writes doubles, nlohmann floats) costs at most float precision.
constexpr double kScoreTolerance = 1e-6;
constexpr double kBoxTolerance = 1e-3;

struct CommandRun {
    int status = -1;
    std::string output;
};

CommandRun capture(const std::string& command)
{
    CommandRun run;
    FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
    if (!pipe)
        return run;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        run.output.append(buffer, n);
    const int status = pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

bool haveXvfb()
{
    return std::system("command -v xvfb-run >/dev/null 2>&1") == 0;
}

fs::path workDir()
{
    const fs::path dir = fs::path(STUDIO_TEST_DIR) / "agreement";
    fs::create_directories(dir);
    return dir;
}

// Runs the studio to its screenshot; returns its exit status and report.
std::pair<int, json> studio(const std::string& name, const std::string& arguments)
{
    const fs::path dir = workDir();
    const fs::path shot = dir / (name + ".png"), report = dir / (name + ".json");
    fs::remove(report);
    const std::string command = "XDG_CONFIG_HOME=" + dir.string() + " xvfb-run -a -s '-noreset -screen 0 1600x1000x24' " +
                                std::string(RNNPOOL_STUDIO) + " --screenshot " + shot.string() + " --report " +
                                report.string() + " " + arguments;
    const CommandRun run = capture(command);
    std::ifstream in(report);
    if (!in)
        return {run.status, json()};
    return {run.status, json::parse(in, nullptr, false)};
}

class StudioAgreement : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (!haveXvfb())
            GTEST_SKIP() << "xvfb-run is not installed (Debian package 'xvfb')";
    }
};

TEST_F(StudioAgreement, DetectionsEqualRnnpoolRun)
{
    const std::string picture = STUDIO_SAMPLE;
    const auto [status, shown] = studio("detections", "--image " + picture + " --threshold 0.5");
    ASSERT_EQ(status, 0);
    ASSERT_TRUE(shown.is_object());
    const CommandRun cli = capture(std::string(RNNPOOL_CLI) + " run --image " + picture + " --threshold 0.5 --json");
    ASSERT_EQ(cli.status, 0) << cli.output;
    const json printed = json::parse(cli.output);

    EXPECT_EQ(shown["input"]["width"], printed["input"]["width"]);
    EXPECT_EQ(shown["input"]["height"], printed["input"]["height"]);
    // The view lists boxes strongest first; boxes of equal score may come in either order.
    auto sorted = [](json boxes) {
        std::vector<json> v(boxes.begin(), boxes.end());
        std::stable_sort(v.begin(), v.end(), [](const json& p, const json& q) {
            const double ps = p["score"], qs = q["score"], px = p["x1"], qx = q["x1"], py = p["y1"], qy = q["y1"];
            return std::tie(qs, px, py) < std::tie(ps, qx, qy);
        });
        return json(v);
    };
    const json a = sorted(shown["faces"]);
    const json b = sorted(printed["detections"]);
    ASSERT_EQ(a.size(), b.size()) << "faces drawn by the studio vs printed by rnnpool run";
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_NEAR(a[i]["score"].get<double>(), b[i]["score"].get<double>(), kScoreTolerance) << "face " << i;
        for (const char* k : {"x1", "y1", "x2", "y2"})
            EXPECT_NEAR(a[i][k].get<double>(), b[i][k].get<double>(), kBoxTolerance) << "face " << i << " " << k;
    }
    // The status bar states the same count.
    EXPECT_NE(shown["face_label"].get<std::string>().find(std::to_string(b.size()) + " face"), std::string::npos)
        << shown["face_label"];
}

TEST_F(StudioAgreement, ASweepAtStartPlotsWhatRnnpoolSweepAndRunPrint)
{
    // --sweep presses the Sweep tab's button once the picture is shown; the report reads the points back.
    const std::string picture = STUDIO_SAMPLE;
    const auto [status, shown] = studio("sweep", "--image " + picture + " --tab sweep --sweep input=160x120,320x240");
    ASSERT_EQ(status, 0);
    ASSERT_TRUE(shown.contains("sweep")) << shown.dump().substr(0, 400);
    const CommandRun cli = capture(std::string(RNNPOOL_CLI) +
                                   " sweep --arch RPool_Face_M4 --param input --values 160x120,320x240 --dtype i8 --json");
    ASSERT_EQ(cli.status, 0) << cli.output;
    const json printed = json::parse(cli.output);
    EXPECT_EQ(shown["sweep"]["param"], "input");
    ASSERT_EQ(shown["sweep"]["rows"].size(), printed["rows"].size());
    for (size_t i = 0; i < printed["rows"].size(); ++i) {
        const json& a = shown["sweep"]["rows"][i];
        const json& b = printed["rows"][i];
        SCOPED_TRACE(b["value"].get<std::string>());
        for (const char* k : {"value", "params", "madds", "peak_bytes"})
            EXPECT_EQ(a[k], b[k]) << k;
        // Faces at or above 0.5 on the picture at that size, as `rnnpool run --size` finds them.
        const CommandRun run = capture(std::string(RNNPOOL_CLI) + " run --image " + picture + " --size " +
                                       b["value"].get<std::string>() + " --threshold 0.5 --json");
        ASSERT_EQ(run.status, 0) << run.output;
        ASSERT_TRUE(a.contains("faces")) << a;
        EXPECT_EQ(a["faces"].get<size_t>(), json::parse(run.output)["detections"].size());
    }
}

TEST_F(StudioAgreement, LayerTableEqualsRnnpoolInfo)
{
    // The layer table does not depend on the weights: the zoo architecture with random ones.
    const auto [status, shown] = studio("layers", "--arch RPool_Face_M4 --image " + std::string(STUDIO_SAMPLE));
    ASSERT_EQ(status, 0);
    const int w = shown["input"]["width"], h = shown["input"]["height"];
    const CommandRun cli = capture(std::string(RNNPOOL_CLI) + " info --json --arch RPool_Face_M4 --input " + std::to_string(w) + "x" + std::to_string(h));
    ASSERT_EQ(cli.status, 0) << cli.output;
    const json printed = json::parse(cli.output);
    const json& rows = shown["layers"];
    const json& layers = printed["layers"];
    ASSERT_EQ(rows.size(), layers.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        const json& l = layers[i];
        SCOPED_TRACE(l["name"].get<std::string>());
        EXPECT_EQ(rows[i]["name"], l["name"]);
        EXPECT_EQ(rows[i]["op"], l["op"]);
        EXPECT_EQ(rows[i]["params"], l["params"]);
        EXPECT_EQ(rows[i]["madds"], l["madds"]);
        const auto& s = l["output_shape"];
        std::ostringstream shape;
        shape << s[2].get<int64_t>() << "\u00d7" << s[1].get<int64_t>() << "\u00d7" << s[0].get<int64_t>(); // W×H×C
        EXPECT_EQ(rows[i]["shape"], shape.str());
        EXPECT_EQ(rows[i]["bytes"].get<int64_t>(), 4 * s[0].get<int64_t>() * s[1].get<int64_t>() * s[2].get<int64_t>());
    }
}

TEST_F(StudioAgreement, LayerAndPatchOptionsSelectThem)
{
    const auto [status, shown] =
        studio("selection", "--image " + std::string(STUDIO_SAMPLE) + " --layer rnnpool --patch 5,7 --tab rnnpool");
    ASSERT_EQ(status, 0) << shown.dump();
    EXPECT_EQ(shown["tab"], "rnnpool");
    EXPECT_EQ(shown["patch"], json::array({5, 7}));
    EXPECT_FALSE(shown["patch_output"].empty());
    EXPECT_FALSE(shown["activation_shape"].empty());
}

TEST_F(StudioAgreement, PlayingAVideoAnalysesOrDropsEveryFrameAndEndsOnTheLast)
{
    // Whatever the speed of this machine: a frame is either analysed or dropped
    // (replaced by a newer one while it waited), never queued or lost, and the
    // newest frame always gets analysed, so the last one shown is the video's last.
    const auto [status, shown] = studio("play", "--video " + std::string(STUDIO_VIDEO) + " --play");
    ASSERT_EQ(status, 0) << shown.dump();
    constexpr int kVideoFrames = 12; // resources/samples/grace_hopper_pan.avi
    EXPECT_EQ(shown["frames_analysed"].get<int>() + shown["frames_dropped"].get<int>(), kVideoFrames) << shown.dump();
    EXPECT_EQ(shown["frame_index"], kVideoFrames - 1);
}

TEST_F(StudioAgreement, LoopingAVideoPlaysItTheTimesAskedAndEndsOnItsLastFrame)
{
    // --loop 3: the video restarts at its end twice; every frame of the three
    // passes is analysed or dropped, and the run ends on the last pass's last frame.
    const auto [status, shown] = studio("loop", "--video " + std::string(STUDIO_VIDEO) + " --play --loop 3");
    ASSERT_EQ(status, 0) << shown.dump();
    constexpr int kVideoFrames = 12; // resources/samples/grace_hopper_pan.avi
    EXPECT_EQ(shown["frames_analysed"].get<int>() + shown["frames_dropped"].get<int>(), 3 * kVideoFrames) << shown.dump();
    EXPECT_EQ(shown["frame_index"], kVideoFrames - 1);
}

TEST_F(StudioAgreement, BadInputsLeaveTheStudioRunningWithTheReasonShown)
{
    const fs::path dir = workDir();
    const fs::path empty = dir / "empty_folder";
    fs::create_directories(empty);
    {
        std::ofstream(dir / "fake.mp4") << "not a video";
    }
    struct Case {
        std::string name, arguments, reason;
    };
    const Case cases[] = {
        {"empty_folder", "--folder " + empty.string(), "has no pictures"},
        {"bad_video", "--video " + (dir / "fake.mp4").string(), "fake.mp4"},
        {"dead_camera", "--camera 63", "camera 63 cannot be opened"},
        {"no_layer", "--image " + std::string(STUDIO_SAMPLE) + " --layer no_such_layer", "no_such_layer"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const auto [status, shown] = studio(c.name, c.arguments);
        EXPECT_EQ(status, 1) << "the studio exits 1 after a screenshot that shows the error";
        ASSERT_TRUE(shown.is_object()) << "no report: the studio did not reach its screenshot";
        EXPECT_GE(shown["errors"].get<int>(), 1);
        EXPECT_NE(shown["message"].get<std::string>().find(c.reason), std::string::npos) << shown["message"];
        EXPECT_TRUE(fs::exists(dir / (c.name + ".png")));
    }
}

} // namespace
