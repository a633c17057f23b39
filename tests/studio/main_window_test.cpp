// MainWindow's wiring on the offscreen platform: a layer chosen in one view is
// chosen in all, analysed frames reach the live charts with the measured
// arena peak, the sweep gets the picture shown, and bad choices show a reason.
// First: ops/rnnpool.h cannot follow a Qt header (see widgets/rnnpool_trace_view.h).
#include "ops/rnnpool.h"

#include <QComboBox>
#include <QJsonObject>
#include <QSignalSpy>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableWidget>

#include <set>

#include <QJsonArray>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "studio/analysis_tabs.h"
#include "studio/m4_emulator_job.h"
#include "widgets/column_scroll_area.h"
#include "widgets/compare_view.h"
#include "widgets/emulator_charts.h"
#include "studio/main_window.h"
#include "studio_test_support.h"
#include "widgets/analysis_test_support.h"
#include "widgets/detection_view.h"
#include "widgets/emulator_panel.h"
#include "widgets/diff_view.h"
#include "widgets/live_charts.h"
#include "widgets/memory_timeline_view.h"
#include "widgets/rnnpool_trace_view.h"
#include "widgets/sweep_view.h"

namespace rnnpool::studio {
namespace {

using testing::waitUntil;
using widgets::testing::cliJson;

// The default model on the sample picture, with the analysis tabs settled.
class MainWindowTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        window.resize(1200, 800);
        window.show();
        window.openModel({});
        window.openSource(SourceRequest::file(SourceRequest::Picture, QStringLiteral(STUDIO_SAMPLE)));
        ASSERT_TRUE(waitUntil([&] { return settled() && window.analysisTabs().memoryView()->profile(); }));
        ASSERT_EQ(window.errorCount(), 0) << window.report()[QStringLiteral("message")].toString().toStdString();
    }
    bool settled() { return window.lastOutcome() && !window.runner().isBusy() && !window.analysisBusy(); }

    MainWindow window{MainWindow::Settings::Ignore};
};

TEST_F(MainWindowTest, ALayerChosenInTheWindowIsChosenInTheMemoryView)
{
    ASSERT_TRUE(window.selectLayer(QStringLiteral("block1.project")));
    EXPECT_EQ(window.report()[QStringLiteral("layer")].toString(), QStringLiteral("block1.project"));
    const ModelProfile& profile = *window.analysisTabs().memoryView()->profile();
    const int step = window.analysisTabs().memoryView()->selectedStep();
    ASSERT_GE(step, 0);
    const auto& nodes = profile.schedule.units[static_cast<size_t>(step)].nodes;
    const auto& layers = window.lastOutcome()->layers;
    bool found = false;
    for (int n : nodes)
        found = found || layers[static_cast<size_t>(n)].name == "block1.project";
    EXPECT_TRUE(found) << "step " << step << " does not compute block1.project";
}

TEST_F(MainWindowTest, AStepClickedInTheMemoryViewSelectsItsLayerInTheWindow)
{
    auto& memory = *window.analysisTabs().memoryView();
    const ModelProfile& profile = *memory.profile();
    const int node = profile.schedule.units.front().output();
    memory.selectStep(0);
    EXPECT_EQ(window.report()[QStringLiteral("layer")].toString().toStdString(),
              window.lastOutcome()->layers[static_cast<size_t>(node)].name);
}

TEST_F(MainWindowTest, AnUnknownLayerIsReportedAndTheSelectionKept)
{
    ASSERT_TRUE(window.selectLayer(QStringLiteral("rnnpool")));
    const int errors = window.errorCount();
    EXPECT_FALSE(window.selectLayer(QStringLiteral("no_such_layer")));
    EXPECT_EQ(window.errorCount(), errors + 1);
    EXPECT_TRUE(window.report()[QStringLiteral("message")].toString().contains(QStringLiteral("no_such_layer")));
    EXPECT_EQ(window.report()[QStringLiteral("layer")].toString(), QStringLiteral("rnnpool"));
}

