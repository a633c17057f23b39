// Network: the executable graph of an architecture. Built once from an
// ArchSpec (channel counts fixed, spatial size free: any input size works, as
// in EdgeML), its weight slots are filled by the model loader, then it runs on
// CHW tensors.
//
//   Expected<Network> net = Network::build(spec);
//   ... bindWeights(*net, checkpoint) ...          // weight_binding.h
//   RunOptions opts; opts.keepAllOutputs = true;
//   Expected<RunResult> r = net->run(input, opts);
//   const Tensor& block3 = r->outputs[net->findLayer("block3")];
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/arch_spec.h"
#include "ops/op.h"

namespace rnnpool {

constexpr int kNetworkInput = -1;

struct Node {
    std::string name;        // unique, e.g. "block3.dw"
    std::string group;       // the spec entry it came from, e.g. "block3"
    std::vector<int> inputs; // node indices; kNetworkInput for the picture
    std::unique_ptr<Op> op;
    int64_t outChannels = 0;
};

// Called after each layer with its output and its time in seconds.
using LayerCallback = std::function<void(int layer, const Tensor& output, double seconds)>;

struct RunOptions {
    bool keepAllOutputs = false; // else intermediate outputs are freed after their last use
    LayerCallback onLayer;
};

struct RunResult {
    std::vector<Tensor> outputs;       // per node; empty where freed
    std::vector<double> layerSeconds;  // per node
    double totalSeconds = 0.0;
};

// Per-layer facts for listings (rnnpool info, the studio's layer table).
struct LayerInfo {
    std::string name;
    std::string group;
    std::string op;
    Shape outputShape;
    int64_t params = 0;
    int64_t madds = 0;
};

class Network {
public:
    static Expected<Network> build(const ArchSpec& spec);

    Network(Network&&) = default;
    Network& operator=(Network&&) = default;

    const ArchSpec& spec() const { return m_spec; }
    const std::vector<Node>& nodes() const { return m_nodes; }
    int64_t inputChannels() const { return m_spec.inputChannels; }

    // Node index by node name, or the last node of a group ("block3"); -1 if none.
    int findLayer(const std::string& name) const;
    // Head node indices as the spec lists them: {loc, conf} per head.
    const std::vector<std::pair<int, int>>& heads() const { return m_heads; }

    // Every learned tensor of every node, in graph order.
    std::vector<WeightSlot> weightSlots();
    void finalize();
    int64_t paramCount();

    // Output shapes of every node for an input of `inputShape` (CHW).
    Expected<std::vector<Shape>> plan(const Shape& inputShape) const;
    Expected<std::vector<LayerInfo>> describe(const Shape& inputShape);

    // Whether a frame of `inputShape` can run in this machine's memory: no
    // layer may need more than the physical RAM for its inputs and its
    // output together, the least any schedule holds at once. Callers check
    // before they allocate an input of a size a user chose; run() checks too.
    // The error names the size, the layer, what it needs and what there is.
    Status checkMemory(const Shape& inputShape) const;

    Expected<RunResult> run(const Tensor& input, const RunOptions& options = {}) const;

private:
    Network() = default;
    Status checkMemory(const Shape& inputShape, const std::vector<Shape>& shapes) const;

    ArchSpec m_spec;
    std::vector<Node> m_nodes;
    std::vector<std::pair<int, int>> m_heads;
};

} // namespace rnnpool
