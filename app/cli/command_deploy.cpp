// rnnpool deploy: a self-contained C project for a Cortex-M4 board from the
// int8 model: the core/integer kernels (copied), weights and parameters as
// const arrays, one static arena, the network as straight-line calls, an API
// header (rnnpool_model.h), a main for the emulator, board files, a link
// script, a Makefile and a CMake toolchain file. Built and sized here.
// --pyramid N: the detector's image pyramid, every level in the firmware.
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "cli/int8_common.h"
#include "engine/preprocess.h"
#include "mcu/model_firmware.h"
#include "profile/schedule.h"

namespace rnnpool::cli {

int commandDeploy(const std::vector<std::string>& argv)
{
    const Arguments args(argv, {"--model", "--arch", "--board", "--size", "--schedule", "-o", "--rnn-layout", "--pyramid"}, {"--json"});
    if (!args.ok())
        return usageError("deploy", args.error());
    if (!args.positionals().empty())
        return usageError("deploy", "unexpected argument '" + args.positionals().front() + "'");
    const auto out = args.value("-o");
    if (!out)
        return usageError("deploy", "give the project folder with -o DIR");
    const std::string schedule = args.value("--schedule").value_or("layerwise");
    if (!isFirmwareScheduleName(schedule))
        return usageError("deploy", std::string("--schedule must be one of ") + firmwareScheduleNames() + ", not '" + schedule + "'");
    const auto pyramid = pyramidOption(args);
    if (!pyramid)
        return usageError("deploy", pyramid.error());
    bool usage = false;
    auto net = chooseInt8Network(args, usage);
    if (!net)
        return usage ? usageError("deploy", net.error()) : inputError(net.error());
    const ArchSpec& spec = (*net)->model().spec();
    int64_t width = spec.defaultWidth, height = spec.defaultHeight;
    if (const auto s = args.value("--size")) {
        const auto parsed = parseSizeSpec(*s);
        if (!parsed || parsed->channels != 0)
            return usageError("deploy", "--size must be WIDTHxHEIGHT, e.g. 80x60, not '" + *s + "'");
        width = parsed->width;
        height = parsed->height;
    }
    const Shape input{spec.inputChannels, height, width};
    auto d = deployModelFirmware(**net, input, args.value("--board").value_or("netduinoplus2"), schedule, *out, 300.0,
                                 pyramid->value_or(1));
    if (!d)
        return inputError("deploy: " + d.error());
    nlohmann::json regions = nlohmann::json::object();
    for (const RegionUsage& r : d->build.regions)
        regions[r.region] = {{"used_bytes", r.usedBytes}, {"capacity_bytes", r.capacityBytes}};
    if (args.flag("--json")) {
        const nlohmann::json j{{"project", d->projectDir.string()},
                               {"board", d->board},
                               {"input", {{"width", width}, {"height", height}, {"channels", spec.inputChannels}}},
                               {"schedule", schedule},
                               {"plan", {{"arena_bytes", d->plan.arenaBytes}, {"input_bytes", d->plan.inputBytes},
                                         {"input_ring_rows", d->plan.inputRingRows},
                                         {"pyramid_levels", d->plan.pyramidLevels},
                                         {"level_buffer_bytes", d->plan.levelBufferBytes},
                                         {"scratch_bytes", d->plan.scratchBytes}, {"weight_bytes", d->plan.weightBytes}}},
                               {"linked", regions},
                               {"stack_note", "the stack takes the rest of CCM; rnnpool m4 run measures its high-water mark"}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << "wrote and built " << d->projectDir.string() << " for " << d->board << " (" << spec.name << " int8, "
                  << width << "x" << height << ", schedule " << schedule << ")\n";
        std::cout << "arena " << d->plan.arenaBytes << " bytes, kernel scratch " << d->plan.scratchBytes
                  << " bytes, weights and parameters " << d->plan.weightBytes << " bytes\n";
        if (d->plan.pyramidLevels > 1)
            std::cout << "image pyramid of " << d->plan.pyramidLevels << " levels: the coarser levels' picture takes "
                      << d->plan.levelBufferBytes << " bytes of CCM\n";
        for (const RegionUsage& r : d->build.regions)
            std::cout << r.region << ": " << r.usedBytes << " of " << r.capacityBytes << " bytes linked\n";
        std::cout << "build it again with `make -C " << d->projectDir.string() << "`; its README.md says how to run it in "
                  << "QEMU or move it into STM32CubeIDE or Zephyr\n";
    }
    return kExitOk;
}

} // namespace rnnpool::cli