TEST_F(MainWindowTest, FramesReachTheLiveChartsWithTheMeasuredPeakWhenMetered)
{
    // The picture runs at the model's area with its aspect ratio kept (not 320x240).
    const Shape& in = window.lastOutcome()->input;
    const auto cli = cliJson("profile --arch rnnpool-face-m4 --schedule paper --dtype f32 --json --input " +
                             std::to_string(in[2]) + "x" + std::to_string(in[1]) + "x" + std::to_string(in[0]));
    ASSERT_FALSE(cli.is_null());
    auto& charts = *window.analysisTabs().liveCharts();
    ASSERT_EQ(charts.frames().size(), 1u);
    // The first frame of a model is always measured.
    EXPECT_EQ(charts.frames().back().record.measuredPeakBytes, cli["peak_bytes"].get<int64_t>());
    EXPECT_NEAR(charts.frames().back().record.totalSeconds, window.lastOutcome()->totalSeconds, 1e-12);

    window.setRamMetering(RamMetering::Off);
    window.runner().rerun();
    ASSERT_TRUE(waitUntil([&] { return charts.frames().size() == 2 && settled(); }));
    EXPECT_EQ(charts.frames().back().record.measuredPeakBytes, -1);
    window.setRamMetering(RamMetering::EveryFrame);
    window.runner().rerun();
    ASSERT_TRUE(waitUntil([&] { return charts.frames().size() == 3 && settled(); }));
    EXPECT_EQ(charts.frames().back().record.measuredPeakBytes, cli["peak_bytes"].get<int64_t>());
}

TEST_F(MainWindowTest, AnInputSizeSweepCountsFacesInThePictureShown)
{
    auto& tabs = window.analysisTabs();
    std::optional<QString> finished;
    QObject::connect(&tabs.controller(), &AnalysisController::sweepFinished, [&](const QString& p) { finished = p; });
    tabs.controller().requestSweep(QStringLiteral("input"), {QStringLiteral("320x240"), QStringLiteral("160x120")},
                                   ScheduleOptions{});
    ASSERT_TRUE(waitUntil([&] { return finished.has_value(); }));
    EXPECT_TRUE(finished->isEmpty()) << finished->toStdString();
    const auto& detections = tabs.sweepView()->detections();
    ASSERT_EQ(detections.size(), 2u);
    ASSERT_TRUE(detections[0].has_value());
    // At each size the sweep sees what `rnnpool run --size` sees.
    const char* sizes[] = {"320x240", "160x120"};
    for (size_t i = 0; i < 2; ++i) {
        SCOPED_TRACE(sizes[i]);
        ASSERT_TRUE(detections[i].has_value());
        const auto run = cliJson(std::string("run --image ") + STUDIO_SAMPLE + " --size " + sizes[i] + " --threshold " +
                                 std::to_string(AnalysisController::kSweepScoreThreshold) + " --json");
        ASSERT_FALSE(run.is_null());
        double sum = 0.0;
        for (const auto& face : run["detections"])
            sum += face["score"].get<double>();
        const auto n = static_cast<int>(run["detections"].size());
        EXPECT_EQ(detections[i]->faces, n);
        if (n > 0) {
            EXPECT_NEAR(detections[i]->meanScore, sum / n, 1e-6);
        }
    }
}

