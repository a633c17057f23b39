// rnnpool m4 run: the int8 network as generated firmware on the emulated
// Cortex-M4, its heads decoded on the host with the desktop's own code.
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "cli/int8_common.h"
#include "detect/post_process.h"
#include "engine/image_pyramid.h"
#include "engine/preprocess.h"
#include "io/npy.h"
#include "mcu/latency_check.h"
#include "mcu/model_firmware.h"
#include "profile/schedule.h"
#include "quant/int8_detector.h"

namespace rnnpool::cli {

namespace {

// Written as `rnnpool run --dtype i8 --dump` writes them.
Status dumpHeads(const std::filesystem::path& dir, const HeadOutputs& heads, const std::vector<Detection>& detections)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return makeError("cannot create dump folder '" + dir.string() + "': " + ec.message());
    if (Status st = writeNpy(dir / "loc.npy", Tensor({1, static_cast<int64_t>(heads.loc.size())}, heads.loc)); !st)
        return st;
    if (Status st = writeNpy(dir / "conf.npy", Tensor({1, static_cast<int64_t>(heads.conf.size())}, heads.conf)); !st)
        return st;
    std::vector<float> rows;
    for (const Detection& d : detections)
        rows.insert(rows.end(), {d.score, d.x1, d.y1, d.x2, d.y2});
    return writeNpy(dir / "detections.npy", Tensor({static_cast<int64_t>(detections.size()), 5}, rows));
}

// Per level of the pyramid (empty for the input alone).
nlohmann::json pyramidJson(const ModelOnChip& chip)
{
    nlohmann::json levels = nlohmann::json::array();
    for (const PyramidLevelOnChip& l : chip.levels)
        levels.push_back({{"width", l.input[2]}, {"height", l.input[1]}, {"instructions", l.instructions},
                          {"halve_instructions", l.halveInstructions}, {"head_values", l.headValues},
                          {"head_values_matching", l.headMatching}});
    return levels;
}

} // namespace

