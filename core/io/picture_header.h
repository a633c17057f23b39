// What a picture file's header declares, read before anything is decoded: a
// 691-byte JPEG can declare 30000 x 30000 pixels and cost gigabytes to
// decode, and a JPEG cut short decodes "successfully" with grey rows and a
// warning. PNG, JPEG, BMP, GIF, WebP, TIFF and PNM headers are read here;
// other formats are refused (OpenCV's own check comes only after a decoder
// has started, and its limit is 2^30 pixels).
//
//   if (Status st = checkPictureHeader(bytes); !st) return makeError(label + ": " + st.error());
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "util/expected.h"

namespace rnnpool {

struct PictureHeader {
    std::string format; // "png", "jpeg", "bmp", "gif", "webp", "tiff", "pnm"
    int64_t width = 0, height = 0;
};

// The declared format and size; nullopt for a format not read here. Fails on
// a header of a known format that is cut short or malformed.
Expected<std::optional<PictureHeader>> readPictureHeader(std::span<const uint8_t> bytes);

// Refuses a format not read here, a declared size beyond kMaxPictureSide or kMaxPicturePixels
// (util/limits.h), a JPEG without its end marker after the picture data,
// and a PNG without its IEND chunk (both: cut short). Messages name no file.
Status checkPictureHeader(std::span<const uint8_t> bytes);

} // namespace rnnpool
