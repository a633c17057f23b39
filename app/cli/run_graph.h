// `rnnpool run` for models that are not detectors (ONNX graphs, classifiers):
// the picture or tensor goes through the network and each graph output is
// printed and, with --dump DIR, written as DIR/<output name>.npy.
#pragma once

#include "cli/arguments.h"
#include "model/model.h"

namespace rnnpool::cli {

int runGraphModel(const Arguments& args, const Model& model);

} // namespace rnnpool::cli
