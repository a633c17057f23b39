// rnnpool profile: parameters, multiply-adds and the activation memory of a
// model under a schedule; with --execute, the run inside a metered arena.
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "mcu/fit_json.h"
#include "mcu/fit_report.h"
#include "mcu/latency_model.h"
#include "model/spec_settings.h"
#include "model/weight_binding.h"
#include "profile/arena.h"
#include "profile/model_profile.h"
#include "profile/pyramid_profile.h"
#include "profile/schedule.h"
#include "quant/int8_arena.h"
#include "cli/int8_common.h"

namespace rnnpool::cli {

namespace {

struct ProfileRequest {
    std::string schedule = "layerwise";
    ScheduleOptions options;
    std::optional<SizeSpec> input;
    bool execute = false;
    LatencyOptions latency;
};

std::string formatDuration(double ms)
{
    return ms >= 1000.0 ? formatFloat(ms / 1000.0, 2) + " s" : formatFloat(ms, 1) + " ms";
}

} // namespace

int commandProfile(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--input", "--schedule", "--dtype", "--set", "--rnn-layout", "--board",
                          "--rnn-density", "--pyramid"},
                         {"--count-input", "--execute", "--json", "--csv"});
    if (!args.ok())
        return usageError("profile", args.error());
    if (!args.positionals().empty())
        return usageError("profile", "unexpected argument '" + args.positionals().front() + "'");
    ProfileRequest req;
    req.schedule = args.value("--schedule").value_or("layerwise");
    if (!isScheduleName(req.schedule))
        return usageError("profile", std::string("--schedule must be one of ") + knownScheduleNames() + ", not '" + req.schedule + "'");
    if (const auto d = args.value("--dtype"); d && !parseElementType(*d, req.options.dtype))
        return usageError("profile", "--dtype must be f32, i16 or i8, not '" + *d + "'");
    req.options.countInput = args.flag("--count-input");
    req.execute = args.flag("--execute");
    if (req.execute && req.options.dtype == ElementType::I16)
        return usageError("profile", "--execute runs the float32 engine (--dtype f32) or the int8 engine (--dtype i8); "
                                     "there is no int16 engine");
    const bool executeInt8 = req.execute && req.options.dtype == ElementType::I8;
    if (executeInt8 && (args.value("--arch") || !args.values("--set").empty()))
        return usageError("profile", "--execute --dtype i8 runs a model with weights: give --model FILE (float or int8) "
                                     "or no model for the default one; --arch and --set have no weights");
    if (const auto s = args.value("--input")) {
        req.input = parseSizeSpec(*s);
        if (!req.input)
            return usageError("profile", "--input must be WIDTHxHEIGHT or WIDTHxHEIGHTxCHANNELS, not '" + *s + "'");
    }

    if (const auto d = args.value("--rnn-density")) {
        auto density = parseRnnDensity(*d);
        if (!density)
            return usageError("profile", "--rnn-density: " + density.error());
        req.latency.rnnDensity = *density;
    }

    std::optional<Board> board;
    if (const auto b = args.value("--board")) {
        auto found = findBoard(*b);
        if (!found)
            return usageError("profile", found.error());
        board = *found;
    }

    // The architecture, with per-run settings applied before it is built.
    bool usage = false;
    Expected<Model> model = Error{""};
    const auto settings = args.values("--set");
    std::shared_ptr<const Int8Network> net8;
    if (executeInt8) {
        auto chosen = chooseInt8Network(args, usage);
        if (!chosen)
            return usage ? usageError("profile", chosen.error()) : inputError(chosen.error());
        net8 = *chosen;
        Model m;
        m.network = net8->model().network;
        m.source = "int8";
        model = std::move(m);
    } else if (args.value("--model")) {
        if (!settings.empty())
            return usageError("profile", "--set changes an architecture; it cannot apply to the weights of --model");
        model = chooseModel(args, false, usage);
    } else if (const auto arch = args.value("--arch")) {
        auto spec = findArchitecture(*arch);
        if (!spec)
            return inputError(spec.error());
        if (req.input && req.input->channels != 0)
            spec->inputChannels = req.input->channels;
        for (const std::string& s : settings)
            if (Status st = applySpecSetting(*spec, s); !st)
                return inputError(st.error());
        auto net = Network::build(*spec);
        if (!net)
            return inputError(net.error());
        randomizeWeights(*net, 1); // profiling needs no weights; execution runs on seeded ones
        Model m;
        m.network = std::make_shared<Network>(std::move(*net));
        m.source = "architecture only";
        m.randomWeights = true;
        model = std::move(m);
    } else {
        if (!settings.empty())
            return usageError("profile", "--set changes an architecture; give --arch NAME with it");
        model = chooseModel(args, true, usage); // the default model, as every other command
    }
    if (!model)
        return usage ? usageError("profile", model.error()) : inputError(model.error());

    const ArchSpec& spec = model->spec();
    Shape input{spec.inputChannels, spec.defaultHeight, spec.defaultWidth};
    if (req.input) {
        if (req.input->channels != 0 && req.input->channels != spec.inputChannels)
            return inputError("architecture '" + spec.name + "' takes " + std::to_string(spec.inputChannels) + " channel(s)");
        input = {spec.inputChannels, req.input->height, req.input->width};
    }
    Network& net = *model->network;
    auto profiled = profileNetwork(net, input, req.schedule, req.options);
    if (!profiled)
        return inputError(profiled.error());
    const ModelProfile& profile = *profiled;
    const std::vector<LayerInfo>& layers = profile.layers;
    const MemoryTimeline& timeline = profile.timeline;
    const MemoryPlan& plan = profile.plan;

    std::optional<int64_t> measured;
    std::string executeProblem;
    if (req.execute) {
        if (Status st = net.checkMemory(input); !st)
            return inputError(st.error());
        if (net8) {
            // A grey picture at the input's scale: the arena's bytes do not depend on the values.
            auto run = runInt8InArena(*net8, profile.schedule, timeline, plan,
                                      quantizeInputHwc(Tensor(input, 0.5f), net8->model().input), input);
            if (!run)
                return inputError(run.error());
            measured = run->highWaterBytes;
            if (!run->violations.empty())
                executeProblem = run->violations.front();
        } else {
            auto run = runInArena(net, profile.schedule, timeline, plan, Tensor(input, 1.0f));
            if (!run)
                return inputError(run.error());
            measured = run->highWaterBytes;
            if (!run->violations.empty())
                executeProblem = run->violations.front();
        }
    }

    const auto pyramidLevels = pyramidOption(args);
    if (!pyramidLevels)
        return usageError("profile", pyramidLevels.error());
    std::vector<PyramidLevelProfile> pyramid;
    if (pyramidLevels->value_or(1) > 1) {
        auto levels = profilePyramid(net, input, **pyramidLevels, req.schedule, req.options, &profile);
        if (!levels)
            return inputError(levels.error());
        pyramid = std::move(*levels);
    }

    const int64_t params = profile.params, madds = profile.madds;
    const std::vector<int64_t>& liveAtLayer = profile.liveAtLayer;
    const std::string& peakLayer = profile.peakStepName();
    std::vector<ProfiledLatency> latency;
    if (board) {
        auto estimated = estimateUnderEveryProfile(net, input, board->clockMHz, req.latency);
        if (!estimated)
            return inputError(estimated.error());
        latency = std::move(*estimated);
    }

    if (args.flag("--json")) {
        nlohmann::json out{{"arch", spec.name},
                           {"input", {{"width", input[2]}, {"height", input[1]}, {"channels", input[0]}}},
                           {"params", params},
                           {"madds", madds},
                           {"schedule", req.schedule},
                           {"dtype", elementTypeName(req.options.dtype)},
                           {"count_input", req.options.countInput},
                           {"peak_bytes", timeline.peakBytes},
                           {"peak_layer", peakLayer},
                           {"arena_bytes", plan.arenaBytes}};
        if (!pyramid.empty()) {
            out["pyramid"] = {{"madds", pyramidMadds(pyramid)}, {"peak_bytes", pyramidPeakBytes(pyramid)},
                              {"level_buffer_bytes", pyramidLevelBufferBytes(pyramid, req.options.dtype)},
                              {"levels", nlohmann::json::array()}};
            for (const PyramidLevelProfile& l : pyramid)
                out["pyramid"]["levels"].push_back({{"width", l.input[2]}, {"height", l.input[1]}, {"madds", l.madds},
                                                    {"peak_bytes", l.peakBytes}, {"peak_layer", l.peakLayer}});
        }
        out["live_at_peak"] = nlohmann::json::array();
        for (int t : timeline.liveAtPeak)
            out["live_at_peak"].push_back({{"tensor", timeline.tensors[static_cast<size_t>(t)].name},
                                           {"bytes", timeline.tensors[static_cast<size_t>(t)].bytes}});
        out["layers"] = nlohmann::json::array();
        for (size_t i = 0; i < layers.size(); ++i) {
            const LayerInfo& l = layers[i];
            out["layers"].push_back({{"name", l.name}, {"op", l.op}, {"output_shape", l.outputShape}, {"params", l.params},
                                     {"madds", l.madds}, {"output_bytes", profile.outputBytes[i]},
                                     {"live_bytes", liveAtLayer[i]}});
        }
        out["steps"] = nlohmann::json::array();
        for (size_t s = 0; s < timeline.steps.size(); ++s)
            out["steps"].push_back({{"name", timeline.steps[s]}, {"live_bytes", timeline.liveBytes[s]}});
        if (measured)
            out["measured_peak_bytes"] = *measured;
        if (board) {
            out.update(fitJson(fitOnBoard(*board, profile), profile, req.schedule));
            out["latency_ms"] = nlohmann::json::object();
            out["latency_estimate"] = nlohmann::json::object();
            for (const auto& [p, e] : latency) {
                out["latency_ms"][e.profile] = e.milliseconds();
                nlohmann::json byClass = nlohmann::json::object();
                for (size_t c = 0; c < kOpClassCount; ++c)
                    byClass[std::string(opClassKey(static_cast<OpClass>(c)))] = e.cyclesByClass[c];
                byClass["per_layer"] = e.layerOverheadCycles;
                out["latency_estimate"][e.profile] = {{"cycles", e.cycles}, {"cycles_by_class", byClass},
                                                      {"basis", latencyBasisNote(p)}};
            }
            out["rnn_density"] = {req.latency.rnnDensity.w1, req.latency.rnnDensity.u1, req.latency.rnnDensity.w2,
                                  req.latency.rnnDensity.u2};
        }
        if (!executeProblem.empty())
            out["execute_problem"] = executeProblem;
        std::cout << out.dump(2) << "\n";
    } else if (args.flag("--csv")) {
        std::cout << "name,op,output_shape,params,madds,output_bytes,live_bytes\n";
        for (size_t i = 0; i < layers.size(); ++i) {
            const LayerInfo& l = layers[i];
            std::cout << l.name << "," << l.op << "," << l.outputShape[0] << "x" << l.outputShape[1] << "x" << l.outputShape[2]
                      << "," << l.params << "," << l.madds << "," << profile.outputBytes[i] << ","
                      << liveAtLayer[i] << "\n";
        }
    } else {
        std::cout << spec.name << " at " << input[2] << "x" << input[1] << "x" << input[0] << ", schedule " << req.schedule
                  << ", " << elementTypeName(req.options.dtype) << ", input " << (req.options.countInput ? "counted" : "not counted")
                  << "\n  parameters " << params << ", multiply-adds " << formatFloat(static_cast<double>(madds) / 1e6, 2)
                  << " M\n  peak activations " << timeline.peakBytes << " bytes (" << formatFloat(timeline.peakBytes / 1024.0, 1)
                  << " KiB) at layer " << peakLayer << "; arena " << plan.arenaBytes << " bytes\n  live at the peak:";
        for (int t : timeline.liveAtPeak)
            std::cout << " " << timeline.tensors[static_cast<size_t>(t)].name << " (" << timeline.tensors[static_cast<size_t>(t)].bytes << ")";
        std::cout << "\n";
        if (!pyramid.empty()) {
            std::cout << "  image pyramid of " << pyramid.size() << " levels (run one after another in the same arena):\n";
            for (const PyramidLevelProfile& l : pyramid)
                std::cout << "    " << l.input[2] << "x" << l.input[1] << ": " << formatFloat(static_cast<double>(l.madds) / 1e6, 2)
                          << " M multiply-adds, peak " << l.peakBytes << " bytes at " << l.peakLayer << "\n";
            std::cout << "    in all: " << formatFloat(static_cast<double>(pyramidMadds(pyramid)) / 1e6, 2) << " M multiply-adds ("
                      << formatFloat(100.0 * static_cast<double>(pyramidMadds(pyramid) - madds) / static_cast<double>(madds), 1)
                      << "% more than the input alone), peak " << pyramidPeakBytes(pyramid) << " bytes (+"
                      << pyramidPeakBytes(pyramid) - timeline.peakBytes << ")\n    beside the arena, the coarser levels' picture: "
                      << pyramidLevelBufferBytes(pyramid, req.options.dtype)
                      << " bytes (level 1, made from the input's rows as they arrive, halved in place for each further level)\n";
        }
        if (board) {
            const FitReport fit = fitOnBoard(*board, profile);
            std::cout << "  on " << board->name << ": SRAM " << fit.sramNeeded << " of " << board->sramBytes << " bytes ("
                      << fit.arenaBytes << " planned arena + " << fit.frameBufferBytes << " frame buffer + " << fit.scratchBytes
                      << " kernel scratch + " << fit.runtimeBytes << " runtime), flash " << fit.flashNeeded << " of "
                      << board->flashBytes << " bytes (" << fit.weightBytes << " weights + " << fit.codeBytes << " code): "
                      << (fit.fits ? "fits, " : "DOES NOT FIT, ") << "SRAM headroom " << fit.sramHeadroom
                      << " bytes, flash headroom " << fit.flashHeadroom << " bytes\n    placed:";
            for (const FitPlacement& p : fit.placements)
                std::cout << " " << p.item << " " << p.bytes << " in " << (p.region.empty() ? "NO REGION" : p.region) << ";";
            std::cout << "\n";
            if (!fit.problem.empty())
                std::cout << "    " << fit.problem << "\n";
            std::cout << "  estimated latency at " << formatFloat(board->clockMHz, 0)
                      << " MHz (estimates from instruction counts of each library's inner loops, not measurements; "
                         "resources/mcu/cost_profiles.json)";
            if (!req.latency.rnnDensity.dense())
                std::cout << ", RNN weight density " << formatFloat(req.latency.rnnDensity.w1, 2) << "/"
                          << formatFloat(req.latency.rnnDensity.u1, 2) << "/" << formatFloat(req.latency.rnnDensity.w2, 2)
                          << "/" << formatFloat(req.latency.rnnDensity.u2, 2);
            std::cout << ":\n";
            for (const auto& [p, e] : latency) {
                std::cout << "    " << std::left << std::setw(16) << e.profile << std::right << " ~" << formatDuration(e.milliseconds())
                          << "  (" << formatFloat(e.cycles / 1e6, 1) << " M cycles; " << p.title << ")\n";
            }
        }
        if (measured)
            std::cout << "  executed in the arena (" << (net8 ? "int8" : "float32") << " engine): measured peak " << *measured << " bytes ("
                      << (*measured == timeline.peakBytes ? "equals the plan" : "DIFFERS from the plan") << ")\n";
    }
    if (!executeProblem.empty())
        return inputError("arena execution broke the plan: " + executeProblem);
    return kExitOk;
}

} // namespace rnnpool::cli
