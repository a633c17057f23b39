#include "mcu/model_firmware.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "integer/rnnpool_q15.h"
#include "mcu/c_emitter.h"
#include "mcu/model_emit.h"
#include "quant/int8_prepared.h"

namespace rnnpool {

namespace {

namespace fs = std::filesystem;
using Kind = Int8Network::Prepared::Kind;

// Stack, the firmware's own statics and the semihosting layer: what SRAM must
// hold besides the arena and the scratch. Flash beside the const data: code.
constexpr uint64_t kSramAllowance = 4096;
constexpr uint64_t kFlashAllowance = 48 * 1024;

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
    const uint64_t sramNeed = plan.arenaBytes + plan.scratchBytes + kSramAllowance;
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
    if (!refusal.empty())
        return makeError("the model does not fit " + board.name + " at input " + shapeToString(input) +
                         (plan.schedule == "layerwise" ? std::string(" (layer by layer, int8): ")
                                                        : " (schedule " + plan.schedule + ", int8): ") + refusal + "; nothing was compiled");
    return Status::ok();
}

// The generator of the named schedule.
Expected<std::vector<FirmwareFile>> generateFor(const Int8Network& net, const Int8Run& desktop, const Shape& inputChw,
                                                const std::string& scheduleName, ModelMemoryPlan& plan)
{
    if (!isFirmwareScheduleName(scheduleName))
        return makeError("the firmware generator writes the schedules " + std::string(firmwareScheduleNames()) + ", not '" +
                         scheduleName + "' (linebuffer runs on the desktop: rnnpool profile --schedule linebuffer --execute)");
    if (scheduleName == "layerwise")
        return generateModelFirmware(net, desktop, inputChw, plan);
    auto schedule = scheduleByName(*net.model().network, scheduleName);
    if (!schedule)
        return std::move(schedule).takeError();
    return generateStreamedModelFirmware(net, inputChw, *schedule, plan);
}

} // namespace

Expected<std::vector<FirmwareFile>> generateModelFirmware(const Int8Network& net, const Int8Run& desktop,
                                                          const Shape& inputChw, ModelMemoryPlan& plan)
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
    std::vector<bool> isHead(n, false);
    for (const auto& [loc, conf] : graph.heads()) {
        isHead[static_cast<size_t>(loc)] = true;
        isHead[static_cast<size_t>(conf)] = true;
    }

    ArenaPlanner arena;
    plan = {};
    plan.inputBytes = static_cast<uint64_t>(shapeNumel(inputChw));
    const uint64_t inputOffset = arena.take(plan.inputBytes);
    std::vector<uint64_t> offset(n, 0);
    std::string data = "/* Generated by rnnpool m4: the int8 engine's prepared parameters as const arrays (flash). */\n"
                       "#include \"rnnpool_model.h\"\n\n#include \"integer/conv_s8.h\"\n#include \"integer/elementwise_s8.h\"\n"
                       "#include \"integer/rnnpool_q15.h\"\n\n";
    std::string code = "\nint rp_model_run(int8_t* arena, void* scratch, rp_layer_hook hook, rp_row_source rows)\n{\n" +
                       wholePictureFeed(inputChw, static_cast<int64_t>(inputOffset));
    std::string names = "const char* const rp_model_layer_names[RP_MODEL_LAYERS] = {\n";
    std::string heads = "const uint8_t rp_model_layer_is_output[RP_MODEL_LAYERS] = {";
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
        names += "    " + cStringLiteral(node.name) + ",\n";
        heads += std::string(i ? ", " : "") + (isHead[i] ? "1" : "0");
    }
    plan.arenaBytes = arena.peak();
    plan.scratchBytes = std::max<uint64_t>(plan.scratchBytes, 4);
    code += "    return 0;\n}\n";
    const std::string header = modelHeader({graph.spec().name, "layerwise", inputChw, static_cast<int64_t>(n),
                                            static_cast<int64_t>(inputOffset), 0, static_cast<int64_t>(plan.arenaBytes),
                                            static_cast<int64_t>(plan.scratchBytes)});
    return std::vector<FirmwareFile>{{"rnnpool_model.h", header},
                                     {"rnnpool_model.c", data + code + "\n" + names + "};\n" + heads + "};\n"}};
}

