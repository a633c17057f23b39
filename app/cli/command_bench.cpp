// rnnpool bench: median milliseconds per frame of the network (input tensor
// to raw loc/conf), after a warm-up; the achieved rate counted with the
// paper's multiply-adds (2 FLOP each) and its share of the core's peak, which
// is measured in the same process on the same thread (engine/peak_rate.h);
// optionally the PyTorch reference in tools/reference/ measured in the same
// run, frame for frame beside the engine (cli/pytorch_peer.h).
#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <random>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/int8_common.h"
#include "cli/pytorch_peer.h"
#include "cli/pyramid_bench.h"
#include "engine/peak_rate.h"
#include "engine/threads.h"
#include "ops/rnnpool.h"
#include "ops/rnnpool_batched.h"

namespace rnnpool::cli {

namespace {

std::optional<int64_t> parsePositive(const std::string& text, int64_t max)
{
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || v <= 0 || v > max)
        return std::nullopt;
    return v;
}

double processCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double medianOf(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// Wall-clock and process CPU milliseconds of one engine frame (CPU time of
// the whole process, all threads: on a busy machine it shows what the work
// itself costs).
Expected<FrameTimes> engineFrame(Network& network, const Tensor& input)
{
    const double cpu0 = processCpuSeconds();
    auto r = network.run(input);
    if (!r)
        return std::move(r).takeError();
    return FrameTimes{r->totalSeconds * 1000.0, (processCpuSeconds() - cpu0) * 1000.0};
}

// The engine and the PyTorch reference side by side: each round times one
// PyTorch frame and three engine frames (their median: the first after the
// peer's frame finds the caches cold), the two in alternating order. The
// speed-up is the median of the rounds' ratios, so a burst of load from
// elsewhere moves one round, not one side's whole median.
struct Round {
    FrameTimes engine, pytorch;
};

Expected<std::vector<Round>> pairedRounds(Network& network, const Tensor& input, PyTorchPeer& peer, int64_t count)
{
    std::vector<Round> rounds;
    for (int64_t i = 0; i < count; ++i) {
        Round round;
        auto timeEngine = [&]() -> Status {
            std::vector<double> ms, cpuMs;
            for (int frame = 0; frame < 3; ++frame) {
                auto t = engineFrame(network, input);
                if (!t)
                    return std::move(t).takeError();
                ms.push_back(t->ms);
                cpuMs.push_back(t->cpuMs);
            }
            round.engine = {medianOf(ms), medianOf(cpuMs)};
            return Status::ok();
        };
        auto timePeer = [&]() -> Status {
            auto t = peer.timeFrame();
            if (!t)
                return std::move(t).takeError();
            round.pytorch = *t;
            return Status::ok();
        };
        const Status first = i % 2 == 0 ? timeEngine() : timePeer();
        if (!first)
            return makeError(first.error());
        const Status second = i % 2 == 0 ? timePeer() : timeEngine();
        if (!second)
            return makeError(second.error());
        rounds.push_back(round);
    }
    return rounds;
}

// Medians over rounds: PyTorch's and the engine's times, and the ratios.
struct Comparison {
    FrameTimes pytorch, engine;
    double speedup = 0.0, cpuSpeedup = 0.0;
    explicit Comparison(const std::vector<Round>& rounds)
    {
        std::vector<double> torchMs, torchCpu, engineMs, engineCpu, ratio, cpuRatio;
        for (const Round& r : rounds) {
            torchMs.push_back(r.pytorch.ms);
            torchCpu.push_back(r.pytorch.cpuMs);
            engineMs.push_back(r.engine.ms);
            engineCpu.push_back(r.engine.cpuMs);
            ratio.push_back(r.pytorch.ms / r.engine.ms);
            cpuRatio.push_back(r.pytorch.cpuMs / r.engine.cpuMs);
        }
        pytorch = {medianOf(torchMs), medianOf(torchCpu)};
        engine = {medianOf(engineMs), medianOf(engineCpu)};
        speedup = medianOf(ratio);
        cpuSpeedup = medianOf(cpuRatio);
    }
};

// The paper-count and the executed multiply-adds of every RNNPool layer.
struct RnnPoolCount {
    int64_t paper = 0, executed = 0;
};

RnnPoolCount countRnnPool(const Network& net, const std::vector<LayerInfo>& layers, const Shape& input)
{
    RnnPoolCount count;
    for (size_t i = 0; i < net.nodes().size(); ++i) {
        const auto* op = dynamic_cast<const RnnPool*>(net.nodes()[i].op.get());
        if (!op)
            continue;
        const int src = net.nodes()[i].inputs.front();
        const Shape& in = src == kNetworkInput ? input : layers[static_cast<size_t>(src)].outputShape;
        count.paper += layers[i].madds;
        count.executed += rnnPoolExecutedMadds(*op, in);
    }
    return count;
}

} // namespace

int commandBench(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--size", "--threads", "--runs", "--rnn-layout", "--pyramid", "--dtype"}, {"--json", "--pytorch"});
    if (!args.ok())
        return usageError("bench", args.error());
    if (!args.positionals().empty())
        return usageError("bench", "unexpected argument '" + args.positionals().front() + "'");
    int64_t threads = 1, runs = 30;
    if (const auto t = args.value("--threads")) {
        const auto v = parsePositive(*t, 256);
        if (!v)
            return usageError("bench", "--threads must be a whole number from 1 to 256, not '" + *t + "'");
        threads = *v;
    }
    if (const auto r = args.value("--runs")) {
        const auto v = parsePositive(*r, 100000);
        if (!v)
            return usageError("bench", "--runs must be a positive whole number, not '" + *r + "'");
        runs = *v;
    }
    const auto dtype = parseRunDtype(args);
    if (!dtype)
        return usageError("bench", "--dtype must be f32 or i8, not '" + *args.value("--dtype") + "'");
    if (*dtype == "i8") {
        if (threads != 1 || args.flag("--pytorch"))
            return usageError("bench", "--dtype i8 runs on one thread and without --pytorch");
        std::optional<std::pair<int64_t, int64_t>> size;
        if (const auto s = args.value("--size")) {
            const auto parsed = parseSizeSpec(*s);
            if (!parsed || parsed->channels != 0)
                return usageError("bench", "--size must be WIDTHxHEIGHT, e.g. 320x240, not '" + *s + "'");
            size = std::make_pair(parsed->width, parsed->height);
        }
        return benchInt8(args, runs, size);
    }
    bool usage = false;
    auto model = chooseModel(args, true, usage);
    if (!model)
        return usage ? usageError("bench", model.error()) : inputError(model.error());
    const ArchSpec& spec = model->spec();
    int64_t width = spec.defaultWidth, height = spec.defaultHeight;
    if (const auto s = args.value("--size")) {
        const auto size = parseSizeSpec(*s);
        if (!size || size->channels != 0)
            return usageError("bench", "--size must be WIDTHxHEIGHT, e.g. 320x240, not '" + *s + "'");
        width = size->width;
        height = size->height;
    }
    setEngineThreads(static_cast<int>(threads));
    if (Status st = model->network->checkMemory({spec.inputChannels, height, width}); !st)
        return inputError(st.error());

    Tensor input({spec.inputChannels, height, width});
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> pixel(-120.0f, 130.0f);
    for (int64_t i = 0; i < input.numel(); ++i)
        input.data()[i] = pixel(rng);
    auto described = model->network->describe(input.shape());
    if (!described)
        return inputError(described.error());
    int64_t madds = 0;
    for (const LayerInfo& l : *described)
        madds += l.madds;

    std::vector<double> ms, cpuMs;
    std::vector<std::vector<double>> layerMs(described->size());
    for (int64_t i = 0; i < runs + 3; ++i) {
        const double cpu0 = processCpuSeconds();
        auto r = model->network->run(input);
        if (!r)
            return inputError(r.error());
        if (i < 3) // warm-up runs are not counted
            continue;
        cpuMs.push_back((processCpuSeconds() - cpu0) * 1000.0);
        ms.push_back(r->totalSeconds * 1000.0);
        for (size_t l = 0; l < layerMs.size(); ++l)
            layerMs[l].push_back(r->layerSeconds[l] * 1000.0);
    }
    const double median = medianOf(ms), cpuMedian = medianOf(cpuMs);
    std::sort(ms.begin(), ms.end());
    const double gflops = 2.0 * static_cast<double>(madds) / (median * 1e-3) / 1e9;
    const PeakRate peak = measurePeakRate();
    const double peakShare = gflops / peak.gflops;
    const double cpuGflops = 2.0 * static_cast<double>(madds) / (cpuMedian * 1e-3) / 1e9;
    const RnnPoolCount rnnCount = countRnnPool(*model->network, *described, input.shape());

    std::optional<PyramidTiming> pyramid;
    if (const auto levels = pyramidOption(args); !levels) {
        return usageError("bench", levels.error());
    } else if (levels->value_or(1) > 1) {
        auto timed = timePyramid(*model, input, **levels, runs);
        if (!timed)
            return inputError(timed.error());
        pyramid = *timed;
    }

    std::optional<std::vector<Round>> rounds;
    std::string torchError;
    if (args.flag("--pytorch")) {
        auto peer = PyTorchPeer::start(spec.name, width, height, threads);
        auto r = peer ? pairedRounds(*model->network, input, **peer, std::min<int64_t>(runs, 20))
                      : Expected<std::vector<Round>>(makeError(peer.error()));
        if (r)
            rounds = std::move(*r);
        else
            torchError = r.error();
    }

    if (args.flag("--json")) {
        nlohmann::json out{{"arch", spec.name}, {"width", width}, {"height", height}, {"threads", threads},
                           {"runs", runs}, {"ms_per_frame", median}, {"cpu_ms_per_frame", cpuMedian}, {"ms_min", ms.front()}, {"ms_max", ms.back()},
                           {"madds", madds}, {"gflops", gflops}, {"engine_threads", engineThreads()},
                           {"peak_gflops", peak.gflops}, {"peak_share", peakShare},
                           {"cpu_gflops", cpuGflops}, {"cpu_peak_share", cpuGflops / peak.gflops}, {"simd_lanes", peak.simdLanes},
                           {"rnnpool_madds_paper", rnnCount.paper}, {"rnnpool_madds_executed", rnnCount.executed}};
        out["layers"] = nlohmann::json::array();
        for (size_t l = 0; l < layerMs.size(); ++l)
            out["layers"].push_back({{"name", (*described)[l].name}, {"op", (*described)[l].op},
                                     {"madds", (*described)[l].madds}, {"ms", medianOf(layerMs[l])}});
        if (pyramid)
            out["pyramid"] = pyramidTimingJson(*pyramid);
        if (rounds) {
            const Comparison c(*rounds);
            out["pytorch_ms_per_frame"] = c.pytorch.ms;
            out["pytorch_cpu_ms_per_frame"] = c.pytorch.cpuMs;
            out["engine_ms_in_rounds"] = c.engine.ms;
            out["engine_cpu_ms_in_rounds"] = c.engine.cpuMs;
            out["speedup_vs_pytorch"] = c.speedup;
            out["speedup_vs_pytorch_cpu"] = c.cpuSpeedup;
            out["rounds"] = nlohmann::json::array();
            for (const Round& r : *rounds)
                out["rounds"].push_back({{"engine_ms", r.engine.ms}, {"engine_cpu_ms", r.engine.cpuMs},
                                         {"pytorch_ms", r.pytorch.ms}, {"pytorch_cpu_ms", r.pytorch.cpuMs}});
        } else if (!torchError.empty()) {
            out["pytorch_error"] = torchError;
        }
        std::cout << out.dump(2) << "\n";
    } else {
        std::cout << spec.name << " at " << width << "x" << height << "x" << spec.inputChannels << ", " << threads
                  << " thread(s), " << runs << " runs after 3 warm-up runs\n"
                  << "  median " << formatFloat(median, 2) << " ms per frame (min " << formatFloat(ms.front(), 2) << ", max "
                  << formatFloat(ms.back(), 2) << "); CPU time " << formatFloat(cpuMedian, 2) << " ms\n"
                  << "  " << formatFloat(static_cast<double>(madds) / 1e6, 1) << " M multiply-adds, "
                  << formatFloat(gflops, 2) << " GFLOP/s (paper count, 2 FLOP per multiply-add)\n"
                  << "  core peak " << formatFloat(peak.gflops, 1) << " GFLOP/s (measured: " << peak.chains
                  << " independent FMA chains of " << peak.simdLanes << " floats, this thread); engine reaches "
                  << formatFloat(100.0 * peakShare, 1) << "% of it (" << formatFloat(100.0 * cpuGflops / peak.gflops, 1)
                  << "% counted in CPU time)\n";
        if (rnnCount.paper > 0)
            std::cout << "  RNNPool: " << formatFloat(static_cast<double>(rnnCount.executed) / 1e6, 1)
                      << " M multiply-adds executed of the paper's " << formatFloat(static_cast<double>(rnnCount.paper) / 1e6, 1)
                      << " M (shared sweeps, x·W once per pixel, RNN2's x·W once for both directions when they share W)\n";
        if (pyramid)
            std::cout << pyramidTimingText(*pyramid, "whole detection");
        if (rounds) {
            const Comparison c(*rounds);
            std::cout << "  PyTorch reference, " << rounds->size() << " rounds side by side with the engine: median "
                      << formatFloat(c.pytorch.ms, 2) << " ms per frame (CPU time " << formatFloat(c.pytorch.cpuMs, 2)
                      << " ms) against the engine's " << formatFloat(c.engine.ms, 2) << " ms in those rounds; engine is "
                      << formatFloat(c.speedup, 1) << "x faster (median of the rounds' ratios; "
                      << formatFloat(c.cpuSpeedup, 1) << "x in CPU time)\n";
        }
        else if (!torchError.empty())
            std::cout << "  PyTorch reference: " << torchError << "\n";
    }
    return torchError.empty() ? kExitOk : kExitBadInput;
}

} // namespace rnnpool::cli
