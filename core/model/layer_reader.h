// LayerReader: turns one layer of an ArchSpec into primitive nodes. Internal
// to the network builder (network_builder.cpp for the basic ops,
// composite_blocks.cpp for the residual, dense, inception and MBConv blocks).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/network.h"
#include "ops/activation.h"

namespace rnnpool {

// Reads the spec of one layer; every failure names the spec and the layer.
class LayerReader {
public:
    LayerReader(const ArchSpec& spec, const nlohmann::json& layer, std::vector<Node>& nodes)
        : m_spec(spec), m_layer(layer), m_nodes(nodes)
    {
    }

    Status expand();

private:
    Error fail(const std::string& what) const
    {
        return makeError("architecture '" + m_spec.name + "', layer '" + m_name + "': " + what);
    }
    // Typed reads: a wrongly typed or out-of-range value sets the error,
    // naming the key, and returns the fallback. Integers are bounded by
    // util/limits.h (kMaxKernel for extents, kMaxChannels for counts).
    int64_t integer(const char* key, int64_t fallback, bool required = false);
    std::pair<int64_t, int64_t> pair(const char* key, int64_t fallback);
    std::string text(const char* key, bool required = false);
    std::string textOr(const char* key, const std::string& fallback);
    bool flag(const char* key, bool fallback);
    double real(const char* key, double fallback);
    // Any finite number (activation parameters may be negative); nullopt when absent.
    std::optional<double> signedReal(const char* key);
    int64_t channelsOf(int node) const { return node == kNetworkInput ? m_spec.inputChannels : m_nodes[node].outChannels; }
    int resolve(const std::string& ref);
    std::vector<int> inputs(size_t expected);
    int add(std::string name, std::vector<int> inputs, std::unique_ptr<Op> op, int64_t outChannels);

    Status expandConv(bool sugar);
    Status expandInvertedResidual();
    Status expandRnnPool();
    Status expandSimple(const std::string& op);
    // Composite blocks of the classification zoo (composite_blocks.cpp).
    Status expandPool(bool isMax);
    Status expandBatchNorm();
    Status expandCRelu();
    Status expandConcat();
    Status expandSeparable();
    Status expandBasicBlock();
    Status expandDenseBlock();
    Status expandTransition();
    Status expandInception();
    Status expandMbConv();
    Status expandSqueezeExcite();
    // The ops ONNX graphs bring (onnx_ops.cpp in core/model).
    Status expandGraphOp(const std::string& op);
    std::optional<Activation> activationOf(const char* fallback);

    const ArchSpec& m_spec;
    const nlohmann::json& m_layer;
    std::vector<Node>& m_nodes;
    std::string m_name;
    std::string m_error;
};

} // namespace rnnpool
