// Where RNNPool's patches fall on the picture, and their traces, for the live
// view's patch grid and the RNNPool tab. Works on a finished DetectionOutcome
// (the run kept every layer's output), so nothing runs the network again.
//
//   auto geometry = rnnPoolGeometry(outcome, -1);           // the first RNNPool layer
//   view->setPatchGrid(geometry->grid);
//   Expected<RnnPoolTrace> t = tracePatch(outcome, *geometry, row, col);
#pragma once

#include <optional>
#include <string>

#include <QImage>

#include "studio/model_runner.h"
#include "widgets/detection_view.h"

namespace rnnpool {
struct RnnPoolTrace;
}

namespace rnnpool::studio {

struct RnnPoolGeometry {
    int layer = -1;             // node index
    std::string name;           // node name
    widgets::PatchGrid grid;    // in picture pixels
    int64_t patch = 0, stride = 0;
    Shape map;                  // CHW of the layer's input
};

// The RNNPool layer `layer` (a node index), or the first one when `layer` is
// not an RNNPool layer; nullopt when the network has none.
std::optional<RnnPoolGeometry> rnnPoolGeometry(const DetectionOutcome& outcome, int layer);

// Which states of the patch: the model's own (float32, or Q15 when the frame
// ran in int8), and for an int8 frame also the float RNNPool on the same
// dequantised input and the difference Q15 - float.
enum class TraceVariant { Own, FloatOnSameInput, Q15MinusFloat };
// The variants an outcome offers, as the sweep view's box lists them (empty: one).
QStringList traceVariantNames(const DetectionOutcome& outcome);
Expected<RnnPoolTrace> tracePatch(const DetectionOutcome& outcome, const RnnPoolGeometry& geometry, int row, int col,
                                  TraceVariant variant = TraceVariant::Own);

// The picture under patch (row, col), cropped from the frame.
QImage pictureUnderPatch(const DetectionOutcome& outcome, const RnnPoolGeometry& geometry, int row, int col);

} // namespace rnnpool::studio
