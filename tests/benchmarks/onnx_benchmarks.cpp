// ONNX against the built-in specs of the same networks, in one run:
//   load   an .onnx file (read, translate, build, bind) beside loading the
//          same weights from the native .safetensors file;
//   run    the imported graph beside the built-in spec (224x224).
// The files come from tools/onnx/export_torchvision.py:
//   /usr/bin/python3 tools/onnx/export_torchvision.py --out build/onnx-models --models resnet50,resnet18,mobilenet_v2
//   build/tests/benchmarks/onnx_benchmarks --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// (RNNPOOL_ONNX_MODELS names another folder.)
#include <cstdlib>
#include <filesystem>

#include <benchmark/benchmark.h>

#include "model/model.h"

namespace {

using namespace rnnpool;

std::filesystem::path modelsDir()
{
    const char* dir = std::getenv("RNNPOOL_ONNX_MODELS");
    return dir ? dir : RNNPOOL_ONNX_MODELS;
}

void loadOnnx(benchmark::State& state, const std::string& name)
{
    const auto path = modelsDir() / (name + ".onnx");
    for (auto _ : state) {
        auto m = loadModel(path);
        if (!m) {
            state.SkipWithError(m.error().c_str());
            return;
        }
        benchmark::DoNotOptimize(m->network.get());
    }
}

void loadSafetensors(benchmark::State& state, const std::string& name)
{
    auto m = loadModel(modelsDir() / (name + ".onnx"));
    if (!m) {
        state.SkipWithError(m.error().c_str());
        return;
    }
    const auto path = std::filesystem::temp_directory_path() / ("rnnpool-bench-" + name + ".safetensors");
    if (Status st = saveModel(*m, path); !st) {
        state.SkipWithError(st.error().c_str());
        return;
    }
    for (auto _ : state) {
        auto again = loadModel(path);
        if (!again) {
            state.SkipWithError(again.error().c_str());
            return;
        }
        benchmark::DoNotOptimize(again->network.get());
    }
    std::filesystem::remove(path);
}

void runModel(benchmark::State& state, const Model& m)
{
    const Tensor input({3, 224, 224}, 0.5f);
    for (auto _ : state) {
        auto r = m.network->run(input);
        if (!r) {
            state.SkipWithError(r.error().c_str());
            return;
        }
        benchmark::DoNotOptimize(r->totalSeconds);
    }
}

void runOnnx(benchmark::State& state, const std::string& name)
{
    auto m = loadModel(modelsDir() / (name + ".onnx"));
    if (!m) {
        state.SkipWithError(m.error().c_str());
        return;
    }
    runModel(state, *m);
}

void runBuiltin(benchmark::State& state, const std::string& arch)
{
    auto m = randomModel(arch, 1);
    if (!m) {
        state.SkipWithError(m.error().c_str());
        return;
    }
    runModel(state, *m);
}

BENCHMARK_CAPTURE(loadOnnx, resnet50, std::string("resnet50"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(loadSafetensors, resnet50, std::string("resnet50"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(runOnnx, resnet18, std::string("resnet18"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(runBuiltin, resnet18, std::string("resnet18"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(runOnnx, mobilenet_v2, std::string("mobilenet_v2"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(runBuiltin, mobilenetv2, std::string("mobilenetv2"))->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
