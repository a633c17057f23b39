// FastGRNN, the cell RNNPool is made of (Kusupati et al. 2018):
//   pre = W·x + U·h
//   z   = sigmoid(pre + b_z)
//   c   = tanh(pre + b_h)
//   h  <- z ⊙ h + (sigmoid(zeta)(1 - z) + sigmoid(nu)) ⊙ c
// W is stored as EdgeML stores it since April 2020: input × hidden (so the
// product is x·W); U is hidden × hidden (h·U).
#pragma once

#include <string>
#include <vector>

#include "ops/op.h"

namespace rnnpool {

// The fast kernels' one-exponential gates (ops/fastgrnn_lanes.h) need the
// gate biases within ±kGateBiasLimit; cells beyond it use two exponentials.
constexpr float kGateBiasLimit = 5.0f;

struct FastGrnnCell {
    int64_t inputSize = 0;
    int64_t hiddenSize = 0;
    Tensor W;          // [input, hidden]
    Tensor U;          // [hidden, hidden]
    Tensor biasGate;   // [1, hidden]
    Tensor biasUpdate; // [1, hidden]
    Tensor zeta;       // [1, 1], before the sigmoid
    Tensor nu;         // [1, 1], before the sigmoid
    float sigmoidZeta = 0.0f; // set by prepareScalars()
    float sigmoidNu = 0.0f;
    std::vector<float> expNegBiasGate;     // e^-bias_gate, per hidden unit (prepareScalars())
    std::vector<float> expTwiceBiasUpdate; // e^(2·bias_update)
    std::vector<float> scaledExpNegBiasGate; // (sigmoidZeta + sigmoidNu)·e^-bias_gate
    bool gateBiasesBounded = false;        // every |bias| <= kGateBiasLimit
    // W and U as the lane kernels (ops/fastgrnn_lanes.h) use them: times
    // -log2(e) when gateBiasesBounded, so that x·W + h·U arrives as the
    // base-2 exponent of e^-pre; as stored otherwise (prepareScalars()).
    std::vector<float> laneW, laneU;

    // The six slots of a cell stored under `prefix` ("rnn_model.cell_rnn.cell"),
    // optionally found under `fallbackPrefix` instead, and duplicated under the
    // `aliasPrefixes`. A `shared` cell reuses another cell's parameters (the
    // backward direction of EdgeML's shared bidirectional RNN), so its tensors
    // do not count as parameters of their own.
    std::vector<WeightSlot> weightSlotsAt(const std::string& prefix, const std::string& fallbackPrefix = {},
                                  const std::vector<std::string>& aliasPrefixes = {}, bool shared = false);
    void prepareScalars();
    int64_t paramCount() const { return inputSize * hiddenSize + hiddenSize * hiddenSize + 2 * hiddenSize + 2; }

    // wx = x·W for one input vector.
    void inputProjection(const float* x, float* wx) const;
    // One step given the precomputed x·W; h is updated in place.
    void step(const float* wx, float* h) const;
};

} // namespace rnnpool
