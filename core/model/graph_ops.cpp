// The spec ops that ONNX imports use (core/onnx): a standalone activation,
// a broadcasting product, softmax, a channel range, upsampling and the
// channel shuffle. Read by name with the same checks as every other layer.
#include "model/layer_reader.h"
#include "ops/pointwise_ops.h"
#include "ops/tensor_ops.h"

namespace rnnpool {

Status LayerReader::expandGraphOp(const std::string& op)
{
    if (op == "activation") {
        const auto in = inputs(1);
        const std::string fnName = text("fn", true);
        if (!m_error.empty())
            return fail(m_error);
        const auto fn = parseActivationFn(fnName);
        if (!fn)
            return fail("unknown activation fn '" + fnName + "' (known: relu, relu6, sigmoid, tanh, swish, hsigmoid, hswish, "
                        "leakyrelu, elu, clip)");
        ActivationParams p;
        p.fn = *fn;
        setActivationDefaults(p);
        if (auto a = signedReal("alpha"))
            p.alpha = static_cast<float>(*a);
        if (auto b = signedReal("beta"))
            p.beta = static_cast<float>(*b);
        if (auto lo = signedReal("min"))
            p.min = static_cast<float>(*lo);
        if (auto hi = signedReal("max"))
            p.max = static_cast<float>(*hi);
        if (!m_error.empty())
            return fail(m_error);
        if (p.min && p.max && *p.min > *p.max)
            return fail("clip's min is above its max");
        add(m_name, in, std::make_unique<ActivationOp>(p), channelsOf(in[0]));
        return Status::ok();
    }
    if (op == "mul") {
        const auto in = inputs(2);
        if (!m_error.empty())
            return fail(m_error);
        const int64_t a = channelsOf(in[0]), b = channelsOf(in[1]);
        if (a != b && a != 1 && b != 1)
            return fail("the two inputs have " + std::to_string(a) + " and " + std::to_string(b) + " channels");
        add(m_name, in, std::make_unique<Mul>(), std::max(a, b));
        return Status::ok();
    }
    if (op == "softmax") {
        const auto in = inputs(1);
        if (!m_error.empty())
            return fail(m_error);
        add(m_name, in, std::make_unique<Softmax>(), channelsOf(in[0]));
        return Status::ok();
    }
    if (op == "slice") {
        const auto in = inputs(1);
        const int64_t begin = integer("begin", 0, true), end = integer("end", 0, true);
        if (!m_error.empty())
            return fail(m_error);
        if (begin >= end || end > channelsOf(in[0]))
            return fail("channels [" + std::to_string(begin) + ", " + std::to_string(end) + ") do not fit the input's " +
                        std::to_string(channelsOf(in[0])));
        add(m_name, in, std::make_unique<ChannelSlice>(begin, end), end - begin);
        return Status::ok();
    }
    if (op == "resize") {
        const auto in = inputs(1);
        const std::string mode = textOr("mode", "nearest");
        const auto [sh, sw] = pair("scale", 2);
        if (!m_error.empty())
            return fail(m_error);
        if (mode != "nearest" && mode != "bilinear")
            return fail("mode must be nearest or bilinear, not '" + mode + "'");
        if (sh <= 0 || sw <= 0)
            return fail("scale must be positive");
        add(m_name, in, std::make_unique<Resize>(mode == "nearest" ? Resize::Mode::Nearest : Resize::Mode::Bilinear, sh, sw),
            channelsOf(in[0]));
        return Status::ok();
    }
    // channel_shuffle
    const auto in = inputs(1);
    const int64_t groups = integer("groups", 0, true);
    if (!m_error.empty())
        return fail(m_error);
    if (groups <= 0 || channelsOf(in[0]) % groups != 0)
        return fail("groups must divide the input's " + std::to_string(channelsOf(in[0])) + " channels");
    add(m_name, in, std::make_unique<ChannelShuffle>(groups), channelsOf(in[0]));
    return Status::ok();
}

} // namespace rnnpool
