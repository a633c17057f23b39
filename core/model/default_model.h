// The model the studio and `rnnpool run` use when none is named: the trained
// RNNPool-Face-M4 in resources/models/ once it exists, else RNNPool-Face-M4
// with seeded random weights (Model::randomWeights tells callers to say so).
#pragma once

#include "model/model.h"

namespace rnnpool {

constexpr const char* kDefaultArchitecture = "RPool_Face_M4";
constexpr uint64_t kDefaultRandomSeed = 2020;

std::filesystem::path defaultModelPath(); // resources/models/rnnpool_face_m4.safetensors
Expected<Model> loadDefaultModel();

} // namespace rnnpool
