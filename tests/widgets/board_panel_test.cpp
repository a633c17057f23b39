#include <QComboBox>
#include <QLocale>
#include <QSignalSpy>
#include <QTableWidget>

#include <gtest/gtest.h>

#include <qcustomplot.h>

#include "analysis_test_support.h"
#include "qt_printers.h"

#include "widgets/board_panel.h"
#include "widgets/chart_style.h"
#include "profile/pyramid_profile.h"

namespace rnnpool::widgets {
namespace {

using testing::builtinProfile;
using testing::cliJson;

FitReport fitFor(const std::string& arch, const std::string& schedule, ElementType dtype, const std::string& board)
{
    const ModelProfile p = builtinProfile(arch, schedule, dtype);
    auto b = findBoard(board);
    EXPECT_TRUE(b) << b.error();
    return fitOnBoard(*b, p);
}

// The stacked parts of the bar in the row labelled `row`, in KiB.
std::vector<double> barParts(QCustomPlot* plot, const QString& row)
{
    std::vector<double> parts;
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto* bars = qobject_cast<QCPBars*>(plot->plottable(i)); bars && bars->valueAxis()->axisRect()->axis(QCPAxis::atLeft)->label() == row)
            parts.push_back(bars->data()->at(0)->value);
    return parts;
}

TEST(BoardPanel, BarsAndVerdictAreThoseOfRnnpoolProfileBoard)
{
    for (const std::string board : {"stm32f439zi", "nrf52840"}) {
        SCOPED_TRACE(board);
        const nlohmann::json cli = cliJson("profile --arch RPool_Face_M4 --schedule paper --dtype i8 --board " + board + " --json");
        ASSERT_FALSE(cli.is_null());
        BoardPanel panel;
        panel.setBoards(builtinBoards());
        panel.setFit(fitFor("RPool_Face_M4", "paper", ElementType::I8, board), QStringLiteral("paper schedule, i8"));
        ASSERT_TRUE(panel.hasFit());
        EXPECT_EQ(panel.fit().sramNeeded, cli["sram_needed"].get<int64_t>());
        EXPECT_EQ(panel.fit().flashNeeded, cli["flash_needed"].get<int64_t>());
        EXPECT_EQ(panel.boardName().toStdString(), board);
        const auto& s = cli["sram_breakdown"];
        const auto sram = barParts(panel.plot(), QStringLiteral("SRAM"));
        ASSERT_EQ(sram.size(), 4u);
        EXPECT_DOUBLE_EQ(sram[0], s["arena"].get<double>() / 1024.0);
        EXPECT_DOUBLE_EQ(sram[1], s["frame_buffer"].get<double>() / 1024.0);
        EXPECT_DOUBLE_EQ(sram[2], s["kernel_scratch"].get<double>() / 1024.0);
        EXPECT_DOUBLE_EQ(sram[3], s["runtime"].get<double>() / 1024.0);
        // Where each part goes, as the CLI places it.
        for (const auto& p : cli["placement"])
            EXPECT_TRUE(panel.placementText().contains(QString::fromStdString(p["item"].get<std::string>())))
                << panel.placementText().toStdString();
        const auto flash = barParts(panel.plot(), QStringLiteral("Flash"));
        ASSERT_EQ(flash.size(), 2u);
        EXPECT_DOUBLE_EQ(flash[0], cli["flash_breakdown"]["weights"].get<double>() / 1024.0);
        EXPECT_DOUBLE_EQ(flash[1], cli["flash_breakdown"]["code"].get<double>() / 1024.0);
        if (cli["fits"].get<bool>())
            EXPECT_TRUE(panel.verdict().startsWith(QStringLiteral("Fits: ") + kibText(cli["sram_headroom"].get<int64_t>())))
                << panel.verdict().toStdString();
        else if (cli["sram_headroom"].get<int64_t>() < 0)
            EXPECT_TRUE(panel.verdict().startsWith(QStringLiteral("Overflows"))) << panel.verdict().toStdString();
        else
            EXPECT_TRUE(panel.verdict().startsWith(QStringLiteral("Does not fit: ") +
                                                   QString::fromStdString(cli["fit_problem"].get<std::string>())))
                << panel.verdict().toStdString();
    }
}

TEST(BoardPanel, AnOverflowSaysByHowMuch)
{
    // Layer by layer in float32 the M4 model needs far more than a Cortex-M4's SRAM.
    const FitReport fit = fitFor("RPool_Face_M4", "layerwise", ElementType::F32, "stm32f439zi");
    ASSERT_FALSE(fit.fits);
    BoardPanel panel;
    panel.setFit(fit, QStringLiteral("layerwise, f32"));
    EXPECT_TRUE(panel.verdict().contains(QStringLiteral("SRAM by %1").arg(kibText(-fit.sramHeadroom))))
        << panel.verdict().toStdString();
}

TEST(BoardPanel, LatencyRowsPerCostProfile)
{
    BoardPanel panel;
    EXPECT_EQ(panel.latencyTable()->rowCount(), 1);
    EXPECT_EQ(panel.latencyTable()->item(0, 0)->text(), QStringLiteral("no estimate"));
    panel.setLatencies({{QStringLiteral("naive"), 1234.5}, {QStringLiteral("cmsis-nn"), 321.0}});
    ASSERT_EQ(panel.latencyTable()->rowCount(), 2);
    EXPECT_EQ(panel.latencyTable()->item(1, 0)->text(), QStringLiteral("cmsis-nn"));
    EXPECT_EQ(panel.latencyTable()->item(1, 1)->text(), QLocale().toString(321.0, 'f', 1));
}

TEST(BoardPanel, APyramidGetsItsOwnLatencyColumnAndCostLine)
{
    BoardPanel panel;
    panel.setLatencies({{QStringLiteral("naive"), 1000.0}, {QStringLiteral("cmsis-nn"), 300.0}},
                       {{QStringLiteral("cmsis-nn"), 390.0}}); // the pyramid's estimate lacks "naive"
    ASSERT_EQ(panel.latencyTable()->columnCount(), 3);
    EXPECT_TRUE(panel.latencyTable()->horizontalHeaderItem(2)->text().contains(QStringLiteral("pyramid")));
    EXPECT_EQ(panel.latencyTable()->item(0, 2)->text(), QStringLiteral("no estimate"));
    EXPECT_EQ(panel.latencyTable()->item(1, 1)->text(), QLocale().toString(300.0, 'f', 1));
    EXPECT_EQ(panel.latencyTable()->item(1, 2)->text(), QLocale().toString(390.0, 'f', 1));
    panel.setLatencies({{QStringLiteral("cmsis-nn"), 300.0}}); // the input alone again: one column of figures
    EXPECT_EQ(panel.latencyTable()->columnCount(), 2);

    EXPECT_TRUE(panel.pyramidText().isEmpty());
    const std::vector<PyramidLevelProfile> levels{{{1, 240, 320}, 100'000'000, 120'000, "block0"},
                                                  {{1, 120, 160}, 25'000'000, 34'000, "block0"}};
    panel.setPyramid(levels, ElementType::I8);
    EXPECT_TRUE(panel.pyramidText().contains(QStringLiteral("160×120"))) << panel.pyramidText().toStdString();
    // Beside the arena: level 1's 160x120 picture and two 320-pixel rows, 19,840 bytes in int8.
    EXPECT_TRUE(panel.pyramidText().contains(QLocale().toString(19.4, 'f', 1) + QStringLiteral(" KiB beside it"))) << panel.pyramidText().toStdString();
    EXPECT_TRUE(panel.pyramidText().contains(QStringLiteral("1.25×"))) << panel.pyramidText().toStdString();
    panel.setPyramid({levels.front()}, ElementType::I8); // one level: the model runs the input alone
    EXPECT_TRUE(panel.pyramidText().isEmpty());
    panel.setPyramid(levels, ElementType::F32);
    EXPECT_TRUE(panel.pyramidText().contains(QLocale().toString(77.5, 'f', 1) + QStringLiteral(" KiB beside it"))) << panel.pyramidText().toStdString();
    panel.showProblem(QStringLiteral("no model"));
    EXPECT_TRUE(panel.pyramidText().isEmpty());
}

TEST(BoardPanel, PickingABoardIsSignalledAndProblemsAreShown)
{
    BoardPanel panel;
    panel.setBoards(builtinBoards());
    QSignalSpy chosen(&panel, &BoardPanel::boardChosen);
    panel.selectBoard(QStringLiteral("nrf52840"));
    EXPECT_EQ(chosen.count(), 0) << "programmatic selection is silent";
    auto* box = panel.findChild<QComboBox*>();
    const int index = box->findText(QStringLiteral("stm32l4r5zi"));
    ASSERT_GE(index, 0);
    box->setCurrentIndex(index);
    emit box->activated(index);
    ASSERT_GE(chosen.count(), 1);
    EXPECT_EQ(chosen.last().at(0).toString(), QStringLiteral("stm32l4r5zi"));
    panel.showProblem(QStringLiteral("board 'x': unknown"));
    EXPECT_FALSE(panel.hasFit());
    EXPECT_EQ(panel.verdict(), QStringLiteral("board 'x': unknown"));
}

} // namespace
} // namespace rnnpool::widgets
