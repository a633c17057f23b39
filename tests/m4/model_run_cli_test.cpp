// rnnpool m4 run as users run it: the default int8 model as generated
// firmware on QEMU netduinoplus2, its --dump files byte-identical to
// `rnnpool run --dtype i8 --dump` on the same picture and size (two pictures),
// layer by layer and under the streamed schedules (320x240 under rowstream and linebuffer), and the default
// 3-level image pyramid at 320x240 with every level on the chip;
// the default 320x240-area input refused layer by layer with numbers before compiling; bad
// input and usage answered with exit 1 and 2.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "m4/firmware_test_support.h"

namespace rnnpool {
namespace {

namespace fs = std::filesystem;

ProcessResult cli(const std::vector<std::string>& args, double timeout = 170.0)
{
    std::vector<std::string> argv{RNNPOOL_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = runProcess(argv, fs::temp_directory_path(), timeout);
    EXPECT_TRUE(r) << r.error();
    return r ? *r : ProcessResult{};
}

std::string readAll(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

fs::path sample(const std::string& name) { return fs::path(RNNPOOL_RESOURCE_DIR) / "samples" / name; }

// Returns the m4 run JSON (empty on failure).
nlohmann::json expectSameAsDesktop(const std::string& picture, const std::string& size,
                                   const std::string& schedule = "layerwise", int pyramid = 1)
{
    const std::string levels = std::to_string(pyramid);
    const fs::path chip = testing::makeTempDir("rnnpool-m4-run-chip");
    const fs::path desk = testing::makeTempDir("rnnpool-m4-run-desktop");
    const fs::path project = testing::makeTempDir("rnnpool-m4-run-project");
    const ProcessResult onChip = cli({"m4", "run", "--image", sample(picture).string(), "--size", size, "--schedule",
                                      schedule, "--pyramid", levels, "--dump", chip.string(), "--project",
                                      project.string(), "--json"});
    EXPECT_EQ(onChip.exitCode, 0) << onChip.output;
    const size_t brace = onChip.output.find('{');
    if (onChip.exitCode != 0 || brace == std::string::npos) {
        ADD_FAILURE() << onChip.output;
        return {};
    }
    const auto j = nlohmann::json::parse(onChip.output.substr(brace));
    EXPECT_EQ(j.at("schedule"), schedule);
    EXPECT_TRUE(j.at("bit_identical_to_desktop").get<bool>());
    EXPECT_GT(j.at("head_values").get<int64_t>(), 0);
    EXPECT_GT(j.at("instructions").get<uint64_t>(), 1000000u);
    EXPECT_GT(j.at("flash_used_bytes").get<uint64_t>(), j.at("plan").at("weight_bytes").get<uint64_t>());
    EXPECT_GE(j.at("sram_used_bytes").at("SRAM").get<uint64_t>(), j.at("plan").at("arena_bytes").get<uint64_t>());
    EXPECT_GT(j.at("sram_used_bytes").at("CCM").get<uint64_t>(), 0u);  // the stack's high-water mark
    EXPECT_GT(j.at("estimated_ms").get<double>(), 0.0);
    uint64_t sum = 0, levelSum = 0;
    for (const auto& layer : j.at("layers"))
        sum += layer.at("instructions").get<uint64_t>();
    // The layers listed are the input level's; a pyramid adds its other levels and the halvings.
    for (const auto& level : j.at("pyramid")) {
        EXPECT_EQ(level.at("head_values_matching"), level.at("head_values"));
        EXPECT_GT(level.at("head_values").get<int64_t>(), 0);
        levelSum += level.at("instructions").get<uint64_t>() + level.at("halve_instructions").get<uint64_t>();
    }
    EXPECT_EQ(j.at("pyramid").size(), pyramid > 1 ? static_cast<size_t>(pyramid) : 0u);
    if (pyramid > 1) {
        EXPECT_EQ(j.at("pyramid").at(0).at("instructions").get<uint64_t>(), sum);
    }
    EXPECT_EQ(pyramid > 1 ? levelSum : sum, j.at("instructions").get<uint64_t>());
    // One entry per node of RNNPool-Face-M4 (28) layer by layer; one per schedule unit (17) streamed.
    EXPECT_EQ(j.at("layers").size(), schedule == "layerwise" ? 28u : 17u);

    const ProcessResult desktop =
        cli({"run", "--dtype", "i8", "--image", sample(picture).string(), "--size", size, "--pyramid", levels, "--dump", desk.string()});
    EXPECT_EQ(desktop.exitCode, 0) << desktop.output;
    for (const char* file : {"loc.npy", "conf.npy", "detections.npy"}) {
        const std::string a = readAll(chip / file), b = readAll(desk / file);
        EXPECT_FALSE(a.empty()) << file;
        EXPECT_TRUE(a == b) << picture << " " << size << ": " << file << " differs between the chip and the desktop";
    }
    fs::remove_all(chip);
    fs::remove_all(desk);
    fs::remove_all(project);
    return j;
}

TEST(ModelOnQemu, TheDefaultInt8ModelMatchesTheDesktopByteForByte)
{
    RNNPOOL_REQUIRE_QEMU();
    expectSameAsDesktop("grace_hopper.jpg", "80x60");
    expectSameAsDesktop("astronaut.png", "96x72");
    // Without --pyramid the input runs alone, and the text says so where the detector would run more
    // levels (96x72 halves to 48x36; 80x60's half, 40x30, is under 32 px).
    const ProcessResult larger = cli({"m4", "run", "--image", sample("astronaut.png").string(), "--size", "96x72"});
    EXPECT_EQ(larger.exitCode, 0) << larger.output;
    EXPECT_NE(larger.output.find("image pyramid (2 levels at this size); this run was of the input alone (--pyramid 3"),
              std::string::npos) << larger.output;
    const ProcessResult small = cli({"m4", "run", "--image", sample("grace_hopper.jpg").string(), "--size", "80x60"});
    EXPECT_EQ(small.exitCode, 0) << small.output;
    EXPECT_EQ(small.output.find("image pyramid"), std::string::npos) << small.output;
}

// The streamed schedules in firmware: the int8 streaming kernels, at the
// offsets of the desktop's plan. Under rowstream the full 320x240 model runs
// in the F405's 128 KiB of SRAM (the goal), the picture read row by
// row into a 17-row ring, and its heads are the desktop's byte for byte.
// A 320x240 run of the default model under a streamed schedule: the picture read into 17 rows, the
// SRAM (everything static) within `sramLimit`, and the chip's arena the desktop's plan, which
// `profile --execute` meters (its measured peak equal to the plan's).
void expectTheDesktopsArenaAt320x240(const nlohmann::json& run, const std::string& schedule, uint64_t sramLimit)
{
    EXPECT_EQ(run.at("plan").at("input_ring_rows"), 17);
    EXPECT_EQ(run.at("plan").at("input_bytes"), 17 * 320);
    EXPECT_LE(run.at("sram_used_bytes").at("SRAM").get<uint64_t>(), sramLimit);
    const ProcessResult profile =
        cli({"profile", "--dtype", "i8", "--schedule", schedule, "--count-input", "--execute", "--json"});
    ASSERT_EQ(profile.exitCode, 0) << profile.output;
    const auto p = nlohmann::json::parse(profile.output);
    EXPECT_EQ(run.at("plan").at("arena_bytes"), p.at("arena_bytes"));
    EXPECT_EQ(p.at("measured_peak_bytes"), p.at("peak_bytes"));
}

TEST(ModelOnQemu, StreamedSchedulesRunTheFullSizeModelInTheF405sSram)
{
    RNNPOOL_REQUIRE_QEMU();
    const nlohmann::json paper = expectSameAsDesktop("astronaut.png", "96x72", "paper");
    const nlohmann::json rows = expectSameAsDesktop("grace_hopper.jpg", "320x240", "rowstream");
    ASSERT_FALSE(paper.empty());
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(paper.at("plan").at("input_ring_rows"), 0);
    EXPECT_EQ(paper.at("plan").at("input_bytes"), 96 * 72);
    expectTheDesktopsArenaAt320x240(rows, "rowstream", 128u * 1024u);
}

// The linebuffer schedule in firmware: every map a few rows at a time, following the desktop's
// sweep. The full 320x240 model runs in 64 KiB of SRAM, everything static counted (the README's
// moonshot, which `profile --execute` meets on the desktop), its arena the desktop's plan, its heads
// the desktop's byte for byte. RNNPool pools patch by patch there, so it takes more instructions
// than under rowstream. A pyramid runs it at every level.
TEST(ModelOnQemu, TheLineBufferScheduleRunsTheFullSizeModelIn64KiB)
{
    RNNPOOL_REQUIRE_QEMU();
    const nlohmann::json lines = expectSameAsDesktop("grace_hopper.jpg", "320x240", "linebuffer");
    ASSERT_FALSE(lines.empty());
    expectTheDesktopsArenaAt320x240(lines, "linebuffer", 64u * 1024u);
    // RNNPool's per-patch kernel is the chip's largest cost here.
    const auto& layers = lines.at("layers");
    ASSERT_FALSE(layers.empty());
    EXPECT_EQ(layers.at(0).at("name"), "rnnpool");
    EXPECT_GT(layers.at(0).at("instructions").get<uint64_t>(), lines.at("instructions").get<uint64_t>() / 2);

    const nlohmann::json levels = expectSameAsDesktop("astronaut.png", "160x120", "linebuffer", 2);
    ASSERT_FALSE(levels.empty());
    EXPECT_EQ(levels.at("pyramid").size(), 2u);
}

// The default detector as the studio runs it, a 3-level image pyramid at 320x240, on the chip:
// every level's heads equal the desktop int8 detector's, and the boxes merged from the chip's
// heads are `rnnpool run --dtype i8`'s byte for byte. The frame is never held whole (rowstream):
// level 1's picture is made from the arriving rows in CCM, so SRAM stays within the F405's 128 KiB.
TEST(ModelOnQemu, TheDefaultPyramidRunsEveryLevelOnTheChipAsTheDesktopDoes)
{
    RNNPOOL_REQUIRE_QEMU();
    const nlohmann::json j = expectSameAsDesktop("grace_hopper.jpg", "320x240", "rowstream", 3);
    ASSERT_FALSE(j.empty());
    const auto& levels = j.at("pyramid");
    ASSERT_EQ(levels.size(), 3u);
    for (size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(levels.at(k).at("width"), 320 >> k);
        EXPECT_EQ(levels.at(k).at("height"), 240 >> k);
    }
    EXPECT_GT(levels.at(0).at("halve_instructions").get<uint64_t>(), 0u);
    EXPECT_GT(levels.at(1).at("halve_instructions").get<uint64_t>(), 0u);
    EXPECT_EQ(levels.at(2).at("halve_instructions"), 0);
    // Level 1 has a quarter of level 0's pixels; its share of the instructions is about its
    // share of the multiply-adds (25.06 / 103.51 M, `rnnpool profile --pyramid 3`).
    const double ratio = levels.at(1).at("instructions").get<double>() / levels.at(0).at("instructions").get<double>();
    EXPECT_GT(ratio, 0.2);
    EXPECT_LT(ratio, 0.3);
    EXPECT_EQ(j.at("plan").at("level_buffer_bytes"), 160 * 120 + 2 * 320);
    EXPECT_LE(j.at("sram_used_bytes").at("SRAM").get<uint64_t>(), 128u * 1024u);
    EXPECT_GE(j.at("sram_used_bytes").at("CCM").get<uint64_t>(), 160u * 120u);
    EXPECT_LE(j.at("sram_used_bytes").at("CCM").get<uint64_t>(), 64u * 1024u);
}

TEST(ModelOnQemu, APyramidWhoseLevelBufferExceedsCcmIsRefusedWithNumbers)
{
    const fs::path project = testing::makeTempDir("rnnpool-m4-run-refused-pyramid");
    const ProcessResult r = cli({"m4", "run", "--image", sample("grace_hopper.jpg").string(), "--size", "640x480",
                                 "--schedule", "rowstream", "--pyramid", "3", "--project", project.string()});
    EXPECT_EQ(r.exitCode, 1) << r.output;
    EXPECT_NE(r.output.find("with a pyramid of 3 levels"), std::string::npos) << r.output;
    // Level 1 (320x240) and two 640-pixel rows, beside the stack's allowance, against CCM's 64 KiB.
    EXPECT_NE(r.output.find("CCM needs 82176 bytes (the pyramid's level buffer 78080, stack 4096), has 65536"),
              std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(project / "Makefile")) << "the project was written although it does not fit";
    fs::remove_all(project);
}

TEST(ModelOnQemu, AModelThatDoesNotFitIsRefusedWithNumbersBeforeCompiling)
{
    const fs::path project = testing::makeTempDir("rnnpool-m4-run-refused");
    const ProcessResult r = cli({"m4", "run", "--image", sample("grace_hopper.jpg").string(), "--project", project.string()});
    EXPECT_EQ(r.exitCode, 1) << r.output;
    EXPECT_NE(r.output.find("does not fit netduinoplus2"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("SRAM needs"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("has 131072"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("nothing was compiled"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(project / "Makefile")) << "the project was written although it does not fit";
    fs::remove_all(project);
}

TEST(ModelOnQemu, BadInputAndUsage)
{
    const ProcessResult missing = cli({"m4", "run", "--tensor", "/nonexistent/x.npy"});
    EXPECT_EQ(missing.exitCode, 1) << missing.output;
    EXPECT_NE(missing.output.find("/nonexistent/x.npy"), std::string::npos) << missing.output;
    EXPECT_EQ(cli({"m4", "run"}).exitCode, 2);
    EXPECT_EQ(cli({"m4", "run", "--image", "a.png", "--tensor", "b.npy"}).exitCode, 2);
    EXPECT_EQ(cli({"m4", "frobnicate"}).exitCode, 2);
    const ProcessResult levels = cli({"m4", "run", "--image", "a.png", "--pyramid", "9"});
    EXPECT_EQ(levels.exitCode, 2) << levels.output;
    EXPECT_NE(levels.output.find("--pyramid must be a number of levels from 1"), std::string::npos) << levels.output;
    EXPECT_EQ(cli({"deploy", "--pyramid", "x", "-o", "/nonexistent/never"}).exitCode, 2);
}

} // namespace
} // namespace rnnpool

namespace rnnpool {
namespace {

// A clean rebuild with the project's own Makefile (-Wall -Wextra -Werror) prints no warning.
void expectWarningFreeRebuild(const fs::path& dir)
{
    auto clean = runProcess({"make", "-C", dir.string(), "clean"}, dir, 60.0);
    ASSERT_TRUE(clean && clean->exitCode == 0);
    auto made = runProcess({"make", "-C", dir.string()}, dir, 300.0);
    ASSERT_TRUE(made) << made.error();
    EXPECT_EQ(made->exitCode, 0) << made->output;
    EXPECT_EQ(made->output.find("warning"), std::string::npos) << made->output;
    EXPECT_NE(made->output.find("-Werror"), std::string::npos);
}

TEST(ModelOnQemu, DeployWritesAProjectThatBuildsWarningFree)
{
    RNNPOOL_REQUIRE_CROSS_TOOLCHAIN();
    const fs::path dir = testing::makeTempDir("rnnpool-deploy");
    const ProcessResult r = cli({"deploy", "--size", "80x60", "-o", dir.string(), "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    for (const char* file : {"Makefile", "CMakeLists.txt", "arm-none-eabi.cmake", "link.ld", "README.md",
                             "rnnpool_model.h", "rnnpool_model.c", "main.c", "startup.c", "integer/conv_s8.c",
                             "integer/rnnpool_q15_s8.c", "firmware.elf"})
        EXPECT_TRUE(fs::exists(dir / file)) << file;
    // The generated network is straight-line calls over one static arena: no allocation anywhere.
    const std::string model = readAll(dir / "rnnpool_model.c");
    EXPECT_EQ(model.find("malloc"), std::string::npos);
    // RNNPool through the map kernel: the default model's output has one scale per channel.
    EXPECT_NE(model.find("rp_rnnpool_s8q15_map_channels(&config"), std::string::npos);
    expectWarningFreeRebuild(dir);
    fs::remove_all(dir);

    // The detector's pyramid: 160x120 and 80x60 in one project, the weights once, warning-free as well.
    const fs::path pyramidDir = testing::makeTempDir("rnnpool-deploy-pyramid");
    const ProcessResult p = cli({"deploy", "--size", "160x120", "--pyramid", "3", "-o", pyramidDir.string(), "--json"});
    ASSERT_EQ(p.exitCode, 0) << p.output;
    const auto pj = nlohmann::json::parse(p.output.substr(p.output.find('{')));
    EXPECT_EQ(pj.at("plan").at("pyramid_levels"), 2); // 40x30 would be under 32 px
    EXPECT_EQ(pj.at("plan").at("level_buffer_bytes"), 80 * 60 + 2 * 160);
    const std::string header = readAll(pyramidDir / "rnnpool_model.h");
    EXPECT_NE(header.find("#define RP_MODEL_PYRAMID_LEVELS 2"), std::string::npos) << header;
    const std::string levels = readAll(pyramidDir / "rnnpool_model.c");
    EXPECT_NE(levels.find("static int rp_model_run_level1("), std::string::npos);
    EXPECT_EQ(levels.find("rp_model_run_level2"), std::string::npos);
    // Each weight array is defined once, shared by both levels.
    const std::string stem = "static const int8_t n0_weights[";
    ASSERT_NE(levels.find(stem), std::string::npos) << levels.substr(0, 2000);
    EXPECT_EQ(levels.find(stem, levels.find(stem) + 1), std::string::npos);
    expectWarningFreeRebuild(pyramidDir);
    fs::remove_all(pyramidDir);

    const fs::path refused = fs::temp_directory_path() / "rnnpool-deploy-refused-never-created";
    fs::remove_all(refused);
    const ProcessResult no = cli({"deploy", "-o", refused.string()});
    EXPECT_EQ(no.exitCode, 1) << no.output;
    EXPECT_NE(no.output.find("SRAM needs"), std::string::npos) << no.output;
    EXPECT_FALSE(fs::exists(refused / "Makefile"));
    EXPECT_EQ(cli({"deploy", "--schedule", "zigzag", "-o", refused.string()}).exitCode, 2);

    // The full-size model under rowstream: it fits the board, and the project builds.
    const fs::path streamed = testing::makeTempDir("rnnpool-deploy-rowstream");
    const ProcessResult rows = cli({"deploy", "--schedule", "rowstream", "-o", streamed.string(), "--json"});
    ASSERT_EQ(rows.exitCode, 0) << rows.output;
    const auto j = nlohmann::json::parse(rows.output.substr(rows.output.find('{')));
    EXPECT_EQ(j.at("schedule"), "rowstream");
    EXPECT_EQ(j.at("input").at("width"), 320);
    EXPECT_EQ(j.at("plan").at("input_ring_rows"), 17);
    EXPECT_LE(j.at("linked").at("SRAM").at("used_bytes").get<uint64_t>(), 128u * 1024u);
    const std::string streamedModel = readAll(streamed / "rnnpool_model.c");
    EXPECT_NE(streamedModel.find("rp_rnnpool_s8_stream_row(&s"), std::string::npos);
    EXPECT_NE(streamedModel.find("rp_ir_s8_rows(&block"), std::string::npos);
    fs::remove_all(streamed);

    // And under linebuffer: in 64 KiB of SRAM, warning-free, every map in a line buffer.
    const fs::path lined = testing::makeTempDir("rnnpool-deploy-linebuffer");
    const ProcessResult lb = cli({"deploy", "--schedule", "linebuffer", "-o", lined.string(), "--json"});
    ASSERT_EQ(lb.exitCode, 0) << lb.output;
    const auto lj = nlohmann::json::parse(lb.output.substr(lb.output.find('{')));
    EXPECT_EQ(lj.at("schedule"), "linebuffer");
    EXPECT_LE(lj.at("linked").at("SRAM").at("used_bytes").get<uint64_t>(), 64u * 1024u);
    const std::string linedModel = readAll(lined / "rnnpool_model.c");
    EXPECT_NE(linedModel.find("rp_line_rows_s8_drop(s, keep)"), std::string::npos);
    EXPECT_NE(linedModel.find("rp_rnnpool_s8_stream_row_patches(&stream"), std::string::npos);
    EXPECT_NE(linedModel.find("rp_ir_s8_row_at(&block"), std::string::npos);
    EXPECT_NE(readAll(lined / "rnnpool_model.h").find("a line buffer of 17 rows"), std::string::npos);
    expectWarningFreeRebuild(lined);
    fs::remove_all(lined);
}

} // namespace
} // namespace rnnpool
