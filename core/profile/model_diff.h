// ModelDiff: two models layer by layer. Layers are paired by node name when
// at least half of the smaller network's names occur in both (a checkpoint
// and its fine-tune, float and int8, two epochs), else by position in graph
// order (an EdgeML checkpoint against its ONNX export). For each pair: output
// shapes, parameters, multiply-adds, output bytes and, when an input is given,
// the median time of each layer over `runs` runs and how far B's activations
// are from A's (max |a - b| and the SQNR of B against A, in dB).
//
//   DiffSide a = floatSide("m.pth", *modelA.network);
//   DiffSide b = int8Side("m.int8.safetensors", int8Net);
//   Expected<ModelDiff> d = diffModels(a, b, {3, 240, 320}, &input, 3);
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/network.h"

namespace rnnpool {

class Int8Network;

// One model as the diff sees it: its graph (names, ops, counts) and how to
// run it to per-node float outputs and per-node seconds.
struct DiffSide {
    struct Run {
        std::vector<Tensor> outputs; // per node, CHW float (int8 sides dequantised)
        std::vector<double> seconds; // per node
    };
    std::string label;
    std::shared_ptr<Network> network;
    int bytesPerElement = 4;
    std::function<Expected<Run>(const Tensor&)> run;
};

DiffSide floatSide(std::string label, std::shared_ptr<Network> network);
DiffSide int8Side(std::string label, std::shared_ptr<const Int8Network> network);
// A model file of any kind (.pth, .safetensors, .json spec, .onnx, an int8
// file from `rnnpool quantize`) or a built-in architecture name (seeded random weights).
Expected<DiffSide> diffSideFor(const std::string& pathOrArch);

struct LayerSide {
    int node = -1;      // -1: no layer on this side
    std::string name, op;
    Shape shape;        // CHW
    int64_t params = 0, madds = 0, bytes = 0;
    double seconds = -1.0; // median; -1 without an input
};

struct LayerDiff {
    LayerSide a, b;
    bool compared = false;          // both ran and their outputs have one shape
    double maxAbs = 0.0;
    std::optional<double> sqnrDb;   // empty when identical (infinite SQNR)
};

struct ModelDiff {
    std::string labelA, labelB;
    std::string rule;               // "name" or "order"
    Shape input;                    // CHW
    bool ran = false;               // an input was given
    int runs = 0;
    std::vector<LayerDiff> layers;  // A's order; B's unpaired layers at the end
    int paired() const;
    // The paired layer with the lowest SQNR (nullptr when every compared layer is identical or none was compared).
    const LayerDiff* worst() const;
};

// `input` may be null: shapes and counts only.
Expected<ModelDiff> diffModels(const DiffSide& a, const DiffSide& b, const Shape& inputShape, const Tensor* input, int runs);

// 10·log10(Σ a² / Σ (a − b)²); empty when a equals b.
std::optional<double> sqnrDb(const Tensor& reference, const Tensor& other);

} // namespace rnnpool
