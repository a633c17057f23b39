// rnnpool-studio: the desktop studio. See --help. --screenshot renders the
// window once the model, the first frame and its detection are done, and
// exits (for docs and the smoke test): status 0 when all went well, 1 when
// an error is shown in the window.
#include <cstdio>

#include <memory>
#include <optional>

#include <QApplication>
#include <QSize>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QCommandLineParser>
#include <QRegularExpression>
#include <QTimer>

#include "engine/preprocess.h"
#include "profile/schedule.h"
#include "studio/analysis_tabs.h"
#include "studio/main_window.h"
#include "widgets/sweep_view.h"

namespace {

using rnnpool::studio::MainWindow;
using rnnpool::studio::SourceRequest;

constexpr int kExitUsage = 2;
// A stuck load must not hang a smoke test: save what the window shows and fail.
constexpr int kScreenshotTimeoutMs = 300'000;

int usageError(const QString& message)
{
    std::fprintf(stderr, "rnnpool-studio: %s\nRun 'rnnpool-studio --help' for usage.\n", qPrintable(message));
    return kExitUsage;
}

QString& reportPath()
{
    static QString path;
    return path;
}

void saveScreenshotAndExit(MainWindow& window, const QString& path)
{
    if (!reportPath().isEmpty()) {
        QFile file(reportPath());
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(QJsonDocument(window.report()).toJson()) < 0) {
            std::fprintf(stderr, "rnnpool-studio: cannot write the report '%s'\n", qPrintable(reportPath()));
            QApplication::exit(1);
            return;
        }
    }
    const QPixmap shot = window.grab();
    if (!shot.save(path)) {
        std::fprintf(stderr, "rnnpool-studio: cannot write the screenshot '%s'\n", qPrintable(path));
        QApplication::exit(1);
        return;
    }
    QApplication::exit(window.errorCount() == 0 ? 0 : 1);
}

// Grabs once the last results have laid out and painted and the analysis
// tabs have finished computing (their profile and comparison run off the UI
// thread after the first frame).
void grabWhenSettled(MainWindow& window, const QString& path, int waitedMs = 0)
{
    constexpr int kPollMs = 200;
    QTimer::singleShot(kPollMs, &window, [&window, path, waitedMs] {
        if (window.analysisBusy() && waitedMs < kScreenshotTimeoutMs)
            grabWhenSettled(window, path, waitedMs + kPollMs);
        else
            saveScreenshotAndExit(window, path);
    });
}

