// Running a network that is not a detector (a classifier from the zoo, an
// ONNX graph) and reading its graph outputs by name, with the shapes the
// source file gives them ([1, 1000] for logits, where the engine keeps CHW).
//
//   PictureNormalization norm;                       // RGB, x = (p/255 - mean)/std
//   norm.mean = {0.485f, 0.456f, 0.406f}; norm.std = {0.229f, 0.224f, 0.225f};
//   Tensor x = normalizedPicture(bgr, {224, 224}, norm, 3);
//   Expected<std::vector<NamedOutput>> outs = runGraphOutputs(net, x);
#pragma once

#include <array>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "engine/preprocess.h"
#include "model/network.h"

namespace rnnpool {

// How a picture becomes an input tensor when the model file does not say
// (ONNX carries no preprocessing): resized to the size (bilinear, aspect not
// kept), channels in `bgr` ? BGR : RGB order, and x = (p * scale - mean) / std.
struct PictureNormalization {
    bool bgr = false;
    float scale = 1.0f / 255.0f;
    std::array<float, 3> mean{0.0f, 0.0f, 0.0f};
    std::array<float, 3> std{1.0f, 1.0f, 1.0f};
};
std::string describe(const PictureNormalization& n);

Expected<Tensor> normalizedPicture(const cv::Mat& bgr, Size2 size, const PictureNormalization& n, int64_t channels);

// A picture as `spec`'s model takes it: a detector's EdgeML preprocessing at
// its input area (or `size`), else normalizedPicture's defaults at the spec's
// input size (or `size`).
Expected<Tensor> pictureInputFor(const ArchSpec& spec, const cv::Mat& bgr, std::optional<Size2> size);

struct NamedOutput {
    std::string name; // the graph output's name (the layer's for built-in specs)
    std::string layer;
    Tensor value;     // reshaped to the source's shape
};

// The outputs an imported graph names, or the last layer's for other specs.
Expected<std::vector<NamedOutput>> runGraphOutputs(const Network& net, const Tensor& input, double* seconds = nullptr);

// A graph output's name as a file name: anything but [A-Za-z0-9._-] becomes
// '_', and a leading '.' too; never empty.
std::string safeFileName(const std::string& name);

} // namespace rnnpool
