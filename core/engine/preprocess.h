// The input pipeline of EdgeML's eval.py: scale the picture to the model's
// input area (VGA or QVGA) keeping its aspect ratio, or to an explicit size,
// with bilinear interpolation; subtract the mean (104,117,123) given in BGR
// order; keep RGB channel order; for 1-channel models mix luma
// 0.299R + 0.587G + 0.114B of the mean-subtracted values. No scaling to [0,1].
//
//   cv::Mat bgr = cv::imread(path);             // or use loadPicture()
//   PreparedInput in = prepareInput(bgr, 1, {320, 240}, std::nullopt);
#pragma once

#include <filesystem>
#include <optional>

#include <opencv2/core.hpp>

#include "tensor/tensor.h"
#include "util/expected.h"

namespace rnnpool {

struct Size2 {
    int64_t width = 0;
    int64_t height = 0;
};

struct PreparedInput {
    Tensor tensor;              // CHW float32
    Size2 original;             // the picture's size
    Size2 network;              // the tensor's size
};

// The size a picture of `original` takes when scaled to `area` pixels keeping
// its aspect ratio, as cv2.resize(fx=fy=sqrt(area/(w*h))) rounds it.
Size2 scaledToArea(Size2 original, Size2 area);

// `bgr` is 8-bit, 1, 3 or 4 channels (as OpenCV decodes pictures).
Expected<PreparedInput> prepareInput(const cv::Mat& bgr, int64_t channels, Size2 area, std::optional<Size2> exactSize);

// An 8-bit grey, BGR or BGRA picture as 3-channel BGR (shared pixels when it
// already is); an error for an empty picture or another depth or channel count.
Expected<cv::Mat> asBgr(const cv::Mat& picture);

// Decodes a picture file as EdgeML does (colour, EXIF orientation ignored).
Expected<cv::Mat> loadPicture(const std::filesystem::path& path);

// Parses "320x240" (width × height) or "320x240x1"; nullopt when malformed.
struct SizeSpec {
    int64_t width = 0, height = 0, channels = 0; // channels 0 when not given
};
std::optional<SizeSpec> parseSizeSpec(const std::string& text);

} // namespace rnnpool
