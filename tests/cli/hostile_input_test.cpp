// Issue 18 through the `rnnpool` command: every class of bad input exits with
// status 1 (2 for usage) and a message on stderr naming the file and the
// problem. Specs are accepted wherever --model is, so they meet the same
// checks on every path.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"

namespace {

using rnnpool::clitest::Outcome;
using rnnpool::clitest::q;
using rnnpool::clitest::runCli;
using rnnpool::clitest::tempDir;

class HostileCli : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() / ("rnnpool_hostile_cli_" + std::to_string(::getpid()));
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string write(const std::string& name, const std::string& bytes)
    {
        std::ofstream(m_dir / name, std::ios::binary) << bytes;
        return "'" + (m_dir / name).string() + "'";
    }
    static std::string m4Spec() { return std::string(RNNPOOL_RESOURCE_DIR) + "/architectures/rpool_face_m4.json"; }
    static nlohmann::json m4() { return nlohmann::json::parse(std::ifstream(m4Spec())); }
    static std::string sample() { return std::string(RNNPOOL_RESOURCE_DIR) + "/samples/grace_hopper.jpg"; }

    std::filesystem::path m_dir;
};

// A refusal: the status, the file named, and the problem.
void expectRefused(const Outcome& o, int status, const std::string& file, const std::string& problem)
{
    EXPECT_EQ(o.status, status) << o.output;
    EXPECT_NE(o.output.find(file), std::string::npos) << o.output;
    EXPECT_NE(o.output.find(problem), std::string::npos) << o.output;
    EXPECT_EQ(o.output.find("internal error"), std::string::npos) << o.output;
}

TEST_F(HostileCli, SpecsAreAcceptedWhereverModelIsAndChecked)
{
    const Outcome good = runCli("run --model " + m4Spec() + " --image " + sample());
    EXPECT_EQ(good.status, 0) << good.output;
    EXPECT_NE(good.output.find("RANDOM WEIGHTS"), std::string::npos) << good.output;
    const Outcome info = runCli("info --model " + m4Spec());
    EXPECT_EQ(info.status, 0) << info.output;

    nlohmann::json detector = m4();
    detector["detector"]["nms_threshold"] = -5;
    const std::string bad = write("bad_detector.json", detector.dump());
    for (const char* command : {"run --image " , "info", "profile", "bench --runs 1", "eval --images . --labels "}) {
        std::string args = std::string(command);
        if (args.starts_with("run"))
            args += sample();
        if (args.starts_with("eval"))
            args += write("labels.txt", "# a.jpg\n1 2 3 4\n");
        expectRefused(runCli(args + " --model " + bad), 1, "bad_detector.json", "detector.nms_threshold must be a number from 0 to 1");
    }

    nlohmann::json typed = m4();
    typed["layers"][1]["h1"] = "16";
    expectRefused(runCli("info --model " + write("typed.json", typed.dump())), 1, "layer 'rnnpool'", "'h1' must be an integer");
    nlohmann::json wide = m4();
    wide["input"]["width"] = int64_t{1} << 31;
    expectRefused(runCli("info --model " + write("wide.json", wide.dump())), 1, "wide.json", "input.width must be an integer from 1 to 4096");
    expectRefused(runCli("info --model " + write("broken.json", "{\"name\": ")), 1, "broken.json", "not a valid JSON object");
    expectRefused(runCli("run --model " + m4Spec() + " --arch m4 --image " + sample()), 2, "--arch", "spec file");
}

TEST_F(HostileCli, SizesBeyondTheLimitAreUsageErrors)
{
    expectRefused(runCli("run --image " + sample() + " --size 16384x16384"), 2, "--size 16384x16384",
                  "beyond the limit of 4096 pixels a side and 16.8 MP");
    expectRefused(runCli("run --image " + sample() + " --size 4097x100"), 2, "--size 4097x100", "beyond the limit");
    expectRefused(runCli("info --input 5000x5000x1"), 1, "5000x5000", "beyond the limit");
}

TEST_F(HostileCli, PicturesTensorsAndLabelsAreRefusedByName)
{
    // A JPEG declaring 30000 x 30000 pixels (frame header, empty scan).
    std::string bomb("\xFF\xD8\xFF\xC0\x00\x0B\x08\x75\x30\x75\x30\x01\x01\x11\x00"
                     "\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x12\x34\xFF\xD9", 29);
    expectRefused(runCli("run --image " + write("bomb.jpg", bomb)), 1, "bomb.jpg", "declares 30000x30000 pixels");

    std::ifstream in(sample(), std::ios::binary);
    const std::string jpeg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    expectRefused(runCli("run --image " + write("third.jpg", jpeg.substr(0, jpeg.size() / 3))), 1, "third.jpg",
                  "without its end marker");

    // A 0-d float64 array with no data bytes.
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
    header.append(128 - 10 - header.size() - 1, ' ');
    header += '\n';
    std::string npy("\x93NUMPY\x01\x00", 8);
    npy += static_cast<char>(header.size());
    npy += '\0';
    npy += header;
    expectRefused(runCli("run --tensor " + write("scalar.npy", npy)), 1, "scalar.npy", "needs 1 x 8 bytes");

    // An all-NaN input tensor of the default model's shape.
    std::string nanHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 240, 320), }";
    nanHeader.append(128 - 10 - nanHeader.size() - 1, ' ');
    nanHeader += '\n';
    std::string nanNpy("\x93NUMPY\x01\x00", 8);
    nanNpy += static_cast<char>(nanHeader.size());
    nanNpy += '\0';
    nanNpy += nanHeader;
    const uint32_t quietNaN = 0x7FC00000u;
    for (int i = 0; i < 240 * 320; ++i)
        nanNpy.append(reinterpret_cast<const char*>(&quietNaN), 4);
    expectRefused(runCli("run --tensor " + write("nan.npy", nanNpy)), 1, "nan.npy", "values are NaN or infinite");

    static constexpr char kLabels[] = "# a.jpg\n1 2 3 4\n# b.jpg\0.png\n5 6 7 8\n";
    const std::string labels = write("labels.txt", std::string(kLabels, sizeof kLabels - 1));
    expectRefused(runCli("eval --images " + m_dir.string() + " --labels " + labels), 1, "labels.txt", "holds a NUL byte");
}

} // namespace
