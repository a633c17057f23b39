// Pointwise activations that fuse into the op before them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rnnpool {

// Swish is x·sigmoid(x) (EfficientNet's SiLU); the hard variants are
// MobileNetV3's piecewise-linear approximations.
enum class Activation { None, Relu, Relu6, Sigmoid, Swish, HardSigmoid, HardSwish };

inline std::optional<Activation> parseActivation(std::string_view name)
{
    if (name.empty() || name == "none")
        return Activation::None;
    if (name == "relu")
        return Activation::Relu;
    if (name == "relu6")
        return Activation::Relu6;
    if (name == "sigmoid")
        return Activation::Sigmoid;
    if (name == "swish" || name == "silu")
        return Activation::Swish;
    if (name == "hsigmoid")
        return Activation::HardSigmoid;
    if (name == "hswish")
        return Activation::HardSwish;
    return std::nullopt;
}

inline std::string_view activationName(Activation a)
{
    switch (a) {
    case Activation::None: return "none";
    case Activation::Relu: return "relu";
    case Activation::Relu6: return "relu6";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Swish: return "swish";
    case Activation::HardSigmoid: return "hsigmoid";
    case Activation::HardSwish: return "hswish";
    }
    return "none";
}

inline float activate(Activation a, float v)
{
    switch (a) {
    case Activation::None: return v;
    case Activation::Relu: return std::max(v, 0.0f);
    case Activation::Relu6: return std::min(std::max(v, 0.0f), 6.0f);
    case Activation::Sigmoid: return 1.0f / (1.0f + std::exp(-v));
    case Activation::Swish: return v / (1.0f + std::exp(-v));
    case Activation::HardSigmoid: return std::min(std::max(v + 3.0f, 0.0f), 6.0f) / 6.0f;
    case Activation::HardSwish: return v * std::min(std::max(v + 3.0f, 0.0f), 6.0f) / 6.0f;
    }
    return v;
}

inline void activateInPlace(Activation a, float* data, int64_t n)
{
    if (a == Activation::None)
        return;
    for (int64_t i = 0; i < n; ++i)
        data[i] = activate(a, data[i]);
}

// row[i] = activation(row[i] + bias): the epilogue of a convolution, one pass
// over a row still in cache (each case a plain loop the compiler vectorises).
inline void biasActivateRow(Activation a, float bias, float* row, int64_t n)
{
    switch (a) {
    case Activation::None:
        for (int64_t i = 0; i < n; ++i)
            row[i] += bias;
        break;
    case Activation::Relu:
        for (int64_t i = 0; i < n; ++i)
            row[i] = std::max(row[i] + bias, 0.0f);
        break;
    case Activation::Relu6:
        for (int64_t i = 0; i < n; ++i)
            row[i] = std::min(std::max(row[i] + bias, 0.0f), 6.0f);
        break;
    case Activation::Sigmoid:
    case Activation::Swish:
    case Activation::HardSigmoid:
    case Activation::HardSwish:
        for (int64_t i = 0; i < n; ++i)
            row[i] = activate(a, row[i] + bias);
        break;
    }
}

} // namespace rnnpool
