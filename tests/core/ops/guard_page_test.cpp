// Every SIMD kernel of core/ops with its inputs and its output placed against
// an inaccessible page. A kernel that reads or writes even one float past the
// end of a tensor (or before its start) faults at once, instead of reading
// whatever happens to lie there, as the 1x1 convolution once did: a whole
// packet past a 300-pixel map, the studio's rare SIGSEGV (issue 18). Each
// case runs twice: inputs ending at a PROT_NONE page with the output starting
// after one, then the other way round. Results are compared against the
// scalar references, and outputs start as NaN so a float never written fails.
// Sizes: every map of 1-64 pixels and the real layers' maps (12, 60, 300,
// 1200, 4800 and 19200 pixels).
//
// A failure here is a crash of the test binary (SIGSEGV), naming no case;
// run with --gtest_filter to find which.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "ops/batch_norm.h"
#include "ops/classifier_ops.h"
#include "ops/concat.h"
#include "ops/conv2d.h"
#include "ops/conv_direct.h"
#include "ops/conv_pointwise.h"
#include "ops/crelu.h"
#include "ops/elementwise.h"
#include "ops/pooling.h"
#include "ops/rnnpool.h"
#include "core/ops/masked_tap_support.h"

namespace rnnpool {
namespace {

using testing_support::kNaN;
using testing_support::maxAbsDiff;

enum class Edge { End, Start };

// numel floats in an anonymous mapping with a PROT_NONE page on either side,
// placed to end exactly where the page after them begins (Edge::End) or to
// start right after the page before them (Edge::Start).
class GuardedBlock {
public:
    GuardedBlock(int64_t numel, Edge edge)
    {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        const size_t bytes = static_cast<size_t>(numel) * sizeof(float);
        const size_t dataPages = std::max<size_t>(1, (bytes + page - 1) / page);
        m_size = (dataPages + 2) * page;
        void* base = mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED) {
            ADD_FAILURE() << "mmap of " << m_size << " bytes failed";
            m_size = 0;
            return;
        }
        m_base = static_cast<char*>(base);
        EXPECT_EQ(mprotect(m_base, page, PROT_NONE), 0);
        EXPECT_EQ(mprotect(m_base + (dataPages + 1) * page, page, PROT_NONE), 0);
        char* first = edge == Edge::End ? m_base + (dataPages + 1) * page - bytes : m_base + page;
        m_data = reinterpret_cast<float*>(first);
    }
    ~GuardedBlock()
    {
        if (m_base != nullptr)
            munmap(m_base, m_size);
    }
    GuardedBlock(const GuardedBlock&) = delete;
    GuardedBlock& operator=(const GuardedBlock&) = delete;
    float* data() { return m_data; }

private:
    char* m_base = nullptr;
    size_t m_size = 0;
    float* m_data = nullptr;
};

using Kernel = std::function<void(std::span<const Tensor* const>, Tensor&)>;

// Runs `kernel` on copies of `inputs` in guarded blocks (at `inputEdge`), its
// output (of outShape, filled with NaN first) in a block at the other edge;
// returns an owned copy of the output.
Tensor runGuarded(const Kernel& kernel, const std::vector<const Tensor*>& inputs, const Shape& outShape, Edge inputEdge)
{
    std::vector<std::unique_ptr<GuardedBlock>> blocks;
    std::vector<Tensor> views;
    views.reserve(inputs.size());
    for (const Tensor* t : inputs) {
        blocks.push_back(std::make_unique<GuardedBlock>(t->numel(), inputEdge));
        std::copy(t->data(), t->data() + t->numel(), blocks.back()->data());
        views.push_back(Tensor::view(blocks.back()->data(), t->shape()));
    }
    GuardedBlock outBlock(shapeNumel(outShape), inputEdge == Edge::End ? Edge::Start : Edge::End);
    std::fill_n(outBlock.data(), shapeNumel(outShape), kNaN);
    Tensor out = Tensor::view(outBlock.data(), outShape);
    std::vector<const Tensor*> pointers;
    for (const Tensor& v : views)
        pointers.push_back(&v);
    kernel(pointers, out);
    return Tensor(out); // copying a view makes an owning copy
}

// Both placements against the reference; `what` names the case on failure.
void expectGuardedMatches(const Kernel& kernel, const std::vector<const Tensor*>& inputs, const Tensor& reference,
                          const std::string& what, float tolerance = 1e-4f)
{
    for (Edge edge : {Edge::End, Edge::Start}) {
        const Tensor out = runGuarded(kernel, inputs, reference.shape(), edge);
        EXPECT_LE(maxAbsDiff(out, reference), tolerance)
            << what << (edge == Edge::End ? ", inputs end at the guard" : ", output ends at the guard");
    }
}

Kernel opKernel(const Op& op)
{
    return [&op](std::span<const Tensor* const> in, Tensor& out) { op.eval(in, out); };
}

Shape preparedShape(const Op& op, const std::vector<const Tensor*>& inputs)
{
    std::vector<Shape> shapes;
    for (const Tensor* t : inputs)
        shapes.push_back(t->shape());
    Shape out;
    const Status st = op.prepare(shapes, out);
    EXPECT_TRUE(st) << (st ? "" : st.error());
    return out;
}

Tensor randomTensor(Shape shape, std::mt19937& rng, float scale = 1.0f)
{
    std::normal_distribution<float> normal(0.0f, scale);
    Tensor t(std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = normal(rng);
    return t;
}

// The real layers' maps (RPool_Face_M4 and its kin at 320x240 and below).
const std::vector<std::pair<int64_t, int64_t>> kRealMaps = {{3, 4}, {6, 10}, {15, 20}, {30, 40}, {60, 80}, {120, 160}};

// Every h x w map of 1-64 pixels, then the real ones.
std::vector<std::pair<int64_t, int64_t>> mapShapes()
{
    std::vector<std::pair<int64_t, int64_t>> shapes;
    for (int64_t h = 1; h <= 64; ++h)
        for (int64_t w = 1; h * w <= 64; ++w)
            shapes.emplace_back(h, w);
    shapes.insert(shapes.end(), kRealMaps.begin(), kRealMaps.end());
    return shapes;
}

// Pixel counts 1-64 and the real ones.
std::vector<int64_t> pixelCounts()
{
    std::vector<int64_t> counts;
    for (int64_t n = 1; n <= 64; ++n)
        counts.push_back(n);
    for (const auto& [h, w] : kRealMaps)
        counts.push_back(h * w);
    return counts;
}

std::string mapName(int64_t c, int64_t h, int64_t w)
{
    return shapeToString({c, h, w});
}

TEST(GuardPage, PointwiseKernel)
{
    std::mt19937 rng(1);
    for (const auto& channels : {std::pair{1, 1}, std::pair{3, 8}, std::pair{16, 9}, std::pair{4, 17}, std::pair{8, 24}})
        for (int64_t pixels : pixelCounts()) {
            const int cin = channels.first, cout = channels.second; // named copies: lambdas capture them
            const Tensor weight = randomTensor({cout, cin, 1, 1}, rng, 0.3f);
            const Tensor bias = randomTensor({cout}, rng);
            const Tensor input = randomTensor({cin, 1, pixels}, rng);
            const Tensor reference = conv2dReference(input, weight, bias, 1, 1, 0, 0, 1, Activation::Relu6);
            const Kernel kernel = [&](std::span<const Tensor* const> in, Tensor& out) {
                pointwiseDirect(weight.data(), bias.data(), Activation::Relu6, in[0]->data(), cin, cout, pixels, out.data());
            };
            expectGuardedMatches(kernel, {&input}, reference,
                                 "pointwise " + std::to_string(cin) + "->" + std::to_string(cout) + " on " + mapName(cin, 1, pixels));
        }
}

struct ConvCase {
    int64_t cin, cout, kernel, stride, groups;
    Activation activation;
};

// The convolution op, whichever kernel it picks for the shape (same-size,
// halving, shifted depthwise, direct, pointwise or im2col), and conv_direct's
// padded kernels called directly (the AVX-512 build picks others first).
TEST(GuardPage, ConvolutionKernels)
{
    std::mt19937 rng(2);
    const std::vector<ConvCase> cases = {
        {3, 3, 3, 1, 3, Activation::Relu6},    // depthwise, same size
        {16, 16, 3, 1, 16, Activation::Relu},  // depthwise, same size, 64-byte planes at the real sizes (shifted)
        {3, 3, 3, 2, 3, Activation::Relu6},    // depthwise, halving
        {2, 2, 5, 1, 2, Activation::None},     // depthwise 5x5
        {2, 2, 5, 2, 2, Activation::None},     // depthwise 5x5, stride 2
        {3, 2, 3, 1, 1, Activation::None},     // few outputs, same size (a detection head)
        {1, 4, 3, 2, 1, Activation::Relu6},    // few outputs, halving (the stem)
        {3, 8, 3, 2, 1, Activation::Relu6},    // few outputs, stride 2, direct
        {2, 3, 5, 2, 1, Activation::None},     // few outputs 5x5
        {3, 12, 3, 1, 1, Activation::Relu},    // im2col
        {4, 9, 1, 1, 1, Activation::Swish},    // pointwise through the op, activation on the stored row
        {4, 4, 1, 2, 1, Activation::None},     // 1x1 stride 2: few outputs
    };
    for (const ConvCase& c : cases)
        for (const auto& [h, w] : mapShapes()) {
            if (c.cin == 16 && h * w > 64 && h * w < 1200)
                continue; // the 16-channel case is for the large maps; small ones run with 3 channels
            Conv2dParams p;
            p.inChannels = c.cin;
            p.outChannels = c.cout;
            p.kernelH = p.kernelW = c.kernel;
            p.strideH = p.strideW = c.stride;
            p.padH = p.padW = (c.kernel - 1) / 2;
            p.groups = c.groups;
            p.bias = true;
            p.weights = "w";
            p.activation = c.activation;
            Conv2d conv(p);
            const Tensor weight = randomTensor({c.cout, c.cin / c.groups, c.kernel, c.kernel}, rng, 0.3f);
            const Tensor bias = randomTensor({c.cout}, rng);
            for (WeightSlot& s : conv.weightSlots())
                *s.target = s.key == "w.weight" ? weight : bias;
            conv.finalize();
            const Tensor input = randomTensor({c.cin, h, w}, rng);
            const Tensor reference = conv2dReference(input, weight, bias, c.stride, c.stride, p.padH, p.padW, c.groups, c.activation);
            ASSERT_EQ(preparedShape(conv, {&input}), reference.shape());
            const std::string what = "conv " + std::to_string(c.kernel) + "x" + std::to_string(c.kernel) + "/" +
                                     std::to_string(c.stride) + " " + std::to_string(c.cin) + "->" + std::to_string(c.cout) +
                                     " on " + mapName(c.cin, h, w);
            expectGuardedMatches(opKernel(conv), {&input}, reference, what);

            const DirectConvShape shape{c.kernel, c.kernel, c.stride, c.stride, p.padH, p.padW};
            const bool depthwise = c.groups == c.cin && c.cin > 1;
            if (c.kernel == 1 || (!depthwise && c.cout > kDirectMaxOutputs))
                continue;
            const Tensor& folded = conv.foldedWeight();
            const Tensor& foldedBias = conv.foldedBias();
            const Activation act = c.activation;
            const Kernel direct = [&, depthwise](std::span<const Tensor* const> in, Tensor& out) {
                if (depthwise)
                    depthwiseDirect(shape, *in[0], folded.data(), foldedBias.data(), act, out);
                else
                    fewOutputsDirect(shape, *in[0], folded.data(), foldedBias.data(), act, out);
            };
            expectGuardedMatches(direct, {&input}, reference, "direct " + what);
        }
}

Tensor poolReference(const Tensor& in, const Pool2dParams& p)
{
    const int64_t ih = in.dim(1), iw = in.dim(2);
    const int64_t oh = poolOutputSize(ih, p), ow = poolOutputSize(iw, p);
    Tensor out({in.dim(0), oh, ow});
    for (int64_t c = 0; c < in.dim(0); ++c)
        for (int64_t oy = 0; oy < oh; ++oy)
            for (int64_t ox = 0; ox < ow; ++ox) {
                double best = -INFINITY, sum = 0.0;
                int64_t inside = 0, padded = 0;
                for (int64_t ky = 0; ky < p.kernel; ++ky)
                    for (int64_t kx = 0; kx < p.kernel; ++kx) {
                        const int64_t y = oy * p.stride - p.pad + ky, x = ox * p.stride - p.pad + kx;
                        if (y >= ih + p.pad || x >= iw + p.pad)
                            continue; // past the padded map (ceil mode's last window)
                        ++padded;
                        if (y < 0 || x < 0 || y >= ih || x >= iw)
                            continue;
                        ++inside;
                        best = std::max(best, static_cast<double>(in.at(c, y, x)));
                        sum += in.at(c, y, x);
                    }
                const bool isMax = p.mode == Pool2dParams::Mode::Max;
                out.at(c, oy, ox) = static_cast<float>(isMax ? best : sum / static_cast<double>(p.countIncludePad ? padded : inside));
            }
    return out;
}

TEST(GuardPage, Pooling)
{
    std::mt19937 rng(3);
    const auto mode = [](bool max) { return max ? Pool2dParams::Mode::Max : Pool2dParams::Mode::Average; };
    for (const auto& [isMax, k, s, pad, ceil, includePad] :
         {std::tuple{true, 2, 2, 0, false, true}, std::tuple{false, 3, 1, 1, false, false}, std::tuple{true, 3, 2, 1, true, true},
          std::tuple{false, 2, 2, 0, true, true}})
        for (const auto& [h, w] : mapShapes()) {
            Pool2dParams p{mode(isMax), k, s, pad, ceil, includePad};
            Pool2d pool(p);
            if (poolOutputSize(h, p) <= 0 || poolOutputSize(w, p) <= 0)
                continue;
            const Tensor input = randomTensor({3, h, w}, rng);
            const Tensor reference = poolReference(input, p);
            ASSERT_EQ(preparedShape(pool, {&input}), reference.shape());
            expectGuardedMatches(opKernel(pool), {&input}, reference,
                                 std::string(pool.kind()) + " " + std::to_string(k) + "/" + std::to_string(s) + " on " +
                                     mapName(3, h, w), 1e-5f);
        }
}

// The elementwise ops (L2Norm's packets and scalar tail, BatchNorm with its
// activation, residual add, max-out, CReLU, concatenation, global pooling)
// against their formulas in double precision.
TEST(GuardPage, ElementwiseOps)
{
    std::mt19937 rng(4);
    for (int64_t pixels : pixelCounts())
        for (int64_t channels : {1, 4, 17}) {
            const Tensor a = randomTensor({channels, 1, pixels}, rng);
            const Tensor b = randomTensor({channels, 1, pixels}, rng);
            const std::string where = " on " + mapName(channels, 1, pixels);

            L2Norm norm(channels, "n");
            const Tensor scale = randomTensor({channels}, rng);
            for (WeightSlot& s : norm.weightSlots())
                *s.target = scale;
            Tensor normRef({channels, 1, pixels});
            for (int64_t i = 0; i < pixels; ++i) {
                double sum = 0.0;
                for (int64_t c = 0; c < channels; ++c)
                    sum += static_cast<double>(a.at(c, 0, i)) * a.at(c, 0, i);
                for (int64_t c = 0; c < channels; ++c)
                    normRef.at(c, 0, i) = static_cast<float>(scale.data()[c] * a.at(c, 0, i) / (std::sqrt(sum) + 1e-10));
            }
            expectGuardedMatches(opKernel(norm), {&a}, normRef, "l2norm" + where);

            BatchNormAct bn(channels, "bn", Activation::Relu6);
            std::vector<Tensor> stats;
            for (WeightSlot& s : bn.weightSlots()) {
                *s.target = randomTensor({channels}, rng);
                if (s.key == "bn.running_var")
                    for (int64_t c = 0; c < channels; ++c)
                        s.target->data()[c] = 0.5f + std::abs(s.target->data()[c]);
                stats.push_back(*s.target);
            }
            bn.finalize();
            Tensor bnRef({channels, 1, pixels});
            for (int64_t c = 0; c < channels; ++c) {
                const double sc = stats[0].data()[c] / std::sqrt(static_cast<double>(stats[3].data()[c]) + 1e-5);
                for (int64_t i = 0; i < pixels; ++i)
                    bnRef.at(c, 0, i) = static_cast<float>(
                        std::clamp((a.at(c, 0, i) - stats[2].data()[c]) * sc + stats[1].data()[c], 0.0, 6.0));
            }
            expectGuardedMatches(opKernel(bn), {&a}, bnRef, "batchnorm" + where);

            Add add(Activation::Relu);
            Tensor addRef({channels, 1, pixels});
            for (int64_t i = 0; i < a.numel(); ++i)
                addRef.data()[i] = std::max(a.data()[i] + b.data()[i], 0.0f);
            expectGuardedMatches(opKernel(add), {&a, &b}, addRef, "add" + where, 0.0f);

            CRelu crelu;
            Tensor creluRef({2 * channels, 1, pixels});
            for (int64_t i = 0; i < a.numel(); ++i) {
                creluRef.data()[i] = std::max(a.data()[i], 0.0f);
                creluRef.data()[a.numel() + i] = std::max(-a.data()[i], 0.0f);
            }
            expectGuardedMatches(opKernel(crelu), {&a}, creluRef, "crelu" + where, 0.0f);

            Concat concat(2);
            Tensor concatRef({2 * channels, 1, pixels});
            std::copy(a.data(), a.data() + a.numel(), concatRef.data());
            std::copy(b.data(), b.data() + b.numel(), concatRef.data() + a.numel());
            expectGuardedMatches(opKernel(concat), {&a, &b}, concatRef, "concat" + where, 0.0f);

            GlobalAveragePool gap;
            const Shape gapShape = preparedShape(gap, {&a});
            Tensor gapRef(gapShape);
            for (int64_t c = 0; c < channels; ++c) {
                double sum = 0.0;
                for (int64_t i = 0; i < pixels; ++i)
                    sum += a.at(c, 0, i);
                gapRef.data()[c] = static_cast<float>(sum / static_cast<double>(pixels));
            }
            expectGuardedMatches(opKernel(gap), {&a}, gapRef, "global average pool" + where);

            if (channels > 3) {
                BackgroundMaxOut maxOut(3);
                Tensor maxOutRef({channels - 2, 1, pixels});
                for (int64_t i = 0; i < pixels; ++i) {
                    maxOutRef.at(0, 0, i) = std::max({a.at(0, 0, i), a.at(1, 0, i), a.at(2, 0, i)});
                    for (int64_t c = 3; c < channels; ++c)
                        maxOutRef.at(c - 2, 0, i) = a.at(c, 0, i);
                }
                expectGuardedMatches(opKernel(maxOut), {&a}, maxOutRef, "background max-out" + where, 0.0f);
            }
        }
}

void randomCell(FastGrnnCell& cell, std::mt19937& rng)
{
    std::normal_distribution<float> n(0.0f, 0.3f);
    for (Tensor* t : {&cell.W, &cell.U, &cell.biasGate, &cell.biasUpdate, &cell.zeta, &cell.nu})
        for (int64_t i = 0; i < t->numel(); ++i)
            t->data()[i] = n(rng);
}

// The batched RNNPool kernel (lane sweeps, sequence packer, phase-split
// steps) against the scalar per-patch trace.
TEST(GuardPage, RnnPoolBatched)
{
    std::mt19937 rng(5);
    struct Case {
        int64_t c, h1, h2, patch, stride, h, w;
    };
    std::vector<Case> cases;
    for (int64_t h = 2; h <= 64; ++h)
        for (int64_t w = 2; h * w <= 64; ++w)
            cases.push_back({h * w % 3 + 1, h % 2 == 0 ? 8 : 16, w % 2 == 0 ? 16 : 8, 2, 1, h, w});
    for (int64_t h = 4; h <= 16; ++h)
        for (int64_t w = 4; h * w <= 64; ++w)
            cases.push_back({2, 16, 16, 4, 2, h, w});
    cases.push_back({4, 16, 16, 8, 4, 30, 40});
    cases.push_back({4, 16, 16, 8, 4, 120, 160}); // RPool_Face_M4's RNNPool at 320x240
    for (const Case& k : cases) {
        RnnPoolParams p;
        p.inChannels = k.c;
        p.patch = k.patch;
        p.stride = k.stride;
        p.hidden1 = k.h1;
        p.hidden2 = k.h2;
        p.weights = "rnn";
        RnnPool op(p);
        for (WeightSlot& s : op.weightSlots())
            *s.target = Tensor(s.shape);
        randomCell(op.rnn1(), rng);
        randomCell(op.rnn2Forward(), rng);
        randomCell(op.rnn2Backward(), rng);
        if (k.h2 % 8 == 0)
            op.rnn2Backward().W = op.rnn2Forward().W;
        op.finalize();
        const Tensor input = randomTensor({k.c, k.h, k.w}, rng);
        const Shape outShape = preparedShape(op, {&input});
        ASSERT_EQ(outShape.size(), 3u);
        const int64_t gh = op.gridSize(k.h), gw = op.gridSize(k.w);
        Tensor reference(outShape);
        for (int64_t gy = 0; gy < gh; ++gy)
            for (int64_t gx = 0; gx < gw; ++gx) {
                auto trace = op.trace(input, gy, gx);
                ASSERT_TRUE(trace) << trace.error();
                for (int64_t ch = 0; ch < outShape[0]; ++ch)
                    reference.at(ch, gy, gx) = trace->output.data()[ch];
            }
        replicatePadBottomRight(reference, gh, gw);
        expectGuardedMatches(opKernel(op), {&input}, reference,
                             "rnnpool patch " + std::to_string(k.patch) + "/" + std::to_string(k.stride) + " h1 " +
                                 std::to_string(k.h1) + " h2 " + std::to_string(k.h2) + " on " + mapName(k.c, k.h, k.w),
                             1e-5f);
    }
}

} // namespace
} // namespace rnnpool
