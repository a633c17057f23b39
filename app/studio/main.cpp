// rnnpool-studio: the desktop studio. See --help; --screenshot renders the
// window once loading and detection have finished and exits (for docs and the
// smoke test): status 0 when all went well, 1 when an error is shown.
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "engine/preprocess.h"
#include "studio/main_window.h"

namespace {

constexpr int kExitUsage = 2;
// A stuck load must not hang a smoke test: save what the window shows and fail.
constexpr int kScreenshotTimeoutMs = 300'000;

int usageError(const QString& message)
{
    std::fprintf(stderr, "rnnpool-studio: %s\nRun 'rnnpool-studio --help' for usage.\n", qPrintable(message));
    return kExitUsage;
}

void saveScreenshotAndExit(rnnpool::studio::MainWindow& window, const QString& path)
{
    const QPixmap shot = window.grab();
    if (!shot.save(path)) {
        std::fprintf(stderr, "rnnpool-studio: cannot write the screenshot '%s'\n", qPrintable(path));
        QApplication::exit(1);
        return;
    }
    QApplication::exit(window.errorCount() == 0 ? 0 : 1);
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RNNPool"));
    QApplication::setApplicationName(QStringLiteral("RNNPool Studio"));
    QApplication::setApplicationVersion(QStringLiteral(RNNPOOL_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Explore RNNPool face detection models: layers, timings, detections."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption modelOption(QStringLiteral("model"),
                                         QStringLiteral("Model to load: a checkpoint (.pth) or a .safetensors file. "
                                                        "Default: the default model."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption archOption(QStringLiteral("arch"),
                                        QStringLiteral("Architecture of the --model checkpoint, or alone: that built-in "
                                                       "architecture with random weights."),
                                        QStringLiteral("NAME"));
    const QCommandLineOption imageOption(QStringLiteral("image"), QStringLiteral("Picture to detect faces in."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window to OUT.png once loading and detection are done, then exit "
                       "(status 0, or 1 when the window shows an error)."),
        QStringLiteral("OUT.png"));
    const QCommandLineOption sizeOption(QStringLiteral("window-size"), QStringLiteral("Window size, e.g. 1280x800 (the network input size follows the model)."),
                                        QStringLiteral("WxH"));
    parser.addOptions({modelOption, archOption, imageOption, screenshotOption, sizeOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));

    std::optional<QSize> size;
    if (parser.isSet(sizeOption)) {
        const auto spec = rnnpool::parseSizeSpec(parser.value(sizeOption).toStdString());
        if (!spec || spec->channels != 0 || spec->width < 200 || spec->height < 150 || spec->width > 10000 ||
            spec->height > 10000)
            return usageError(QStringLiteral("--window-size must be WIDTHxHEIGHT between 200x150 and 10000x10000, not '%1'")
                                  .arg(parser.value(sizeOption)));
        size = QSize(static_cast<int>(spec->width), static_cast<int>(spec->height));
    }
    const bool screenshot = parser.isSet(screenshotOption);
    const QString screenshotPath = parser.value(screenshotOption);

    using rnnpool::studio::MainWindow;
    MainWindow window(screenshot ? MainWindow::Settings::Ignore : MainWindow::Settings::Remember);
    if (size)
        window.resize(*size);
    else if (screenshot)
        window.resize(1280, 800);
    window.show();

    if (screenshot) {
        // The first idle comes after the model, the picture and the detection below.
        QObject::connect(&window.runner(), &rnnpool::studio::ModelRunner::idle, &window,
                         [&window, screenshotPath] {
                             // Let the last results lay out and paint before grabbing.
                             QTimer::singleShot(100, &window, [&window, screenshotPath] {
                                 saveScreenshotAndExit(window, screenshotPath);
                             });
                         },
                         Qt::SingleShotConnection);
        QTimer::singleShot(kScreenshotTimeoutMs, &window, [&window, screenshotPath] {
            window.showError(QStringLiteral("Timed out: loading and detection took longer than %1 s")
                                 .arg(kScreenshotTimeoutMs / 1000));
            saveScreenshotAndExit(window, screenshotPath);
        });
    }

    window.openModel({parser.value(modelOption), parser.value(archOption)});
    if (parser.isSet(imageOption))
        window.openPicture(parser.value(imageOption));
    return QApplication::exec();
}