// A model without RNNPool and without a detector (a zoo classifier; ONNX
// graphs are the same case): it runs on the picture without an error, the
// banner says there are no boxes, and the RNNPool tab hides itself; the
// default model brings the tab back.
TEST_F(MainWindowTest, AClassifierWithoutRnnPoolHidesTheRnnPoolTab)
{
    auto* tabs = window.findChild<QTabWidget*>();
    ASSERT_NE(tabs, nullptr);
    const auto rnnpoolTab = [&] {
        for (int i = 0; i < tabs->count(); ++i)
            if (tabs->widget(i)->objectName() == QStringLiteral("rnnpool"))
                return i;
        return -1;
    };
    ASSERT_GE(rnnpoolTab(), 0);
    EXPECT_TRUE(tabs->isTabVisible(rnnpoolTab()));
    window.openModel({QString(), QStringLiteral("mobilenetv2")});
    ASSERT_TRUE(waitUntil([&] { return settled() && window.lastOutcome()->input == Shape{3, 224, 224}; }));
    EXPECT_EQ(window.errorCount(), 0) << window.report()[QStringLiteral("message")].toString().toStdString();
    EXPECT_FALSE(tabs->isTabVisible(rnnpoolTab()));
    const auto* view = window.findChild<widgets::DetectionView*>();
    ASSERT_NE(view, nullptr);
    EXPECT_TRUE(view->banner().contains(QStringLiteral("not a face detector"))) << view->banner().toStdString();
    EXPECT_TRUE(window.lastOutcome()->faces.empty());
    window.openModel({});
    ASSERT_TRUE(waitUntil([&] { return settled() && window.lastOutcome()->input.front() == 1; }));
    EXPECT_TRUE(tabs->isTabVisible(rnnpoolTab()));
}

