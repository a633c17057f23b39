#include "video/frame_source.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>

#include <opencv2/videoio.hpp>

namespace rnnpool {

namespace {

std::string lowerSuffix(const std::filesystem::path& path)
{
    std::string s = path.extension().string();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string quoted(const std::filesystem::path& path)
{
    return "'" + path.string() + "'";
}

// The pictures of a folder, or one picture: frames read by decoding files.
class PictureListSource final : public FrameSource {
public:
    PictureListSource(SourceKind kind, std::filesystem::path origin, std::vector<std::filesystem::path> files)
        : m_kind(kind)
        , m_origin(std::move(origin))
        , m_files(std::move(files))
    {
    }

    SourceKind kind() const override { return m_kind; }
    std::string description() const override
    {
        if (m_kind == SourceKind::Picture)
            return "picture " + quoted(m_origin);
        return "folder " + quoted(m_origin) + " (" + std::to_string(m_files.size()) +
               (m_files.size() == 1 ? " picture)" : " pictures)");
    }

    Expected<std::optional<Frame>> next() override
    {
        if (m_position >= static_cast<int64_t>(m_files.size()))
            return std::optional<Frame>();
        const int64_t index = m_position++;
        const auto& file = m_files[static_cast<size_t>(index)];
        auto picture = loadPicture(file);
        if (!picture)
            return std::move(picture).takeError();
        return std::optional<Frame>(Frame{std::move(*picture), index, file.filename().string()});
    }

    Status seek(int64_t index) override
    {
        if (index < 0 || index >= static_cast<int64_t>(m_files.size()))
            return makeError(description() + ": no picture number " + std::to_string(index + 1));
        m_position = index;
        return {};
    }

    double framesPerSecond() const override { return 0.0; }
    std::optional<int64_t> frameCount() const override { return static_cast<int64_t>(m_files.size()); }
    int64_t position() const override { return m_position; }

private:
    SourceKind m_kind;
    std::filesystem::path m_origin;
    std::vector<std::filesystem::path> m_files;
    int64_t m_position = 0;
};

// A video file or a camera through cv::VideoCapture.
class CaptureSource final : public FrameSource {
public:
    CaptureSource(SourceKind kind, std::unique_ptr<cv::VideoCapture> capture, std::string name)
        : m_kind(kind)
        , m_capture(std::move(capture))
        , m_name(std::move(name))
    {
        const double fps = m_capture->get(cv::CAP_PROP_FPS);
        m_fps = std::isfinite(fps) && fps > 0.0 && fps < 1000.0 ? fps : 0.0;
        const double count = m_capture->get(cv::CAP_PROP_FRAME_COUNT);
        if (m_kind == SourceKind::Video && std::isfinite(count) && count > 0.0)
            m_count = static_cast<int64_t>(count);
    }

    SourceKind kind() const override { return m_kind; }
    std::string description() const override
    {
        std::string text = m_name;
        const auto w = static_cast<int>(m_capture->get(cv::CAP_PROP_FRAME_WIDTH));
        const auto h = static_cast<int>(m_capture->get(cv::CAP_PROP_FRAME_HEIGHT));
        if (w > 0 && h > 0)
            text += " at " + std::to_string(w) + "x" + std::to_string(h);
        return text;
    }

    Expected<std::optional<Frame>> next() override
    {
        cv::Mat frame;
        bool ok = false;
        try {
            ok = m_capture->read(frame);
        } catch (const cv::Exception& e) {
            return makeError(m_name + ": reading frame " + std::to_string(m_position + 1) + " failed (" + e.what() + ")");
        }
        if (!ok || frame.empty()) {
            if (m_kind == SourceKind::Camera)
                return makeError(m_name + " stopped delivering frames after " + std::to_string(m_position) +
                                 " (unplugged, or in use by another program?)");
            if (m_count && m_position < *m_count - 1)
                return makeError(m_name + ": frame " + std::to_string(m_position + 1) + " of " +
                                 std::to_string(*m_count) + " cannot be decoded (damaged file?)");
            return std::optional<Frame>();
        }
        if (frame.depth() != CV_8U || (frame.channels() != 3 && frame.channels() != 1 && frame.channels() != 4))
            return makeError(m_name + ": frames of an unexpected pixel type (" + std::to_string(frame.type()) + ")");
        const int64_t index = m_position++;
        return std::optional<Frame>(Frame{std::move(frame), index, "frame " + std::to_string(index + 1)});
    }

    Status seek(int64_t index) override
    {
        if (m_kind == SourceKind::Camera)
            return makeError(m_name + ": a camera cannot go back or skip ahead");
        if (index < 0 || (m_count && index >= *m_count))
            return makeError(m_name + ": no frame number " + std::to_string(index + 1));
        if (!m_capture->set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(index)))
            return makeError(m_name + ": this video cannot seek");
        m_position = index;
        return {};
    }

    double framesPerSecond() const override { return m_fps; }
    std::optional<int64_t> frameCount() const override { return m_count; }
    int64_t position() const override { return m_position; }

private:
    SourceKind m_kind;
    std::unique_ptr<cv::VideoCapture> m_capture;
    std::string m_name;
    double m_fps = 0.0;
    std::optional<int64_t> m_count;
    int64_t m_position = 0;
};

} // namespace

bool isPictureFile(const std::filesystem::path& path)
{
    static const char* const kSuffixes[] = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"};
    const std::string s = lowerSuffix(path);
    return std::any_of(std::begin(kSuffixes), std::end(kSuffixes), [&](const char* k) { return s == k; });
}

bool isVideoFile(const std::filesystem::path& path)
{
    static const char* const kSuffixes[] = {".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"};
    const std::string s = lowerSuffix(path);
    return std::any_of(std::begin(kSuffixes), std::end(kSuffixes), [&](const char* k) { return s == k; });
}

std::vector<std::filesystem::path> picturesInFolder(const std::filesystem::path& folder)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(folder, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file(ec) && isPictureFile(it->path()))
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

Expected<std::unique_ptr<FrameSource>> openPictureFile(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return makeError("picture " + quoted(path) + ": no such file");
    if (std::filesystem::is_directory(path, ec))
        return makeError("picture " + quoted(path) + ": is a folder; open it as a folder");
    return std::unique_ptr<FrameSource>(
        std::make_unique<PictureListSource>(SourceKind::Picture, path, std::vector<std::filesystem::path>{path}));
}

Expected<std::unique_ptr<FrameSource>> openPictureFolder(const std::filesystem::path& folder)
{
    std::error_code ec;
    if (!std::filesystem::exists(folder, ec))
        return makeError("folder " + quoted(folder) + ": no such folder");
    if (!std::filesystem::is_directory(folder, ec))
        return makeError("folder " + quoted(folder) + ": is a file, not a folder");
    auto files = picturesInFolder(folder);
    if (files.empty())
        return makeError("folder " + quoted(folder) +
                         ": has no pictures (.jpg, .jpeg, .png, .bmp, .tif, .tiff, .webp, .pgm, .ppm)");
    return std::unique_ptr<FrameSource>(std::make_unique<PictureListSource>(SourceKind::Folder, folder, std::move(files)));
}

Expected<std::unique_ptr<FrameSource>> openVideoFile(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return makeError("video " + quoted(path) + ": no such file");
    if (std::filesystem::is_directory(path, ec))
        return makeError("video " + quoted(path) + ": is a folder, not a video");
    auto capture = std::make_unique<cv::VideoCapture>();
    try {
        capture->open(path.string(), cv::CAP_ANY);
    } catch (const cv::Exception& e) {
        return makeError("video " + quoted(path) + ": cannot be opened (" + e.what() + ")");
    }
    if (!capture->isOpened())
        return makeError("video " + quoted(path) + ": not a video OpenCV can decode (or it is damaged)");
    auto source = std::make_unique<CaptureSource>(SourceKind::Video, std::move(capture), "video " + quoted(path));
    // A file that opens but yields no first frame is as useless as one that does not open.
    auto first = source->next();
    if (!first || !*first)
        return makeError("video " + quoted(path) + ": has no frame that can be decoded");
    if (Status st = source->seek(0); !st) {
        // Some containers cannot seek; reopen instead.
        auto again = std::make_unique<cv::VideoCapture>(path.string(), cv::CAP_ANY);
        if (!again->isOpened())
            return makeError("video " + quoted(path) + ": cannot be reopened after reading its first frame");
        source = std::make_unique<CaptureSource>(SourceKind::Video, std::move(again), "video " + quoted(path));
    }
    return std::unique_ptr<FrameSource>(std::move(source));
}

Expected<std::unique_ptr<FrameSource>> cameraFromCapture(std::unique_ptr<cv::VideoCapture> capture, std::string name,
                                                         std::optional<Size2> resolution)
{
    if (!capture || !capture->isOpened())
        return makeError(name + " cannot be opened (not connected, or in use by another program?)");
    if (resolution) {
        capture->set(cv::CAP_PROP_FRAME_WIDTH, static_cast<double>(resolution->width));
        capture->set(cv::CAP_PROP_FRAME_HEIGHT, static_cast<double>(resolution->height));
    }
    return std::unique_ptr<FrameSource>(std::make_unique<CaptureSource>(SourceKind::Camera, std::move(capture), std::move(name)));
}

Expected<std::unique_ptr<FrameSource>> openCamera(int index, std::optional<Size2> resolution)
{
    const std::string name = "camera " + std::to_string(index);
    if (index < 0 || index > 63)
        return makeError(name + ": camera numbers run from 0 to 63");
    auto capture = std::make_unique<cv::VideoCapture>();
    try {
        capture->open(index, cv::CAP_ANY);
    } catch (const cv::Exception& e) {
        return makeError(name + " cannot be opened (" + e.what() + ")");
    }
    return cameraFromCapture(std::move(capture), name, resolution);
}

} // namespace rnnpool
