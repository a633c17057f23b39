#include "cli/pyramid_bench.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "cli/common.h"
#include "engine/face_detector.h"
#include "engine/image_pyramid.h"

namespace rnnpool::cli {

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double processCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
}

} // namespace

Expected<PyramidTiming> timePyramid(const Model& model, const Tensor& input, int levels, int64_t runs)
{
    if (!model.spec().detector)
        return makeError("--pyramid needs a face detector; '" + model.spec().name + "' is not one");
    const FaceDetector detector(model);
    return timePyramid(
        model.spec(), *model.network, [&detector](const Tensor& in, const DetectOptions& o) { return detector.detectTensor(in, o); },
        input, levels, runs);
}

Expected<PyramidTiming> timePyramid(const ArchSpec& spec, Network& network, const DetectTensor& detect, const Tensor& input,
                                    int levels, int64_t runs)
{
    if (!spec.detector)
        return makeError("--pyramid needs a face detector; '" + spec.name + "' is not one");
    PyramidTiming t;
    const auto sizes = pyramidSizes({input.dim(2), input.dim(1)}, levels);
    t.levels = static_cast<int>(sizes.size());
    for (size_t k = 0; k < sizes.size(); ++k) {
        auto layers = network.describe({input.dim(0), sizes[k].height, sizes[k].width});
        if (!layers)
            return std::move(layers).takeError();
        for (const LayerInfo& l : *layers)
            (k == 0 ? t.singleMadds : t.pyramidMadds) += l.madds;
    }
    t.pyramidMadds += t.singleMadds;
    std::vector<double> single, pyramid, singleCpu, pyramidCpu;
    for (int64_t i = 0; i < runs + 2; ++i)
        for (int which = 0; which < 2; ++which) {
            DetectOptions options;
            options.pyramidLevels = which == 0 ? 1 : levels;
            const auto start = std::chrono::steady_clock::now();
            const double cpu0 = processCpuMs();
            auto frame = detect(input, options);
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            const double cpuMs = processCpuMs() - cpu0;
            if (!frame)
                return std::move(frame).takeError();
            if (i >= 2) { // warm-up
                (which == 0 ? single : pyramid).push_back(ms);
                (which == 0 ? singleCpu : pyramidCpu).push_back(cpuMs);
            }
        }
    t.singleMs = median(single);
    t.pyramidMs = median(pyramid);
    t.singleCpuMs = median(singleCpu);
    t.pyramidCpuMs = median(pyramidCpu);
    return t;
}

nlohmann::json pyramidTimingJson(const PyramidTiming& t)
{
    return {{"levels", t.levels},          {"detect_ms_single", t.singleMs},       {"detect_ms_pyramid", t.pyramidMs},
            {"detect_cpu_ms_single", t.singleCpuMs}, {"detect_cpu_ms_pyramid", t.pyramidCpuMs}, {"madds_single", t.singleMadds},
            {"madds_pyramid", t.pyramidMadds}};
}

std::string pyramidTimingText(const PyramidTiming& t, const std::string& what)
{
    return "  " + what + " (network, heads, NMS), frames alternating: median " + formatFloat(t.singleMs, 2) +
           " ms with the input alone, " + formatFloat(t.pyramidMs, 2) + " ms with a pyramid of " + std::to_string(t.levels) +
           " levels (" + formatFloat(t.pyramidMs / t.singleMs, 2) + "x); CPU time " + formatFloat(t.singleCpuMs, 2) + " and " +
           formatFloat(t.pyramidCpuMs, 2) + " ms (" + formatFloat(t.pyramidCpuMs / t.singleCpuMs, 2) + "x; " +
           formatFloat(static_cast<double>(t.pyramidMadds) / 1e6, 1) + " M multiply-adds against " +
           formatFloat(static_cast<double>(t.singleMadds) / 1e6, 1) + " M)\n";
}

} // namespace rnnpool::cli