// The Numerics box: int8 runs the model's int8 twin, so the faces are those of
// `rnnpool run --dtype i8`, and the activations are its int8 maps dequantised
// (at most 256 values a channel); float32 again gives the float engine's faces.
TEST_F(MainWindowTest, Int8NumericsShowWhatTheCommandLinesInt8EngineFinds)
{
    ASSERT_TRUE(waitUntil([&] { return settled(); }));
    const auto sameFaces = [](const std::vector<PixelBox>& shown, const nlohmann::json& cli) {
        if (shown.size() != cli["detections"].size())
            return false;
        for (size_t i = 0; i < shown.size(); ++i) {
            const auto& d = cli["detections"][i];
            if (std::abs(shown[i].score - d["score"].get<float>()) > 1e-5f || std::abs(shown[i].x1 - d["x1"].get<float>()) > 1e-3f ||
                std::abs(shown[i].y2 - d["y2"].get<float>()) > 1e-3f)
                return false;
        }
        return true;
    };
    window.setNumerics(Numerics::Int8);
    ASSERT_TRUE(waitUntil([&] { return settled() && window.lastOutcome()->numerics == Numerics::Int8; }, 120000));
    const auto int8 = cliJson(std::string("run --dtype i8 --threshold 0 --image ") + STUDIO_SAMPLE + " --json");
    ASSERT_FALSE(int8.is_null());
    EXPECT_TRUE(sameFaces(window.lastOutcome()->faces, int8)) << int8["detections"].size() << " faces from the CLI, "
                                                              << window.lastOutcome()->faces.size() << " shown";
    EXPECT_EQ(window.report()[QStringLiteral("numerics")].toString(), QStringLiteral("i8"));
    // The layer table's Bytes column counts int8 outputs (one byte an element), as the chip holds them.
    {
        const QJsonArray layers = window.report()[QStringLiteral("layers")].toArray();
        const auto& shown = window.lastOutcome()->layers;
        ASSERT_EQ(layers.size(), static_cast<qsizetype>(shown.size()));
        for (size_t i = 0; i < shown.size(); ++i)
            EXPECT_EQ(layers[static_cast<qsizetype>(i)][QStringLiteral("bytes")].toInteger(), shapeNumel(shown[i].outputShape))
                << shown[i].name;
    }
    EXPECT_TRUE(window.report()[QStringLiteral("time_label")].toString().contains(QStringLiteral("int8")));
    const auto& outcome = *window.lastOutcome();
    int pool = -1;
    for (size_t i = 0; i < outcome.layers.size(); ++i)
        if (outcome.layers[i].name == "rnnpool")
            pool = static_cast<int>(i);
    ASSERT_GE(pool, 0);
    const Tensor& map = outcome.result->run.outputs[static_cast<size_t>(pool)];
    ASSERT_EQ(map.rank(), 3);
    // Every layer's scale and zero point travel with the frame, for the readout's integers.
    ASSERT_EQ(outcome.int8Quant.size(), outcome.layers.size());
    const auto& q = outcome.int8Quant[static_cast<size_t>(pool)];
    ASSERT_FALSE(q.empty());
    for (int64_t c = 0; c < map.dim(0); c += 16) {
        const ActivationQuant& cq = q[q.size() == 1 ? 0 : static_cast<size_t>(c)];
        const float v = map.data()[c * map.dim(1) * map.dim(2)];
        EXPECT_FLOAT_EQ(cq.dequantize(cq.quantize(v)), v) << "channel " << c;
    }
    const int64_t plane = map.dim(1) * map.dim(2);
    for (int64_t c = 0; c < map.dim(0); c += 16) {
        std::set<float> values(map.data() + c * plane, map.data() + (c + 1) * plane);
        EXPECT_LE(values.size(), 256u) << "channel " << c << " is not an int8 map dequantised";
    }

    // The RNNPool tab offers the Q15 states, the float ones on the same input and their difference.
    window.showTab(QStringLiteral("rnnpool"));
    auto* trace = window.traceView();
    ASSERT_TRUE(waitUntil([&] { return trace->canvas()->hasTrace() && !trace->variantBox()->isHidden(); }));
    ASSERT_EQ(trace->variantBox()->count(), 3);
    std::vector<Tensor> shown;
    for (int v = 0; v < 3; ++v) {
        trace->variantBox()->setCurrentIndex(v);
        emit trace->variantChanged(v);
        ASSERT_EQ(trace->variant(), v);
        shown.push_back(trace->canvas()->trace().rowSweeps);
    }
    float worst = 0.0f;
    for (int64_t i = 0; i < shown[0].numel(); ++i) {
        EXPECT_NEAR(shown[2].data()[i], shown[0].data()[i] - shown[1].data()[i], 1e-6f) << i;
        worst = std::max(worst, std::abs(shown[2].data()[i]));
    }
    EXPECT_GT(worst, 0.0f) << "Q15 and float states should differ a little";
    EXPECT_LT(worst, 0.005f);

    window.setNumerics(Numerics::Float32);
    ASSERT_TRUE(waitUntil([&] { return settled() && window.lastOutcome()->numerics == Numerics::Float32; }, 120000));
    ASSERT_TRUE(waitUntil([&] { return trace->variantBox()->isHidden(); })) << "a float frame has one version of the states";
    window.showTab(QStringLiteral("live"));
    const auto f32 = cliJson(std::string("run --threshold 0 --image ") + STUDIO_SAMPLE + " --json");
    ASSERT_FALSE(f32.is_null());
    EXPECT_TRUE(sameFaces(window.lastOutcome()->faces, f32)) << f32["detections"].size() << " faces from the CLI, "
                                                             << window.lastOutcome()->faces.size() << " shown";
    const Tensor& floatMap = window.lastOutcome()->result->run.outputs[static_cast<size_t>(pool)];
    std::set<float> floatValues(floatMap.data(), floatMap.data() + plane);
    EXPECT_GT(floatValues.size(), 256u) << "the float map should not look quantised";
}