struct Options {
    QCommandLineOption model{QStringLiteral("model"),
                             QStringLiteral("Model to load: a checkpoint (.pth), a .safetensors file or an architecture "
                                            "spec (.json, random weights). Default: the default model."),
                             QStringLiteral("FILE")};
    QCommandLineOption arch{QStringLiteral("arch"),
                            QStringLiteral("Architecture of the --model checkpoint, or alone: that zoo architecture "
                                           "with random weights."),
                            QStringLiteral("NAME")};
    QCommandLineOption image{QStringLiteral("image"), QStringLiteral("Picture to detect faces in."), QStringLiteral("FILE")};
    QCommandLineOption folder{QStringLiteral("folder"), QStringLiteral("Folder of pictures to step through."),
                              QStringLiteral("DIR")};
    QCommandLineOption video{QStringLiteral("video"), QStringLiteral("Video file."), QStringLiteral("FILE")};
    QCommandLineOption camera{QStringLiteral("camera"), QStringLiteral("Camera number (0 = /dev/video0)."),
                              QStringLiteral("N")};
    QCommandLineOption cameraSize{QStringLiteral("camera-size"), QStringLiteral("Resolution to ask the camera for, e.g. 640x480."),
                                  QStringLiteral("WxH")};
    QCommandLineOption frame{QStringLiteral("frame"), QStringLiteral("Start at frame N (from 1) of a folder or video."),
                             QStringLiteral("N")};
    QCommandLineOption play{QStringLiteral("play"),
                            QStringLiteral("Start playing the folder, video or camera. With --screenshot: play a folder "
                                           "or video to its end, then grab.")};
    QCommandLineOption loop{QStringLiteral("loop"),
                            QStringLiteral("With --play: play a folder or video N times over (1-100000), restarting at "
                                           "its end; with --screenshot, grab after the last pass and print how many "
                                           "passes and frames were seen."),
                            QStringLiteral("N")};
    QCommandLineOption layer{QStringLiteral("layer"), QStringLiteral("Layer to select (node or group name)."),
                             QStringLiteral("NAME")};
    QCommandLineOption patch{QStringLiteral("patch"), QStringLiteral("RNNPool patch to trace, as ROW,COL."),
                             QStringLiteral("ROW,COL")};
    QCommandLineOption step{QStringLiteral("step"), QStringLiteral("Time step (from 1) of the RNNPool sweeps to show."),
                            QStringLiteral("N")};
    QCommandLineOption grid{QStringLiteral("grid"), QStringLiteral("Draw the RNNPool patch grid over the frame.")};
    QCommandLineOption threshold{QStringLiteral("threshold"), QStringLiteral("Score threshold for boxes (0..1)."),
                                 QStringLiteral("T")};
    QCommandLineOption tab{QStringLiteral("tab"), QStringLiteral("Tab to show: live, activations, rnnpool, charts, memory, compare, sweep, m4, diff or accuracy."),
                           QStringLiteral("NAME")};
    QCommandLineOption theme{QStringLiteral("theme"), QStringLiteral("Palette: system (default), light or dark."),
                             QStringLiteral("NAME")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  QStringLiteral("Save the window to OUT.png once loading and detection are done, then "
                                                 "exit (status 0, or 1 when the window shows an error)."),
                                  QStringLiteral("OUT.png")};
    QCommandLineOption report{QStringLiteral("report"),
                              QStringLiteral("With --screenshot: also write what the window shows (boxes, status, layer "
                                             "table, selection, and as \"m4\" the M4 panel's figures, equal to "
                                             "`rnnpool profile --board B --json` at the same settings) as JSON to FILE."),
                              QStringLiteral("FILE")};
    QCommandLineOption ramMetering{QStringLiteral("ram-metering"),
                                   QStringLiteral("How often the live RAM chart measures a frame in the metered arena: "
                                                  "every, second (default) or off."),
                                   QStringLiteral("WHEN")};
    QCommandLineOption sweep{QStringLiteral("sweep"),
                             QStringLiteral("Sweep SETTING over the comma-separated VALUES at start, in i8 (the Sweep tab's "
                                            "button), e.g. input=160x120,320x240,640x480; --screenshot waits for it."),
                             QStringLiteral("SETTING=VALUES")};
    QCommandLineOption m4Run{QStringLiteral("m4-run"),
                             QStringLiteral("Once the picture is detected, run the model as firmware on the emulated "
                                            "Cortex-M4 at WxH (the M4 tab's Run button); --screenshot waits for it."),
                             QStringLiteral("WxH")};
    QCommandLineOption m4Schedule{QStringLiteral("m4-schedule"),
                                  QStringLiteral("The schedule of --m4-run: layerwise (default), paper, rowstream or linebuffer."),
                                  QStringLiteral("NAME")};
    QCommandLineOption numerics{QStringLiteral("numerics"),
                                QStringLiteral("The numbers detection runs in: f32 (default) or i8 (the model's int8 twin, "
                                               "as the Cortex-M4 firmware computes; the Detection toolbar's Numerics box)."),
                                QStringLiteral("f32|i8")};
    QCommandLineOption labels{QStringLiteral("labels"),
                              QStringLiteral("Labels for the pictures opened (WIDER FACE text format, as rnnpool eval "
                                             "--labels): ground truth drawn beside the detections, precision and recall "
                                             "on the Accuracy tab."),
                              QStringLiteral("FILE")};
    QCommandLineOption diff{QStringLiteral("diff"),
                            QStringLiteral("Once the picture is detected, compare the model with MODEL layer by layer on the "
                                           "Diff tab (a model file, a built-in name, or int8 for its int8 twin)."),
                            QStringLiteral("MODEL")};
    QCommandLineOption windowSize{QStringLiteral("window-size"),
                                  QStringLiteral("Window size, e.g. 1280x800 (the network input size follows the model)."),
                                  QStringLiteral("WxH")};

    QList<QCommandLineOption> all() const
    {
        return {model, arch, image, folder, video, camera, cameraSize, frame, play, loop, layer, patch, step, grid, threshold,
                tab, theme, screenshot, report, ramMetering, m4Run, m4Schedule, numerics, diff, labels, windowSize, sweep};
    }
};

