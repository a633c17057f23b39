#include "mcu/model_firmware.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/image_pyramid.h"
#include "integer/elementwise_s8.h"
#include "integer/rnnpool_q15.h"
#include "mcu/c_emitter.h"
#include "mcu/model_emit.h"
#include "profile/pyramid_profile.h"
#include "quant/int8_detector.h"
#include "quant/int8_prepared.h"

namespace rnnpool {

namespace {

namespace fs = std::filesystem;
using Kind = Int8Network::Prepared::Kind;

// Stack, the firmware's own statics and the semihosting layer: what SRAM must
// hold besides the arena and the scratch. Flash beside the const data: code.
constexpr uint64_t kSramAllowance = 4096;
constexpr uint64_t kFlashAllowance = 48 * 1024;
// The stack's share of CCM beside the pyramid's level buffer (measured high-water marks are ~1 KB).
constexpr uint64_t kStackAllowance = 4096;

uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t(3); }

// First fit over lifetimes: blocks are taken at one step and given back at a later one.
class ArenaPlanner {
public:
    uint64_t take(uint64_t bytes)
    {
        bytes = align4(std::max<uint64_t>(bytes, 4));
        uint64_t at = 0;
        for (const auto& [offset, size] : m_used) {
            if (offset >= at + bytes)
                break;
            at = std::max(at, align4(offset + size));
        }
        m_used.emplace(at, bytes);
        m_peak = std::max(m_peak, at + bytes);
        return at;
    }
    void give(uint64_t offset) { m_used.erase(offset); }
    uint64_t peak() const { return m_peak; }

private:
    std::multimap<uint64_t, uint64_t> m_used;  // offset -> bytes
    uint64_t m_peak = 0;
};

std::string num(int64_t v) { return cNumber(v); }

// The fit, before anything is compiled: "needs N bytes (parts), has M" per region.
Status checkFit(const FirmwareBoard& board, const ModelMemoryPlan& plan, const Shape& input)
{
    const LinkerRegion* sram = board.region("SRAM");
    const LinkerRegion* flash = board.region("FLASH");
    const LinkerRegion* ccm = board.region("CCM");
    const uint64_t sramNeed = plan.arenaBytes + plan.scratchBytes + kSramAllowance;
    const uint64_t ccmNeed = plan.levelBufferBytes + kStackAllowance;
    const uint64_t flashNeed = plan.weightBytes + kFlashAllowance;
    std::string refusal;
    if (sram && sramNeed > sram->length)
        refusal += "SRAM needs " + num(static_cast<int64_t>(sramNeed)) + " bytes (arena " +
                   num(static_cast<int64_t>(plan.arenaBytes)) + ", kernel scratch " +
                   num(static_cast<int64_t>(plan.scratchBytes)) + ", firmware allowance " +
                   num(static_cast<int64_t>(kSramAllowance)) + "), has " + num(static_cast<int64_t>(sram->length));
    if (flash && flashNeed > flash->length)
        refusal += std::string(refusal.empty() ? "" : "; ") + "FLASH needs " + num(static_cast<int64_t>(flashNeed)) +
                   " bytes (weights and parameters " + num(static_cast<int64_t>(plan.weightBytes)) +
                   ", code allowance " + num(static_cast<int64_t>(kFlashAllowance)) + "), has " +
                   num(static_cast<int64_t>(flash->length));
    if (plan.levelBufferBytes && (!ccm || ccmNeed > ccm->length))
        refusal += std::string(refusal.empty() ? "" : "; ") + "CCM needs " + num(static_cast<int64_t>(ccmNeed)) +
                   " bytes (the pyramid's level buffer " + num(static_cast<int64_t>(plan.levelBufferBytes)) + ", stack " +
                   num(static_cast<int64_t>(kStackAllowance)) + "), has " +
                   num(static_cast<int64_t>(ccm ? ccm->length : 0));
    if (!refusal.empty())
        return makeError("the model does not fit " + board.name + " at input " + shapeToString(input) +
                         (plan.pyramidLevels > 1 ? " with a pyramid of " + num(plan.pyramidLevels) + " levels" : std::string()) +
                         (plan.schedule == "layerwise" ? std::string(" (layer by layer, int8): ")
                                                        : " (schedule " + plan.schedule + ", int8): ") + refusal + "; nothing was compiled");
    return Status::ok();
}

// The generator of the named schedule.
Expected<GeneratedNetwork> generateFor(const Int8Network& net, const Int8Run& desktop, const Shape& inputChw,
                                                const std::string& scheduleName, ModelMemoryPlan& plan)
{
    if (!isFirmwareScheduleName(scheduleName))
        return makeError("the firmware generator writes the schedules " + std::string(firmwareScheduleNames()) + ", not '" +
                         scheduleName + "'");
    if (scheduleName == "layerwise")
        return generateModelFirmware(net, desktop, inputChw, plan);
    if (scheduleName == "linebuffer")
        return generateLineBufferModelFirmware(net, inputChw, plan);
    auto schedule = scheduleByName(*net.model().network, scheduleName);
    if (!schedule)
        return std::move(schedule).takeError();
    return generateStreamedModelFirmware(net, inputChw, *schedule, plan);
}

} // namespace

