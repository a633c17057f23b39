#include "engine/preprocess.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <regex>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "io/picture_header.h"
#include "util/limits.h"

namespace rnnpool {


Size2 scaledToArea(Size2 original, Size2 area)
{
    const double shrink = std::sqrt(static_cast<double>(area.width * area.height) /
                                    static_cast<double>(original.width * original.height));
    // OpenCV rounds the destination size to the nearest integer.
    Size2 out{static_cast<int64_t>(std::lround(static_cast<double>(original.width) * shrink)),
              static_cast<int64_t>(std::lround(static_cast<double>(original.height) * shrink))};
    out.width = std::max<int64_t>(out.width, 1);
    out.height = std::max<int64_t>(out.height, 1);
    return out;
}

Expected<cv::Mat> asBgr(const cv::Mat& picture)
{
    if (picture.empty())
        return makeError("the picture is empty");
    if (picture.depth() != CV_8U || (picture.channels() != 1 && picture.channels() != 3 && picture.channels() != 4))
        return makeError("the picture must be 8-bit grey, BGR or BGRA");
    cv::Mat bgr;
    if (picture.channels() == 1)
        cv::cvtColor(picture, bgr, cv::COLOR_GRAY2BGR);
    else if (picture.channels() == 4)
        cv::cvtColor(picture, bgr, cv::COLOR_BGRA2BGR);
    else
        bgr = picture;
    return bgr;
}

Expected<PreparedInput> prepareInput(const cv::Mat& picture, int64_t channels, Size2 area, std::optional<Size2> exactSize)
{
    auto converted = asBgr(picture);
    if (!converted)
        return std::move(converted).takeError();
    if (channels != 1 && channels != 3)
        return makeError("models take 1 or 3 channels, not " + std::to_string(channels));
    const cv::Mat& bgr = *converted;

    PreparedInput out;
    out.original = {bgr.cols, bgr.rows};
    out.network = exactSize ? *exactSize : scaledToArea(out.original, area);
    // Checked before the resized picture or the tensor is allocated.
    if (Status st = limits::checkInputSize(out.network.width, out.network.height); !st)
        return makeError(st.error());
    cv::Mat resized;
    if (out.network.width == out.original.width && out.network.height == out.original.height)
        resized = bgr;
    else
        cv::resize(bgr, resized, cv::Size(static_cast<int>(out.network.width), static_cast<int>(out.network.height)), 0, 0,
                   cv::INTER_LINEAR);

    const int64_t h = out.network.height, w = out.network.width;
    out.tensor = Tensor({channels, h, w});
    for (int64_t y = 0; y < h; ++y) {
        const uint8_t* row = resized.ptr<uint8_t>(static_cast<int>(y));
        for (int64_t x = 0; x < w; ++x) {
            const float b = static_cast<float>(row[3 * x]) - 104.0f;
            const float g = static_cast<float>(row[3 * x + 1]) - 117.0f;
            const float r = static_cast<float>(row[3 * x + 2]) - 123.0f;
            if (channels == 3) {
                out.tensor.at(0, y, x) = r;
                out.tensor.at(1, y, x) = g;
                out.tensor.at(2, y, x) = b;
            } else {
                out.tensor.at(0, y, x) = 0.299f * r + 0.587f * g + 0.114f * b;
            }
        }
    }
    return out;
}

Expected<cv::Mat> loadPicture(const std::filesystem::path& path)
{
    const std::string label = "picture '" + path.string() + "'";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return makeError(label + ": no such file");
    if (std::filesystem::is_directory(path, ec))
        return makeError(label + ": is a folder, not a picture");
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > static_cast<uintmax_t>(limits::kMaxPictureFileBytes))
        return makeError(label + ": " + std::to_string(size) + " bytes, beyond the limit of " +
                         std::to_string(limits::kMaxPictureFileBytes >> 20) +
                         " MiB (kMaxPictureFileBytes in core/util/limits.h)");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(label + ": cannot open the file");
    std::vector<uint8_t> bytes;
    if (ec) { // size unknown: read to the end
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
        bytes.resize(static_cast<size_t>(size));
        if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
            return makeError(label + ": cannot read the file");
    }
    if (bytes.empty())
        return makeError(label + ": the file is empty");
    // Before decoding: the size the header declares, and whether a JPEG is whole.
    if (Status st = checkPictureHeader(bytes); !st)
        return makeError(label + ": " + st.error());
    cv::Mat image;
    try {
        image = cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const cv::Exception& e) {
        return makeError(label + ": cannot be decoded (" + e.what() + ")");
    }
    if (image.empty())
        return makeError(label + ": not a picture OpenCV can decode (or it is damaged)");
    return image;
}

std::optional<SizeSpec> parseSizeSpec(const std::string& text)
{
    static const std::regex pattern(R"(^\s*(\d{1,6})\s*[xX]\s*(\d{1,6})(?:\s*[xX]\s*(\d{1,3}))?\s*$)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern))
        return std::nullopt;
    SizeSpec s;
    s.width = std::stoll(m[1]);
    s.height = std::stoll(m[2]);
    s.channels = m[3].matched ? std::stoll(m[3]) : 0;
    if (s.width <= 0 || s.height <= 0 || (m[3].matched && s.channels <= 0))
        return std::nullopt;
    return s;
}

} // namespace rnnpool
