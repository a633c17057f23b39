// Pictures with their detections drawn on them, for reports and the CLI's
// `run --annotate`.
#pragma once

#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

#include "engine/face_detector.h"
#include "util/expected.h"

namespace rnnpool {

// A copy of `bgr` with every box outlined and its score written above it.
// Line width and text size follow the picture's size so that boxes stay
// visible on large photographs.
cv::Mat drawDetections(const cv::Mat& bgr, const std::vector<PixelBox>& faces);

// Writes `bgr` as PNG or JPEG (by the extension). The file appears whole or
// not at all: it is written next to its destination and renamed into place.
Status writePicture(const std::filesystem::path& path, const cv::Mat& bgr);

} // namespace rnnpool