int commandM4Run(const std::vector<std::string>& rest)
{
    const Arguments args(rest, {"--model", "--arch", "--image", "--tensor", "--size", "--board", "--schedule", "--dump",
                                "--project", "--timeout", "--rnn-layout", "--pyramid"},
                         {"--json"});
    if (!args.ok())
        return usageError("m4 run", args.error());
    if (!args.positionals().empty())
        return usageError("m4 run", "unexpected argument '" + args.positionals().front() + "'");
    const auto image = args.value("--image");
    const auto tensorPath = args.value("--tensor");
    if (image.has_value() == tensorPath.has_value())
        return usageError("m4 run", "give exactly one of --image IMG or --tensor X.npy");
    std::optional<Size2> size;
    if (const auto s = args.value("--size")) {
        if (tensorPath)
            return usageError("m4 run", "--size applies to --image only; a tensor has its own size");
        const auto parsed = parseSizeSpec(*s);
        if (!parsed || parsed->channels != 0)
            return usageError("m4 run", "--size must be WIDTHxHEIGHT, e.g. 80x60, not '" + *s + "'");
        size = Size2{parsed->width, parsed->height};
    }
    ModelFirmwareOptions options;
    if (const auto b = args.value("--board"))
        options.board = *b;
    if (const auto sc = args.value("--schedule")) {
        if (!isFirmwareScheduleName(*sc))
            return usageError("m4 run", std::string("--schedule must be one of ") + firmwareScheduleNames() + ", not '" + *sc + "'");
        options.schedule = *sc;
    }
    if (const auto p = args.value("--project"))
        options.projectDir = *p;
    if (const auto t = args.value("--timeout")) {
        char* end = nullptr;
        const double v = std::strtod(t->c_str(), &end);
        if (end == t->c_str() || *end != '\0' || !(v > 0.0))
            return usageError("m4 run", "--timeout takes a positive number of seconds, not '" + *t + "'");
        options.runTimeoutSeconds = v;
    }
    const auto pyramid = pyramidOption(args);
    if (!pyramid)
        return usageError("m4 run", pyramid.error());
    options.pyramidLevels = pyramid->value_or(1);
    bool usage = false;
    auto net = chooseInt8Network(args, usage);
    if (!net)
        return usage ? usageError("m4 run", net.error()) : inputError(net.error());
    const ArchSpec& spec = (*net)->model().spec();
    if (!spec.detector)
        return inputError("m4 run: architecture '" + spec.name + "' is not a face detector");

    Tensor input;
    if (image) {
        auto picture = loadPicture(*image);
        if (!picture)
            return inputError(picture.error());
        Size2 area{spec.defaultWidth, spec.defaultHeight};
        area = {spec.detector->areaWidth, spec.detector->areaHeight};
        auto prepared = prepareInput(*picture, spec.inputChannels, area, size);
        if (!prepared)
            return inputError("picture '" + *image + "': " + prepared.error());
        input = std::move(prepared->tensor);
    } else {
        auto tensor = readNpy(*tensorPath);
        if (!tensor)
            return inputError(tensor.error());
        input = std::move(*tensor);
        if (input.rank() == 4 && input.dim(0) == 1)
            input.reshape(Shape(input.shape().begin() + 1, input.shape().end()));
        if (input.rank() != 3 || input.dim(0) != spec.inputChannels)
            return inputError("tensor '" + *tensorPath + "': shape " + shapeToString(input.shape()) + " is not (1," +
                              std::to_string(spec.inputChannels) + ",H,W) or (" + std::to_string(spec.inputChannels) +
                              ",H,W)");
    }

    auto chip = runModelOnChip(**net, input, options);
    if (!chip)
        return inputError("m4 run: " + chip.error());
    const HeadOutputs heads = (*net)->heads(chip->chip);
    const std::vector<Detection> detections = onChipDetections(**net, *chip);
    if (const auto dir = args.value("--dump")) {
        if (!chip->ran)
            return inputError("m4 run: --dump needs a run, and " + chip->board + " has no emulator");
        if (Status st = dumpHeads(*dir, heads, detections); !st)
            return inputError(st.error());
    }

    nlohmann::json sram = nlohmann::json::object();
    uint64_t flash = 0;
    for (const RegionUsage& r : chip->build.regions) {
        if (r.region == "FLASH")
            flash = r.usedBytes;
        else
            sram[r.region] = r.usedBytes + (r.region == "CCM" ? chip->stackHighWaterBytes : 0);
    }
    // The latency model beside the measurement, per layer and per op class.
    auto profiles = loadCostProfiles();
    if (!profiles)
        return inputError("m4 run: " + profiles.error());
    auto work = architectureWork(spec, input.shape());
    if (!work)
        return inputError("m4 run: " + work.error());
    const LatencyCheck latency = compareWithMeasured(*work, chip->layerInstructions, *profiles);

    // One cycle per instruction: a lower bound (an M4 load takes 2 cycles), and labelled an estimate.
    const double estimatedMs = static_cast<double>(chip->instructions) / chip->coreClockHz * 1e3;
    if (args.flag("--json")) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& [name, instr] : chip->layerInstructions) {
            nlohmann::json layer{{"name", name}, {"instructions", instr}};
            for (const LayerLatencyCheck& l : latency.layers)
                if (l.work.name == name) {
                    layer["op_class"] = std::string(opClassKey(l.work.opClass));
                    layer["work"] = {{"macs", l.work.macs}, {"taps", l.work.taps}, {"outputs", l.work.outputs},
                                     {"elements", l.work.elements}};
                    layer["predicted_cycles"] = nlohmann::json(l.predicted);
                }
            layers.push_back(std::move(layer));
        }
        nlohmann::json classes = nlohmann::json::array();
        for (const ClassLatencyCheck& c : latency.classes) {
            nlohmann::json ratios = nlohmann::json::object(), predicted = nlohmann::json::object();
            for (const auto& [profile, cycles] : c.predicted) {
                predicted[profile] = cycles;
                ratios[profile] = c.ratio(profile);
            }
            classes.push_back({{"op_class", std::string(opClassKey(c.opClass))}, {"layers", c.layers},
                               {"instructions", c.measuredInstructions}, {"predicted_cycles", predicted},
                               {"predicted_over_measured", ratios}});
        }
        const nlohmann::json j{
            {"board", chip->board},
            {"ran_on_emulator", chip->ran},
            {"input", {{"width", input.dim(2)}, {"height", input.dim(1)}, {"channels", input.dim(0)}}},
            {"bit_identical_to_desktop", chip->headsIdentical()},
            {"head_values", chip->headValues},
            {"head_values_matching", chip->headMatching},
            {"detections", detections.size()},
            {"flash_used_bytes", flash},
            {"sram_used_bytes", sram},
            {"sram_note", "SRAM: .data + .bss (the arena, the kernel scratch, the firmware's statics); CCM: the stack's "
                          "high-water mark, measured by painting"},
            {"schedule", chip->plan.schedule},
            {"pyramid", pyramidJson(*chip)},
            {"plan", {{"arena_bytes", chip->plan.arenaBytes}, {"input_bytes", chip->plan.inputBytes},
                      {"input_ring_rows", chip->plan.inputRingRows}, {"level_buffer_bytes", chip->plan.levelBufferBytes},
                      {"scratch_bytes", chip->plan.scratchBytes}, {"weight_bytes", chip->plan.weightBytes}}},
            {"instructions", chip->instructions},
            {"instruction_count_note", "QEMU -icount shift=0 instructions read through SysTick; not cycles"},
            {"layers", layers},
            {"op_classes", classes},
            {"op_classes_note", "instructions measured per op class beside each cost profile's prediction for the same "
                                "layers; rnnpool-int8 predicts instructions of these kernels, the others cycles of other "
                                "kernel libraries"},
            {"estimated_ms", estimatedMs},
            {"estimated_ms_basis", "an estimate: instructions at 1 cycle per instruction at the board's core clock (" +
                                       formatFloat(chip->coreClockHz / 1e6, 0) + " MHz); a lower bound, as M4 loads take 2 cycles"},
            {"emulator_seconds", chip->emulatorSeconds},
            {"project", chip->projectDir.string()}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << spec.name << " int8 at " << input.dim(2) << "x" << input.dim(1) << ", schedule " << chip->plan.schedule
                  << ", on " << chip->board
                  << (chip->ran ? " (QEMU)" : " (no emulator: built and sized only)") << ", firmware in "
                  << chip->projectDir.string() << "\n";
        if (chip->ran) {
            for (const auto& [name, instr] : chip->layerInstructions)
                std::cout << "  " << std::left << std::setw(20) << name << std::right << std::setw(14) << instr << "\n";
            std::cout << "per op class: measured instructions, and predicted / measured for each cost profile\n";
            for (const ClassLatencyCheck& c : latency.classes) {
                std::cout << "  " << std::left << std::setw(16) << opClassKey(c.opClass) << std::right << std::setw(14)
                          << c.measuredInstructions;
                for (const auto& [profile, cycles] : c.predicted)
                    std::cout << "  " << profile << " " << formatFloat(c.ratio(profile), 2);
                std::cout << "\n";
            }
            for (size_t k = 0; k < chip->levels.size(); ++k) {
                const PyramidLevelOnChip& l = chip->levels[k];
                std::cout << "  level " << k << " " << l.input[2] << "x" << l.input[1] << ": " << l.instructions
                          << " instructions, heads " << l.headMatching << "/" << l.headValues << " equal";
                if (l.halveInstructions)
                    std::cout << "; making the next level's picture: " << l.halveInstructions << " instructions";
                std::cout << "\n";
            }
            std::cout << "instructions: " << chip->instructions << " (QEMU -icount, not cycles); estimated "
                      << formatFloat(estimatedMs, 1) << " ms at " << formatFloat(chip->coreClockHz / 1e6, 0)
                      << " MHz and 1 cycle per instruction (an estimate, a lower bound)\n";
            std::cout << "heads: " << chip->headMatching << "/" << chip->headValues << " int8 values equal to the desktop's; "
                      << detections.size() << " detections\n";
        }
        const int declared = defaultPyramidLevels((*net)->model());
        const size_t atThisSize = pyramidSizes({input.dim(2), input.dim(1)}, declared).size();
        if (!pyramid->has_value() && atThisSize > 1)
            std::cout << "the model's detector runs an image pyramid (" << atThisSize << " levels at this size); this run "
                      << "was of the input alone (--pyramid " << declared << " runs every level on the chip)\n";
        std::cout << "flash used: " << flash << " bytes\n";
        for (const auto& [region, bytes] : sram.items())
            std::cout << region << " used: " << bytes.get<uint64_t>() << " bytes\n";
        if (chip->plan.levelBufferBytes)
            std::cout << "pyramid of " << chip->plan.pyramidLevels << " levels: every level reuses the arena; the coarser "
                      << "levels' picture, made from the input's rows as they arrive, takes " << chip->plan.levelBufferBytes
                      << " bytes of CCM\n";
        std::cout << "plan: arena " << chip->plan.arenaBytes << " bytes (input " << chip->plan.inputBytes << " bytes"
                  << (chip->plan.inputRingRows == 0 ? std::string()
                      : (chip->plan.schedule == "linebuffer" ? ", a line buffer of " : ", a ring of ") +
                            std::to_string(chip->plan.inputRingRows) + " rows")
                  << "), scratch " << chip->plan.scratchBytes
                  << " bytes, weights " << chip->plan.weightBytes << " bytes\n";
    }
    return !chip->ran || chip->headsIdentical() ? kExitOk : kExitBadInput;
}

} // namespace rnnpool::cli
