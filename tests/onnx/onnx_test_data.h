// Where the ONNX tests find their models: the folder the `onnx_export` CTest
// fixture fills with tools/onnx/export_torchvision.py (torchvision models
// exported by PyTorch, with PyTorch's outputs beside them).
#pragma once

#include <filesystem>

namespace rnnpool::onnxtest {

inline std::filesystem::path modelsDir() { return RNNPOOL_ONNX_MODELS; }
inline std::filesystem::path model(const std::string& name) { return modelsDir() / (name + ".onnx"); }

} // namespace rnnpool::onnxtest
