// Pointwise activations that fuse into the op before them.
#pragma once

#include <algorithm>
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

} // namespace rnnpool
