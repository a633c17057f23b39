// ImagePyramid: the detector run on the input and on its halves, the boxes
// merged, so that faces larger than the model's largest anchor are found.
//
// RNNPool-Face-M4's anchors are 8-48 px; a face filling half of a 320x240
// frame is 120 px high and matches no anchor. Halving the frame once or twice
// brings it to 60 or 30 px, where the model sees it well. Level k is level
// k-1 averaged over 2x2 pixels (a microcontroller makes level 1 from the
// camera's rows as they arrive and halves it in place for level 2, instead of
// a second capture); each level costs a quarter of the one before, so three
// levels cost 1 + 1/4 + 1/16 = 1.31 times one run.
//
//   std::vector<Size2> sizes = pyramidSizes({320, 240}, 3);   // 320x240, 160x120, 80x60
//   Tensor half = halveTensor(input);
//   std::vector<Detection> merged = mergePyramidLevels(perLevel, settings);
#pragma once

#include <vector>

#include "detect/post_process.h"
#include "engine/preprocess.h"
#include "model/model.h"

namespace rnnpool {

constexpr int kMaxPyramidLevels = 4;
static_assert(kMaxPyramidLevels == kMaxDeclaredPyramidLevels, "a model file may declare any pyramid the engine runs");
constexpr int kWebcamPyramidLevels = 3;   // the default for models trained here
constexpr int64_t kMinPyramidSide = 32;   // a level is run only if both sides are at least this

// The levels the detector runs on; fewer than `levels` when halving would go
// below kMinPyramidSide. The first is `input`.
std::vector<Size2> pyramidSizes(Size2 input, int levels);

// 2x2 mean of a CHW tensor; an odd last row or column is dropped.
Tensor halveTensor(const Tensor& chw);

// How pyramid levels' boxes are merged.
struct PyramidMerge {
    float nmsThreshold = 0.3f;       // IoU above which the lower-scored box goes (EdgeML's NMS)
    float containThreshold = 0.6f;   // ... or the part of the smaller box inside the other,
    float containMaxRatio = 4.0f;    // when the larger is at most this many times its area (a false
                                     // box around a crowd must not swallow the small faces in it)
    float minCoarseHeight = 32.0f;   // boxes of a level k>0 shorter than this (its pixels) are dropped:
                                     // level 0 sees such faces at twice or more the size
    int64_t keepTopK = 750 * kMaxPyramidLevels; // at most; each level keeps its own top-K already
};

// One level's detections after that level's NMS (at PyramidMerge's
// nmsThreshold or a lower one), as fractions of that level's input, and the part
// of the first level's input that level covers (1 unless a halving dropped a
// row or column).
struct PyramidLevelDetections {
    std::vector<Detection> detections;
    Size2 size;           // this level's input
    float coverX = 1.0f, coverY = 1.0f;
};

// All levels' boxes in fractions of the first level's input, best first,
// after NMS that also removes a box lying mostly inside a better one of
// another level (a large face's part that a fine level mistook for a face).
std::vector<Detection> mergePyramidLevels(const std::vector<PyramidLevelDetections>& levels, const PyramidMerge& merge);

// The number of levels a model runs when none is asked for: what its file
// declares (kPyramidLevelsKey; the default model, trained here for webcams,
// declares kWebcamPyramidLevels), else 1, so that EdgeML checkpoints run
// exactly as EdgeML's eval.py runs them. The declaration travels with the
// file: a copy of the default model elsewhere runs as the default model does.
int defaultPyramidLevels(const Model& model);

} // namespace rnnpool