Expected<GeneratedNetwork> generateModelFirmware(const Int8Network& net, const Int8Run& desktop, const Shape& inputChw,
                                                 ModelMemoryPlan& plan)
{
    const Network& graph = *net.model().network;
    const size_t n = graph.nodes().size();
    const auto shapeOf = [&](int src) -> const Shape& {
        return src == kNetworkInput ? inputChw : desktop.shapes[static_cast<size_t>(src)];
    };
    // The last step that reads each map; the heads are also read by the host right after their step.
    std::vector<size_t> lastUse(n, 0);
    size_t inputLastUse = 0;
    for (size_t i = 0; i < n; ++i) {
        lastUse[i] = i;
        for (int src : graph.nodes()[i].inputs)
            (src == kNetworkInput ? inputLastUse : lastUse[static_cast<size_t>(src)]) = i;
    }

    ArenaPlanner arena;
    plan = {};
    plan.inputBytes = static_cast<uint64_t>(shapeNumel(inputChw));
    const uint64_t inputOffset = arena.take(plan.inputBytes);
    std::vector<uint64_t> offset(n, 0);
    std::string data = "/* Generated by rnnpool m4: the int8 engine's prepared parameters as const arrays (flash). */\n"
                       "#include \"rnnpool_model.h\"\n\n#include \"integer/conv_s8.h\"\n#include \"integer/elementwise_s8.h\"\n"
                       "#include \"integer/rnnpool_q15.h\"\n\n";
    std::string code = "{\n" + wholePictureFeed(inputChw, static_cast<int64_t>(inputOffset));
    for (size_t i = 0; i < n; ++i) {
        const Node& node = graph.nodes()[i];
        const Int8Network::Prepared& p = net.prepared(i);
        const Shape& in0 = shapeOf(node.inputs[0]);
        const Shape& out = desktop.shapes[i];
        const uint64_t outBytes = static_cast<uint64_t>(shapeNumel(out));
        offset[i] = arena.take(outBytes);
        // Built by appending: GCC 12 warns falsely (-Wrestrict) on "n" + string + "_".
        std::string pre(1, 'n');
        pre += num(static_cast<int64_t>(i));
        pre += '_';
        const auto at = [&](int src) {
            return "arena + " + num(static_cast<int64_t>(src == kNetworkInput ? inputOffset : offset[static_cast<size_t>(src)]));
        };
        const std::string outPtr = "arena + " + num(static_cast<int64_t>(offset[i]));
        code += "    /* " + num(static_cast<int64_t>(i)) + ": " + node.name + " (" + std::string(node.op->kind()) + ") -> " +
                shapeToString(out) + " at " + num(static_cast<int64_t>(offset[i])) + " */\n    {\n";
        std::vector<uint64_t> temporaries;
        if (p.kind != Kind::RnnPool) {
            std::vector<std::string> in;
            for (int src : node.inputs)
                in.push_back(at(src));
            code += layerCall(p, pre, in, in0, outPtr, static_cast<int64_t>(outBytes), data, plan.weightBytes,
                              plan.scratchBytes);
        } else {
            const rp_rnnpool_s8q15_config& c = p.rnnpool.config();
            plan.scratchBytes = std::max<uint64_t>(
                plan.scratchBytes, rp_rnnpool_s8q15_map_scratch_bytes(&c, static_cast<int32_t>(in0[2])));
            const std::string config = rnnpoolConfig(c, pre, data, plan.weightBytes);
            // The kernel reads and writes CHW, the engine's maps are HWC: two copies, as the engine makes.
            const uint64_t chwIn = arena.take(static_cast<uint64_t>(shapeNumel(in0)));
            const uint64_t chwOut = arena.take(outBytes);
            temporaries = {chwIn, chwOut};
            code += "        static const rp_rnnpool_s8q15_config config = " + config + ";\n";
            const std::string C = num(in0[0]), H = num(in0[1]), W = num(in0[2]);
            const std::string OC = num(out[0]), OH = num(out[1]), OW = num(out[2]);
            code += "        const int8_t* in = " + at(node.inputs[0]) + ";\n        int8_t* chw = arena + " +
                    num(static_cast<int64_t>(chwIn)) + ";\n        int8_t* out_chw = arena + " +
                    num(static_cast<int64_t>(chwOut)) + ";\n        int8_t* out = " + outPtr + ";\n";
            code += "        for (int32_t y = 0; y < " + H + "; ++y)\n            for (int32_t x = 0; x < " + W +
                    "; ++x)\n                for (int32_t ch = 0; ch < " + C + "; ++ch)\n                    chw[(ch * " + H +
                    " + y) * " + W + " + x] = in[(y * " + W + " + x) * " + C + " + ch];\n";
            const std::string channels = rnnpoolChannelQuant(p.rnnpool, pre, data, plan.weightBytes);
            if (channels.empty()) {
                code += "        (void)rp_rnnpool_s8q15_map(&config, chw, " + H + ", " + W + ", out_chw, scratch);\n";
            } else {
                // One int8 scale per output channel, as the desktop engine quantised it.
                code += "        static const rp_rnnpool_s8_channel_quant channels = " + channels + ";\n";
                code += "        (void)rp_rnnpool_s8q15_map_channels(&config, chw, " + H + ", " + W +
                        ", &channels, out_chw, scratch);\n";
            }
            code += "        for (int32_t y = 0; y < " + OH + "; ++y)\n            for (int32_t x = 0; x < " + OW +
                    "; ++x)\n                for (int32_t ch = 0; ch < " + OC + "; ++ch)\n                    out[(y * " + OW +
                    " + x) * " + OC + " + ch] = out_chw[(ch * " + OH + " + y) * " + OW + " + x];\n";
        }
        code += "        hook(" + num(static_cast<int64_t>(i)) + ", " + outPtr + ", " + num(static_cast<int64_t>(outBytes)) +
                ");\n    }\n";
        for (uint64_t t : temporaries)
            arena.give(t);
        for (int src : node.inputs) {
            if (src == kNetworkInput ? inputLastUse == i : lastUse[static_cast<size_t>(src)] == i)
                arena.give(src == kNetworkInput ? inputOffset : offset[static_cast<size_t>(src)]);
        }
        if (lastUse[i] == i)
            arena.give(offset[i]);
        plan.steps.emplace_back(static_cast<int>(i), node.name);
    }
    plan.arenaBytes = arena.peak();
    plan.scratchBytes = std::max<uint64_t>(plan.scratchBytes, 4);
    code += "    return 0;\n}\n";
    return GeneratedNetwork{data, code,
                            {graph.spec().name, "layerwise", inputChw, static_cast<int64_t>(n), static_cast<int64_t>(inputOffset),
                             0, static_cast<int64_t>(plan.arenaBytes), static_cast<int64_t>(plan.scratchBytes), {}}};
}

