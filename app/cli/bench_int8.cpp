// rnnpool bench --dtype i8: the int8 engine's median milliseconds per frame,
// from the int8 input map to the int8 heads (one thread: the integer kernels
// are single-threaded), and the median of every layer. With --pyramid LEVELS
// (LEVELS > 1), also the whole detection call (Int8Detector: network, heads,
// post-processing) with the input alone and with the pyramid, alternating.
#include <algorithm>
#include <iostream>
#include <random>
#include <ctime>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "cli/int8_common.h"
#include "cli/pyramid_bench.h"
#include "quant/int8_detector.h"

namespace rnnpool::cli {

int benchInt8(const Arguments& args, int64_t runs, std::optional<std::pair<int64_t, int64_t>> size)
{
    const auto levels = pyramidOption(args);
    if (!levels)
        return usageError("bench", levels.error());
    bool usage = false;
    auto net = chooseInt8Network(args, usage);
    if (!net)
        return usage ? usageError("bench", net.error()) : inputError(net.error());
    const Int8Network& int8 = **net;
    const ArchSpec& spec = int8.model().spec();
    const int64_t width = size ? size->first : spec.defaultWidth, height = size ? size->second : spec.defaultHeight;
    const Shape shape{spec.inputChannels, height, width};
    if (Status st = int8.model().network->checkMemory(shape); !st)
        return inputError(st.error());
    Tensor input(shape);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> pixel(-120.0f, 130.0f);
    for (int64_t i = 0; i < input.numel(); ++i)
        input.data()[i] = pixel(rng);
    const std::vector<int8_t> quantized = quantizeInputHwc(input, int8.model().input);
    const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    };
    const auto& nodes = int8.model().network->nodes();
    // Process CPU time beside wall time: on a busy machine it shows what the work itself costs.
    const auto cpuSeconds = [] {
        timespec t{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
    };
    std::vector<double> ms, cpuMs;
    std::vector<std::vector<double>> layerMs(nodes.size()), layerCpuMs(nodes.size());
    // One run's maps serve every frame, as a camera loop's would: the frames
    // measure the kernels, not the allocator.
    Int8Run run;
    Int8Run* r = &run;
    for (int64_t i = 0; i < runs + 3; ++i) {
        const double cpu0 = cpuSeconds();
        const Status st = int8.runQuantizedInto(quantized, shape, run);
        const double cpu = (cpuSeconds() - cpu0) * 1000.0;
        if (!st)
            return inputError(st.error());
        if (i < 3)
            continue;
        ms.push_back(r->totalSeconds * 1000.0);
        cpuMs.push_back(cpu);
        for (size_t l = 0; l < nodes.size(); ++l)
        {
            layerMs[l].push_back(r->layerSeconds[l] * 1000.0);
            layerCpuMs[l].push_back(r->layerCpuSeconds[l] * 1000.0);
        }
    }
    const double med = median(ms);
    std::optional<PyramidTiming> pyramid;
    if (levels->value_or(1) > 1) {
        const Int8Detector detector(*net);
        auto timed = timePyramid(
            spec, *int8.model().network, [&detector](const Tensor& in, const DetectOptions& o) { return detector.detectTensor(in, o); }, input,
            **levels, runs);
        if (!timed)
            return inputError(timed.error());
        pyramid = *timed;
    }
    if (args.flag("--json")) {
        nlohmann::json out{{"model", int8.model().source}, {"arch", spec.name}, {"dtype", "i8"}, {"threads", 1},
                           {"input", {{"width", width}, {"height", height}, {"channels", spec.inputChannels}}},
                           {"runs", runs}, {"ms_median", med}, {"cpu_ms_median", median(cpuMs)}, {"ms_min", *std::min_element(ms.begin(), ms.end())},
                           {"rnnpool_integer", int8.rnnPoolIsInteger()}};
        out["layers"] = nlohmann::json::array();
        for (size_t l = 0; l < nodes.size(); ++l)
            out["layers"].push_back({{"name", nodes[l].name}, {"ms_median", median(layerMs[l])}, {"cpu_ms_median", median(layerCpuMs[l])}});
        if (pyramid)
            out["pyramid"] = pyramidTimingJson(*pyramid);
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::cout << "model: " << int8.model().source << " (" << spec.name << ", int8)\n"
              << "input: " << width << "x" << height << "x" << spec.inputChannels << ", 1 thread, " << runs << " runs after 3 warm-up\n"
              << "median " << formatFloat(med, 3) << " ms per frame (min " << formatFloat(*std::min_element(ms.begin(), ms.end()), 3)
              << "); CPU time " << formatFloat(median(cpuMs), 3) << " ms\n";
    if (pyramid)
        std::cout << pyramidTimingText(*pyramid, "whole int8 detection");
    double rnnCpu = 0.0, otherCpu = 0.0;
    for (size_t l = 0; l < nodes.size(); ++l)
        (nodes[l].op->kind() == "rnnpool" ? rnnCpu : otherCpu) += median(layerCpuMs[l]);
    std::cout << "  per layer (median wall ms, median CPU ms); CPU: RNNPool " << formatFloat(rnnCpu, 3) << " ms, the other layers "
              << formatFloat(otherCpu, 3) << " ms\n";
    for (size_t l = 0; l < nodes.size(); ++l)
        std::cout << "  " << nodes[l].name << "  " << formatFloat(median(layerMs[l]), 3) << "  " << formatFloat(median(layerCpuMs[l]), 3)
                  << "\n";
    return kExitOk;
}

} // namespace rnnpool::cli
