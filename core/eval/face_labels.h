// Face box labels in the WIDER FACE (RetinaFace) text format:
//   # <event>/<file>.jpg
//   x y w h          one line per face, pixels of the original picture
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

struct FaceBox {
    float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    float height() const { return y2 - y1; }
};

struct LabeledPicture {
    std::string path; // relative to the pictures folder
    std::vector<FaceBox> faces;
};

Expected<std::vector<LabeledPicture>> readFaceLabels(const std::filesystem::path& file);

} // namespace rnnpool
