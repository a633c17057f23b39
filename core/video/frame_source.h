// Frame sources for the studio: a single picture, a folder of pictures, a
// video file or a camera, all behind one pull interface. Plain OpenCV, no Qt,
// so that the playback rules (what ends, what fails, what can seek) are tested
// without a window.
//
//   Expected<std::unique_ptr<FrameSource>> src = openVideoFile("clip.avi");
//   if (!src) report(src.error());
//   while (auto f = (*src)->next()) {           // Expected<std::optional<Frame>>
//       if (!*f) break;                          // the end of a file or folder
//       show((*f)->bgr);
//   }
//
// A read that fails is an error with a reason, never an abort: a picture of a
// folder that cannot be decoded (the folder moves on past it), a camera that
// stops delivering frames (unplugged), a damaged video.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "engine/preprocess.h"
#include "util/expected.h"

namespace cv {
class VideoCapture;
}

namespace rnnpool {

struct Frame {
    cv::Mat bgr;                 // 8-bit BGR
    int64_t index = 0;           // position in the source, from 0
    std::string label;           // a picture's file name, or "frame 12"
};

enum class SourceKind { Picture, Folder, Video, Camera };

class FrameSource {
public:
    virtual ~FrameSource() = default;

    virtual SourceKind kind() const = 0;
    // E.g. "folder 'faces/' (12 pictures)", "camera 0 at 640x480".
    virtual std::string description() const = 0;
    // The next frame; nullopt at the end of a file or folder (cameras never end).
    virtual Expected<std::optional<Frame>> next() = 0;
    // Moves so that next() returns frame `index`. Cameras cannot seek.
    virtual Status seek(int64_t index) = 0;
    // Frames per second the source is meant to be shown at; 0 for pictures.
    virtual double framesPerSecond() const = 0;
    // Number of frames, when known (pictures, folders, most video files).
    virtual std::optional<int64_t> frameCount() const = 0;
    // The index next() will return.
    virtual int64_t position() const = 0;
};

// One picture, as a source of one frame.
Expected<std::unique_ptr<FrameSource>> openPictureFile(const std::filesystem::path& path);
// The pictures of a folder (not its sub-folders) by file name; an error when it has none.
Expected<std::unique_ptr<FrameSource>> openPictureFolder(const std::filesystem::path& folder);
Expected<std::unique_ptr<FrameSource>> openVideoFile(const std::filesystem::path& path);
// Camera `index` (/dev/video<index> on Linux), asking for `resolution` when given.
Expected<std::unique_ptr<FrameSource>> openCamera(int index, std::optional<Size2> resolution = {});
// A camera over an already opened capture, named `name` in messages. openCamera
// uses it; tests give it a capture of a video file, which ends as an unplugged
// camera does.
Expected<std::unique_ptr<FrameSource>> cameraFromCapture(std::unique_ptr<cv::VideoCapture> capture, std::string name,
                                                         std::optional<Size2> resolution = {});

// File suffixes (lower case, with the dot) taken as pictures and as videos.
bool isPictureFile(const std::filesystem::path& path);
bool isVideoFile(const std::filesystem::path& path);
// The pictures of a folder, sorted by name.
std::vector<std::filesystem::path> picturesInFolder(const std::filesystem::path& folder);

} // namespace rnnpool
