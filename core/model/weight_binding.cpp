#include "model/weight_binding.h"

#include <cmath>
#include <map>
#include <random>
#include <set>

namespace rnnpool {

namespace {

bool isFloatDtype(const std::string& dtype)
{
    return dtype == "F32" || dtype == "F64" || dtype == "F16" || dtype == "BF16";
}

// Keys a state dict carries that no op reads.
bool isIgnorable(const std::string& key)
{
    static const std::string kTracked = ".num_batches_tracked";
    return key.size() >= kTracked.size() && key.compare(key.size() - kTracked.size(), kTracked.size(), kTracked) == 0;
}

Shape transposed(const Shape& s) { return s.size() == 2 ? Shape{s[1], s[0]} : s; }

Tensor transpose2d(const Tensor& t)
{
    const int64_t r = t.dim(0), c = t.dim(1);
    Tensor out({c, r});
    for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j)
            out.data()[j * r + i] = t.data()[i * c + j];
    return out;
}

const StoredTensor* lookup(const Checkpoint& ck, const std::string& key)
{
    auto it = ck.tensors.find(key);
    return it == ck.tensors.end() ? nullptr : &it->second;
}

// The layout from the first RNN matrix whose stored shape tells (a non-square W).
RnnLayout detectLayout(const std::vector<WeightSlot>& slots, const Checkpoint& ck)
{
    for (const WeightSlot& slot : slots) {
        if (!slot.rnnMatrix || slot.shape.size() != 2 || slot.shape[0] == slot.shape[1])
            continue;
        const StoredTensor* t = lookup(ck, slot.key);
        if (!t && !slot.fallbackKey.empty())
            t = lookup(ck, slot.fallbackKey);
        if (!t)
            continue;
        if (t->values.shape() == slot.shape)
            return RnnLayout::Current;
        if (t->values.shape() == transposed(slot.shape))
            return RnnLayout::Legacy;
    }
    return RnnLayout::Current;
}

std::set<std::string> knownKeys(const std::vector<WeightSlot>& slots)
{
    std::set<std::string> keys;
    for (const WeightSlot& slot : slots) {
        keys.insert(slot.key);
        if (!slot.fallbackKey.empty())
            keys.insert(slot.fallbackKey);
        keys.insert(slot.aliases.begin(), slot.aliases.end());
    }
    return keys;
}

std::string listSome(const std::vector<std::string>& items)
{
    std::string out;
    for (size_t i = 0; i < items.size() && i < 5; ++i)
        out += (i ? ", '" : "'") + items[i] + "'";
    if (items.size() > 5)
        out += " and " + std::to_string(items.size() - 5) + " more";
    return out;
}

} // namespace

Status bindWeights(Network& net, const Checkpoint& ck, const std::string& file, const BindOptions& options,
                   BindReport& report)
{
    const std::string where = "checkpoint '" + file + "'";
    std::vector<WeightSlot> slots = net.weightSlots();
    report.layoutUsed = options.rnnLayout == RnnLayout::Auto ? detectLayout(slots, ck) : options.rnnLayout;
    if (report.layoutUsed == RnnLayout::Legacy)
        report.notes.push_back("FastGRNN matrices are in the pre-April-2020 layout (W hidden x input); transposed on load");

    std::vector<std::string> missing;
    bool usedFallback = false;
    for (WeightSlot& slot : slots) {
        const StoredTensor* t = lookup(ck, slot.key);
        if (!t && !slot.fallbackKey.empty()) {
            t = lookup(ck, slot.fallbackKey);
            usedFallback = usedFallback || t;
        }
        if (!t) {
            missing.push_back(slot.key);
            continue;
        }
        if (!isFloatDtype(t->dtype))
            return makeError(where + ": tensor '" + slot.key + "' has dtype " + t->dtype + ", expected a floating-point type");
        const bool legacy = slot.rnnMatrix && report.layoutUsed == RnnLayout::Legacy;
        const Shape expected = legacy ? transposed(slot.shape) : slot.shape;
        if (t->values.shape() != expected) {
            std::string hint;
            if (slot.rnnMatrix && t->values.shape() == transposed(expected))
                hint = " (transposed: the FastGRNN layout of this file differs from the rest; try --rnn-layout)";
            return makeError(where + ": tensor '" + slot.key + "' has shape " + shapeToString(t->values.shape()) +
                             ", architecture '" + net.spec().name + "' expects " + shapeToString(expected) + hint);
        }
        *slot.target = legacy ? transpose2d(t->values) : t->values;
        slot.target->reshape(slot.shape);
    }
    if (!missing.empty())
        return makeError(where + ": " + std::to_string(missing.size()) + " tensor(s) that architecture '" + net.spec().name +
                         "' needs are missing: " + listSome(missing));
    if (usedFallback)
        report.notes.push_back("no RNNCell_reverse entries: the backward RNN2 uses the shared RNNCell weights");

    const std::set<std::string> known = knownKeys(slots);
    std::vector<std::string> unexpected;
    for (const auto& [key, tensor] : ck.tensors)
        if (!known.count(key) && !isIgnorable(key))
            unexpected.push_back(key);
    if (!unexpected.empty())
        return makeError(where + ": " + std::to_string(unexpected.size()) + " tensor(s) are not part of architecture '" +
                         net.spec().name + "': " + listSome(unexpected) + " (is it another architecture?)");
    net.finalize();
    return Status::ok();
}

