// The limits an input meets before the engine allocates anything for it, in
// one place. A picture, a size, an architecture spec or a model file beyond
// one is refused with a message that names the limit and this file; to raise
// one, change its constant here and rebuild (README, "Limits"). Each is far
// above what the built-in models and real pictures need, and low enough that
// a refusal comes in well under a second and a few megabytes.
//
//   if (Status st = checkInputSize(width, height); !st) return st;  // before any allocation
#pragma once

#include <cstdint>
#include <string>

#include "util/expected.h"

namespace rnnpool::limits {

// Network inputs (--size, --input, tensors): each side, and the pixels.
constexpr int64_t kMaxInputSide = 4096;
constexpr int64_t kMaxInputPixels = int64_t{4096} * 4096; // 16.8 MP
// Any layer's output height or width (padding can grow a map past the input).
constexpr int64_t kMaxMapSide = 2 * kMaxInputSide;
// One layer's inputs and output together, float32 (no schedule can hold less).
constexpr int64_t kMaxActivationBytes = int64_t{2} << 30; // 2 GiB

// Picture files: their declared size, read from the header before decoding.
constexpr int64_t kMaxPictureSide = 32768;
constexpr int64_t kMaxPicturePixels = int64_t{1} << 26; // 67.1 MP (8192 x 8192)
constexpr int64_t kMaxPictureFileBytes = int64_t{256} << 20;

// Architecture specs, whether a .json file or embedded in a model file.
constexpr int64_t kMaxSpecBytes = int64_t{16} << 20;
constexpr int64_t kMaxSpecLayers = 4096;  // entries in "layers"
constexpr int64_t kMaxNodes = 16384;      // primitive nodes once composite blocks expand
constexpr int64_t kMaxChannels = 16384;   // any layer's channels (and any other count in a layer)
constexpr int64_t kMaxKernel = 64;        // kernel, stride, padding and RNNPool patch extents
constexpr int64_t kMaxParameters = int64_t{1} << 27; // learned values of a whole network (512 MiB as float32)
// Values an ONNX constant made by folding may hold beyond its inputs' (ConstantOfShape, a
// broadcast that grows): 1 M (8 MB as double). Folding never amplifies a small file further.
constexpr int64_t kMaxFoldedElements = int64_t{1} << 20;
constexpr int64_t kMaxDetections = 100000; // nms_top_k and keep_top_k

// Labels files for `rnnpool eval`.
constexpr int64_t kMaxLabelsBytes = int64_t{64} << 20;

inline std::string megapixels(int64_t pixels)
{
    const int64_t tenths = (pixels + 50000) / 100000;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MP";
}

// Whether a network input of width x height is within kMaxInputSide and
// kMaxInputPixels; the message states the limit.
inline Status checkInputSize(int64_t width, int64_t height)
{
    if (width <= 0 || height <= 0)
        return makeError("input size " + std::to_string(width) + "x" + std::to_string(height) + " is empty");
    if (width > kMaxInputSide || height > kMaxInputSide || width * height > kMaxInputPixels)
        return makeError("input size " + std::to_string(width) + "x" + std::to_string(height) +
                         " is beyond the limit of " + std::to_string(kMaxInputSide) + " pixels a side and " +
                         megapixels(kMaxInputPixels) + " (kMaxInputSide, kMaxInputPixels in core/util/limits.h)");
    return Status::ok();
}

} // namespace rnnpool::limits
