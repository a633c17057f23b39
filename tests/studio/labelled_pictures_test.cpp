// Labelled pictures in the window: stepping through a labelled folder draws
// each picture's faces beside the detections, and the Accuracy tab's AP over
// the pictures seen equals `rnnpool eval` on the same pictures; a click on
// the curve sets the score threshold.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <QFileInfo>
#include <QSignalSpy>

#include <gtest/gtest.h>

#include "eval/labelled_session.h"
#include "studio/main_window.h"
#include "studio_test_support.h"
#include "widgets/analysis_test_support.h"
#include "widgets/detection_view.h"
#include "widgets/precision_recall_view.h"

namespace rnnpool::studio {
namespace {

using testing::waitUntil;
using widgets::testing::cliJson;

TEST(LabelledPictures, TheAccuracyTabScoresThePicturesSeenAsEvalDoes)
{
    const std::filesystem::path data = std::filesystem::path(RNNPOOL_SHARED_DIR) / "datasets" / "wider-face-val-subset";
    if (!std::filesystem::exists(data / "labels.txt"))
        GTEST_SKIP() << "the shared dataset is absent (" << data << ")";
    MainWindow window{MainWindow::Settings::Ignore};
    window.resize(1200, 800);
    window.show();
    window.openModel({});
    ASSERT_TRUE(window.openLabels(QString::fromStdString((data / "labels.txt").string())));
    window.openSource(SourceRequest::file(SourceRequest::Folder, QString::fromStdString((data / "images" / "1--Handshaking").string())));
    const auto settledAt = [&](int64_t frame) {
        return waitUntil([&] {
            return window.lastOutcome() && window.lastOutcome()->frameIndex == frame && !window.runner().isBusy() && window.labels() &&
                   window.labels()->seen() == frame + 1;
        });
    };
    constexpr int kPictures = 3;
    ASSERT_TRUE(settledAt(0));
    for (int64_t f = 1; f < kPictures; ++f) {
        window.player().step();
        ASSERT_TRUE(settledAt(f)) << "frame " << f;
    }
    ASSERT_EQ(window.errorCount(), 0);
    // The folder's first pictures are the labels' first entries (both sorted by name).
    for (int i = 0; i < kPictures; ++i)
        EXPECT_NE(window.labels()->find(window.labels()->picture(i).path), -1);

    const auto eval = cliJson("eval --images " + (data / "images").string() + " --labels " + (data / "labels.txt").string() +
                              " --limit " + std::to_string(kPictures) + " --json");
    ASSERT_FALSE(eval.is_null());
    const nlohmann::json& e = eval.is_array() ? eval[0] : eval;
    const auto* view = window.accuracyView();
    EXPECT_EQ(view->result().numFaces, e["num_faces"].get<int>());
    EXPECT_NEAR(view->result().ap, e["ap"].get<double>(), 1e-9);
    EXPECT_TRUE(view->summaryText().contains(QString::number(e["ap"].get<double>(), 'f', 4))) << view->summaryText().toStdString();

    // The picture shown has its faces drawn, each found or missed at the threshold.
    const auto* detections = window.findChild<widgets::DetectionView*>();
    ASSERT_NE(detections, nullptr);
    EXPECT_TRUE(detections->hasLabels());
    const int labelled = static_cast<int>(window.labels()->picture(kPictures - 1).faces.size());
    EXPECT_LE(detections->foundCount() + detections->missedCount(), labelled); // faces below the minimum are neither

    // A click on the curve's first point (the strongest detection) sets the threshold to its score.
    ASSERT_FALSE(view->result().scores.empty());
    QSignalSpy picked(view, &widgets::PrecisionRecallView::thresholdPicked);
    const_cast<widgets::PrecisionRecallView*>(view)->pickNearest(view->result().recall.front(), view->result().precision.front());
    ASSERT_EQ(picked.count(), 1);
    EXPECT_FLOAT_EQ(picked.front().front().toFloat(), view->result().scores.front());
    EXPECT_NEAR(detections->threshold(), std::round(view->result().scores.front() * 100.0f) / 100.0f, 1e-6f);
}

TEST(LabelledPictures, AnUnreadableLabelsFileIsReportedNotLoaded)
{
    MainWindow window{MainWindow::Settings::Ignore};
    const QString missing = QStringLiteral("/nonexistent/labels.txt");
    EXPECT_FALSE(window.openLabels(missing));
    EXPECT_EQ(window.labels(), nullptr);
    EXPECT_GE(window.errorCount(), 1);
}

} // namespace
} // namespace rnnpool::studio
