// A firmware project for a Cortex-M4 board: written to a folder from the
// templates in resources/firmware/ (board files, link script, Makefile, CMake
// toolchain file), the portable integer kernels copied from core/integer (the
// same sources the desktop engine compiles) and the generated files (main.c,
// model data); built with arm-none-eabi-gcc; sized per memory region from the
// ELF; run in qemu-system-arm with -icount shift=0 and semihosting.
//
//   FirmwareProjectSpec spec{"netduinoplus2", {{"main.c", mainSource}}, true};
//   auto board = loadFirmwareBoard(spec.boardName);
//   if (Status s = writeFirmwareProject(spec, *board, dir); !s) fail(s.error());
//   auto built = buildFirmware(dir, *board, 300.0);      // link overflow -> needed vs available
//   auto run = runFirmwareOnEmulator(dir, *board, 120.0); // results.txt as key -> value
#pragma once

#include <cstdint>
#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mcu/elf_image.h"
#include "mcu/firmware_board.h"
#include "util/expected.h"

namespace rnnpool {

struct FirmwareFile {
    std::string relativePath;  // inside the project folder, e.g. "main.c", "model/weights.c"
    std::string contents;
};

struct FirmwareProjectSpec {
    std::string boardName;
    std::vector<FirmwareFile> files;
    bool copyIntegerKernels = true;  // core/integer/*.c,*.h -> integer/
};

Status writeFirmwareProject(const FirmwareProjectSpec& spec, const FirmwareBoard& board,
                            const std::filesystem::path& dir);

// A folder under the user's cache named after the project's content, so that
// an unchanged project is not rebuilt: $RNNPOOL_FIRMWARE_CACHE, else
// $XDG_CACHE_HOME/rnnpool/firmware, else ~/.cache/rnnpool/firmware.
std::filesystem::path firmwareCacheDir(const FirmwareProjectSpec& spec, const FirmwareBoard& board);

struct FirmwareBuild {
    std::filesystem::path elf;
    std::vector<RegionUsage> regions;   // FLASH, SRAM, CCM: bytes of the linked image
    uint64_t stackReservedBytes = 0;    // what the link leaves to the stack (the rest of CCM)
    double seconds = 0.0;
    bool reused = false;                // the folder held an up-to-date build
    const RegionUsage* region(const std::string& name) const;
};

// The error of a build or run stopped through its `cancel` flag.
inline constexpr std::string_view kCancelledMessage = "cancelled";

// Checks for make, arm-none-eabi-gcc and arm-none-eabi-size, then runs make in
// `dir`. A link that does not fit is reported as "REGION needs N bytes, has M".
// `cancel`: make is stopped when it becomes true (an error saying so).
Expected<FirmwareBuild> buildFirmware(const std::filesystem::path& dir, const FirmwareBoard& board,
                                      double timeoutSeconds, const std::atomic<bool>* cancel = nullptr);

struct EmulatorRun {
    int exitStatus = 0;
    std::map<std::string, std::string> results;  // the firmware's results.txt
    std::string console;                         // what QEMU and the firmware printed
    double seconds = 0.0;                        // wall time on this machine
    // A result as an unsigned number; 0 when absent.
    uint64_t number(const std::string& key) const;
};

// Runs dir/firmware.elf on the board's QEMU machine, in `dir` (the firmware's
// files are read and written there). A non-zero exit, a fault or a timeout is
// an error with a message saying which.
Expected<EmulatorRun> runFirmwareOnEmulator(const std::filesystem::path& dir, const FirmwareBoard& board,
                                            double timeoutSeconds, const std::atomic<bool>* cancel = nullptr);

// Under -icount shift=0 one instruction is one nanosecond of virtual time, and
// SysTick counts the board's SysTick clock: instructions = ticks * 1e9 / clock.
// An instruction count, not a cycle count (QEMU is not cycle-accurate).
uint64_t ticksToInstructions(uint64_t ticks, const FirmwareBoard& board);

// "SRAM needs 140000 bytes, has 131072 (over by 8928)" for every region ld
// reports overflowed; empty when the text names none.
std::string describeRegionOverflow(const std::string& linkerOutput, const FirmwareBoard& board);

} // namespace rnnpool
