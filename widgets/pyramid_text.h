// The image pyramid's cost (profile/pyramid_profile.h) in words, as the Memory
// and M4 tabs show it beside the input's own figures: each level's peak and
// multiply-adds, the pyramid's peak and its multiply-adds against the input's.
//
//   m_label->setText(pyramidCostText(*profilePyramid(net, {1, 240, 320}, 3, "paper", options)));
#pragma once

#include <vector>

#include <QString>

#include "profile/pyramid_profile.h"

namespace rnnpool::widgets {

// Empty for fewer than two levels (the model runs the input alone). `dtype`:
// the element type the levels were profiled in (the coarser levels' picture).
QString pyramidCostText(const std::vector<PyramidLevelProfile>& levels, ElementType dtype);

// The pyramid's multiply-adds over the first level's (1.295 for 3 levels at
// 320x240); 1 for fewer than two levels.
double pyramidMaddsRatio(const std::vector<PyramidLevelProfile>& levels);

} // namespace rnnpool::widgets
