// The RNNPool sweep view on a real trace (RPool_Face_M4, seeded random
// weights), and the live view's patch grid: clicks select the patch under the
// pointer, in picture pixels.
// First: ops/rnnpool.h cannot follow a Qt header (see widgets/rnnpool_trace_view.h).
#include "engine/inspect.h"
#include "model/model.h"

#include <QLocale>
#include <QSignalSpy>
#include <QTest>

#include <QCoreApplication>
#include <QSlider>

#include <gtest/gtest.h>

#include "qt_printers.h"

#include "widgets/detection_view.h"
#include "widgets/heatmap.h"
#include "widgets/rnnpool_trace_view.h"

namespace rnnpool::widgets {
namespace {

// RPool_Face_M4 with seeded random weights, run on a fixed picture-like input
// keeping every layer's output.
struct M4Run {
    Model model;
    Tensor input = Tensor(Shape{1, 120, 160});
    RunResult run;
    int pool = -1; // the RNNPool layer

    M4Run()
    {
        auto m = randomModel("RPool_Face_M4", 7);
        EXPECT_TRUE(m) << m.error();
        model = std::move(*m);
        for (int64_t i = 0; i < input.numel(); ++i)
            input.data()[i] = static_cast<float>((i * 37) % 255) - 128.0f;
        RunOptions options;
        options.keepAllOutputs = true;
        auto r = model.network->run(input, options);
        EXPECT_TRUE(r) << r.error();
        run = std::move(*r);
        pool = rnnPoolLayers(*model.network).front();
    }

    RnnPoolTrace trace(int64_t row, int64_t col) const
    {
        auto t = traceRnnPoolPatch(*model.network, input, run, model.network->nodes()[static_cast<size_t>(pool)].name, row, col);
        EXPECT_TRUE(t) << t.error();
        return t ? *t : RnnPoolTrace{};
    }
};

TEST(RnnPoolTraceView, ShowsATraceAndStepsThroughItsTime)
{
    RnnPoolTraceView view;
    view.resize(1400, 900);
    view.show();
    const RnnPoolTrace trace = M4Run().trace(2, 3);
    ASSERT_GT(trace.size, 1);
    view.setTrace(trace, QImage(), QStringLiteral("rnnpool · patch (2, 3)"));
    EXPECT_TRUE(view.canvas()->hasTrace());
    EXPECT_EQ(view.step(), trace.size - 1) << "a new patch opens on its result";
    view.setStep(0);
    EXPECT_EQ(view.step(), 0);
    view.setStep(1000);
    EXPECT_EQ(view.step(), trace.size - 1) << "clamped to the last step";

    // The first and last steps look different: later steps are faded at step 0.
    view.setStep(0);
    const QImage first = view.canvas()->grab().toImage();
    view.setStep(static_cast<int>(trace.size) - 1);
    const QImage last = view.canvas()->grab().toImage();
    EXPECT_NE(first, last);

    // The hover readout names the heatmap, step, unit and the state's value.
    view.canvas()->grab(); // painting records where each heatmap is
    bool found = false;
    for (int y = 0; y < view.canvas()->height() && !found; y += 2)
        for (int x = 0; x < view.canvas()->width() && !found; x += 2) {
            const QString text = view.canvas()->describeAt({x, y});
            if (!text.startsWith(QStringLiteral("RNN1 row 0 · step 1 of ")))
                continue;
            found = true;
            const float h = trace.rowSweeps.data()[0]; // row 0, step 0, unit 0
            // The first step is step 1, as the slider counts (8 / 8 at the last).
            EXPECT_EQ(text, QStringLiteral("RNN1 row 0 · step 1 of %1 · unit 0 · h = %2")
                                .arg(trace.size)
                                .arg(QLocale().toString(static_cast<double>(h), 'f', 4)));
        }
    EXPECT_TRUE(found) << "no point of the canvas reads RNN1 row 0, step 0, unit 0";
    EXPECT_TRUE(view.canvas()->describeAt({1, 1}).isEmpty());

    view.clear(QStringLiteral("no patch"));
    EXPECT_FALSE(view.canvas()->hasTrace());
}

// With the int8 numerics' variant box beside a long title, the step slider
// keeps room to be used; the title is elided and whole in its tooltip.
TEST(RnnPoolTraceView, ALongTitleGivesWayToTheStepSlider)
{
    RnnPoolTraceView view;
    view.resize(700, 500);
    view.setVariants({QStringLiteral("Q15 (int8 engine)"), QStringLiteral("float32 (same input)"), QStringLiteral("difference")});
    const RnnPoolTrace trace = M4Run().trace(2, 3);
    const QString title = QStringLiteral("rnnpool · patch at row 12, column 16 of its 31×36 (W×H) grid · grace_hopper.jpg · Q15 (int8 engine)");
    view.setTrace(trace, QImage(), title);
    view.show();
    QCoreApplication::processEvents();
    EXPECT_GE(view.stepSlider()->width(), 120);
    EXPECT_EQ(view.title(), title);
    EXPECT_NE(view.shownTitle(), title);
    EXPECT_TRUE(view.shownTitle().endsWith(QChar(0x2026))) << view.shownTitle().toStdString();
    // Wide enough, the title is shown whole.
    view.resize(1800, 500);
    QCoreApplication::processEvents();
    EXPECT_EQ(view.shownTitle(), title);
}

TEST(RnnPoolTraceView, TheTraceOutputIsTheLayerOutputAtThatPatch)
{
    // What the view shows as the 4·h2 vector must be what the network computed there.
    const M4Run m4;
    const Tensor& out = m4.run.outputs[static_cast<size_t>(m4.pool)];
    const RnnPoolTrace trace = m4.trace(2, 3);
    ASSERT_EQ(trace.output.numel(), out.dim(0));
    for (int64_t c = 0; c < out.dim(0); ++c)
        EXPECT_NEAR(trace.output.data()[c], out.at(c, 2, 3), 1e-5) << "channel " << c;
}

TEST(DetectionViewPatchGrid, AClickSelectsThePatchUnderThePointer)
{
    DetectionView view;
    view.resize(400, 300);
    view.show();
    QImage picture(200, 150, QImage::Format_RGB32);
    picture.fill(Qt::gray);
    view.setFrame(picture, {}, 0.5f);
    // Patches every 10 picture pixels, 20 wide: a 14 × 19 grid.
    view.setPatchGrid(PatchGrid{14, 19, 10.0, 10.0, 20.0, 20.0});
    QSignalSpy clicked(&view, &DetectionView::patchClicked);

    QTest::mouseClick(&view, Qt::LeftButton, {}, view.mapFromPicture({55, 32}).toPoint());
    EXPECT_EQ(clicked.count(), 0) << "no selection while the grid is hidden";

    view.setGridVisible(true);
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.mapFromPicture({55, 32}).toPoint());
    ASSERT_EQ(clicked.count(), 1);
    EXPECT_EQ(clicked.at(0).at(0).toInt(), 3); // row: 32 / 10
    EXPECT_EQ(clicked.at(0).at(1).toInt(), 5); // col: 55 / 10
    EXPECT_EQ(view.selectedPatch(), QPoint(3, 5));
    EXPECT_EQ(view.patchRect(3, 5), QRectF(50, 30, 20, 20));
    // The far corner belongs to the last patch, not one past it.
    EXPECT_EQ(view.patchAt(view.mapFromPicture({199, 149})), QPoint(13, 18));
}

} // namespace
} // namespace rnnpool::widgets
