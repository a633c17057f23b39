// Reads an .onnx file (a protobuf ModelProto) into plain data. Checks what a
// hostile or broken file could do: truncation, tensors whose declared size
// does not match their data, element counts beyond the limits, external data
// outside the model's folder, cycles and references to values that do not
// exist. Every message starts with "ONNX model '<file>': ".
//
//   Expected<OnnxGraph> g = readOnnxFile("mobilenet_v2.onnx");
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "onnx/onnx_graph.h"
#include "util/expected.h"

namespace rnnpool {

// Whether these bytes look like an ONNX ModelProto (a cheap check on the first
// fields, used to tell an .onnx file from a checkpoint by content).
bool looksLikeOnnx(std::span<const uint8_t> bytes);

Expected<OnnxGraph> readOnnxFile(const std::filesystem::path& path);
// `baseDir` resolves external tensor data; empty: external data is refused.
Expected<OnnxGraph> parseOnnx(std::span<const uint8_t> bytes, const std::string& file, const std::filesystem::path& baseDir);

} // namespace rnnpool