// "Run on emulated Cortex-M4" builds and runs the firmware on the picture shown
// and reports what `rnnpool m4 run` reports for the same picture and size.
TEST_F(MainWindowTest, RunOnTheEmulatedChipReportsWhatTheCommandLineMeasures)
{
    auto* panel = window.analysisTabs().emulatorPanel();
    window.showTab(QStringLiteral("m4"));
    ASSERT_TRUE(panel->canRun()) << panel->summaryText().toStdString();
    panel->run(); // the first size offered: 80x60
    ASSERT_TRUE(waitUntil([&] { return panel->canRun() && !panel->summaryText().isEmpty(); }, 600000))
        << panel->summaryText().toStdString();
    // The result is brought into view: the page, scrolled to the fit at first, shows the panel's top
    // at its own top, or as near as the page's end allows.
    QCoreApplication::processEvents();
    const widgets::ColumnScrollArea* page = window.analysisTabs().m4Page();
    const int top = panel->mapTo(page->viewport(), QPoint(0, 0)).y();
    EXPECT_GT(page->verticalScrollBar()->value(), 0);
    EXPECT_TRUE(top == 0 || page->verticalScrollBar()->value() == page->verticalScrollBar()->maximum()) << top;
    EXPECT_GE(top, 0);
    EXPECT_LT(top, page->viewport()->height() / 2);
    const auto cli = cliJson(std::string("m4 run --image ") + STUDIO_SAMPLE + " --size 80x60 --json");
    ASSERT_FALSE(cli.is_null());
    const QString summary = panel->summaryText();
    EXPECT_TRUE(summary.contains(QStringLiteral("bit-identical"))) << summary.toStdString();
    const QString instructions = QLocale::system().toString(static_cast<qulonglong>(cli["instructions"].get<uint64_t>()));
    EXPECT_TRUE(summary.contains(instructions)) << summary.toStdString() << " vs " << cli["instructions"];
    ASSERT_EQ(panel->layerTable()->rowCount(), static_cast<int>(cli["layers"].size()));
    // Each layer's op class and predicted/measured ratio as the command line computes them.
    for (int row = 0; row < panel->layerTable()->rowCount(); ++row) {
        const auto& layer = cli["layers"][static_cast<size_t>(row)];
        EXPECT_EQ(panel->layerTable()->item(row, 2)->text().toStdString(), layer["op_class"].get<std::string>());
        double predicted = 0.0;
        for (const auto& [profile, cycles] : layer["predicted_cycles"].get<std::vector<std::pair<std::string, double>>>())
            if (profile == "rnnpool-int8")
                predicted = cycles;
        const double ratio = predicted / static_cast<double>(layer["instructions"].get<uint64_t>());
        EXPECT_EQ(panel->layerTable()->item(row, 3)->text(), QString::number(ratio, 'f', 2)) << layer["name"];
    }
    // The measured bars are the command line's figures; the faces are its detections.
    for (const widgets::EmulatorMemoryChart::Bar& bar : panel->memoryChart()->bars()) {
        if (bar.label == QStringLiteral("FLASH measured")) {
            EXPECT_EQ(bar.bytes, cli["flash_used_bytes"].get<uint64_t>());
        }
        if (bar.label == QStringLiteral("SRAM measured")) {
            EXPECT_EQ(bar.bytes, cli["sram_used_bytes"]["SRAM"].get<uint64_t>());
        }
        if (bar.label == QStringLiteral("CCM measured")) {
            EXPECT_EQ(bar.bytes, cli["sram_used_bytes"]["CCM"].get<uint64_t>());
        }
    }
    EXPECT_EQ(panel->memoryChart()->bars().size(), 6u);
    ASSERT_TRUE(panel->lastRun());
    EXPECT_EQ(panel->lastRun()->chipFaces.size(), cli["detections"].get<size_t>());
    EXPECT_TRUE(panel->facesText().contains(QStringLiteral("the same boxes and scores"))) << panel->facesText().toStdString();
    EXPECT_FALSE(panel->chipFacesImage().isNull());
    // Kept for Compare: a row of the same architecture shows the measured instructions.
    auto* compare = window.analysisTabs().compareView();
    emit compare->addArchitectureRequested(QStringLiteral("rnnpool-face-m4"));
    ASSERT_TRUE(waitUntil([&] { return compare->table()->firstMeasuredColumn() >= 0; }, 120000));
    const auto* table = compare->table();
    int row = -1;
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->entries()[static_cast<size_t>(r)].spec.name == "rnnpool-face-m4")
            row = r;
    ASSERT_GE(row, 0);
    const QString cell = table->data(table->index(row, table->firstMeasuredColumn())).toString();
    EXPECT_EQ(table->data(table->index(row, table->firstMeasuredColumn()), widgets::CompareTableModel::SortRole).toULongLong(),
              cli["instructions"].get<uint64_t>()) << cell.toStdString();
    EXPECT_TRUE(cell.endsWith(QStringLiteral("@ 80x60"))) << cell.toStdString();
}

