// The native int8 model file: safetensors holding the quantised network and
// the architecture spec, so that one file is a whole int8 model.
//
//   metadata  rnnpool.format = "int8", rnnpool.arch_spec (the spec's JSON),
//             rnnpool.calibration, rnnpool.source
//   input.scale F32[1], input.zero_point I32[1]
//   <layer>.scale F32[1], <layer>.zero_point I32[1]         every layer's output
//   <layer>.weight I8 OIHW, <layer>.weight_scale F32[out], <layer>.bias I32[out]   convolutions
//   <layer>.gamma F32[channels]                             L2Norm
//   <layer>.channel_scale F32[C], .channel_zero_point I32[C] RNNPool quantised per channel
//   <checkpoint key> F32                                    RNNPool's FastGRNN cells
//
// Loading validates every scale (missing, zero, negative, NaN or infinite),
// every zero point (within int8) and every shape, with a message that names
// the file and the field.
//
//   Status s = saveQuantizedModel(q, "m4.int8.safetensors");
//   Expected<QuantizedModel> back = loadQuantizedModel("m4.int8.safetensors");
#pragma once

#include <filesystem>

#include "quant/quantized_model.h"

namespace rnnpool {

Status saveQuantizedModel(const QuantizedModel& model, const std::filesystem::path& path);
Expected<QuantizedModel> loadQuantizedModel(const std::filesystem::path& path);
// Whether `path` is a safetensors file marked rnnpool.format = int8 (false for anything unreadable).
bool isQuantizedModelFile(const std::filesystem::path& path);

} // namespace rnnpool
