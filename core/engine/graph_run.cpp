#include "engine/graph_run.h"

#include <sstream>

#include <opencv2/imgproc.hpp>

#include "onnx/onnx_import.h"

namespace rnnpool {

std::string describe(const PictureNormalization& n)
{
    std::ostringstream s;
    s << (n.bgr ? "BGR" : "RGB") << ", x = (pixel * " << n.scale << " - mean) / std, mean " << n.mean[0] << "," << n.mean[1] << ","
      << n.mean[2] << ", std " << n.std[0] << "," << n.std[1] << "," << n.std[2];
    return s.str();
}

Expected<Tensor> normalizedPicture(const cv::Mat& bgr, Size2 size, const PictureNormalization& n, int64_t channels)
{
    auto colour = asBgr(bgr);
    if (!colour)
        return std::move(colour).takeError();
    if (channels != 1 && channels != 3)
        return makeError("the model takes " + std::to_string(channels) + " channels; pictures give 1 or 3");
    for (float s : n.std)
        if (!(s != 0.0f))
            return makeError("a std of 0 divides by zero");
    cv::Mat resized;
    cv::resize(*colour, resized, cv::Size(static_cast<int>(size.width), static_cast<int>(size.height)), 0, 0, cv::INTER_LINEAR);
    Tensor t({channels, size.height, size.width});
    for (int64_t y = 0; y < size.height; ++y) {
        const auto* row = resized.ptr<cv::Vec3b>(static_cast<int>(y));
        for (int64_t x = 0; x < size.width; ++x) {
            const cv::Vec3b p = row[x];
            const float rgb[3] = {static_cast<float>(p[2]), static_cast<float>(p[1]), static_cast<float>(p[0])};
            if (channels == 1) {
                const float luma = 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
                t.at(0, y, x) = (luma * n.scale - n.mean[0]) / n.std[0];
                continue;
            }
            for (int c = 0; c < 3; ++c) {
                const float v = n.bgr ? rgb[2 - c] : rgb[c];
                t.at(c, y, x) = (v * n.scale - n.mean[c]) / n.std[c];
            }
        }
    }
    return t;
}

Expected<Tensor> pictureInputFor(const ArchSpec& spec, const cv::Mat& bgr, std::optional<Size2> size)
{
    if (spec.detector) {
        auto prepared = prepareInput(bgr, spec.inputChannels, {spec.detector->areaWidth, spec.detector->areaHeight}, size);
        if (!prepared)
            return std::move(prepared).takeError();
        return std::move(prepared->tensor);
    }
    return normalizedPicture(bgr, size.value_or(Size2{spec.defaultWidth, spec.defaultHeight}), PictureNormalization{}, spec.inputChannels);
}

Expected<std::vector<NamedOutput>> runGraphOutputs(const Network& net, const Tensor& input, double* seconds)
{
    std::vector<GraphOutput> wanted = graphOutputs(net.spec());
    if (wanted.empty() && !net.nodes().empty())
        wanted.push_back({net.nodes().back().name, net.nodes().back().name, {}});
    std::vector<int> layers;
    for (const GraphOutput& g : wanted) {
        const int layer = net.findLayer(g.layer);
        if (layer < 0)
            return makeError("graph output '" + g.name + "' names layer '" + g.layer + "', which the network does not have");
        layers.push_back(layer);
    }
    RunOptions options;
    options.keepAllOutputs = true;
    auto result = net.run(input, options);
    if (!result)
        return std::move(result).takeError();
    if (seconds)
        *seconds = result->totalSeconds;
    std::vector<NamedOutput> out;
    for (size_t i = 0; i < wanted.size(); ++i) {
        Tensor value = result->outputs[static_cast<size_t>(layers[i])];
        Shape shape = wanted[i].shape;
        if (shape.empty()) {
            shape = value.shape();
            shape.insert(shape.begin(), 1);
        }
        if (shapeNumel(shape) != value.numel())
            return makeError("graph output '" + wanted[i].name + "' should be " + shapeToString(shape) + " but layer '" +
                             wanted[i].layer + "' computed " + shapeToString(value.shape()));
        value.reshape(shape);
        out.push_back({wanted[i].name, wanted[i].layer, std::move(value)});
    }
    return out;
}

std::string safeFileName(const std::string& name)
{
    std::string out;
    for (char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    if (out.empty())
        out = "output";
    if (out[0] == '.')
        out[0] = '_';
    return out.substr(0, 200);
}

} // namespace rnnpool
