// Pointwise activations that fuse into the op before them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rnnpool {

enum class Activation { None, Relu, Relu6 };

inline std::optional<Activation> parseActivation(std::string_view name)
{
    if (name.empty() || name == "none")
        return Activation::None;
    if (name == "relu")
        return Activation::Relu;
    if (name == "relu6")
        return Activation::Relu6;
    return std::nullopt;
}

inline std::string_view activationName(Activation a)
{
    switch (a) {
    case Activation::None: return "none";
    case Activation::Relu: return "relu";
    case Activation::Relu6: return "relu6";
    }
    return "none";
}

inline float activate(Activation a, float v)
{
    switch (a) {
    case Activation::None: return v;
    case Activation::Relu: return std::max(v, 0.0f);
    case Activation::Relu6: return std::min(std::max(v, 0.0f), 6.0f);
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
    }
}

} // namespace rnnpool