Expected<ModelOnChip> runModelOnChip(const Int8Network& net, const Tensor& inputChw, const ModelFirmwareOptions& options)
{
    auto board = loadFirmwareBoard(options.board);
    if (!board)
        return std::move(board).takeError();
    if (inputChw.rank() != 3)
        return makeError("the input must be CHW, got " + shapeToString(inputChw.shape()));
    const std::vector<int8_t> inputHwc = quantizeInputHwc(inputChw, net.model().input);
    auto desktop = net.runQuantized(inputHwc, inputChw.shape());
    if (!desktop)
        return std::move(desktop).takeError();
    ModelOnChip result;
    result.board = board->name;
    result.coreClockHz = board->coreClockHz;
    result.desktop = *desktop;
    auto files = generateFor(net, *desktop, inputChw.shape(), options.schedule, result.plan);
    if (!files)
        return std::move(files).takeError();
    if (Status fits = checkFit(*board, result.plan, inputChw.shape()); !fits)
        return makeError(fits.error());
    auto mainSource = readFirmwareText(firmwareResourceDir() / "apps" / "model_run" / "main.c");
    if (!mainSource)
        return std::move(mainSource).takeError();
    FirmwareProjectSpec spec;
    spec.boardName = board->name;
    spec.files = *files;
    spec.files.push_back({"main.c", *mainSource});
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
    result.chip = *desktop;
    if (!board->emulated())
        return result;
    {
        std::ofstream in(result.projectDir / "input.bin", std::ios::binary | std::ios::trunc);
        in.write(reinterpret_cast<const char*>(inputHwc.data()), static_cast<std::streamsize>(inputHwc.size()));
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
    for (const auto& [node, name] : result.plan.steps) {
        const uint64_t instr = ticksToInstructions(run->number("layer" + std::to_string(node) + "_ticks"), *board);
        result.layerInstructions.emplace_back(name, instr);
        result.instructions += instr;
    }
    for (const auto& [loc, conf] : graph.heads())
        for (int node : {loc, conf}) {
            const fs::path file = result.projectDir / ("layer" + std::to_string(node) + ".bin");
            auto bytes = readFirmwareText(file);
            std::vector<int8_t>& map = result.chip.maps[static_cast<size_t>(node)];
            if (!bytes || bytes->size() != map.size())
                return makeError("the firmware wrote no complete '" + file.filename().string() + "'");
            const std::vector<int8_t>& expected = desktop->maps[static_cast<size_t>(node)];
            for (size_t j = 0; j < map.size(); ++j) {
                map[j] = static_cast<int8_t>((*bytes)[j]);
                result.headMatching += map[j] == expected[j] ? 1 : 0;
            }
            result.headValues += static_cast<int64_t>(map.size());
        }
    return result;
}

Expected<ModelDeployment> deployModelFirmware(const Int8Network& net, const Shape& inputChw, const std::string& boardName,
                                              const std::string& schedule, const fs::path& dir, double buildTimeoutSeconds)
{
    auto board = loadFirmwareBoard(boardName);
    if (!board)
        return std::move(board).takeError();
    if (inputChw.size() != 3)
        return makeError("the input must be CHW, got " + shapeToString(inputChw));
    // The maps' shapes come from one desktop run; the values do not matter here.
    const std::vector<int8_t> zeros(static_cast<size_t>(shapeNumel(inputChw)), 0);
    auto desktop = net.runQuantized(zeros, inputChw);
    if (!desktop)
        return std::move(desktop).takeError();
    ModelDeployment d;
    d.board = board->name;
    d.projectDir = dir;
    auto files = generateFor(net, *desktop, inputChw, schedule, d.plan);
    if (!files)
        return std::move(files).takeError();
    if (Status fits = checkFit(*board, d.plan, inputChw); !fits)
        return makeError(fits.error());
    auto mainSource = readFirmwareText(firmwareResourceDir() / "apps" / "model_run" / "main.c");
    if (!mainSource)
        return std::move(mainSource).takeError();
    FirmwareProjectSpec spec;
    spec.boardName = board->name;
    spec.files = *files;
    spec.files.push_back({"main.c", *mainSource});
    if (Status s = writeFirmwareProject(spec, *board, dir); !s)
        return makeError(s.error());
    auto built = buildFirmware(dir, *board, buildTimeoutSeconds);
    if (!built)
        return std::move(built).takeError();
    d.build = *built;
    return d;
}

} // namespace rnnpool
