// libFuzzer target: picture headers, then OpenCV's decoders behind them, as
// loadPicture() runs them (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "io/picture_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> bytes(data, size);
    if (!rnnpool::checkPictureHeader(bytes))
        return 0;
    try {
        const std::vector<uint8_t> copy(data, data + size);
        const cv::Mat picture = cv::imdecode(copy, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
        (void)picture;
    } catch (const cv::Exception&) {
    }
    return 0;
}
