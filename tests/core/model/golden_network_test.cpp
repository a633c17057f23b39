// The four EdgeML face detectors against goldens computed with the authors' own
// code (../shared/reference/edgeml-golden): raw loc/conf within 1e-4, every
// stage dump (so a failure points at the layer), the detections, and the
// parameter count. Also the checkpoint variants and the authors' 2020 files.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/face_detector.h"
#include "io/npy.h"
#include "io/pth_reader.h"
#include "model/model.h"
#include "support/detection_match.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

constexpr float kTolerance = 1e-4f; // the reference README's tolerance for loc, conf and detections

nlohmann::json readManifest(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in, nullptr, false);
}

Tensor mustRead(const std::filesystem::path& path)
{
    auto t = readNpy(path);
    EXPECT_TRUE(t) << (t ? "" : t.error());
    return t ? std::move(*t) : Tensor();
}

// NCHW (1,C,H,W) golden -> CHW.
Tensor dropBatch(Tensor t)
{
    Shape s(t.shape().begin() + 1, t.shape().end());
    t.reshape(s);
    return t;
}

float maxAbsDiff(const float* a, const float* b, int64_t n)
{
    float m = 0.0f;
    for (int64_t i = 0; i < n; ++i)
        m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

void expectSameDetections(const std::vector<Detection>& ours, const Tensor& golden, const std::string& tag)
{
    const auto cmp = testing::compareDetections(ours, golden, kTolerance);
    EXPECT_EQ(cmp.ourRows, cmp.goldenRows) << tag;
    EXPECT_LE(cmp.unexplained, testing::allowedTieCascade(cmp)) << tag << ": " << cmp.firstUnexplained << " has no match ("
                                  << cmp.matched << " matched, " << cmp.tieSubstitutions << " tie substitutions)";
    EXPECT_GE(cmp.matched, cmp.goldenRows * 9 / 10) << tag;
}

struct Case {
    std::string arch, checkpoint, input, loc, conf, detections;
    std::vector<std::string> stages;
    int64_t params = 0;
    std::string tag;
};

std::vector<Case> goldenCases()
{
    std::vector<Case> cases;
    if (!testing::sharedAvailable())
        return cases;
    for (const auto& j : readManifest(testing::goldenDir() / "manifest.json")) {
        Case c{j["arch"], j["checkpoint"], j["input"], j["loc"], j["conf"], j["detections"],
               j.value("stages", std::vector<std::string>{}), j.value("params", int64_t{0}), ""};
        c.tag = c.checkpoint.substr(0, c.checkpoint.size() - 4);
        cases.push_back(c);
    }
    return cases;
}

void checkAgainstGolden(const Model& model, const std::filesystem::path& dir, const Case& c)
{
    FaceDetector detector(model);
    DetectOptions options;
    options.keepLayerOutputs = true;
    auto result = detector.detectTensor(dropBatch(mustRead(dir / c.input)), options);
    ASSERT_TRUE(result) << result.error();

    const Tensor loc = mustRead(dir / c.loc), conf = mustRead(dir / c.conf);
    ASSERT_EQ(static_cast<int64_t>(result->heads.loc.size()), loc.numel()) << c.tag;
    ASSERT_EQ(static_cast<int64_t>(result->heads.conf.size()), conf.numel()) << c.tag;
    EXPECT_LT(maxAbsDiff(result->heads.loc.data(), loc.data(), loc.numel()), kTolerance) << c.tag << " loc";
    EXPECT_LT(maxAbsDiff(result->heads.conf.data(), conf.data(), conf.numel()), kTolerance) << c.tag << " conf";

    for (const std::string& stage : c.stages) {
        const int layer = model.network->findLayer(stage);
        ASSERT_GE(layer, 0) << c.tag << ": no layer for stage " << stage;
        const Tensor& ours = result->run.outputs[static_cast<size_t>(layer)];
        const Tensor golden = mustRead(dir / (c.tag + ".stage." + stage + ".npy"));
        ASSERT_EQ(ours.numel(), golden.numel()) << c.tag << " stage " << stage;
        // Stages are O(1..10); relative 1e-5 of the magnitude is float32 noise.
        float scale = 1.0f;
        for (int64_t i = 0; i < golden.numel(); ++i)
            scale = std::max(scale, std::abs(golden.data()[i]));
        EXPECT_LT(maxAbsDiff(ours.data(), golden.data(), golden.numel()), kTolerance * scale) << c.tag << " stage " << stage;
    }
    expectSameDetections(result->detections, mustRead(dir / c.detections), c.tag);
}

TEST(GoldenNetworks, AllFourArchitecturesMatchEdgeML)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto cases = goldenCases();
    ASSERT_EQ(cases.size(), 4u);
    for (const Case& c : cases) {
        SCOPED_TRACE(c.tag);
        auto model = loadModel(testing::goldenDir() / c.checkpoint);
        ASSERT_TRUE(model) << model.error();
        // The goldens name EdgeML's architectures; ours are canonical names with EdgeML's as aliases.
        auto expected = findArchitecture(c.arch);
        ASSERT_TRUE(expected) << expected.error();
        EXPECT_EQ(model->spec().name, expected->name) << "architecture recognised from the keys";
        EXPECT_EQ(model->network->paramCount(), c.params);
        checkAgainstGolden(*model, testing::goldenDir(), c);
    }
}

