// The command line on ONNX files: run writes each graph output by name and
// prepares a picture as the options say (checked against PyTorch on the same
// pixels), and broken files exit 1 with the file and the problem named.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "io/npy.h"
#include "onnx/onnx_test_data.h"

namespace rnnpool {
namespace {

using clitest::q;
using clitest::runCli;

float maxAbsDiff(const Tensor& a, const Tensor& b)
{
    float worst = 0.0f;
    for (int64_t i = 0; i < a.numel(); ++i)
        worst = std::max(worst, std::fabs(a.data()[i] - b.data()[i]));
    return worst;
}

float largest(const Tensor& t)
{
    float m = 0.0f;
    for (int64_t i = 0; i < t.numel(); ++i)
        m = std::max(m, std::fabs(t.data()[i]));
    return m;
}

TEST(OnnxCli, RunDumpsEachGraphOutputByName)
{
    const auto dir = clitest::tempDir("onnx-run-dump");
    const auto o = runCli("run --model " + q(onnxtest::model("mobilenet_v2")) + " --tensor " +
                          q(onnxtest::modelsDir() / "mobilenet_v2.input.npy") + " --dump " + q(dir));
    ASSERT_EQ(o.status, 0) << o.output;
    EXPECT_NE(o.output.find("output 'logits' [1,1000]"), std::string::npos) << o.output;
    auto got = readNpy(dir / "logits.npy");
    auto want = readNpy(onnxtest::modelsDir() / "mobilenet_v2.output.npy");
    ASSERT_TRUE(got && want);
    ASSERT_EQ(got->shape(), want->shape());
    EXPECT_LE(maxAbsDiff(*got, *want), 1e-4f * std::max(1.0f, largest(*want)));
}

TEST(OnnxCli, PicturePreprocessingAsStatedMatchesPyTorch)
{
    const auto dir = clitest::tempDir("onnx-run-picture");
    const auto o = runCli("run --model " + q(onnxtest::model("resnet18")) + " --image " + q(RNNPOOL_SAMPLE) +
                          " --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --dump " + q(dir));
    ASSERT_EQ(o.status, 0) << o.output;
    auto got = readNpy(dir / "logits.npy");
    auto want = readNpy(onnxtest::modelsDir() / "resnet18.picture_output.npy");
    ASSERT_TRUE(got && want);
    ASSERT_EQ(got->shape(), want->shape());
    EXPECT_LE(maxAbsDiff(*got, *want), 1e-4f * std::max(1.0f, largest(*want)));
    // The same picture with the default normalisation (x = p/255) is another input: the check can fail.
    const auto plain = runCli("run --model " + q(onnxtest::model("resnet18")) + " --image " + q(RNNPOOL_SAMPLE) + " --dump " + q(dir));
    ASSERT_EQ(plain.status, 0) << plain.output;
    auto other = readNpy(dir / "logits.npy");
    ASSERT_TRUE(other);
    EXPECT_GT(maxAbsDiff(*other, *want), 1e-2f);
}

TEST(OnnxCli, DetectorOptionsAreRefusedForAClassifier)
{
    const auto o = runCli("run --model " + q(onnxtest::model("squeezenet1_1")) + " --image " + q(RNNPOOL_SAMPLE) + " --threshold 0.5");
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_NE(o.output.find("--threshold applies to detectors"), std::string::npos) << o.output;
}

TEST(OnnxCli, BrokenFilesExitOneNamingTheFile)
{
    for (const char* name : {"bad_unsupported_op", "bad_truncated", "bad_cycle", "bad_huge_initialiser", "bad_name_not_utf8", "bad_empty_fill_value"}) {
        SCOPED_TRACE(name);
        const auto o = runCli("info --model " + q(onnxtest::model(name)));
        EXPECT_EQ(o.status, 1) << o.output;
        EXPECT_NE(o.output.find(std::string(name) + ".onnx"), std::string::npos) << o.output;
    }
}

TEST(OnnxCli, ProfileAndCompareTakeOnnxFiles)
{
    const auto o = runCli("compare " + q(onnxtest::model("resnet18")) + " resnet18 --input 224x224 --json");
    ASSERT_EQ(o.status, 0) << o.output;
    const auto j = nlohmann::json::parse(o.output, nullptr, false);
    ASSERT_TRUE(j.is_array() && j.size() == 2) << o.output;
    // The ONNX graph and the built-in spec of the same network plan alike, under both schedules.
    for (const char* schedule : {"layerwise", "paper"})
        EXPECT_EQ(j[0]["peak_bytes"][schedule], j[1]["peak_bytes"][schedule]) << schedule;
    EXPECT_EQ(j[0]["madds"], j[1]["madds"]);
    EXPECT_EQ(j[0]["params"], j[1]["params"]);
}

} // namespace
} // namespace rnnpool
