// OnnxGraph: an ONNX model as plain data, with no protobuf in sight. The
// reader (onnx_reader.h) fills it from a file; the importer (onnx_import.h)
// turns it into an architecture spec and a checkpoint.
//
//   Expected<OnnxGraph> g = readOnnxFile("resnet18.onnx");
//   for (const OnnxNode& n : g->nodes) std::cout << n.opType << " " << n.name << "\n";
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace rnnpool {

// A constant: an initialiser, a Constant node's value, or a folded shape
// computation. Floating-point tensors arrive as float32 in `values`; integer
// and boolean ones keep their exact values in `ints`.
struct OnnxConstant {
    Shape shape;                 // ONNX dims, e.g. {64, 3, 7, 7}; {} for a scalar
    bool isInteger = false;
    Tensor values;               // when !isInteger (shape as `shape`, rank 0 stored as {1})
    std::vector<int64_t> ints;   // when isInteger
    int64_t numel() const { return isInteger ? static_cast<int64_t>(ints.size()) : values.numel(); }
};

struct OnnxAttribute {
    enum class Kind { Int, Float, Ints, Floats, String, Strings, Tensor, Other };
    Kind kind = Kind::Other;
    int64_t i = 0;
    float f = 0.0f;
    std::vector<int64_t> ints;
    std::vector<float> floats;
    std::string s;
    std::optional<OnnxConstant> tensor;
};

struct OnnxNode {
    std::string name;   // may be empty in the file; the reader fills "<op>_<index>"
    std::string opType; // "Conv"
    std::string domain; // "" for the default ONNX domain
    std::vector<std::string> inputs;  // "" for an omitted optional input
    std::vector<std::string> outputs;
    std::map<std::string, OnnxAttribute> attributes;

    const OnnxAttribute* attribute(const std::string& key) const
    {
        auto it = attributes.find(key);
        return it == attributes.end() ? nullptr : &it->second;
    }
    int64_t intOr(const std::string& key, int64_t fallback) const
    {
        const OnnxAttribute* a = attribute(key);
        return a && a->kind == OnnxAttribute::Kind::Int ? a->i : fallback;
    }
    float floatOr(const std::string& key, float fallback) const
    {
        const OnnxAttribute* a = attribute(key);
        return a && a->kind == OnnxAttribute::Kind::Float ? a->f : fallback;
    }
    std::vector<int64_t> intsOr(const std::string& key, std::vector<int64_t> fallback) const
    {
        const OnnxAttribute* a = attribute(key);
        return a && a->kind == OnnxAttribute::Kind::Ints ? a->ints : fallback;
    }
    std::string stringOr(const std::string& key, std::string fallback) const
    {
        const OnnxAttribute* a = attribute(key);
        return a && a->kind == OnnxAttribute::Kind::String ? a->s : fallback;
    }
};

// A graph input or output. Unknown (symbolic) dims are -1.
struct OnnxValueInfo {
    std::string name;
    Shape shape;
    int elementType = 0; // ONNX TensorProto.DataType (1 = FLOAT)
};

struct OnnxGraph {
    std::string file;            // for messages
    int64_t opset = 0;           // of the default domain
    std::string producer;        // "pytorch 2.0.1"
    std::string graphName;
    std::vector<OnnxNode> nodes; // in topological order (the reader checks, and sorts when needed)
    std::map<std::string, OnnxConstant> constants; // initialisers by name
    std::vector<OnnxValueInfo> inputs;             // graph inputs that are not initialisers
    std::vector<OnnxValueInfo> outputs;
    std::vector<std::string> notes;                // what reading had to assume
};

} // namespace rnnpool
