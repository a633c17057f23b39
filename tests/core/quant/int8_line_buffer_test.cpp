// The linebuffer schedule on the int8 engine for RNNPool-Face-Quant, the
// authors' 2020 checkpoint quantised as `--dtype i8` does: a VGA picture, a
// stem read by both head 0 and RNNPool, padded convolutions as layers (their
// padding rows held in the buffers), inverted residuals and RNNPool from line
// buffers, the heads decoded row by row into a store of candidates. The
// detections must equal the plain int8 engine's, and the bytes in use peak
// where the plan says.
#include <random>

#include <gtest/gtest.h>

#include "detect/post_process.h"
#include "model/default_model.h"
#include "model/model.h"
#include "profile/arena.h"
#include "profile/line_buffer.h"
#include "quant/candidate_store.h"
#include "quant/int8_detector.h"
#include "quant/int8_line_buffer.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

TEST(Int8LineBuffer, FaceQuantHeadsEqualThePlainEngineAndThePeakThePlan)
{
    auto model = loadModel(testing::authorsDir() / "rpool_face_quant_2020-04-21.pth");
    ASSERT_TRUE(model) << model.error();
    auto net8 = int8NetworkFor(*model);
    ASSERT_TRUE(net8) << net8.error();
    const Network& net = *(*net8)->model().network;
    const Shape shape{3, 480, 640};
    // A picture with structure: a gradient with a bright square, so padding and windows matter.
    Tensor picture(shape, 0.0f);
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < 480; ++y)
            for (int64_t x = 0; x < 640; ++x)
                picture.at(c, y, x) = (x > 200 && x < 400 && y > 100 && y < 300) ? 1.5f : static_cast<float>(x + y * c) / 700.0f - 0.6f;
    auto plain = (*net8)->run(picture);
    ASSERT_TRUE(plain) << plain.error();
    const std::vector<int8_t> inputHwc = quantizeInputHwc(picture, (*net8)->model().input);
    auto timeline = buildTimeline(net, lineBufferSchedule(net), shape, {ElementType::I8, true});
    ASSERT_TRUE(timeline) << timeline.error();
    const MemoryPlan plan = planGreedyBySize(bufferRequests(*timeline));
    auto run = runInt8LineBuffered(**net8, *timeline, plan, inputHwc, shape);
    ASSERT_TRUE(run) << run.error();
    EXPECT_TRUE(run->violations.empty()) << run->violations.front();
    EXPECT_EQ(run->highWaterBytes, timeline->peakBytes);
    // The heads' maps (153,600 B whole) are decoded row by row into the store
    // of the 5,000 best candidates (50,000 B): the same detections as the
    // plain engine's heads through postProcess, field for field.
    ASSERT_TRUE(run->headsDecoded);
    const std::vector<Detection> expected = postProcess((*net8)->heads(*plain), 640, 480, *net.spec().detector);
    ASSERT_FALSE(expected.empty());
    ASSERT_EQ(run->detections.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(run->detections[i].score, expected[i].score) << i;
        EXPECT_EQ(run->detections[i].x1, expected[i].x1) << i;
        EXPECT_EQ(run->detections[i].y1, expected[i].y1) << i;
        EXPECT_EQ(run->detections[i].x2, expected[i].x2) << i;
        EXPECT_EQ(run->detections[i].y2, expected[i].y2) << i;
    }
    // The goal: RNNPool-Face-Quant in int8, the picture counted, at most 230,400 B executed.
    EXPECT_LE(run->highWaterBytes, 230400);
}

// The store keeps the best nmsTopK candidates in postProcess's order, ties
// included (int8 scores tie often): random int8 rows of two heads, far more
// candidates than the store holds, give postProcess's detections on the same
// values dequantised.
TEST(CandidateStore, KeepsWhatPostProcessKeepsFromRowsInAnyNumber)
{
    DetectorConfig config;
    config.steps = {8, 16};
    config.anchorSizes = {16, 48};
    config.confidenceThreshold = 0.05f;
    config.nmsTopK = 60;
    config.keepTopK = 25;
    const std::vector<std::pair<int64_t, int64_t>> maps{{12, 16}, {6, 8}};
    const ActivationQuant locQ[2] = {{0.05f, 3}, {0.08f, -7}}, confQ[2] = {{0.1f, -20}, {0.06f, 11}};
    std::mt19937 random(7);
    std::uniform_int_distribution<int> value(-128, 127);
    std::vector<std::vector<int8_t>> loc(2), conf(2);
    HeadOutputs heads;
    for (size_t k = 0; k < 2; ++k) {
        heads.featureMaps.push_back(maps[k]);
        for (int64_t i = 0; i < maps[k].first * maps[k].second; ++i) {
            for (int c = 0; c < 4; ++c)
                loc[k].push_back(static_cast<int8_t>(value(random)));
            for (int c = 0; c < 2; ++c)
                conf[k].push_back(static_cast<int8_t>(value(random) / 16)); // few distinct scores: ties
        }
        for (int8_t v : loc[k])
            heads.loc.push_back(locQ[k].dequantize(v));
        for (int8_t v : conf[k])
            heads.conf.push_back(confQ[k].dequantize(v));
    }
    std::vector<uint8_t> storage(static_cast<size_t>(config.nmsTopK * kCandidateBytes));
    CandidateStore store(storage.data(), config, 320, 240, maps);
    for (size_t k = 0; k < 2; ++k)
        for (int64_t y = 0; y < maps[k].first; ++y)
            store.addRow(k, y, loc[k].data() + y * maps[k].second * 4, conf[k].data() + y * maps[k].second * 2, locQ[k], confQ[k]);
    EXPECT_EQ(store.size(), config.nmsTopK); // full: the replacement path ran
    const std::vector<Detection> expected = postProcess(heads, 320, 240, config);
    const std::vector<Detection> got = store.detections();
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(got[i].score, expected[i].score) << i;
        EXPECT_EQ(got[i].x1, expected[i].x1) << i;
        EXPECT_EQ(got[i].y2, expected[i].y2) << i;
    }
}

