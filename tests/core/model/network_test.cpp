// Building networks from specs, running them at any input size, and the
// messages users get for bad specs, names, sizes and mismatched checkpoints.
#include <gtest/gtest.h>

#include "detect/post_process.h"
#include "engine/threads.h"
#include "model/model.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

TEST(Architectures, NamesMatchCaseInsensitivelyWithAliases)
{
    for (const char* name : {"RPool_Face_M4", "rpool_face_m4", "rnnpool-face-m4", "RNNPOOL_FACE_M4"}) {
        auto spec = findArchitecture(name);
        ASSERT_TRUE(spec) << name << ": " << spec.error();
        EXPECT_EQ(spec->name, "rnnpool-face-m4");
    }
    // Canonical names (issue 3), EdgeML's names kept as aliases.
    EXPECT_EQ(findArchitecture("RPool_Face_QVGA_monochrome")->name, "rnnpool-face-qvga-mono");
    EXPECT_EQ(findArchitecture("RPool_Face_Quant")->name, "rnnpool-face-quant");
    EXPECT_EQ(findArchitecture("RPool_Face_C")->name, "rnnpool-face-c");
    auto missing = findArchitecture("resnet-9000");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("resnet-9000"), std::string::npos);
    EXPECT_NE(missing.error().find("rnnpool-face-m4"), std::string::npos) << "lists the known names";
}

TEST(Network, RunsAtAnyInputSize)
{
    for (const char* arch : {"RPool_Face_M4", "RPool_Face_QVGA_monochrome", "RPool_Face_Quant", "RPool_Face_C"}) {
        auto model = randomModel(arch, 5);
        ASSERT_TRUE(model) << model.error();
        const auto& spec = model->spec();
        for (auto [w, h] : {std::pair<int64_t, int64_t>{333, 251}, {128, 96}, {97, 131}}) {
            SCOPED_TRACE(std::string(arch) + " " + std::to_string(w) + "x" + std::to_string(h));
            Tensor input({spec.inputChannels, h, w}, 1.0f);
            auto run = model->network->run(input);
            ASSERT_TRUE(run) << run.error();
            const HeadOutputs heads = collectHeads(*model->network, *run);
            const auto priors = makePriors(heads.featureMaps, w, h, *spec.detector);
            EXPECT_EQ(priors.size(), heads.loc.size()) << "one prior per location";
            EXPECT_EQ(heads.conf.size() * 2, heads.loc.size());
            for (float v : heads.loc)
                ASSERT_TRUE(std::isfinite(v));
        }
    }
}

TEST(Network, TooSmallInputIsAMessageNotACrash)
{
    auto model = randomModel("RPool_Face_C", 1);
    ASSERT_TRUE(model);
    Tensor input({3, 6, 6});
    auto run = model->network->run(input);
    ASSERT_FALSE(run);
    EXPECT_NE(run.error().find("rnnpool"), std::string::npos) << run.error();
    Tensor wrongChannels({1, 480, 640});
    auto wrong = model->network->run(wrongChannels);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().find("3-channel"), std::string::npos) << wrong.error();
}

// A size no machine here can hold is refused before anything is allocated,
// naming the size and the first layer that does not fit; ordinary sizes pass.
// (Only shapes: the test never allocates the huge input.)
TEST(Network, InputTooLargeForMemoryIsRefusedByLayer)
{
    auto model = randomModel("RPool_Face_M4", 1);
    ASSERT_TRUE(model);
    EXPECT_TRUE(model->network->checkMemory({1, 240, 320}));
    EXPECT_TRUE(model->network->checkMemory({1, 4096, 4096}));
    const Status huge = model->network->checkMemory({1, 400000, 400000}); // 640 GB of input alone
    ASSERT_FALSE(huge);
    EXPECT_NE(huge.error().find("input size 400000x400000 is beyond the limit of 4096 pixels a side and 16.8 MP"),
              std::string::npos) << huge.error();
    EXPECT_FALSE(model->network->checkMemory({1, 4097, 16}));
    EXPECT_FALSE(model->network->checkMemory({1, 4096, 4097}));

    // Within the size limit, a layer beyond the activation budget (2 GiB for
    // one layer's input and output) is named before anything is allocated.
    auto spec = parseArchSpec(R"({"name": "wide", "input": {"channels": 1, "width": 64, "height": 64},
        "layers": [{"name": "widen", "op": "conv", "out": 64, "kernel": 1, "weights": "w"}]})", "wide.json");
    ASSERT_TRUE(spec) << spec.error();
    auto wide = Network::build(*spec);
    ASSERT_TRUE(wide) << wide.error();
    EXPECT_TRUE(wide->checkMemory({1, 1024, 1024}));
    const Status budget = wide->checkMemory({1, 4096, 4096}); // 64 x 16.8 M floats = 4 GiB out
    ASSERT_FALSE(budget);
    EXPECT_NE(budget.error().find("layer 'widen' alone needs 4.1 GiB"), std::string::npos) << budget.error();
    EXPECT_NE(budget.error().find("kMaxActivationBytes"), std::string::npos) << budget.error();
    const Status wrongChannels = model->network->checkMemory({3, 240, 320});
    ASSERT_FALSE(wrongChannels);
    EXPECT_NE(wrongChannels.error().find("1-channel"), std::string::npos) << wrongChannels.error();
}

