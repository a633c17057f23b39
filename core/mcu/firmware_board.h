// Boards the firmware generator can build for, read from
// resources/firmware/boards/<name>/: board.json (clock, QEMU machine) and
// link.ld, whose MEMORY block is the one statement of the memory regions.
//
//   Expected<FirmwareBoard> b = loadFirmwareBoard("netduinoplus2");
//   const LinkerRegion* sram = b->region("SRAM");   // 128 KiB at 0x20000000
//   if (b->emulated()) ...                            // qemu-system-arm -M netduinoplus2
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

// One MEMORY region of a board's linker script (a different thing from
// board.h's MemoryRegion, the planner's view of RAM).
struct LinkerRegion {
    std::string name;     // as link.ld names it: FLASH, SRAM, CCM
    uint64_t origin = 0;
    uint64_t length = 0;  // bytes
};

struct FirmwareBoard {
    std::string name;
    std::string description;
    std::string qemuMachine;     // empty: no emulator, build and size only
    std::string memoryNote;
    double coreClockHz = 0.0;
    double systickClockHz = 0.0; // the clock SysTick counts (the core clock here)
    std::vector<LinkerRegion> regions;
    std::filesystem::path directory;

    bool emulated() const { return !qemuMachine.empty(); }
    const LinkerRegion* region(const std::string& regionName) const;
};

// $RNNPOOL_RESOURCE_DIR/firmware (the environment variable overrides the built-in folder).
std::filesystem::path firmwareResourceDir();
// The folder of the portable integer kernels the firmware copies: core/integer
// of this source tree, or $RNNPOOL_KERNEL_DIR.
std::filesystem::path integerKernelDir();

std::vector<std::string> firmwareBoardNames();
Expected<FirmwareBoard> loadFirmwareBoard(const std::string& name);

// A whole text file of the firmware resources or a generated project;
// "cannot read 'PATH'" when it cannot be opened.
Expected<std::string> readFirmwareText(const std::filesystem::path& path);

// The regions of a GNU ld MEMORY block: `NAME (attrs) : ORIGIN = 0x..., LENGTH = 128K`.
Expected<std::vector<LinkerRegion>> parseLinkerMemory(const std::string& script, const std::string& fileName);

} // namespace rnnpool
