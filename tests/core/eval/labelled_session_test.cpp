// LabelledSession: finding a picture's labels by the end of its path, and the
// AP of the pictures seen equal to evaluateFaces (what `rnnpool eval` runs) on
// the same pictures, whatever order they were seen in and however often.
#include <algorithm>

#include <gtest/gtest.h>

#include "engine/preprocess.h"
#include "eval/face_evaluation.h"
#include "eval/labelled_session.h"
#include "model/default_model.h"
#include "support/shared_data.h"

namespace rnnpool {
namespace {

TEST(LabelledSession, FindsLabelsByTheEndOfThePath)
{
    std::vector<LabeledPicture> labels{{"1--Handshaking/a.jpg", {}}, {"2--Demo/a.jpg", {}}, {"b.jpg", {}}};
    LabelledSession s(labels, 20.0f);
    EXPECT_EQ(s.find("/data/images/2--Demo/a.jpg"), 1);
    EXPECT_EQ(s.find("1--Handshaking/a.jpg"), 0);
    EXPECT_EQ(s.find("/x/b.jpg"), 2);
    EXPECT_EQ(s.find("/x/3--Other/a.jpg"), -1) << "a.jpg in another event is not these labels";
    EXPECT_EQ(s.find("/x/ab.jpg"), -1);
}

TEST(LabelledSession, ThePicturesSeenScoreAsEvalScoresThem)
{
    RNNPOOL_REQUIRE_SHARED();
    const auto dir = testing::sharedDir() / "datasets" / "wider-face-val-subset";
    auto labels = readFaceLabels(dir / "labels.txt");
    ASSERT_TRUE(labels) << labels.error();
    auto model = loadDefaultModel();
    ASSERT_TRUE(model);
    constexpr int kPictures = 6;
    auto source = modelFaces(*model);
    EvaluationOptions options;
    options.limit = kPictures;
    auto part = evaluateFaces(*source, *labels, dir / "images", options);
    ASSERT_TRUE(part) << part.error();
    const EvaluationResult expected = summarize(*part);

    // The same pictures seen out of order, one of them twice.
    LabelledSession session(*labels, options.minFace);
    for (int i : {3, 0, 5, 1, 3, 4, 2}) {
        const LabeledPicture& p = (*labels)[static_cast<size_t>(i)];
        ASSERT_EQ(session.find((dir / "images" / p.path).string()), i);
        auto bgr = loadPicture(dir / "images" / p.path);
        ASSERT_TRUE(bgr);
        const Size2 network = scaledToArea({bgr->cols, bgr->rows}, source->inputArea());
        auto detections = source->detect(*bgr, network);
        ASSERT_TRUE(detections);
        const float sx = static_cast<float>(network.width) / static_cast<float>(bgr->cols);
        const float sy = static_cast<float>(network.height) / static_cast<float>(bgr->rows);
        std::vector<FaceBox> faces;
        for (const FaceBox& f : p.faces)
            faces.push_back({f.x1 * sx, f.y1 * sy, f.x2 * sx, f.y2 * sy});
        const PictureMatch m = session.add(i, faces, *detections);
        ASSERT_EQ(m.detections.size(), detections->size());
        ASSERT_EQ(m.foundAtScore.size(), faces.size());
    }
    EXPECT_EQ(session.seen(), kPictures);
    const EvaluationResult got = session.result();
    EXPECT_EQ(got.numFaces, expected.numFaces);
    EXPECT_EQ(got.numDetections, expected.numDetections);
    EXPECT_DOUBLE_EQ(got.ap, expected.ap);
    EXPECT_EQ(got.precision, expected.precision);
}

TEST(LabelledSession, FacesFoundAtAThresholdFollowTheFindingScore)
{
    // One face, two overlapping detections: the stronger finds it, the weaker is a false alarm.
    LabelledSession s({{"a.jpg", {}}}, 10.0f);
    const std::vector<FaceBox> faces{{10, 10, 50, 50}, {100, 100, 104, 104}};
    const std::vector<ScoredBox> detections{{0.4f, {12, 12, 50, 50}}, {0.9f, {10, 10, 48, 52}}, {0.7f, {100, 100, 104, 104}}};
    const PictureMatch m = s.add(0, faces, detections);
    EXPECT_EQ(m.detections[1], PictureMatch::Outcome::Hit);
    EXPECT_EQ(m.detections[0], PictureMatch::Outcome::FalseAlarm);
    EXPECT_EQ(m.detections[2], PictureMatch::Outcome::Ignored) << "the 4-px face is below the 10-px minimum";
    EXPECT_FLOAT_EQ(m.foundAtScore[0], 0.9f);
    EXPECT_FALSE(m.counted[1]);
}

} // namespace
} // namespace rnnpool