Expected<std::vector<FirmwareFile>> modelFiles(const Network& graph, const std::vector<GeneratedNetwork>& levels)
{
    if (levels.empty())
        return makeError("no network to write");
    const size_t n = graph.nodes().size();
    std::vector<bool> isHead(n, false);
    for (const auto& [loc, conf] : graph.heads())
        isHead[static_cast<size_t>(loc)] = isHead[static_cast<size_t>(conf)] = true;
    std::string names = "const char* const rp_model_layer_names[RP_MODEL_LAYERS] = {\n";
    std::string heads = "const uint8_t rp_model_layer_is_output[RP_MODEL_LAYERS] = {";
    for (size_t i = 0; i < n; ++i) {
        names += "    " + cStringLiteral(graph.nodes()[i].name) + ",\n";
        heads += std::string(i ? ", " : "") + (isHead[i] ? "1" : "0");
    }
    std::string tables = names + "};\n" + heads + "};\n";
    const std::string signature = "(int8_t* arena, void* scratch, rp_layer_hook hook, rp_row_source rows)\n";
    ModelHeaderFacts facts = levels.front().facts;
    std::string code = "\nint rp_model_run" + signature + levels.front().body;
    if (levels.size() > 1) {
        const std::string count = num(static_cast<int64_t>(levels.size()));
        std::string runs = "rp_model_run", heights, widths;
        for (size_t k = 0; k < levels.size(); ++k) {
            const GeneratedNetwork& g = levels[k];
            if (g.data != levels.front().data)
                return makeError("pyramid level " + std::to_string(k) + " would need constant data of its own (" +
                                 shapeToString(g.facts.inputChw) + ")");
            facts.arenaBytes = std::max(facts.arenaBytes, g.facts.arenaBytes);
            facts.scratchBytes = std::max(facts.scratchBytes, g.facts.scratchBytes);
            heights += std::string(k ? ", " : "") + num(g.facts.inputChw[1]);
            widths += std::string(k ? ", " : "") + num(g.facts.inputChw[2]);
            if (k == 0)
                continue;
            const std::string fn = "rp_model_run_level" + std::to_string(k);
            code += "\nstatic int " + fn + signature + g.body;
            runs += ", " + fn;
        }
        const Shape& in = facts.inputChw;
        facts.extra = "\n/* An image pyramid of " + count +
                      " levels: level k runs rp_model_levels[k] (level 0 is rp_model_run) on an input of\n"
                      " * rp_model_level_width[k] x rp_model_level_height[k], asking rows() for that input's rows. The\n"
                      " * caller makes level 1's picture (RP_MODEL_LEVEL_BUFFER_BYTES, int8 HWC) from level 0's rows as they\n"
                      " * arrive (rp_halve_s8 on each pair) and halves it in place for each further level. The arena and\n"
                      " * scratch above are the largest level's. */\n"
                      "#define RP_MODEL_PYRAMID_LEVELS " + count + "\n#define RP_MODEL_CHANNELS " + num(in[0]) +
                      "\n#define RP_MODEL_FRAME_WIDTH " + num(in[2]) +
                      "\n#define RP_MODEL_LEVEL_BUFFER_BYTES " + num(shapeNumel(levels[1].facts.inputChw)) +
                      "\ntypedef int (*rp_model_run_fn)(int8_t* arena, void* scratch, rp_layer_hook hook, rp_row_source rows);\n"
                      "extern const rp_model_run_fn rp_model_levels[RP_MODEL_PYRAMID_LEVELS];\n"
                      "extern const int32_t rp_model_level_height[RP_MODEL_PYRAMID_LEVELS];\n"
                      "extern const int32_t rp_model_level_width[RP_MODEL_PYRAMID_LEVELS];\n";
        tables += "const rp_model_run_fn rp_model_levels[RP_MODEL_PYRAMID_LEVELS] = {" + runs + "};\n" +
                  "const int32_t rp_model_level_height[RP_MODEL_PYRAMID_LEVELS] = {" + heights + "};\n" +
                  "const int32_t rp_model_level_width[RP_MODEL_PYRAMID_LEVELS] = {" + widths + "};\n";
    }
    return std::vector<FirmwareFile>{{"rnnpool_model.h", modelHeader(facts)},
                                     {"rnnpool_model.c", levels.front().data + code + "\n" + tables}};
}

