#include "engine/annotate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "io/file_io.h"

namespace rnnpool {

namespace {

std::string lowerExtension(const std::filesystem::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

} // namespace

cv::Mat drawDetections(const cv::Mat& bgr, const std::vector<PixelBox>& faces)
{
    cv::Mat out = bgr.channels() == 1 ? cv::Mat() : bgr.clone();
    if (bgr.channels() == 1)
        cv::cvtColor(bgr, out, cv::COLOR_GRAY2BGR);
    const int side = std::max(out.cols, out.rows);
    const int thickness = std::max(1, static_cast<int>(std::lround(side / 400.0)));
    const double fontScale = std::max(0.4, side / 1600.0);
    const cv::Scalar boxColour(40, 220, 60);
    for (const PixelBox& b : faces) {
        const cv::Point p1(static_cast<int>(std::lround(b.x1)), static_cast<int>(std::lround(b.y1)));
        const cv::Point p2(static_cast<int>(std::lround(b.x2)), static_cast<int>(std::lround(b.y2)));
        cv::rectangle(out, p1, p2, boxColour, thickness, cv::LINE_AA);
        char label[16];
        std::snprintf(label, sizeof label, "%.2f", static_cast<double>(b.score));
        int baseline = 0;
        const cv::Size text = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, fontScale, thickness, &baseline);
        const int top = std::max(0, p1.y - text.height - baseline - 2);
        cv::rectangle(out, cv::Point(p1.x, top), cv::Point(p1.x + text.width + 4, top + text.height + baseline + 2), boxColour,
                      cv::FILLED);
        cv::putText(out, label, cv::Point(p1.x + 2, top + text.height + 1), cv::FONT_HERSHEY_SIMPLEX, fontScale,
                    cv::Scalar(0, 0, 0), thickness, cv::LINE_AA);
    }
    return out;
}

Status writePicture(const std::filesystem::path& path, const cv::Mat& bgr)
{
    const std::string ext = lowerExtension(path);
    if (ext != ".png" && ext != ".jpg" && ext != ".jpeg")
        return makeError("picture '" + path.string() + "': give a .png or .jpg file name");
    std::vector<uchar> bytes;
    try {
        if (!cv::imencode(ext, bgr, bytes))
            return makeError("picture '" + path.string() + "': the encoder refused the picture");
    } catch (const cv::Exception& e) {
        return makeError("picture '" + path.string() + "': " + e.what());
    }
    return writeFileAtomically(path, "picture", [&](FileSink& sink) { return sink.write(bytes.data(), bytes.size()); });
}

} // namespace rnnpool
