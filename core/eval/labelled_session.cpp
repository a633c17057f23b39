#include "eval/labelled_session.h"

#include <filesystem>

namespace rnnpool {

namespace {
std::string fileName(const std::string& path)
{
    const auto slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string normalised(std::string path)
{
    for (char& c : path)
        if (c == '\\')
            c = '/';
    return path;
}
} // namespace

LabelledSession::LabelledSession(std::vector<LabeledPicture> labels, float minFace)
    : m_labels(std::move(labels))
    , m_minFace(minFace)
{
    for (size_t i = 0; i < m_labels.size(); ++i)
        m_byName.emplace(fileName(m_labels[i].path), static_cast<int>(i));
}

int LabelledSession::find(const std::string& path) const
{
    const std::string whole = normalised(path);
    const auto [begin, end] = m_byName.equal_range(fileName(whole));
    int best = -1;
    size_t bestLength = 0;
    for (auto it = begin; it != end; ++it) {
        const std::string entry = normalised(m_labels[static_cast<size_t>(it->second)].path);
        const bool suffix = whole == entry ||
                            (whole.size() > entry.size() && whole.compare(whole.size() - entry.size(), entry.size(), entry) == 0 &&
                             whole[whole.size() - entry.size() - 1] == '/');
        if (suffix && entry.size() > bestLength) {
            best = it->second;
            bestLength = entry.size();
        }
    }
    return best;
}

PictureMatch LabelledSession::add(int index, std::vector<FaceBox> faces, std::vector<ScoredBox> detections)
{
    PictureMatch match = matchPicture(faces, detections, m_minFace);
    m_seen[index] = Seen{std::move(faces), std::move(detections)};
    return match;
}

void LabelledSession::setMinFace(float minFace)
{
    m_minFace = minFace;
}

EvaluationResult LabelledSession::result() const
{
    DetectionEvaluator evaluator(m_minFace);
    for (const auto& [index, seen] : m_seen)
        evaluator.addPicture(seen.faces, seen.detections, index);
    return evaluator.result();
}

} // namespace rnnpool
