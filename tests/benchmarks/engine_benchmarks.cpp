// Per-op and per-network benchmarks. Each benchmark reports the paper-count
// multiply-adds so GFLOP/s can be read off the counters; the scalar reference
// kernels run beside the fast ones as peers, and BM_PeakFma gives the core's
// peak in the same run.
//   build/tests/benchmarks/engine_benchmarks --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Rates (GFLOP/s) are over CPU time, which a busy machine inflates least.
#include <memory>
#include <random>

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include "engine/peak_rate.h"
#include "engine/threads.h"
#include "model/model.h"
#include "ops/conv2d.h"
#include "ops/conv_direct.h"
#include "ops/conv_halving.h"
#include "ops/conv_same.h"
#include "ops/fastgrnn_lanes.h"
#include "ops/rnnpool.h"

namespace rnnpool {
namespace {

Tensor randomInput(Shape shape, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    Tensor t(std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i)
        t.data()[i] = n(rng);
    return t;
}

void fillSlots(Op& op, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 0.2f);
    for (WeightSlot& s : op.weightSlots()) {
        Tensor t(s.shape);
        for (int64_t i = 0; i < t.numel(); ++i)
            t.data()[i] = s.key.find("running_var") != std::string::npos ? 1.0f : n(rng);
        *s.target = std::move(t);
    }
    op.finalize();
}

void runOp(benchmark::State& state, Op& op, const Tensor& input)
{
    const Shape inShape = input.shape();
    Shape outShape;
    if (!op.prepare({&inShape, 1}, outShape)) {
        state.SkipWithError("prepare failed");
        return;
    }
    Tensor out(outShape);
    const Tensor* in[] = {&input};
    for (auto _ : state) {
        op.eval(in, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["MAdds"] = static_cast<double>(op.madds({&inShape, 1}, outShape));
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(op.madds({&inShape, 1}, outShape)),
                                                   benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void BM_Conv3x3Stem(benchmark::State& state)
{
    Conv2dParams p;
    p.inChannels = 1; p.outChannels = 4; p.kernelH = p.kernelW = 3; p.strideH = p.strideW = 2; p.padH = p.padW = 1;
    p.weights = "w"; p.bn = "bn"; p.activation = Activation::Relu6;
    Conv2d conv(p);
    fillSlots(conv, 1);
    runOp(state, conv, randomInput({1, 240, 320}, 2));
}
BENCHMARK(BM_Conv3x3Stem)->Unit(benchmark::kMillisecond);

// The kernels of a few-output convolution side by side on one layer:
// range(0) picks padded copies (conv_direct, 0) or taps read in place through
// masked loads (conv_same / conv_halving, 1); range(1) picks the layer:
// 0 RPool_Face_Quant's stem.0 (3 -> 4, stride 2 on 640x480), 1 its
// head0.loc_pre (4 -> 8, stride 2 on 320x240), 2 its stem (4 -> 4, stride 1
// on 320x240), 3 M4's head0.loc (32 -> 4, stride 1 on 40x30), 4 M4's stem
// (1 -> 4, stride 2 on 320x240).
void BM_FewOutputsKernel(benchmark::State& state)
{
    struct Layer {
        int64_t in, out, stride, h, w;
    };
    const Layer layers[] = {{3, 4, 2, 480, 640}, {4, 8, 2, 240, 320}, {4, 4, 1, 240, 320}, {32, 4, 1, 30, 40}, {1, 4, 2, 240, 320}};
    const Layer& l = layers[state.range(1)];
    const DirectConvShape shape{3, 3, l.stride, l.stride, 1, 1};
    const Tensor input = randomInput({l.in, l.h, l.w}, 2), weight = randomInput({l.out, l.in, 3, 3}, 1),
                 bias = randomInput({l.out}, 3);
    Tensor out = Tensor::uninitialized({l.out, (l.h - 1) / l.stride + 1, (l.w - 1) / l.stride + 1});
    const bool inPlace = state.range(0) == 1;
    for (auto _ : state) {
        if (!inPlace)
            fewOutputsDirect(shape, input, weight.data(), bias.data(), Activation::Relu6, out);
        else if (l.stride == 1)
            fewOutputsSame(shape, input, weight.data(), bias.data(), Activation::Relu6, out);
        else
            fewOutputsHalving(input, weight.data(), bias.data(), Activation::Relu6, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["MAdds"] = static_cast<double>(out.numel() * l.in * 9);
}
BENCHMARK(BM_FewOutputsKernel)->ArgsProduct({{0, 1}, {0, 1, 2, 3, 4}})->Unit(benchmark::kMicrosecond);

// The depthwise kernels side by side: range(0) picks padded copies
// (depthwiseDirect, 0) or taps read in place (depthwiseSame / depthwiseHalving,
// 1); range(1) the layer: 0 RPool_Face_C's block1.dw (144 channels, 160x120,
// stride 1), 1 its block2.dw (stride 2), 2 M4's block0.dw (128, 40x30,
// stride 1), 3 M4's block2.dw (64, 40x30, stride 2).
void BM_DepthwiseKernel(benchmark::State& state)
{
    struct Layer {
        int64_t channels, stride, h, w;
    };
    const Layer layers[] = {{144, 1, 120, 160}, {144, 2, 120, 160}, {128, 1, 30, 40}, {64, 2, 30, 40}};
    const Layer& l = layers[state.range(1)];
    const DirectConvShape shape{3, 3, l.stride, l.stride, 1, 1};
    const Tensor input = randomInput({l.channels, l.h, l.w}, 2), weight = randomInput({l.channels, 1, 3, 3}, 1),
                 bias = randomInput({l.channels}, 3);
    Tensor out = Tensor::uninitialized({l.channels, (l.h - 1) / l.stride + 1, (l.w - 1) / l.stride + 1});
    const bool inPlace = state.range(0) == 1;
    for (auto _ : state) {
        if (!inPlace)
            depthwiseDirect(shape, input, weight.data(), bias.data(), Activation::Relu6, out);
        else if (l.stride == 1)
            depthwiseSame(shape, input, weight.data(), bias.data(), Activation::Relu6, out);
        else
            depthwiseHalving(input, weight.data(), bias.data(), Activation::Relu6, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["MAdds"] = static_cast<double>(out.numel() * 9);
}
BENCHMARK(BM_DepthwiseKernel)->ArgsProduct({{0, 1}, {0, 1, 2, 3}})->Unit(benchmark::kMicrosecond);

// The scalar oracle on a map of `shape` with a weight of `weightShape`
// (groups = in / weight's second dimension): the peer of a fast benchmark.
void runConvReference(benchmark::State& state, Shape shape, Shape weightShape, int64_t stride)
{
    const int64_t groups = shape[0] / weightShape[1];
    const Tensor input = randomInput(shape, 2), weight = randomInput(weightShape, 1), bias = randomInput({weightShape[0]}, 3);
    int64_t madds = 0;
    for (auto _ : state) {
        Tensor out = conv2dReference(input, weight, bias, stride, stride, 1, 1, groups, Activation::Relu6);
        madds = out.numel() * weightShape[1] * weightShape[2] * weightShape[3];
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["MAdds"] = static_cast<double>(madds);
}

void BM_Conv3x3StemReference(benchmark::State& state) { runConvReference(state, {1, 240, 320}, {4, 1, 3, 3}, 2); }
BENCHMARK(BM_Conv3x3StemReference)->Unit(benchmark::kMillisecond);

// Depthwise 3x3, stride 1 or 2 (state.range(0)), as in the MobileNetV2 blocks.
void BM_Depthwise3x3(benchmark::State& state)
{
    Conv2dParams p;
    p.inChannels = p.outChannels = p.groups = 128; p.kernelH = p.kernelW = 3; p.padH = p.padW = 1;
    p.strideH = p.strideW = state.range(0);
    p.weights = "w"; p.bn = "bn"; p.activation = Activation::Relu6;
    Conv2d conv(p);
    fillSlots(conv, 3);
    runOp(state, conv, randomInput({128, 60, 80}, 4));
}
BENCHMARK(BM_Depthwise3x3)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Depthwise through the scalar oracle: the peer of BM_Depthwise3x3/1.
void BM_Depthwise3x3Reference(benchmark::State& state) { runConvReference(state, {128, 60, 80}, {128, 1, 3, 3}, 1); }
BENCHMARK(BM_Depthwise3x3Reference)->Unit(benchmark::kMillisecond);

// A 3x3 dense convolution with 4 outputs (a detection head): the direct path.
void BM_Conv3x3Head(benchmark::State& state)
{
    Conv2dParams p;
    p.inChannels = 64; p.outChannels = 4; p.kernelH = p.kernelW = 3; p.padH = p.padW = 1; p.bias = true;
    p.weights = "w";
    Conv2d conv(p);
    fillSlots(conv, 11);
    runOp(state, conv, randomInput({64, 30, 40}, 12));
}
BENCHMARK(BM_Conv3x3Head)->Unit(benchmark::kMillisecond);

void BM_Pointwise(benchmark::State& state)
{
    Conv2dParams p;
    p.inChannels = 64; p.outChannels = 128; p.weights = "w"; p.bn = "bn"; p.activation = Activation::Relu6;
    Conv2d conv(p);
    fillSlots(conv, 5);
    runOp(state, conv, randomInput({64, 60, 80}, 6));
}
BENCHMARK(BM_Pointwise)->Unit(benchmark::kMillisecond);

// The same product through Eigen's general matrix product plus a bias and
// ReLU6 pass (the engine's previous pointwise path): the peer of BM_Pointwise.
void BM_PointwiseEigen(benchmark::State& state)
{
    using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Tensor w = randomInput({128, 64}, 5), x = randomInput({64, 60 * 80}, 6), bias = randomInput({128}, 7);
    Tensor y({128, 60 * 80});
    for (auto _ : state) {
        Eigen::Map<RowMatrix>(y.data(), 128, 4800).noalias() =
            Eigen::Map<const RowMatrix>(w.data(), 128, 64) * Eigen::Map<const RowMatrix>(x.data(), 64, 4800);
        for (int64_t o = 0; o < 128; ++o)
            biasActivateRow(Activation::Relu6, bias.data()[o], y.data() + o * 4800, 4800);
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 128 * 64 * 4800, benchmark::Counter::kIsIterationInvariantRate,
                                                   benchmark::Counter::kIs1000);
}
BENCHMARK(BM_PointwiseEigen)->Unit(benchmark::kMillisecond);

// An RNNPool with random weights (h1 = h2 = hidden) on `channels` inputs,
// RNN2 sharing W between directions as EdgeML's models do.
std::unique_ptr<RnnPool> randomRnnPool(int64_t channels, int64_t hidden, uint32_t seed)
{
    RnnPoolParams p;
    p.inChannels = channels; p.hidden1 = hidden; p.hidden2 = hidden; p.weights = "rnn";
    auto op = std::make_unique<RnnPool>(p);
    fillSlots(*op, seed);
    // RNN2's directions share one cell in every EdgeML checkpoint.
    op->rnn2Backward().W = op->rnn2Forward().W;
    op->finalize();
    return op;
}

void BM_RnnPoolFaceM4(benchmark::State& state)
{
    runOp(state, *randomRnnPool(4, 16, 7), randomInput({4, 120, 160}, 8));
}
BENCHMARK(BM_RnnPoolFaceM4)->Unit(benchmark::kMillisecond);

// RNNPool-Face-C's RNNPool: straight on the 640x480 RGB picture.
void BM_RnnPoolFaceC(benchmark::State& state)
{
    runOp(state, *randomRnnPool(3, 16, 13), randomInput({3, 480, 640}, 14));
}
BENCHMARK(BM_RnnPoolFaceC)->Unit(benchmark::kMillisecond);

// RNNPool-Face-Quant's RNNPool (h = 8): 4 channels of the 320x240 stem output.
void BM_RnnPoolFaceQuant(benchmark::State& state)
{
    runOp(state, *randomRnnPool(4, 8, 17), randomInput({4, 240, 320}, 18));
}
BENCHMARK(BM_RnnPoolFaceQuant)->Unit(benchmark::kMillisecond);

// The same RNNPool patch by patch through the scalar oracle (RnnPool::trace),
// on the M4 map: the peer of BM_RnnPoolFaceM4.
void BM_RnnPoolFaceM4Reference(benchmark::State& state)
{
    const auto op = randomRnnPool(4, 16, 7);
    const Tensor input = randomInput({4, 120, 160}, 8);
    const int64_t gh = op->gridSize(120), gw = op->gridSize(160);
    for (auto _ : state)
        for (int64_t gy = 0; gy < gh; ++gy)
            for (int64_t gx = 0; gx < gw; ++gx)
                benchmark::DoNotOptimize(op->trace(input, gy, gx));
}
BENCHMARK(BM_RnnPoolFaceM4Reference)->Unit(benchmark::kMillisecond);

// One FastGRNN sweep of 8 steps over a packet of sequences (h = 16), as
// RNNPool's RNN1 runs it: the one-exponential gates (Arg 1) against the
// two-exponential ones the kernel falls back to for large biases (Arg 0).
void BM_FastGrnnSweep(benchmark::State& state)
{
    FastGrnnCell cell;
    cell.inputSize = cell.hiddenSize = 16;
    std::mt19937 rng(21);
    std::normal_distribution<float> n(0.0f, 0.3f);
    for (auto [t, shape] : {std::pair{&cell.W, Shape{16, 16}}, {&cell.U, Shape{16, 16}}, {&cell.biasGate, Shape{1, 16}},
                            {&cell.biasUpdate, Shape{1, 16}}, {&cell.zeta, Shape{1, 1}}, {&cell.nu, Shape{1, 1}}}) {
        *t = Tensor(shape);
        for (int64_t i = 0; i < t->numel(); ++i)
            t->data()[i] = n(rng);
    }
    if (state.range(0) == 0)
        cell.biasGate.data()[0] = 2.0f * kGateBiasLimit;
    cell.prepareScalars();
    const Tensor input = randomInput({8, 16, lanes::kLanes}, 22);
    std::vector<float> final(16 * lanes::kLanes);
    auto in = [&](int64_t t, int64_t j) { return input.data() + (t * 16 + j) * lanes::kLanes; };
    for (auto _ : state) {
        lanes::sweepAny<false>(cell, 8, in, final.data(), lanes::kLanes);
        benchmark::DoNotOptimize(final.data());
    }
    state.SetLabel(cell.gateBiasesBounded ? "one exponential" : "two exponentials");
    state.counters["steps/s"] = benchmark::Counter(8, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FastGrnnSweep)->Arg(0)->Arg(1);

// The core's peak single-precision rate, measured as `rnnpool bench` does.
void BM_PeakFma(benchmark::State& state)
{
    double gflops = 0.0;
    for (auto _ : state)
        gflops = measurePeakRate(1).gflops;
    state.counters["peak GFLOP/s"] = gflops;
}
BENCHMARK(BM_PeakFma)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_Network(benchmark::State& state, const char* arch, int64_t width, int64_t height)
{
    auto model = randomModel(arch, 1);
    if (!model) {
        state.SkipWithError(model.error().c_str());
        return;
    }
    const Tensor input = randomInput({model->spec().inputChannels, height, width}, 9);
    auto layers = model->network->describe(input.shape());
    int64_t madds = 0;
    for (const LayerInfo& l : *layers)
        madds += l.madds;
    for (auto _ : state) {
        auto r = model->network->run(input);
        benchmark::DoNotOptimize(r);
    }
    state.counters["MAdds"] = static_cast<double>(madds);
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(madds), benchmark::Counter::kIsIterationInvariantRate,
                                                   benchmark::Counter::kIs1000);
}
BENCHMARK_CAPTURE(BM_Network, RPool_Face_M4_320x240, "RPool_Face_M4", 320, 240)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Network, RPool_Face_QVGA_monochrome_320x240, "RPool_Face_QVGA_monochrome", 320, 240)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Network, RPool_Face_Quant_640x480, "RPool_Face_Quant", 640, 480)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Network, RPool_Face_C_640x480, "RPool_Face_C", 640, 480)->Unit(benchmark::kMillisecond);

} // namespace
} // namespace rnnpool

// One engine thread, as the speed goals are stated (and as `rnnpool bench`
// defaults): OpenMP's default of every core makes timings depend on whatever
// else the machine runs.
int main(int argc, char** argv)
{
    rnnpool::setEngineThreads(1);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