CheckpointFit checkFit(Network& net, const Checkpoint& ck)
{
    CheckpointFit fit;
    std::vector<WeightSlot> slots = net.weightSlots();
    for (const WeightSlot& slot : slots) {
        const StoredTensor* t = lookup(ck, slot.key);
        if (!t && !slot.fallbackKey.empty())
            t = lookup(ck, slot.fallbackKey);
        if (!t) {
            if (fit.firstProblem.empty())
                fit.firstProblem = "tensor '" + slot.key + "' is missing";
            ++fit.missing;
            continue;
        }
        const Shape& s = t->values.shape();
        if (s != slot.shape && !(slot.rnnMatrix && s == transposed(slot.shape))) {
            if (fit.firstProblem.empty())
                fit.firstProblem = "tensor '" + slot.key + "' has shape " + shapeToString(s) + ", expected " + shapeToString(slot.shape);
            ++fit.wrongShape;
        }
    }
    const std::set<std::string> known = knownKeys(slots);
    for (const auto& [key, tensor] : ck.tensors)
        if (!known.count(key) && !isIgnorable(key)) {
            if (fit.firstProblem.empty())
                fit.firstProblem = "tensor '" + key + "' is not part of it";
            ++fit.unexpected;
        }
    fit.fits = fit.missing == 0 && fit.wrongShape == 0 && fit.unexpected == 0;
    return fit;
}

void randomizeWeights(Network& net, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    // A slot that shares another's tensor in every real checkpoint (RNN2's
    // backward direction reads the forward cell, as EdgeML's shared
    // bidirectional RNN does) gets that slot's values, not values of its own.
    std::map<std::string, const Tensor*> filled;
    for (WeightSlot& slot : net.weightSlots()) {
        if (!slot.trainable && !slot.fallbackKey.empty()) {
            const auto shared = filled.find(slot.fallbackKey);
            if (shared != filled.end() && shared->second->shape() == slot.shape) {
                *slot.target = *shared->second;
                continue;
            }
        }
        Tensor t(slot.shape);
        const std::string& k = slot.key;
        auto endsWith = [&](const char* suffix) {
            const std::string s(suffix);
            return k.size() >= s.size() && k.compare(k.size() - s.size(), s.size(), s) == 0;
        };
        float* d = t.data();
        const int64_t n = t.numel();
        if (endsWith("running_var")) {
            for (int64_t i = 0; i < n; ++i) d[i] = 0.5f + uniform(rng);
        } else if (endsWith("running_mean")) {
            for (int64_t i = 0; i < n; ++i) d[i] = 0.1f * normal(rng);
        } else if (endsWith("zeta")) {
            d[0] = 1.0f;
        } else if (endsWith("nu")) {
            d[0] = -4.0f;
        } else if (endsWith("bias_gate") || endsWith("bias_update")) {
            for (int64_t i = 0; i < n; ++i) d[i] = 1.0f;
        } else if (slot.rnnMatrix) {
            for (int64_t i = 0; i < n; ++i) d[i] = 0.1f * normal(rng);
        } else if (k.find("L2Norm") != std::string::npos) {
            for (int64_t i = 0; i < n; ++i) d[i] = 10.0f;
        } else if (slot.shape.size() == 4) {
            const float fanIn = static_cast<float>(slot.shape[1] * slot.shape[2] * slot.shape[3]);
            const float scale = std::sqrt(2.0f / fanIn);
            for (int64_t i = 0; i < n; ++i) d[i] = scale * normal(rng);
        } else if (slot.shape.size() == 2) { // fully connected (classifiers, squeeze-excite): LeCun scaling
            const float scale = std::sqrt(1.0f / static_cast<float>(slot.shape[1]));
            for (int64_t i = 0; i < n; ++i) d[i] = scale * normal(rng);
        } else if (endsWith(".weight")) { // BatchNorm scale
            for (int64_t i = 0; i < n; ++i) d[i] = 0.8f + 0.4f * uniform(rng);
        } else { // biases
            for (int64_t i = 0; i < n; ++i) d[i] = 0.05f * normal(rng);
        }
        *slot.target = std::move(t);
        filled[slot.key] = slot.target;
    }
    net.finalize();
}

} // namespace rnnpool
