#include "studio_test_support.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "studio/model_runner.h"

namespace rnnpool::studio::testing {

bool waitUntil(const std::function<bool()>& done, int timeoutMs)
{
    return QTest::qWaitFor(done, timeoutMs);
}

bool loadModel(ModelRunner& runner, const QString& arch)
{
    QSignalSpy loaded(&runner, &ModelRunner::modelLoaded);
    QSignalSpy failed(&runner, &ModelRunner::modelFailed);
    runner.requestModel({QString(), arch});
    if (!waitUntil([&] { return !loaded.isEmpty() || !failed.isEmpty(); })) {
        ADD_FAILURE() << "the model " << arch.toStdString() << " did not load in time";
        return false;
    }
    if (!failed.isEmpty()) {
        ADD_FAILURE() << failed.front().front().toString().toStdString();
        return false;
    }
    return true;
}

Frame sampleFrame(int64_t index)
{
    Frame f;
    f.bgr = cv::imread(STUDIO_SAMPLE, cv::IMREAD_COLOR);
    EXPECT_FALSE(f.bgr.empty()) << STUDIO_SAMPLE;
    f.index = index;
    f.label = "frame " + std::to_string(index + 1);
    return f;
}

QString writeSampleVideo(int frames, double fps)
{
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("pan_%1_%2.avi").arg(frames).arg(fps));
    const cv::Mat picture = cv::imread(STUDIO_SAMPLE, cv::IMREAD_COLOR);
    if (picture.empty())
        return {};
    cv::Mat big;
    cv::resize(picture, big, cv::Size(800, picture.rows * 800 / picture.cols));
    cv::VideoWriter out(path.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, cv::Size(640, 480));
    if (!out.isOpened() || big.rows < 480)
        return {};
    for (int i = 0; i < frames; ++i) {
        const int x = (i * 7) % (big.cols - 640);
        out.write(big(cv::Rect(x, 0, 640, 480)));
    }
    return path;
}

} // namespace rnnpool::studio::testing
