#include "quant/quant_report.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/face_detector.h"
#include "quant/int8_detector.h"

namespace rnnpool {

namespace {

struct Accumulator {
    double signal = 0.0, noise = 0.0;
    int64_t count = 0, saturated = 0;
    float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
};

int matchDetections(const std::vector<Detection>& a, const std::vector<Detection>& b)
{
    std::vector<bool> used(b.size(), false);
    int matched = 0;
    for (const Detection& d : a) { // both lists are sorted best first
        int best = -1;
        float bestIou = 0.5f;
        for (size_t j = 0; j < b.size(); ++j) {
            if (used[j])
                continue;
            const float iou = intersectionOverUnion(d, b[j]);
            if (iou >= bestIou) {
                bestIou = iou;
                best = static_cast<int>(j);
            }
        }
        if (best >= 0) {
            used[static_cast<size_t>(best)] = true;
            ++matched;
        }
    }
    return matched;
}

std::vector<Detection> above(const std::vector<Detection>& all, float threshold)
{
    std::vector<Detection> out;
    for (const Detection& d : all)
        if (d.score >= threshold)
            out.push_back(d);
    return out;
}

} // namespace

Expected<QuantReport> quantReport(const Model& floatModel, const Int8Network& int8, const std::vector<std::filesystem::path>& pictures,
                                  float threshold)
{
    const Network& net = *floatModel.network;
    const QuantizedModel& q = int8.model();
    if (q.network->nodes().size() != net.nodes().size())
        return makeError("the int8 model has " + std::to_string(q.network->nodes().size()) + " layers, the float model " +
                         std::to_string(net.nodes().size()));
    for (size_t i = 0; i < net.nodes().size(); ++i)
        if (q.network->nodes()[i].name != net.nodes()[i].name)
            return makeError("the int8 model's layer " + std::to_string(i) + " is '" + q.network->nodes()[i].name +
                             "', the float model's '" + net.nodes()[i].name + "': not the same architecture");
    const FaceDetector floatDetector(floatModel);
    const Int8Detector int8Detector(std::shared_ptr<const Int8Network>(&int8, [](const Int8Network*) {}));
    std::vector<Accumulator> acc(net.nodes().size());
    QuantReport report;
    report.threshold = threshold;
    for (const auto& path : pictures) {
        auto picture = loadPicture(path);
        if (!picture)
            return makeError(picture.error());
        DetectOptions options;
        options.keepLayerOutputs = true;
        options.scoreThreshold = threshold;
        options.pyramidLevels = 1; // the network alone, in both: compare like with like
        auto f = floatDetector.detect(*picture, options);
        if (!f)
            return makeError("picture '" + path.string() + "': " + f.error());
        auto i8 = int8Detector.detect(*picture, options);
        if (!i8)
            return makeError("picture '" + path.string() + "': " + i8.error());
        for (size_t n = 0; n < net.nodes().size(); ++n) {
            const Tensor& a = f->run.outputs[n];
            const Tensor& b = i8->run.outputs[n];
            if (a.shape() != b.shape())
                return makeError("layer '" + net.nodes()[n].name + "': int8 output " + shapeToString(b.shape()) + " vs float " +
                                 shapeToString(a.shape()));
            const NodeQuant& nq = q.nodes[n];
            const int64_t plane = a.dim(1) * a.dim(2);
            Accumulator& s = acc[n];
            for (int64_t k = 0; k < a.numel(); ++k) {
                const ActivationQuant aq = nq.channelScale.empty()
                                               ? nq.output
                                               : ActivationQuant{nq.channelScale[static_cast<size_t>(k / plane)],
                                                                 nq.channelZeroPoint[static_cast<size_t>(k / plane)]};
                const float rlo = aq.dequantize(-128), rhi = aq.dequantize(127);
                const double x = a.data()[k], e = static_cast<double>(b.data()[k]) - x;
                s.signal += x * x;
                s.noise += e * e;
                s.lo = std::min(s.lo, a.data()[k]);
                s.hi = std::max(s.hi, a.data()[k]);
                s.saturated += a.data()[k] < rlo - aq.scale / 2 || a.data()[k] > rhi + aq.scale / 2;
            }
            s.count += a.numel();
        }
        const auto fd = above(f->detections, threshold), id = above(i8->detections, threshold);
        report.floatDetections += static_cast<int>(fd.size());
        report.int8Detections += static_cast<int>(id.size());
        report.matched += matchDetections(fd, id);
        ++report.pictures;
    }
    std::vector<bool> isHead(net.nodes().size(), false);
    for (const auto& [loc, conf] : net.heads())
        isHead[static_cast<size_t>(loc)] = isHead[static_cast<size_t>(conf)] = true;
    report.headSqnrMinDb = std::numeric_limits<double>::infinity();
    for (size_t n = 0; n < net.nodes().size(); ++n) {
        const Accumulator& s = acc[n];
        LayerQuantStats l;
        l.name = net.nodes()[n].name;
        l.op = std::string(net.nodes()[n].op->kind());
        l.sqnrDb = s.noise > 0.0 ? 10.0 * std::log10(s.signal / s.noise) : std::numeric_limits<double>::infinity();
        l.scale = q.nodes[n].output.scale;
        l.zeroPoint = q.nodes[n].output.zeroPoint;
        l.rangeLo = q.nodes[n].output.dequantize(-128);
        l.rangeHi = q.nodes[n].output.dequantize(127);
        l.floatLo = s.lo;
        l.floatHi = s.hi;
        l.saturated = s.count ? static_cast<double>(s.saturated) / static_cast<double>(s.count) : 0.0;
        if (isHead[n])
            report.headSqnrMinDb = std::min(report.headSqnrMinDb, l.sqnrDb);
        report.layers.push_back(std::move(l));
    }
    const int total = report.floatDetections + report.int8Detections;
    report.f1 = total ? 2.0 * report.matched / total : 1.0;
    return report;
}

} // namespace rnnpool
