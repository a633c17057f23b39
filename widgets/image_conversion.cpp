#include "widgets/image_conversion.h"

#include <opencv2/imgproc.hpp>

namespace rnnpool::widgets {

QImage imageFromMat(const cv::Mat& mat)
{
    if (mat.empty() || mat.depth() != CV_8U)
        return {};
    const auto wrap = [&mat](QImage::Format format) {
        // The wrapper borrows mat's rows (with their stride); copy() detaches it.
        return QImage(mat.data, mat.cols, mat.rows, static_cast<qsizetype>(mat.step), format).copy();
    };
    switch (mat.channels()) {
    case 1:
        return wrap(QImage::Format_Grayscale8);
    case 3:
        return wrap(QImage::Format_BGR888);
    case 4: {
        cv::Mat rgba;
        cv::cvtColor(mat, rgba, cv::COLOR_BGRA2RGBA);
        return QImage(rgba.data, rgba.cols, rgba.rows, static_cast<qsizetype>(rgba.step), QImage::Format_RGBA8888).copy();
    }
    default:
        return {};
    }
}

cv::Mat matFromImage(const QImage& image)
{
    if (image.isNull())
        return {};
    const QImage bgr = image.convertToFormat(QImage::Format_BGR888);
    const cv::Mat wrapped(bgr.height(), bgr.width(), CV_8UC3, const_cast<uchar*>(bgr.constBits()),
                          static_cast<size_t>(bgr.bytesPerLine()));
    return wrapped.clone();
}

} // namespace rnnpool::widgets
