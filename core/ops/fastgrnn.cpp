#include "ops/fastgrnn.h"

#include <algorithm>

#include <cmath>

namespace rnnpool {

namespace {
float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }
} // namespace

std::vector<WeightSlot> FastGrnnCell::weightSlotsAt(const std::string& prefix, const std::string& fallbackPrefix,
                                             const std::vector<std::string>& aliasPrefixes, bool shared)
{
    struct Entry {
        const char* name;
        Shape shape;
        Tensor* target;
        bool matrix;
    };
    const Entry entries[] = {
        {"W", {inputSize, hiddenSize}, &W, true},
        {"U", {hiddenSize, hiddenSize}, &U, true},
        {"bias_gate", {1, hiddenSize}, &biasGate, false},
        {"bias_update", {1, hiddenSize}, &biasUpdate, false},
        {"zeta", {1, 1}, &zeta, false},
        {"nu", {1, 1}, &nu, false},
    };
    std::vector<WeightSlot> s;
    for (const Entry& e : entries) {
        WeightSlot slot{prefix + "." + e.name, e.shape, e.target};
        if (!fallbackPrefix.empty())
            slot.fallbackKey = fallbackPrefix + "." + e.name;
        for (const std::string& alias : aliasPrefixes)
            slot.aliases.push_back(alias + "." + e.name);
        slot.rnnMatrix = e.matrix;
        slot.trainable = !shared;
        s.push_back(std::move(slot));
    }
    return s;
}

void FastGrnnCell::prepareScalars()
{
    sigmoidZeta = sigmoid(zeta.data()[0]);
    sigmoidNu = sigmoid(nu.data()[0]);
    expNegBiasGate.assign(static_cast<size_t>(hiddenSize), 1.0f);
    expTwiceBiasUpdate.assign(static_cast<size_t>(hiddenSize), 1.0f);
    gateBiasesBounded = biasGate.numel() == hiddenSize && biasUpdate.numel() == hiddenSize;
    for (int64_t j = 0; gateBiasesBounded && j < hiddenSize; ++j) {
        const float bz = biasGate.data()[j], bh = biasUpdate.data()[j];
        gateBiasesBounded = std::abs(bz) <= kGateBiasLimit && std::abs(bh) <= kGateBiasLimit;
        expNegBiasGate[static_cast<size_t>(j)] = std::exp(-bz);
        expTwiceBiasUpdate[static_cast<size_t>(j)] = std::exp(2.0f * bh);
    }
    scaledExpNegBiasGate.resize(expNegBiasGate.size());
    std::transform(expNegBiasGate.begin(), expNegBiasGate.end(), scaledExpNegBiasGate.begin(),
                   [&](float v) { return (sigmoidZeta + sigmoidNu) * v; });
    const float scale = gateBiasesBounded ? -1.4426950408889634f : 1.0f; // -log2(e)
    laneW.resize(static_cast<size_t>(W.numel()));
    laneU.resize(static_cast<size_t>(U.numel()));
    std::transform(W.data(), W.data() + W.numel(), laneW.begin(), [&](float v) { return scale * v; });
    std::transform(U.data(), U.data() + U.numel(), laneU.begin(), [&](float v) { return scale * v; });
}

void FastGrnnCell::inputProjection(const float* x, float* wx) const
{
    for (int64_t j = 0; j < hiddenSize; ++j)
        wx[j] = 0.0f;
    for (int64_t i = 0; i < inputSize; ++i) {
        const float xi = x[i];
        const float* row = W.data() + i * hiddenSize;
        for (int64_t j = 0; j < hiddenSize; ++j)
            wx[j] += xi * row[j];
    }
}

void FastGrnnCell::step(const float* wx, float* h) const
{
    // Small fixed sizes (h <= 64 in every known model): a stack buffer avoids
    // an allocation per step.
    float pre[256];
    const int64_t n = hiddenSize;
    for (int64_t j = 0; j < n; ++j)
        pre[j] = wx[j];
    for (int64_t i = 0; i < n; ++i) {
        const float hi = h[i];
        const float* row = U.data() + i * n;
        for (int64_t j = 0; j < n; ++j)
            pre[j] += hi * row[j];
    }
    const float* bz = biasGate.data();
    const float* bh = biasUpdate.data();
    for (int64_t j = 0; j < n; ++j) {
        const float z = sigmoid(pre[j] + bz[j]);
        const float c = std::tanh(pre[j] + bh[j]);
        h[j] = z * h[j] + (sigmoidZeta * (1.0f - z) + sigmoidNu) * c;
    }
}

} // namespace rnnpool
