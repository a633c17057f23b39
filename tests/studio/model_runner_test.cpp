// ModelRunner and SourcePlayer: frames that arrive while a detection runs are
// dropped, never queued, and the live RAM measurement follows its policy and
// equals the command line's planned peak.
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include "studio/model_runner.h"
#include "studio/source_player.h"
#include "studio_test_support.h"
#include "widgets/analysis_test_support.h"

namespace rnnpool::studio {
namespace {

using testing::loadModel;
using testing::sampleFrame;
using testing::waitUntil;

// Every detection the runner reports, in order.
struct Outcomes {
    explicit Outcomes(ModelRunner& runner)
    {
        QObject::connect(&runner, &ModelRunner::detectionFinished, &runner,
                         [this](const DetectionOutcome& o) { list.push_back(o); });
    }
    std::vector<DetectionOutcome> list;

    // Submits sample frame `index` and waits for its outcome.
    DetectionOutcome detectOne(ModelRunner& runner, int64_t index)
    {
        const auto before = list.size();
        runner.submitFrame(sampleFrame(index));
        EXPECT_TRUE(waitUntil([&] { return list.size() > before && !runner.isBusy(); }));
        return list.empty() ? DetectionOutcome{} : list.back();
    }
};

TEST(ModelRunner, FramesArrivingWhileADetectionRunsAreDroppedNotQueued)
{
    ModelRunner runner;
    ASSERT_TRUE(loadModel(runner, QStringLiteral("rnnpool-face-m4")));
    ASSERT_TRUE(waitUntil([&] { return !runner.isBusy(); }));
    Outcomes finished(runner);
    // Ten frames without returning to the event loop: the first starts a job,
    // each later one replaces the one waiting.
    constexpr int kFrames = 10;
    for (int i = 0; i < kFrames; ++i)
        runner.submitFrame(sampleFrame(i));
    ASSERT_TRUE(waitUntil([&] { return !runner.isBusy() && finished.list.size() >= 2; }));
    const auto& outcomes = finished.list;
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_EQ(outcomes[0].frameIndex, 0);
    EXPECT_EQ(outcomes[1].frameIndex, kFrames - 1); // the newest, not the next in line
    EXPECT_EQ(runner.droppedFrames(), kFrames - 2);
    EXPECT_EQ(outcomes[1].droppedFrames, kFrames - 2);
    EXPECT_EQ(static_cast<int64_t>(outcomes.size()) + runner.droppedFrames(), kFrames);
}

TEST(ModelRunner, AFastVideoIsThinnedToWhatDetectionKeepsUpWith)
{
    // 240 frames at 240 fps (one second), while every frame is also measured in
    // the metered arena: far more than one core analyses, so frames must drop.
    const QString video = testing::writeSampleVideo(240, 240.0);
    ASSERT_FALSE(video.isEmpty());
    ModelRunner runner;
    runner.setRamMetering(RamMetering::EveryFrame);
    SourcePlayer player;
    QObject::connect(&player, &SourcePlayer::frameReady, &runner, &ModelRunner::submitFrame);
    QObject::connect(&runner, &ModelRunner::idle, &player, &SourcePlayer::frameDone);
    ASSERT_TRUE(loadModel(runner, QStringLiteral("rnnpool-face-m4")));
    Outcomes finished(runner);
    QSignalSpy ended(&player, &SourcePlayer::ended);
    ASSERT_TRUE(player.open(SourceRequest::file(SourceRequest::Video, video)));
    player.play();
    ASSERT_TRUE(waitUntil([&] { return !ended.isEmpty() && !runner.isBusy(); }));
    const auto analysed = static_cast<int64_t>(finished.list.size());
    EXPECT_GT(runner.droppedFrames(), 0);
    EXPECT_GT(analysed, 1);
    EXPECT_EQ(analysed + runner.droppedFrames(), 240);
    // Frames are analysed in the order they were shown.
    const auto& outcomes = finished.list;
    for (size_t i = 1; i < outcomes.size(); ++i)
        EXPECT_GT(outcomes[i].frameIndex, outcomes[i - 1].frameIndex);
}

TEST(ModelRunner, RamMeteringFollowsItsPolicyAndMeasuresThePlannedPeakInTheFramesNumerics)
{
    // The sample picture (512x600) runs at the model's area with its aspect kept: 256x300.
    const auto cli = widgets::testing::cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype f32 --input 256x300x1 --json");
    ASSERT_FALSE(cli.is_null());
    ModelRunner runner;
    ASSERT_TRUE(loadModel(runner, QStringLiteral("rnnpool-face-m4")));
    Outcomes finished(runner);
    auto detectOne = [&](int64_t index) { return finished.detectOne(runner, index); };
    runner.setRamMetering(RamMetering::EveryFrame);
    ASSERT_EQ(detectOne(0).input, (Shape{1, 300, 256}));
    for (int64_t i = 1; i < 3; ++i)
        EXPECT_EQ(detectOne(i).measuredPeakBytes, cli["peak_bytes"].get<int64_t>()) << "frame " << i;
    runner.setRamMetering(RamMetering::Off);
    EXPECT_EQ(detectOne(3).measuredPeakBytes, -1);
    // Once a second: a frame more than a second after the last measurement is
    // measured, the frame right after it is not.
    runner.setRamMetering(RamMetering::OncePerSecond);
    QTest::qWait(1100);
    EXPECT_EQ(detectOne(4).measuredPeakBytes, cli["peak_bytes"].get<int64_t>());
    EXPECT_EQ(detectOne(5).measuredPeakBytes, -1);
    EXPECT_FALSE(finished.list.back().measuredInt8);
    // With int8 numerics a frame is metered in the int8 arena: the paper
    // schedule's int8 peak, as `profile --dtype i8 --execute` measures it.
    const auto cli8 = widgets::testing::cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype i8 --input 256x300x1 --json");
    ASSERT_FALSE(cli8.is_null());
    runner.setRamMetering(RamMetering::EveryFrame);
    runner.setNumerics(Numerics::Int8);
    for (int64_t i = 6; i < 8; ++i) {
        const DetectionOutcome outcome = detectOne(i);
        EXPECT_TRUE(outcome.measuredInt8);
        EXPECT_EQ(outcome.measuredPeakBytes, cli8["peak_bytes"].get<int64_t>()) << "frame " << i;
    }
}

TEST(RamMetering, NamesRoundTripAndUnknownOnesAreRefused)
{
    for (RamMetering p : {RamMetering::EveryFrame, RamMetering::OncePerSecond, RamMetering::Off})
        EXPECT_EQ(ramMeteringFromName(ramMeteringName(p)), p);
    EXPECT_FALSE(ramMeteringFromName(QStringLiteral("sometimes")));
}

} // namespace
} // namespace rnnpool::studio
