// Translates an ONNX graph into the project's own terms: an architecture spec
// (the JSON layer list every built-in network uses) and a checkpoint of its
// weights, so that an .onnx file runs, profiles and compares through the same
// engine, planner and views as the built-in specs. Nothing is executed from
// the file: it is read as data, and every node maps onto an op of our engine
// or is refused by name.
//
// Fusions, so that the layers match the engine's (and the built-in specs')
// granularity: Conv + BatchNormalization + activation into one conv layer;
// x·Sigmoid(x) into swish, x·HardSigmoid(x) into hard swish; Add + Relu and
// BatchNormalization + Relu into one layer; the GlobalAveragePool - Conv -
// act - Conv - gate - Mul of squeeze-and-excitation into one squeeze_excite
// layer; Reshape - Transpose - Reshape into channel_shuffle. Identity,
// Dropout, Flatten and shape-only Reshapes are aliases; shape computations
// (Shape, Gather, Unsqueeze, Concat, ...) are folded at load time.
//
//   Expected<OnnxImport> m = importOnnxFile("resnet18.onnx");
//   Expected<Network> net = Network::build(m->spec);   // then bindWeights(..., m->checkpoint)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "model/arch_spec.h"
#include "onnx/onnx_graph.h"

namespace rnnpool {

struct OnnxImport {
    ArchSpec spec;          // its document has "outputs": [{name, layer, shape}] for the graph outputs
    Checkpoint checkpoint;  // format "onnx"
    std::vector<std::string> notes;
};

Expected<OnnxImport> importOnnx(const OnnxGraph& graph);
Expected<OnnxImport> importOnnxFile(const std::filesystem::path& path);

// Whether `path` should be read as ONNX: its extension, or its first bytes.
bool isOnnxFile(const std::filesystem::path& path);

// The graph outputs of a spec imported from ONNX (empty for other specs).
struct GraphOutput {
    std::string name;  // the ONNX value name
    std::string layer; // the layer that computes it
    Shape shape;       // its ONNX shape, e.g. {1, 1000}
};
std::vector<GraphOutput> graphOutputs(const ArchSpec& spec);

} // namespace rnnpool
