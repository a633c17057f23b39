// Calibration: the real range of every activation, measured by running the
// float engine on pictures at the model's input area.
//
// Method (chosen by measurement, notes/README-int8.md): per tensor, every
// value of every picture is pooled (a strided sample of at most kMaxSamples
// per tensor). "mse" (the default) clips the min/max range by the factor, among
// 1, 0.98, ... 0.02, whose int8 map has the least squared error (rounding plus
// clipping) over the sample; "percentile" takes [percentile (100 - p),
// percentile p]; "minmax" the extreme values.
//
//   CalibrationOptions o;
//   o.folders = {"pictures/"};                 // plus resources/samples by default
//   Expected<ActivationRanges> r = calibrate(model, o);
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "quant/quantized_model.h"

namespace rnnpool {

enum class RangeMethod { MinMax, Percentile, Mse };

struct CalibrationOptions {
    std::vector<std::filesystem::path> folders; // pictures of each folder (and its sub-folders)
    bool includeSamples = true;                 // resources/samples' pictures first
    std::optional<int> limit;                   // at most N pictures in all
    RangeMethod method = RangeMethod::Mse;
    double percentile = 99.99;
};

// The pictures calibration would use, in order (samples, then each folder sorted).
Expected<std::vector<std::filesystem::path>> calibrationPictures(const CalibrationOptions& options);

Expected<ActivationRanges> calibrate(const Model& model, const CalibrationOptions& options);

std::filesystem::path samplesDir(); // resources/samples

} // namespace rnnpool
