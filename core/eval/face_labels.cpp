#include "eval/face_labels.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "util/limits.h"

namespace rnnpool {

Expected<std::vector<LabeledPicture>> readFaceLabels(const std::filesystem::path& file)
{
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        return makeError("labels '" + file.string() + "': is a folder, not a labels file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return makeError("labels '" + file.string() + "': cannot open the file");
    const auto size = std::filesystem::file_size(file, ec);
    if (!ec && size > static_cast<uintmax_t>(limits::kMaxLabelsBytes))
        return makeError("labels '" + file.string() + "': " + std::to_string(size) + " bytes, beyond the limit of " +
                         std::to_string(limits::kMaxLabelsBytes >> 20) + " MiB (kMaxLabelsBytes in core/util/limits.h)");
    std::vector<LabeledPicture> pictures;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        // A NUL would cut the path short when it reaches the file system, and
        // another picture would be scored under this one's boxes.
        if (line.find('\0') != std::string::npos)
            return makeError("labels '" + file.string() + "', line " + std::to_string(number) + ": holds a NUL byte");
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        if (line[0] == '#') {
            const auto start = line.find_first_not_of(" \t", 1);
            if (start == std::string::npos)
                return makeError("labels '" + file.string() + "', line " + std::to_string(number) + ": '#' without a picture path");
            pictures.push_back({line.substr(start), {}});
            continue;
        }
        if (pictures.empty())
            return makeError("labels '" + file.string() + "', line " + std::to_string(number) + ": a box before any '# picture' line");
        std::istringstream fields(line);
        float x = 0, y = 0, w = 0, h = 0;
        if (!(fields >> x >> y >> w >> h))
            return makeError("labels '" + file.string() + "', line " + std::to_string(number) + ": expected 'x y w h', got '" + line + "'");
        if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(w) || !std::isfinite(h))
            return makeError("labels '" + file.string() + "', line " + std::to_string(number) + ": a box value is not a finite number");
        if (w < 0 || h < 0)
            return makeError("labels '" + file.string() + "', line " + std::to_string(number) + ": negative box size");
        pictures.back().faces.push_back({x, y, x + w, y + h});
    }
    if (pictures.empty())
        return makeError("labels '" + file.string() + "': no '# picture' lines (is it a labels.txt?)");
    return pictures;
}

} // namespace rnnpool
