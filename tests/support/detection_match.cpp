#include "support/detection_match.h"

#include <cmath>
#include <sstream>

namespace rnnpool::testing {

DetectionComparison compareDetections(const std::vector<Detection>& ours, const Tensor& golden, float tol)
{
    DetectionComparison r;
    r.goldenRows = static_cast<int>(golden.numel() / 5);
    r.ourRows = static_cast<int>(ours.size());
    std::vector<bool> used(ours.size(), false);
    std::vector<int> unmatched;
    for (int g = 0; g < r.goldenRows; ++g) {
        const float* row = golden.data() + g * 5;
        bool found = false;
        for (size_t i = 0; i < ours.size() && !found; ++i) {
            const Detection& d = ours[i];
            if (!used[i] && std::abs(d.score - row[0]) < tol && std::abs(d.x1 - row[1]) < tol &&
                std::abs(d.y1 - row[2]) < tol && std::abs(d.x2 - row[3]) < tol && std::abs(d.y2 - row[4]) < tol)
                used[i] = found = true;
        }
        if (found)
            ++r.matched;
        else
            unmatched.push_back(g);
    }
    for (int g : unmatched) {
        const float score = golden.data()[g * 5];
        bool tied = false;
        for (int other = 0; other < r.goldenRows && !tied; ++other)
            tied = other != g && std::abs(golden.data()[other * 5] - score) < tol;
        bool substitute = false;
        for (size_t i = 0; i < ours.size() && tied && !substitute; ++i)
            if (!used[i] && std::abs(ours[i].score - score) < tol)
                used[i] = substitute = true;
        if (substitute) {
            ++r.tieSubstitutions;
        } else {
            ++r.unexplained;
            if (r.firstUnexplained.empty()) {
                std::ostringstream out;
                out << "golden row " << g << " (score " << score << ", box " << golden.data()[g * 5 + 1] << ","
                    << golden.data()[g * 5 + 2] << "," << golden.data()[g * 5 + 3] << "," << golden.data()[g * 5 + 4] << ")";
                r.firstUnexplained = out.str();
            }
        }
    }
    return r;
}

} // namespace rnnpool::testing
