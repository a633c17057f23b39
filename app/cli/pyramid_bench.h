// `rnnpool bench --pyramid LEVELS`: the whole detection call (network, heads,
// post-processing) timed with the input alone and with the image pyramid,
// alternating frame by frame so that load from elsewhere hits both alike.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/face_detector.h"
#include "model/model.h"
#include "tensor/tensor.h"
#include "util/expected.h"

namespace rnnpool::cli {

struct PyramidTiming {
    int levels = 1;            // levels run (fewer than asked when the input is small)
    double singleMs = 0.0;     // median ms per frame, the input alone
    double pyramidMs = 0.0;    // median ms per frame, every level and the merge
    double singleCpuMs = 0.0, pyramidCpuMs = 0.0; // the same in process CPU time (steadier on a busy machine)
    int64_t singleMadds = 0, pyramidMadds = 0;
};

// The whole detection call of `detect` (the float FaceDetector's or the int8
// Int8Detector's detectTensor); `network` gives the multiply-adds of each level.
using DetectTensor = std::function<Expected<FrameResult>(const Tensor&, const DetectOptions&)>;
Expected<PyramidTiming> timePyramid(const ArchSpec& spec, Network& network, const DetectTensor& detect, const Tensor& input,
                                    int levels, int64_t runs);

// The float detector of `model`.
Expected<PyramidTiming> timePyramid(const Model& model, const Tensor& input, int levels, int64_t runs);

// The "pyramid" object of `bench --json`, and its line of text ("whole detection (...)").
nlohmann::json pyramidTimingJson(const PyramidTiming& t);
std::string pyramidTimingText(const PyramidTiming& t, const std::string& what);

} // namespace rnnpool::cli
