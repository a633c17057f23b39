// What quantisation costs, layer by layer: the int8 engine and the float
// engine run on the same pictures; each layer's dequantised int8 output is
// compared with the float output of the float network (errors accumulate
// through the network, as they do on the chip).
//
//   SQNR (dB)   10 log10( sum float^2 / sum (int8 - float)^2 ) over all pictures
//   saturated   share of float values outside the int8 map's range
//   agreement   detections with score >= threshold, int8 vs float, matched
//               greedily at IoU >= 0.5: F1 = 2 matched / (float + int8)
//
//   Expected<QuantReport> r = quantReport(floatModel, int8Net, pictures, 0.5f);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/model.h"
#include "quant/int8_network.h"

namespace rnnpool {

struct LayerQuantStats {
    std::string name;
    std::string op;
    double sqnrDb = 0.0;
    float scale = 0.0f;
    int32_t zeroPoint = 0;
    float rangeLo = 0.0f, rangeHi = 0.0f; // what the int8 map can represent
    float floatLo = 0.0f, floatHi = 0.0f; // what the float engine produced
    double saturated = 0.0;
};

struct QuantReport {
    std::vector<LayerQuantStats> layers;
    int pictures = 0;
    float threshold = 0.5f;
    int floatDetections = 0, int8Detections = 0, matched = 0;
    double f1 = 0.0;
    double headSqnrMinDb = 0.0; // the lowest SQNR among the heads' loc/conf layers
};

Expected<QuantReport> quantReport(const Model& floatModel, const Int8Network& int8, const std::vector<std::filesystem::path>& pictures,
                                  float threshold);

} // namespace rnnpool
