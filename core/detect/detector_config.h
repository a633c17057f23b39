// DetectorConfig: the S3FD post-processing settings of a face detector, as
// EdgeML's data/config.py (VGA) and data/config_qvga.py (QVGA) set them.
#pragma once

#include <cstdint>
#include <vector>

namespace rnnpool {

struct DetectorConfig {
    std::vector<int64_t> steps;        // stride of each head's feature map, pixels
    std::vector<int64_t> anchorSizes;  // side of each head's square anchor, pixels
    float centerVariance = 0.1f;
    float sizeVariance = 0.2f;
    float confidenceThreshold = 0.05f; // scores must exceed this
    float nmsThreshold = 0.3f;         // IoU above which a box is suppressed
    float voteThreshold = 0.0f;        // 0: EdgeML's greedy NMS. Else box voting: each kept box becomes the
                                       // score-weighted mean of itself and the candidates it suppressed that
                                       // overlap it by at least this IoU (post_process.h)
    int64_t nmsTopK = 5000;            // candidates NMS looks at
    int64_t keepTopK = 750;            // detections kept
    int64_t areaWidth = 320;           // the input area pictures are scaled to
    int64_t areaHeight = 240;
};

} // namespace rnnpool
