// The M4 tab's emulator panel on a result given as plain data: the memory bars
// in percent of each region's size, the per-layer bars, the faces drawn and
// compared, and Compare's measured columns. (Against a real QEMU run and
// `rnnpool m4 run --json`: tests/studio/main_window_test.cpp.)
#include <QAbstractItemModelTester>
#include <QTabWidget>
#include <QTableWidget>

#include <gtest/gtest.h>

#include "analysis_test_support.h"
#include "qt_printers.h"

#include "widgets/compare_table_model.h"
#include "widgets/emulator_charts.h"
#include "widgets/emulator_panel.h"

namespace rnnpool::widgets {
namespace {

EmulatorRun sampleRun()
{
    EmulatorRun r;
    r.board = QStringLiteral("netduinoplus2");
    r.architecture = QStringLiteral("rnnpool-face-m4");
    r.width = 80;
    r.height = 60;
    r.ran = true;
    r.instructions = 3'000'000;
    r.clockHz = 168e6;
    r.headValues = r.headMatching = 1080;
    r.flashBytes = 80'000;
    r.ramBytes = {{QStringLiteral("SRAM"), 32'768}, {QStringLiteral("CCM"), 512}};
    r.layers = {{QStringLiteral("stem"), 1'000'000, QStringLiteral("standard_conv"), 900'000.0},
                {QStringLiteral("rnnpool"), 2'000'000, QStringLiteral("rnn_matvec"), 2'200'000.0}};
    r.memory = {{QStringLiteral("FLASH"), 1u << 20, 65'536, 80'000},
                {QStringLiteral("SRAM"), 131'072, 30'000, 32'768},
                {QStringLiteral("CCM"), 65'536, 0, 512}};
    r.frame = QImage(200, 100, QImage::Format_RGB32);
    r.frame.fill(Qt::black);
    r.desktopFaces = {{0.9f, QRectF(0.25, 0.2, 0.5, 0.6)}, {0.1f, QRectF(0.0, 0.0, 0.1, 0.1)}};
    r.chipFaces = r.desktopFaces;
    return r;
}

TEST(EmulatorPanel, MemoryBarsArePercentOfEachRegion)
{
    EmulatorPanel panel;
    panel.setResult(sampleRun());
    const auto& bars = panel.memoryChart()->bars();
    ASSERT_EQ(bars.size(), 6u);
    EXPECT_EQ(bars[0].label, QStringLiteral("FLASH planned"));
    EXPECT_NEAR(bars[0].percent, 100.0 * 65'536 / 1'048'576, 1e-9);
    EXPECT_EQ(bars[1].bytes, 80'000u);
    EXPECT_EQ(bars[3].label, QStringLiteral("SRAM measured"));
    EXPECT_NEAR(bars[3].percent, 25.0, 1e-9); // 32 KiB of 128 KiB
    EXPECT_NEAR(bars[5].percent, 100.0 * 512 / 65'536, 1e-9);
    EXPECT_EQ(panel.views()->count(), 3);
}

TEST(EmulatorPanel, ARunAtThePyramidsSizeSaysTheFirmwareRunsOneLevel)
{
    EmulatorPanel panel;
    panel.setResult(sampleRun()); // 80x60
    EXPECT_FALSE(panel.summaryText().contains(QStringLiteral("pyramid"))) << panel.summaryText().toStdString();
    panel.setDetectorPyramid(3, 1.2946, 80, 60);
    panel.setResult(sampleRun());
    EXPECT_TRUE(panel.summaryText().contains(QStringLiteral("image pyramid of 3 levels, about 1.29×")))
        << panel.summaryText().toStdString();
    panel.setDetectorPyramid(3, 1.2946, 320, 240); // the pyramid at another size says nothing of this run
    panel.setResult(sampleRun());
    EXPECT_FALSE(panel.summaryText().contains(QStringLiteral("pyramid")));
    panel.setDetectorPyramid(1, 1.0, 80, 60);
    panel.setResult(sampleRun());
    EXPECT_FALSE(panel.summaryText().contains(QStringLiteral("pyramid")));
}

TEST(EmulatorPanel, ARunOfEveryPyramidLevelListsThemInsteadOfTheEstimate)
{
    EmulatorPanel panel;
    panel.setDetectorPyramid(3, 1.2946, 80, 60);
    EmulatorRun r = sampleRun(); // 80x60
    r.levels = {{80, 60, 1'000'000, 20'000}, {40, 30, 250'000, 0}};
    panel.setResult(r);
    const QString text = panel.summaryText();
    EXPECT_TRUE(text.contains(QStringLiteral("Every level of the image pyramid ran on the chip ("))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("80x60 ") + QLocale::system().toString(1'000'000)) &&
                text.contains(QStringLiteral("40x30 ") + QLocale::system().toString(250'000)) &&
                text.contains(QStringLiteral("pictures ") + QLocale::system().toString(20'000)))
        << text.toStdString();
    EXPECT_FALSE(text.contains(QStringLiteral("an estimate from its multiply-adds"))) << text.toStdString();
}

TEST(EmulatorPanel, LayerBarsAreTheMeasuredAndPredictedCounts)
{
    EmulatorPanel panel;
    panel.setResult(sampleRun());
    // The largest first.
    EXPECT_EQ(panel.layerChart()->measured(), (std::vector<double>{2.0, 1.0}));
    EXPECT_EQ(panel.layerChart()->predicted(), (std::vector<double>{2.2, 0.9}));
    EXPECT_EQ(panel.layerTable()->rowCount(), 2);
    // At most kLargestLayers bars; the table keeps every layer.
    EmulatorRun many = sampleRun();
    for (int i = 0; i < 20; ++i)
        many.layers.push_back({QStringLiteral("l%1").arg(i), static_cast<uint64_t>(1000 * (i + 1)), {}, 0.0});
    panel.setResult(many);
    ASSERT_EQ(panel.layerChart()->measured().size(), EmulatorLayerChart::kLargestLayers);
    EXPECT_EQ(panel.layerChart()->measured()[2], 0.02); // l19, after rnnpool and stem
    EXPECT_EQ(panel.layerTable()->rowCount(), 22);
}

TEST(EmulatorPanel, FacesAreDrawnAboveTheThresholdAndCompared)
{
    EmulatorPanel panel;
    EmulatorRun run = sampleRun();
    panel.setResult(run);
    EXPECT_TRUE(panel.facesText().contains(QStringLiteral("the same boxes and scores"))) << panel.facesText().toStdString();
    const QImage chip = panel.chipFacesImage();
    ASSERT_FALSE(chip.isNull());
    // The strong face's left edge (x = 0.25 of 200) is drawn; the weak one (0.1) is not at 0.5.
    EXPECT_NE(chip.pixel(50, 50), qRgb(0, 0, 0));
    EXPECT_EQ(chip.pixel(10, 10), qRgb(0, 0, 0));
    panel.setFaceThreshold(0.05f);
    EXPECT_NE(panel.chipFacesImage().pixel(10, 10), qRgb(0, 0, 0));
    // The desktop's boxes in another colour than the chip's.
    EXPECT_NE(panel.desktopFacesImage().pixel(50, 50), panel.chipFacesImage().pixel(50, 50));

    run.chipFaces[0].score = 0.8f;
    panel.setResult(run);
    EXPECT_TRUE(panel.facesText().contains(QStringLiteral("THEY DIFFER"))) << panel.facesText().toStdString();
}

TEST(CompareTableModel, MeasuredColumnsShowOnlyForRunsKept)
{
    CompareTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setEntries({testing::builtinComparison("RPool_Face_M4", ElementType::I8),
                      testing::builtinComparison("RPool_Face_C", ElementType::I8)});
    const int plain = model.columnCount();
    EXPECT_EQ(model.firstMeasuredColumn(), -1);
    model.setMeasured({MeasuredOnChip{QStringLiteral("80x60"), 56'104'084, 27'312, 82'600, true}, std::nullopt});
    ASSERT_EQ(model.columnCount(), plain + 3);
    const int first = model.firstMeasuredColumn();
    EXPECT_EQ(first, plain);
    EXPECT_EQ(model.headerData(first, Qt::Horizontal).toString(), QStringLiteral("Measured on QEMU M4: instructions"));
    EXPECT_EQ(model.data(model.index(0, first)).toString(), QStringLiteral("56.1 M @ 80x60"));
    EXPECT_EQ(model.data(model.index(0, first + 1)).toString(), QStringLiteral("26.7 KiB"));
    EXPECT_EQ(model.data(model.index(0, first, {}), CompareTableModel::SortRole).toULongLong(), 56'104'084u);
    EXPECT_FALSE(model.data(model.index(1, first)).isValid());
    // New entries: the runs are matched again by whoever sets them.
    model.setEntries({testing::builtinComparison("RPool_Face_C", ElementType::I8)});
    EXPECT_EQ(model.firstMeasuredColumn(), -1);
}

} // namespace
} // namespace rnnpool::widgets