namespace {

// The firmware's files for every level's desktop run (the input's first), with `plan` the whole
// program's: the largest level's arena and scratch, and the frame buffer when there are levels.
Expected<std::vector<FirmwareFile>> generateLevels(const Int8Network& net, const std::vector<Int8Run>& runs,
                                                   const std::vector<Shape>& shapes, const std::string& schedule,
                                                   ModelMemoryPlan& plan)
{
    std::vector<GeneratedNetwork> generated;
    for (size_t k = 0; k < shapes.size(); ++k) {
        ModelMemoryPlan levelPlan;
        auto g = generateFor(net, runs[k], shapes[k], schedule, k == 0 ? plan : levelPlan);
        if (!g)
            return std::move(g).takeError();
        plan.arenaBytes = std::max(plan.arenaBytes, levelPlan.arenaBytes);
        plan.scratchBytes = std::max(plan.scratchBytes, levelPlan.scratchBytes);
        generated.push_back(std::move(*g));
    }
    plan.pyramidLevels = static_cast<int>(shapes.size());
    plan.levelBufferBytes = static_cast<uint64_t>(pyramidLevelBufferElements(shapes)); // int8
    auto files = modelFiles(*net.model().network, generated);
    if (!files)
        return files;
    const char* app = shapes.size() > 1 ? "model_pyramid" : "model_run";
    auto mainSource = readFirmwareText(firmwareResourceDir() / "apps" / app / "main.c");
    if (!mainSource)
        return std::move(mainSource).takeError();
    files->push_back({"main.c", *mainSource});
    return files;
}

// The name under which the firmware reports level k's results: "layer3_ticks" for the input alone,
// "L1_layer3_ticks" in a pyramid.
std::string levelResult(const ModelMemoryPlan& plan, size_t level, int node, const char* suffix)
{
    const std::string name = "layer" + std::to_string(node) + suffix;
    return plan.pyramidLevels > 1 ? "L" + std::to_string(level) + "_" + name : name;
}

} // namespace

