// torchvision's models exported by PyTorch (tools/onnx/export_torchvision.py)
// load, count and run as PyTorch does: parameter counts equal PyTorch's, and
// the logits agree within 1e-4.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/graph_run.h"
#include "io/npy.h"
#include "model/model.h"
#include "onnx/onnx_test_data.h"
#include "profile/model_profile.h"

namespace rnnpool {
namespace {

nlohmann::json meta(const std::string& name)
{
    std::ifstream in(onnxtest::modelsDir() / (name + ".json"));
    return nlohmann::json::parse(in, nullptr, false);
}

class TorchvisionOnnx : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchvisionOnnx, CountsAndRunsAsPyTorch)
{
    const std::string name = GetParam();
    const nlohmann::json m = meta(name);
    ASSERT_TRUE(m.is_object()) << "missing " << name << ".json: the onnx_export fixture did not run";
    auto model = loadModel(onnxtest::model(name));
    ASSERT_TRUE(model) << model.error();
    EXPECT_EQ(model->network->paramCount(), m["params"].get<int64_t>()) << name;

    auto input = readNpy(onnxtest::modelsDir() / (name + ".input.npy"));
    auto expected = readNpy(onnxtest::modelsDir() / (name + ".output.npy"));
    ASSERT_TRUE(input && expected);
    Tensor x = *input;
    x.reshape({x.dim(1), x.dim(2), x.dim(3)});
    auto outputs = runGraphOutputs(*model->network, x);
    ASSERT_TRUE(outputs) << outputs.error();
    ASSERT_EQ(outputs->size(), 1u);
    const Tensor& got = (*outputs)[0].value;
    ASSERT_EQ(got.shape(), expected->shape());
    float worst = 0.0f, largest = 0.0f;
    for (int64_t i = 0; i < got.numel(); ++i) {
        worst = std::max(worst, std::fabs(got.data()[i] - expected->data()[i]));
        largest = std::max(largest, std::fabs(expected->data()[i]));
    }
    // 1e-4, relative to the logits' scale where they exceed 1 (float32 sums
    // of thousands of products, in another order than PyTorch's).
    EXPECT_LE(worst, 1e-4f * std::max(1.0f, largest)) << name << ": largest logit " << largest;
    RecordProperty("max_abs_diff", std::to_string(worst));
}

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionOnnx,
                         ::testing::Values("resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
                                           "efficientnet_b0", "squeezenet1_1", "mnasnet0_5", "googlenet", "densenet121",
                                           "shufflenet_v2_x0_5", "tiny_ops"));

// Where the zoo has the same network, the ONNX graph and the built-in spec
// plan the same memory, byte for byte, and count the same.
class SameAsZoo : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(SameAsZoo, LayerwisePeakAndCounts)
{
    const auto& [onnxName, arch] = GetParam();
    auto imported = loadModel(onnxtest::model(onnxName));
    ASSERT_TRUE(imported) << imported.error();
    auto builtin = randomModel(arch, 1);
    ASSERT_TRUE(builtin) << builtin.error();
    const Shape input{3, 224, 224};
    for (const char* schedule : {"layerwise"}) {
        auto a = profileNetwork(*imported->network, input, schedule, {});
        auto b = profileNetwork(*builtin->network, input, schedule, {});
        ASSERT_TRUE(a && b);
        EXPECT_EQ(a->timeline.peakBytes, b->timeline.peakBytes) << onnxName << " vs " << arch << " (" << schedule << ")";
        EXPECT_EQ(a->madds, b->madds) << onnxName << " vs " << arch;
        EXPECT_EQ(a->params, b->params) << onnxName << " vs " << arch;
    }
}

INSTANTIATE_TEST_SUITE_P(Zoo, SameAsZoo,
                         ::testing::Values(std::pair<std::string, std::string>{"resnet18", "resnet18"},
                                           std::pair<std::string, std::string>{"mobilenet_v2", "mobilenetv2"},
                                           std::pair<std::string, std::string>{"efficientnet_b0", "efficientnet_b0"},
                                           std::pair<std::string, std::string>{"densenet121", "densenet121"},
                                           std::pair<std::string, std::string>{"googlenet", "googlenet"}));

} // namespace
} // namespace rnnpool
