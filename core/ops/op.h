// Op: one node's computation. Following tflite-micro, an op is split into
// prepare() (check input shapes, compute the output shape; may fail on bad
// input) and eval() (compute only; cannot fail). Weights are declared as
// named slots that the model loader fills from a checkpoint, then finalize()
// turns them into the form eval() wants (e.g. BatchNorm folded into a conv).
//
//   std::unique_ptr<Op> op = createOp(layerJson);      // op_registry.h
//   for (WeightSlot& s : op->weightSlots()) *s.target = lookup(s.key);
//   op->finalize();
//   Shape out; if (auto st = op->prepare({inShape}, out); !st) fail(st.error());
//   op->eval({&input}, output);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"
#include "util/expected.h"

namespace rnnpool {

// A learned tensor an op needs, named by its checkpoint key suffix.
struct WeightSlot {
    std::string key;      // full checkpoint key, e.g. "mob.0.conv.1.0.weight"
    Shape shape;          // the shape the checkpoint must hold
    Tensor* target;       // where the loader puts it
    bool trainable = true; // counts as a parameter (BN running stats do not)
    // Where a file may hold the tensor instead, when `key` is absent (e.g. the
    // backward cell of a shared bidirectional RNN).
    std::string fallbackKey = {};
    // Other keys under which files store the very same tensor (module aliases);
    // they are accepted and not reported as unexpected.
    std::vector<std::string> aliases = {};
    // A FastGRNN W or U matrix: stored transposed by EdgeML before April 2020.
    bool rnnMatrix = false;
};

class Op {
public:
    virtual ~Op() = default;

    virtual std::string_view kind() const = 0;
    virtual int numInputs() const { return 1; }

    // Learned tensors, in a stable order. Empty for ops without weights.
    virtual std::vector<WeightSlot> weightSlots() { return {}; }
    // Called once after every slot has been filled.
    virtual void finalize() {}

    virtual Status prepare(std::span<const Shape> inputs, Shape& output) const = 0;
    virtual void eval(std::span<const Tensor* const> inputs, Tensor& output) const = 0;

    // Multiply-adds for one run at the given input shapes (paper convention).
    virtual int64_t madds(std::span<const Shape> inputs, const Shape& output) const = 0;
};

} // namespace rnnpool
