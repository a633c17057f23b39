// The blocks of the classification zoo, expanded into primitive nodes named
// "<layer>.<part>" so that schedules can recognise them by group:
//   separable    MobileNetV1's depthwise 3×3 + pointwise 1×1 (parts dw, project)
//   basic_block  ResNet's two 3×3 convs with an identity or 1×1 shortcut
//   dense_block  DenseNet's layers, each BN-ReLU-1×1-BN-ReLU-3×3 on the
//                concatenation of everything before it
//   transition   DenseNet's BN-ReLU-1×1 conv-2×2 average pool
//   inception    GoogLeNet's four paths (torchvision's, 3×3 in the "5×5" path)
//   mbconv       EfficientNet's MBConv with squeeze-excite
// Checkpoint keys follow torchvision's module names.
#include <cmath>

#include "model/layer_reader.h"
#include "ops/batch_norm.h"
#include "ops/concat.h"
#include "ops/conv2d.h"
#include "ops/crelu.h"
#include "ops/elementwise.h"
#include "ops/pooling.h"
#include "ops/squeeze_excite.h"

namespace rnnpool {

namespace {
// A bias-free convolution followed by BatchNorm and an activation.
std::unique_ptr<Op> convBn(int64_t cin, int64_t cout, int64_t kernel, int64_t stride, int64_t groups, const std::string& conv,
                           const std::string& bn, Activation act)
{
    Conv2dParams p;
    p.inChannels = cin;
    p.outChannels = cout;
    p.kernelH = p.kernelW = kernel;
    p.strideH = p.strideW = stride;
    p.padH = p.padW = (kernel - 1) / 2;
    p.groups = groups;
    p.weights = conv;
    p.bn = bn;
    p.activation = act;
    return std::make_unique<Conv2d>(std::move(p));
}
} // namespace

std::optional<Activation> LayerReader::activationOf(const char* fallback)
{
    const std::string name = textOr("act", fallback);
    const auto act = parseActivation(name);
    if (!act && m_error.empty())
        m_error = "unknown activation '" + name + "'";
    return act;
}

Status LayerReader::expandPool(bool isMax)
{
    const auto in = inputs(1);
    Pool2dParams p;
    p.mode = isMax ? Pool2dParams::Mode::Max : Pool2dParams::Mode::Average;
    p.kernel = integer("kernel", 2);
    p.stride = integer("stride", p.kernel);
    p.pad = integer("pad", 0);
    p.ceilMode = flag("ceil_mode", false);
    p.countIncludePad = flag("count_include_pad", true);
    if (!m_error.empty())
        return fail(m_error);
    if (p.kernel <= 0 || p.stride <= 0 || 2 * p.pad > p.kernel)
        return fail("kernel and stride must be positive and pad at most half the kernel");
    add(m_name, in, std::make_unique<Pool2d>(p), channelsOf(in[0]));
    return Status::ok();
}

Status LayerReader::expandBatchNorm()
{
    const auto in = inputs(1);
    const std::string w = text("weights", true);
    const auto act = activationOf("none");
    const double eps = real("eps", 1e-5);
    if (!m_error.empty())
        return fail(m_error);
    const int64_t channels = channelsOf(in[0]);
    add(m_name, in, std::make_unique<BatchNormAct>(channels, w, *act, static_cast<float>(eps)), channels);
    return Status::ok();
}

Status LayerReader::expandCRelu()
{
    const auto in = inputs(1);
    if (!m_error.empty())
        return fail(m_error);
    add(m_name, in, std::make_unique<CRelu>(), 2 * channelsOf(in[0]));
    return Status::ok();
}

Status LayerReader::expandConcat()
{
    const auto in = inputs(0);
    if (!m_error.empty())
        return fail(m_error);
    int64_t channels = 0;
    for (int src : in)
        channels += channelsOf(src);
    add(m_name, in, std::make_unique<Concat>(static_cast<int>(in.size())), channels);
    return Status::ok();
}

Status LayerReader::expandSeparable()
{
    const auto in = inputs(1);
    const int64_t cin = in.empty() ? 0 : channelsOf(in[0]);
    const int64_t out = integer("out", 0, true), stride = integer("stride", 1);
    const std::string w = text("weights", true);
    const auto act = activationOf("relu");
    if (!m_error.empty())
        return fail(m_error);
    if (out <= 0 || stride <= 0)
        return fail("out and stride must be positive");
    const int dw = add(m_name + ".dw", in, convBn(cin, cin, 3, stride, cin, w + ".0", w + ".1", *act), cin);
    add(m_name + ".project", {dw}, convBn(cin, out, 1, 1, 1, w + ".3", w + ".4", *act), out);
    return Status::ok();
}

Status LayerReader::expandBasicBlock()
{
    const auto in = inputs(1);
    const int64_t cin = in.empty() ? 0 : channelsOf(in[0]);
    const int64_t out = integer("out", 0, true), stride = integer("stride", 1);
    const std::string w = text("weights", true);
    if (!m_error.empty())
        return fail(m_error);
    if (out <= 0 || stride <= 0)
        return fail("out and stride must be positive");
    const int c1 = add(m_name + ".conv1", in, convBn(cin, out, 3, stride, 1, w + ".conv1", w + ".bn1", Activation::Relu), out);
    const int c2 = add(m_name + ".conv2", {c1}, convBn(out, out, 3, 1, 1, w + ".conv2", w + ".bn2", Activation::None), out);
    int shortcut = in[0];
    if (stride != 1 || cin != out)
        shortcut = add(m_name + ".downsample", in, convBn(cin, out, 1, stride, 1, w + ".downsample.0", w + ".downsample.1", Activation::None),
                       out);
    add(m_name + ".add", {shortcut, c2}, std::make_unique<Add>(Activation::Relu), out);
    return Status::ok();
}

Status LayerReader::expandDenseBlock()
{
    const auto in = inputs(1);
    const int64_t cin = in.empty() ? 0 : channelsOf(in[0]);
    const int64_t layers = integer("layers", 0, true), growth = integer("growth", 32), bnSize = integer("bn_size", 4);
    const std::string w = text("weights", true);
    if (!m_error.empty())
        return fail(m_error);
    if (layers <= 0 || growth <= 0 || bnSize <= 0)
        return fail("layers, growth and bn_size must be positive");
    std::vector<int> features{in[0]};
    int64_t channels = cin;
    for (int64_t i = 1; i <= layers; ++i) {
        const std::string part = m_name + ".layer" + std::to_string(i), key = w + ".denselayer" + std::to_string(i);
        int source = features.front();
        if (features.size() > 1)
            source = add(part + ".concat", features, std::make_unique<Concat>(static_cast<int>(features.size())), channels);
        const int norm = add(part + ".norm1", {source}, std::make_unique<BatchNormAct>(channels, key + ".norm1", Activation::Relu), channels);
        const int64_t mid = bnSize * growth;
        const int c1 = add(part + ".conv1", {norm}, convBn(channels, mid, 1, 1, 1, key + ".conv1", key + ".norm2", Activation::Relu), mid);
        Conv2dParams p;
        p.inChannels = mid;
        p.outChannels = growth;
        p.kernelH = p.kernelW = 3;
        p.padH = p.padW = 1;
        p.weights = key + ".conv2";
        features.push_back(add(part + ".conv2", {c1}, std::make_unique<Conv2d>(std::move(p)), growth));
        channels += growth;
    }
    add(m_name + ".concat", features, std::make_unique<Concat>(static_cast<int>(features.size())), channels);
    return Status::ok();
}

Status LayerReader::expandTransition()
{
    const auto in = inputs(1);
    const int64_t cin = in.empty() ? 0 : channelsOf(in[0]);
    const int64_t out = integer("out", 0, true);
    const std::string w = text("weights", true);
    if (!m_error.empty())
        return fail(m_error);
    if (out <= 0)
        return fail("out must be positive");
    const int norm = add(m_name + ".norm", in, std::make_unique<BatchNormAct>(cin, w + ".norm", Activation::Relu), cin);
    Conv2dParams p;
    p.inChannels = cin;
    p.outChannels = out;
    p.weights = w + ".conv";
    const int conv = add(m_name + ".conv", {norm}, std::make_unique<Conv2d>(std::move(p)), out);
    Pool2dParams pool;
    pool.mode = Pool2dParams::Mode::Average;
    add(m_name + ".pool", {conv}, std::make_unique<Pool2d>(pool), out);
    return Status::ok();
}

Status LayerReader::expandInception()
{
    const auto in = inputs(1);
    const int64_t cin = in.empty() ? 0 : channelsOf(in[0]);
    const int64_t b1 = integer("b1", 0, true), b2r = integer("b2_reduce", 0, true), b2 = integer("b2", 0, true);
    const int64_t b3r = integer("b3_reduce", 0, true), b3 = integer("b3", 0, true), pp = integer("pool_proj", 0, true);
    const int64_t k3 = integer("b3_kernel", 3);
    const std::string w = text("weights", true);
    if (!m_error.empty())
        return fail(m_error);
    if (b1 <= 0 || b2r <= 0 || b2 <= 0 || b3r <= 0 || b3 <= 0 || pp <= 0 || k3 % 2 == 0)
        return fail("every path needs positive channel counts and b3_kernel must be odd");
    const auto relu = Activation::Relu;
    // The paths in order of output width is what the paper schedule wants;
    // here they follow torchvision, and the schedule sorts them.
    const int p1 = add(m_name + ".b1", in, convBn(cin, b1, 1, 1, 1, w + ".branch1.conv", w + ".branch1.bn", relu), b1);
    const int p2a = add(m_name + ".b2a", in, convBn(cin, b2r, 1, 1, 1, w + ".branch2.0.conv", w + ".branch2.0.bn", relu), b2r);
    const int p2 = add(m_name + ".b2b", {p2a}, convBn(b2r, b2, 3, 1, 1, w + ".branch2.1.conv", w + ".branch2.1.bn", relu), b2);
    const int p3a = add(m_name + ".b3a", in, convBn(cin, b3r, 1, 1, 1, w + ".branch3.0.conv", w + ".branch3.0.bn", relu), b3r);
    const int p3 = add(m_name + ".b3b", {p3a}, convBn(b3r, b3, k3, 1, 1, w + ".branch3.1.conv", w + ".branch3.1.bn", relu), b3);
    Pool2dParams pool;
    pool.kernel = 3;
    pool.stride = 1;
    pool.pad = 1;
    pool.ceilMode = true;
    const int p4a = add(m_name + ".b4pool", in, std::make_unique<Pool2d>(pool), cin);
    const int p4 = add(m_name + ".b4", {p4a}, convBn(cin, pp, 1, 1, 1, w + ".branch4.1.conv", w + ".branch4.1.bn", relu), pp);
    add(m_name + ".concat", {p1, p2, p3, p4}, std::make_unique<Concat>(4), b1 + b2 + b3 + pp);
    return Status::ok();
}

Status LayerReader::expandMbConv()
{
    const auto in = inputs(1);
    const int64_t cin = in.empty() ? 0 : channelsOf(in[0]);
    const int64_t out = integer("out", 0, true), stride = integer("stride", 1), kernel = integer("kernel", 3);
    const double expand = real("expand", 1.0), seRatio = real("se_ratio", 0.25);
    const std::string w = text("weights", true) + ".block";
    const auto act = activationOf("swish");
    if (!m_error.empty())
        return fail(m_error);
    if (out <= 0 || stride <= 0 || kernel % 2 == 0 || expand < 1.0 || seRatio <= 0.0)
        return fail("out and stride must be positive, kernel odd, expand at least 1 and se_ratio positive");
    const int64_t hidden = static_cast<int64_t>(std::lround(static_cast<double>(cin) * expand));
    int seq = 0;
    int previous = in[0];
    auto key = [&](int i) { return w + "." + std::to_string(i); };
    if (hidden != cin) {
        previous = add(m_name + ".expand", {previous}, convBn(cin, hidden, 1, 1, 1, key(seq) + ".0", key(seq) + ".1", *act), hidden);
        ++seq;
    }
    previous = add(m_name + ".dw", {previous}, convBn(hidden, hidden, kernel, stride, hidden, key(seq) + ".0", key(seq) + ".1", *act), hidden);
    ++seq;
    SqueezeExciteParams se;
    se.channels = hidden;
    se.squeezed = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(cin) * seRatio));
    se.inner = *act;
    se.weights = key(seq++);
    previous = add(m_name + ".se", {previous}, std::make_unique<SqueezeExcite>(std::move(se)), hidden);
    previous = add(m_name + ".project", {previous}, convBn(hidden, out, 1, 1, 1, key(seq) + ".0", key(seq) + ".1", Activation::None), out);
    if (stride == 1 && cin == out)
        add(m_name + ".add", {in[0], previous}, std::make_unique<Add>(), out);
    return Status::ok();
}

// A squeeze-excite on its own (as ONNX imports it): "squeezed" channels in
// the middle, "inner" and "gate" activations.
Status LayerReader::expandSqueezeExcite()
{
    const auto in = inputs(1);
    SqueezeExciteParams p;
    p.channels = in.empty() ? 0 : channelsOf(in[0]);
    p.squeezed = integer("squeezed", 0, true);
    p.weights = text("weights", true);
    const std::string inner = textOr("inner", "relu"), gate = textOr("gate", "sigmoid");
    if (!m_error.empty())
        return fail(m_error);
    const auto innerAct = parseActivation(inner), gateAct = parseActivation(gate);
    if (!innerAct || !gateAct)
        return fail("unknown activation '" + (innerAct ? gate : inner) + "'");
    if (p.squeezed <= 0)
        return fail("squeezed must be positive");
    p.inner = *innerAct;
    p.gate = *gateAct;
    const int64_t channels = p.channels;
    add(m_name, in, std::make_unique<SqueezeExcite>(std::move(p)), channels);
    return Status::ok();
}

} // namespace rnnpool