TEST(ArchSpec, BadSpecsNameTheLayerAndTheProblem)
{
    const std::string head = R"({"name":"T","input":{"channels":1,"width":32,"height":32},"layers":[)";
    struct Case {
        std::string layers, expected;
    };
    const Case cases[] = {
        {R"({"name":"a","op":"conv","out":4,"kernel":3,"weights":"w"},{"name":"b","op":"warp"})", "unknown op 'warp'"},
        {R"({"name":"a","op":"conv","kernel":3,"weights":"w"})", "missing 'out'"},
        {R"({"name":"a","op":"conv","out":4,"weights":"w","input":"nowhere"})", "input 'nowhere'"},
        {R"({"name":"a","op":"conv","out":4,"groups":3,"weights":"w"})", "groups"},
        {R"({"name":"a","op":"conv","out":4,"weights":"w"},{"name":"a","op":"l2norm","weights":"n"})", "used twice"},
        {R"({"name":"a","op":"rnnpool","h1":999,"h2":8,"weights":"r"})", "at most"},
    };
    for (const Case& c : cases) {
        auto spec = parseArchSpec(head + c.layers + "]}", "test.json");
        ASSERT_TRUE(spec) << spec.error();
        auto net = Network::build(*spec);
        ASSERT_FALSE(net) << c.layers;
        EXPECT_NE(net.error().find(c.expected), std::string::npos) << net.error();
        EXPECT_NE(net.error().find("layer '"), std::string::npos) << net.error();
    }
    auto broken = parseArchSpec("{not json", "broken.json");
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().find("broken.json"), std::string::npos);
}

TEST(Loading, CheckpointOfAnotherArchitectureIsRefusedByName)
{
    RNNPOOL_REQUIRE_SHARED();
    LoadOptions options;
    options.arch = "RPool_Face_Quant";
    auto model = loadModel(testing::goldenDir() / "RPool_Face_M4_240x320.pth", options);
    ASSERT_FALSE(model);
    EXPECT_NE(model.error().find("RPool_Face_M4_240x320.pth"), std::string::npos) << model.error();
    EXPECT_NE(model.error().find("tensor '"), std::string::npos) << model.error();
}

TEST(Loading, NativeFileRoundTripKeepsTheSpecAndWeights)
{
    auto model = randomModel("RPool_Face_QVGA_monochrome", 11);
    ASSERT_TRUE(model);
    const auto path = std::filesystem::temp_directory_path() / ("rnnpool_native_" + std::to_string(::getpid()) + ".safetensors");
    ASSERT_TRUE(saveModel(*model, path));
    auto loaded = loadModel(path);
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(loaded->spec().name, "rnnpool-face-qvga-mono");
    Tensor input({1, 96, 128}, 0.5f);
    auto a = model->network->run(input), b = loaded->network->run(input);
    ASSERT_TRUE(a && b);
    const Tensor& oa = a->outputs.back();
    const Tensor& ob = b->outputs.back();
    ASSERT_EQ(oa.shape(), ob.shape());
    for (int64_t i = 0; i < oa.numel(); ++i)
        ASSERT_EQ(oa.data()[i], ob.data()[i]) << "bit-identical after a round trip";
    std::filesystem::remove(path);
}


TEST(Threads, ResultsAreIdenticalWhateverTheThreadCount)
{
    for (const char* arch : {"RPool_Face_M4", "RPool_Face_C"}) {
        auto model = randomModel(arch, 21);
        ASSERT_TRUE(model);
        const auto& spec = model->spec();
        Tensor input({spec.inputChannels, 240, 320});
        for (int64_t i = 0; i < input.numel(); ++i)
            input.data()[i] = static_cast<float>((i * 131) % 241) - 120.0f;
        setEngineThreads(1);
        auto one = model->network->run(input);
        setEngineThreads(2);
        auto two = model->network->run(input);
        setEngineThreads(1);
        ASSERT_TRUE(one && two);
        for (const auto& [loc, conf] : model->network->heads())
            for (int node : {loc, conf}) {
                const Tensor& a = one->outputs[static_cast<size_t>(node)];
                const Tensor& b = two->outputs[static_cast<size_t>(node)];
                ASSERT_EQ(a.numel(), b.numel());
                for (int64_t i = 0; i < a.numel(); ++i)
                    ASSERT_EQ(a.data()[i], b.data()[i]) << arch << " output " << node << " element " << i;
            }
    }
}

} // namespace
} // namespace rnnpool
