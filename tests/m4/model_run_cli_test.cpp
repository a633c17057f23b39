// rnnpool m4 run as users run it: the default int8 model as generated
// firmware on QEMU netduinoplus2, its --dump files byte-identical to
// `rnnpool run --dtype i8 --dump` on the same picture and size (two pictures);
// the default 320x240-area input refused with numbers before compiling; bad
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

void expectSameAsDesktop(const std::string& picture, const std::string& size)
{
    const fs::path chip = testing::makeTempDir("rnnpool-m4-run-chip");
    const fs::path desk = testing::makeTempDir("rnnpool-m4-run-desktop");
    const fs::path project = testing::makeTempDir("rnnpool-m4-run-project");
    const ProcessResult onChip = cli({"m4", "run", "--image", sample(picture).string(), "--size", size, "--dump",
                                      chip.string(), "--project", project.string(), "--json"});
    ASSERT_EQ(onChip.exitCode, 0) << onChip.output;
    const size_t brace = onChip.output.find('{');
    ASSERT_NE(brace, std::string::npos) << onChip.output;
    const auto j = nlohmann::json::parse(onChip.output.substr(brace));
    EXPECT_TRUE(j.at("bit_identical_to_desktop").get<bool>());
    EXPECT_GT(j.at("head_values").get<int64_t>(), 0);
    EXPECT_GT(j.at("instructions").get<uint64_t>(), 1000000u);
    EXPECT_GT(j.at("flash_used_bytes").get<uint64_t>(), j.at("plan").at("weight_bytes").get<uint64_t>());
    EXPECT_GE(j.at("sram_used_bytes").at("SRAM").get<uint64_t>(), j.at("plan").at("arena_bytes").get<uint64_t>());
    EXPECT_GT(j.at("sram_used_bytes").at("CCM").get<uint64_t>(), 0u);  // the stack's high-water mark
    EXPECT_GT(j.at("estimated_ms").get<double>(), 0.0);
    uint64_t sum = 0;
    for (const auto& layer : j.at("layers"))
        sum += layer.at("instructions").get<uint64_t>();
    EXPECT_EQ(sum, j.at("instructions").get<uint64_t>());
    EXPECT_GE(j.at("layers").size(), 20u);  // one entry per node of RNNPool-Face-M4 (28 here)

    const ProcessResult desktop =
        cli({"run", "--dtype", "i8", "--image", sample(picture).string(), "--size", size, "--dump", desk.string()});
    ASSERT_EQ(desktop.exitCode, 0) << desktop.output;
    for (const char* file : {"loc.npy", "conf.npy", "detections.npy"}) {
        const std::string a = readAll(chip / file), b = readAll(desk / file);
        EXPECT_FALSE(a.empty()) << file;
        EXPECT_TRUE(a == b) << picture << " " << size << ": " << file << " differs between the chip and the desktop";
    }
    fs::remove_all(chip);
    fs::remove_all(desk);
    fs::remove_all(project);
}

TEST(ModelOnQemu, TheDefaultInt8ModelMatchesTheDesktopByteForByte)
{
    RNNPOOL_REQUIRE_QEMU();
    expectSameAsDesktop("grace_hopper.jpg", "80x60");
    expectSameAsDesktop("astronaut.png", "96x72");
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
}

} // namespace
} // namespace rnnpool

namespace rnnpool {
namespace {

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
    // A clean rebuild with the project's own Makefile (-Wall -Wextra -Werror) prints no warning.
    auto clean = runProcess({"make", "-C", dir.string(), "clean"}, dir, 60.0);
    ASSERT_TRUE(clean && clean->exitCode == 0);
    auto made = runProcess({"make", "-C", dir.string()}, dir, 300.0);
    ASSERT_TRUE(made) << made.error();
    EXPECT_EQ(made->exitCode, 0) << made->output;
    EXPECT_EQ(made->output.find("warning"), std::string::npos) << made->output;
    EXPECT_NE(made->output.find("-Werror"), std::string::npos);
    fs::remove_all(dir);

    const fs::path refused = fs::temp_directory_path() / "rnnpool-deploy-refused-never-created";
    const ProcessResult no = cli({"deploy", "-o", refused.string()});
    EXPECT_EQ(no.exitCode, 1) << no.output;
    EXPECT_NE(no.output.find("SRAM needs"), std::string::npos) << no.output;
    EXPECT_FALSE(fs::exists(refused / "Makefile"));
    EXPECT_EQ(cli({"deploy", "--schedule", "rowstream", "-o", refused.string()}).exitCode, 2);
}

} // namespace
} // namespace rnnpool
