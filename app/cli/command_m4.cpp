// rnnpool m4: the integer kernels and models on an emulated Cortex-M4
// (QEMU netduinoplus2, an STM32F405) through generated firmware.
//
//   rnnpool m4 check-q15 DIR [--board B] [--project DIR] [--timeout S] [--json]
//   rnnpool m4 check-int8 [--seed N] [--board B] [--project DIR] [--timeout S] [--json]
//   rnnpool m4 boards [--json]
#include <iomanip>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "mcu/firmware_board.h"
#include "mcu/int8_firmware_check.h"
#include "mcu/q15_firmware_check.h"

namespace rnnpool::cli {

int commandM4Run(const std::vector<std::string>& rest);  // command_m4_run.cpp

namespace {

constexpr const char* kM4Usage = R"(usage: rnnpool m4 <subcommand> [options]

  check-q15 DIR [--board netduinoplus2] [--project OUTDIR] [--timeout SECONDS] [--json]
           Builds firmware with EdgeML's integer RNNPool (core/integer, the desktop's sources),
           runs it in qemu-system-arm on every patch of a folder in the edgeml-q15 format
           (q15 and q7 input, div and shift scales), compares every output with the folder's
           bit for bit, and reports QEMU instructions per patch (an instruction count, not cycles).
           Exit 1 when any value differs.
  check-int8 [--seed N] [--board netduinoplus2] [--project OUTDIR] [--timeout SECONDS] [--json]
           The int8 kernels (KxK, depthwise and pointwise convolution, add, L2Norm, background
           max-out) on random seeded cases: firmware outputs against the desktop build of the same
           sources, bit for bit, with QEMU instructions per call. Exit 1 when any value differs.
  run      [--model M] (--image P [--size WxH] | --tensor X.npy) [--board netduinoplus2|stm32f439zi]
           [--schedule layerwise|paper|rowstream|linebuffer] [--pyramid LEVELS] [--dump DIR]
           [--project OUTDIR] [--timeout SECONDS] [--json]
           The int8 network as generated firmware (straight-line kernel calls, one static arena,
           weights in flash; rowstream: the streaming kernels and the picture read row by row;
           linebuffer: every map a few rows at a time, RNNPool-Face-M4 at 320x240 in 64 KiB):
           refused with numbers when it does not fit; run in QEMU with instructions per layer
           (per schedule unit when streamed); --dump writes loc.npy, conf.npy, detections.npy as
           `rnnpool run --dtype i8 --dump` does. Exit 1 when the heads differ from the desktop's.
           --pyramid 2-4: every level of the image pyramid on the chip (level 1's picture made in
           CCM from the input's rows as they arrive, halved in place for each further level), each
           level's heads compared, instructions per level; default 1, the input alone.
  boards   [--json]
           The boards firmware is built for: memory regions from their link scripts, clock, emulator.
)";

// flash_used_bytes (text + rodata + data image) and sram_used_bytes per RAM
// region: the linked image's static data plus, in CCM, the stack's measured
// high-water mark (0 when the firmware did not run).
nlohmann::json memoryJson(const FirmwareBuild& build, uint64_t stackHighWater)
{
    nlohmann::json sram = nlohmann::json::object();
    uint64_t flash = 0;
    for (const RegionUsage& r : build.regions) {
        if (r.region == "FLASH")
            flash = r.usedBytes;
        else
            sram[r.region] = r.usedBytes + (r.region == "CCM" ? stackHighWater : 0);
    }
    return {{"flash_used_bytes", flash}, {"sram_used_bytes", sram},
            {"sram_note", "SRAM: .data + .bss (static buffers); CCM: .ccm + the stack's high-water mark, measured by painting"}};
}

void printMemory(const FirmwareBuild& build, uint64_t stackHighWater, bool ran)
{
    for (const RegionUsage& r : build.regions) {
        std::cout << r.region << ": " << r.usedBytes << " of " << r.capacityBytes << " bytes linked";
        if (r.region == "CCM")
            std::cout << (ran ? " + stack high-water " + std::to_string(stackHighWater) + " bytes (painted)"
                              : " (stack not measured: not run)");
        std::cout << "\n";
    }
}

nlohmann::json regionsJson(const std::vector<RegionUsage>& regions)
{
    nlohmann::json j = nlohmann::json::object();
    for (const RegionUsage& r : regions) {
        nlohmann::json parts = nlohmann::json::object();
        for (const auto& [name, bytes] : r.parts)
            parts[name] = bytes;
        j[r.region] = {{"used_bytes", r.usedBytes}, {"capacity_bytes", r.capacityBytes}, {"sections", parts}};
    }
    return j;
}

bool parseTimeout(const Arguments& args, double& seconds, std::string& problem);

// What every kernel check on the chip reports beside its cases.
template <typename Check>
nlohmann::json checkJson(const Check& check, const nlohmann::json& cases)
{
    return {{"board", check.board},
            {"cases", cases},
            {"all_bit_exact", check.allExact()},
            {"instruction_count_note", "QEMU -icount shift=0 instructions read through SysTick; not cycles"},
            {"ran_on_emulator", check.ran()},
            {"memory", memoryJson(check.build, check.stackHighWaterBytes)},
            {"regions", regionsJson(check.build.regions)},
            {"stack_high_water_bytes", check.stackHighWaterBytes},
            {"emulator_seconds", check.emulatorSeconds},
            {"project", check.projectDir.string()}};
}

int m4CheckQ15(const std::vector<std::string>& rest)
{
    const Arguments args(rest, {"--board", "--project", "--timeout"}, {"--json"});
    if (!args.ok())
        return usageError("m4 check-q15", args.error());
    if (args.positionals().size() != 1)
        return usageError("m4 check-q15", "expected one folder in the edgeml-q15 format");
    Q15FirmwareCheckOptions options;
    if (const auto b = args.value("--board"))
        options.board = *b;
    if (const auto p = args.value("--project"))
        options.projectDir = *p;
    std::string problem;
    if (!parseTimeout(args, options.runTimeoutSeconds, problem))
        return usageError("m4 check-q15", problem);
    auto check = runQ15FirmwareCheck(args.positionals()[0], options);
    if (!check)
        return inputError("m4 check-q15: " + check.error());

    if (args.flag("--json")) {
        nlohmann::json cases = nlohmann::json::array();
        for (const Q15FirmwareCase& c : check->cases)
            cases.push_back({{"case", c.name}, {"entry_point", c.entryPoint}, {"patches", c.patches},
                             {"values", c.total}, {"matching", c.matching}, {"bit_exact", c.exact()},
                             {"first_mismatch", c.firstMismatch}, {"instructions", c.instructions},
                             {"instructions_per_patch", c.instructionsPerPatch}});
        std::cout << checkJson(*check, cases).dump(2) << "\n";
    } else if (!check->ran()) {
        std::cout << "EdgeML integer RNNPool for " << check->board
                  << ": no QEMU machine emulates this board, so the firmware was built and sized only (not run); "
                     "firmware in " << check->projectDir.string() << "\n";
        printMemory(check->build, 0, false);
    } else {
        std::cout << "EdgeML integer RNNPool on " << check->board << " (QEMU), firmware in " << check->projectDir.string()
                  << "\n";
        std::cout << std::left << std::setw(11) << "case" << std::setw(26) << "entry point" << std::right << std::setw(8)
                  << "patches" << std::setw(18) << "matching values" << std::setw(24) << "instructions/patch"
                  << "\n";
        for (const Q15FirmwareCase& c : check->cases)
            std::cout << std::left << std::setw(11) << c.name << std::setw(26) << c.entryPoint << std::right
                      << std::setw(8) << c.patches << std::setw(18)
                      << (std::to_string(c.matching) + "/" + std::to_string(c.total)) << std::setw(24)
                      << formatFloat(c.instructionsPerPatch, 1) << "\n";
        printMemory(check->build, check->stackHighWaterBytes, true);
        std::cout << "instructions are QEMU -icount instructions read through SysTick, not cycles\n";
        std::cout << (check->allExact() ? "bit-exact with EdgeML on every value\n"
                                        : "MISMATCH: the emulated chip differs from EdgeML\n");
    }
    return !check->ran() || check->allExact() ? kExitOk : kExitBadInput;
}

// --timeout SECONDS, shared by the subcommands that run QEMU.
bool parseTimeout(const Arguments& args, double& seconds, std::string& problem)
{
    const auto t = args.value("--timeout");
    if (!t)
        return true;
    char* end = nullptr;
    const double s = std::strtod(t->c_str(), &end);
    if (end == t->c_str() || *end != '\0' || !(s > 0.0)) {
        problem = "--timeout takes a positive number of seconds, not '" + *t + "'";
        return false;
    }
    seconds = s;
    return true;
}

int commandCheckInt8(const std::vector<std::string>& rest)
{
    const Arguments args(rest, {"--board", "--project", "--timeout", "--seed"}, {"--json"});
    if (!args.ok())
        return usageError("m4 check-int8", args.error());
    if (!args.positionals().empty())
        return usageError("m4 check-int8", "takes no positional argument");
    Int8FirmwareCheckOptions options;
    if (const auto b = args.value("--board"))
        options.board = *b;
    if (const auto p = args.value("--project"))
        options.projectDir = *p;
    if (const auto seed = args.value("--seed")) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(seed->c_str(), &end, 10);
        if (end == seed->c_str() || *end != '\0' || v > 0xffffffffUL)
            return usageError("m4 check-int8", "--seed takes a non-negative integer, not '" + *seed + "'");
        options.seed = static_cast<uint32_t>(v);
    }
    std::string problem;
    if (!parseTimeout(args, options.runTimeoutSeconds, problem))
        return usageError("m4 check-int8", problem);
    auto check = runInt8FirmwareCheck(options);
    if (!check)
        return inputError("m4 check-int8: " + check.error());
    if (args.flag("--json")) {
        nlohmann::json cases = nlohmann::json::array();
        for (const Int8FirmwareCase& c : check->cases)
            cases.push_back({{"case", c.name}, {"kernel", c.kernel}, {"values", c.values}, {"matching", c.matching},
                             {"bit_exact", c.exact()}, {"first_mismatch", c.firstMismatch},
                             {"instructions", c.instructions}, {"macs", c.macs}, {"taps", c.taps},
                             {"outputs", c.outputs}, {"op_class", c.opClass}, {"patches", c.patches},
                             {"predicted_cycles", nlohmann::json(std::map<std::string, double>(
                                                      c.predictedCycles.begin(), c.predictedCycles.end()))}});
        nlohmann::json j = checkJson(*check, cases);
        j["seed"] = options.seed;
        std::cout << j.dump(2) << "\n";
    } else if (!check->ran()) {
        std::cout << "int8 kernels for " << check->board
                  << ": no QEMU machine emulates this board, so the firmware was built and sized only (not run); "
                     "firmware in " << check->projectDir.string() << "\n";
        printMemory(check->build, 0, false);
    } else {
        std::cout << "int8 kernels on " << check->board << " (QEMU) against the desktop build, seed " << options.seed
                  << ", firmware in " << check->projectDir.string() << "\n";
        std::cout << std::left << std::setw(30) << "case" << std::setw(26) << "kernel" << std::right << std::setw(16)
                  << "matching" << std::setw(15) << "instructions" << std::setw(10) << "MACs" << std::setw(12)
                  << "instr/MAC" << "\n";
        for (const Int8FirmwareCase& c : check->cases)
            std::cout << std::left << std::setw(30) << c.name << std::setw(26) << c.kernel << std::right << std::setw(16)
                      << (std::to_string(c.matching) + "/" + std::to_string(c.values)) << std::setw(15)
                      << c.instructions << std::setw(10) << c.macs << std::setw(12)
                      << (c.macs ? formatFloat(static_cast<double>(c.instructions) / static_cast<double>(c.macs), 2)
                                 : std::string("-"))
                      << "\n";
        if (!check->cases.empty() && !check->cases[0].predictedCycles.empty()) {
            std::cout << "\nthe latency model's cost profiles (predicted cycles) beside the measured instructions:\n"
                      << std::left << std::setw(30) << "case" << std::setw(16) << "op class" << std::right
                      << std::setw(14) << "measured";
            for (const auto& [profile, cycles] : check->cases[0].predictedCycles)
                std::cout << std::setw(16) << profile;
            std::cout << "\n";
            for (const Int8FirmwareCase& c : check->cases) {
                std::cout << std::left << std::setw(30) << c.name << std::setw(16) << c.opClass << std::right
                          << std::setw(14) << c.instructions;
                for (const auto& [profile, cycles] : c.predictedCycles)
                    std::cout << std::setw(16) << static_cast<uint64_t>(cycles + 0.5);
                std::cout << "\n";
            }
        }
        for (const Int8FirmwareCase& c : check->cases)
            if (c.patches > 0)
                std::cout << c.name << ": " << c.patches << " patches, "
                          << formatFloat(static_cast<double>(c.instructions) / static_cast<double>(c.patches), 1)
                          << " instructions per patch\n";
        printMemory(check->build, check->stackHighWaterBytes, true);
        std::cout << "instructions are QEMU -icount instructions read through SysTick, not cycles\n";
        std::cout << (check->allExact() ? "bit-exact with the desktop build on every value\n"
                                        : "MISMATCH: the emulated chip differs from the desktop build\n");
    }
    return !check->ran() || check->allExact() ? kExitOk : kExitBadInput;
}

