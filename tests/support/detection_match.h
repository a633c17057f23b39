// Comparing our detections with EdgeML's golden detections. The reference
// README allows ordering among near-equal scores to differ; with random or
// untrained weights many priors tie exactly (e.g. along the replicate-padded
// border), and which of two tied, overlapping boxes survives NMS depends on
// that order. So: every golden row must match one of ours (score and corners
// within the tolerance), except rows whose score is tied with another golden
// row, which may be replaced by one of our rows of the same score.
#pragma once

#include <string>
#include <vector>

#include "detect/post_process.h"
#include "tensor/tensor.h"

namespace rnnpool::testing {

struct DetectionComparison {
    int goldenRows = 0;
    int ourRows = 0;
    int matched = 0;
    int tieSubstitutions = 0; // golden rows replaced by a same-score row of ours
    int unexplained = 0;      // golden rows with neither
    std::string firstUnexplained;
};

// Where NMS met exact ties, the order among them decides which of two
// overlapping boxes survives, and a box that loses to a different tie winner
// can in turn leave a non-tied neighbour alive (or not). We allow such a
// cascade only when ties were present, and bound it at 1% of the rows; without
// ties every golden row must match.
inline int allowedTieCascade(const DetectionComparison& c) { return c.tieSubstitutions > 0 ? c.goldenRows / 100 : 0; }

// `golden` has rows (score, x1, y1, x2, y2).
DetectionComparison compareDetections(const std::vector<Detection>& ours, const Tensor& golden, float tolerance);

} // namespace rnnpool::testing
