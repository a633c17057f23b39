// Per-op and per-network benchmarks. Each network benchmark reports the
// paper-count multiply-adds so GFLOP/s can be read off the counters.
//   build/tests/benchmarks/engine_benchmarks --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <random>

#include <benchmark/benchmark.h>

#include "model/model.h"
#include "ops/conv2d.h"
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

void BM_Depthwise3x3(benchmark::State& state)
{
    Conv2dParams p;
    p.inChannels = p.outChannels = p.groups = 128; p.kernelH = p.kernelW = 3; p.padH = p.padW = 1;
    p.weights = "w"; p.bn = "bn"; p.activation = Activation::Relu6;
    Conv2d conv(p);
    fillSlots(conv, 3);
    runOp(state, conv, randomInput({128, 60, 80}, 4));
}
BENCHMARK(BM_Depthwise3x3)->Unit(benchmark::kMillisecond);

void BM_Pointwise(benchmark::State& state)
{
    Conv2dParams p;
    p.inChannels = 64; p.outChannels = 128; p.weights = "w"; p.bn = "bn"; p.activation = Activation::Relu6;
    Conv2d conv(p);
    fillSlots(conv, 5);
    runOp(state, conv, randomInput({64, 60, 80}, 6));
}
BENCHMARK(BM_Pointwise)->Unit(benchmark::kMillisecond);

void BM_RnnPoolFaceM4(benchmark::State& state)
{
    RnnPoolParams p;
    p.inChannels = 4; p.hidden1 = 16; p.hidden2 = 16; p.weights = "rnn";
    RnnPool op(p);
    fillSlots(op, 7);
    runOp(state, op, randomInput({4, 120, 160}, 8));
}
BENCHMARK(BM_RnnPoolFaceM4)->Unit(benchmark::kMillisecond);

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

BENCHMARK_MAIN();