Expected<ModelOnChip> runModelOnChip(const Int8Network& net, const Tensor& inputChw, const ModelFirmwareOptions& options)
{
    auto board = loadFirmwareBoard(options.board);
    if (!board)
        return std::move(board).takeError();
    if (inputChw.rank() != 3)
        return makeError("the input must be CHW, got " + shapeToString(inputChw.shape()));
    if (options.pyramidLevels < 1 || options.pyramidLevels > kMaxPyramidLevels)
        return makeError("a pyramid has 1-" + std::to_string(kMaxPyramidLevels) + " levels, not " +
                         std::to_string(options.pyramidLevels));
    // Every level's int8 input, as the int8 detector makes them: the frame halved in place.
    std::vector<Shape> shapes;
    std::vector<std::vector<int8_t>> inputs;
    const int64_t channels = inputChw.dim(0);
    for (const Size2& size : pyramidSizes({inputChw.dim(2), inputChw.dim(1)}, options.pyramidLevels)) {
        shapes.push_back({channels, size.height, size.width});
        if (inputs.empty()) {
            inputs.push_back(quantizeInputHwc(inputChw, net.model().input));
            continue;
        }
        std::vector<int8_t> level = inputs.back();
        const Shape& before = shapes[shapes.size() - 2];
        rp_halve_s8(level.data(), static_cast<int32_t>(before[1]), static_cast<int32_t>(before[2]),
                    static_cast<int32_t>(channels), level.data());
        level.resize(static_cast<size_t>(shapeNumel(shapes.back())));
        inputs.push_back(std::move(level));
    }
    std::vector<Int8Run> desktop;
    for (size_t k = 0; k < shapes.size(); ++k) {
        auto run = net.runQuantized(inputs[k], shapes[k]);
        if (!run)
            return std::move(run).takeError();
        desktop.push_back(std::move(*run));
    }
    ModelOnChip result;
    result.input = inputChw.shape();
    result.board = board->name;
    result.coreClockHz = board->coreClockHz;
    result.desktop = desktop.front();
    auto files = generateLevels(net, desktop, shapes, options.schedule, result.plan);
    if (!files)
        return std::move(files).takeError();
    if (Status fits = checkFit(*board, result.plan, inputChw.shape()); !fits)
        return makeError(fits.error());
    FirmwareProjectSpec spec;
    spec.boardName = board->name;
    spec.files = *files;
    result.projectDir = options.projectDir ? *options.projectDir : firmwareCacheDir(spec, *board);
    const auto stage = [&options](const std::string& what) {
        if (options.progress)
            options.progress(what);
        return !(options.cancel && options.cancel->load());
    };
    if (!stage("Writing the firmware project"))
        return makeError(std::string(kCancelledMessage));
    if (Status s = writeFirmwareProject(spec, *board, result.projectDir); !s)
        return makeError(s.error());
    if (!stage("Building the firmware with arm-none-eabi-gcc (cached by content)"))
        return makeError(std::string(kCancelledMessage));
    auto built = buildFirmware(result.projectDir, *board, options.buildTimeoutSeconds, options.cancel);
    if (!built)
        return std::move(built).takeError();
    result.build = *built;
    result.chip = desktop.front();
    if (!board->emulated())
        return result;
    {
        std::ofstream in(result.projectDir / "input.bin", std::ios::binary | std::ios::trunc);
        in.write(reinterpret_cast<const char*>(inputs.front().data()), static_cast<std::streamsize>(inputs.front().size()));
        if (!in)
            return makeError("cannot write '" + (result.projectDir / "input.bin").string() + "'");
    }
    if (!stage("Running in QEMU (" + board->qemuMachine + ")"))
        return makeError(std::string(kCancelledMessage));
    auto run = runFirmwareOnEmulator(result.projectDir, *board, options.runTimeoutSeconds, options.cancel);
    if (!run)
        return std::move(run).takeError();
    result.ran = true;
    result.emulatorSeconds = run->seconds;
    result.stackHighWaterBytes = run->number("stack_high_water");
    const Network& graph = *net.model().network;
    for (size_t k = 0; k < shapes.size(); ++k) {
        PyramidLevelOnChip level{shapes[k], desktop[k], desktop[k]};
        // Every level runs the same steps; the plan's are the input level's.
        for (const auto& [node, name] : result.plan.steps) {
            const uint64_t instr = ticksToInstructions(run->number(levelResult(result.plan, k, node, "_ticks")), *board);
            if (k == 0)
                result.layerInstructions.emplace_back(name, instr);
            level.instructions += instr;
        }
        if (k + 1 < shapes.size())
            level.halveInstructions =
                ticksToInstructions(run->number("L" + std::to_string(k) + "_halve_ticks"), *board);
        for (const auto& [loc, conf] : graph.heads())
            for (int node : {loc, conf}) {
                const fs::path file = result.projectDir / levelResult(result.plan, k, node, ".bin");
                auto bytes = readFirmwareText(file);
                std::vector<int8_t>& map = level.chip.maps[static_cast<size_t>(node)];
                if (!bytes || bytes->size() != map.size())
                    return makeError("the firmware wrote no complete '" + file.filename().string() + "'");
                const std::vector<int8_t>& expected = desktop[k].maps[static_cast<size_t>(node)];
                for (size_t j = 0; j < map.size(); ++j) {
                    map[j] = static_cast<int8_t>((*bytes)[j]);
                    level.headMatching += map[j] == expected[j] ? 1 : 0;
                }
                level.headValues += static_cast<int64_t>(map.size());
            }
        result.instructions += level.instructions + level.halveInstructions;
        result.headValues += level.headValues;
        result.headMatching += level.headMatching;
        if (k == 0)
            result.chip = level.chip;
        if (shapes.size() > 1)
            result.levels.push_back(std::move(level));
    }
    return result;
}