TEST(GoldenNetworks, LegacyAndDataParallelVariantsGiveTheSameOutputs)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto cases = goldenCases();
    const Case& m4 = cases.front();
    ASSERT_EQ(m4.arch, "RPool_Face_M4");
    for (const char* variant : {"RPool_Face_M4_240x320.legacy.pth", "RPool_Face_M4_240x320.dataparallel.pth"}) {
        SCOPED_TRACE(variant);
        LoadOptions options;
        options.arch = "rnnpool-face-m4"; // an alias, matched case-insensitively
        auto model = loadModel(testing::goldenDir() / variant, options);
        ASSERT_TRUE(model) << model.error();
        checkAgainstGolden(*model, testing::goldenDir(), m4);
    }
}

TEST(GoldenNetworks, AuthorsCheckpointsFrom2020)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto manifest = readManifest(testing::authorsDir() / "manifest.json");
    ASSERT_EQ(manifest.size(), 2u);
    for (const auto& j : manifest) {
        Case c{j["arch"], j["checkpoint"], j["input"], j["loc"], j["conf"], j["detections"], {}, 0, j["tag"]};
        SCOPED_TRACE(c.tag);
        auto model = loadModel(testing::authorsDir() / c.checkpoint);
        ASSERT_TRUE(model) << model.error();
        EXPECT_EQ(model->spec().name, findArchitecture(c.arch)->name);
        // A file without the reverse cell says so in the notes.
        auto checkpoint = readCheckpoint(testing::authorsDir() / c.checkpoint);
        ASSERT_TRUE(checkpoint) << checkpoint.error();
        const bool hasReverse = checkpoint->tensors.count("rnn_model.cell_bidirrnn.unrollRNN.RNNCell_reverse.W") > 0;
        bool notedReverse = false;
        for (const std::string& note : model->notes)
            notedReverse = notedReverse || note.find("RNNCell_reverse") != std::string::npos;
        EXPECT_EQ(notedReverse, !hasReverse) << "a missing reverse cell is reported, and only then";
        checkAgainstGolden(*model, testing::authorsDir(), c);
    }
}

TEST(GoldenNetworks, ExplicitLayoutOverridesDetection)
{
    RNNPOOL_REQUIRE_SHARED();
    // The 2020-04-24 file is in the old layout; forcing the current one must
    // fail with a message naming the tensor, not produce wrong numbers.
    LoadOptions options;
    options.rnnLayout = RnnLayout::Current;
    options.arch = "RPool_Face_Quant";
    auto model = loadModel(testing::authorsDir() / "rpool_face_checkpoint_2020-04-24.pth", options);
    ASSERT_FALSE(model);
    EXPECT_NE(model.error().find("rnn_model.cell_rnn.cell.W"), std::string::npos) << model.error();
}

} // namespace
} // namespace rnnpool