std::optional<QSize> parseSize(const QString& text, int minW, int minH)
{
    const auto spec = rnnpool::parseSizeSpec(text.toStdString());
    if (!spec || spec->channels != 0 || spec->width < minW || spec->height < minH || spec->width > 10000 ||
        spec->height > 10000)
        return std::nullopt;
    return QSize(static_cast<int>(spec->width), static_cast<int>(spec->height));
}

void describe(QCommandLineParser& parser, const Options& o)
{
    parser.setApplicationDescription(QStringLiteral(
        "Explore RNNPool face detection models: live detection, layers, activations and RNNPool sweeps."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(o.all());
}

// --help and --version answer without a display: a QCoreApplication parses them.
bool asksForHelpOrVersion(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--help" || a == "-h" || a == "-?" || a == "--help-all" || a == "--version" || a == "-v")
            return true;
    }
    return false;
}

void nameApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("RNNPool"));
    QCoreApplication::setApplicationName(QStringLiteral("RNNPool Studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RNNPOOL_VERSION));
}

} // namespace

int main(int argc, char** argv)
{
    const Options o;
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication core(argc, argv);
        nameApplication();
        QCoreApplication::setApplicationName(QStringLiteral("rnnpool-studio"));
        QCommandLineParser parser;
        describe(parser, o);
        parser.process(core); // prints and exits
        return 0;
    }
    QApplication app(argc, argv);
    nameApplication();
    rnnpool::studio::rememberSystemPalette();

    QCommandLineParser parser;
    describe(parser, o);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));

    // Validate everything before a window opens.
    // --folder, --video and --camera win over --image (tools/setup.sh studio always passes a sample picture).
    int others = 0;
    for (const auto* option : {&o.folder, &o.video, &o.camera})
        others += parser.isSet(*option) ? 1 : 0;
    if (others > 1)
        return usageError(QStringLiteral("give one source: --image, --folder, --video or --camera"));
    const int sources = others > 0 || parser.isSet(o.image) ? 1 : 0;
    std::optional<QSize> windowSize;
    if (parser.isSet(o.windowSize) && !(windowSize = parseSize(parser.value(o.windowSize), 200, 150)))
        return usageError(QStringLiteral("--window-size must be WIDTHxHEIGHT between 200x150 and 10000x10000, not '%1'")
                              .arg(parser.value(o.windowSize)));
    SourceRequest source;
    bool ok = true;
    if (parser.isSet(o.folder))
        source = SourceRequest::file(SourceRequest::Folder, parser.value(o.folder));
    else if (parser.isSet(o.video))
        source = SourceRequest::file(SourceRequest::Video, parser.value(o.video));
    else if (parser.isSet(o.camera)) {
        source.kind = SourceRequest::Camera;
        source.camera = parser.value(o.camera).toInt(&ok);
        if (!ok || source.camera < 0 || source.camera > 63)
            return usageError(QStringLiteral("--camera must be a number from 0 to 63, not '%1'").arg(parser.value(o.camera)));
        if (parser.isSet(o.cameraSize)) {
            const auto size = parseSize(parser.value(o.cameraSize), 16, 16);
            if (!size)
                return usageError(QStringLiteral("--camera-size must be WIDTHxHEIGHT, not '%1'").arg(parser.value(o.cameraSize)));
            source.resolution = rnnpool::Size2{size->width(), size->height()};
        }
    } else if (parser.isSet(o.image)) {
        source = SourceRequest::file(SourceRequest::Picture, parser.value(o.image));
    }
    const int frame = parser.isSet(o.frame) ? parser.value(o.frame).toInt(&ok) : 1;
    if (!ok || frame < 1)
        return usageError(QStringLiteral("--frame must be a number from 1, not '%1'").arg(parser.value(o.frame)));
    const int loops = parser.isSet(o.loop) ? parser.value(o.loop).toInt(&ok) : 1;
    if (!ok || loops < 1 || loops > 100000)
        return usageError(QStringLiteral("--loop must be a number from 1 to 100000, not '%1'").arg(parser.value(o.loop)));
    if (parser.isSet(o.loop) && !parser.isSet(o.play))
        return usageError(QStringLiteral("--loop needs --play"));
    std::optional<QPoint> patch;
    if (parser.isSet(o.patch)) {
        static const QRegularExpression rowCol(QStringLiteral(R"(^\s*(\d{1,5})\s*,\s*(\d{1,5})\s*$)"));
        const auto m = rowCol.match(parser.value(o.patch));
        if (!m.hasMatch())
            return usageError(QStringLiteral("--patch must be ROW,COL, e.g. 10,20, not '%1'").arg(parser.value(o.patch)));
        patch = QPoint(m.captured(1).toInt(), m.captured(2).toInt());
    }
    const int step = parser.isSet(o.step) ? parser.value(o.step).toInt(&ok) : 0;
    if (!ok || step < 0)
        return usageError(QStringLiteral("--step must be a number from 1, not '%1'").arg(parser.value(o.step)));
    const double threshold = parser.isSet(o.threshold) ? parser.value(o.threshold).toDouble(&ok) : -1.0;
    if (!ok || (parser.isSet(o.threshold) && (threshold < 0.0 || threshold > 1.0)))
        return usageError(QStringLiteral("--threshold must be between 0 and 1, not '%1'").arg(parser.value(o.threshold)));
    std::optional<rnnpool::studio::Theme> theme;
    if (parser.isSet(o.theme) && !(theme = rnnpool::studio::themeFromName(parser.value(o.theme))))
        return usageError(QStringLiteral("--theme must be system, light or dark, not '%1'").arg(parser.value(o.theme)));

    std::optional<rnnpool::studio::RamMetering> metering;
    if (parser.isSet(o.ramMetering) && !(metering = rnnpool::studio::ramMeteringFromName(parser.value(o.ramMetering))))
        return usageError(QStringLiteral("--ram-metering must be every, second or off, not '%1'").arg(parser.value(o.ramMetering)));

    std::optional<rnnpool::studio::Numerics> numerics;
    if (parser.isSet(o.numerics) && !(numerics = rnnpool::studio::numericsFromName(parser.value(o.numerics))))
        return usageError(QStringLiteral("--numerics must be f32 or i8, not '%1'").arg(parser.value(o.numerics)));
    std::optional<QSize> m4Size;
    if (parser.isSet(o.m4Run)) {
        const QStringList parts = parser.value(o.m4Run).split(u'x');
        bool okW = false, okH = false;
        const int w = parts.size() == 2 ? parts[0].toInt(&okW) : 0, h = parts.size() == 2 ? parts[1].toInt(&okH) : 0;
        if (!okW || !okH || w <= 0 || h <= 0)
            return usageError(QStringLiteral("--m4-run must be WIDTHxHEIGHT, e.g. 80x60"));
        m4Size = QSize(w, h);
    }
    const QString m4ScheduleName = parser.isSet(o.m4Schedule) ? parser.value(o.m4Schedule) : QStringLiteral("layerwise");
    if (!rnnpool::isFirmwareScheduleName(m4ScheduleName.toStdString()))
        return usageError(QStringLiteral("--m4-schedule must be one of %1, not '%2'")
                              .arg(QString::fromLatin1(rnnpool::firmwareScheduleNames()), m4ScheduleName));
    if (parser.isSet(o.m4Schedule) && !m4Size)
        return usageError(QStringLiteral("--m4-schedule needs --m4-run"));
    // --sweep SETTING=VALUES: the setting as the Sweep tab's box takes it, the values as its line.
    std::optional<std::pair<QString, QString>> sweepRequest;
    if (parser.isSet(o.sweep)) {
        const QString text = parser.value(o.sweep);
        const qsizetype eq = text.indexOf(u'=');
        if (eq <= 0 || eq + 1 >= text.size())
            return usageError(QStringLiteral("--sweep must be SETTING=VALUES, e.g. input=160x120,320x240, not '%1'").arg(text));
        sweepRequest = std::pair{text.left(eq).trimmed(), text.mid(eq + 1).trimmed()};
    }
    const std::optional<QString> diffWith = parser.isSet(o.diff) ? std::optional<QString>(parser.value(o.diff)) : std::nullopt;
    const bool screenshot = parser.isSet(o.screenshot);
    if (parser.isSet(o.report) && !screenshot)
        return usageError(QStringLiteral("--report needs --screenshot"));
    reportPath() = parser.value(o.report);
    const QString screenshotPath = parser.value(o.screenshot);
    MainWindow window(screenshot ? MainWindow::Settings::Ignore : MainWindow::Settings::Remember);
    if (parser.isSet(o.tab) && !window.tabNames().contains(parser.value(o.tab).toLower()))
        return usageError(QStringLiteral("--tab must be one of %1, not '%2'")
                              .arg(window.tabNames().join(QStringLiteral(", ")), parser.value(o.tab)));
    if (theme)
        window.setTheme(*theme);
    if (metering)
        window.setRamMetering(*metering);
    if (numerics)
        window.setNumerics(*numerics);
    if (windowSize)
        window.resize(*windowSize);
    else if (screenshot)
        window.resize(1400, 860);
    if (parser.isSet(o.tab))
        window.showTab(parser.value(o.tab));
    if (threshold >= 0.0)
        window.setThreshold(threshold);
    if (parser.isSet(o.grid))
        window.setPatchGridVisible(true);
    window.show();

    const bool play = parser.isSet(o.play) && sources == 1;
    // Every refusal (model, picture, video, detection) also goes to stderr, so
    // a headless run says why it failed; with --screenshot it ends the run
    // (status 1): a video that cannot be read never reaches its end.
    const auto reportFailure = [&window, screenshot, screenshotPath](const QString& message) {
        std::fprintf(stderr, "rnnpool-studio: %s\n", qPrintable(message));
        if (screenshot)
            grabWhenSettled(window, screenshotPath);
    };
    QObject::connect(&window.player(), &rnnpool::studio::SourcePlayer::failed, &window, reportFailure);
    QObject::connect(&window.runner(), &rnnpool::studio::ModelRunner::modelFailed, &window, reportFailure);
    QObject::connect(&window.runner(), &rnnpool::studio::ModelRunner::detectionFailed, &window, reportFailure);
    if (screenshot && play) {
        // Play to the end of the folder or video, let the last detection finish, then grab.
        // With --loop N, each end but the last starts the source again.
        auto passes = std::make_shared<int>(0);
        auto frames = std::make_shared<qint64>(0);
        QObject::connect(&window.player(), &rnnpool::studio::SourcePlayer::frameReady, &window,
                         [frames](const rnnpool::Frame&) { ++*frames; });
        QObject::connect(&window.player(), &rnnpool::studio::SourcePlayer::ended, &window,
                         [&window, screenshotPath, passes, frames, loops] {
            if (++*passes < loops) {
                window.player().play();
                return;
            }
            if (loops > 1)
                std::fprintf(stderr, "rnnpool-studio: played %d passes, %lld frames\n", *passes,
                             static_cast<long long>(*frames));
            auto grabSoon = [&window, screenshotPath] {
                grabWhenSettled(window, screenshotPath);
            };
            if (window.runner().isBusy())
                QObject::connect(&window.runner(), &rnnpool::studio::ModelRunner::idle, &window, grabSoon,
                                 Qt::SingleShotConnection);
            else
                grabSoon();
        });
    } else if (screenshot) {
        // The first idle comes after the model, the first frame and its detection.
        QObject::connect(&window.runner(), &rnnpool::studio::ModelRunner::idle, &window,
                         [&window, screenshotPath, step, m4Size, m4ScheduleName, diffWith, sweepRequest] {
                             if (step > 0)
                                 window.setTraceStep(step - 1);
                             if (m4Size)
                                 window.analysisTabs().runOnEmulator(m4Size->width(), m4Size->height(), m4ScheduleName);
                             if (diffWith)
                                 window.analysisTabs().runDiff(*diffWith == QStringLiteral("int8") ? QString() : *diffWith);
                             if (sweepRequest) {
                                 window.analysisTabs().sweepView()->setRequest(sweepRequest->first, sweepRequest->second,
                                                                               rnnpool::ElementType::I8);
                                 window.analysisTabs().sweepView()->requestSweep();
                             }
                             grabWhenSettled(window, screenshotPath);
                         },
                         Qt::SingleShotConnection);
        QTimer::singleShot(kScreenshotTimeoutMs, &window, [&window, screenshotPath] {
            window.showError(QStringLiteral("Timed out: loading and detection took longer than %1 s")
                                 .arg(kScreenshotTimeoutMs / 1000));
            saveScreenshotAndExit(window, screenshotPath);
        });
    }

    window.openModel({parser.value(o.model), parser.value(o.arch)});
    if (parser.isSet(o.labels) && !window.openLabels(parser.value(o.labels)) && screenshot)
        return 1;
    if (parser.isSet(o.layer))
        window.selectLayer(parser.value(o.layer));
    if (patch)
        window.selectPatch(patch->x(), patch->y());
    if (sources == 1) {
        window.openSource(source, frame - 1);
        if (play)
            window.player().play();
    }
    return QApplication::exec();
}
