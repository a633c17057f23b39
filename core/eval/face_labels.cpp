#include "eval/face_labels.h"

#include <fstream>
#include <sstream>

namespace rnnpool {

Expected<std::vector<LabeledPicture>> readFaceLabels(const std::filesystem::path& file)
{
    std::ifstream in(file);
    if (!in)
        return makeError("labels '" + file.string() + "': cannot open the file");
    std::vector<LabeledPicture> pictures;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
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
        if (w < 0 || h < 0)
            return makeError("labels '" + file.string() + "', line " + std::to_string(number) + ": negative box size");
        pictures.back().faces.push_back({x, y, x + w, y + h});
    }
    if (pictures.empty())
        return makeError("labels '" + file.string() + "': no '# picture' lines (is it a labels.txt?)");
    return pictures;
}

} // namespace rnnpool