std::vector<Detection> onChipDetections(const Int8Network& net, const ModelOnChip& result, bool desktop)
{
    std::vector<const Int8Run*> runs{desktop ? &result.desktop : &result.chip};
    std::vector<Size2> sizes{{result.input[2], result.input[1]}};
    for (size_t k = 1; k < result.levels.size(); ++k) {
        runs.push_back(desktop ? &result.levels[k].desktop : &result.levels[k].chip);
        sizes.push_back({result.levels[k].input[2], result.levels[k].input[1]});
    }
    return int8PyramidDetections(net, runs, sizes);
}

Expected<ModelDeployment> deployModelFirmware(const Int8Network& net, const Shape& inputChw, const std::string& boardName,
                                              const std::string& schedule, const fs::path& dir, double buildTimeoutSeconds,
                                              int pyramidLevels)
{
    auto board = loadFirmwareBoard(boardName);
    if (!board)
        return std::move(board).takeError();
    if (inputChw.size() != 3)
        return makeError("the input must be CHW, got " + shapeToString(inputChw));
    if (pyramidLevels < 1 || pyramidLevels > kMaxPyramidLevels)
        return makeError("a pyramid has 1-" + std::to_string(kMaxPyramidLevels) + " levels, not " +
                         std::to_string(pyramidLevels));
    // The maps' shapes come from one desktop run per level; the values do not matter here.
    std::vector<Shape> shapes;
    std::vector<Int8Run> desktop;
    for (const Size2& size : pyramidSizes({inputChw[2], inputChw[1]}, pyramidLevels)) {
        shapes.push_back({inputChw[0], size.height, size.width});
        const std::vector<int8_t> zeros(static_cast<size_t>(shapeNumel(shapes.back())), 0);
        auto run = net.runQuantized(zeros, shapes.back());
        if (!run)
            return std::move(run).takeError();
        desktop.push_back(std::move(*run));
    }
    ModelDeployment d;
    d.board = board->name;
    d.projectDir = dir;
    auto files = generateLevels(net, desktop, shapes, schedule, d.plan);
    if (!files)
        return std::move(files).takeError();
    if (Status fits = checkFit(*board, d.plan, inputChw); !fits)
        return makeError(fits.error());
    FirmwareProjectSpec spec;
    spec.boardName = board->name;
    spec.files = *files;
    if (Status s = writeFirmwareProject(spec, *board, dir); !s)
        return makeError(s.error());
    auto built = buildFirmware(dir, *board, buildTimeoutSeconds);
    if (!built)
        return std::move(built).takeError();
    d.build = *built;
    return d;
}

} // namespace rnnpool