// The schedule box: rowstream runs the default model at its own 320x240 in
// the F405's 128 KiB of SRAM, as the studio's detector runs it (its 3-level
// image pyramid, every level on the chip), the figures those of `rnnpool m4
// run --schedule rowstream --pyramid 3`, the heads the desktop's.
TEST_F(MainWindowTest, TheRowstreamScheduleRunsTheFullSizeModelOnTheEmulatedChip)
{
    auto* panel = window.analysisTabs().emulatorPanel();
    ASSERT_TRUE(panel->canRun()) << panel->summaryText().toStdString();
    QComboBox* sizes = panel->sizeBox();
    const int at = sizes->findText(QStringLiteral("320x240"));
    ASSERT_GE(at, 0);
    sizes->setCurrentIndex(at);
    panel->scheduleBox()->setCurrentText(QStringLiteral("rowstream"));
    panel->run();
    ASSERT_TRUE(waitUntil([&] { return panel->canRun() && !panel->summaryText().isEmpty(); }, 600000))
        << panel->summaryText().toStdString();
    const auto cli =
        cliJson(std::string("m4 run --image ") + STUDIO_SAMPLE + " --size 320x240 --schedule rowstream --pyramid 3 --json");
    ASSERT_FALSE(cli.is_null());
    const QString summary = panel->summaryText();
    EXPECT_TRUE(summary.contains(QStringLiteral("320x240, schedule rowstream"))) << summary.toStdString();
    EXPECT_TRUE(summary.contains(QStringLiteral("bit-identical"))) << summary.toStdString();
    EXPECT_TRUE(summary.contains(QLocale::system().toString(static_cast<qulonglong>(cli["instructions"].get<uint64_t>()))))
        << summary.toStdString();
    ASSERT_TRUE(panel->lastRun());
    EXPECT_EQ(panel->lastRun()->schedule, QStringLiteral("rowstream"));
    EXPECT_EQ(panel->layerTable()->rowCount(), static_cast<int>(cli["layers"].size()));
    ASSERT_EQ(panel->lastRun()->levels.size(), cli["pyramid"].size());
    ASSERT_EQ(cli["pyramid"].size(), 3u);
    for (size_t k = 0; k < 3; ++k)
        EXPECT_EQ(panel->lastRun()->levels[k].instructions, cli["pyramid"][k]["instructions"].get<uint64_t>());
    EXPECT_TRUE(summary.contains(QStringLiteral("Every level of the image pyramid ran on the chip"))) << summary.toStdString();
    EXPECT_FALSE(summary.contains(QStringLiteral("an estimate from its multiply-adds"))) << summary.toStdString();
    EXPECT_EQ(panel->lastRun()->chipFaces.size(), cli["detections"].get<size_t>());
    EXPECT_TRUE(panel->facesText().contains(QStringLiteral("the same boxes and scores"))) << panel->facesText().toStdString();
    for (const widgets::EmulatorMemoryChart::Bar& bar : panel->memoryChart()->bars())
        if (bar.label == QStringLiteral("SRAM measured")) {
            EXPECT_EQ(bar.bytes, cli["sram_used_bytes"]["SRAM"].get<uint64_t>());
            EXPECT_LE(bar.bytes, 128u * 1024u);
        }
    // The budget above the run (and the memory view) now describe what the firmware ran:
    // rowstream, int8, the input in the arena; the figures those of `rnnpool profile`.
    ASSERT_TRUE(waitUntil([&] {
        const QJsonObject r = window.analysisTabs().m4Report();
        return r.value(QStringLiteral("schedule")).toString() == QStringLiteral("rowstream");
    }, 120000)) << "the board panel still describes another schedule";
    const QJsonObject report = window.analysisTabs().m4Report();
    EXPECT_EQ(report.value(QStringLiteral("dtype")).toString(), QStringLiteral("i8"));
    EXPECT_TRUE(report.value(QStringLiteral("count_input")).toBool());
    const auto fit = cliJson("profile --arch rnnpool-face-m4 --board " + window.analysisTabs().board().name +
                             " --schedule rowstream --dtype i8 --count-input --json");
    ASSERT_FALSE(fit.is_null());
    EXPECT_EQ(report.value(QStringLiteral("fits")).toBool(), fit["fits"].get<bool>());
    EXPECT_EQ(report.value(QStringLiteral("sram_needed")).toInteger(), fit["sram_needed"].get<int64_t>());
}

