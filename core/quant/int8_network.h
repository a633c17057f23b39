// Int8Network: runs a QuantizedModel end to end on integers with the kernels
// of core/integer. Maps are int8 HWC (the heads' H,W,C order, and what the
// kernels want); the picture is quantised once at the input, and the heads'
// loc/conf are dequantised only at the very end, for decoding and NMS.
//
//   Expected<Int8Network> net = Int8Network::create(quantized);
//   Expected<Int8Run> run = net->run(inputChw);      // float CHW, as prepareInput makes it
//   HeadOutputs heads = net->heads(*run);            // then postProcess() as for float
//   Tensor block0 = net->dequantize(*run, layer);    // CHW float, for comparisons
#pragma once

#include <memory>
#include <vector>

#include "detect/post_process.h"
#include "quant/quantized_model.h"

namespace rnnpool {

struct Int8Run {
    std::vector<std::vector<int8_t>> maps; // per node, HWC
    std::vector<Shape> shapes;             // per node, CHW
    std::vector<double> layerSeconds;
    std::vector<double> layerCpuSeconds;   // this thread's CPU time per layer (steady on a busy machine)
    double totalSeconds = 0.0;
};

class Int8Network {
public:
    static Expected<Int8Network> create(std::shared_ptr<const QuantizedModel> model);

    const QuantizedModel& model() const { return *m_model; }
    // `input` is CHW float; it is quantised with the model's input scale.
    Expected<Int8Run> run(const Tensor& input) const;
    // The same from an int8 HWC input already at the input scale.
    Expected<Int8Run> runQuantized(const std::vector<int8_t>& inputHwc, const Shape& inputShape) const;
    // The same into `run`, whose maps are reused when their sizes already fit
    // (a stream of frames of one size allocates and clears them once).
    Status runQuantizedInto(const std::vector<int8_t>& inputHwc, const Shape& inputShape, Int8Run& run) const;

    // One layer: node i's kernel on inputs the caller placed (HWC int8, shapes
    // CHW), into `out` (shapeNumel(outShape) bytes); kernel workspace in `scratch`.
    Status runNode(size_t i, const std::vector<const int8_t*>& in, const std::vector<Shape>& inShapes, int8_t* out,
                   const Shape& outShape, std::vector<uint8_t>& scratch) const;

    Tensor dequantize(const Int8Run& run, int node) const;
    HeadOutputs heads(const Int8Run& run) const;
    // Whether RNNPool runs in Q15 integers (true) or still through the float op.
    bool rnnPoolIsInteger() const;

    struct Prepared;
    // Node i's kernel parameters (quant/int8_prepared.h), for the firmware generator.
    const Prepared& prepared(size_t node) const;
    Int8Network(Int8Network&&) noexcept;
    Int8Network& operator=(Int8Network&&) noexcept;
    ~Int8Network();

private:
    Int8Network() = default;
    std::shared_ptr<const QuantizedModel> m_model;
    std::vector<std::unique_ptr<Prepared>> m_nodes;
};

// The input quantised as the network takes it: CHW float -> HWC int8.
std::vector<int8_t> quantizeInputHwc(const Tensor& chw, const ActivationQuant& q);

} // namespace rnnpool
