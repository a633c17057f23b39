// Conversions between OpenCV's BGR matrices and QImage. Both directions copy
// the pixels, so the result never shares memory with the source and can cross
// threads freely (a QImage built on a worker thread is safe to paint later).
//
//   cv::Mat bgr = ...;                     // from rnnpool::loadPicture()
//   QImage shown = rnnpool::widgets::imageFromMat(bgr);
//   cv::Mat back = rnnpool::widgets::matFromImage(shown);   // 8-bit BGR
#pragma once

#include <QImage>

#include <opencv2/core.hpp>

namespace rnnpool::widgets {

// Takes 8-bit grey, BGR or BGRA matrices; returns a null QImage for any other type.
QImage imageFromMat(const cv::Mat& mat);

// Any QImage to an 8-bit 3-channel BGR matrix (alpha is dropped); empty for a null image.
cv::Mat matFromImage(const QImage& image);

} // namespace rnnpool::widgets
