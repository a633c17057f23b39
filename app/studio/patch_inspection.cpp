// First: ops/rnnpool.h cannot follow a Qt header (see widgets/rnnpool_trace_view.h).
#include "engine/inspect.h"

#include "studio/patch_inspection.h"

#include <algorithm>

#include "quant/int8_trace.h"

namespace rnnpool::studio {

std::optional<RnnPoolGeometry> rnnPoolGeometry(const DetectionOutcome& outcome, int layer)
{
    if (!outcome.detector || !outcome.result || outcome.input.size() != 3)
        return std::nullopt;
    const Network& net = *outcome.detector->model().network;
    const std::vector<int> pools = rnnPoolLayers(net);
    if (pools.empty())
        return std::nullopt;
    if (std::find(pools.begin(), pools.end(), layer) == pools.end())
        layer = pools.front();
    const Node& node = net.nodes()[static_cast<size_t>(layer)];
    const auto* op = dynamic_cast<const RnnPool*>(node.op.get());
    const int source = node.inputs.front();
    const Shape map = source == kNetworkInput ? outcome.input
                      : static_cast<size_t>(source) < outcome.layers.size()
                          ? outcome.layers[static_cast<size_t>(source)].outputShape
                          : Shape{};
    if (!op || map.size() != 3 || map[1] < op->params().patch || map[2] < op->params().patch)
        return std::nullopt;

    RnnPoolGeometry g;
    g.layer = layer;
    g.name = node.name;
    g.patch = op->params().patch;
    g.stride = op->params().stride;
    g.map = map;
    // Map pixels to picture pixels: the network input keeps the picture's aspect ratio.
    const double sx = static_cast<double>(outcome.original.width) / static_cast<double>(map[2]);
    const double sy = static_cast<double>(outcome.original.height) / static_cast<double>(map[1]);
    g.grid.rows = static_cast<int>((map[1] - g.patch) / g.stride + 1);
    g.grid.cols = static_cast<int>((map[2] - g.patch) / g.stride + 1);
    g.grid.strideX = static_cast<double>(g.stride) * sx;
    g.grid.strideY = static_cast<double>(g.stride) * sy;
    g.grid.sizeX = static_cast<double>(g.patch) * sx;
    g.grid.sizeY = static_cast<double>(g.patch) * sy;
    return g;
}

QStringList traceVariantNames(const DetectionOutcome& outcome)
{
    if (!outcome.int8)
        return {};
    return {QObject::tr("Q15 (int8 engine)"), QObject::tr("float32 on the same input"), QObject::tr("Q15 − float32")};
}

Expected<RnnPoolTrace> tracePatch(const DetectionOutcome& outcome, const RnnPoolGeometry& geometry, int row, int col,
                                  TraceVariant variant)
{
    if (!outcome.detector || !outcome.result)
        return makeError("no frame has been analysed yet");
    // Float: the float RNNPool on the layer's input as this frame computed it
    // (for an int8 frame, its int8 map dequantised).
    auto f32 = traceRnnPoolPatch(*outcome.detector->model().network, outcome.result->input, outcome.result->run,
                                 geometry.name, row, col);
    if (!outcome.int8 || variant == TraceVariant::FloatOnSameInput || !f32)
        return f32;
    const Network& net = *outcome.detector->model().network;
    const int source = net.nodes()[static_cast<size_t>(geometry.layer)].inputs.front();
    const Tensor& input = source == kNetworkInput ? outcome.result->input : outcome.result->run.outputs[static_cast<size_t>(source)];
    auto q15 = traceRnnPoolPatchInt8(outcome.int8->network(), geometry.layer, input, row, col);
    if (!q15 || variant == TraceVariant::Own)
        return q15;
    return traceDifference(*q15, *f32);
}

QImage pictureUnderPatch(const DetectionOutcome& outcome, const RnnPoolGeometry& geometry, int row, int col)
{
    const QRectF r(col * geometry.grid.strideX, row * geometry.grid.strideY, geometry.grid.sizeX, geometry.grid.sizeY);
    return outcome.picture.copy(r.toAlignedRect());
}

} // namespace rnnpool::studio