int commandBoards(const std::vector<std::string>& rest)
{
    const Arguments args(rest, {}, {"--json"});
    if (!args.ok())
        return usageError("m4 boards", args.error());
    nlohmann::json all = nlohmann::json::array();
    for (const std::string& name : firmwareBoardNames()) {
        auto b = loadFirmwareBoard(name);
        if (!b)
            return inputError(b.error());
        nlohmann::json regions = nlohmann::json::array();
        for (const LinkerRegion& r : b->regions)
            regions.push_back({{"name", r.name}, {"origin", r.origin}, {"length_bytes", r.length}});
        all.push_back({{"name", b->name}, {"description", b->description}, {"qemu_machine", b->qemuMachine},
                       {"core_clock_hz", b->coreClockHz}, {"regions", regions}, {"memory_note", b->memoryNote}});
        if (!args.flag("--json")) {
            std::cout << b->name << ": " << b->description << "\n";
            for (const LinkerRegion& r : b->regions) {
                std::ostringstream origin;
                origin << "0x" << std::hex << std::setw(8) << std::setfill('0') << r.origin;
                std::cout << "  " << std::left << std::setw(6) << r.name << origin.str() << std::dec << "  "
                          << r.length / 1024 << " KiB\n";
            }
            std::cout << "  " << b->memoryNote << "\n";
        }
    }
    if (args.flag("--json"))
        std::cout << all.dump(2) << "\n";
    return kExitOk;
}

} // namespace

int commandM4(const std::vector<std::string>& args)
{
    if (args.empty() || args[0] == "help" || args[0] == "--help") {
        (args.empty() ? std::cerr : std::cout) << kM4Usage;
        return args.empty() ? kExitUsage : kExitOk;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "check-q15")
        return m4CheckQ15(rest);
    if (args[0] == "run")
        return commandM4Run(rest);
    if (args[0] == "check-int8")
        return commandCheckInt8(rest);
    if (args[0] == "boards")
        return commandBoards(rest);
    std::cerr << "rnnpool m4: unknown subcommand '" << args[0] << "'\n" << kM4Usage;
    return kExitUsage;
}

} // namespace rnnpool::cli