// Cancel: the panel offers it only while a run is in progress and asks for it
// by signal; a run whose flag is set stops at its next stage as "Cancelled",
// and the panel is ready to run again.
TEST_F(MainWindowTest, AnEmulatorRunCanBeCancelled)
{
    auto* panel = window.analysisTabs().emulatorPanel();
    EXPECT_FALSE(panel->cancelButton()->isEnabled());
    QSignalSpy asked(panel, &widgets::EmulatorPanel::cancelRequested);
    panel->setRunning(QStringLiteral("Building…"));
    ASSERT_TRUE(panel->cancelButton()->isEnabled());
    panel->cancelButton()->click();
    EXPECT_EQ(asked.count(), 1);

    const std::atomic<bool> cancel{true};
    QStringList stages;
    const cv::Mat picture = cv::imread(STUDIO_SAMPLE);
    ASSERT_TRUE(window.analysisTabs().controller().detector());
    const EmulatorOutcome outcome = runOnEmulatedM4(window.analysisTabs().controller().detector()->model(), picture, 80, 60,
                                                    QStringLiteral("layerwise"), 1, &cancel,
                                                    [&stages](const QString& stage) { stages << stage; });
    EXPECT_TRUE(outcome.cancelled);
    EXPECT_FALSE(outcome.run);
    EXPECT_TRUE(outcome.error.startsWith(QStringLiteral("Cancelled"))) << outcome.error.toStdString();
    ASSERT_EQ(stages.size(), 1) << "a set flag stops the run at its first stage";
    panel->showProblem(outcome.error);
    EXPECT_FALSE(panel->cancelButton()->isEnabled());
    EXPECT_TRUE(panel->canRun());
}

// The Diff tab compares the model shown with its int8 twin on the picture
// shown, as `rnnpool diff` does: every layer paired by name, the worst SQNR
// the command line reports.
TEST_F(MainWindowTest, TheDiffTabShowsWhatTheCommandLineReports)
{
    auto& tabs = window.analysisTabs();
    tabs.runDiff(QString());
    ASSERT_TRUE(waitUntil([&] { return !tabs.diffBusy() && tabs.diffView()->table()->rowCount() > 0; }))
        << tabs.diffView()->summaryText().toStdString();
    const std::string models = QFileInfo(QStringLiteral(STUDIO_SAMPLE)).dir().absoluteFilePath(QStringLiteral("../models/")).toStdString();
    const auto cli = cliJson("diff " + models + "rnnpool_face_m4.safetensors " + models + "rnnpool_face_m4.int8.safetensors --image " +
                             STUDIO_SAMPLE + " --runs 1 --json");
    ASSERT_FALSE(cli.is_null());
    EXPECT_EQ(tabs.diffView()->table()->rowCount(), static_cast<int>(cli["layers"].size()));
    ASSERT_GE(tabs.diffView()->worstRow(), 0);
    const std::string worst = cli["worst"]["layer"].get<std::string>();
    EXPECT_EQ(tabs.diffView()->table()->item(tabs.diffView()->worstRow(), 0)->text().toStdString(), worst);
    EXPECT_TRUE(tabs.diffView()->summaryText().contains(QString::number(cli["worst"]["sqnr_db"].get<double>(), 'f', 1)))
        << tabs.diffView()->summaryText().toStdString();
}

} // namespace
} // namespace rnnpool::studio