// Odd picture sizes: the padding rows below a map (stored when a reader first
// reads them), windows cut by the picture's edge and RNNPool's replicated
// rows all line up with the whole-map engine, bit for bit, on the default
// model (heads kept whole) and on Face-Quant (heads decoded).
TEST(Int8LineBuffer, OddSizesEqualThePlainEngine)
{
    auto m4 = loadDefaultModel();
    ASSERT_TRUE(m4) << m4.error();
    auto quant = loadModel(testing::authorsDir() / "rpool_face_quant_2020-04-21.pth");
    ASSERT_TRUE(quant) << quant.error();
    for (const Model* model : {&*m4, &*quant}) {
        auto net8 = int8NetworkFor(*model);
        ASSERT_TRUE(net8) << net8.error();
        const Network& net = *(*net8)->model().network;
        for (const auto& [h, w] : {std::pair<int64_t, int64_t>{65, 97}, {245, 323}}) {
            const Shape shape{net.spec().inputChannels, h, w};
            Tensor picture(shape, 0.0f);
            for (int64_t i = 0; i < picture.numel(); ++i)
                picture.data()[i] = static_cast<float>((i * 7919) % 1000) / 500.0f - 1.0f;
            auto plain = (*net8)->run(picture);
            ASSERT_TRUE(plain) << plain.error();
            auto timeline = buildTimeline(net, lineBufferSchedule(net), shape, {ElementType::I8, true});
            ASSERT_TRUE(timeline) << timeline.error();
            auto run = runInt8LineBuffered(**net8, *timeline, planGreedyBySize(bufferRequests(*timeline)),
                                           quantizeInputHwc(picture, (*net8)->model().input), shape);
            ASSERT_TRUE(run) << net.spec().name << " " << w << "x" << h << ": " << run.error();
            EXPECT_EQ(run->highWaterBytes, timeline->peakBytes);
            if (run->headsDecoded) {
                const std::vector<Detection> expected = postProcess((*net8)->heads(*plain), w, h, *net.spec().detector);
                ASSERT_EQ(run->detections.size(), expected.size()) << net.spec().name << " " << w << "x" << h;
                for (size_t i = 0; i < expected.size(); ++i)
                    EXPECT_EQ(run->detections[i].x1, expected[i].x1) << i;
            } else {
                for (const auto& [loc, conf] : net.heads())
                    for (int node : {loc, conf})
                        EXPECT_EQ(run->maps[static_cast<size_t>(node)], plain->maps[static_cast<size_t>(node)])
                            << net.spec().name << " " << w << "x" << h << " " << net.nodes()[static_cast<size_t>(node)].name;
            }
        }
    }
}

// A buffer's capacity comes from the sweep: the picture, read by a 3x3
// stride-2 convolution, holds its window of 3 rows (the padding row above
// among them at first; the row arriving completes a window), and
// a unit the schedule cannot run a row at a time is refused by name.
TEST(LineBufferPlan, CapacitiesFollowTheWindowsAndGlobalPoolsAreRefused)
{
    auto spec = findArchitecture("rnnpool-face-quant");
    ASSERT_TRUE(spec) << spec.error();
    auto net = Network::build(*spec);
    ASSERT_TRUE(net) << net.error();
    auto plan = planLineBuffer(*net, {3, 480, 640});
    ASSERT_TRUE(plan) << plan.error();
    for (const LineBufferMap& m : plan->maps) {
        if (m.whole)
            EXPECT_EQ(m.capacityRows, m.padTop + m.height + m.padBottom);
        else
            EXPECT_LE(m.capacityRows, 12) << m.node; // a few rows, never the map
    }
    EXPECT_EQ(plan->maps[0].padTop, 1);
    EXPECT_EQ(plan->maps[0].capacityRows, 3); // stem.0: 3x3 stride 2 on the picture
    auto classifier = findArchitecture("mobilenetv2");
    ASSERT_TRUE(classifier) << classifier.error();
    auto mobilenet = Network::build(*classifier);
    ASSERT_TRUE(mobilenet) << mobilenet.error();
    auto refused = planLineBuffer(*mobilenet, {3, 224, 224});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("not one of them"), std::string::npos) << refused.error();
}

} // namespace
} // namespace rnnpool
